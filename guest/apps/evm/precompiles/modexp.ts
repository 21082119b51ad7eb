// MODEXP, the EVM precompile 0x05 (EIP-198, gas of EIP-2565; docs/evm.md "Precompiles"):
// input = Blen (32) ‖ Elen (32) ‖ Mlen (32) ‖ B (Blen) ‖ E (Elen) ‖ M (Mlen), big-endian, read as if
// followed by zeros; output = B^E mod M as Mlen bytes (zeros when M = 0). The bignums are
// little-endian u32 words, multiplied schoolbook and reduced with Knuth's division (u256.ts
// divmodWords). Only the base and the modulus are allocated (Blen + Mlen bytes, which the gas bounds);
// the exponent is read from the input bit by bit, so a huge declared Elen allocates nothing.
import { alloc32 } from "../../../sdk/bytes";
import {
  divmodWords,
  u256Add,
  u256FitsU64,
  u256FromBE,
  u256Gt,
  u256IsZero,
  u256Low64,
  u256Mul,
  u256SetU64,
  wordLen,
} from "../u256";

/** the gas of an input whose cost does not fit in a u64 (more than any call can have) */
export const MODEXP_GAS_INFINITE: u64 = U64.MAX_VALUE;

/**
 * The largest Blen or Mlen the guest computes with (16 MiB): a larger one costs more than
 * 10^12 gas (EIP-2565: ⌈16 Mi / 8⌉² / 3), so no transaction can pay for it; the precompile fails.
 */
export const MODEXP_MAX_LEN: u64 = 1 << 24;

/** the input byte at offset `off` (u64), 0 past the end */
@inline function inputByte(input: usize, len: i32, off: u64): u32 {
  return off < <u64>len ? <u32>load<u8>(input + <usize>off) : 0;
}

/** r = the big-endian integer of the `n` (≤ 32) input bytes from `off`, zero past the end */
function inputWord(r: usize, input: usize, len: i32, off: u64, n: i32): void {
  const tmp = alloc32(32);
  for (let i: i32 = 0; i < n; i++) store<u8>(tmp + <usize>i, <u8>inputByte(input, len, off + <u64>i));
  u256FromBE(r, tmp, n);
}

/** the three declared lengths Blen, Elen, Mlen (u256 each; static: no allocation per call) */
class Lengths {
  b: usize = memory.data(32, 8);
  e: usize = memory.data(32, 8);
  m: usize = memory.data(32, 8);
}
const LENGTHS = new Lengths();

function lengths(input: usize, len: i32): Lengths {
  const l = LENGTHS;
  inputWord(l.b, input, len, 0, 32);
  inputWord(l.e, input, len, 32, 32);
  inputWord(l.m, input, len, 64, 32);
  return l;
}

/** EIP-2565 gas of the input; {@link MODEXP_GAS_INFINITE} when it does not fit in a u64 */
export function modexpGas(input: usize, len: i32): u64 {
  const l = lengths(input, len);
  const mx = u256Gt(l.b, l.m) ? l.b : l.m;
  if (u256IsZero(mx)) return 200; // multiplication complexity 0
  if (!u256FitsU64(mx) || !u256FitsU64(l.e)) return MODEXP_GAS_INFINITE;
  const x = u256Low64(mx);
  const words: u64 = (x >> 3) + <u64>((x & 7) != 0);
  const elen = u256Low64(l.e);
  // the adjusted exponent length: 8 (Elen − 32) + the index of the highest bit of E's first 32 bytes
  const head = alloc32(32);
  inputWord(head, input, len, 96 + u256Low64(l.b), elen > 32 ? 32 : <i32>elen);
  let msb: u64 = 0;
  for (let k: i32 = 3; k >= 0; k--) {
    const limb = load<u64>(head + (<usize>k << 3));
    if (limb != 0) {
      msb = (<u64>k << 6) + 63 - clz<u64>(limb);
      break;
    }
  }
  const adj = alloc32(32);
  const t = alloc32(32);
  u256SetU64(adj, elen > 32 ? elen - 32 : 0);
  u256SetU64(t, 8);
  u256Mul(adj, adj, t);
  u256SetU64(t, msb);
  u256Add(adj, adj, t);
  if (u256IsZero(adj)) u256SetU64(adj, 1);
  // ⌈max(Blen, Mlen) / 8⌉² · max(adj, 1) / 3 (below 2^192)
  u256SetU64(t, words);
  u256Mul(t, t, t);
  u256Mul(t, t, adj);
  divU256By3(t);
  if (!u256FitsU64(t)) return MODEXP_GAS_INFINITE;
  const gas = u256Low64(t);
  return gas < 200 ? 200 : gas;
}

/** r /= 3 in place (four limbs, high to low) */
function divU256By3(r: usize): void {
  let rem: u64 = 0;
  for (let k: i32 = 3; k >= 0; k--) {
    const p = r + (<usize>k << 3);
    const l = load<u64>(p);
    // (rem · 2^64 + l) / 3 in two 32-bit halves
    const hi = (rem << 32) | (l >> 32);
    const qh = hi / 3;
    const r1 = hi - qh * 3;
    const lo = (r1 << 32) | (l & 0xffffffff);
    const ql = lo / 3;
    rem = lo - ql * 3;
    store<u64>(p, (qh << 32) | ql);
  }
}

/** the `n` bytes from input offset `off` (zero past the end), big-endian, as little-endian u32 words at dst */
function bytesToWords(dst: usize, words: i32, input: usize, len: i32, off: u64, n: i32): void {
  for (let i: i32 = 0; i < words; i++) store<u32>(dst + (<usize>i << 2), 0);
  for (let i: i32 = 0; i < n; i++) {
    const b = inputByte(input, len, off + <u64>(n - 1 - i));
    if (b != 0) store<u8>(dst + <usize>i, <u8>b);
  }
}

/** p (an + bn words) = a (an words) · b (bn words) */
function mulWords(p: usize, a: usize, an: i32, b: usize, bn: i32): void {
  for (let i: i32 = 0; i < an + bn; i++) store<u32>(p + (<usize>i << 2), 0);
  for (let i: i32 = 0; i < an; i++) {
    const ai = <u64>load<u32>(a + (<usize>i << 2));
    if (ai == 0) continue;
    let c: u64 = 0;
    const row = p + (<usize>i << 2);
    for (let j: i32 = 0; j < bn; j++) {
      const q = row + (<usize>j << 2);
      const t = ai * <u64>load<u32>(b + (<usize>j << 2)) + <u64>load<u32>(q) + c;
      store<u32>(q, <u32>t);
      c = t >> 32;
    }
    store<u32>(row + (<usize>bn << 2), <u32>c);
  }
}

/**
 * scratch of the modular multiplication with a k-word modulus, reducing numbers of up to
 * `maxWords` (≥ 2 k) words
 */
class Reducer {
  mod: usize = 0;
  k: i32 = 0;
  prod: usize = 0;
  q: usize = 0;
  un: usize = 0;
  vn: usize = 0;

  /** for the k-word modulus at mod; the scratch is allocated in the SDK arena */
  init(mod: usize, k: i32, maxWords: i32): Reducer {
    this.mod = mod;
    this.k = k;
    this.prod = alloc32(2 * k * 4);
    this.q = alloc32(maxWords * 4);
    this.un = alloc32((maxWords + 1) * 4);
    this.vn = alloc32(k * 4);
    return this;
  }

  /** r (k words) = the `n` (≤ maxWords) words at x mod the modulus */
  reduce(r: usize, x: usize, n: i32): void {
    const m = wordLen(x, n);
    if (m < this.k) {
      for (let i: i32 = 0; i < this.k; i++) store<u32>(r + (<usize>i << 2), i < m ? load<u32>(x + (<usize>i << 2)) : 0);
      return;
    }
    divmodWords(this.q, r, x, m, this.mod, this.k, this.un, this.vn);
  }

  /** r = a · b mod the modulus (a, b and r k words; r may be a or b) */
  mulMod(r: usize, a: usize, b: usize): void {
    mulWords(this.prod, a, this.k, b, this.k);
    this.reduce(r, this.prod, 2 * this.k);
  }
}

/**
 * Montgomery multiplication modulo an odd k-word modulus (CIOS, Koç, Acar and Kaliski 1996), with
 * R = 2^(32 k): about half the steps of a product and a Knuth reduction.
 */
class Monty {
  mod: usize = 0;
  k: i32 = 0;
  t: usize = 0;
  /** −M⁻¹ mod 2^32 */
  minv: u32 = 0;

  /** for the odd k-word modulus at mod; the scratch is allocated in the SDK arena */
  init(mod: usize, k: i32): Monty {
    this.mod = mod;
    this.k = k;
    this.t = alloc32((k + 2) * 4);
    // Newton's iteration for M⁻¹ mod 2^32: m0 · m0 ≡ 1 (mod 8), and each step doubles the bits
    const m0 = load<u32>(mod);
    let inv = m0;
    for (let i = 0; i < 4; i++) inv *= 2 - m0 * inv;
    this.minv = 0 - inv;
    return this;
  }

  /** r = a · b · R⁻¹ mod M (a, b < M, k words; r may be a or b) */
  mul(r: usize, a: usize, b: usize): void {
    const k = this.k;
    const t = this.t;
    const n = this.mod;
    const tk = t + (<usize>k << 2);
    for (let i = 0; i < k + 2; i++) store<u32>(t + (<usize>i << 2), 0);
    for (let i = 0; i < k; i++) {
      // t += a · b[i]
      const bi = <u64>load<u32>(b + (<usize>i << 2));
      let c: u64 = 0;
      for (let j = 0; j < k; j++) {
        const p = t + (<usize>j << 2);
        const acc = <u64>load<u32>(p) + <u64>load<u32>(a + (<usize>j << 2)) * bi + c;
        store<u32>(p, <u32>acc);
        c = acc >> 32;
      }
      let x = <u64>load<u32>(tk) + c;
      store<u32>(tk, <u32>x);
      store<u32>(tk, <u32>(x >> 32), 4);
      // t = (t + m · M) / 2^32, with m making the low word zero
      // (a u32 product, wrapping: under a u64 cast the operands would be widened)
      const m32: u32 = load<u32>(t) * this.minv;
      const m = <u64>m32;
      c = (<u64>load<u32>(t) + m * <u64>load<u32>(n)) >> 32;
      for (let j = 1; j < k; j++) {
        const p = t + (<usize>j << 2);
        x = <u64>load<u32>(p) + m * <u64>load<u32>(n + (<usize>j << 2)) + c;
        store<u32>(p - 4, <u32>x);
        c = x >> 32;
      }
      x = <u64>load<u32>(tk) + c;
      store<u32>(tk - 4, <u32>x);
      store<u32>(tk, load<u32>(tk, 4) + <u32>(x >> 32));
    }
    // t < 2 M: subtract M once if t ≥ M
    let ge = load<u32>(tk) != 0;
    if (!ge) {
      ge = true;
      for (let j = k - 1; j >= 0; j--) {
        const x = load<u32>(t + (<usize>j << 2));
        const y = load<u32>(n + (<usize>j << 2));
        if (x != y) {
          ge = x > y;
          break;
        }
      }
    }
    if (ge) {
      let borrow: i64 = 0;
      for (let j = 0; j < k; j++) {
        const p = t + (<usize>j << 2);
        const d = <i64>load<u32>(p) - <i64>load<u32>(n + (<usize>j << 2)) + borrow;
        store<u32>(p, <u32>d);
        borrow = d >> 32;
      }
    }
    for (let j = 0; j < k; j++) store<u32>(r + (<usize>j << 2), load<u32>(t + (<usize>j << 2)));
  }
}

// one instance of each, reused by every call (no allocation per call outside the arena)
const REDUCER = new Reducer();
const MONTY = new Monty();

/** whether the k words at x are 0 */
function isZero(x: usize, k: i32): bool {
  for (let i: i32 = 0; i < k; i++) if (load<u32>(x + (<usize>i << 2)) != 0) return false;
  return true;
}

/** whether the k words at x are 0 or 1 (fixed points of squaring) */
function isZeroOrOne(x: usize, k: i32): bool {
  if (load<u32>(x) > 1) return false;
  for (let i: i32 = 1; i < k; i++) if (load<u32>(x + (<usize>i << 2)) != 0) return false;
  return true;
}

/**
 * B^E mod M for an input whose gas ({@link modexpGas}) was paid: the output is `Mlen` bytes at the
 * returned address (32-aligned), written to `outLen`; returns 0 (failure) if Blen or Mlen exceed
 * {@link MODEXP_MAX_LEN}.
 */
export function modexpRun(input: usize, len: i32): usize {
  const l = lengths(input, len);
  if (u256IsZero(l.b) && u256IsZero(l.m)) {
    modexpOutLen = 0;
    return alloc32(0);
  }
  if (!u256FitsU64(l.b) || !u256FitsU64(l.m) || !u256FitsU64(l.e)) return 0;
  const blen = u256Low64(l.b);
  const elen = u256Low64(l.e);
  const mlen = u256Low64(l.m);
  if (blen > MODEXP_MAX_LEN || mlen > MODEXP_MAX_LEN) return 0;
  const out = alloc32(<i32>mlen);
  modexpOutLen = <i32>mlen;
  for (let i: i32 = 0; i < <i32>mlen; i++) store<u8>(out + <usize>i, 0);
  // the modulus
  const mw = <i32>((mlen + 3) >> 2);
  const mod = alloc32(mw * 4 + 4);
  const mOff = 96 + blen + elen;
  bytesToWords(mod, mw, input, len, mOff, <i32>mlen);
  const k = wordLen(mod, mw);
  if (k == 0) return out; // M = 0: zeros
  // the base, reduced
  const bw = <i32>((blen + 3) >> 2);
  const red = REDUCER.init(mod, k, bw > 2 * k ? bw : 2 * k);
  const baseRaw = alloc32(bw * 4 + 4);
  bytesToWords(baseRaw, bw, input, len, 96, <i32>blen);
  const base = alloc32(k * 4);
  red.reduce(base, baseRaw, bw);
  // an odd modulus: in Montgomery form (x R mod M), from base R and R mod M (by the Knuth reducer)
  const odd = (load<u32>(mod) & 1) != 0;
  const monty = odd ? MONTY.init(mod, k) : null;
  const one = alloc32(k * 4);
  for (let i: i32 = 0; i < k; i++) store<u32>(one + (<usize>i << 2), 0);
  store<u32>(one, 1);
  const r = alloc32(k * 4);
  if (odd) {
    const wide = alloc32(2 * k * 4);
    for (let i: i32 = 0; i < k; i++) {
      store<u32>(wide + (<usize>i << 2), 0);
      store<u32>(wide + (<usize>(k + i) << 2), load<u32>(base + (<usize>i << 2)));
    }
    red.reduce(base, wide, 2 * k);
    for (let i: i32 = 0; i < k; i++) store<u32>(wide + (<usize>(k + i) << 2), 0);
    store<u32>(wide + (<usize>k << 2), 1);
    red.reduce(r, wide, k + 1);
  } else {
    red.reduce(r, one, 1);
  }
  // left to right over the exponent's bits
  const eOff: u64 = 96 + blen;
  let started = false;
  for (let i: u64 = 0; i < elen; i++) {
    const byte = inputByte(input, len, eOff + i);
    if (!started && eOff + i >= <u64>len) break; // E = 0
    if (!started && byte == 0) continue;
    // past the input's end the bits are 0: squaring no longer changes 0 (nor 1 outside Montgomery form)
    if (byte == 0 && eOff + i >= <u64>len && (odd ? isZero(r, k) : isZeroOrOne(r, k))) break;
    for (let bit: i32 = 7; bit >= 0; bit--) {
      if (started) {
        if (odd) monty!.mul(r, r, r);
        else red.mulMod(r, r, r);
      }
      if (((byte >> <u32>bit) & 1) != 0) {
        if (odd) monty!.mul(r, r, base);
        else red.mulMod(r, r, base);
        started = true;
      }
    }
  }
  if (odd) monty!.mul(r, r, one); // out of Montgomery form
  // the result, big-endian, right-aligned in Mlen bytes
  const n = k * 4 < <i32>mlen ? k * 4 : <i32>mlen;
  for (let i: i32 = 0; i < n; i++) store<u8>(out + <usize>(<i32>mlen - 1 - i), load<u8>(r + <usize>i));
  return out;
}

/** the output length of the last {@link modexpRun} */
export let modexpOutLen: i32 = 0;
