/**
 * The type-3 (EIP-4844) transaction fields of a blob batch (docs/blob.md §2): what the batcher
 * spreads into viem's `sendTransaction` / `writeContract` (e.g. `InboxClient.postBatch(…,
 * { kind: 0x02, blobTx })`). viem computes the versioned hashes and the sidecar from `blobs` and
 * `kzg`; the `kzg` given here answers from the sidecars `L1BlobDa.store` already computed, so
 * nothing is computed twice.
 */
import type { Hex, Kzg } from 'viem';
import { bytesToHex } from 'viem';
import type { DaPointer } from '../../core/types.ts';
import { viemKzg } from '../../crypto/kzg.ts';
import { DaInvalidPointerError } from '../errors.ts';
import { BYTES_PER_BLOB } from './blob-codec.ts';

/** Blob gas of one blob (EIP-4844 GAS_PER_BLOB). */
export const GAS_PER_BLOB = 131_072n;

/** The blobs with their commitments and proofs (`pointer.sidecars` of L1BlobDa.store). */
export interface BlobSidecars {
  blobs: Uint8Array[];
  commitments: Uint8Array[];
  proofs: Uint8Array[];
}

/** The extra viem transaction fields of a blob transaction. */
export interface BlobTxParams {
  blobs: Hex[];
  kzg: Kzg;
  maxFeePerBlobGas: bigint;
  /** Always 'eip4844'. */
  type: 'eip4844';
}

/** What blobTxParams needs of a viem public client. */
export interface BlobFeeReader {
  getBlobBaseFee(): Promise<bigint>;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

/**
 * A viem `Kzg` that answers from precomputed sidecars; a blob it was not given goes to `fallback`
 * (the real KZG), so it is always correct, just slow for unknown blobs.
 */
export function sidecarKzg(sidecars: BlobSidecars, fallback: Kzg): Kzg {
  const find = (blob: Uint8Array) => sidecars.blobs.findIndex((b) => sameBytes(b, blob));
  return {
    blobToKzgCommitment(blob) {
      const i = find(blob);
      return i >= 0 ? sidecars.commitments[i] : fallback.blobToKzgCommitment(blob);
    },
    computeBlobKzgProof(blob, commitment) {
      const i = find(blob);
      return i >= 0 && sameBytes(sidecars.commitments[i], commitment)
        ? sidecars.proofs[i]
        : fallback.computeBlobKzgProof(blob, commitment);
    },
  };
}

/**
 * maxFeePerBlobGas: twice the current blob base fee (it rises at most 12.5% per block, so this
 * survives ~6 full blocks before inclusion), at least `min` (default 1 wei). The transaction pays
 * only the base fee of its block.
 */
export async function suggestMaxFeePerBlobGas(client: BlobFeeReader, min = 1n): Promise<bigint> {
  const base = await client.getBlobBaseFee();
  const fee = base * 2n;
  return fee > min ? fee : min;
}

/**
 * The type-3 fields for sending the blobs of a blob pointer (or bare sidecars). The transaction's
 * versioned hashes are then exactly `pointer.versionedHashes`, in order.
 */
export async function blobTxParams(
  client: BlobFeeReader,
  source: DaPointer | BlobSidecars,
  opts: { maxFeePerBlobGas?: bigint } = {},
): Promise<BlobTxParams> {
  const sidecars = 'kind' in source ? (source.kind === 'blob' ? source.sidecars : undefined) : source;
  if (!sidecars || sidecars.blobs.length === 0)
    throw new DaInvalidPointerError(
      'a blob transaction needs the blobs: pass the pointer L1BlobDa.store returned (with its sidecars)',
    );
  if (sidecars.blobs.some((b) => b.length !== BYTES_PER_BLOB))
    throw new DaInvalidPointerError(`every blob is ${BYTES_PER_BLOB} bytes`);
  return {
    blobs: sidecars.blobs.map((b) => bytesToHex(b)),
    kzg: sidecarKzg(sidecars, await viemKzg()),
    maxFeePerBlobGas: opts.maxFeePerBlobGas ?? (await suggestMaxFeePerBlobGas(client)),
    type: 'eip4844',
  };
}
