/**
 * Blob DA (`da.module: "l1-blob"`, docs/blob.md): a batch is posted as EIP-4844 blobs of the
 * sequencer's `Inbox.postBatch(seq, delayedRead, 0x02, "")` type-3 transaction; the inbox appends
 * `0x02 ‖ blobhash(0) ‖ … ‖ blobhash(k−1)`, which is also the encoded pointer (docs/blob.md §2).
 * `store` encodes the blobs (blob stream v1, §1) and computes their sidecars (commitments, blob
 * proofs) for the batcher's transaction (blob-tx.ts); `retrieve` reads them back from the L1 node
 * through a BlobSource and checks each against its versioned hash.
 */
import { bytesToHex, concatBytes, hexToBytes } from 'viem';
import type {
  BatchPosting,
  DataAvailability,
  InboxBatch,
  ResolvedBatch,
  StoredBatch,
} from '../../core/da.ts';
import type { DaPointer, Hash32 } from '../../core/types.ts';
import { keccak256Hex } from '../../crypto/keccak.ts';
import { blobCommitment, commitBlob, versionedHash } from '../../crypto/kzg.ts';
import {
  BATCH_KIND,
  BATCH_PREIMAGE_KIND,
  DA_POINTER_KIND,
  inlineCarries,
  isInline,
  resolveInline,
  unreadKind,
} from '../batch-message.ts';
import { DaInvalidPointerError, DaUnavailableError } from '../errors.ts';
import { decodeBlobs, encodeBlobs, L1_BLOB_MAX_BATCH_BYTES, MAX_BLOBS_PER_TX } from './blob-codec.ts';
import type { BlobSource } from './blob-source.ts';

type BlobPointer = Extract<DaPointer, { kind: 'blob' }>;

export interface L1BlobDaOptions {
  /** Where `retrieve` reads blobs, tried in order (a blob missing in one is asked of the next). */
  sources?: BlobSource[];
  maxBatchBytes?: number;
}

export class L1BlobDa implements DataAvailability {
  readonly name = 'l1-blob' as const;
  readonly maxBatchBytes: number;
  private readonly sources: BlobSource[];

  constructor(opts: L1BlobDaOptions = {}) {
    const max = opts.maxBatchBytes ?? L1_BLOB_MAX_BATCH_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0 || max > L1_BLOB_MAX_BATCH_BYTES)
      throw new RangeError(`maxBatchBytes ${max} is not in 1..${L1_BLOB_MAX_BATCH_BYTES}`);
    this.maxBatchBytes = max;
    this.sources = opts.sources ?? [];
  }

  /** The blobs of `data` with their sidecars (~1.3 s of KZG per blob); nothing is sent here. */
  async store(data: Uint8Array): Promise<StoredBatch> {
    const blobs = encodeBlobs(data, this.maxBatchBytes);
    const commitments: Uint8Array[] = [];
    const proofs: Uint8Array[] = [];
    const versionedHashes: Hash32[] = [];
    for (const blob of blobs) {
      const c = await commitBlob(blob);
      commitments.push(c.commitment);
      proofs.push(c.proof);
      versionedHashes.push(c.versionedHash);
    }
    return {
      pointer: { kind: 'blob', versionedHashes, sidecars: { blobs, commitments, proofs } },
      dataHash: keccak256Hex(data),
      usedFallback: false,
    };
  }

  /**
   * `postBatch(0x02, "")` in a type-3 transaction carrying the pointer's blobs (docs/inbox.md §5.2):
   * the inbox appends `0x02 ‖ versionedHash*`, the encoded pointer.
   */
  posting(stored: StoredBatch): BatchPosting {
    const p = stored.pointer;
    const why = this.checkPointer(p);
    if (why) throw new DaInvalidPointerError(why);
    const blobs = p as BlobPointer;
    const sc = blobs.sidecars;
    if (!sc || sc.blobs.length !== blobs.versionedHashes.length)
      throw new DaInvalidPointerError(
        'a blob pointer to post must carry its sidecars (blobs, commitments, proofs)',
      );
    return {
      kind: BATCH_KIND.blob,
      payload: new Uint8Array(0),
      message: this.encodePointer(blobs),
      blobs,
      pointer: 'blob',
      usedFallback: stored.usedFallback,
    };
  }

  /**
   * A blob batch: the blobs from the block that posted it (each checked against its versioned hash)
   * are the STF's kind-1 preimages, and the data is their stream (none when it does not decode: the
   * STF runs no transaction of it). Inline batches (0x00, 0x04) are their own data.
   */
  async resolve(batch: InboxBatch): Promise<ResolvedBatch> {
    const inline = resolveInline(batch);
    if (inline) return inline;
    if (batch.message[0] !== BATCH_KIND.blob) throw unreadKind(this.name, batch);
    const pointer = this.decodePointer(batch.message) as BlobPointer;
    const blobs = await this.retrieveBlobs({ ...pointer, l1BlockNumber: batch.l1BlockNumber });
    return {
      data: decodeBlobs(blobs) ?? new Uint8Array(0),
      preimages: blobs.map((bytes, i) => ({
        kind: BATCH_PREIMAGE_KIND.blob,
        hash: hexToBytes(pointer.versionedHashes[i]),
        bytes,
      })),
    };
  }

  /** A blob message carries `data` when its versioned hashes are those of `data`'s blobs. */
  async carries(message: Uint8Array, data: Uint8Array): Promise<boolean> {
    if (isInline(message)) return inlineCarries(message, data);
    if (message[0] !== BATCH_KIND.blob) return false;
    let blobs: Uint8Array[];
    try {
      blobs = encodeBlobs(data);
    } catch {
      return false; // too large for blobs: not this data
    }
    const rest = message.subarray(1);
    if (rest.length !== 32 * blobs.length) return false;
    for (let i = 0; i < blobs.length; i++) {
      const vh = versionedHash(await blobCommitment(blobs[i]));
      if (vh !== bytesToHex(rest.subarray(32 * i, 32 * i + 32))) return false;
    }
    return true;
  }

  /**
   * The batch bytes: the blobs from the pointer's sidecars or from the sources (hint: the
   * pointer's `l1BlockNumber`), each checked against its versioned hash. A blob no source has →
   * DA_UNAVAILABLE; a blob that does not match its hash, or a stream that does not decode
   * (docs/blob.md §1) → DA_INVALID_POINTER.
   */
  async retrieve(pointer: DaPointer): Promise<Uint8Array> {
    const data = decodeBlobs(await this.retrieveBlobs(pointer));
    if (!data)
      throw new DaInvalidPointerError(
        'the blobs do not decode as blob stream v1 (a field element with a non-zero top byte, or a length over the capacity)',
      );
    return data;
  }

  /**
   * The raw blobs behind the pointer, each checked against its versioned hash (what the STF reads as
   * kind-1 preimages, docs/blob.md §3); errors as `retrieve`, except that they need not decode.
   */
  async retrieveBlobs(pointer: DaPointer): Promise<Uint8Array[]> {
    const why = this.checkPointer(pointer);
    if (why) throw new DaInvalidPointerError(why);
    const p = pointer as BlobPointer;
    const blobs = await this.fetchBlobs(p);
    for (let i = 0; i < blobs.length; i++) {
      const got = versionedHash(await blobCommitment(blobs[i]));
      if (got !== p.versionedHashes[i].toLowerCase())
        throw new DaInvalidPointerError(
          `blob ${i} read back has versioned hash ${got}, not ${p.versionedHashes[i]}: the blob source served a wrong blob`,
        );
    }
    return blobs;
  }

  private async fetchBlobs(p: BlobPointer): Promise<Uint8Array[]> {
    const out: (Uint8Array | undefined)[] = p.versionedHashes.map((_, i) => p.sidecars?.blobs[i]);
    for (const s of this.sources) {
      const missing = out.flatMap((b, i) => (b ? [] : [i]));
      if (missing.length === 0) break;
      const got = await s.getBlobs(
        missing.map((i) => p.versionedHashes[i]),
        { l1BlockNumber: p.l1BlockNumber },
      );
      missing.forEach((i, j) => {
        out[i] = got[j];
      });
    }
    const missing = out.flatMap((b, i) => (b ? [] : [p.versionedHashes[i]]));
    if (missing.length > 0)
      throw new DaUnavailableError(
        `blob(s) ${missing.join(', ')}${p.l1BlockNumber === undefined ? '' : ` of L1 block ${p.l1BlockNumber}`} not found in ` +
          `${this.sources.map((s) => s.name).join(', ') || 'no blob source'}; retry later, or configure a beacon API that keeps blobs that long`,
      );
    return out as Uint8Array[];
  }

  checkPointer(pointer: DaPointer): string | undefined {
    if (!pointer || typeof pointer !== 'object') return 'not a pointer object';
    if (pointer.kind !== 'blob') return `l1-blob cannot resolve a "${String(pointer.kind)}" pointer`;
    const hs = pointer.versionedHashes;
    if (!Array.isArray(hs) || hs.length === 0) return 'blob pointer without versioned hashes';
    if (hs.length > MAX_BLOBS_PER_TX)
      return `blob pointer with ${hs.length} versioned hashes (at most ${MAX_BLOBS_PER_TX})`;
    for (const h of hs) {
      if (typeof h !== 'string' || !/^0x01[0-9a-fA-F]{62}$/.test(h))
        return `versioned hash ${String(h)} is not 32 bytes with version 0x01`;
    }
    return undefined;
  }

  /** `0x02 ‖ versionedHash_0 ‖ … ‖ versionedHash_{k−1}` = the inbox message of the batch. */
  encodePointer(pointer: DaPointer): Uint8Array {
    const why = this.checkPointer(pointer);
    if (why) throw new DaInvalidPointerError(why);
    const { versionedHashes } = pointer as BlobPointer;
    return concatBytes([Uint8Array.of(DA_POINTER_KIND.blob), ...versionedHashes.map((h) => hexToBytes(h))]);
  }

  /** Inverse of encodePointer (no sidecars, no block hint: derivation adds `l1BlockNumber`). */
  decodePointer(bytes: Uint8Array): DaPointer {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0)
      throw new DaInvalidPointerError('empty pointer: no kind byte');
    if (bytes[0] !== DA_POINTER_KIND.blob)
      throw new DaInvalidPointerError(
        `pointer kind 0x${bytes[0].toString(16).padStart(2, '0')} is not a blob pointer (0x02); l1-blob reads only blob batches`,
      );
    const n = bytes.length - 1;
    if (n === 0 || n % 32 !== 0)
      throw new DaInvalidPointerError(
        `a blob pointer is 0x02 followed by 1..6 32-byte versioned hashes, not ${n} bytes`,
      );
    const versionedHashes: Hash32[] = [];
    for (let o = 1; o < bytes.length; o += 32) versionedHashes.push(bytesToHex(bytes.subarray(o, o + 32)));
    const pointer: DaPointer = { kind: 'blob', versionedHashes };
    const why = this.checkPointer(pointer);
    if (why) throw new DaInvalidPointerError(why);
    return pointer;
  }
}
