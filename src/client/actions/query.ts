import { bytesToHex, type Hex } from 'viem';
import type { Client } from '../client.ts';
import type { BlockTag, QueryResult } from '../types.ts';

export interface QueryParameters {
  /** the query: kind byte ‖ arguments (docs/app-abi.md §4) */
  data: Hex | Uint8Array;
  /** the state after this block (default `latest`) */
  block?: BlockTag;
}

/**
 * Asks the app a read-only question (`modex_query`) about the state after a block. A failed query
 * is an answer, not an error: check `code === 0` (`status === 'ok'`).
 */
export async function query(client: Client, { data, block }: QueryParameters): Promise<QueryResult> {
  const hex = typeof data === 'string' ? data : bytesToHex(data);
  return client.request<QueryResult>({
    method: 'modex_query',
    params: block === undefined ? [hex] : [hex, block],
  });
}
