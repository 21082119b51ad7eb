// The soft-float library (docs/softfloat.md): every wasm float instruction that is not a pure bit
// operation, as a function over the operands' integer bit patterns. The lowering (issue 15) calls
// these in place of the float instructions.
export {
  f64_add,
  f64_sub,
  f64_mul,
  f64_div,
  f64_sqrt,
  f64_min,
  f64_max,
  f64_round,
  f64_eq,
  f64_ne,
  f64_lt,
  f64_gt,
  f64_le,
  f64_ge,
  f64_copysign,
} from './f64';
export {
  f32_add,
  f32_sub,
  f32_mul,
  f32_div,
  f32_sqrt,
  f32_min,
  f32_max,
  f32_round,
  f32_eq,
  f32_ne,
  f32_lt,
  f32_gt,
  f32_le,
  f32_ge,
  f32_demote_f64,
  f64_promote_f32,
  f32_copysign,
} from './f32';
export * from './convert';
