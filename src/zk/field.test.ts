import { describe, expect, it } from 'vitest';
import { batchInverse, inv, lagrangeAt, mod, pow } from './field.ts';
import { BN254_R } from './r1cs.ts';

// a 2^3-th root of unity: 5^((r−1)/8) (5 generates the 2-power part of BN254's scalar field)
const omega8 = pow(5n, (BN254_R - 1n) / 8n);

describe('field', () => {
  it('inverts, one at a time and in batches', () => {
    const xs = [1n, 2n, 12345n, BN254_R - 1n];
    const invs = batchInverse(xs);
    xs.forEach((x, i) => {
      expect(mod(x * invs[i])).toBe(1n);
      expect(inv(x)).toBe(invs[i]);
    });
    expect(() => inv(0n)).toThrow(RangeError);
  });

  it('evaluates the Lagrange basis: it sums to 1 and interpolates a polynomial', () => {
    expect(pow(omega8, 8n)).toBe(1n);
    expect(pow(omega8, 4n)).not.toBe(1n);
    const tau = 987654321n;
    const L = lagrangeAt(tau, 8, omega8);
    expect(L.reduce((a, b) => mod(a + b), 0n)).toBe(1n);
    // p(x) = 3x^5 + 7x + 11 from its values on the domain, at τ
    const p = (x: bigint) => mod(3n * pow(x, 5n) + 7n * x + 11n);
    const atTau = L.reduce((acc, l, j) => mod(acc + l * p(pow(omega8, BigInt(j)))), 0n);
    expect(atTau).toBe(p(tau));
  });

  it('refuses a τ in the domain and an ω of the wrong order', () => {
    expect(() => lagrangeAt(omega8, 8, omega8)).toThrow(/root of unity/);
    expect(() => lagrangeAt(3n, 8, pow(omega8, 2n) + 1n)).toThrow(/not an n-th root/);
  });
});
