/**
 * What L1 transactions cost, read back from the chain: every transaction of a block range with its
 * receipt (gas, fee, blob gas), its calldata size and its blobs' size. The report sums them per
 * sender and function; nothing is estimated.
 */
import { type Address, type Hex, toFunctionSelector } from 'viem';
import type { L1 } from '../l1/anvil.ts';

export const BLOB_BYTES = 131_072;

export interface L1Tx {
  hash: Hex;
  from: Address;
  to: Address | null;
  selector: Hex;
  gasUsed: bigint;
  /** gasUsed × effective gas price, plus blob gas × blob gas price */
  fee: bigint;
  blobGasUsed: bigint;
  /** calldata bytes */
  inputBytes: number;
  /** blob bytes (131,072 per blob) */
  blobBytes: number;
}

/** The transactions in blocks [from, to] whose sender is one of `senders` (lower-case compared). */
export async function l1Transactions(l1: L1, from: bigint, to: bigint, senders: Address[]): Promise<L1Tx[]> {
  const want = new Set(senders.map((s) => s.toLowerCase()));
  const out: L1Tx[] = [];
  for (let n = from; n <= to; n++) {
    const block = await l1.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      if (!want.has(tx.from.toLowerCase())) continue;
      const r = await l1.publicClient.getTransactionReceipt({ hash: tx.hash });
      const blobGasUsed = r.blobGasUsed ?? 0n;
      out.push({
        hash: tx.hash,
        from: tx.from,
        to: tx.to,
        selector: tx.input.slice(0, 10) as Hex,
        gasUsed: r.gasUsed,
        fee: r.gasUsed * r.effectiveGasPrice + blobGasUsed * (r.blobGasPrice ?? 0n),
        blobGasUsed,
        inputBytes: (tx.input.length - 2) / 2,
        blobBytes: (tx.blobVersionedHashes?.length ?? 0) * BLOB_BYTES,
      });
    }
  }
  return out;
}

/** The 4-byte selector of a function signature, e.g. `postBatch(uint64,uint8,bytes,uint64)`. */
export const selectorOf = (signature: string): Hex => toFunctionSelector(signature);

export function sum(txs: L1Tx[], f: (t: L1Tx) => bigint | number): number {
  return txs.reduce((a, t) => a + Number(f(t)), 0);
}
