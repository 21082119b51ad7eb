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

/**
 * A preimage the STF reads for a batch (docs/machine.md §6): kind 0 by keccak256 (a certified
 * batch's data), kind 1 by EIP-4844 versioned hash (a blob).
 */
export interface BatchPreimage {
  kind: number;
  hash: Uint8Array;
  bytes: Uint8Array;
}

/** Options of {@link DataAvailability.posting}. */
export interface PostingOptions {
  /** inline (calldata) batches: post `0x04 ‖ brotli(list)` when smaller (default true; docs/inbox.md §5.1) */
  compress?: boolean;
}

/**
 * How a stored batch goes to the settlement inbox (docs/inbox.md §5): the `postBatch` kind and
 * payload, the message the inbox appends for it, and the blobs a type-3 transaction must carry.
 */
export interface BatchPosting {
  kind: number;
  payload: Uint8Array;
  /** the inbox message the batch appends (what derivation reads back and the accumulator binds) */
  message: Uint8Array;
  /** a blob batch: the pointer with its sidecars (the blob transaction's fields) */
  blobs?: DaPointer & { kind: 'blob' };
  /** which DA path carried it */
  pointer: DaPointer['kind'];
  usedFallback: boolean;
}

/** A batch message as read back from the settlement inbox, for {@link DataAvailability.resolve}. */
export interface InboxBatch {
  /** inbox position (for messages) */
  position: bigint;
  /** the inbox message: kind byte first */
  message: Uint8Array;
  /** the `postBatch` payload, when the reader has it (certificate batches need it: the certificate) */
  payload?: Uint8Array;
  /** the settlement block that carried it (where blob modules fetch their blobs) */
  l1BlockNumber: bigint;
}

/** The bytes behind an inbox batch message and the preimages the STF reads them through. */
export interface ResolvedBatch {
  /** the batch data (a transaction list) */
  data: Uint8Array;
  /** what the STF reads for this message as preimages (none for inline batches) */
  preimages: BatchPreimage[];
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
   * Make `data` available and return its pointer. Committee DA returns a certificate, or, when too
   * few members sign before the timeout, the fallback's pointer. For L1 paths nothing is sent here:
   * the batcher's `postBatch` transaction ({@link posting}) makes the data available.
   */
  store(data: Uint8Array): Promise<StoredBatch>;
  /** The `postBatch` call of a batch this module (or its fallback) stored. Throws DA_INVALID_POINTER for another pointer. */
  posting(stored: StoredBatch, opts?: PostingOptions): BatchPosting;
  /**
   * The bytes behind an inbox batch message, and the preimages the STF reads (derivation sees bytes
   * only). Throws DA_UNAVAILABLE when the data cannot be obtained now (derivation waits and retries)
   * and DA_INVALID_POINTER for a message that is malformed, fails verification or is of a kind this
   * module does not read (derivation then executes the message as is: an empty block by the STF's rule).
   */
  resolve(batch: InboxBatch): Promise<ResolvedBatch>;
  /**
   * Whether the inbox message `message` carries exactly `data` (a batch posted before a restart,
   * maybe through the fallback). Never throws for a message of another kind: false.
   */
  carries(message: Uint8Array, data: Uint8Array): Promise<boolean>;
  /**
   * The bytes behind a pointer, checked against the pointer (hash, versioned hash, certificate).
   * Throws a ModexError (code DA_UNAVAILABLE) when the data cannot be obtained; a pointer that is
   * malformed or fails verification throws DA_INVALID_POINTER.
   */
  retrieve(pointer: DaPointer): Promise<Uint8Array>;
  /** Cheap, synchronous shape/signature check of a pointer read from L1. Returns a reason when invalid. */
  checkPointer(pointer: DaPointer): string | undefined;
  /** Stable binary encoding of a pointer (first byte: pointer kind = the inbox message kind). */
  encodePointer(pointer: DaPointer): Uint8Array;
  /** Inverse of encodePointer. Throws DA_INVALID_POINTER on unknown or truncated input. */
  decodePointer(bytes: Uint8Array): DaPointer;
}
