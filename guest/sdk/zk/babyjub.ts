// BabyJubJub (docs/validity.md §2.4; circomlibjs babyjub.js): the twisted Edwards curve
// a·x² + y² = 1 + d·x²·y² over Fr with a = 168700, d = 168696, whose addition law is complete.
// Points in projective coordinates (X : Y : Z), x = X/Z, y = Y/Z: three elements (field.ts), 120
// bytes; the identity is (0 : 1 : 1). Formulas add-2008-bbjlp and dbl-2008-bbjlp (EFD).
import { alloc32, heapAlloc32 } from "../bytes";
import { FR_SIZE, frAdd, frCopy, frEq, frFromBE, frFromU64, frIsZero, frMul, frOne, frSqr, frSub, frZero } from "./field";

const FS: usize = <usize>FR_SIZE;
export const POINT_SIZE: i32 = 3 * FR_SIZE;

// Base8 (circomlibjs babyJub.Base8), big-endian
const B8X = memory.data<u8>([
  0x0b, 0xb7, 0x7a, 0x6a, 0xd6, 0x3e, 0x73, 0x9b, 0x4e, 0xac, 0xb2, 0xe0, 0x9d, 0x62, 0x77, 0xc1, 0x2a, 0xb8,
  0xd8, 0x01, 0x05, 0x34, 0xe0, 0xb6, 0x28, 0x93, 0xf3, 0xf6, 0xbb, 0x95, 0x70, 0x51,
]);
const B8Y = memory.data<u8>([
  0x25, 0x79, 0x72, 0x03, 0xf7, 0xa0, 0xb2, 0x49, 0x25, 0x57, 0x2e, 0x1c, 0xd1, 0x6b, 0xf9, 0xed, 0xfc, 0xe0,
  0x05, 0x1f, 0xb9, 0xe1, 0x33, 0x77, 0x4b, 0x3c, 0x25, 0x7a, 0x87, 0x2d, 0x7d, 0x8b,
]);
/** the prime subgroup's order l (circomlibjs babyJub.subOrder), big-endian */
export const SUB_ORDER = memory.data<u8>([
  0x06, 0x0c, 0x89, 0xce, 0x5c, 0x26, 0x34, 0x05, 0x37, 0x0a, 0x08, 0xb6, 0xd0, 0x30, 0x2b, 0x0b, 0xab, 0x3e,
  0xed, 0xb8, 0x39, 0x20, 0xee, 0x0a, 0x67, 0x72, 0x97, 0xdc, 0x39, 0x21, 0x26, 0xf1,
]);

// long-lived constants (heap memory, made once per run)
let A_: usize = 0;
let D_: usize = 0;
let B8_: usize = 0;
// scratch of pointAdd / pointDouble / onCurve (9 elements)
let T_: usize = 0;

function init(): void {
  if (A_ != 0) return;
  const a = heapAlloc32(FR_SIZE);
  const d = heapAlloc32(FR_SIZE);
  const b8 = heapAlloc32(POINT_SIZE);
  frFromU64(a, 168700);
  frFromU64(d, 168696);
  frFromBE(b8, B8X);
  frFromBE(b8 + FS, B8Y);
  frOne(b8 + 2 * FS);
  // set last: a unit stopped in the middle leaves them unset
  T_ = heapAlloc32(9 * FR_SIZE);
  D_ = d;
  B8_ = b8;
  A_ = a;
}

/** Base8, projective (read-only) */
export function base8(): usize {
  init();
  return B8_;
}

export function pointNew(): usize {
  return alloc32(POINT_SIZE);
}

export function pointCopy(r: usize, p: usize): void {
  frCopy(r, p);
  frCopy(r + FS, p + FS);
  frCopy(r + 2 * FS, p + 2 * FS);
}

export function pointIdentity(p: usize): void {
  frZero(p);
  frOne(p + FS);
  frOne(p + 2 * FS);
}

/** p = (x, y, 1) from affine coordinates (elements) */
export function pointFromAffine(p: usize, x: usize, y: usize): void {
  frCopy(p, x);
  frCopy(p + FS, y);
  frOne(p + 2 * FS);
}

/** whether affine (x, y) is on the curve: a·x² + y² = 1 + d·x²·y² */
export function onCurve(x: usize, y: usize): bool {
  init();
  const x2 = T_;
  const y2 = T_ + FS;
  const l = T_ + 2 * FS;
  const r = T_ + 3 * FS;
  frSqr(x2, x);
  frSqr(y2, y);
  frMul(l, A_, x2);
  frAdd(l, l, y2);
  frMul(r, x2, y2);
  frMul(r, r, D_);
  const one = T_ + 4 * FS;
  frOne(one);
  frAdd(r, r, one);
  return frEq(l, r);
}

/** r = p + q (add-2008-bbjlp; r may alias p or q) */
export function pointAdd(r: usize, p: usize, q: usize): void {
  init();
  const a = T_;
  const b = T_ + FS;
  const c = T_ + 2 * FS;
  const d = T_ + 3 * FS;
  const e = T_ + 4 * FS;
  const f = T_ + 5 * FS;
  const g = T_ + 6 * FS;
  const t = T_ + 7 * FS;
  const u = T_ + 8 * FS;
  frMul(a, p + 2 * FS, q + 2 * FS); // A = Z1·Z2
  frSqr(b, a); // B = A²
  frMul(c, p, q); // C = X1·X2
  frMul(d, p + FS, q + FS); // D = Y1·Y2
  frMul(e, D_, c);
  frMul(e, e, d); // E = d·C·D
  frSub(f, b, e); // F = B − E
  frAdd(g, b, e); // G = B + E
  frAdd(t, p, p + FS);
  frAdd(u, q, q + FS);
  frMul(t, t, u);
  frSub(t, t, c);
  frSub(t, t, d); // (X1+Y1)(X2+Y2) − C − D
  frMul(u, a, f);
  frMul(r, u, t); // X3 = A·F·(…)
  frMul(t, A_, c);
  frSub(t, d, t); // D − a·C
  frMul(u, a, g);
  frMul(r + FS, u, t); // Y3 = A·G·(D − a·C)
  frMul(r + 2 * FS, f, g); // Z3 = F·G
}

/** r = 2p (dbl-2008-bbjlp; r may alias p) */
export function pointDouble(r: usize, p: usize): void {
  init();
  const b = T_;
  const c = T_ + FS;
  const d = T_ + 2 * FS;
  const e = T_ + 3 * FS;
  const f = T_ + 4 * FS;
  const h = T_ + 5 * FS;
  const j = T_ + 6 * FS;
  frAdd(b, p, p + FS);
  frSqr(b, b); // B = (X1+Y1)²
  frSqr(c, p); // C = X1²
  frSqr(d, p + FS); // D = Y1²
  frMul(e, A_, c); // E = a·C
  frAdd(f, e, d); // F = E + D
  frSqr(h, p + 2 * FS); // H = Z1²
  frAdd(j, h, h);
  frSub(j, f, j); // J = F − 2H
  frSub(b, b, c);
  frSub(b, b, d);
  frMul(r, b, j); // X3 = (B − C − D)·J
  frSub(e, e, d);
  frMul(r + FS, f, e); // Y3 = F·(E − D)
  frMul(r + 2 * FS, f, j); // Z3 = F·J
}

/** bit i of a 32-byte big-endian integer */
export function bitBE(be: usize, i: i32): u32 {
  return (<u32>load<u8>(be + <usize>(31 - (i >> 3))) >> (<u32>(i & 7))) & 1;
}

/** r = k·p, k a 32-byte big-endian integer (double-and-add from the top bit) */
export function pointMul(r: usize, p: usize, k: usize): void {
  const acc = pointNew();
  pointIdentity(acc);
  for (let i = 255; i >= 0; i--) {
    pointDouble(acc, acc);
    if (bitBE(k, i)) pointAdd(acc, acc, p);
  }
  pointCopy(r, acc);
}

export function isIdentity(p: usize): bool {
  return frIsZero(p) && frEq(p + FS, p + 2 * FS);
}

/** whether p (projective) equals affine (x, y): X = x·Z and Y = y·Z */
export function pointEqAffine(p: usize, x: usize, y: usize): bool {
  const t = alloc32(FR_SIZE);
  frMul(t, x, p + 2 * FS);
  if (!frEq(t, p)) return false;
  frMul(t, y, p + 2 * FS);
  return frEq(t, p + FS);
}

/** whether affine (x, y) is on the curve and in the prime-order subgroup (l·P = identity) */
export function inSubgroup(x: usize, y: usize): bool {
  if (!onCurve(x, y)) return false;
  const p = pointNew();
  pointFromAffine(p, x, y);
  pointMul(p, p, SUB_ORDER);
  return isIdentity(p);
}
