/**
 * Inbox messages as the settlement inbox stores them (docs/inbox.md, inbox v1): kinds and bytes (§2),
 * the hash accumulator (§3) and the per-message commitment the one-step prover reads (§4, which is
 * docs/machine.md §6.2: `messageHash` of src/vm/wasm/proof.ts, re-exported here, not re-implemented).
 */
import { brotliDecompressSync } from 'node:zlib';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { encodeBatch } from '../../apps/sdk/client-common.ts';
import { messageHash } from '../../vm/wasm/proof.ts';

export { messageHash };

export const INBOX_VERSION = 'inbox v1';

/** §2: byte 0 of every message (docs/stf.md "Inbox message format"). */
export const MESSAGE_KIND = {
  /** L2 transaction list: `count u32 ‖ (len u32 ‖ tx)*` */
  l2Transactions: 0x00,
  /** L1 deposit (only from the bridge, through the delayed inbox): `to (20) ‖ amount (32)` */
  deposit: 0x01,
  /** §5.2 blob batch: `versionedHash*` of the transaction's blobs (docs/blob.md) */
  blobBatch: 0x02,
  /** §5.3 committee batch: `dataHash` of a verified certificate (docs/committee.md) */
  certificateBatch: 0x03,
  /** §5.1 compressed batch: `brotli(count u32 ‖ (len u32 ‖ tx)*)`, inflated by the STF (docs/stf.md) */
  brotliTransactions: 0x04,
  /** §6.4 L1-time tick (only from `Inbox.tick()`, through the delayed inbox): `timestamp u64 ‖ blockNumber u64` */
  tick: 0x05,
} as const;

/** §5: batch kinds `postBatch` accepts (0x01 and 0x05 are reserved for the inbox's own deposits and ticks). */
export const BATCH_KINDS: readonly number[] = [
  MESSAGE_KIND.l2Transactions,
  MESSAGE_KIND.blobBatch,
  MESSAGE_KIND.certificateBatch,
  MESSAGE_KIND.brotliTransactions,
];

/** docs/committee.md §3: certificate v1 = version u8 ‖ keysetHash (32) ‖ dataHash (32) ‖ … */
const CERTIFICATE_DATA_HASH_OFFSET = 33;

/** §6.1: the largest transaction list `sendMessage` accepts (Inbox.MAX_DELAYED_TX_LIST_BYTES). */
export const MAX_DELAYED_TX_LIST_BYTES = 65_536;

/** §8: `MessageAppended.source`. */
export const MESSAGE_SOURCE = { batch: 0, delayed: 1 } as const;
export type MessageSource = keyof typeof MESSAGE_SOURCE;

const ZERO32 = `0x${'00'.repeat(32)}` as Hex;

const bytes = (b: Uint8Array | Hex): Uint8Array => (typeof b === 'string' ? hexToBytes(b) : b);

/** §2: the message a batch of `kind` with `payload` appends (`kind ‖ payload`). */
export function batchMessage(kind: number, payload: Uint8Array): Uint8Array {
  const m = new Uint8Array(1 + payload.length);
  m[0] = kind;
  m.set(payload, 1);
  return m;
}

/**
 * §2, §5.1–§5.3: the message the inbox appends for a batch posted as `postBatch(kind, payload)` by a
 * transaction carrying `blobVersionedHashes`: `0x00 ‖ payload`, `0x04 ‖ payload`, `0x02 ‖ versionedHash*`, or
 * `0x03 ‖ dataHash` (the certificate's; the inbox verified it). Undefined for a payload the inbox
 * cannot have accepted (so the reader reports inconsistent L1 data rather than guessing).
 */
export function batchMessageOf(
  kind: number,
  payload: Uint8Array,
  blobVersionedHashes: readonly Hex[] = [],
): Uint8Array | undefined {
  if (kind === MESSAGE_KIND.blobBatch) {
    if (payload.length !== 0 || blobVersionedHashes.length === 0) return undefined;
    const m = new Uint8Array(1 + 32 * blobVersionedHashes.length);
    m[0] = kind;
    blobVersionedHashes.forEach((h, i) => {
      m.set(hexToBytes(h), 1 + 32 * i);
    });
    return m;
  }
  if (kind === MESSAGE_KIND.certificateBatch) {
    const end = CERTIFICATE_DATA_HASH_OFFSET + 32;
    if (payload.length < end) return undefined;
    return batchMessage(kind, payload.subarray(CERTIFICATE_DATA_HASH_OFFSET, end));
  }
  if (kind === MESSAGE_KIND.l2Transactions || kind === MESSAGE_KIND.brotliTransactions) {
    return batchMessage(kind, payload);
  }
  return undefined;
}

/** guest/sdk/brotli.ts MAX_INFLATED: the largest list a kind-0x04 message inflates to (1 MiB) */
export const MAX_INFLATED_TX_LIST = 1 << 20;

/**
 * The transaction list a message of kind 0x00 or 0x04 carries (0x04: inflated with node's brotli,
 * as the STF does, capped at MAX_INFLATED_TX_LIST), or undefined for other kinds and for a stream
 * that does not inflate (the STF then runs no transaction).
 */
export function messageTxList(message: Uint8Array): Uint8Array | undefined {
  const kind = message[0];
  if (kind === MESSAGE_KIND.l2Transactions) return message.subarray(1);
  if (kind !== MESSAGE_KIND.brotliTransactions) return undefined;
  try {
    const out = brotliDecompressSync(message.subarray(1), { maxOutputLength: MAX_INFLATED_TX_LIST });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch {
    return undefined;
  }
}

/** §2: a transaction list `count u32 ‖ (len u32 ‖ tx)*` (the payload of a kind-0x00 batch or of `sendMessage`). */
export function encodeTxList(txs: Uint8Array[]): Uint8Array {
  return encodeBatch(txs).subarray(1);
}

/** §2: the transactions of a list, or undefined when it does not decode exactly (the STF then runs none). */
export function decodeTxList(payload: Uint8Array): Uint8Array[] | undefined {
  if (payload.length < 4) return undefined;
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = dv.getUint32(0);
  const txs: Uint8Array[] = [];
  let off = 4;
  for (let i = 0; i < count; i++) {
    if (off + 4 > payload.length) return undefined;
    const len = dv.getUint32(off);
    off += 4;
    if (off + len > payload.length) return undefined;
    txs.push(payload.subarray(off, off + len));
    off += len;
  }
  return off === payload.length ? txs : undefined;
}

/** §2, §6.1: the delayed message `sendMessage(txList)` stores: `0x00 ‖ txList`. */
export const txListMessage = (txList: Uint8Array): Uint8Array =>
  batchMessage(MESSAGE_KIND.l2Transactions, txList);

/** §2, §7.1: the deposit message `0x01 ‖ to (20) ‖ amount (32, big-endian)`. */
export function depositMessage(to: Hex, amount: bigint): Uint8Array {
  if (amount < 0n || amount >= 2n ** 256n) throw new RangeError(`deposit amount ${amount} is not a uint256`);
  const m = new Uint8Array(53);
  m[0] = MESSAGE_KIND.deposit;
  m.set(hexToBytes(to), 1);
  let v = amount;
  for (let i = 52; i >= 21; i--) {
    m[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return m;
}

/** §2: `{to, amount}` of a deposit message, or undefined when `m` is not one. */
export function decodeDeposit(m: Uint8Array): { to: Hex; amount: bigint } | undefined {
  if (m.length !== 53 || m[0] !== MESSAGE_KIND.deposit) return undefined;
  let amount = 0n;
  for (let i = 21; i < 53; i++) amount = (amount << 8n) | BigInt(m[i]);
  return { to: bytesToHex(m.subarray(1, 21)), amount };
}

/** §2, §6.4: the tick message `0x05 ‖ timestamp u64 ‖ blockNumber u64` (17 bytes, big-endian). */
export function tickMessage(timestamp: bigint, blockNumber: bigint): Uint8Array {
  if (timestamp < 0n || timestamp >= 2n ** 64n)
    throw new RangeError(`tick timestamp ${timestamp} is not a uint64`);
  if (blockNumber < 0n || blockNumber >= 2n ** 64n)
    throw new RangeError(`tick block ${blockNumber} is not a uint64`);
  const m = new Uint8Array(17);
  m[0] = MESSAGE_KIND.tick;
  const dv = new DataView(m.buffer);
  dv.setBigUint64(1, timestamp);
  dv.setBigUint64(9, blockNumber);
  return m;
}

/** §2, §6.4: `{timestamp, blockNumber}` of a tick message, or undefined when `m` is not one. */
export function decodeTick(m: Uint8Array): { timestamp: bigint; blockNumber: bigint } | undefined {
  if (m.length !== 17 || m[0] !== MESSAGE_KIND.tick) return undefined;
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  return { timestamp: dv.getBigUint64(1), blockNumber: dv.getBigUint64(9) };
}

/** keccak256 as hex. */
export const keccakHex = (data: Uint8Array): Hex => bytesToHex(keccak_256(data));

/** §3: acc(p + 1) = keccak256(acc(p) ‖ keccak256(message)). */
export function accumulate(prevAcc: Hex | Uint8Array, message: Uint8Array): Hex {
  const buf = new Uint8Array(64);
  buf.set(bytes(prevAcc), 0);
  buf.set(keccak_256(message), 32);
  return bytesToHex(keccak_256(buf));
}

/** §3: [acc(1), ..., acc(n)] over `messages` starting from `start` (acc(0) = 0 by default). */
export function accumulators(messages: Uint8Array[], start: Hex = ZERO32): Hex[] {
  const out: Hex[] = [];
  let acc = start;
  for (const m of messages) {
    acc = accumulate(acc, m);
    out.push(acc);
  }
  return out;
}

/** §4: the machine §6.2 commitment as hex (what `Inbox.messageHash(position)` returns once merkleized). */
export const messageHashHex = (message: Uint8Array): Hex => bytesToHex(messageHash(message));
