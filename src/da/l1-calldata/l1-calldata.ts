/**
 * Calldata DA (`da.module: "l1-calldata"`, docs/node.md §3): a batch's bytes are posted as the
 * calldata of the sequencer's `Inbox.postBatch` transaction, so the pointer _is_ the data and anyone
 * with an L1 node can read it back (docs/inbox.md §10).
 *
 * Pointer encoding (shared by every DA module; the first byte is the pointer kind, which is also the
 * inbox message kind of the batch, docs/inbox.md §2). The encoded pointer is what derivation reads
 * back from the batch's L1 transaction: `kind ‖ payload` for 0x00 and 0x03, `0x02 ‖ versioned hashes`
 * for blobs (= the inbox message; the payload is empty).
 *
 * | pointer kind | DaPointer      | encoding = inbox message                  | inbox message kind              |
 * | ------------ | -------------- | ----------------------------------------- | ------------------------------- |
 * | 0x00         | `calldata`     | `0x00 ‖ data` (data: the transaction list) | 0x00 transaction list (today's) |
 * | 0x01         | —              | never a pointer                           | 0x01 deposit (bridge only)      |
 * | 0x02         | `blob`         | `0x02 ‖ versionedHash*` (l1-blob.ts)      | 0x02 blob batch (same bytes)    |
 * | 0x03         | `certificate`  | `0x03 ‖ certificate` (committee)          | 0x03 `0x03 ‖ dataHash`          |
 *
 * So a calldata batch's inbox payload is the block's bytes exactly as before DA existed.
 */

import type {
  BatchPosting,
  DataAvailability,
  InboxBatch,
  PostingOptions,
  ResolvedBatch,
  StoredBatch,
} from '../../core/da.ts';
import type { DaPointer } from '../../core/types.ts';
import { keccak256Hex } from '../../crypto/keccak.ts';
import {
  BATCH_KIND,
  batchMessage,
  DA_POINTER_KIND,
  inlineCarries,
  resolveInline,
  unreadKind,
} from '../batch-message.ts';
import { DaBatchTooLargeError, DaInvalidPointerError } from '../errors.ts';
import { compressBatch } from './compress.ts';

export { DA_POINTER_KIND };

/**
 * Default `maxBatchBytes`: 120,000 (= DA_MAX_BATCH_BYTES['l1-calldata'] of src/config/rules.ts).
 * Measured on anvil (prague): postBatch costs 40 gas per non-zero calldata byte (the EIP-7623
 * floor), 4.81M gas for 120,000 random bytes; the binding limit is not gas (a 30M-gas block takes
 * ~745 KB, a 100M-gas anvil block 1 MB and more) but the 128 KiB transaction size geth's txpool
 * accepts (txMaxSize), which must also hold the ABI encoding, signature and RLP envelope; and
 * 4.8M gas stays well under the 2^24 per-transaction gas cap of EIP-7825 (Osaka).
 */
export const L1_CALLDATA_MAX_BATCH_BYTES = 120_000;

const RESERVED: Record<number, string> = {
  1: 'kind 0x01 is a deposit message (bridge only), not a DA pointer',
  2: 'pointer kind 0x02 (blob) is read by the l1-blob module, not by l1-calldata',
  3: 'pointer kind 0x03 (certificate) is read by the committee module, not by l1-calldata',
};

export class L1CalldataDa implements DataAvailability {
  readonly name = 'l1-calldata' as const;
  readonly maxBatchBytes: number;

  constructor(opts: { maxBatchBytes?: number } = {}) {
    const max = opts.maxBatchBytes ?? L1_CALLDATA_MAX_BATCH_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0)
      throw new RangeError(`maxBatchBytes ${max} is not a positive integer`);
    this.maxBatchBytes = max;
  }

  /**
   * The calldata pointer: the bytes themselves (nothing is sent here; the batcher's postBatch
   * transaction makes them available). Refuses batches over `maxBatchBytes` (DA_BATCH_TOO_LARGE):
   * a block is one STF run, so the sequencer seals smaller blocks rather than the batcher splitting them.
   */
  async store(data: Uint8Array): Promise<StoredBatch> {
    if (data.length > this.maxBatchBytes)
      throw new DaBatchTooLargeError(data.length, this.maxBatchBytes, this.name);
    return { pointer: { kind: 'calldata', data }, dataHash: keccak256Hex(data), usedFallback: false };
  }

  /**
   * `postBatch(0x00, data)`, or `postBatch(0x04, brotli(data))` when that is smaller (docs/inbox.md
   * §5.1; the STF inflates it): the inbox message is `kind ‖ payload`.
   */
  posting(stored: StoredBatch, opts: PostingOptions = {}): BatchPosting {
    const why = this.checkPointer(stored.pointer);
    if (why) throw new DaInvalidPointerError(why);
    const { data } = stored.pointer as { data: Uint8Array };
    const z = opts.compress === false ? undefined : compressBatch(data);
    const kind = z ? BATCH_KIND.brotliTxList : BATCH_KIND.txList;
    const payload = z ?? data;
    const message = batchMessage(kind, payload);
    return { kind, payload, message, pointer: 'calldata', usedFallback: stored.usedFallback };
  }

  /** An inline batch (0x00, 0x04) is its own data; other kinds are not this module's (DA_INVALID_POINTER). */
  async resolve(batch: InboxBatch): Promise<ResolvedBatch> {
    const r = resolveInline(batch);
    if (!r) throw unreadKind(this.name, batch);
    return r;
  }

  async carries(message: Uint8Array, data: Uint8Array): Promise<boolean> {
    return inlineCarries(message, data);
  }

  async retrieve(pointer: DaPointer): Promise<Uint8Array> {
    const why = this.checkPointer(pointer);
    if (why) throw new DaInvalidPointerError(why);
    return (pointer as { data: Uint8Array }).data;
  }

  /** Any size is valid when read from L1 (L1 accepted it); only the kind and the shape are checked. */
  checkPointer(pointer: DaPointer): string | undefined {
    if (!pointer || typeof pointer !== 'object') return 'not a pointer object';
    if (pointer.kind !== 'calldata') return `l1-calldata cannot resolve a "${String(pointer.kind)}" pointer`;
    if (!(pointer.data instanceof Uint8Array)) return 'calldata pointer without data bytes';
    return undefined;
  }

  /** `0x00 ‖ data`: the inbox message of the batch. */
  encodePointer(pointer: DaPointer): Uint8Array {
    const why = this.checkPointer(pointer);
    if (why) throw new DaInvalidPointerError(why);
    const { data } = pointer as { data: Uint8Array };
    const out = new Uint8Array(1 + data.length);
    out[0] = DA_POINTER_KIND.calldata;
    out.set(data, 1);
    return out;
  }

  /** Inverse of encodePointer (the data is a view into `bytes`, not a copy). */
  decodePointer(bytes: Uint8Array): DaPointer {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new DaInvalidPointerError('empty pointer: no kind byte');
    }
    const kind = bytes[0];
    if (kind === DA_POINTER_KIND.calldata) return { kind: 'calldata', data: bytes.subarray(1) };
    throw new DaInvalidPointerError(
      RESERVED[kind] ?? `unknown pointer kind 0x${kind.toString(16).padStart(2, '0')}`,
    );
  }
}
