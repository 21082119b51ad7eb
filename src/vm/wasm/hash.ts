/**
 * Hashing primitives of the machine commitments (docs/machine.md §4.1): keccak256 over 32-byte words.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';

export type Word = Uint8Array;

export const ZERO_WORD: Word = new Uint8Array(32);

export function keccak(data: Uint8Array): Word {
  return keccak_256(data);
}

const pairBuf = new Uint8Array(64);

/** keccak256(a || b) of two 32-byte words */
export function hashPair(a: Word, b: Word): Word {
  pairBuf.set(a, 0);
  pairBuf.set(b, 32);
  return keccak_256(pairBuf);
}

/** keccak256 of the concatenation of 32-byte words */
export function hashWords(words: Word[]): Word {
  const buf = new Uint8Array(words.length * 32);
  words.forEach((w, i) => {
    buf.set(w, i * 32);
  });
  return keccak_256(buf);
}

/** a non-negative integer (< 2^256) as a big-endian 32-byte word */
export function word(v: bigint | number): Word {
  const out = new Uint8Array(32);
  let x = BigInt(v);
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** a u64 given as (lo, hi) int32 halves, as a word */
export function word64(lo: number, hi: number): Word {
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  dv.setInt32(24, hi);
  dv.setInt32(28, lo);
  return out;
}

export function wordToBigInt(w: Word): bigint {
  let x = 0n;
  for (const b of w) x = (x << 8n) | BigInt(b);
  return x;
}

export function toHex(w: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(w).toString('hex')}`;
}

/** ceil(log2(n)) for n >= 1; 0 for n <= 1 */
export function ceilLog2(n: number): number {
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

/** ZERO_HASHES[k] is the root of a depth-k tree of zero words */
export const ZERO_HASHES: Word[] = (() => {
  const z = [ZERO_WORD];
  for (let k = 1; k <= 64; k++) z.push(hashPair(z[k - 1], z[k - 1]));
  return z;
})();
