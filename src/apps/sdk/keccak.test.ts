/** The guest keccak256 (guest/sdk/keccak.ts) against @noble/hashes, natively and interpreted. */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { toHex } from './preimage-store.ts';
import { App, genesis } from './run-app.ts';

describe('guest keccak256', () => {
  const app = new App('sdk/test/keccak_bench.ts');
  it('matches keccak_256 on lengths around the rate (136) boundaries', () => {
    for (const len of [0, 1, 31, 32, 33, 64, 135, 136, 137, 200, 271, 272, 273, 1000]) {
      const msg = Uint8Array.from({ length: len }, (_, i) => (i * 7 + len) & 0xff);
      const gs = genesis();
      gs.u64[0] = 1n;
      const r = app.run(gs, msg);
      expect(toHex(r.globalState.bytes32[0]), `len ${len}`).toBe(toHex(keccak_256(msg)));
    }
  });
  it('steps per permutation', () => {
    const msg = new Uint8Array(32);
    const run = (n: bigint) => {
      const gs = genesis();
      gs.u64[0] = n;
      return app.run(gs, msg).steps;
    };
    const perPerm = (run(11n) - run(1n)) / 10;
    console.log(`guest keccak256 (one permutation): ${perPerm} interpreter steps`);
    expect(perPerm).toBeLessThan(100_000);
  });
});
