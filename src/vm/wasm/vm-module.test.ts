/**
 * The wasm VM behind the core `ExecutionVm` interface (vm-module.ts) answers preimage kind 2 (a
 * precompile's result, docs/machine.md §6.3) from the key preimages the run hints, in `execute`
 * (native) and in the steppable machine alike, with the results of src/crypto/precompiles.ts.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { concat, u16 } from '../../apps/sdk/client-common.ts';
import { compileGuest } from '../../apps/sdk/run-app.ts';
import type { ExecutionInput } from '../../core/vm.ts';
import { callPrecompile } from '../../crypto/precompiles.ts';
import { WasmVm } from './vm-module.ts';

const w = (v: bigint): Uint8Array => {
  const o = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) o[i] = Number(v & 0xffn);
  return o;
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('WasmVm and preimage kind 2', () => {
  it('execute and the steppable machine compute precompile results from the run’s own hints', async () => {
    const G1 = concat(w(1n), w(2n));
    const calls: [number, Uint8Array][] = [
      [0x06, concat(G1, G1)],
      [0x07, concat(G1, w(11n))],
      [0x06, concat(w(1n), w(3n), G1)], // fails: status 0
    ];
    let acc = new Uint8Array(32);
    for (const [id, input] of calls) {
      const out = callPrecompile(id, input);
      acc = keccak_256(concat(acc, Uint8Array.of(out ? 1 : 0), out ?? new Uint8Array(0)));
    }
    const data = concat(...calls.map(([id, input]) => concat(Uint8Array.of(id), u16(input.length), input)));
    const vm = new WasmVm();
    const program = await vm.load(compileGuest('sdk/test/precompile_ops.ts'), 'precompile_ops');
    const input: ExecutionInput = {
      preState: { bytes32: [new Uint8Array(32), new Uint8Array(32)], u64: [0n, 0n] },
      message: {
        index: 0n,
        kind: 'batch',
        l1BlockNumber: 1n,
        l1Timestamp: 1n,
        sender: `0x${'00'.repeat(20)}`,
        data,
        accumulator: `0x${'00'.repeat(32)}`,
      },
      preimages: { get: () => undefined }, // nothing from outside: the run hints every key preimage
    };
    const r = await vm.execute(program, input);
    expect(r.status).toBe('finished');
    expect(hex(r.postState.bytes32[1])).toBe(hex(acc));
    const m = await vm.createMachine(program, input);
    while (m.status === 'running') m.step(1_000_000n);
    expect(m.status).toBe('finished');
    expect(hex(m.globalState().bytes32[1])).toBe(hex(acc));
  });
});
