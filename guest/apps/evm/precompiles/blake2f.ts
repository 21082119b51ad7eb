// The BLAKE2b compression function F (RFC 7693 §3.2) with a given number of rounds, for the EVM
// precompile 0x09 (EIP-152; docs/evm.md "Precompiles").

const IV = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1, 0x510e527fade682d1,
  0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
]);
// the message word permutations of rounds 0..9, as byte offsets (index · 8)
const SIGMA = memory.data<u8>([
  0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120,
  112, 80, 32, 64, 72, 120, 104, 48, 8, 96, 0, 16, 88, 56, 40, 24,
  88, 64, 96, 0, 40, 16, 120, 104, 80, 112, 24, 48, 56, 8, 72, 32,
  56, 72, 24, 8, 104, 96, 88, 112, 16, 48, 40, 80, 32, 0, 120, 64,
  72, 0, 40, 56, 16, 32, 80, 120, 112, 8, 88, 96, 48, 64, 24, 104,
  16, 96, 48, 80, 0, 88, 64, 24, 32, 104, 56, 40, 120, 112, 8, 72,
  96, 40, 8, 120, 112, 104, 32, 80, 0, 56, 48, 24, 72, 16, 64, 88,
  104, 88, 56, 112, 96, 8, 24, 72, 40, 0, 120, 32, 64, 48, 16, 80,
  48, 120, 112, 72, 88, 24, 0, 64, 96, 16, 104, 56, 8, 32, 80, 40,
  80, 16, 64, 32, 56, 48, 8, 40, 120, 88, 72, 112, 24, 96, 104, 0,
]);

/** the working vector v[0..16) */
const V: usize = memory.data(128, 8);
/** the message block m[0..16), copied (the input need not be aligned) */
const MW: usize = memory.data(128, 8);

/** the mixing function G on v[a], v[b], v[c], v[d] (byte offsets) with message words x, y */
@inline function g(a: usize, b: usize, c: usize, d: usize, x: u64, y: u64): void {
  let va = load<u64>(V + a);
  let vb = load<u64>(V + b);
  let vc = load<u64>(V + c);
  let vd = load<u64>(V + d);
  va = va + vb + x;
  vd = rotr<u64>(vd ^ va, 32);
  vc = vc + vd;
  vb = rotr<u64>(vb ^ vc, 24);
  va = va + vb + y;
  vd = rotr<u64>(vd ^ va, 16);
  vc = vc + vd;
  vb = rotr<u64>(vb ^ vc, 63);
  store<u64>(V + a, va);
  store<u64>(V + b, vb);
  store<u64>(V + c, vc);
  store<u64>(V + d, vd);
}

@inline function m(s: usize, i: usize): u64 {
  return load<u64>(MW + <usize>load<u8>(s + i));
}

/**
 * F: compresses the state h (8 little-endian u64 at h, updated in place) with the message block m
 * (16 little-endian u64 at mp), the offset counter t0, t1 and the final-block flag, in `rounds`
 * rounds.
 */
export function blake2fCompress(rounds: u32, h: usize, mp: usize, t0: u64, t1: u64, last: bool): void {
  for (let i: usize = 0; i < 128; i += 8) store<u64>(MW + i, load<u64>(mp + i));
  for (let i: usize = 0; i < 64; i += 8) {
    store<u64>(V + i, load<u64>(h + i));
    store<u64>(V + 64 + i, load<u64>(IV + i));
  }
  store<u64>(V, load<u64>(V, 96) ^ t0, 96);
  store<u64>(V, load<u64>(V, 104) ^ t1, 104);
  if (last) store<u64>(V, ~load<u64>(V, 112), 112);
  let s: usize = SIGMA;
  for (let r: u32 = 0; r < rounds; r++) {
    g(0, 32, 64, 96, m(s, 0), m(s, 1));
    g(8, 40, 72, 104, m(s, 2), m(s, 3));
    g(16, 48, 80, 112, m(s, 4), m(s, 5));
    g(24, 56, 88, 120, m(s, 6), m(s, 7));
    g(0, 40, 80, 120, m(s, 8), m(s, 9));
    g(8, 48, 88, 96, m(s, 10), m(s, 11));
    g(16, 56, 64, 104, m(s, 12), m(s, 13));
    g(24, 32, 72, 112, m(s, 14), m(s, 15));
    s += 16;
    if (s == SIGMA + 160) s = SIGMA;
  }
  for (let i: usize = 0; i < 64; i += 8)
    store<u64>(h + i, load<u64>(h + i) ^ load<u64>(V + i) ^ load<u64>(V + 64 + i));
}
