// IEEE 754 binary64 arithmetic on integer bits (docs/softfloat.md): every value is the u64 bit
// pattern of a double, every operation rounds to nearest, ties to even, and every NaN result is the
// canonical NaN (docs/softfloat.md §2). Integer instructions only: this library is what float
// instructions are lowered to (issue 15), so that each machine step stays an integer step.

export const SIGN64: u64 = 0x8000000000000000;
export const EXP64: u64 = 0x7ff0000000000000;
export const FRAC64: u64 = 0x000fffffffffffff;
export const IMPLICIT64: u64 = 0x0010000000000000;
/** the one NaN every operation returns (positive, quiet, payload 0) */
export const NAN64: u64 = 0x7ff8000000000000;
export const INF64: u64 = 0x7ff0000000000000;

@inline export function isNaN64(a: u64): bool {
  return (a & ~SIGN64) > INF64;
}

/** `x >> n` with the bits shifted out OR-ed into bit 0 (the sticky bit) */
@inline export function shiftRightSticky(x: u64, n: u32): u64 {
  if (n == 0) return x;
  if (n >= 64) return x != 0 ? 1 : 0;
  return (x >> <u64>n) | ((x << <u64>(64 - n)) != 0 ? 1 : 0);
}

/**
 * Rounds and packs: `sig` holds the significand with its leading 1 at bit 55 and three extra bits
 * below the 52 fraction bits (guard, round, and a sticky bit 0 that every shift-out has OR-ed into);
 * `exp` is the biased exponent. Overflow gives ±∞, an exponent ≤ 0 a subnormal or ±0.
 */
export function roundPack64(sign: u64, exp: i32, sig: u64): u64 {
  if (exp >= 0x7ff) return sign | INF64;
  let r: u64;
  if (exp <= 0) {
    sig = shiftRightSticky(sig, <u32>(1 - exp));
    r = sign | (sig >> 3);
  } else {
    // the implicit bit, added to (exp − 1) << 52, makes the exponent field exp
    r = sign | ((<u64>(exp - 1) << 52) + (sig >> 3));
  }
  const rest = sig & 7;
  // a carry out of the fraction is right: a subnormal becomes the smallest normal, the largest
  // significand the next binade, the largest finite value ∞
  if (rest > 4 || (rest == 4 && (r & 1) != 0)) r += 1;
  return r;
}

@inline function unpackExp(a: u64): i32 {
  return <i32>((a >> 52) & 0x7ff);
}

// A finite nonzero value as significand and exponent, a subnormal normalized: the leading 1 at
// bit 52 and the exponent lowered to match. Two functions, so that nothing lives in memory (the
// library is added to modules that may have none) and no globals are needed.

/** the significand, its leading 1 at bit 52 */
@inline export function sig64(a: u64): u64 {
  const m = a & FRAC64;
  if ((a & EXP64) != 0) return m | IMPLICIT64;
  return m << (clz<u64>(m) - 11);
}

/** the biased exponent that goes with {@link sig64} (below 1 for a subnormal) */
@inline export function exp64(a: u64): i32 {
  const e = unpackExp(a);
  if (e != 0) return e;
  return 12 - <i32>clz<u64>(a & FRAC64);
}

export function f64_add(a: u64, b: u64): u64 {
  const aAbs = a & ~SIGN64;
  const bAbs = b & ~SIGN64;
  if (aAbs > INF64 || bAbs > INF64) return NAN64;
  if (aAbs == INF64) return bAbs == INF64 && (a ^ b) == SIGN64 ? NAN64 : a;
  if (bAbs == INF64) return b;
  if (aAbs == 0) return bAbs == 0 ? a & b : b; // -0 + -0 = -0, +0 + -0 = +0
  if (bAbs == 0) return a;
  // |a| >= |b|
  if (bAbs > aAbs) {
    const t = a;
    a = b;
    b = t;
  }
  const sign = a & SIGN64;
  let exp = exp64(a);
  let sa = sig64(a) << 3;
  const sb = shiftRightSticky(sig64(b) << 3, <u32>(exp - exp64(b)));
  if ((a ^ b) & SIGN64) {
    sa -= sb;
    if (sa == 0) return 0; // exact cancellation: +0 when rounding to nearest
    // normalize: leading 1 back to bit 55
    const shift = <i32>clz<u64>(sa) - 8;
    if (shift > 0) {
      sa <<= <u64>shift;
      exp -= shift;
    }
  } else {
    sa += sb;
    if (sa & (IMPLICIT64 << 4)) {
      sa = shiftRightSticky(sa, 1);
      exp += 1;
    }
  }
  return roundPack64(sign, exp, sa);
}

export function f64_sub(a: u64, b: u64): u64 {
  // a NaN b stays a NaN whatever its sign; flipping it first is harmless
  return f64_add(a, b ^ SIGN64);
}

/** the high 64 bits of a 128-bit product, with the low 64 bits' nonzero-ness in bit 0 */
function mulHighSticky(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff;
  const a1 = a >> 32;
  const b0 = b & 0xffffffff;
  const b1 = b >> 32;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  const lo = (mid << 32) | (p00 & 0xffffffff);
  const hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return hi | (lo != 0 ? 1 : 0);
}

export function f64_mul(a: u64, b: u64): u64 {
  const aAbs = a & ~SIGN64;
  const bAbs = b & ~SIGN64;
  const sign = (a ^ b) & SIGN64;
  if (aAbs > INF64 || bAbs > INF64) return NAN64;
  if (aAbs == INF64) return bAbs == 0 ? NAN64 : sign | INF64;
  if (bAbs == INF64) return aAbs == 0 ? NAN64 : sign | INF64;
  if (aAbs == 0 || bAbs == 0) return sign;
  // (2^52 ≤ sig < 2^53) twice: the product P is in [2^104, 2^106). Shifted by 11 + 4 bits, its
  // high 64 bits are P >> 49: the leading 1 at bit 55 or 56, the rest sticky in bit 0
  let sig = mulHighSticky(sig64(a) << 11, sig64(b) << 4);
  let exp = exp64(a) + exp64(b) - 1023;
  if (sig & (IMPLICIT64 << 4)) {
    sig = shiftRightSticky(sig, 1);
    exp += 1;
  }
  return roundPack64(sign, exp, sig);
}

export function f64_div(a: u64, b: u64): u64 {
  const aAbs = a & ~SIGN64;
  const bAbs = b & ~SIGN64;
  const sign = (a ^ b) & SIGN64;
  if (aAbs > INF64 || bAbs > INF64) return NAN64;
  if (aAbs == INF64) return bAbs == INF64 ? NAN64 : sign | INF64;
  if (bAbs == INF64) return sign;
  if (bAbs == 0) return aAbs == 0 ? NAN64 : sign | INF64;
  if (aAbs == 0) return sign;
  let exp = exp64(a) - exp64(b) + 1023;
  let rem = sig64(a);
  const d = sig64(b);
  if (rem < d) {
    rem <<= 1;
    exp -= 1;
  }
  // restoring division: 56 quotient bits (leading 1 at bit 55), then the remainder as sticky
  let q: u64 = 0;
  for (let i = 0; i < 56; i++) {
    q <<= 1;
    if (rem >= d) {
      rem -= d;
      q |= 1;
    }
    rem <<= 1;
  }
  return roundPack64(sign, exp, q | (rem != 0 ? 1 : 0));
}

export function f64_sqrt(a: u64): u64 {
  if (isNaN64(a)) return NAN64;
  if (a == SIGN64 || a == 0) return a; // sqrt(±0) = ±0
  if (a & SIGN64) return NAN64;
  if (a == INF64) return a;
  // value = sig · 2^(exp − 1023 − 52); make the exponent even, then the root has exp/2
  let e = exp64(a) - 1023;
  let m = sig64(a);
  if (e & 1) {
    m <<= 1;
    e -= 1;
  }
  // q = floor(sqrt(m · 2^58)): 56 bits; digit by digit, two radicand bits a step
  let rem: u64 = 0;
  let q: u64 = 0;
  for (let i = 55; i >= 0; i--) {
    const pos = 2 * i - 58;
    const pair: u64 = pos >= 0 ? (m >> <u64>pos) & 3 : 0;
    rem = (rem << 2) | pair;
    const t = (q << 2) | 1;
    if (rem >= t) {
      rem -= t;
      q = (q << 1) | 1;
    } else {
      q <<= 1;
    }
  }
  // sqrt(m·2^58) = sqrt(sig·2^58): the root's bit 55 stands for 2^(e/2), since m ~ 2^52..2^54
  return roundPack64(0, (e >> 1) + 1023, q | (rem != 0 ? 1 : 0));
}

export function f64_eq(a: u64, b: u64): i32 {
  if (isNaN64(a) || isNaN64(b)) return 0;
  return a == b || ((a | b) & ~SIGN64) == 0 ? 1 : 0;
}

export function f64_ne(a: u64, b: u64): i32 {
  return f64_eq(a, b) ^ 1;
}

/** a < b as IEEE orders them (false with a NaN) */
export function f64_lt(a: u64, b: u64): i32 {
  if (isNaN64(a) || isNaN64(b)) return 0;
  if (((a | b) & ~SIGN64) == 0) return 0; // ±0 < ±0
  const sa = a & SIGN64;
  const sb = b & SIGN64;
  if (sa != sb) return sa != 0 ? 1 : 0;
  return (sa == 0 ? a < b : a > b) ? 1 : 0;
}

export function f64_gt(a: u64, b: u64): i32 {
  return f64_lt(b, a);
}

export function f64_le(a: u64, b: u64): i32 {
  if (isNaN64(a) || isNaN64(b)) return 0;
  return f64_lt(b, a) ^ 1;
}

export function f64_ge(a: u64, b: u64): i32 {
  return f64_le(b, a);
}

export function f64_min(a: u64, b: u64): u64 {
  if (isNaN64(a) || isNaN64(b)) return NAN64;
  if (((a | b) & ~SIGN64) == 0) return a | b; // -0 if either is -0
  return f64_lt(a, b) ? a : b;
}

export function f64_max(a: u64, b: u64): u64 {
  if (isNaN64(a) || isNaN64(b)) return NAN64;
  if (((a | b) & ~SIGN64) == 0) return a & b; // +0 if either is +0
  return f64_lt(a, b) ? b : a;
}

/**
 * Rounds to an integral value: mode 0 trunc, 1 floor, 2 ceil, 3 nearest (ties to even).
 * Exact: the result is representable, so no rounding of the result itself happens.
 */
export function f64_round(a: u64, mode: i32): u64 {
  if (isNaN64(a)) return NAN64;
  const e = unpackExp(a) - 1023;
  if (e >= 52) return a; // integral already (or ∞)
  const sign = a & SIGN64;
  const one: u64 = 0x3ff0000000000000;
  if (e < 0) {
    // |a| < 1
    if ((a & ~SIGN64) == 0) return a;
    if (mode == 1) return sign ? sign | one : 0;
    if (mode == 2) return sign ? sign : one;
    if (mode == 3) return e == -1 && (a & FRAC64) != 0 ? sign | one : sign; // 0.5 rounds to 0
    return sign;
  }
  const fracBits: u64 = FRAC64 >> <u64>e;
  if ((a & fracBits) == 0) return a;
  let t = a & ~fracBits; // truncated toward zero
  const up = sign ? mode == 1 : mode == 2;
  if (mode == 3) {
    const half: u64 = (fracBits + 1) >> 1;
    const frac = a & fracBits;
    const lsb: u64 = (fracBits + 1) & t ? 1 : 0;
    if (frac > half || (frac == half && lsb)) t += fracBits + 1;
    return t;
  }
  if (up) t += fracBits + 1; // a carry into the exponent is right (e.g. 1.5 → 2)
  return t;
}

/** f64.copysign: `a`'s magnitude with `b`'s sign (a bit operation: NaN payloads kept) */
export function f64_copysign(a: u64, b: u64): u64 {
  return (a & ~SIGN64) | (b & SIGN64);
}
