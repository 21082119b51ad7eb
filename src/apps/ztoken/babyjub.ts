/**
 * BabyJubJub over plain bigints, for the circuit's witness (docs/validity.md §3): point addition
 * (complete, twisted Edwards), scalar multiplication, the y of an x with a given parity, and the
 * split of a point P = 8·Q + T into its prime-order part and its 8-torsion part, which is how the
 * circuit proves that an `open` key is (or is not) in the prime-order subgroup. The curve's group is
 * cyclic of order 8·l (circomlibjs's Generator has that order), so the split exists and is unique.
 */
import { FIELD_P as P } from './crypto.ts';
import { BABYJUB_A as A, BABYJUB_D as D } from './records.ts';

export type Pt = readonly [bigint, bigint];

export const SUB_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;
export const GENERATOR: Pt = [
  995203441582195749578291179787384436505546430278305826713579947235728471134n,
  5472060717959818805561601436314318772137091100104008585924551046643952123905n,
];
export const BASE8: Pt = [
  5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  16950150798460657717958625567821834550301663161624707787222815936182638968203n,
];
export const IDENTITY: Pt = [0n, 1n];

const mod = (x: bigint, m = P) => ((x % m) + m) % m;

function pow(b: bigint, e: bigint, m = P): bigint {
  let r = 1n;
  let x = mod(b, m);
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
  }
  return r;
}
const inv = (x: bigint, m = P) => pow(x, m - 2n, m);

export function add(p: Pt, q: Pt): Pt {
  const [x1, y1] = p;
  const [x2, y2] = q;
  const t = mod(D * x1 * x2 * y1 * y2);
  return [mod((x1 * y2 + y1 * x2) * inv(1n + t)), mod((y1 * y2 - A * x1 * x2) * inv(mod(1n - t)))];
}

export function mul(p: Pt, k: bigint): Pt {
  let r: Pt = IDENTITY;
  let b = p;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) r = add(r, b);
    b = add(b, b);
  }
  return r;
}

export const eq = (p: Pt, q: Pt) => p[0] === q[0] && p[1] === q[1];

/** a square root mod p (Tonelli–Shanks), or undefined */
export function sqrt(n: bigint): bigint | undefined {
  const a = mod(n);
  if (a === 0n) return 0n;
  if (pow(a, (P - 1n) / 2n) !== 1n) return undefined;
  let s = 0n;
  let q = P - 1n;
  while ((q & 1n) === 0n) {
    q >>= 1n;
    s++;
  }
  let z = 2n;
  while (pow(z, (P - 1n) / 2n) !== P - 1n) z++;
  let m = s;
  let c = pow(z, q);
  let t = pow(a, q);
  let r = pow(a, (q + 1n) / 2n);
  while (t !== 1n) {
    let i = 0n;
    for (let u = t; u !== 1n; u = (u * u) % P) i++;
    const b = pow(c, 1n << (m - i - 1n));
    m = i;
    c = (b * b) % P;
    t = (t * c) % P;
    r = (r * b) % P;
  }
  return r;
}

/** the y with parity `sign` of the curve point with this x, or undefined if there is none */
export function yOf(x: bigint, sign: number): bigint | undefined {
  const x2 = mod(x * x);
  const y = sqrt(mod((1n - A * x2) * inv(mod(1n - D * x2))));
  if (y === undefined) return undefined;
  return Number(y & 1n) === sign ? y : mod(-y);
}

/** the 8-torsion points T_k = k·(l·G), k = 0 … 7 (T_0 the identity) */
export const TORSION: readonly Pt[] = (() => {
  const t1 = mul(GENERATOR, SUB_ORDER);
  const out: Pt[] = [IDENTITY];
  for (let k = 1; k < 8; k++) out.push(add(out[k - 1], t1));
  return out;
})();

/** P = 8·Q + TORSION[t] for a point P of the curve: P is in the prime-order subgroup iff t = 0 */
export function splitTorsion(p: Pt): { q: Pt; t: number } {
  // l·P = l·T; T = (l⁻¹ mod 8)·l·P
  const lInv8 = SUB_ORDER % 8n === 1n ? 1n : SUB_ORDER % 8n === 3n ? 3n : SUB_ORDER % 8n === 5n ? 5n : 7n;
  const tp = mul(p, SUB_ORDER * lInv8);
  const t = TORSION.findIndex((x) => eq(x, tp));
  if (t < 0) throw new RangeError('not a point of BabyJubJub');
  const s = add(p, [mod(-tp[0]), tp[1]]);
  return { q: mul(s, inv(8n, SUB_ORDER)), t };
}
