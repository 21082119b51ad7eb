/**
 * Test helper: the small STF and dispute parameters the dispute tests play with (docs/dispute.md):
 * 3-bit blocks, two step levels of 3 and 7 bits (2^10 steps per block), a 100 s challenge period.
 */
import { keccak } from '../src/vm/wasm/hash.ts';
import type { Program } from '../src/vm/wasm/lower.ts';
import type { GlobalState } from '../src/vm/wasm/machine.ts';
import { compileProgram } from '../src/vm/wasm/program.ts';
import { stf } from './wasm/wat.ts';

/** state root := keccak^(n+1)(root ‖ first 32 message bytes), n = message byte 1; then the next message */
export const DISPUTE_TEST_STF: Uint8Array = stf(`
  (local $i i32) (local $n i32)
  (call $get_b32 (i32.const 0) (i32.const 0))
  (drop (call $inbox_read (i32.const 0) (i32.const 32)))
  (local.set $n (i32.load8_u (i32.const 33)))
  (block $done (loop $l
    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
    (call $keccak256_pair (i32.const 0) (i32.const 0))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $l)))
  (call $keccak256_pair (i32.const 0) (i32.const 0))
  (call $set_b32 (i32.const 0) (i32.const 0))
  (call $set_u64 (i32.const 0) (i64.add (call $get_u64 (i32.const 0)) (i64.const 1)))
  (call $set_u64 (i32.const 1) (i64.const 0))`);

let compiled: Program | undefined;
/** DISPUTE_TEST_STF compiled (once). */
export function disputeTestProgram(): Program {
  compiled ??= compileProgram(DISPUTE_TEST_STF);
  return compiled;
}

export const DISPUTE_TEST_PERIOD = 100;

export const DISPUTE_TEST_PARAMS = {
  heights: [3, 3, 7],
  challengePeriod: BigInt(DISPUTE_TEST_PERIOD),
  assertionBond: 10n ** 18n,
  edgeBond: 10n ** 17n,
};

export const disputeTestGenesis = (): GlobalState => ({
  bytes32: [keccak(new Uint8Array([1])), new Uint8Array(32)],
  u64: [0n, 0n],
});

/** The payload of the i-th test batch (dispute.test.ts posts these). */
export const disputeTestPayload = (i: number): Uint8Array => new Uint8Array([5 + 7 * i, i, 2, 3]);
