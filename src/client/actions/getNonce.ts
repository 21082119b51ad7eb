import type { Address } from 'viem';
import type { Client } from '../client.ts';

export interface GetNonceParameters {
  address: Address;
  /** `latest` (default): after the latest executed block; `pending`: counting the acknowledged transactions */
  blockTag?: 'latest' | 'pending';
}

/** The address's next nonce: what its next transaction must use (with `blockTag: 'pending'`). */
export async function getNonce(
  client: Client,
  { address, blockTag = 'latest' }: GetNonceParameters,
): Promise<bigint> {
  return BigInt(
    await client.request<number | string>({ method: 'modex_getNonce', params: [address, blockTag] }),
  );
}
