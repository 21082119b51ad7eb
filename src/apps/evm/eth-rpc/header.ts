/**
 * The Ethereum (Cancun) header of a block of the modex EVM chain, its hash, and the logs bloom
 * (docs/evm-rpc.md §3). Fields that differ from L1 Ethereum: coinbase, difficulty, mixHash, nonce,
 * baseFee, blob gas, withdrawals and the parent beacon root are constants; the timestamp is the
 * chain's time after the block (the last L1 tick, docs/evm.md §4).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { EthLog } from '../mpt.ts';
import { EMPTY_TRIE_ROOT } from '../mpt.ts';
import { rlpEncode, uintBytes } from '../rlp.ts';

/** the chain path's block gas limit (docs/evm.md §4) */
export const BLOCK_GAS_LIMIT = 30_000_000n;
/** keccak256(rlp([])): the ommers hash of a block without ommers */
export const EMPTY_OMMERS_HASH = keccak_256(rlpEncode([]));

export interface EthHeader {
  parentHash: Uint8Array;
  stateRoot: Uint8Array;
  transactionsRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  number: bigint;
  gasUsed: bigint;
  /** the chain's time in the block's state: the last L1 tick's timestamp (0 before any) */
  timestamp: bigint;
}

const Z20 = new Uint8Array(20);
const Z32 = new Uint8Array(32);
const Z8 = new Uint8Array(8);

/** The 17 fields of a Cancun header, in order, with the constants of this chain. */
export function headerFields(h: EthHeader) {
  return {
    parentHash: h.parentHash,
    sha3Uncles: EMPTY_OMMERS_HASH,
    miner: Z20,
    stateRoot: h.stateRoot,
    transactionsRoot: h.transactionsRoot,
    receiptsRoot: h.receiptsRoot,
    logsBloom: h.logsBloom,
    difficulty: 0n,
    number: h.number,
    gasLimit: BLOCK_GAS_LIMIT,
    gasUsed: h.gasUsed,
    timestamp: h.timestamp,
    extraData: new Uint8Array(0),
    mixHash: Z32,
    nonce: Z8,
    baseFeePerGas: 0n,
    withdrawalsRoot: EMPTY_TRIE_ROOT,
    blobGasUsed: 0n,
    excessBlobGas: 0n,
    parentBeaconBlockRoot: Z32,
  };
}

/** The header's RLP and its keccak256 (the block hash). */
export function headerHash(h: EthHeader): { hash: Uint8Array; rlp: Uint8Array } {
  const f = headerFields(h);
  const rlp = rlpEncode([
    f.parentHash,
    f.sha3Uncles,
    f.miner,
    f.stateRoot,
    f.transactionsRoot,
    f.receiptsRoot,
    f.logsBloom,
    uintBytes(f.difficulty),
    uintBytes(f.number),
    uintBytes(f.gasLimit),
    uintBytes(f.gasUsed),
    uintBytes(f.timestamp),
    f.extraData,
    f.mixHash,
    f.nonce,
    uintBytes(f.baseFeePerGas),
    f.withdrawalsRoot,
    uintBytes(f.blobGasUsed),
    uintBytes(f.excessBlobGas),
    f.parentBeaconBlockRoot,
  ]);
  return { hash: keccak_256(rlp), rlp };
}

/** Adds `value` to a 2048-bit bloom (yellow paper §4.3.1: three bits from keccak256's first six bytes). */
function bloomAdd(bloom: Uint8Array, value: Uint8Array): void {
  const h = keccak_256(value);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i] << 8) | h[i + 1]) & 2047;
    bloom[255 - (bit >> 3)] |= 1 << (bit & 7);
  }
}

/** The bloom of `logs` (addresses and topics), ORed into `into` when given. */
export function logsBloom(logs: readonly EthLog[], into = new Uint8Array(256)): Uint8Array {
  for (const l of logs) {
    bloomAdd(into, l.address);
    for (const t of l.topics) bloomAdd(into, t);
  }
  return into;
}

/** The consensus encoding of a receipt (EIP-2718: `type ‖ rlp(…)` for typed transactions). */
export function receiptEncoding(
  type: number,
  success: boolean,
  cumulativeGasUsed: bigint,
  bloom: Uint8Array,
  logs: readonly EthLog[],
): Uint8Array {
  const body = rlpEncode([
    success ? Uint8Array.of(1) : new Uint8Array(0),
    uintBytes(cumulativeGasUsed),
    bloom,
    logs.map((l) => [l.address, l.topics, l.data]),
  ]);
  if (type === 0) return body;
  const out = new Uint8Array(body.length + 1);
  out[0] = type;
  out.set(body, 1);
  return out;
}
