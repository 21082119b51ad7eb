/**
 * Hashing primitives of the machine commitments (docs/machine.md §4.1): keccak256 over 32-byte words.
 */
import { keccak256Into, keccak256Pair } from '../../crypto/keccak.ts';

export type Word = Uint8Array;

export const ZERO_WORD: Word = new Uint8Array(32);

export function keccak(data: Uint8Array): Word {
  return keccak256Into(data, new Uint8Array(32));
}

/** keccak256(a || b) of two 32-byte words */
export function hashPair(a: Word, b: Word): Word {
  return keccak256Pair(a, b, new Uint8Array(32));
}

/** reused buffer of hashWords (grown as needed) */
let wordsBuf = new Uint8Array(32 * 8);

/** keccak256 of the concatenation of 32-byte words */
export function hashWords(words: Word[]): Word {
  const n = words.length * 32;
  if (wordsBuf.length < n) wordsBuf = new Uint8Array(n);
  for (let i = 0; i < words.length; i++) wordsBuf.set(words[i], i * 32);
  return keccak256Into(wordsBuf, new Uint8Array(32), 0, n);
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
