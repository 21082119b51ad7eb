/**
 * How a batch stored by a DA module goes to L1 (docs/inbox.md §5.1–§5.3, docs/node.md §3): the
 * `postBatch` kind and payload, the extra fields of a blob transaction, and the inbox message the
 * batch appends, which is what the batcher compares with L1 after a restart.
 *
 * | pointer       | kind | payload              | transaction          | inbox message          |
 * | ------------- | ---- | -------------------- | -------------------- | ---------------------- |
 * | `calldata`    | 0x00 | the batch data       | plain                | `0x00 ‖ data`          |
 * | `calldata`    | 0x04 | brotli(data), when smaller (src/da/l1-calldata/compress.ts) | plain | `0x04 ‖ brotli(data)` |
 * | `blob`        | 0x02 | empty                | type 3 with k blobs (src/da/l1-blob/blob-tx.ts) | `0x02 ‖ versionedHash*` |
 * | `certificate` | 0x03 | the certificate (v1) | plain                | `0x03 ‖ dataHash`      |
 */
import { bytesToHex, type Hex, keccak256 } from 'viem';
import type { DataAvailability, StoredBatch } from '../core/da.ts';
import type { DaPointer } from '../core/types.ts';
import { blobCommitment, versionedHash } from '../crypto/kzg.ts';
import { encodeBlobs } from '../da/l1-blob/blob-codec.ts';
import { DaInvalidPointerError } from '../da/errors.ts';
import { batchMessageOf, MESSAGE_KIND, messageTxList } from '../settlement/ethereum/message.ts';
import { compressBatch } from '../da/l1-calldata/compress.ts';

export interface BatchPosting {
  kind: number;
  payload: Uint8Array;
  /** the message the inbox appends for it (§2) */
  message: Uint8Array;
  /** a blob batch: the pointer with its sidecars (the type-3 fields come from `blobTxParams`) */
  blobs?: DaPointer & { kind: 'blob' };
  /** which DA path carried it */
  pointer: DaPointer['kind'];
  usedFallback: boolean;
}

/** The postBatch call of a stored batch (`encodePointer` is `kind ‖ payload`, or the blob message). */
export function postingOf(
  da: DataAvailability,
  stored: StoredBatch,
  opts: { compress?: boolean } = {},
): BatchPosting {
  const p = stored.pointer;
  const encoded = da.encodePointer(p);
  const base = { pointer: p.kind, usedFallback: stored.usedFallback };
  if (p.kind === 'blob') {
    const sc = p.sidecars;
    if (!sc || sc.blobs.length !== p.versionedHashes.length) {
      throw new DaInvalidPointerError(
        'a blob pointer to post must carry its sidecars (blobs, commitments, proofs)',
      );
    }
    const message = batchMessageOf(MESSAGE_KIND.blobBatch, new Uint8Array(0), p.versionedHashes);
    if (!message) throw new DaInvalidPointerError('a blob pointer without versioned hashes');
    return { ...base, kind: MESSAGE_KIND.blobBatch, payload: new Uint8Array(0), message, blobs: p };
  }
  let kind = encoded[0];
  let payload = encoded.subarray(1);
  if (p.kind === 'calldata' && opts.compress !== false) {
    // docs/inbox.md §2: `0x04 ‖ brotli(list)` when that is smaller; the STF inflates it
    const z = compressBatch(payload);
    if (z) {
      kind = MESSAGE_KIND.brotliTransactions;
      payload = z;
    }
  }
  const message = batchMessageOf(kind, payload);
  if (!message) throw new DaInvalidPointerError(`a ${p.kind} pointer that is no postable batch`);
  return { ...base, kind, payload, message };
}

/**
 * Whether the inbox message `onL1` carries exactly `data` (a batch of this block posted before a
 * restart, maybe through another DA path: a committee batch that fell back to calldata once).
 */
export async function messageCarries(onL1: Uint8Array, data: Uint8Array): Promise<boolean> {
  const kind = onL1[0];
  const rest = onL1.subarray(1);
  if (kind === MESSAGE_KIND.l2Transactions || kind === MESSAGE_KIND.brotliTransactions) {
    const list = messageTxList(onL1);
    return list !== undefined && Buffer.from(list).equals(Buffer.from(data));
  }
  if (kind === MESSAGE_KIND.certificateBatch) return bytesToHex(rest) === keccak256(data);
  if (kind === MESSAGE_KIND.blobBatch) {
    let blobs: Uint8Array[];
    try {
      blobs = encodeBlobs(data);
    } catch {
      return false; // too large for blobs: not this data
    }
    if (rest.length !== 32 * blobs.length) return false;
    for (let i = 0; i < blobs.length; i++) {
      const vh: Hex = versionedHash(await blobCommitment(blobs[i]));
      if (vh !== bytesToHex(rest.subarray(32 * i, 32 * i + 32))) return false;
    }
    return true;
  }
  return false;
}
