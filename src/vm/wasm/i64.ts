/**
 * 64-bit integer arithmetic on (lo, hi) pairs of int32s, without allocation.
 * Results: the function returns the low word; the high word is left in `hi64.v`.
 */
export const hi64 = { v: 0 };

export function mul64(alo: number, ahi: number, blo: number, bhi: number): number {
  const a0 = alo & 0xffff;
  const a1 = alo >>> 16;
  const b0 = blo & 0xffff;
  const b1 = blo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = (mid << 16) | (p00 & 0xffff);
  const hi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  hi64.v = (hi + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  return lo | 0;
}

export function shl64(lo: number, hi: number, k: number): number {
  k &= 63;
  if (k === 0) {
    hi64.v = hi;
    return lo;
  }
  if (k < 32) {
    hi64.v = (hi << k) | (lo >>> (32 - k));
    return lo << k;
  }
  hi64.v = lo << (k - 32);
  return 0;
}

export function shrU64(lo: number, hi: number, k: number): number {
  k &= 63;
  if (k === 0) {
    hi64.v = hi;
    return lo;
  }
  if (k < 32) {
    hi64.v = hi >>> k;
    return (lo >>> k) | (hi << (32 - k));
  }
  hi64.v = 0;
  return hi >>> (k - 32);
}

export function shrS64(lo: number, hi: number, k: number): number {
  k &= 63;
  if (k === 0) {
    hi64.v = hi;
    return lo;
  }
  if (k < 32) {
    hi64.v = hi >> k;
    return (lo >>> k) | (hi << (32 - k));
  }
  hi64.v = hi >> 31;
  return hi >> (k - 32);
}

export function rotl64(lo: number, hi: number, k: number): number {
  k &= 63;
  const l1 = shl64(lo, hi, k);
  const h1 = hi64.v;
  const l2 = shrU64(lo, hi, 64 - k);
  hi64.v = h1 | hi64.v;
  return l1 | l2;
}

export function rotr64(lo: number, hi: number, k: number): number {
  return rotl64(lo, hi, 64 - (k & 63));
}

export function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}

export function toU64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function fromU64(v: bigint): number {
  hi64.v = Number((v >> 32n) & 0xffffffffn) | 0;
  return Number(v & 0xffffffffn) | 0;
}

/** signed/unsigned division and remainder; the caller has already excluded traps */
export function divrem64(
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  signed: boolean,
  rem: boolean,
): number {
  let a = toU64(alo, ahi);
  let b = toU64(blo, bhi);
  if (signed) {
    a = BigInt.asIntN(64, a);
    b = BigInt.asIntN(64, b);
  }
  const r = rem ? a % b : a / b;
  return fromU64(BigInt.asUintN(64, r));
}
