import type { Hex } from 'viem';
import type { Client } from '../client.ts';
import { WaitForTransactionReceiptTimeoutError } from '../errors.ts';
import type { PendingTransaction, TransactionReceipt } from '../types.ts';
import { getTransactionReceipt } from './getTransactionReceipt.ts';

export interface WaitForTransactionReceiptParameters {
  hash: Hex;
  /** ms between polls (default: the client's `pollingInterval`) */
  pollingInterval?: number;
  /** ms before giving up with `WaitForTransactionReceiptTimeoutError` (default 60,000) */
  timeout?: number;
}

/**
 * Polls `modex_getTransactionReceipt` until the transaction is executed; resolves with its receipt
 * (whatever its status: check `status === 'ok'`). Transport errors are not retried.
 */
export async function waitForTransactionReceipt(
  client: Client,
  { hash, pollingInterval, timeout = 60_000 }: WaitForTransactionReceiptParameters,
): Promise<TransactionReceipt> {
  const interval = pollingInterval ?? client.pollingInterval;
  const deadline = Date.now() + timeout;
  let last: PendingTransaction | null = null;
  for (;;) {
    const r = await getTransactionReceipt(client, { hash });
    if (r && r.status !== 'pending') return r as TransactionReceipt;
    last = r as PendingTransaction | null;
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitForTransactionReceiptTimeoutError(hash, timeout, last);
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
  }
}
