// Recursion: naive fib, and mutual recursion (is_even / is_odd) with i64 results.
@external("modex", "set_global_u64") declare function set_global_u64(index: i32, value: u64): void;
@external("modex", "get_global_u64") declare function get_global_u64(index: i32): u64;

function fib(n: i32): i64 {
  return n < 2 ? <i64>n : fib(n - 1) + fib(n - 2);
}

function isEven(n: u32): bool {
  return n == 0 ? true : isOdd(n - 1);
}

function isOdd(n: u32): bool {
  return n == 0 ? false : isEven(n - 1);
}

function ackermann(m: i32, n: i32): i32 {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

export function main(): void {
  const n = <i32>get_global_u64(0); // the caller picks n
  set_global_u64(1, fib(n));
  set_global_u64(0, (<u64>(isEven(<u32>n * 37 + 1) ? 1 : 0) << 32) | <u64>ackermann(2, n));
}
