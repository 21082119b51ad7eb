/**
 * keccak256 (the original Keccak padding, as Ethereum uses it; not SHA3-256) on the
 * keccak-f[1600] permutation, computed on 32-bit halves of the 64-bit lanes so that every value
 * stays a small integer in V8. Written for the machine commitments (hash.ts), where almost every
 * hash is of exactly 64 bytes: `keccak256Pair` absorbs two 32-byte words straight into the state.
 *
 * State layout (bit-interleaved, so that every 64-bit lane rotation is two 32-bit rotations, which
 * V8 compiles to single `ror`s): lane (x, y) (x, y in 0..4) is 64-bit word x + 5y of the state,
 * little-endian from the input bytes; state[2 * lane] holds its even bits (0, 2, .., 62) and
 * state[2 * lane + 1] its odd bits (1, 3, .., 63). A rotation by 2m rotates both halves by m; by
 * 2m + 1 it swaps them, rotating the new even half by m + 1 and the new odd half by m.
 * The round body below is unrolled over the lanes (theta, rho + pi, chi, iota as in the Keccak
 * reference), with the state in locals a0..a49.
 */

/** rate of keccak256 in bytes (1600 - 2 * 256 bits) */
export const RATE = 136;

/** the bits of x with its even bits moved to the low 16 bits and its odd bits to the high 16 bits */
function unzip(x: number): number {
  let t = (x ^ (x >>> 1)) & 0x22222222;
  x ^= t ^ (t << 1);
  t = (x ^ (x >>> 2)) & 0x0c0c0c0c;
  x ^= t ^ (t << 2);
  t = (x ^ (x >>> 4)) & 0x00f000f0;
  x ^= t ^ (t << 4);
  t = (x ^ (x >>> 8)) & 0x0000ff00;
  return x ^ t ^ (t << 8);
}

/** inverse of unzip */
function zip(x: number): number {
  let t = (x ^ (x >>> 8)) & 0x0000ff00;
  x ^= t ^ (t << 8);
  t = (x ^ (x >>> 4)) & 0x00f000f0;
  x ^= t ^ (t << 4);
  t = (x ^ (x >>> 2)) & 0x0c0c0c0c;
  x ^= t ^ (t << 2);
  t = (x ^ (x >>> 1)) & 0x22222222;
  return x ^ t ^ (t << 1);
}

/** bits 0, 2, .., 62 of the 64-bit lane (lo, hi) */
function evenBits(lo: number, hi: number): number {
  return (unzip(lo) & 0xffff) | (unzip(hi) << 16);
}

/** bits 1, 3, .., 63 of the 64-bit lane (lo, hi) */
function oddBits(lo: number, hi: number): number {
  return (unzip(lo) >>> 16) | (unzip(hi) & 0xffff0000);
}

/** the 24 iota round constants as (lo, hi) pairs, from the degree-8 LFSR of the Keccak reference */
const RC: Int32Array = (() => {
  const rc = new Int32Array(48);
  let r = 1;
  for (let round = 0; round < 24; round++) {
    for (let j = 0; j < 7; j++) {
      // bit j of the round constant is lane bit 2^j - 1
      if (r & 1) {
        const bit = (1 << j) - 1;
        if (bit < 32) rc[2 * round] |= 1 << bit;
        else rc[2 * round + 1] |= 1 << (bit - 32);
      }
      // LFSR step, polynomial x^8 + x^6 + x^5 + x^4 + 1
      r = r & 0x80 ? ((r << 1) ^ 0x71) & 0xff : r << 1;
    }
  }
  for (let i = 0; i < 48; i += 2) {
    const lo = rc[i];
    const hi = rc[i + 1];
    rc[i] = evenBits(lo, hi);
    rc[i + 1] = oddBits(lo, hi);
  }
  return rc;
})();

/** keccak-f[1600] in place on the 50 bit-interleaved int32 lane halves described above. */
export function keccakF1600(s: Int32Array): void {
  let a0 = s[0];
  let a1 = s[1];
  let a2 = s[2];
  let a3 = s[3];
  let a4 = s[4];
  let a5 = s[5];
  let a6 = s[6];
  let a7 = s[7];
  let a8 = s[8];
  let a9 = s[9];
  let a10 = s[10];
  let a11 = s[11];
  let a12 = s[12];
  let a13 = s[13];
  let a14 = s[14];
  let a15 = s[15];
  let a16 = s[16];
  let a17 = s[17];
  let a18 = s[18];
  let a19 = s[19];
  let a20 = s[20];
  let a21 = s[21];
  let a22 = s[22];
  let a23 = s[23];
  let a24 = s[24];
  let a25 = s[25];
  let a26 = s[26];
  let a27 = s[27];
  let a28 = s[28];
  let a29 = s[29];
  let a30 = s[30];
  let a31 = s[31];
  let a32 = s[32];
  let a33 = s[33];
  let a34 = s[34];
  let a35 = s[35];
  let a36 = s[36];
  let a37 = s[37];
  let a38 = s[38];
  let a39 = s[39];
  let a40 = s[40];
  let a41 = s[41];
  let a42 = s[42];
  let a43 = s[43];
  let a44 = s[44];
  let a45 = s[45];
  let a46 = s[46];
  let a47 = s[47];
  let a48 = s[48];
  let a49 = s[49];
  let t0 = 0;
  let t1 = 0;
  for (let r = 0; r < 48; r += 2) {
    // theta: column parities c, then d[x] = c[x-1] ^ rotl64(c[x+1], 1)
    const c0 = a0 ^ a10 ^ a20 ^ a30 ^ a40;
    const c1 = a1 ^ a11 ^ a21 ^ a31 ^ a41;
    const c2 = a2 ^ a12 ^ a22 ^ a32 ^ a42;
    const c3 = a3 ^ a13 ^ a23 ^ a33 ^ a43;
    const c4 = a4 ^ a14 ^ a24 ^ a34 ^ a44;
    const c5 = a5 ^ a15 ^ a25 ^ a35 ^ a45;
    const c6 = a6 ^ a16 ^ a26 ^ a36 ^ a46;
    const c7 = a7 ^ a17 ^ a27 ^ a37 ^ a47;
    const c8 = a8 ^ a18 ^ a28 ^ a38 ^ a48;
    const c9 = a9 ^ a19 ^ a29 ^ a39 ^ a49;
    const d0 = c8 ^ ((c3 << 1) | (c3 >>> 31));
    const d1 = c9 ^ c2;
    const d2 = c0 ^ ((c5 << 1) | (c5 >>> 31));
    const d3 = c1 ^ c4;
    const d4 = c2 ^ ((c7 << 1) | (c7 >>> 31));
    const d5 = c3 ^ c6;
    const d6 = c4 ^ ((c9 << 1) | (c9 >>> 31));
    const d7 = c5 ^ c8;
    const d8 = c6 ^ ((c1 << 1) | (c1 >>> 31));
    const d9 = c7 ^ c0;
    // theta applied, then rho (rotate) and pi (move (x, y) to (y, 2x + 3y))
    const b0 = a0 ^ d0;
    const b1 = a1 ^ d1;
    t0 = a2 ^ d2;
    t1 = a3 ^ d3;
    const b20 = (t1 << 1) | (t1 >>> 31);
    const b21 = t0;
    t0 = a4 ^ d4;
    t1 = a5 ^ d5;
    const b40 = (t0 << 31) | (t0 >>> 1);
    const b41 = (t1 << 31) | (t1 >>> 1);
    t0 = a6 ^ d6;
    t1 = a7 ^ d7;
    const b10 = (t0 << 14) | (t0 >>> 18);
    const b11 = (t1 << 14) | (t1 >>> 18);
    t0 = a8 ^ d8;
    t1 = a9 ^ d9;
    const b30 = (t1 << 14) | (t1 >>> 18);
    const b31 = (t0 << 13) | (t0 >>> 19);
    t0 = a10 ^ d0;
    t1 = a11 ^ d1;
    const b32 = (t0 << 18) | (t0 >>> 14);
    const b33 = (t1 << 18) | (t1 >>> 14);
    t0 = a12 ^ d2;
    t1 = a13 ^ d3;
    const b2 = (t0 << 22) | (t0 >>> 10);
    const b3 = (t1 << 22) | (t1 >>> 10);
    t0 = a14 ^ d4;
    t1 = a15 ^ d5;
    const b22 = (t0 << 3) | (t0 >>> 29);
    const b23 = (t1 << 3) | (t1 >>> 29);
    t0 = a16 ^ d6;
    t1 = a17 ^ d7;
    const b42 = (t1 << 28) | (t1 >>> 4);
    const b43 = (t0 << 27) | (t0 >>> 5);
    t0 = a18 ^ d8;
    t1 = a19 ^ d9;
    const b12 = (t0 << 10) | (t0 >>> 22);
    const b13 = (t1 << 10) | (t1 >>> 22);
    t0 = a20 ^ d0;
    t1 = a21 ^ d1;
    const b14 = (t1 << 2) | (t1 >>> 30);
    const b15 = (t0 << 1) | (t0 >>> 31);
    t0 = a22 ^ d2;
    t1 = a23 ^ d3;
    const b34 = (t0 << 5) | (t0 >>> 27);
    const b35 = (t1 << 5) | (t1 >>> 27);
    t0 = a24 ^ d4;
    t1 = a25 ^ d5;
    const b4 = (t1 << 22) | (t1 >>> 10);
    const b5 = (t0 << 21) | (t0 >>> 11);
    t0 = a26 ^ d6;
    t1 = a27 ^ d7;
    const b24 = (t1 << 13) | (t1 >>> 19);
    const b25 = (t0 << 12) | (t0 >>> 20);
    t0 = a28 ^ d8;
    t1 = a29 ^ d9;
    const b44 = (t1 << 20) | (t1 >>> 12);
    const b45 = (t0 << 19) | (t0 >>> 13);
    t0 = a30 ^ d0;
    t1 = a31 ^ d1;
    const b46 = (t1 << 21) | (t1 >>> 11);
    const b47 = (t0 << 20) | (t0 >>> 12);
    t0 = a32 ^ d2;
    t1 = a33 ^ d3;
    const b16 = (t1 << 23) | (t1 >>> 9);
    const b17 = (t0 << 22) | (t0 >>> 10);
    t0 = a34 ^ d4;
    t1 = a35 ^ d5;
    const b36 = (t1 << 8) | (t1 >>> 24);
    const b37 = (t0 << 7) | (t0 >>> 25);
    t0 = a36 ^ d6;
    t1 = a37 ^ d7;
    const b6 = (t1 << 11) | (t1 >>> 21);
    const b7 = (t0 << 10) | (t0 >>> 22);
    t0 = a38 ^ d8;
    t1 = a39 ^ d9;
    const b26 = (t0 << 4) | (t0 >>> 28);
    const b27 = (t1 << 4) | (t1 >>> 28);
    t0 = a40 ^ d0;
    t1 = a41 ^ d1;
    const b28 = (t0 << 9) | (t0 >>> 23);
    const b29 = (t1 << 9) | (t1 >>> 23);
    t0 = a42 ^ d2;
    t1 = a43 ^ d3;
    const b48 = (t0 << 1) | (t0 >>> 31);
    const b49 = (t1 << 1) | (t1 >>> 31);
    t0 = a44 ^ d4;
    t1 = a45 ^ d5;
    const b18 = (t1 << 31) | (t1 >>> 1);
    const b19 = (t0 << 30) | (t0 >>> 2);
    t0 = a46 ^ d6;
    t1 = a47 ^ d7;
    const b38 = (t0 << 28) | (t0 >>> 4);
    const b39 = (t1 << 28) | (t1 >>> 4);
    t0 = a48 ^ d8;
    t1 = a49 ^ d9;
    const b8 = (t0 << 7) | (t0 >>> 25);
    const b9 = (t1 << 7) | (t1 >>> 25);
    // chi (row-wise a = b ^ (~b[x+1] & b[x+2])) and iota
    a0 = b0 ^ (~b2 & b4) ^ RC[r];
    a1 = b1 ^ (~b3 & b5) ^ RC[r + 1];
    a2 = b2 ^ (~b4 & b6);
    a3 = b3 ^ (~b5 & b7);
    a4 = b4 ^ (~b6 & b8);
    a5 = b5 ^ (~b7 & b9);
    a6 = b6 ^ (~b8 & b0);
    a7 = b7 ^ (~b9 & b1);
    a8 = b8 ^ (~b0 & b2);
    a9 = b9 ^ (~b1 & b3);
    a10 = b10 ^ (~b12 & b14);
    a11 = b11 ^ (~b13 & b15);
    a12 = b12 ^ (~b14 & b16);
    a13 = b13 ^ (~b15 & b17);
    a14 = b14 ^ (~b16 & b18);
    a15 = b15 ^ (~b17 & b19);
    a16 = b16 ^ (~b18 & b10);
    a17 = b17 ^ (~b19 & b11);
    a18 = b18 ^ (~b10 & b12);
    a19 = b19 ^ (~b11 & b13);
    a20 = b20 ^ (~b22 & b24);
    a21 = b21 ^ (~b23 & b25);
    a22 = b22 ^ (~b24 & b26);
    a23 = b23 ^ (~b25 & b27);
    a24 = b24 ^ (~b26 & b28);
    a25 = b25 ^ (~b27 & b29);
    a26 = b26 ^ (~b28 & b20);
    a27 = b27 ^ (~b29 & b21);
    a28 = b28 ^ (~b20 & b22);
    a29 = b29 ^ (~b21 & b23);
    a30 = b30 ^ (~b32 & b34);
    a31 = b31 ^ (~b33 & b35);
    a32 = b32 ^ (~b34 & b36);
    a33 = b33 ^ (~b35 & b37);
    a34 = b34 ^ (~b36 & b38);
    a35 = b35 ^ (~b37 & b39);
    a36 = b36 ^ (~b38 & b30);
    a37 = b37 ^ (~b39 & b31);
    a38 = b38 ^ (~b30 & b32);
    a39 = b39 ^ (~b31 & b33);
    a40 = b40 ^ (~b42 & b44);
    a41 = b41 ^ (~b43 & b45);
    a42 = b42 ^ (~b44 & b46);
    a43 = b43 ^ (~b45 & b47);
    a44 = b44 ^ (~b46 & b48);
    a45 = b45 ^ (~b47 & b49);
    a46 = b46 ^ (~b48 & b40);
    a47 = b47 ^ (~b49 & b41);
    a48 = b48 ^ (~b40 & b42);
    a49 = b49 ^ (~b41 & b43);
  }
  s[0] = a0;
  s[1] = a1;
  s[2] = a2;
  s[3] = a3;
  s[4] = a4;
  s[5] = a5;
  s[6] = a6;
  s[7] = a7;
  s[8] = a8;
  s[9] = a9;
  s[10] = a10;
  s[11] = a11;
  s[12] = a12;
  s[13] = a13;
  s[14] = a14;
  s[15] = a15;
  s[16] = a16;
  s[17] = a17;
  s[18] = a18;
  s[19] = a19;
  s[20] = a20;
  s[21] = a21;
  s[22] = a22;
  s[23] = a23;
  s[24] = a24;
  s[25] = a25;
  s[26] = a26;
  s[27] = a27;
  s[28] = a28;
  s[29] = a29;
  s[30] = a30;
  s[31] = a31;
  s[32] = a32;
  s[33] = a33;
  s[34] = a34;
  s[35] = a35;
  s[36] = a36;
  s[37] = a37;
  s[38] = a38;
  s[39] = a39;
  s[40] = a40;
  s[41] = a41;
  s[42] = a42;
  s[43] = a43;
  s[44] = a44;
  s[45] = a45;
  s[46] = a46;
  s[47] = a47;
  s[48] = a48;
  s[49] = a49;
}

/** the sponge state of the functions below (one at a time: none of them calls out while using it) */
const state = new Int32Array(50);
/** the last, padded block of a message */
const lastBlock = new Uint8Array(RATE);

function le32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

/** writes the first 32 bytes of the state (the digest) to out[off..off+32) */
function squeeze(out: Uint8Array, off: number): void {
  const s = state;
  for (let i = 0; i < 8; i += 2) {
    const e = s[i];
    const d = s[i + 1];
    const lo = zip((e & 0xffff) | (d << 16));
    const hi = zip((e >>> 16) | (d & 0xffff0000));
    const o = off + 4 * i;
    out[o] = lo;
    out[o + 1] = lo >>> 8;
    out[o + 2] = lo >>> 16;
    out[o + 3] = lo >>> 24;
    out[o + 4] = hi;
    out[o + 5] = hi >>> 8;
    out[o + 6] = hi >>> 16;
    out[o + 7] = hi >>> 24;
  }
}

/** xors `lanes` 64-bit lanes of b[off..] into the state */
function absorb(b: Uint8Array, off: number, lanes: number): void {
  const s = state;
  for (let i = 0; i < 2 * lanes; i += 2) {
    const lo = le32(b, off + 4 * i);
    const hi = le32(b, off + 4 * i + 4);
    s[i] ^= evenBits(lo, hi);
    s[i + 1] ^= oddBits(lo, hi);
  }
}

/**
 * keccak256 of input[0..length) into out[outOffset..outOffset+32); returns `out`.
 * Any length; 64-byte inputs take the single-block path of `keccak256Pair`.
 */
export function keccak256Into(
  input: Uint8Array,
  out: Uint8Array,
  outOffset = 0,
  length = input.length,
): Uint8Array {
  if (length === 64) {
    absorbPair(input, 0, input, 32);
    squeeze(out, outOffset);
    return out;
  }
  const s = state;
  s.fill(0);
  let off = 0;
  for (; length - off >= RATE; off += RATE) {
    absorb(input, off, RATE / 8);
    keccakF1600(s);
  }
  // keccak padding: 0x01 after the message, 0x80 in the last byte of the block (may be the same byte)
  const rem = length - off;
  const blk = lastBlock;
  blk.fill(0);
  for (let i = 0; i < rem; i++) blk[i] = input[off + i];
  blk[rem] = 0x01;
  blk[RATE - 1] |= 0x80;
  absorb(blk, 0, RATE / 8);
  keccakF1600(s);
  squeeze(out, outOffset);
  return out;
}

/** The state after absorbing the single padded block a[aOff..aOff+32) || b[bOff..bOff+32). */
function absorbPair(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): void {
  const s = state;
  s.fill(0);
  absorb(a, aOff, 4);
  for (let i = 0; i < 8; i += 2) {
    const lo = le32(b, bOff + 4 * i);
    const hi = le32(b, bOff + 4 * i + 4);
    s[8 + i] = evenBits(lo, hi);
    s[9 + i] = oddBits(lo, hi);
  }
  s[16] = 0x01; // byte 64: bit 0 of lane 8
  s[33] = 1 << 31; // byte 135: bit 63 of lane 16
  keccakF1600(s);
}

/**
 * keccak256(a || b) of two 32-byte words into out[outOffset..outOffset+32); returns `out`.
 * One block: the words go straight into lanes 0..7, the padding into lanes 8 and 16.
 */
export function keccak256Pair(a: Uint8Array, b: Uint8Array, out: Uint8Array, outOffset = 0): Uint8Array {
  absorbPair(a, 0, b, 0);
  squeeze(out, outOffset);
  return out;
}

/** keccak256 of `data` as 0x-hex: for large inputs (batch data), about 2.7× viem's (noble's) keccak256. */
export function keccak256Hex(data: Uint8Array): `0x${string}` {
  const out = keccak256Into(data, new Uint8Array(32));
  return `0x${Buffer.from(out.buffer, out.byteOffset, 32).toString('hex')}`;
}
