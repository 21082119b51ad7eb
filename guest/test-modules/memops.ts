// memory.fill / memory.copy (overlapping both ways) / memory.grow, then a checksum.
@external("modex", "set_global_bytes32") declare function set_global_bytes32(index: i32, ptr: usize): void;
@external("modex", "set_global_u64") declare function set_global_u64(index: i32, value: u64): void;

export function main(): void {
  const size: usize = 3000;
  const p = heap.alloc(size * 2 + 64);
  for (let i: usize = 0; i < size; i++) store<u8>(p + i, <u8>(i * 7 + (i >> 3)));
  memory.fill(p + 100, 0xab, 333);
  memory.copy(p + 50, p + 90, 700); // forward overlap
  memory.copy(p + 1200, p + 1000, 900); // backward overlap
  memory.copy(p + size, p, size); // disjoint
  memory.fill(p + size + 17, 0, 1);
  const before = memory.size();
  const grown = memory.grow(2);
  const after = memory.size();
  // write into the new pages
  const hi: usize = <usize>after * 65536 - 40;
  memory.fill(hi, 0x5a, 40);
  memory.copy(p + size * 2, hi + 3, 32);
  let h: u64 = 0xcbf29ce484222325;
  for (let i: usize = 0; i < size * 2 + 32; i++) h = (h ^ <u64>load<u8>(p + i)) * 0x100000001b3;
  set_global_bytes32(1, p + 1190);
  set_global_u64(1, h);
  set_global_u64(0, (<u64>before << 32) | (<u64>grown << 16) | <u64>after);
}
