/**
 * The oracle's precompiles in TypeScript (precompiles.ts) against known values (EIP-196's doubling
 * of the generator, EIP-197's pairing identities) and micro-eth-signer's KZG; each failure mode
 * gives undefined, as the EVM call fails. The same calls against L1's precompiles on anvil:
 * contracts/osp/PreimageOracle precompile test.
 */
import { bn254 } from '@noble/curves/bn254.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { hexToBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { BYTES_PER_BLOB, loadKzg, versionedHash } from './kzg.ts';
import {
  bn254Add,
  bn254Mul,
  bn254Pairing,
  callPrecompile,
  pointEvaluation,
  precompileGas,
  precompileKey,
  precompileKeyPreimage,
  precompilePreimage,
} from './precompiles.ts';

const w = (v: bigint): Uint8Array => {
  const o = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) o[i] = Number(v & 0xffn);
  return o;
};
const cat = (...a: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of a) {
    out.set(x, o);
    o += x.length;
  }
  return out;
};
const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : 'undefined');

const P = bn254.fields.Fp.ORDER;
const R = bn254.G1.Point.Fn.ORDER;
const G1 = cat(w(1n), w(2n));
/** 2·G1 (EIP-196 test vector: ecadd(G, G) = ecmul(G, 2)) */
const G1x2 = cat(
  w(0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3n),
  w(0x15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4n),
);
const g2 = (pt: ReturnType<typeof bn254.G2.Point.fromAffine>): Uint8Array => {
  const a = pt.toAffine();
  return cat(w(a.x.c1), w(a.x.c0), w(a.y.c1), w(a.y.c0)); // EIP-197: imaginary part first
};
const G2 = g2(bn254.G2.Point.BASE);
const negG1 = cat(w(1n), w(P - 2n));

describe('bn254 add (0x06)', () => {
  it('doubles the generator, adds infinity, pads short input', () => {
    expect(hex(bn254Add(cat(G1, G1)))).toBe(hex(G1x2));
    expect(hex(bn254Add(cat(G1, new Uint8Array(64))))).toBe(hex(G1));
    expect(hex(bn254Add(G1))).toBe(hex(G1)); // the second point padded to (0, 0)
    expect(hex(bn254Add(new Uint8Array(0)))).toBe(hex(new Uint8Array(64)));
    expect(hex(bn254Add(cat(G1, negG1)))).toBe(hex(new Uint8Array(64)));
    expect(hex(bn254Add(cat(G1, G1, Uint8Array.of(7, 7))))).toBe(hex(G1x2)); // extra bytes ignored
  });
  it('fails on a point off the curve or a coordinate ≥ p', () => {
    expect(bn254Add(cat(w(1n), w(3n), G1))).toBeUndefined();
    expect(bn254Add(cat(w(1n + P), w(2n), G1))).toBeUndefined();
    expect(bn254Add(cat(G1, w(0n), w(1n)))).toBeUndefined();
  });
});

describe('bn254 mul (0x07)', () => {
  it('multiplies by 2, 0, r and 2^256 − 1 (reduced mod r)', () => {
    expect(hex(bn254Mul(cat(G1, w(2n))))).toBe(hex(G1x2));
    expect(hex(bn254Mul(cat(G1, w(0n))))).toBe(hex(new Uint8Array(64)));
    expect(hex(bn254Mul(cat(G1, w(R))))).toBe(hex(new Uint8Array(64)));
    expect(hex(bn254Mul(cat(G1, w(R + 2n))))).toBe(hex(G1x2));
    const big = (1n << 256n) - 1n;
    expect(hex(bn254Mul(cat(G1, w(big))))).toBe(hex(bn254Mul(cat(G1, w(big % R)))));
    expect(hex(bn254Mul(G1))).toBe(hex(new Uint8Array(64))); // scalar padded to 0
  });
  it('fails on a bad point', () => {
    expect(bn254Mul(cat(w(1n), w(3n), w(2n)))).toBeUndefined();
    expect(bn254Mul(cat(w(P), w(0n), w(2n)))).toBeUndefined();
  });
});

describe('bn254 pairing (0x08)', () => {
  const one = hex(w(1n));
  const zero = hex(w(0n));
  it('checks e(P, Q)·e(−P, Q) = 1, and not e(P, Q)²', () => {
    expect(hex(bn254Pairing(new Uint8Array(0)))).toBe(one);
    expect(hex(bn254Pairing(cat(G1, G2, negG1, G2)))).toBe(one);
    expect(hex(bn254Pairing(cat(G1, G2, G1, G2)))).toBe(zero);
    expect(hex(bn254Pairing(cat(G1, G2)))).toBe(zero);
    // e(2P, Q)·e(−P, 2Q)... = e(2P, Q)·e(P, Q)^−2 = 1
    const G2x2 = g2(bn254.G2.Point.BASE.double());
    expect(hex(bn254Pairing(cat(G1x2, G2, negG1, G2x2)))).toBe(one);
    // a pair with a point at infinity contributes 1
    expect(hex(bn254Pairing(cat(new Uint8Array(64), G2)))).toBe(one);
    expect(hex(bn254Pairing(cat(G1, new Uint8Array(128))))).toBe(one);
  });
  it('fails on a length not a multiple of 192, a bad G1 or G2 point, a coordinate ≥ p', () => {
    expect(bn254Pairing(cat(G1, G2, Uint8Array.of(0)))).toBeUndefined();
    expect(bn254Pairing(cat(w(1n), w(3n), G2))).toBeUndefined();
    const badG2 = G2.slice();
    badG2[127] ^= 1;
    expect(bn254Pairing(cat(G1, badG2))).toBeUndefined();
    const swapped = cat(G2.subarray(32, 64), G2.subarray(0, 32), G2.subarray(96, 128), G2.subarray(64, 96));
    expect(bn254Pairing(cat(G1, swapped))).toBeUndefined(); // real part first: not on the twist
    expect(bn254Pairing(cat(G1, w(P), G2.subarray(32)))).toBeUndefined();
  });
  it('fails on a G2 point on the twist but outside the order-r subgroup', () => {
    const Fp2 = bn254.fields.Fp2;
    const base = bn254.G2.Point.BASE.toAffine();
    const b = Fp2.sub(Fp2.sqr(base.y), Fp2.mul(Fp2.sqr(base.x), base.x)); // the twist's b'
    for (let c = 1n; ; c++) {
      const x = Fp2.create({ c0: c, c1: 1n });
      const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
      let y: typeof x;
      try {
        y = Fp2.sqrt(rhs);
      } catch {
        continue;
      }
      const enc = cat(w(x.c1), w(x.c0), w(y.c1), w(y.c0));
      expect(bn254Pairing(cat(G1, enc))).toBeUndefined();
      return;
    }
  });
});

describe('KZG point evaluation (0x0a)', () => {
  it('accepts a proof made by micro-eth-signer, refuses a wrong y, hash, z ≥ modulus or length', async () => {
    const kzg = await loadKzg();
    const blob = new Uint8Array(BYTES_PER_BLOB);
    for (let i = 0; i < 8; i++) blob[i * 32 + 31] = i + 3; // a few small field elements
    const blobHex = `0x${Buffer.from(blob).toString('hex')}`;
    const commitment = hexToBytes(kzg.blobToKzgCommitment(blobHex) as `0x${string}`);
    const z = 0x1234567890abcdefn;
    const [proofHex, yHex] = kzg.computeProof(blobHex, z);
    const proof = hexToBytes(proofHex as `0x${string}`);
    const y = hexToBytes(yHex as `0x${string}`);
    const vh = hexToBytes(versionedHash(commitment));
    const input = cat(vh, w(z), y, commitment, proof);
    const out = pointEvaluation(input);
    expect(hex(out)).toBe(
      hex(cat(w(4096n), w(0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n))),
    );
    const wrongY = input.slice();
    wrongY[95] ^= 1;
    expect(pointEvaluation(wrongY)).toBeUndefined();
    const wrongHash = input.slice();
    wrongHash[5] ^= 1;
    expect(pointEvaluation(wrongHash)).toBeUndefined();
    const bigZ = cat(
      vh,
      w(0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n),
      y,
      commitment,
      proof,
    );
    expect(pointEvaluation(bigZ)).toBeUndefined();
    expect(pointEvaluation(input.subarray(0, 191))).toBeUndefined();
    expect(pointEvaluation(cat(input, Uint8Array.of(0)))).toBeUndefined();
    const badProof = input.slice();
    badProof[150] ^= 1;
    expect(pointEvaluation(badProof)).toBeUndefined();
  });
});

describe('kind-2 preimage (docs/machine.md §6.3)', () => {
  it('is status ‖ output under keccak256(address ‖ input)', () => {
    const keyPre = precompileKeyPreimage(0x06, cat(G1, G1));
    expect(keyPre.length).toBe(148);
    expect(hex(keyPre.subarray(0, 20))).toBe(`${'00'.repeat(19)}06`);
    expect(hex(precompileKey(0x06, cat(G1, G1)))).toBe(hex(keccak_256(keyPre)));
    expect(hex(precompilePreimage(keyPre))).toBe(`01${hex(G1x2)}`);
    expect(hex(precompilePreimage(precompileKeyPreimage(0x07, cat(w(1n), w(3n), w(2n)))))).toBe('00');
  });
  it('has none for another address or a key preimage shorter than an address', () => {
    expect(precompilePreimage(precompileKeyPreimage(0x05, new Uint8Array(96)))).toBeUndefined();
    const notPrecompile = precompileKeyPreimage(0x06, G1);
    notPrecompile[0] = 1;
    expect(precompilePreimage(notPrecompile)).toBeUndefined();
    expect(precompilePreimage(new Uint8Array(19))).toBeUndefined();
    expect(() => callPrecompile(0x01, G1)).toThrow(/not served by the oracle/);
  });
  it('prices the calls as L1 does (EIP-1108, EIP-4844)', () => {
    expect([0x06, 0x07, 0x0a].map((id) => precompileGas(id, 0))).toEqual([150, 6000, 50_000]);
    expect(precompileGas(0x08, 384)).toBe(45_000 + 2 * 34_000);
  });
});
