/**
 * Writes a Groth16 `.zkey` in the exact binary layout snarkjs reads (iden3 binfile "zkey" version 1;
 * snarkjs src/zkey_new.js writes the same sections): 1 protocol (1 = Groth16), 2 the Groth16 header,
 * 3 IC, 4 the A and B coefficients, 5 A, 6 B1, 7 B2, 8 C, 9 H, 10 contributions. Points are affine,
 * little-endian Montgomery form (snarkjs's "LEM"); docs/validity.md §4.
 */
import { BN254_R } from './r1cs.ts';

/** BN254's base field. */
export const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

export interface ZkeyContent {
  nVars: number;
  nPublic: number;
  domainSize: number;
  /** LEM points: alpha1, beta1, delta1 (64 bytes each), beta2, gamma2, delta2 (128 bytes each) */
  alpha1: Uint8Array;
  beta1: Uint8Array;
  beta2: Uint8Array;
  gamma2: Uint8Array;
  delta1: Uint8Array;
  delta2: Uint8Array;
  /** section 4's payload: count, then (matrix, constraint, signal, coef·R² mod r) entries */
  coefs: Uint8Array;
  ic: Uint8Array;
  a: Uint8Array;
  b1: Uint8Array;
  b2: Uint8Array;
  c: Uint8Array;
  h: Uint8Array;
  /** section 10: the circuit hash (64 bytes), no contributions */
  csHash: Uint8Array;
}

const R_MONT = (1n << 256n) % BN254_R;
export const R2_MOD_R = (R_MONT * R_MONT) % BN254_R;

/** 32-byte little-endian encoding. */
export function le32(v: bigint, out = new Uint8Array(32), at = 0): Uint8Array {
  let x = v;
  for (let i = 0; i < 32; i++) {
    out[at + i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** One coefficient entry of section 4 (snarkjs stores the coefficient times R² mod r). */
export function coefEntry(matrix: 0 | 1, constraint: number, signal: number, coef: bigint): Uint8Array {
  const e = new Uint8Array(44);
  const dv = new DataView(e.buffer);
  dv.setUint32(0, matrix, true);
  dv.setUint32(4, constraint, true);
  dv.setUint32(8, signal, true);
  le32((coef * R2_MOD_R) % BN254_R, e, 12);
  return e;
}

export function encodeZkey(z: ZkeyContent): Uint8Array {
  const u32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return b;
  };
  const header = [
    u32(32),
    le32(BN254_Q),
    u32(32),
    le32(BN254_R),
    u32(z.nVars),
    u32(z.nPublic),
    u32(z.domainSize),
    z.alpha1,
    z.beta1,
    z.beta2,
    z.gamma2,
    z.delta1,
    z.delta2,
  ];
  const sections: [number, Uint8Array[]][] = [
    [1, [u32(1)]],
    [2, header],
    [3, [z.ic]],
    [4, [z.coefs]],
    [5, [z.a]],
    [6, [z.b1]],
    [7, [z.b2]],
    [8, [z.c]],
    [9, [z.h]],
    [10, [z.csHash, u32(0)]],
  ];
  const parts: Uint8Array[] = [new TextEncoder().encode('zkey'), u32(1), u32(sections.length)];
  for (const [id, data] of sections) {
    const size = data.reduce((n, d) => n + d.length, 0);
    const h = new Uint8Array(12);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, id, true);
    dv.setBigUint64(4, BigInt(size), true);
    parts.push(h, ...data);
  }
  return Buffer.concat(parts);
}
