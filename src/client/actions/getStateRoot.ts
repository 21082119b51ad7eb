import type { Hex } from 'viem';
import type { Client } from '../client.ts';
import type { BlockTag } from '../types.ts';

/** The state root after a block (default the latest), `null` for a block not stored. */
export async function getStateRoot(
  client: Client,
  { block }: { block?: BlockTag } = {},
): Promise<Hex | null> {
  return client.request<Hex | null>({
    method: 'modex_stateRoot',
    params: block === undefined ? [] : [block],
  });
}
