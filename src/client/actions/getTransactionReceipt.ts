import type { Hex } from 'viem';
import type { Client } from '../client.ts';
import type { PendingTransaction, TransactionReceipt } from '../types.ts';

export interface GetTransactionReceiptParameters {
  hash: Hex;
}

/** A transaction's receipt once executed, `{ status: 'pending', … }` before, `null` if unknown. */
export async function getTransactionReceipt(
  client: Client,
  { hash }: GetTransactionReceiptParameters,
): Promise<TransactionReceipt | PendingTransaction | null> {
  return client.request({ method: 'modex_getTransactionReceipt', params: [hash] });
}
