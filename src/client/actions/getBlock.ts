import type { Client } from '../client.ts';
import type { Block, BlockTag } from '../types.ts';

export interface GetBlockParameters {
  /** default `latest` */
  block?: BlockTag;
  /** also return the block's message bytes */
  withMessage?: boolean;
}

/** A stored block, or `null` (not stored yet; `latest` before the first block). */
export async function getBlock(
  client: Client,
  { block = 'latest', withMessage }: GetBlockParameters = {},
): Promise<Block | null> {
  return client.request<Block | null>({
    method: 'modex_getBlock',
    params: withMessage === undefined ? [block] : [block, withMessage],
  });
}
