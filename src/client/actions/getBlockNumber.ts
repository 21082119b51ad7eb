import type { Client } from '../client.ts';

/** The latest stored block's number (−1 before the first). */
export async function getBlockNumber(client: Client): Promise<number> {
  return client.request<number>({ method: 'modex_blockNumber' });
}
