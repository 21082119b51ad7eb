// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996), for the EVM precompile 0x03 (docs/evm.md
// "Precompiles").
import { alloc32 } from "../../../sdk/bytes";

// message word order (left, right) and rotations (left, right), 80 steps each
const RL = memory.data<u8>([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
  3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12, 1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
  4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
]);
const RR = memory.data<u8>([
  5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
  15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13, 8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
  12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
]);
const SL = memory.data<u8>([
  11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
  11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5, 11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
  9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
]);
const SR = memory.data<u8>([
  8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
  9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5, 15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
  8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
]);
const KL = memory.data<u32>([0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e]);
const KR = memory.data<u32>([0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000]);

/** the state (5 words) */
const H: usize = memory.data(20, 8);

/** the nonlinear function of round group g (0..4) */
@inline function f(g: u32, x: u32, y: u32, z: u32): u32 {
  if (g == 0) return x ^ y ^ z;
  if (g == 1) return (x & y) | (~x & z);
  if (g == 2) return (x | ~y) ^ z;
  if (g == 3) return (x & z) | (y & ~z);
  return x ^ (y | ~z);
}

/** one 64-byte block of little-endian words at x */
function block(x: usize): void {
  let al = load<u32>(H);
  let bl = load<u32>(H, 4);
  let cl = load<u32>(H, 8);
  let dl = load<u32>(H, 12);
  let el = load<u32>(H, 16);
  let ar = al;
  let br = bl;
  let cr = cl;
  let dr = dl;
  let er = el;
  for (let j: u32 = 0; j < 80; j++) {
    const g = j >> 4;
    let t =
      rotl<u32>(
        al + f(g, bl, cl, dl) + load<u32>(x + (<usize>load<u8>(RL + j) << 2)) + load<u32>(KL + (<usize>g << 2)),
        <u32>load<u8>(SL + j),
      ) + el;
    al = el;
    el = dl;
    dl = rotl<u32>(cl, 10);
    cl = bl;
    bl = t;
    t =
      rotl<u32>(
        ar + f(4 - g, br, cr, dr) + load<u32>(x + (<usize>load<u8>(RR + j) << 2)) + load<u32>(KR + (<usize>g << 2)),
        <u32>load<u8>(SR + j),
      ) + er;
    ar = er;
    er = dr;
    dr = rotl<u32>(cr, 10);
    cr = br;
    br = t;
  }
  const t = load<u32>(H, 4) + cl + dr;
  store<u32>(H, load<u32>(H, 8) + dl + er, 4);
  store<u32>(H, load<u32>(H, 12) + el + ar, 8);
  store<u32>(H, load<u32>(H, 16) + al + br, 12);
  store<u32>(H, load<u32>(H) + bl + cr, 16);
  store<u32>(H, t);
}

/** out (20 bytes) = RIPEMD-160 of the `len` bytes at p */
export function ripemd160(p: usize, len: i32, out: usize): void {
  store<u32>(H, 0x67452301);
  store<u32>(H, 0xefcdab89, 4);
  store<u32>(H, 0x98badcfe, 8);
  store<u32>(H, 0x10325476, 12);
  store<u32>(H, 0xc3d2e1f0, 16);
  let off: i32 = 0;
  for (; off + 64 <= len; off += 64) block(p + <usize>off);
  // the last bytes, 0x80, zeros and the bit length (little-endian u64): one or two blocks
  const rest = len - off;
  const tail = alloc32(128);
  for (let i: usize = 0; i < 128; i += 8) store<u64>(tail + i, 0);
  for (let i: i32 = 0; i < rest; i++) store<u8>(tail + <usize>i, load<u8>(p + <usize>(off + i)));
  store<u8>(tail + <usize>rest, 0x80);
  const blocks: i32 = rest + 9 <= 64 ? 1 : 2;
  store<u64>(tail + <usize>(blocks * 64 - 8), <u64>len << 3);
  block(tail);
  if (blocks == 2) block(tail + 64);
  for (let i: usize = 0; i < 20; i += 4) store<u32>(out + i, load<u32>(H + i));
}
