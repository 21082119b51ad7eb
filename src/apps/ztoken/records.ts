/**
 * The record stream of validity v1 (docs/validity.md §5): what L1 extracts from the inbox messages
 * an assertion consumes and the circuit hashes. Each record is 160 bytes (integers big-endian):
 *
 *   op (1) ‖ nonce u64 ‖ idx u16 ‖ amount u128 ‖ aySign (1) ‖ zero (4) ‖ A (32) ‖ R8x ‖ R8y ‖ S (32 each)
 *
 * A transaction or deposit the STF rejects whatever the state gives no record (wrong length, app,
 * op or chain id, an `open` key off the curve, a deposit of length ≠ 53 or amount ≥ 2^128, a list
 * that does not decode, an unknown kind). The stream is cut into chunks of T records (the last one
 * padded with all-zero records, op 0); a chunk's recordWords (validity v1.1, the circuit's public
 * inputs) are its T × 160 bytes cut into big-endian words of 31 bytes. Blob, certified and brotli batches cannot be proved (`UnprovableMessageError`).
 */
import { ModexError } from '../../core/errors.ts';
import { decodeTxList } from '../../settlement/ethereum/message.ts';
import { FIELD_P } from './crypto.ts';
import { BODY_LEN, readBE, SIG_LEN, writeBE, ZOP, ZTOKEN_APP } from './tx.ts';

export const RECORD_LEN = 160;
/** record ops: the transaction ops, a deposit, and 0 for a padding slot */
export const ROP = { padding: 0, transfer: 1, withdraw: 2, open: 3, deposit: 4 } as const;
/** the message kinds (docs/inbox.md §2) */
const KIND = { txList: 0x00, deposit: 0x01, blob: 0x02, certified: 0x03, brotli: 0x04 } as const;
const DEPOSIT_LEN = 53;
const U128 = 1n << 128n;
/** BabyJubJub (twisted Edwards over BN254's scalar field): a·x² + y² = 1 + d·x²·y² */
export const BABYJUB_A = 168700n;
export const BABYJUB_D = 168696n;

/** An inbox message of a kind the circuit cannot read (blobs, certified or brotli batches). */
export class UnprovableMessageError extends ModexError {
  constructor(
    readonly position: bigint,
    readonly kind: number,
  ) {
    super(
      'ZTOKEN_UNPROVABLE_MESSAGE',
      `inbox position ${position} is a batch of kind 0x${kind.toString(16).padStart(2, '0')} (blobs, certified or brotli), which a validity proof cannot read: a validity chain posts its batches with da.module "l1-calldata" and no compression`,
    );
  }
}

const mod = (x: bigint) => ((x % FIELD_P) + FIELD_P) % FIELD_P;

/** (x, y) is a point of BabyJubJub, both coordinates < p */
export function onBabyJub(x: bigint, y: bigint): boolean {
  if (x < 0n || y < 0n || x >= FIELD_P || y >= FIELD_P) return false;
  const x2 = mod(x * x);
  const y2 = mod(y * y);
  return mod(BABYJUB_A * x2 + y2) === mod(1n + BABYJUB_D * mod(x2 * y2));
}

/** the fields of a record (its bytes are `encodeRecord`'s) */
export interface ZRecord {
  op: number;
  nonce: bigint;
  idx: number;
  amount: bigint;
  aySign: number;
  A: bigint;
  R8x: bigint;
  R8y: bigint;
  S: bigint;
}

export const PADDING_RECORD: ZRecord = {
  op: 0,
  nonce: 0n,
  idx: 0,
  amount: 0n,
  aySign: 0,
  A: 0n,
  R8x: 0n,
  R8y: 0n,
  S: 0n,
};

export function encodeRecord(r: ZRecord): Uint8Array {
  const b = new Uint8Array(RECORD_LEN);
  b[0] = r.op;
  writeBE(b, 1, r.nonce, 8);
  writeBE(b, 9, BigInt(r.idx), 2);
  writeBE(b, 11, r.amount, 16);
  b[27] = r.aySign;
  writeBE(b, 32, r.A, 32);
  writeBE(b, 64, r.R8x, 32);
  writeBE(b, 96, r.R8y, 32);
  writeBE(b, 128, r.S, 32);
  return b;
}

export function decodeRecord(b: Uint8Array): ZRecord {
  if (b.length !== RECORD_LEN) throw new RangeError(`a record is ${RECORD_LEN} bytes, not ${b.length}`);
  return {
    op: b[0],
    nonce: readBE(b, 1, 8),
    idx: Number(readBE(b, 9, 2)),
    amount: readBE(b, 11, 16),
    aySign: b[27],
    A: readBE(b, 32, 32),
    R8x: readBE(b, 64, 32),
    R8y: readBE(b, 96, 32),
    S: readBE(b, 128, 32),
  };
}

/** the record of one transaction of a list, or undefined when the STF rejects it whatever the state */
export function txRecord(tx: Uint8Array, chainId: bigint): Uint8Array | undefined {
  if (tx.length < 2 || tx[0] !== ZTOKEN_APP) return undefined;
  const op = tx[1];
  if (op !== ZOP.transfer && op !== ZOP.withdraw && op !== ZOP.open) return undefined;
  const n = BODY_LEN[op];
  if (tx.length !== n + SIG_LEN) return undefined;
  if (readBE(tx, 2, 8) !== chainId) return undefined;
  const sig = { R8x: readBE(tx, n, 32), R8y: readBE(tx, n + 32, 32), S: readBE(tx, n + 64, 32) };
  const nonce = readBE(tx, 10, 8);
  const idx = Number(readBE(tx, 18, 2));
  if (op === ZOP.open) {
    const ax = readBE(tx, 20, 32);
    const ay = readBE(tx, 52, 32);
    if (!onBabyJub(ax, ay)) return undefined;
    return encodeRecord({ op, nonce, idx, amount: 0n, aySign: Number(ay & 1n), A: ax, ...sig });
  }
  const A = op === ZOP.transfer ? readBE(tx, 20, 2) : readBE(tx, 20, 20);
  const amount = readBE(tx, n - 16, 16);
  return encodeRecord({ op, nonce, idx, amount, aySign: 0, A, ...sig });
}

/**
 * The records of inbox messages, in order (`start`: the first message's inbox position, for the
 * error). Throws `UnprovableMessageError` for a blob, certified or brotli batch.
 */
export function recordsOf(messages: readonly Uint8Array[], chainId: bigint, start = 0n): Uint8Array[] {
  const out: Uint8Array[] = [];
  messages.forEach((m, i) => {
    if (m.length === 0) return;
    const kind = m[0];
    if (kind === KIND.blob || kind === KIND.certified || kind === KIND.brotli)
      throw new UnprovableMessageError(start + BigInt(i), kind);
    if (kind === KIND.deposit) {
      if (m.length !== DEPOSIT_LEN) return;
      const amount = readBE(m, 21, 32);
      if (amount >= U128) return;
      out.push(encodeRecord({ ...PADDING_RECORD, op: ROP.deposit, amount, A: readBE(m, 1, 20) }));
      return;
    }
    if (kind !== KIND.txList) return;
    for (const tx of decodeTxList(m.subarray(1)) ?? []) {
      const r = txRecord(tx, chainId);
      if (r !== undefined) out.push(r);
    }
  });
  return out;
}

/** The records cut into chunks of `slots`, the last padded with zero records; no records: one padding chunk. */
export function chunkRecords(records: readonly Uint8Array[], slots: number): Uint8Array[][] {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots ${slots} is not a positive integer`);
  const chunks: Uint8Array[][] = [];
  for (let i = 0; i === 0 || i < records.length; i += slots) {
    const c = records.slice(i, i + slots);
    while (c.length < slots) c.push(new Uint8Array(RECORD_LEN));
    chunks.push(c);
  }
  return chunks;
}

/** bytes per record word: 31, so a word is < 2^248 < p (a field element) */
export const WORD_BYTES = 31;

/** the number of record words of a chunk of `slots` records: ceil(160·T / 31) (11 at T = 2) */
export const recordWordCount = (slots: number): number => Math.ceil((RECORD_LEN * slots) / WORD_BYTES);

/**
 * The chunk's record words (docs/validity.md §5.1, validity v1.1): its T × 160 bytes concatenated,
 * word i = bytes [31·i, 31·i + 31) as a big-endian integer, the last right-padded with zero bytes.
 */
export function recordWords(chunk: readonly Uint8Array[]): bigint[] {
  const bytes = new Uint8Array(RECORD_LEN * chunk.length);
  chunk.forEach((r, i) => {
    if (r.length !== RECORD_LEN) throw new RangeError(`a record is ${RECORD_LEN} bytes, not ${r.length}`);
    bytes.set(r, RECORD_LEN * i);
  });
  const words: bigint[] = [];
  for (let off = 0; off < bytes.length; off += WORD_BYTES) {
    const w = new Uint8Array(WORD_BYTES);
    w.set(bytes.subarray(off, off + WORD_BYTES));
    words.push(readBE(w, 0, WORD_BYTES));
  }
  return words;
}
