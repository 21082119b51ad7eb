// Reads the inbox message in 32-byte chunks, hashes it together with the previous state root and
// writes the new state root; u64[1] = message length, u64[0] = inbox position + 1.
@external("modex", "inbox_read") declare function inbox_read(offset: i32, ptr: usize): i32;
@external("modex", "get_global_bytes32") declare function get_global_bytes32(index: i32, ptr: usize): void;
@external("modex", "set_global_bytes32") declare function set_global_bytes32(index: i32, ptr: usize): void;
@external("modex", "get_global_u64") declare function get_global_u64(index: i32): u64;
@external("modex", "set_global_u64") declare function set_global_u64(index: i32, value: u64): void;

function mix(s: u64, v: u64): u64 {
  s ^= v;
  s *= 0xff51afd7ed558ccd;
  s ^= s >> 33;
  s = rotl<u64>(s, 27) * 0xc4ceb9fe1a85ec53;
  return s;
}

export function main(): void {
  const chunk = heap.alloc(64);
  const state = heap.alloc(32);
  get_global_bytes32(0, state);
  let l0 = load<u64>(state);
  let l1 = load<u64>(state, 8);
  let l2 = load<u64>(state, 16);
  let l3 = load<u64>(state, 24);
  let total: i32 = 0;
  for (;;) {
    memory.fill(chunk, 0, 32);
    const n = inbox_read(total, chunk);
    if (n == 0) break;
    total += n;
    l0 = mix(l0, load<u64>(chunk));
    l1 = mix(l1, load<u64>(chunk, 8));
    l2 = mix(l2, load<u64>(chunk, 16));
    l3 = mix(l3, load<u64>(chunk, 24) ^ <u64>n);
    // the last byte of the chunk decides a branch
    if (load<u8>(chunk + <usize>(n - 1)) & 1) l0 = mix(l0, l3);
  }
  store<u64>(state, l0);
  store<u64>(state, l1, 8);
  store<u64>(state, l2, 16);
  store<u64>(state, l3 ^ <u64>total, 24);
  set_global_bytes32(0, state);
  set_global_u64(1, <u64>total);
  set_global_u64(0, get_global_u64(0) + 1);
}
