// Conversions between integers and floats (docs/softfloat.md §4): rounding ones round to nearest,
// ties to even; `trunc` ones trap (`unreachable`) on NaN and out of range, as wasm's do; `trunc_sat`
// ones saturate (NaN gives 0).
import { EXP64, exp64, roundPack64, shiftRightSticky, SIGN64, sig64, isNaN64 } from './f64';
import { f64_promote_f32, roundPack32, SIGN32 } from './f32';

/** |x| (as u64) with `sign` to binary64 */
function fromMagnitude64(sign: u64, x: u64): u64 {
  if (x == 0) return 0; // integer zero is +0
  const top = 63 - <i32>clz<u64>(x); // the leading 1's position
  const sig = top > 55 ? shiftRightSticky(x, <u32>(top - 55)) : x << <u64>(55 - top);
  return roundPack64(sign, top + 1023, sig);
}

/** |x| (as u64) with `sign` to binary32 (directly: no double rounding) */
function fromMagnitude32(sign: u32, x: u64): u32 {
  if (x == 0) return 0;
  const top = 63 - <i32>clz<u64>(x);
  const sig = top > 26 ? shiftRightSticky(x, <u32>(top - 26)) : x << <u64>(26 - top);
  return roundPack32(sign, top + 127, sig);
}

export function f64_convert_i64_s(x: i64): u64 {
  return x < 0 ? fromMagnitude64(SIGN64, <u64>(-x)) : fromMagnitude64(0, <u64>x);
}
export function f64_convert_i64_u(x: u64): u64 {
  return fromMagnitude64(0, x);
}
export function f64_convert_i32_s(x: i32): u64 {
  return f64_convert_i64_s(<i64>x);
}
export function f64_convert_i32_u(x: u32): u64 {
  return fromMagnitude64(0, <u64>x);
}
export function f32_convert_i64_s(x: i64): u32 {
  return x < 0 ? fromMagnitude32(SIGN32, <u64>(-x)) : fromMagnitude32(0, <u64>x);
}
export function f32_convert_i64_u(x: u64): u32 {
  return fromMagnitude32(0, x);
}
export function f32_convert_i32_s(x: i32): u32 {
  return f32_convert_i64_s(<i64>x);
}
export function f32_convert_i32_u(x: u32): u32 {
  return fromMagnitude32(0, <u64>x);
}

/**
 * The magnitude of `a` truncated toward zero when it is below 2^64, else 2^64 − 1 with `big` set
 * (NaN is the caller's to check). Two results without memory: the flag is bit 0 of the exponent
 * test, done by the callers through {@link truncTooBig}.
 */
@inline function truncTooBig(a: u64): bool {
  return exp64(a) - 1023 >= 64 && (a & EXP64) != 0;
}
function truncMagnitude(a: u64): u64 {
  if ((a & ~SIGN64) == 0) return 0;
  const e = exp64(a) - 1023;
  if (e < 0) return 0;
  const m = sig64(a);
  return e <= 52 ? m >> <u64>(52 - e) : m << <u64>(e - 52);
}

/** the range check of a signed trunc: the magnitude fits `max` (positive) or `max + 1` (negative) */
function signedFits(a: u64, max: u64): bool {
  if (truncTooBig(a)) return false;
  const m = truncMagnitude(a);
  return (a & SIGN64) != 0 ? m <= max + 1 : m <= max;
}

export function i64_trunc_f64_s(a: u64): i64 {
  if (isNaN64(a) || !signedFits(a, 0x7fffffffffffffff)) unreachable();
  const m = truncMagnitude(a);
  return (a & SIGN64) != 0 ? -(<i64>m) : <i64>m;
}
export function i64_trunc_f64_u(a: u64): u64 {
  if (isNaN64(a) || truncTooBig(a)) unreachable();
  const m = truncMagnitude(a);
  if ((a & SIGN64) != 0 && m != 0) unreachable(); // −1 < a ≤ −0 truncates to 0
  return m;
}
export function i32_trunc_f64_s(a: u64): i32 {
  if (isNaN64(a) || !signedFits(a, 0x7fffffff)) unreachable();
  const m = truncMagnitude(a);
  return (a & SIGN64) != 0 ? -(<i32>m) : <i32>m;
}
export function i32_trunc_f64_u(a: u64): u32 {
  if (isNaN64(a) || truncTooBig(a)) unreachable();
  const m = truncMagnitude(a);
  if (m > 0xffffffff || ((a & SIGN64) != 0 && m != 0)) unreachable();
  return <u32>m;
}
export function i64_trunc_f32_s(a: u32): i64 {
  return i64_trunc_f64_s(f64_promote_f32(a));
}
export function i64_trunc_f32_u(a: u32): u64 {
  return i64_trunc_f64_u(f64_promote_f32(a));
}
export function i32_trunc_f32_s(a: u32): i32 {
  return i32_trunc_f64_s(f64_promote_f32(a));
}
export function i32_trunc_f32_u(a: u32): u32 {
  return i32_trunc_f64_u(f64_promote_f32(a));
}

export function i64_trunc_sat_f64_s(a: u64): i64 {
  if (isNaN64(a)) return 0;
  if (!signedFits(a, 0x7fffffffffffffff)) return (a & SIGN64) != 0 ? i64.MIN_VALUE : i64.MAX_VALUE;
  const m = truncMagnitude(a);
  return (a & SIGN64) != 0 ? -(<i64>m) : <i64>m;
}
export function i64_trunc_sat_f64_u(a: u64): u64 {
  if (isNaN64(a) || (a & SIGN64) != 0) return 0;
  if (truncTooBig(a)) return u64.MAX_VALUE;
  return truncMagnitude(a);
}
export function i32_trunc_sat_f64_s(a: u64): i32 {
  if (isNaN64(a)) return 0;
  if (!signedFits(a, 0x7fffffff)) return (a & SIGN64) != 0 ? i32.MIN_VALUE : i32.MAX_VALUE;
  const m = truncMagnitude(a);
  return (a & SIGN64) != 0 ? -(<i32>m) : <i32>m;
}
export function i32_trunc_sat_f64_u(a: u64): u32 {
  if (isNaN64(a) || (a & SIGN64) != 0) return 0;
  if (truncTooBig(a)) return u32.MAX_VALUE;
  const m = truncMagnitude(a);
  return m > 0xffffffff ? u32.MAX_VALUE : <u32>m;
}
export function i64_trunc_sat_f32_s(a: u32): i64 {
  return i64_trunc_sat_f64_s(f64_promote_f32(a));
}
export function i64_trunc_sat_f32_u(a: u32): u64 {
  return i64_trunc_sat_f64_u(f64_promote_f32(a));
}
export function i32_trunc_sat_f32_s(a: u32): i32 {
  return i32_trunc_sat_f64_s(f64_promote_f32(a));
}
export function i32_trunc_sat_f32_u(a: u32): u32 {
  return i32_trunc_sat_f64_u(f64_promote_f32(a));
}
