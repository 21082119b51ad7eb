import type { Hex } from 'viem';
import type { Client } from '../client.ts';
import type { BlockTag, Withdrawal } from '../types.ts';

export interface GetWithdrawalsParameters {
  /** first withdrawal index (default 0) */
  from?: bigint | number;
  /** the state after this block (default `latest`) */
  block?: BlockTag;
}

export interface WithdrawalJson {
  index: number | string;
  from: Hex;
  to: Hex;
  amount: string;
}

export const parseWithdrawal = (w: WithdrawalJson): Withdrawal => ({
  index: BigInt(w.index),
  from: w.from,
  to: w.to,
  amount: BigInt(w.amount),
});

/** The withdrawals (outbox leaves) the STF recorded in its state, from index `from` on: at most 1,000 a call (page with `from`). */
export async function getWithdrawals(
  client: Client,
  { from, block }: GetWithdrawalsParameters = {},
): Promise<Withdrawal[]> {
  const params: unknown[] = [from === undefined ? null : Number(from)];
  if (block !== undefined) params.push(block);
  const ws = await client.request<WithdrawalJson[]>({ method: 'modex_getWithdrawals', params });
  return ws.map(parseWithdrawal);
}
