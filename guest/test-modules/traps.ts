// Traps selected by the first inbox byte; u64[1] is set before trapping so partial state is compared.
@external("modex", "inbox_read") declare function inbox_read(offset: i32, ptr: usize): i32;
@external("modex", "set_global_u64") declare function set_global_u64(index: i32, value: u64): void;

function recurse(n: i32): i32 {
  return n == 0x7fffffff ? 0 : recurse(n + 1) + 1;
}

export function main(): void {
  const buf = heap.alloc(32);
  inbox_read(0, buf);
  const kind = load<u8>(buf);
  const arg = load<i32>(buf, 4);
  set_global_u64(1, 0x1000 + <u64>kind);
  let r: i64 = 0;
  switch (kind) {
    case 0: // i32 divide by zero
      r = <i64>(1000 / arg);
      break;
    case 1:
      if (arg == 0) unreachable();
      break;
    case 2: // out-of-bounds load
      r = load<i64>(<usize>(0x7fff0000 + arg));
      break;
    case 3: // store crossing the end of memory
      store<u64>(<usize>(<i32>memory.size() * 65536 - 4 + arg), 1);
      break;
    case 4: // signed overflow: MIN / -1
      r = <i64>(<i32>0x80000000 / (arg - 1));
      break;
    case 5: // i64 remainder by zero
      r = 77 % <i64>arg;
      break;
    case 6: // call stack exhaustion
      r = recurse(arg);
      break;
    case 7: // host op with an out-of-bounds pointer
      inbox_read(0, <usize>(0xfffffff0 + arg));
      break;
    default:
      r = 42;
  }
  set_global_u64(0, <u64>r);
}
