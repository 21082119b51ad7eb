import type { Client } from '../client.ts';

/** The chain id (`modex_chainId`): what transactions must be signed for. */
export async function getChainId(client: Client): Promise<bigint> {
  return BigInt(await client.request<number | string>({ method: 'modex_chainId' }));
}
