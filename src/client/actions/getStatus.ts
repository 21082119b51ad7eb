import type { Client } from '../client.ts';

/** The sequencer's status (`modex_status`): open block, mempool, WAL statistics, limits. */
export async function getStatus(
  client: Client,
): Promise<Record<string, unknown> & { head: number; mempool: number }> {
  return client.request({ method: 'modex_status' });
}
