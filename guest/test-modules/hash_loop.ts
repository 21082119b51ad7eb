// Integer-heavy loop: fills a buffer with xorshift64 output, then hashes it with i32 and i64 math.
// Result: state root = 4 x u64 lanes, u64[1] = folded hash.
@external("modex", "set_global_bytes32") declare function set_global_bytes32(index: i32, ptr: usize): void;
@external("modex", "set_global_u64") declare function set_global_u64(index: i32, value: u64): void;
@external("modex", "get_global_u64") declare function get_global_u64(index: i32): u64;

const N: i32 = 4096;

export function main(): void {
  const buf = heap.alloc(N + 64);
  let x: u64 = 0x9e3779b97f4a7c15 ^ get_global_u64(0);
  for (let i = 0; i < N; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    store<u64>(buf + <usize>i, x);
  }
  let h32: u32 = 2166136261;
  let a: u64 = 1;
  let b: u64 = 0;
  let c: i64 = -7;
  for (let i = 0; i < N; i++) {
    const v = load<u8>(buf + <usize>i);
    h32 = (h32 ^ v) * 16777619;
    a = (a + <u64>v) % 65521;
    b = (b + a) % 65521;
    c = rotl<i64>(c * 0x100000001b3, <i64>(v & 63)) ^ <i64>clz<u32>(h32 | 1);
    c += <i64>popcnt<u64>(<u64>c) - <i64>ctz<u32>(h32 | 0x80000000);
    if ((v & 7) == 3) c = c / (<i64>(v | 1)) + (c % 1000003);
    if ((v & 15) == 5) h32 = h32 / (<u32>v + 1) + (h32 >> (v & 31));
  }
  const out = buf + <usize>N;
  store<u64>(out, <u64>h32);
  store<u64>(out + 8, (b << 16) | a);
  store<u64>(out + 16, <u64>c);
  store<u64>(out + 24, x);
  set_global_bytes32(0, out);
  set_global_u64(1, (<u64>h32 << 32) ^ <u64>c ^ ((b << 16) | a));
}
