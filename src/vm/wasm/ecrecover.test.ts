import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { ECRECOVER_BACKEND, nativeSecp256k1, recoverNative, recoverNoble } from './ecrecover.ts';
import { Rng } from './random-module.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : 'none');
const word = (x: bigint) =>
  Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * (31 - i))) & 0xffn));

describe('ecrecover backends', () => {
  it('loads libsecp256k1 from the prebuilt binding on this platform', () => {
    expect(ECRECOVER_BACKEND).toBe('libsecp256k1');
  });

  it('libsecp256k1 and noble agree: valid signatures, high s, both recovery ids, r off the curve', () => {
    const rng = new Rng(7);
    let checked = 0;
    for (let i = 0; i < 150; i++) {
      const priv = secp256k1.utils.randomSecretKey(Uint8Array.from({ length: 48 }, () => rng.int(256)));
      const hash = Uint8Array.from({ length: 32 }, () => rng.int(256));
      const sig = secp256k1.sign(hash, priv, { prehash: false, format: 'recovered' });
      const recid = sig[0];
      const r = sig.subarray(1, 33);
      const sBig = BigInt(`0x${hex(sig.subarray(33, 65))}`);
      const cases: [Uint8Array, number][] = [
        [sig.subarray(1, 65), recid],
        [sig.subarray(1, 65), recid ^ 1],
        // the same signature with high s (the precompile accepts it) and the other recovery id
        [new Uint8Array([...r, ...word(N - sBig)]), recid ^ 1],
        // an r that may not be an x-coordinate on the curve
        [new Uint8Array([...word(BigInt(rng.int(1 << 30)) + 1n), ...sig.subarray(33, 65)]), recid],
      ];
      for (const [rs, id] of cases) {
        expect(hex(recoverNative(nativeSecp256k1, hash, rs, id)), `case ${i}`).toBe(
          hex(recoverNoble(hash, rs, id)),
        );
        checked++;
      }
      // the valid signature recovers the signer
      expect(hex(recoverNoble(hash, sig.subarray(1, 65), recid))).toBe(
        hex(secp256k1.getPublicKey(priv, false)),
      );
    }
    expect(checked).toBe(600);
  });
});
