import { describe, expect, it } from 'vitest';
import { envFor } from '../../../test/wasm/proof-corpus.ts';
import { stf } from '../../../test/wasm/wat.ts';
import { commitModule, globalStateHash } from '../../vm/wasm/commit.ts';
import { keccak, toHex, type Word, word, ZERO_WORD } from '../../vm/wasm/hash.ts';
import type { Program } from '../../vm/wasm/lower.ts';
import { type GlobalState, type HostData, HostDataUnavailableError, Status } from '../../vm/wasm/machine.ts';
import { compileProgram } from '../../vm/wasm/program.ts';
import { proveStep } from '../../vm/wasm/proof.ts';
import { verifyStep } from '../../vm/wasm/verify.ts';
import { History, nodeHash, splitBits, verifyDissection } from './history.ts';
import { initialMachineHash, skipState } from './initial-machine.ts';
import { blockResult, machineAt, machineLevelStates } from './machine-history.ts';

const MSG = keccak(word(0xabcdef));
const GS: GlobalState = { bytes32: [keccak(word(1)), keccak(word(2))], u64: [7n, 0n] };
const HOST: HostData = {
  inboxMessage: (pos) => (pos === 7n ? MSG : undefined),
  preimage: () => undefined,
};

/**
 * Reads the 32-byte message, stateRoot = keccak(stateRoot ‖ message), sendRoot = the sum of the
 * message bytes (as the last 8 bytes, little-endian), inboxPosition + 1, positionInMessage 0.
 */
const SUM_STF = stf(`
  (local $i i32) (local $acc i64)
  (call $get_b32 (i32.const 0) (i32.const 0))
  (drop (call $inbox_read (i32.const 0) (i32.const 32)))
  (call $keccak256_pair (i32.const 0) (i32.const 0))
  (call $set_b32 (i32.const 0) (i32.const 0))
  (loop $l
    (local.set $acc (i64.add (local.get $acc) (i64.load8_u offset=32 (local.get $i))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 32))))
  (i64.store offset=88 (i32.const 0) (local.get $acc))
  (call $set_b32 (i32.const 1) (i32.const 64))
  (call $set_u64 (i32.const 0) (i64.add (call $get_u64 (i32.const 0)) (i64.const 1)))
  (call $set_u64 (i32.const 1) (i64.const 0))`);

/** Reads the message, sets the state root, then traps. */
const TRAP_STF = stf(`
  (drop (call $inbox_read (i32.const 0) (i32.const 0)))
  (call $set_b32 (i32.const 0) (i32.const 0))
  (unreachable)`);

/** Never stops. */
const LOOP_STF = stf(
  '(local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))',
);

const hex = (ws: Word[]) => ws.map(toHex);

function fullStates(prog: Program, h = 10): Word[] {
  return machineLevelStates(prog, GS, HOST, { base: 0, strideLog2: 0, h });
}

describe('blockResult', () => {
  it('a finished block: the STF global state, and the end of the full-step states', () => {
    const prog = compileProgram(SUM_STF);
    const r = blockResult(prog, GS, HOST, 20);
    expect(r.status).toBe(Status.Finished);
    const sum = MSG.reduce((a, b) => a + b, 0);
    expect(toHex(r.resultState.bytes32[0])).toBe(toHex(keccak(new Uint8Array([...GS.bytes32[0], ...MSG]))));
    const sendRoot = new Uint8Array(32);
    new DataView(sendRoot.buffer).setBigUint64(24, BigInt(sum), true);
    expect(toHex(r.resultState.bytes32[1])).toBe(toHex(sendRoot));
    expect(r.resultState.u64).toEqual([8n, 0n]);
    expect(GS.u64).toEqual([7n, 0n]);
    expect(toHex(r.endFields.globalStateHash)).toBe(toHex(globalStateHash(r.resultState)));
    const states = fullStates(prog);
    expect(states.length).toBe(r.steps + 1);
    expect(toHex(states[states.length - 1])).toBe(toHex(r.endMachineHash));
    expect(toHex(states[0])).toBe(toHex(initialMachineHash(commitModule(prog), globalStateHash(GS))));
  });

  it('a trapping block is skipped', () => {
    const r = blockResult(compileProgram(TRAP_STF), GS, HOST, 20);
    expect(r.status).toBe(Status.Errored);
    expect(r.resultState).toEqual(skipState(GS));
  });

  it('a block that never stops is skipped after 2^maxStepsLog2 steps', () => {
    const prog = compileProgram(LOOP_STF);
    const r = blockResult(prog, GS, HOST, 10);
    expect(r.status).toBe(Status.Running);
    expect(r.steps).toBe(1024);
    expect(r.resultState).toEqual(skipState(GS));
    const states = fullStates(prog);
    expect(states.length).toBe(1025);
    expect(toHex(states[1024])).toBe(toHex(r.endMachineHash));
  });

  it('a missing inbox message is an error of the node, not a skip', () => {
    const prog = compileProgram(SUM_STF);
    expect(() => blockResult(prog, { ...GS, u64: [9n, 0n] }, HOST, 20)).toThrow(HostDataUnavailableError);
  });
});

describe('machineLevelStates', () => {
  const prog = compileProgram(SUM_STF);
  const full = fullStates(prog);

  it('a stride-2^3 level samples the stride-1 states, ending at the stopped machine', () => {
    const coarse = machineLevelStates(prog, GS, HOST, { base: 0, strideLog2: 3, h: 7 });
    const last = full.length - 1;
    expect(coarse.length).toBe(Math.ceil(last / 8) + 1);
    expect(hex(coarse)).toEqual(hex(coarse.map((_, j) => full[Math.min(8 * j, last)])));
    // a level padded with the stopped machine has the same history as the sampled full one
    const sampled = Array.from({ length: 129 }, (_, j) => full[Math.min(8 * j, last)]);
    expect(toHex(new History(7, coarse).root())).toBe(toHex(new History(7, sampled).root()));
  });

  it('a level starting at a later step, and one cut off at 2^h', () => {
    const mid = machineLevelStates(prog, GS, HOST, { base: 40, strideLog2: 0, h: 4 });
    expect(hex(mid)).toEqual(hex(full.slice(40, 57)));
    const strided = machineLevelStates(prog, GS, HOST, { base: 16, strideLog2: 2, h: 3 });
    expect(hex(strided)).toEqual(hex([16, 20, 24, 28, 32, 36, 40, 44, 48].map((k) => full[k])));
    const after = machineLevelStates(prog, GS, HOST, { base: full.length + 5, strideLog2: 0, h: 4 });
    expect(hex(after)).toEqual(hex([full[full.length - 1]]));
  });

  it('dissected down to one step, the boundary pair is a verified one-step proof', () => {
    const hist = new History(10, full);
    const steps = full.length - 1;
    for (const k of [0, 1, 17, steps >> 1, steps - 1, steps, steps + 100, 1023]) {
      let a = 0;
      let w = 10;
      let root = hist.root();
      while (w > 0) {
        const d = hist.dissection(a, w);
        expect(verifyDissection(root, hist.state(a), w, d.boundaries, d.inners)).toBe(true);
        const sub = w - splitBits(w);
        const j = Math.floor((k - a) / 2 ** sub);
        root = d.children[j];
        a = hist.childStart(a, w, j);
        w = sub;
      }
      expect(a).toBe(k);
      const pre = hist.state(k);
      const post = hist.state(k + 1);
      expect(toHex(root)).toBe(toHex(nodeHash(pre, post, ZERO_WORD)));
      const c = machineAt(prog, GS, HOST, k);
      expect(toHex(c.hash())).toBe(toHex(pre));
      expect(toHex(verifyStep(pre, proveStep(c), envFor(HOST))), `step ${k}`).toBe(toHex(post));
    }
  });

  it('throughput at stride 1', () => {
    const loop = compileProgram(LOOP_STF);
    const t0 = performance.now();
    const states = machineLevelStates(loop, GS, HOST, { base: 0, strideLog2: 0, h: 15 });
    const s = (performance.now() - t0) / 1000;
    expect(states.length).toBe(2 ** 15 + 1);
    console.log(`machineLevelStates stride 1: ${Math.round(states.length / s)} states/s`);
  });
});
