/**
 * Reads circom's `.r1cs` binary (iden3's r1cs format: "r1cs", version 1, sections 1 = header and
 * 2 = constraints; docs/validity.md §4 uses it for the development setup). Coefficients are
 * little-endian integers below the curve's scalar field prime.
 */
import { readFileSync } from 'node:fs';
import { ZkInputError } from './errors.ts';

/** BN254's scalar field (the prime circom compiles for by default, `-p bn128`). */
export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** One linear combination: parallel arrays of wire ids and coefficients. */
export interface LinearCombination {
  wires: Uint32Array;
  coefs: bigint[];
}

export interface R1cs {
  prime: bigint;
  /** wires, the constant 1 (wire 0) included */
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  nConstraints: number;
  /** A · w ∘ B · w = C · w, per constraint */
  constraints: { a: LinearCombination; b: LinearCombination; c: LinearCombination }[];
}

/** Header only (cheap): what `compileCircuit` reports. */
export function readR1csHeader(bytes: Uint8Array): Omit<R1cs, 'constraints'> {
  return parse(bytes, false);
}

export function readR1cs(pathOrBytes: string | Uint8Array): R1cs {
  const bytes = typeof pathOrBytes === 'string' ? new Uint8Array(readFileSync(pathOrBytes)) : pathOrBytes;
  return parse(bytes, true) as R1cs;
}

function parse(bytes: Uint8Array, withConstraints: boolean): R1cs | Omit<R1cs, 'constraints'> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'r1cs')
    throw new ZkInputError('not an .r1cs file (no "r1cs" magic): compile the circuit with circom --r1cs');
  const nSections = dv.getUint32(8, true);
  const sections = new Map<number, { at: number; size: number }>();
  let p = 12;
  for (let i = 0; i < nSections; i++) {
    const type = dv.getUint32(p, true);
    const size = Number(dv.getBigUint64(p + 4, true));
    sections.set(type, { at: p + 12, size });
    p += 12 + size;
  }
  const h = sections.get(1);
  if (!h) throw new ZkInputError('.r1cs file without a header section');
  let q = h.at;
  const n8 = dv.getUint32(q, true);
  const prime = readLE(bytes, q + 4, n8);
  q += 4 + n8;
  const header = {
    prime,
    nWires: dv.getUint32(q, true),
    nPubOut: dv.getUint32(q + 4, true),
    nPubIn: dv.getUint32(q + 8, true),
    nPrvIn: dv.getUint32(q + 12, true),
    nConstraints: dv.getUint32(q + 24, true),
  };
  if (!withConstraints) return header;
  const s = sections.get(2);
  if (!s) throw new ZkInputError('.r1cs file without a constraints section');
  q = s.at;
  const lc = (): LinearCombination => {
    const n = dv.getUint32(q, true);
    q += 4;
    const wires = new Uint32Array(n);
    const coefs: bigint[] = new Array(n);
    for (let i = 0; i < n; i++) {
      wires[i] = dv.getUint32(q, true);
      coefs[i] = readLE(bytes, q + 4, n8);
      q += 4 + n8;
    }
    return { wires, coefs };
  };
  const constraints: R1cs['constraints'] = [];
  for (let c = 0; c < header.nConstraints; c++) constraints.push({ a: lc(), b: lc(), c: lc() });
  return { ...header, constraints };
}

/** Little-endian unsigned integer of `n` bytes at `at`. */
export function readLE(bytes: Uint8Array, at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i -= 8) {
    const lo = Math.max(0, i - 7);
    let w = 0n;
    for (let j = i; j >= lo; j--) w = (w << 8n) | BigInt(bytes[at + j]);
    v = (v << BigInt((i - lo + 1) * 8)) | w;
  }
  return v;
}
