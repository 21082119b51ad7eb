/**
 * The batch messages of the settlement inbox as every DA module sees them (docs/inbox.md §2, §5):
 * the kind bytes, and the inline batches (kinds 0x00 and 0x04) whose message _is_ the data, which
 * every module reads (a committee that fell back to calldata, a chain that changed DA modules).
 *
 * Shared by the DA modules (src/da/<module>/): not a module itself, so any of them may import it.
 */
import { brotliDecompressSync } from 'node:zlib';
import type { InboxBatch, ResolvedBatch } from '../core/da.ts';
import { DaInvalidPointerError } from './errors.ts';

/** First byte of an encoded pointer (= the inbox message kind of the batch that carries it). */
export const DA_POINTER_KIND = {
  calldata: 0x00,
  /** l1-blob (EIP-4844 versioned hashes) */
  blob: 0x02,
  /** the committee's certificates */
  certificate: 0x03,
} as const;

/** docs/inbox.md §2: the kinds of batch messages (0x01 is a deposit, never a batch). */
export const BATCH_KIND = {
  /** `0x00 ‖ count u32 ‖ (len u32 ‖ tx)*` */
  txList: 0x00,
  /** §5.2 `0x02 ‖ versionedHash*` */
  blob: 0x02,
  /** §5.3 `0x03 ‖ dataHash` (the postBatch payload is the certificate) */
  certificate: 0x03,
  /** §5.1 `0x04 ‖ brotli(list)`, inflated by the STF */
  brotliTxList: 0x04,
} as const;

/** docs/machine.md §6: the preimage kinds a batch is read through (0: keccak256, 1: blob versioned hash). */
export const BATCH_PREIMAGE_KIND = { keccak256: 0, blob: 1 } as const;

/** guest/sdk/brotli.ts MAX_INFLATED: the largest list a kind-0x04 message inflates to (1 MiB). */
export const MAX_INFLATED_TX_LIST = 1 << 20;

/** `kind ‖ payload`. */
export function batchMessage(kind: number, payload: Uint8Array): Uint8Array {
  const m = new Uint8Array(1 + payload.length);
  m[0] = kind;
  m.set(payload, 1);
  return m;
}

const hexKind = (kind: number) => `0x${kind.toString(16).padStart(2, '0')}`;

/**
 * The transaction list a message of kind 0x00 or 0x04 carries (0x04: inflated with node's brotli,
 * as the STF does, capped at MAX_INFLATED_TX_LIST), or undefined for other kinds and for a stream
 * that does not inflate (the STF then runs no transaction).
 */
export function inlineTxList(message: Uint8Array): Uint8Array | undefined {
  const kind = message[0];
  if (kind === BATCH_KIND.txList) return message.subarray(1);
  if (kind !== BATCH_KIND.brotliTxList) return undefined;
  try {
    const out = brotliDecompressSync(message.subarray(1), { maxOutputLength: MAX_INFLATED_TX_LIST });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch {
    return undefined;
  }
}

/** Whether `message` is an inline batch (kind 0x00 or 0x04). */
export const isInline = (message: Uint8Array): boolean =>
  message.length > 0 && (message[0] === BATCH_KIND.txList || message[0] === BATCH_KIND.brotliTxList);

/**
 * An inline batch's data (no preimages: the STF reads the message itself); a 0x04 stream that does
 * not inflate resolves to no bytes, as the STF runs no transaction of it. Undefined for other kinds.
 */
export function resolveInline(batch: InboxBatch): ResolvedBatch | undefined {
  if (!isInline(batch.message)) return undefined;
  return { data: inlineTxList(batch.message) ?? new Uint8Array(0), preimages: [] };
}

/** Whether the inline batch `message` carries exactly `data`. */
export function inlineCarries(message: Uint8Array, data: Uint8Array): boolean {
  const list = isInline(message) ? inlineTxList(message) : undefined;
  return list !== undefined && Buffer.from(list).equals(Buffer.from(data));
}

/** The error for a batch message of a kind `module` does not read (derivation executes it as is). */
export function unreadKind(module: string, batch: InboxBatch): DaInvalidPointerError {
  const kind = batch.message.length === 0 ? 'empty' : hexKind(batch.message[0]);
  const known: Record<string, string> = {
    '0x01': 'kind 0x01 is a deposit message (bridge only), not a batch',
    '0x02': `inbox position ${batch.position} is a blob batch (kind 0x02); da module "${module}" reads no blobs (da.module "l1-blob", or a committee with an l1-blob fallback, does)`,
    '0x03': `inbox position ${batch.position} is a certificate batch (kind 0x03); da module "${module}" reads no certificates (da.module "committee" does)`,
  };
  return new DaInvalidPointerError(
    known[kind] ??
      `inbox position ${batch.position}: message kind ${kind} is no batch da module "${module}" reads`,
  );
}
