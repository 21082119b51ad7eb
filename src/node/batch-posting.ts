/**
 * How a batch stored by a DA module goes to L1 (docs/inbox.md §5.1–§5.3, docs/node.md §3). Each DA
 * module turns its own pointers into the `postBatch` call (`DataAvailability.posting`) and says
 * whether an inbox message carries a batch (`DataAvailability.carries`); the node never switches on
 * pointer kinds. What the modules post:
 *
 * | module (pointer)          | kind | payload              | transaction                             | inbox message           |
 * | ------------------------- | ---- | -------------------- | --------------------------------------- | ----------------------- |
 * | l1-calldata (`calldata`)  | 0x00 | the batch data       | plain                                   | `0x00 ‖ data`           |
 * | l1-calldata (`calldata`)  | 0x04 | brotli(data), when smaller (src/da/l1-calldata/compress.ts) | plain | `0x04 ‖ brotli(data)` |
 * | l1-blob (`blob`)          | 0x02 | empty                | type 3 with k blobs (src/da/l1-blob/blob-tx.ts) | `0x02 ‖ versionedHash*` |
 * | committee (`certificate`) | 0x03 | the certificate (v1) | plain                                   | `0x03 ‖ dataHash`       |
 */
import type { BatchPosting, DataAvailability, PostingOptions, StoredBatch } from '../core/da.ts';
import { L1CalldataDa } from '../da/l1-calldata/l1-calldata.ts';

export type { BatchPosting };

/** The postBatch call of a stored batch: the module's own (`da.posting`). */
export function postingOf(
  da: DataAvailability,
  stored: StoredBatch,
  opts: PostingOptions = {},
): BatchPosting {
  return da.posting(stored, opts);
}

/**
 * Whether the inbox message `onL1` carries exactly `data` (a batch of this block posted before a
 * restart, maybe through another DA path: a committee batch that fell back to calldata once), as
 * the module `da` (with its fallback) reads it; default l1-calldata (inline batches only).
 */
export function messageCarries(
  onL1: Uint8Array,
  data: Uint8Array,
  da: DataAvailability = new L1CalldataDa(),
): Promise<boolean> {
  return da.carries(onL1, data);
}
