// keccak256 of any length (Keccak-f[1600], rate 136, pad 0x01 ... 0x80), on u64 lanes.
// The 64-byte node hash uses the keccak256_pair host op instead (state.ts).

const RC = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]);
const PILN = memory.data<u8>([10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]);
const ROTC = memory.data<u8>([1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]);
const ST = memory.data(200, 8);

function keccakF(st: usize): void {
  for (let round: usize = 0; round < 24; round++) {
    // theta
    const c0 = load<u64>(st) ^ load<u64>(st, 40) ^ load<u64>(st, 80) ^ load<u64>(st, 120) ^ load<u64>(st, 160);
    const c1 = load<u64>(st, 8) ^ load<u64>(st, 48) ^ load<u64>(st, 88) ^ load<u64>(st, 128) ^ load<u64>(st, 168);
    const c2 = load<u64>(st, 16) ^ load<u64>(st, 56) ^ load<u64>(st, 96) ^ load<u64>(st, 136) ^ load<u64>(st, 176);
    const c3 = load<u64>(st, 24) ^ load<u64>(st, 64) ^ load<u64>(st, 104) ^ load<u64>(st, 144) ^ load<u64>(st, 184);
    const c4 = load<u64>(st, 32) ^ load<u64>(st, 72) ^ load<u64>(st, 112) ^ load<u64>(st, 152) ^ load<u64>(st, 192);
    const d0 = c4 ^ rotl<u64>(c1, 1);
    const d1 = c0 ^ rotl<u64>(c2, 1);
    const d2 = c1 ^ rotl<u64>(c3, 1);
    const d3 = c2 ^ rotl<u64>(c4, 1);
    const d4 = c3 ^ rotl<u64>(c0, 1);
    for (let y: usize = 0; y < 200; y += 40) {
      const p = st + y;
      store<u64>(p, load<u64>(p) ^ d0);
      store<u64>(p, load<u64>(p, 8) ^ d1, 8);
      store<u64>(p, load<u64>(p, 16) ^ d2, 16);
      store<u64>(p, load<u64>(p, 24) ^ d3, 24);
      store<u64>(p, load<u64>(p, 32) ^ d4, 32);
    }
    // rho and pi
    let t = load<u64>(st, 8);
    for (let i: usize = 0; i < 24; i++) {
      const j = st + (<usize>load<u8>(PILN + i) << 3);
      const tmp = load<u64>(j);
      store<u64>(j, rotl<u64>(t, <u64>load<u8>(ROTC + i)));
      t = tmp;
    }
    // chi
    for (let y: usize = 0; y < 200; y += 40) {
      const p = st + y;
      const a0 = load<u64>(p);
      const a1 = load<u64>(p, 8);
      const a2 = load<u64>(p, 16);
      const a3 = load<u64>(p, 24);
      const a4 = load<u64>(p, 32);
      store<u64>(p, a0 ^ (~a1 & a2));
      store<u64>(p, a1 ^ (~a2 & a3), 8);
      store<u64>(p, a2 ^ (~a3 & a4), 16);
      store<u64>(p, a3 ^ (~a4 & a0), 24);
      store<u64>(p, a4 ^ (~a0 & a1), 32);
    }
    // iota
    store<u64>(st, load<u64>(st) ^ load<u64>(RC + (round << 3)));
  }
}

/** mem[out..+32] = keccak256(mem[ptr..+len]) */
export function keccak256(ptr: usize, len: i32, out: usize): void {
  const st = ST;
  memory.fill(st, 0, 200);
  let off: i32 = 0;
  while (len - off >= 136) {
    for (let i: usize = 0; i < 136; i += 8) store<u64>(st + i, load<u64>(st + i) ^ load<u64>(ptr + <usize>off + i));
    keccakF(st);
    off += 136;
  }
  const rem = len - off;
  for (let i: i32 = 0; i < rem; i++) {
    const q = st + <usize>i;
    store<u8>(q, load<u8>(q) ^ load<u8>(ptr + <usize>(off + i)));
  }
  store<u8>(st + <usize>rem, load<u8>(st + <usize>rem) ^ 0x01);
  store<u8>(st + 135, load<u8>(st + 135) ^ 0x80);
  keccakF(st);
  memory.copy(out, st, 32);
}
