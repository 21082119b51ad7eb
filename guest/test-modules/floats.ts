// Float arithmetic as compilers emit it (AssemblyScript's Math library included), for the float
// lowering's differential test (src/vm/wasm/softfloat/lower-floats.test.ts). Reads two f64 operands as
// bits from u64 globals 0 and 1, folds every result's bits into u64 global 0 and a count into 1.
@external("modex", "set_global_u64") declare function set_global_u64(index: i32, value: u64): void;
@external("modex", "get_global_u64") declare function get_global_u64(index: i32): u64;

let acc: u64 = 0xcbf29ce484222325;
let n: u64 = 0;

function fold(bits: u64): void {
  acc = (acc ^ bits) * 0x100000001b3;
  n++;
}
function f64b(x: f64): void {
  fold(reinterpret<u64>(x));
}
function f32b(x: f32): void {
  fold(<u64>reinterpret<u32>(x));
}

export function main(): void {
  const a = reinterpret<f64>(get_global_u64(0));
  const b = reinterpret<f64>(get_global_u64(1));
  f64b(a + b);
  f64b(a - b);
  f64b(a * b);
  f64b(a / b);
  f64b(Math.sqrt(Math.abs(a)));
  f64b(Math.floor(a));
  f64b(Math.ceil(b));
  f64b(Math.trunc(a * 3.75));
  f64b(Math.min(a, b));
  f64b(Math.max(a, b));
  f64b(-a);
  f64b(Math.abs(b));
  f64b(Math.sin(a));
  f64b(Math.exp(b / 1000));
  f64b(Math.log(Math.abs(a) + 1));
  f64b(Math.pow(Math.abs(b) + 0.5, 1.75));
  const fa = <f32>a;
  const fb = <f32>b;
  f32b(fa + fb);
  f32b(fa * fb);
  f32b(fa / (fb + 1.5));
  f32b(Mathf.sqrt(Mathf.abs(fa)));
  f64b(<f64>fa);
  fold(<u64>(<i64>Math.trunc(a) & 0xffff));
  fold(<u64>(<i32>(b * 10)));
  fold(<u64>(<u32>Math.abs(a)));
  fold(<u64>(<i64>(a * 1e6)));
  f64b(<f64>(<i64>(b * 100)));
  f32b(<f32>(<u64>(Math.abs(a) * 1e9)));
  fold(a < b ? 1 : 0);
  fold(a == b ? 1 : 0);
  fold(fa >= fb ? 1 : 0);
  // a loop with a float accumulator (a Newton iteration)
  let x: f64 = Math.abs(a) + 1;
  for (let i = 0; i < 20; i++) x = 0.5 * (x + (Math.abs(b) + 2) / x);
  f64b(x);
  set_global_u64(0, acc);
  set_global_u64(1, n);
}
