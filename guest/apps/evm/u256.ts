// u256: the EVM's 256-bit words (docs/evm.md "u256"). A value is 32 bytes at an 8-aligned address:
// four u64 limbs in little-endian limb order (limb 0, the least significant, at offset 0), so the
// whole word is a little-endian 256-bit integer in memory (u32 word i at offset 4 i).
// Every operation writes its result to `r`, which may alias any operand: operands are read into
// locals (or scratch) before `r` is written. Division is Knuth's algorithm D on u32 digits
// (`divmodWords`, also used by the modexp precompile's bignums).

// ---------------------------------------------------------------------------------------------
// Scratch (static; no function here is re-entered)

/** numerator of a division, normalized: up to 17 u32 words (a 512-bit MULMOD product + 1) */
const UN: usize = memory.data(4 * 18, 8);
/** divisor, normalized: up to 8 u32 words */
const VN: usize = memory.data(4 * 8, 8);
/** quotient: up to 17 u32 words */
const QW: usize = memory.data(4 * 18, 8);
/** remainder: up to 8 u32 words (32 bytes) */
const RW: usize = memory.data(32, 8);
/** a product or sum to reduce: up to 16 u32 words */
const TW: usize = memory.data(4 * 16, 8);
/** absolute values of signed operands; EXP base and exponent */
const SA: usize = memory.data(32, 8);
const SB: usize = memory.data(32, 8);

// ---------------------------------------------------------------------------------------------
// 64×64 → 128 multiply-accumulate

/** the high 64 bits of the last {@link mac} */
let macHi: u64 = 0;

/** the low 64 bits of x·y + c + d (which fits in 128 bits); the high 64 bits go to `macHi` */
@inline function mac(x: u64, y: u64, c: u64, d: u64): u64 {
  const x0 = x & 0xffffffff;
  const x1 = x >> 32;
  const y0 = y & 0xffffffff;
  const y1 = y >> 32;
  const p00 = x0 * y0;
  const p01 = x0 * y1;
  const p10 = x1 * y0;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  let lo = (mid << 32) | (p00 & 0xffffffff);
  let hi = x1 * y1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  lo += c;
  hi += <u64>(lo < c);
  lo += d;
  hi += <u64>(lo < d);
  macHi = hi;
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Setting, copying, conversions

@inline function set4(r: usize, r0: u64, r1: u64, r2: u64, r3: u64): void {
  store<u64>(r, r0);
  store<u64>(r, r1, 8);
  store<u64>(r, r2, 16);
  store<u64>(r, r3, 24);
}

export function u256SetU64(r: usize, v: u64): void {
  set4(r, v, 0, 0, 0);
}

export function u256Copy(r: usize, a: usize): void {
  set4(r, load<u64>(a), load<u64>(a, 8), load<u64>(a, 16), load<u64>(a, 24));
}

export function u256FitsU64(a: usize): bool {
  return (load<u64>(a, 8) | load<u64>(a, 16) | load<u64>(a, 24)) == 0;
}

export function u256Low64(a: usize): u64 {
  return load<u64>(a);
}

/** the number of bytes of a (0 for zero): the byte length of an EXP exponent */
export function u256ByteLen(a: usize): i32 {
  for (let k: i32 = 3; k >= 0; k--) {
    const l = load<u64>(a + (<usize>k << 3));
    if (l != 0) return (k << 3) + ((64 - <i32>clz<u64>(l) + 7) >> 3);
  }
  return 0;
}

/** one limb (bytes [end-8, end) of a big-endian run of `len` bytes at p; bytes before p are zero) */
@inline function beLimb(p: usize, len: i32, end: i32): u64 {
  if (end <= 0) return 0;
  if (end >= 8) return bswap<u64>(load<u64>(p + <usize>(end - 8)));
  let v: u64 = 0;
  for (let i: i32 = 0; i < end; i++) v = (v << 8) | <u64>load<u8>(p + <usize>i);
  return v;
}

/** r = the big-endian integer of the `len` (≤ 32) bytes at ptr (PUSH, CALLDATALOAD) */
export function u256FromBE(r: usize, ptr: usize, len: i32): void {
  if (len == 32) {
    set4(
      r,
      bswap<u64>(load<u64>(ptr, 24)),
      bswap<u64>(load<u64>(ptr, 16)),
      bswap<u64>(load<u64>(ptr, 8)),
      bswap<u64>(load<u64>(ptr)),
    );
    return;
  }
  set4(r, beLimb(ptr, len, len), beLimb(ptr, len, len - 8), beLimb(ptr, len, len - 16), beLimb(ptr, len, len - 24));
}

/** 32 bytes big-endian of a at out */
export function u256ToBE(out: usize, a: usize): void {
  const a0 = load<u64>(a);
  const a1 = load<u64>(a, 8);
  const a2 = load<u64>(a, 16);
  const a3 = load<u64>(a, 24);
  store<u64>(out, bswap<u64>(a3));
  store<u64>(out, bswap<u64>(a2), 8);
  store<u64>(out, bswap<u64>(a1), 16);
  store<u64>(out, bswap<u64>(a0), 24);
}

// ---------------------------------------------------------------------------------------------
// Predicates

export function u256IsZero(a: usize): bool {
  return (load<u64>(a) | load<u64>(a, 8) | load<u64>(a, 16) | load<u64>(a, 24)) == 0;
}

export function u256Eq(a: usize, b: usize): bool {
  return (
    load<u64>(a) == load<u64>(b) &&
    load<u64>(a, 8) == load<u64>(b, 8) &&
    load<u64>(a, 16) == load<u64>(b, 16) &&
    load<u64>(a, 24) == load<u64>(b, 24)
  );
}

/** unsigned comparison: -1, 0 or 1 */
export function u256Cmp(a: usize, b: usize): i32 {
  let x = load<u64>(a, 24);
  let y = load<u64>(b, 24);
  if (x != y) return x < y ? -1 : 1;
  x = load<u64>(a, 16);
  y = load<u64>(b, 16);
  if (x != y) return x < y ? -1 : 1;
  x = load<u64>(a, 8);
  y = load<u64>(b, 8);
  if (x != y) return x < y ? -1 : 1;
  x = load<u64>(a);
  y = load<u64>(b);
  if (x != y) return x < y ? -1 : 1;
  return 0;
}

export function u256Lt(a: usize, b: usize): bool {
  return u256Cmp(a, b) < 0;
}

export function u256Gt(a: usize, b: usize): bool {
  return u256Cmp(a, b) > 0;
}

/** signed (two's complement) a < b */
export function u256Slt(a: usize, b: usize): bool {
  const sa = load<u64>(a, 24) >> 63;
  const sb = load<u64>(b, 24) >> 63;
  if (sa != sb) return sa > sb;
  return u256Cmp(a, b) < 0;
}

export function u256Sgt(a: usize, b: usize): bool {
  return u256Slt(b, a);
}

// ---------------------------------------------------------------------------------------------
// Bitwise

export function u256And(r: usize, a: usize, b: usize): void {
  set4(
    r,
    load<u64>(a) & load<u64>(b),
    load<u64>(a, 8) & load<u64>(b, 8),
    load<u64>(a, 16) & load<u64>(b, 16),
    load<u64>(a, 24) & load<u64>(b, 24),
  );
}

export function u256Or(r: usize, a: usize, b: usize): void {
  set4(
    r,
    load<u64>(a) | load<u64>(b),
    load<u64>(a, 8) | load<u64>(b, 8),
    load<u64>(a, 16) | load<u64>(b, 16),
    load<u64>(a, 24) | load<u64>(b, 24),
  );
}

export function u256Xor(r: usize, a: usize, b: usize): void {
  set4(
    r,
    load<u64>(a) ^ load<u64>(b),
    load<u64>(a, 8) ^ load<u64>(b, 8),
    load<u64>(a, 16) ^ load<u64>(b, 16),
    load<u64>(a, 24) ^ load<u64>(b, 24),
  );
}

export function u256Not(r: usize, a: usize): void {
  set4(r, ~load<u64>(a), ~load<u64>(a, 8), ~load<u64>(a, 16), ~load<u64>(a, 24));
}

/** BYTE: r = byte i (0 = most significant) of x, or 0 when i ≥ 32 */
export function u256Byte(r: usize, i: usize, x: usize): void {
  let v: u64 = 0;
  if (u256FitsU64(i)) {
    const k = load<u64>(i);
    if (k < 32) v = <u64>load<u8>(x + <usize>(31 - k));
  }
  set4(r, v, 0, 0, 0);
}

/** SHL: r = x << shift (0 when shift ≥ 256) */
export function u256Shl(r: usize, shift: usize, x: usize): void {
  if (!u256FitsU64(shift) || load<u64>(shift) >= 256) {
    set4(r, 0, 0, 0, 0);
    return;
  }
  const s = load<u64>(shift);
  let y0 = load<u64>(x);
  let y1 = load<u64>(x, 8);
  let y2 = load<u64>(x, 16);
  let y3 = load<u64>(x, 24);
  const n = s >> 6;
  if (n == 1) {
    y3 = y2;
    y2 = y1;
    y1 = y0;
    y0 = 0;
  } else if (n == 2) {
    y3 = y1;
    y2 = y0;
    y1 = 0;
    y0 = 0;
  } else if (n == 3) {
    y3 = y0;
    y2 = 0;
    y1 = 0;
    y0 = 0;
  }
  const b = s & 63;
  if (b != 0) {
    const c = 64 - b;
    y3 = (y3 << b) | (y2 >> c);
    y2 = (y2 << b) | (y1 >> c);
    y1 = (y1 << b) | (y0 >> c);
    y0 = y0 << b;
  }
  set4(r, y0, y1, y2, y3);
}

/** shifts right by `s` (< 256), filling with `fill` (0 or all ones) */
@inline function shiftRight(r: usize, s: u64, x: usize, fill: u64): void {
  let y0 = load<u64>(x);
  let y1 = load<u64>(x, 8);
  let y2 = load<u64>(x, 16);
  let y3 = load<u64>(x, 24);
  const n = s >> 6;
  if (n == 1) {
    y0 = y1;
    y1 = y2;
    y2 = y3;
    y3 = fill;
  } else if (n == 2) {
    y0 = y2;
    y1 = y3;
    y2 = fill;
    y3 = fill;
  } else if (n == 3) {
    y0 = y3;
    y1 = fill;
    y2 = fill;
    y3 = fill;
  }
  const b = s & 63;
  if (b != 0) {
    const c = 64 - b;
    y0 = (y0 >> b) | (y1 << c);
    y1 = (y1 >> b) | (y2 << c);
    y2 = (y2 >> b) | (y3 << c);
    y3 = (y3 >> b) | (fill << c);
  }
  set4(r, y0, y1, y2, y3);
}

/** SHR: r = x >> shift, logical (0 when shift ≥ 256) */
export function u256Shr(r: usize, shift: usize, x: usize): void {
  if (!u256FitsU64(shift) || load<u64>(shift) >= 256) {
    set4(r, 0, 0, 0, 0);
    return;
  }
  shiftRight(r, load<u64>(shift), x, 0);
}

/** SAR: r = x >> shift, arithmetic (all sign bits when shift ≥ 256) */
export function u256Sar(r: usize, shift: usize, x: usize): void {
  const fill: u64 = <u64>(<i64>load<u64>(x, 24) >> 63);
  if (!u256FitsU64(shift) || load<u64>(shift) >= 256) {
    set4(r, fill, fill, fill, fill);
    return;
  }
  shiftRight(r, load<u64>(shift), x, fill);
}

/** SIGNEXTEND: r = x sign-extended from byte b (0 = least significant); x when b ≥ 31 */
export function u256SignExtend(r: usize, b: usize, x: usize): void {
  if (!u256FitsU64(b) || load<u64>(b) >= 31) {
    u256Copy(r, x);
    return;
  }
  const t = <u32>load<u64>(b) * 8 + 7; // the sign bit
  const limb = t >> 6;
  const bit = <u64>(t & 63);
  const v = load<u64>(x + (<usize>limb << 3));
  const neg = ((v >> bit) & 1) != 0;
  const low: u64 = bit == 63 ? <u64>-1 : (<u64>1 << (bit + 1)) - 1;
  const fill: u64 = neg ? <u64>-1 : 0;
  const top = neg ? v | ~low : v & low;
  const y0 = limb == 0 ? top : load<u64>(x);
  const y1 = limb == 1 ? top : limb > 1 ? load<u64>(x, 8) : fill;
  const y2 = limb == 2 ? top : limb > 2 ? load<u64>(x, 16) : fill;
  const y3 = limb == 3 ? top : fill;
  set4(r, y0, y1, y2, y3);
}

// ---------------------------------------------------------------------------------------------
// Addition, subtraction, multiplication

export function u256Add(r: usize, a: usize, b: usize): void {
  const a0 = load<u64>(a);
  const a1 = load<u64>(a, 8);
  const a2 = load<u64>(a, 16);
  const a3 = load<u64>(a, 24);
  const b0 = load<u64>(b);
  const b1 = load<u64>(b, 8);
  const b2 = load<u64>(b, 16);
  const b3 = load<u64>(b, 24);
  const s0 = a0 + b0;
  let c = <u64>(s0 < a0);
  const t1 = a1 + b1;
  const s1 = t1 + c;
  c = <u64>(t1 < a1) | <u64>(s1 < t1);
  const t2 = a2 + b2;
  const s2 = t2 + c;
  c = <u64>(t2 < a2) | <u64>(s2 < t2);
  set4(r, s0, s1, s2, a3 + b3 + c);
}

export function u256Sub(r: usize, a: usize, b: usize): void {
  const a0 = load<u64>(a);
  const a1 = load<u64>(a, 8);
  const a2 = load<u64>(a, 16);
  const a3 = load<u64>(a, 24);
  const b0 = load<u64>(b);
  const b1 = load<u64>(b, 8);
  const b2 = load<u64>(b, 16);
  const b3 = load<u64>(b, 24);
  const d0 = a0 - b0;
  let c = <u64>(a0 < b0);
  const t1 = a1 - b1;
  const d1 = t1 - c;
  c = <u64>(a1 < b1) | <u64>(t1 < c);
  const t2 = a2 - b2;
  const d2 = t2 - c;
  c = <u64>(a2 < b2) | <u64>(t2 < c);
  set4(r, d0, d1, d2, a3 - b3 - c);
}

/** r = -a (two's complement) */
function u256Neg(r: usize, a: usize): void {
  const a0 = ~load<u64>(a);
  const a1 = ~load<u64>(a, 8);
  const a2 = ~load<u64>(a, 16);
  const a3 = ~load<u64>(a, 24);
  const s0 = a0 + 1;
  let c = <u64>(s0 == 0);
  const s1 = a1 + c;
  c &= <u64>(s1 == 0);
  const s2 = a2 + c;
  c &= <u64>(s2 == 0);
  set4(r, s0, s1, s2, a3 + c);
}

/** r = a · b mod 2^256 */
export function u256Mul(r: usize, a: usize, b: usize): void {
  const a0 = load<u64>(a);
  const a1 = load<u64>(a, 8);
  const a2 = load<u64>(a, 16);
  const a3 = load<u64>(a, 24);
  const b0 = load<u64>(b);
  const b1 = load<u64>(b, 8);
  const b2 = load<u64>(b, 16);
  const b3 = load<u64>(b, 24);
  if ((a1 | a2 | a3 | b1 | b2 | b3) == 0) {
    const lo = mac(a0, b0, 0, 0);
    set4(r, lo, macHi, 0, 0);
    return;
  }
  // one operand of one limb (a constant, an index times 32): one row
  if ((b1 | b2 | b3) == 0 || (a1 | a2 | a3) == 0) {
    const small = (b1 | b2 | b3) == 0 ? b0 : a0;
    const x0 = (b1 | b2 | b3) == 0 ? a0 : b0;
    const x1 = (b1 | b2 | b3) == 0 ? a1 : b1;
    const x2 = (b1 | b2 | b3) == 0 ? a2 : b2;
    const x3 = (b1 | b2 | b3) == 0 ? a3 : b3;
    const s0 = mac(x0, small, 0, 0);
    const s1 = mac(x1, small, macHi, 0);
    const s2 = mac(x2, small, macHi, 0);
    set4(r, s0, s1, s2, x3 * small + macHi);
    return;
  }
  // row 0
  const r0 = mac(a0, b0, 0, 0);
  let c = macHi;
  let r1 = mac(a0, b1, c, 0);
  c = macHi;
  let r2 = mac(a0, b2, c, 0);
  c = macHi;
  let r3 = a0 * b3 + c;
  // row 1
  r1 = mac(a1, b0, r1, 0);
  c = macHi;
  r2 = mac(a1, b1, r2, c);
  c = macHi;
  r3 += a1 * b2 + c;
  // row 2
  r2 = mac(a2, b0, r2, 0);
  c = macHi;
  r3 += a2 * b1 + c;
  // row 3
  r3 += a3 * b0;
  set4(r, r0, r1, r2, r3);
}

/** the full 512-bit product a · b as eight u64 limbs (sixteen u32 words) at t */
function mul512(t: usize, a: usize, b: usize): void {
  const b0 = load<u64>(b);
  const b1 = load<u64>(b, 8);
  const b2 = load<u64>(b, 16);
  const b3 = load<u64>(b, 24);
  set4(t, 0, 0, 0, 0);
  for (let i: usize = 0; i < 32; i += 8) {
    const ai = load<u64>(a + i);
    const p = t + i;
    if (ai == 0) {
      store<u64>(p, 0, 32);
      continue;
    }
    store<u64>(p, mac(ai, b0, load<u64>(p), 0));
    store<u64>(p, mac(ai, b1, load<u64>(p, 8), macHi), 8);
    store<u64>(p, mac(ai, b2, load<u64>(p, 16), macHi), 16);
    store<u64>(p, mac(ai, b3, load<u64>(p, 24), macHi), 24);
    store<u64>(p, macHi, 32);
  }
}

// ---------------------------------------------------------------------------------------------
// Division: Knuth's algorithm D (TAOCP vol. 2 §4.3.1; Hacker's Delight `divmnu`) on u32 digits

/** the number of significant u32 words of the `n` words at p */
export function wordLen(p: usize, n: i32): i32 {
  while (n > 0 && load<u32>(p + (<usize>(n - 1) << 2)) == 0) n--;
  return n;
}

/**
 * u (m words) ÷ v (n words, v[n-1] ≠ 0, m ≥ n ≥ 1), little-endian u32 words: the quotient
 * (m - n + 1 words) to q, the remainder (n words) to rem. `un` (m + 1 words) and `vn` (n words) are
 * scratch; q, rem, un and vn must not overlap each other or u and v.
 */
export function divmodWords(q: usize, rem: usize, u: usize, m: i32, v: usize, n: i32, un: usize, vn: usize): void {
  if (n == 1) {
    const d = <u64>load<u32>(v);
    let k: u64 = 0;
    for (let j = m - 1; j >= 0; j--) {
      const t = (k << 32) | <u64>load<u32>(u + (<usize>j << 2));
      const qj = t / d;
      store<u32>(q + (<usize>j << 2), <u32>qj);
      k = t - qj * d;
    }
    store<u32>(rem, <u32>k);
    return;
  }
  // normalize: shift so that the divisor's top bit is set
  const s = <u32>clz<u32>(load<u32>(v + (<usize>(n - 1) << 2)));
  for (let i = n - 1; i > 0; i--) {
    const hi = load<u32>(v + (<usize>i << 2));
    const lo = load<u32>(v + (<usize>(i - 1) << 2));
    store<u32>(vn + (<usize>i << 2), s == 0 ? hi : (hi << s) | (lo >> (32 - s)));
  }
  store<u32>(vn, load<u32>(v) << s);
  store<u32>(un + (<usize>m << 2), s == 0 ? 0 : load<u32>(u + (<usize>(m - 1) << 2)) >> (32 - s));
  for (let i = m - 1; i > 0; i--) {
    const hi = load<u32>(u + (<usize>i << 2));
    const lo = load<u32>(u + (<usize>(i - 1) << 2));
    store<u32>(un + (<usize>i << 2), s == 0 ? hi : (hi << s) | (lo >> (32 - s)));
  }
  store<u32>(un, load<u32>(u) << s);
  const vTop = <u64>load<u32>(vn + (<usize>(n - 1) << 2));
  const vNext = <u64>load<u32>(vn + (<usize>(n - 2) << 2));
  const B: u64 = <u64>1 << 32;
  for (let j = m - n; j >= 0; j--) {
    const uj = un + (<usize>j << 2);
    // estimate the quotient digit from the top two digits, then correct it (at most twice)
    const num = (<u64>load<u32>(uj + (<usize>n << 2)) << 32) | <u64>load<u32>(uj + (<usize>(n - 1) << 2));
    let qhat = num / vTop;
    let rhat = num - qhat * vTop;
    const u2 = <u64>load<u32>(uj + (<usize>(n - 2) << 2));
    while (qhat >= B || qhat * vNext > ((rhat << 32) | u2)) {
      qhat--;
      rhat += vTop;
      if (rhat >= B) break;
    }
    // multiply and subtract
    let k: i64 = 0;
    let t: i64 = 0;
    for (let i = 0; i < n; i++) {
      const p = qhat * <u64>load<u32>(vn + (<usize>i << 2));
      const a = uj + (<usize>i << 2);
      t = <i64>load<u32>(a) - k - <i64>(p & 0xffffffff);
      store<u32>(a, <u32>t);
      k = <i64>(p >> 32) - (t >> 32);
    }
    const top = uj + (<usize>n << 2);
    t = <i64>load<u32>(top) - k;
    store<u32>(top, <u32>t);
    if (t < 0) {
      // the estimate was one too large: add the divisor back
      qhat--;
      let c: u64 = 0;
      for (let i = 0; i < n; i++) {
        const a = uj + (<usize>i << 2);
        const sum = <u64>load<u32>(a) + <u64>load<u32>(vn + (<usize>i << 2)) + c;
        store<u32>(a, <u32>sum);
        c = sum >> 32;
      }
      store<u32>(top, load<u32>(top) + <u32>c);
    }
    store<u32>(q + (<usize>j << 2), <u32>qhat);
  }
  // unnormalize the remainder
  for (let i = 0; i < n - 1; i++) {
    const lo = load<u32>(un + (<usize>i << 2));
    const hi = load<u32>(un + (<usize>(i + 1) << 2));
    store<u32>(rem + (<usize>i << 2), s == 0 ? lo : (lo >> s) | (hi << (32 - s)));
  }
  store<u32>(rem + (<usize>(n - 1) << 2), load<u32>(un + (<usize>(n - 1) << 2)) >> s);
}

/**
 * the `m` words at u divided by the 256-bit d (≠ 0): the quotient's low 256 bits to quot (when ≠ 0)
 * and the remainder to rem (when ≠ 0); quot and rem may alias u, d or each other's operands
 */
function divmodBig(quot: usize, rem: usize, u: usize, m: i32, d: usize): void {
  const n = wordLen(d, 8);
  m = wordLen(u, m);
  if (m < n) {
    // u < d
    if (rem != 0) {
      for (let i = 0; i < 8; i++) store<u32>(RW + (<usize>i << 2), i < m ? load<u32>(u + (<usize>i << 2)) : 0);
      u256Copy(rem, RW);
    }
    if (quot != 0) set4(quot, 0, 0, 0, 0);
    return;
  }
  set4(RW, 0, 0, 0, 0);
  for (let i: usize = 0; i < 18 * 4; i += 8) store<u64>(QW + i, 0);
  divmodWords(QW, RW, u, m, d, n, UN, VN);
  if (quot != 0) u256Copy(quot, QW);
  if (rem != 0) u256Copy(rem, RW);
}

/** DIV: r = a / b (0 when b = 0) */
export function u256Div(r: usize, a: usize, b: usize): void {
  if (u256IsZero(b)) {
    set4(r, 0, 0, 0, 0);
    return;
  }
  if (u256FitsU64(a) && u256FitsU64(b)) {
    set4(r, load<u64>(a) / load<u64>(b), 0, 0, 0);
    return;
  }
  divmodBig(r, 0, a, 8, b);
}

/** MOD: r = a mod b (0 when b = 0) */
export function u256Mod(r: usize, a: usize, b: usize): void {
  if (u256IsZero(b)) {
    set4(r, 0, 0, 0, 0);
    return;
  }
  if (u256FitsU64(a) && u256FitsU64(b)) {
    set4(r, load<u64>(a) % load<u64>(b), 0, 0, 0);
    return;
  }
  divmodBig(0, r, a, 8, b);
}

/** |x| to out; returns whether x is negative */
@inline function absTo(out: usize, x: usize): bool {
  const neg = (load<u64>(x, 24) >> 63) != 0;
  if (neg) u256Neg(out, x);
  else u256Copy(out, x);
  return neg;
}

/** SDIV: r = a / b, signed, rounded toward zero (0 when b = 0; -2^255 / -1 = -2^255) */
export function u256SDiv(r: usize, a: usize, b: usize): void {
  const na = absTo(SA, a);
  const nb = absTo(SB, b);
  u256Div(r, SA, SB);
  if (na != nb) u256Neg(r, r);
}

/** SMOD: r = a mod b, signed, with the sign of a (0 when b = 0) */
export function u256SMod(r: usize, a: usize, b: usize): void {
  const na = absTo(SA, a);
  absTo(SB, b);
  u256Mod(r, SA, SB);
  if (na) u256Neg(r, r);
}

/** ADDMOD: r = (a + b) mod n, on the 257-bit sum (0 when n = 0) */
export function u256AddMod(r: usize, a: usize, b: usize, n: usize): void {
  if (u256IsZero(n)) {
    set4(r, 0, 0, 0, 0);
    return;
  }
  const a0 = load<u64>(a);
  const a1 = load<u64>(a, 8);
  const a2 = load<u64>(a, 16);
  const a3 = load<u64>(a, 24);
  const s0 = a0 + load<u64>(b);
  let c = <u64>(s0 < a0);
  const t1 = a1 + load<u64>(b, 8);
  const s1 = t1 + c;
  c = <u64>(t1 < a1) | <u64>(s1 < t1);
  const t2 = a2 + load<u64>(b, 16);
  const s2 = t2 + c;
  c = <u64>(t2 < a2) | <u64>(s2 < t2);
  const t3 = a3 + load<u64>(b, 24);
  const s3 = t3 + c;
  c = <u64>(t3 < a3) | <u64>(s3 < t3);
  set4(TW, s0, s1, s2, s3);
  store<u64>(TW, c, 32);
  divmodBig(0, r, TW, 10, n);
}

/** MULMOD: r = (a · b) mod n, on the 512-bit product (0 when n = 0) */
export function u256MulMod(r: usize, a: usize, b: usize, n: usize): void {
  if (u256IsZero(n)) {
    set4(r, 0, 0, 0, 0);
    return;
  }
  mul512(TW, a, b);
  divmodBig(0, r, TW, 16, n);
}

/** EXP: r = a ** b mod 2^256 */
export function u256Exp(r: usize, a: usize, b: usize): void {
  const bits = 256 - clzU256(b);
  if (bits == 0) {
    set4(r, 1, 0, 0, 0);
    return;
  }
  if (u256FitsU64(a) && load<u64>(a) <= 1) {
    u256Copy(r, a); // 0 ** b = 0, 1 ** b = 1 (b ≠ 0)
    return;
  }
  if (u256FitsU64(a) && load<u64>(a) == 2) {
    // 2 ** b: a shift (b ≠ 0 here; 0 when b ≥ 256)
    u256SetU64(SA, 1);
    u256Shl(r, b, SA);
    return;
  }
  u256Copy(SA, a);
  u256Copy(SB, b);
  set4(r, 1, 0, 0, 0);
  for (let i = bits - 1; i >= 0; i--) {
    u256Mul(r, r, r);
    if (((load<u64>(SB + (<usize>(i >> 6) << 3)) >> <u64>(i & 63)) & 1) != 0) u256Mul(r, r, SA);
  }
}

/** the number of leading zero bits of a (256 for zero) */
function clzU256(a: usize): i32 {
  for (let k: i32 = 3; k >= 0; k--) {
    const l = load<u64>(a + (<usize>k << 3));
    if (l != 0) return ((3 - k) << 6) + <i32>clz<u64>(l);
  }
  return 256;
}
