/**
 * What the EVM guest keeps for the Ethereum view (docs/evm.md §4, chain path v1) and the queries
 * that read it: the per-transaction result record `0x12 ‖ position u64 ‖ index u32` (read through
 * the SDK's raw-key query `0x01 ‖ key`), accounts (`0x10`), slots (`0x11`), code (`0x13`) and
 * eth_call (`0x12`).
 */
import { EvmGuestError, parseRecordLogs } from '../guest.ts';
import type { EthLog } from '../mpt.ts';

/** A transaction's result record (docs/evm.md §4). */
export interface TxRecord {
  success: boolean;
  /** after refunds: what the sender paid for */
  gasUsed: bigint;
  from: Uint8Array;
  /** the created address (a create that succeeded), else undefined */
  contractAddress?: Uint8Array;
  logs: EthLog[];
}

const be64 = (v: bigint | number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v));
  return b;
};
const be32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v);
  return b;
};
const u256 = (v: bigint): Uint8Array => Uint8Array.from(Buffer.from(v.toString(16).padStart(64, '0'), 'hex'));
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** The raw-key query (`0x01 ‖ key`) of the record of transaction `index` of modex block `position`. */
export const recordQuery = (position: number, index: number): Uint8Array =>
  cat(Uint8Array.of(0x01, 0x12), be64(position), be32(index));

/** The raw-key query (`0x01 ‖ 0x14`) of the chain's time: the last L1 tick (docs/evm.md §4 "Time"). */
export const timeQuery = (): Uint8Array => Uint8Array.of(0x01, 0x14);

/** The L1 timestamp of a `timeQuery` answer (`timestamp u64 ‖ l1Block u64`; empty before any tick: 0). */
export function parseTime(v: Uint8Array): bigint {
  if (v.length !== 16) return 0n;
  return new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(0);
}

/** `0x10 ‖ address`: the account record (100 bytes, empty when none; docs/evm.md §1). */
export const accountQuery = (address: Uint8Array): Uint8Array => cat(Uint8Array.of(0x10), address);
/** `0x11 ‖ address ‖ slot`: the slot's value (32 bytes). */
export const slotQuery = (address: Uint8Array, slot: Uint8Array): Uint8Array =>
  cat(Uint8Array.of(0x11), address, slot);
/** `0x13 ‖ address`: the account's code. */
export const codeQuery = (address: Uint8Array): Uint8Array => cat(Uint8Array.of(0x13), address);

/** An eth_call message (query `0x12`, docs/evm.md §4). */
export interface CallMessage {
  number: bigint;
  from: Uint8Array;
  /** undefined: a create */
  to?: Uint8Array;
  gas: bigint;
  value: bigint;
  data: Uint8Array;
}

export const callQuery = (m: CallMessage): Uint8Array =>
  cat(
    Uint8Array.of(0x12),
    be64(m.number),
    m.from,
    m.to ?? new Uint8Array(20),
    Uint8Array.of(m.to ? 0 : 1),
    be64(m.gas),
    u256(m.value),
    m.data,
  );

/** eth_call's answer: `success u8 ‖ gasUsed u64 ‖ returnData`. */
export function parseCallResult(r: Uint8Array): {
  success: boolean;
  gasUsed: bigint;
  returnData: Uint8Array;
} {
  if (r.length < 9 || r[0] > 1)
    throw new EvmGuestError(`eth_call answer of ${r.length} bytes does not have the §4 shape`);
  return {
    success: r[0] === 1,
    gasUsed: new DataView(r.buffer, r.byteOffset, r.byteLength).getBigUint64(1),
    returnData: r.slice(9),
  };
}

/** An account record's nonce and balance (docs/evm.md §1); zero for an absent account (empty). */
export function parseAccount(r: Uint8Array): { nonce: bigint; balance: bigint } {
  if (r.length === 0) return { nonce: 0n, balance: 0n };
  if (r.length !== 100) throw new EvmGuestError(`account record of ${r.length} bytes (100)`);
  const nonce = new DataView(r.buffer, r.byteOffset, r.byteLength).getBigUint64(20);
  return { nonce, balance: BigInt(`0x${Buffer.from(r.subarray(28, 60)).toString('hex')}`) };
}

/** Parses a result record; throws on one that does not have the §4 shape. */
export function parseTxRecord(rec: Uint8Array): TxRecord {
  if (rec.length < 53) throw new EvmGuestError(`tx record: truncated at byte 0 (${rec.length} bytes)`);
  if (rec[0] > 1) throw new EvmGuestError(`tx record: status ${rec[0]} (0 or 1)`);
  const created = rec.slice(29, 49);
  const logs = parseRecordLogs(rec, 49, 'tx record');
  return {
    success: rec[0] === 1,
    gasUsed: new DataView(rec.buffer, rec.byteOffset).getBigUint64(1),
    from: rec.slice(9, 29),
    contractAddress: created.some((b) => b !== 0) ? created : undefined,
    logs,
  };
}

/** Encodes a record (the inverse of parseTxRecord; for tests and tools). */
export function encodeTxRecord(r: TxRecord): Uint8Array {
  const parts: Uint8Array[] = [
    Uint8Array.of(r.success ? 1 : 0),
    be64(r.gasUsed),
    r.from,
    r.contractAddress ?? new Uint8Array(20),
    be32(r.logs.length),
  ];
  for (const l of r.logs)
    parts.push(l.address, Uint8Array.of(l.topics.length), ...l.topics, be32(l.data.length), l.data);
  return cat(...parts);
}
