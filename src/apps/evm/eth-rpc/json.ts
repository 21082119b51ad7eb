/** The JSON shapes of blocks, transactions, receipts and logs (docs/evm-rpc.md §4), as geth answers them. */
import type { Hex } from 'viem';
import { headerFields, logsBloom } from './header.ts';
import { hex, qty } from './params.ts';
import type { BlockView, TxView } from './view.ts';

export function logJson(b: BlockView, t: TxView, i: number) {
  const l = t.record.logs[i];
  return {
    address: hex(l.address),
    topics: l.topics.map(hex),
    data: hex(l.data),
    blockNumber: qty(b.number),
    blockHash: b.hash,
    transactionHash: t.hash,
    transactionIndex: qty(t.index),
    logIndex: qty(t.firstLogIndex + i),
    removed: false,
  };
}

export type LogJson = ReturnType<typeof logJson>;

export function txJson(b: BlockView, t: TxView) {
  const x = t.tx;
  const out: Record<string, unknown> = {
    blockHash: b.hash,
    blockNumber: qty(b.number),
    from: hex(t.record.from),
    gas: qty(x.gas ?? 0n),
    gasPrice: qty(t.effectiveGasPrice),
    hash: t.hash,
    input: x.data ?? '0x',
    nonce: qty(x.nonce ?? 0),
    to: x.to ?? null,
    transactionIndex: qty(t.index),
    value: qty(x.value ?? 0n),
    type: qty(t.type),
    // typed transactions: v is the y parity, as geth answers
    v: qty(t.type === 0 ? (x.v ?? 27n) : (x.yParity ?? 0)),
    r: x.r ?? '0x0',
    s: x.s ?? '0x0',
  };
  if (x.chainId !== undefined) out.chainId = qty(x.chainId);
  if (t.type !== 0) {
    out.yParity = qty(x.yParity ?? 0);
    out.accessList = x.accessList ?? [];
  }
  if (x.maxFeePerGas !== undefined) {
    out.maxFeePerGas = qty(x.maxFeePerGas);
    out.maxPriorityFeePerGas = qty(x.maxPriorityFeePerGas ?? 0n);
  }
  if (x.maxFeePerBlobGas !== undefined) {
    out.maxFeePerBlobGas = qty(x.maxFeePerBlobGas);
    out.blobVersionedHashes = x.blobVersionedHashes ?? [];
  }
  if (x.authorizationList !== undefined) out.authorizationList = x.authorizationList;
  return out;
}

export function receiptJson(b: BlockView, t: TxView) {
  return {
    transactionHash: t.hash,
    transactionIndex: qty(t.index),
    blockHash: b.hash,
    blockNumber: qty(b.number),
    from: hex(t.record.from),
    to: t.tx.to ?? null,
    cumulativeGasUsed: qty(t.cumulativeGasUsed),
    gasUsed: qty(t.record.gasUsed),
    effectiveGasPrice: qty(t.effectiveGasPrice),
    contractAddress: t.record.contractAddress ? hex(t.record.contractAddress) : null,
    logs: t.record.logs.map((_, i) => logJson(b, t, i)),
    logsBloom: hex(bloomOf(t)),
    type: qty(t.type),
    status: t.record.success ? '0x1' : '0x0',
  };
}

const bloomOf = (t: TxView): Uint8Array => logsBloom(t.record.logs);

/** The header fields as JSON (newHeads carries these). */
export function headerJson(b: BlockView) {
  const f = headerFields(b.header);
  return {
    number: qty(b.number),
    hash: b.hash,
    parentHash: hex(f.parentHash),
    nonce: hex(f.nonce),
    sha3Uncles: hex(f.sha3Uncles),
    logsBloom: hex(f.logsBloom),
    transactionsRoot: hex(f.transactionsRoot),
    stateRoot: hex(f.stateRoot),
    receiptsRoot: hex(f.receiptsRoot),
    miner: hex(f.miner),
    difficulty: qty(f.difficulty),
    extraData: hex(f.extraData),
    gasLimit: qty(f.gasLimit),
    gasUsed: qty(f.gasUsed),
    timestamp: qty(f.timestamp),
    mixHash: hex(f.mixHash),
    baseFeePerGas: qty(f.baseFeePerGas),
    withdrawalsRoot: hex(f.withdrawalsRoot),
    blobGasUsed: qty(f.blobGasUsed),
    excessBlobGas: qty(f.excessBlobGas),
    parentBeaconBlockRoot: hex(f.parentBeaconBlockRoot),
  };
}

export function blockJson(b: BlockView, full: boolean) {
  return {
    ...headerJson(b),
    totalDifficulty: '0x0',
    size: qty(b.size),
    transactions: b.txs.map((t) => (full ? txJson(b, t) : (t.hash as Hex))),
    uncles: [],
    withdrawals: [],
  };
}
