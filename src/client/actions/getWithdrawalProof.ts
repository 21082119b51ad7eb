import type { Hex } from 'viem';
import type { Client } from '../client.ts';
import type { BlockTag, WithdrawalProof } from '../types.ts';
import { parseWithdrawal, type WithdrawalJson } from './getWithdrawals.ts';

export interface GetWithdrawalProofParameters {
  index: bigint | number;
  /**
   * the state after this block (default `latest`): to pay on L1, a block whose state is confirmed
   * there (its send root is the one `Bridge.executeWithdrawal` checks against)
   */
  block?: BlockTag;
}

/** Withdrawal `index` with its outbox proof against the send root after `block`; `null` if the state has no such withdrawal. */
export async function getWithdrawalProof(
  client: Client,
  { index, block }: GetWithdrawalProofParameters,
): Promise<WithdrawalProof | null> {
  const params: unknown[] = [Number(index)];
  if (block !== undefined) params.push(block);
  const r = await client.request<{ withdrawal: WithdrawalJson; proof: Hex[]; sendRoot: Hex } | null>({
    method: 'modex_getWithdrawalProof',
    params,
  });
  return r && { withdrawal: parseWithdrawal(r.withdrawal), proof: r.proof, sendRoot: r.sendRoot };
}
