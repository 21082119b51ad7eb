// BN254's scalar field Fr (p = 21888…5617, docs/validity.md §2.4): an element is 40 bytes of memory
// (FR_SIZE), 9 little-endian limbs of 29 bits (u32 each) and a zero pad, in Montgomery form
// (x·2^261 mod p), always reduced (< p). The product is generated (field-mul.ts, scripts/gen-zk.mjs).
// Every function takes pointers; outputs may alias inputs.
import { alloc32 } from "../bytes";
import { frAddGen, frMontMul, frSubGen, ONE_LIMBS, P_LIMBS, R2_LIMBS } from "./field-mul";

export const FR_SIZE: i32 = 40;
const N: i32 = 9;
const M29: u32 = 0x1fffffff;

/** a new element (scratch memory, released with the arena), zero */
export function frNew(): usize {
  const p = alloc32(FR_SIZE);
  frZero(p);
  return p;
}

// (memory.copy and memory.fill cost the machine about 7 steps a byte: five u64 moves instead)
export function frCopy(r: usize, a: usize): void {
  store<u64>(r, load<u64>(a), 0);
  store<u64>(r, load<u64>(a, 8), 8);
  store<u64>(r, load<u64>(a, 16), 16);
  store<u64>(r, load<u64>(a, 24), 24);
  store<u64>(r, load<u64>(a, 32), 32);
}

export function frZero(r: usize): void {
  store<u64>(r, 0, 0);
  store<u64>(r, 0, 8);
  store<u64>(r, 0, 16);
  store<u64>(r, 0, 24);
  store<u64>(r, 0, 32);
}

export function frOne(r: usize): void {
  frCopy(r, ONE_LIMBS);
}

export function frIsZero(a: usize): bool {
  for (let i = 0; i < N; i++) if (load<u32>(a + <usize>(4 * i)) != 0) return false;
  return true;
}

export function frEq(a: usize, b: usize): bool {
  return (
    load<u64>(a) == load<u64>(b) &&
    load<u64>(a, 8) == load<u64>(b, 8) &&
    load<u64>(a, 16) == load<u64>(b, 16) &&
    load<u64>(a, 24) == load<u64>(b, 24) &&
    load<u32>(a, 32) == load<u32>(b, 32)
  );
}

export function frMul(r: usize, a: usize, b: usize): void {
  frMontMul(r, a, b);
}

export function frSqr(r: usize, a: usize): void {
  frMontMul(r, a, a);
}

/** r = a + b mod p */
export function frAdd(r: usize, a: usize, b: usize): void {
  frAddGen(r, a, b);
}

/** r = a - b mod p */
export function frSub(r: usize, a: usize, b: usize): void {
  frSubGen(r, a, b);
}

/** r = -a mod p */
export function frNeg(r: usize, a: usize): void {
  if (frIsZero(a)) {
    frZero(r);
    return;
  }
  let d: i32 = 0;
  for (let i = 0; i < N; i++) {
    const off = <usize>(4 * i);
    d = <i32>load<u32>(P_LIMBS + off) - <i32>load<u32>(a + off) + d;
    store<u32>(r + off, <u32>d & M29);
    d >>= 29;
  }
}

/** limbs of a 32-byte big-endian integer (any 256-bit value; the top limb may hold 24 bits) */
function limbsFromBE(r: usize, be: usize): void {
  let acc: u64 = 0;
  let bits: i32 = 0;
  let k = 0;
  for (let i = 31; i >= 0; i--) {
    acc |= (<u64>load<u8>(be + <usize>i)) << (<u64>bits);
    bits += 8;
    if (bits >= 29 && k < N - 1) {
      store<u32>(r + <usize>(4 * k), <u32>(acc & 0x1fffffff));
      acc >>= 29;
      bits -= 29;
      k++;
    }
  }
  store<u32>(r + <usize>(4 * k), <u32>acc);
  store<u32>(r, 0, 36);
}

/** whether the limbs (canonical, non-Montgomery) are < p */
function limbsLtP(a: usize): bool {
  for (let i = N - 1; i >= 0; i--) {
    const x = load<u32>(a + <usize>(4 * i));
    const y = load<u32>(P_LIMBS + <usize>(4 * i));
    if (x != y) return x < y;
  }
  return false;
}

/** r = the 32-byte big-endian integer at `be` in Montgomery form; false (r undefined) if it is >= p */
export function frFromBE(r: usize, be: usize): bool {
  limbsFromBE(r, be);
  if (!limbsLtP(r)) return false;
  frMontMul(r, r, R2_LIMBS);
  return true;
}

/** r = v (a u64) in Montgomery form */
export function frFromU64(r: usize, v: u64): void {
  frZero(r);
  store<u32>(r, <u32>(v & 0x1fffffff), 0);
  store<u32>(r, <u32>((v >> 29) & 0x1fffffff), 4);
  store<u32>(r, <u32>(v >> 58), 8);
  frMontMul(r, r, R2_LIMBS);
}

/** the canonical value of a (not Montgomery) as 32 bytes big-endian at `be` */
export function frToBE(be: usize, a: usize): void {
  const t = alloc32(2 * FR_SIZE);
  const one = t + <usize>FR_SIZE;
  memory.fill(one, 0, FR_SIZE);
  store<u32>(one, 1);
  frMontMul(t, a, one);
  memory.fill(be, 0, 32);
  // write 29-bit limbs into the big-endian byte string, bit by bit position
  let acc: u64 = 0;
  let bits: i32 = 0;
  let byte = 31;
  for (let k = 0; k < N; k++) {
    acc |= (<u64>load<u32>(t + <usize>(4 * k))) << (<u64>bits);
    bits += 29;
    while (bits >= 8 && byte >= 0) {
      store<u8>(be + <usize>byte, <u8>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
      byte--;
    }
  }
  while (byte >= 0 && bits > 0) {
    store<u8>(be + <usize>byte, <u8>(acc & 0xff));
    acc >>= 8;
    bits -= 8;
    byte--;
  }
}

/** r = a^(p-2) = 1/a (0 for 0) */
export function frInv(r: usize, a: usize): void {
  // p - 2, big-endian
  const e = memory.data<u8>([
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d, 0x28, 0x33,
    0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xef, 0xff, 0xff, 0xff,
  ]);
  const acc = alloc32(FR_SIZE);
  const base = alloc32(FR_SIZE);
  frCopy(base, a);
  frOne(acc);
  for (let i = 0; i < 32; i++) {
    const byte = load<u8>(e + <usize>i);
    for (let b = 7; b >= 0; b--) {
      frMontMul(acc, acc, acc);
      if ((byte >> (<u8>b)) & 1) frMontMul(acc, acc, base);
    }
  }
  frCopy(r, acc);
}
