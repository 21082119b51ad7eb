/**
 * replayMessage (replay.ts) serves kind-2 reads (a precompile's result, docs/machine.md §6.3) from
 * the key preimages the run hinted itself: a light client re-executing a block of an EVM guest needs
 * no preimage from the proof for them (docs/sovereign.md §4.2 step 5), on either engine.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { callPrecompile } from '../../crypto/precompiles.ts';
import { concat, u16 } from './client-common.ts';
import { replayMessage } from './replay.ts';
import { App, genesis } from './run-app.ts';

const w = (v: bigint): Uint8Array => {
  const o = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) o[i] = Number(v & 0xffn);
  return o;
};

/** what guest/sdk/test/precompile_ops.ts accumulates into bytes32[1] */
function expectedAcc(calls: [number, Uint8Array][]): Uint8Array {
  let acc = new Uint8Array(32);
  for (const [id, input] of calls) {
    const out = callPrecompile(id, input);
    acc = keccak_256(concat(acc, Uint8Array.of(out ? 1 : 0), out ?? new Uint8Array(0)));
  }
  return acc;
}

describe('replayMessage and kind-2 reads', () => {
  it('computes precompile results from the run’s own hints (nothing read from the reader), equal to the EIPs’ also for inputs the SDK cuts or fails early', () => {
    const G1 = concat(w(1n), w(2n));
    const calls: [number, Uint8Array][] = [
      [0x06, concat(G1, G1)],
      [0x07, concat(G1, w(5n))],
      [0x07, concat(w(1n), w(3n), w(1n))], // fails: status 0
      [0x06, concat(G1, G1, new Uint8Array(300).fill(7))], // cut to 128 bytes by the SDK: 2G
      [0x07, concat(G1, w(3n), w(9n))], // cut to 96 bytes: 3G
      [0x08, new Uint8Array(191)], // fails without a read
      [0x0a, new Uint8Array(10)], // fails without a read
    ];
    const msg = concat(...calls.map(([id, input]) => concat(Uint8Array.of(id), u16(input.length), input)));
    const app = new App('sdk/test/precompile_ops.ts');
    const expected = app.run(genesis(), msg).globalState;
    expect(Buffer.from(expected.bytes32[1]).toString('hex')).toBe(
      Buffer.from(expectedAcc(calls)).toString('hex'),
    );
    // the node's path: native only, reading and filling the store in place (kind 2 computed there)
    const nodeRun = new App('sdk/test/precompile_ops.ts').run(genesis(), msg, { interpret: false });
    expect(Buffer.from(nodeRun.globalState.bytes32[1]).toString('hex')).toBe(
      Buffer.from(expected.bytes32[1]).toString('hex'),
    );
    for (const engine of ['native', 'interp'] as const) {
      const asked: number[] = [];
      const r = replayMessage(
        app,
        genesis(),
        msg,
        (kind) => {
          asked.push(kind);
          return undefined;
        },
        engine,
      );
      expect(r.status, engine).toBe('finished');
      expect(r.reads, engine).toEqual([]);
      expect(asked, engine).toEqual([]);
      expect(Buffer.from(r.globalState.bytes32[1]).toString('hex'), engine).toBe(
        Buffer.from(expected.bytes32[1]).toString('hex'),
      );
    }
  });

  it('another precompile traps in the SDK on both engines (no read of a result nobody can give)', () => {
    const app = new App('sdk/test/precompile_ops.ts');
    const msg = concat(Uint8Array.of(0x05), u16(96), new Uint8Array(96));
    for (const engine of ['native', 'interp'] as const)
      expect(replayMessage(app, genesis(), msg, () => undefined, engine).status, engine).toBe('errored');
  });
});
