/**
 * The data availability layer: where anyone can get batch data. Implementations: l1-calldata,
 * l1-blob (EIP-4844), committee (AnyTrust-style DAC that falls back to L1 when it cannot certify).
 */
import type { DaModuleName, DaPointer, Hash32 } from './types.ts';

/** Result of storing a batch. */
export interface StoredBatch {
  pointer: DaPointer;
  /** keccak256 of the batch bytes. */
  dataHash: Hash32;
  /** True when the module could not use its primary path and used its fallback (committee -> L1). */
  usedFallback: boolean;
}

/** The data availability module. */
export interface DataAvailability {
  readonly name: DaModuleName;
  /**
   * Modules with a primary path that can fail (the committee): the L1 module that carries a batch
   * instead. The batcher also uses it when L1 refuses the primary pointer (e.g. a certificate of a
   * keyset rotated out on L1), so the chain stays live.
   */
  readonly fallback?: DataAvailability;
  /** Largest batch (bytes) one `store` call accepts; the batcher seals batches below it. */
  readonly maxBatchBytes: number;
  /**
   * Make `data` available and return the pointer to put in the L1 inbox. Committee DA returns a
   * certificate, or, when too few members sign before the timeout, the fallback's pointer. For
   * L1 paths the pointer may be "posted" by the settlement module in the same transaction.
   */
  store(data: Uint8Array): Promise<StoredBatch>;
  /**
   * The bytes behind a pointer, checked against the pointer (hash, versioned hash, certificate).
   * Throws a ModexError (code DA_UNAVAILABLE) when the data cannot be obtained; a pointer that is
   * malformed or fails verification throws DA_INVALID_POINTER and derivation treats the batch as empty.
   */
  retrieve(pointer: DaPointer): Promise<Uint8Array>;
  /**
   * Blob modules: the raw blobs behind a blob pointer (checked against its versioned hashes), which
   * the STF reads as preimages (kind 1); `pointer.l1BlockNumber` says where they were posted.
   */
  retrieveBlobs?(pointer: DaPointer): Promise<Uint8Array[]>;
  /** Cheap, synchronous shape/signature check of a pointer read from L1. Returns a reason when invalid. */
  checkPointer(pointer: DaPointer): string | undefined;
  /** Stable binary encoding of a pointer for the inbox (first byte: pointer kind). */
  encodePointer(pointer: DaPointer): Uint8Array;
  /** Inverse of encodePointer. Throws DA_INVALID_POINTER on unknown or truncated input. */
  decodePointer(bytes: Uint8Array): DaPointer;
}
