// circomlib's Poseidon (docs/validity.md §2.4) over Fr (field.ts) for 2, 4, 5 and 7 inputs (widths
// t = 3, 5, 6, 8): circomlibjs's optimized evaluation (poseidon_opt.js: full rounds with the MDS
// matrix M, the pre-sparse matrix P, partial rounds with the sparse matrices S), constants generated
// from circomlibjs (poseidon-constants.ts, scripts/gen-zk.mjs). Same outputs as the reference
// permutation and as circomlib's poseidon.circom.
import { alloc32 } from "../bytes";
import { FR_SIZE, frAdd, frCopy, frMul, frSqr, frZero } from "./field";
import { frDot3, frDot5, frDot6 } from "./field-mul";
import {
  C_3, C_5, C_6, C_8, M_3, M_5, M_6, M_8, N_ROUNDS_P_3, N_ROUNDS_P_5, N_ROUNDS_P_6, N_ROUNDS_P_8,
  P_3, P_5, P_6, P_8, S_3, S_5, S_6, S_8,
} from "./poseidon-constants";

const FS: usize = <usize>FR_SIZE;

// @ts-ignore: decorator
@inline function el(base: usize, i: i32): usize {
  return base + <usize>i * FS;
}

function pow5(a: usize, tmp: usize): void {
  frSqr(tmp, a);
  frSqr(tmp, tmp);
  frMul(a, a, tmp);
}

/** r = Σ_{j<t} a_j·st_j, a_j at a + j·stride (one reduction for t = 3, 5, 6: frDot*) */
function dot(r: usize, a: usize, stride: usize, st: usize, t: i32, tmp: usize): void {
  if (t == 3) frDot3(r, a, stride, st);
  else if (t == 5) frDot5(r, a, stride, st);
  else if (t == 6) frDot6(r, a, stride, st);
  else {
    frZero(r);
    for (let j = 0; j < t; j++) {
      frMul(tmp, a + <usize>j * stride, el(st, j));
      frAdd(r, r, tmp);
    }
  }
}

/** st = st × mat (mat[j][i] at j·t + i: new[i] = Σ_j mat[j][i]·st[j]) */
function mix(st: usize, mat: usize, t: i32, out: usize, tmp: usize): void {
  for (let i = 0; i < t; i++) dot(el(out, i), el(mat, i), <usize>t * FS, st, t, tmp);
  for (let i = 0; i < t; i++) frCopy(el(st, i), el(out, i));
}

/**
 * r = Poseidon(inputs) for n = t − 1 inputs, contiguous elements at `inputs` (n ∈ {2, 4, 5, 7});
 * any other n traps.
 */
export function poseidon(r: usize, inputs: usize, n: i32): void {
  const t = n + 1;
  let C: usize, S: usize, M: usize, P: usize, nP: i32;
  if (t == 3) {
    C = C_3; S = S_3; M = M_3; P = P_3; nP = N_ROUNDS_P_3;
  } else if (t == 5) {
    C = C_5; S = S_5; M = M_5; P = P_5; nP = N_ROUNDS_P_5;
  } else if (t == 6) {
    C = C_6; S = S_6; M = M_6; P = P_6; nP = N_ROUNDS_P_6;
  } else if (t == 8) {
    C = C_8; S = S_8; M = M_8; P = P_8; nP = N_ROUNDS_P_8;
  } else {
    unreachable();
    return;
  }
  const st = alloc32(t * FR_SIZE);
  const out = alloc32(t * FR_SIZE);
  const tmp = alloc32(FR_SIZE);
  const s0 = alloc32(FR_SIZE);
  frZero(st);
  for (let i = 0; i < n; i++) frCopy(el(st, i + 1), el(inputs, i));
  for (let i = 0; i < t; i++) frAdd(el(st, i), el(st, i), el(C, i));
  const half = 4; // nRoundsF / 2
  for (let r0 = 0; r0 < half - 1; r0++) {
    for (let i = 0; i < t; i++) pow5(el(st, i), tmp);
    for (let i = 0; i < t; i++) frAdd(el(st, i), el(st, i), el(C, (r0 + 1) * t + i));
    mix(st, M, t, out, tmp);
  }
  for (let i = 0; i < t; i++) pow5(el(st, i), tmp);
  for (let i = 0; i < t; i++) frAdd(el(st, i), el(st, i), el(C, half * t + i));
  mix(st, P, t, out, tmp);
  for (let r0 = 0; r0 < nP; r0++) {
    pow5(st, tmp);
    frAdd(st, st, el(C, (half + 1) * t + r0));
    const srow = (t * 2 - 1) * r0;
    dot(s0, el(S, srow), FS, st, t, tmp);
    for (let k = 1; k < t; k++) {
      frMul(tmp, st, el(S, srow + t + k - 1));
      frAdd(el(st, k), el(st, k), tmp);
    }
    frCopy(st, s0);
  }
  for (let r0 = 0; r0 < half - 1; r0++) {
    for (let i = 0; i < t; i++) pow5(el(st, i), tmp);
    for (let i = 0; i < t; i++) frAdd(el(st, i), el(st, i), el(C, (half + 1) * t + nP + r0 * t + i));
    mix(st, M, t, out, tmp);
  }
  for (let i = 0; i < t; i++) pow5(el(st, i), tmp);
  mix(st, M, t, out, tmp);
  frCopy(r, st);
}

/** r = Poseidon(a, b) */
export function poseidon2(r: usize, a: usize, b: usize): void {
  const in2 = alloc32(2 * FR_SIZE);
  frCopy(in2, a);
  frCopy(in2 + FS, b);
  poseidon(r, in2, 2);
}
