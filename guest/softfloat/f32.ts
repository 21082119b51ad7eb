// IEEE 754 binary32 on integer bits (docs/softfloat.md §3). Arithmetic goes through binary64:
// promoting is exact, and one binary64 operation (+, −, ×, ÷, √) followed by one rounding to
// binary32 gives the correctly rounded binary32 result, because 53 ≥ 2 · 24 + 2 (double rounding is
// innocuous at that precision). Conversions from 64-bit integers round directly (they are not
// innocuous through binary64).
import {
  f64_add,
  f64_div,
  f64_eq,
  f64_le,
  f64_lt,
  f64_max,
  f64_min,
  f64_mul,
  f64_round,
  f64_sqrt,
  f64_sub,
  exp64,
  isNaN64,
  NAN64,
  shiftRightSticky,
  SIGN64,
  sig64,
} from './f64';

export const SIGN32: u32 = 0x80000000;
export const INF32: u32 = 0x7f800000;
export const NAN32: u32 = 0x7fc00000;

@inline export function isNaN32(a: u32): bool {
  return (a & ~SIGN32) > INF32;
}

/** like roundPack64, for binary32: `sig` has its leading 1 at bit 26, three extra bits below */
export function roundPack32(sign: u32, exp: i32, sig: u64): u32 {
  if (exp >= 0xff) return sign | INF32;
  let r: u32;
  if (exp <= 0) {
    sig = shiftRightSticky(sig, <u32>(1 - exp));
    r = sign | <u32>(sig >> 3);
  } else {
    r = sign | ((<u32>(exp - 1) << 23) + <u32>(sig >> 3));
  }
  const rest = <u32>(sig & 7);
  if (rest > 4 || (rest == 4 && (r & 1) != 0)) r += 1;
  return r;
}

/** f64.promote_f32: exact; a NaN becomes the canonical NaN */
export function f64_promote_f32(a: u32): u64 {
  const sign = <u64>(a & SIGN32) << 32;
  const abs = a & ~SIGN32;
  if (abs > INF32) return NAN64;
  if (abs == INF32) return sign | 0x7ff0000000000000;
  if (abs == 0) return sign;
  let e = <i32>(abs >> 23);
  let m = abs & 0x7fffff;
  if (e == 0) {
    // subnormal: normalize (leading 1 to bit 23)
    const shift = <i32>clz<u32>(m) - 8;
    m <<= <u32>shift;
    e = 1 - shift;
  }
  return sign | (<u64>(e - 127 + 1023) << 52) | (<u64>(m & 0x7fffff) << 29);
}

/** f32.demote_f64: rounds to nearest, ties to even */
export function f32_demote_f64(a: u64): u32 {
  const sign = <u32>((a & SIGN64) >> 32);
  if (isNaN64(a)) return NAN32;
  const abs = a & ~SIGN64;
  if (abs == 0x7ff0000000000000) return sign | INF32;
  if (abs == 0) return sign;
  // the significand's leading 1 from bit 52 to bit 26, the rest sticky
  return roundPack32(sign, exp64(a) - 1023 + 127, shiftRightSticky(sig64(a), 26));
}

@inline function op2(r: u64): u32 {
  return f32_demote_f64(r);
}

export function f32_add(a: u32, b: u32): u32 {
  return op2(f64_add(f64_promote_f32(a), f64_promote_f32(b)));
}
export function f32_sub(a: u32, b: u32): u32 {
  return op2(f64_sub(f64_promote_f32(a), f64_promote_f32(b)));
}
export function f32_mul(a: u32, b: u32): u32 {
  return op2(f64_mul(f64_promote_f32(a), f64_promote_f32(b)));
}
export function f32_div(a: u32, b: u32): u32 {
  return op2(f64_div(f64_promote_f32(a), f64_promote_f32(b)));
}
export function f32_sqrt(a: u32): u32 {
  return op2(f64_sqrt(f64_promote_f32(a)));
}
export function f32_min(a: u32, b: u32): u32 {
  return op2(f64_min(f64_promote_f32(a), f64_promote_f32(b)));
}
export function f32_max(a: u32, b: u32): u32 {
  return op2(f64_max(f64_promote_f32(a), f64_promote_f32(b)));
}
/** trunc, floor, ceil, nearest (mode 0–3, as f64_round): exact through binary64 */
export function f32_round(a: u32, mode: i32): u32 {
  return op2(f64_round(f64_promote_f32(a), mode));
}
export function f32_eq(a: u32, b: u32): i32 {
  return f64_eq(f64_promote_f32(a), f64_promote_f32(b));
}
export function f32_ne(a: u32, b: u32): i32 {
  return f32_eq(a, b) ^ 1;
}
export function f32_lt(a: u32, b: u32): i32 {
  return f64_lt(f64_promote_f32(a), f64_promote_f32(b));
}
export function f32_gt(a: u32, b: u32): i32 {
  return f32_lt(b, a);
}
export function f32_le(a: u32, b: u32): i32 {
  return f64_le(f64_promote_f32(a), f64_promote_f32(b));
}
export function f32_ge(a: u32, b: u32): i32 {
  return f32_le(b, a);
}

/** f32.copysign: `a`'s magnitude with `b`'s sign (a bit operation: NaN payloads kept) */
export function f32_copysign(a: u32, b: u32): u32 {
  return (a & ~SIGN32) | (b & SIGN32);
}
