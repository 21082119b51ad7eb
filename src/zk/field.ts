/** Arithmetic in BN254's scalar field r (the setup's scalars; docs/validity.md §4). */
import { BN254_R as R } from './r1cs.ts';

export const mod = (a: bigint): bigint => {
  const m = a % R;
  return m < 0n ? m + R : m;
};

export function pow(base: bigint, e: bigint): bigint {
  let r = 1n;
  let b = mod(base);
  let x = e;
  while (x > 0n) {
    if (x & 1n) r = (r * b) % R;
    b = (b * b) % R;
    x >>= 1n;
  }
  return r;
}

export const inv = (a: bigint): bigint => {
  if (mod(a) === 0n) throw new RangeError('inverse of 0');
  return pow(a, R - 2n);
};

/** Inverses of every element (Montgomery's trick: one inversion); every element must be nonzero. */
export function batchInverse(xs: bigint[]): bigint[] {
  const prefix: bigint[] = new Array(xs.length);
  let acc = 1n;
  for (let i = 0; i < xs.length; i++) {
    prefix[i] = acc;
    acc = (acc * xs[i]) % R;
  }
  let invAcc = inv(acc);
  const out: bigint[] = new Array(xs.length);
  for (let i = xs.length - 1; i >= 0; i--) {
    out[i] = (invAcc * prefix[i]) % R;
    invAcc = (invAcc * xs[i]) % R;
  }
  return out;
}

/**
 * The Lagrange basis of the domain {ω^j : j < n} evaluated at τ, all n of them:
 * L_j(τ) = (τ^n − 1)/n · ω^j/(τ − ω^j). τ must not lie in the domain.
 */
export function lagrangeAt(tau: bigint, n: number, omega: bigint): bigint[] {
  const zOverN = mod((pow(tau, BigInt(n)) - 1n) * inv(BigInt(n)));
  if (zOverN === 0n) throw new RangeError('τ is a root of unity of the domain');
  const w: bigint[] = new Array(n);
  let x = 1n;
  for (let j = 0; j < n; j++) {
    w[j] = x;
    x = (x * omega) % R;
  }
  if (x !== 1n) throw new RangeError(`ω is not an n-th root of unity (n = ${n})`);
  const dInv = batchInverse(w.map((v) => mod(tau - v)));
  return w.map((v, j) => (((zOverN * v) % R) * dInv[j]) % R);
}
