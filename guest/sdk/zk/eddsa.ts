// EdDSA-Poseidon verification on BabyJubJub with circomlibjs's verifyPoseidon semantics
// (docs/validity.md §2.2, §2.4): R8 and A on the curve, S < l, and S·B8 = R8 + (8·h)·A with
// h = Poseidon(R8x, R8y, Ax, Ay, M). Checked as S·B8 + (8h)·(−A) = R8 by one joint double-and-add
// over 259 bits (Shamir's trick: about 4,300 field products).
import { alloc32 } from "../bytes";
import {
  base8, bitBE, onCurve, pointAdd, pointDouble, pointEqAffine, pointFromAffine, pointIdentity, pointNew,
  POINT_SIZE, SUB_ORDER,
} from "./babyjub";
import { FR_SIZE, frCopy, frNeg, frToBE } from "./field";
import { poseidon } from "./poseidon";

const FS: usize = <usize>FR_SIZE;

/** whether the 32-byte big-endian integer at a is < the one at b */
function ltBE(a: usize, b: usize): bool {
  for (let i = 0; i < 32; i++) {
    const x = load<u8>(a + <usize>i);
    const y = load<u8>(b + <usize>i);
    if (x != y) return x < y;
  }
  return false;
}

/**
 * Whether (R8x, R8y, S) signs `msg` for the key (ax, ay): msg, r8x, r8y, ax, ay are elements
 * (field.ts; an input ≥ p is refused before, by frFromBE), s a 32-byte big-endian integer.
 */
export function verifyPoseidon(msg: usize, r8x: usize, r8y: usize, s: usize, ax: usize, ay: usize): bool {
  if (!onCurve(r8x, r8y)) return false;
  if (!onCurve(ax, ay)) return false;
  if (!ltBE(s, SUB_ORDER)) return false;
  const inputs = alloc32(5 * FR_SIZE);
  frCopy(inputs, r8x);
  frCopy(inputs + FS, r8y);
  frCopy(inputs + 2 * FS, ax);
  frCopy(inputs + 3 * FS, ay);
  frCopy(inputs + 4 * FS, msg);
  const h = alloc32(FR_SIZE);
  poseidon(h, inputs, 5);
  const hBE = alloc32(32);
  frToBE(hBE, h);
  // the table: B8, −A, B8 − A
  const b8 = base8();
  const negA = pointNew();
  const nax = alloc32(FR_SIZE);
  frNeg(nax, ax);
  pointFromAffine(negA, nax, ay);
  const both = pointNew();
  pointAdd(both, b8, negA);
  const acc = pointNew();
  pointIdentity(acc);
  // bit i of 8h is bit i − 3 of h (h < 2^254, so 8h < 2^257); S < 2^252
  for (let i = 257; i >= 0; i--) {
    pointDouble(acc, acc);
    const sb = i < 256 ? bitBE(s, i) : 0;
    const hb = i >= 3 && i - 3 < 256 ? bitBE(hBE, i - 3) : 0;
    if (sb != 0 && hb != 0) pointAdd(acc, acc, both);
    else if (sb != 0) pointAdd(acc, acc, b8);
    else if (hb != 0) pointAdd(acc, acc, negA);
  }
  return pointEqAffine(acc, r8x, r8y);
}

export { POINT_SIZE };
