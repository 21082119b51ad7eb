import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../test/wasm/random-module.ts';
import { ecrecoverWord } from '../vm/wasm/host-abi.ts';
import {
  addRecoveries,
  ECRECOVER_BACKEND,
  ecrecoverAt,
  nativeSecp256k1,
  recoverAndRemember,
  recoverNative,
  recoverNoble,
  takeRecoveries,
} from './ecrecover.ts';

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

describe('ecrecoverAt (the native runner fast path)', () => {
  it('matches host-abi ecrecoverWord on valid, high-s, off-curve and out-of-range inputs', () => {
    const rng = new Rng(9);
    const mem = new Uint8Array(512);
    let ok = 0;
    for (let i = 0; i < 60; i++) {
      const priv = secp256k1.utils.randomSecretKey(Uint8Array.from({ length: 48 }, () => rng.int(256)));
      const hash = Uint8Array.from({ length: 32 }, () => rng.int(256));
      const sig = secp256k1.sign(hash, priv, { prehash: false, format: 'recovered' });
      const r = sig.subarray(1, 33);
      const s = sig.subarray(33, 65);
      const sBig = BigInt(`0x${hex(s)}`);
      const rs = (a: Uint8Array, b: Uint8Array) => new Uint8Array([...a, ...b]);
      const cases: [Uint8Array, number][] = [
        [sig.subarray(1, 65), 27 + sig[0]],
        [sig.subarray(1, 65), 28 - sig[0]],
        [rs(r, word(N - sBig)), 28 - sig[0]],
        [sig.subarray(1, 65), 0],
        [sig.subarray(1, 65), 29],
        [rs(word(0n), s), 27],
        [rs(word(N), s), 27],
        [rs(word(N + 1n), s), 27],
        [rs(word(N - 1n), s), 28],
        [rs(r, word(0n)), 27],
        [rs(r, word(N)), 27],
        [rs(r, word(N - 1n)), 27],
        [rs(word(BigInt(rng.int(1 << 30)) + 1n), s), 27],
        [rs(new Uint8Array(32).fill(0xff), s), 27],
      ];
      for (const [sig64, v] of cases) {
        const want = ecrecoverWord(hash, sig64, v);
        const [h, sg, out] = [32 * rng.int(4), 128 + 32 * rng.int(4), 288 + 32 * rng.int(4)];
        mem.fill(0x5a);
        mem.set(hash, h);
        mem.set(sig64, sg);
        const got = ecrecoverAt(mem, h, sg, v, out);
        expect(got).toBe(want !== undefined);
        expect(hex(mem.subarray(out, out + 32))).toBe(hex(want ?? new Uint8Array(32)));
        if (got) ok++;
      }
    }
    expect(ok).toBeGreaterThanOrEqual(120);
  });
});

describe('recoverAndRemember (a node recovers each signature once)', () => {
  it('ecrecoverAt answers a remembered input with the same address, and only that input', () => {
    const rng = new Rng(11);
    const mem = new Uint8Array(256);
    for (let i = 0; i < 20; i++) {
      const priv = secp256k1.utils.randomSecretKey(Uint8Array.from({ length: 48 }, () => rng.int(256)));
      const hash = Uint8Array.from({ length: 32 }, () => rng.int(256));
      const sig = secp256k1.sign(hash, priv, { prehash: false, format: 'recovered' });
      const rs = sig.subarray(1, 65);
      const v = 27 + sig[0];
      const fresh = (h: Uint8Array, s: Uint8Array, vv: number) => {
        mem.fill(0);
        mem.set(h, 0);
        mem.set(s, 64);
        const ok = ecrecoverAt(mem, 0, 64, vv, 128);
        return ok ? hex(mem.subarray(128, 160)) : undefined;
      };
      const before = fresh(hash, rs, v);
      expect(recoverAndRemember(hash, rs, v - 27)).toBeDefined();
      expect(fresh(hash, rs, v)).toBe(before);
      expect(before).toBe(hex(ecrecoverWord(hash, rs, v) as Uint8Array));
      // the other recovery id, or another hash, is not answered from the remembered entry
      expect(fresh(hash, rs, 55 - v)).toBe(
        ecrecoverWord(hash, rs, 55 - v) ? hex(ecrecoverWord(hash, rs, 55 - v) as Uint8Array) : undefined,
      );
      const other = hash.slice();
      other[0] ^= 1;
      expect(fresh(other, rs, v)).toBe(
        ecrecoverWord(other, rs, v) ? hex(ecrecoverWord(other, rs, v) as Uint8Array) : undefined,
      );
    }
  });

  it('takeRecoveries hands the new recoveries to another thread once; addRecoveries makes ecrecoverAt answer them', () => {
    takeRecoveries(); // whatever earlier tests remembered
    const priv = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const hash = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
    const sig = secp256k1.sign(hash, priv, { prehash: false, format: 'recovered' });
    const rs = sig.subarray(1, 65);
    const pub = recoverAndRemember(hash, rs, sig[0]) as Uint8Array;
    const taken = takeRecoveries();
    expect(taken.length).toBe(1);
    expect(hex(taken[0][1])).toBe(hex(pub));
    expect(takeRecoveries()).toEqual([]);
    // what the worker does with them: an entry is used as is (here, another key for the same input)
    const other = secp256k1.getPublicKey(
      Uint8Array.from({ length: 32 }, () => 7),
      false,
    );
    addRecoveries([[taken[0][0], other]]);
    const mem = new Uint8Array(256);
    mem.set(hash, 0);
    mem.set(rs, 64);
    expect(ecrecoverAt(mem, 0, 64, 27 + sig[0], 128)).toBe(true);
    expect(hex(mem.subarray(140, 160))).toBe(hex(keccak_256(other.subarray(1)).subarray(12)));
    addRecoveries(taken); // put the true key back for the other tests
  });
});
