import { randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { hashPair, hashWords, keccak } from '../vm/wasm/hash.ts';
import { keccak256Hex, keccak256Into, keccak256Pair, RATE } from './keccak.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ours = (x: Uint8Array) => hex(keccak256Into(x, new Uint8Array(32)));
const noble = (x: Uint8Array) => hex(keccak_256(x));

describe('keccak256 (keccak.ts)', () => {
  it('known vectors', () => {
    expect(ours(new Uint8Array(0))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(ours(new TextEncoder().encode('abc'))).toBe(
      '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45',
    );
    // keccak padding, not SHA3's: sha3-256('') would be a7ffc6f8...
    expect(ours(new Uint8Array(0))).toBe(noble(new Uint8Array(0)));
    expect(hex(keccak(new Uint8Array(0)))).toBe(
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
  });

  it('matches noble for every length 0..300 (block boundaries and padding in one byte)', () => {
    for (let n = 0; n <= 300; n++) {
      const x = new Uint8Array(n);
      for (let i = 0; i < n; i++) x[i] = (i * 131 + n * 7 + 1) & 0xff;
      expect(ours(x), `length ${n}`).toBe(noble(x));
      const r = randomBytes(n);
      expect(ours(r), `random length ${n}`).toBe(noble(r));
    }
  });

  it('matches noble on random inputs up to 10 KB', () => {
    for (let k = 0; k < 200; k++) {
      const n = k < 4 ? [RATE - 1, RATE, RATE + 1, 2 * RATE][k] : Math.floor(Math.random() * 10_241);
      const x = randomBytes(n);
      expect(ours(x), `length ${n}`).toBe(noble(x));
    }
  });

  it('keccak256Hex: 0x-hex of a batch-sized input (and of a subarray view)', () => {
    const x = randomBytes(100_001);
    expect(keccak256Hex(x)).toBe(`0x${noble(x)}`);
    const view = x.subarray(7, 50_007);
    expect(keccak256Hex(view)).toBe(`0x${noble(view)}`);
  });

  it('honours outOffset and length', () => {
    const x = randomBytes(500);
    const out = new Uint8Array(100).fill(0xaa);
    keccak256Into(x, out, 40, 200);
    expect(hex(out.subarray(40, 72))).toBe(noble(x.subarray(0, 200)));
    expect(out.subarray(0, 40).every((b) => b === 0xaa)).toBe(true);
    expect(out.subarray(72).every((b) => b === 0xaa)).toBe(true);
    keccak256Into(x, out, 1, 64);
    expect(hex(out.subarray(1, 33))).toBe(noble(x.subarray(0, 64)));
  });

  it('64-byte path: keccak256Pair and hashPair on random pairs', () => {
    for (let k = 0; k < 500; k++) {
      const a = randomBytes(32);
      const b = randomBytes(32);
      const ab = new Uint8Array(64);
      ab.set(a, 0);
      ab.set(b, 32);
      const want = noble(ab);
      expect(hex(keccak256Pair(a, b, new Uint8Array(32)))).toBe(want);
      expect(hex(hashPair(a, b))).toBe(want);
      expect(ours(ab)).toBe(want);
      // words that are views into a larger buffer at an offset
      const big = new Uint8Array(128);
      big.set(ab, 32);
      expect(hex(hashPair(big.subarray(32, 64), big.subarray(64, 96)))).toBe(want);
    }
  });

  it('hashWords and keccak return fresh words equal to noble', () => {
    for (let n = 0; n <= 12; n++) {
      const words = Array.from({ length: n }, () => new Uint8Array(randomBytes(32)));
      const cat = new Uint8Array(32 * n);
      words.forEach((w, i) => {
        cat.set(w, 32 * i);
      });
      const h = hashWords(words);
      expect(hex(h)).toBe(noble(cat));
      expect(hashWords(words)).not.toBe(h);
    }
    const x = randomBytes(77);
    const h1 = keccak(x);
    const h2 = keccak(x);
    expect(h1).not.toBe(h2);
    expect(hex(h1)).toBe(noble(x));
  });
});
