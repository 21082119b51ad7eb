/**
 * The `l1-blob` DA module for the registry (src/modules.ts): blobs are read back from the L1 node
 * (anvil's `anvil_getBlobByHash`, then the beacon API at `da.beaconUrl` by slot, or by block number
 * at the settlement RPC URL, which is where anvil serves it).
 */

import type { ChainConfig } from '../../config/types.ts';
import type { DataAvailability } from '../../core/da.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { DaModuleContext } from '../context.ts';
import { BeaconBlobSource, RpcBlobSource, slotBlockId } from './blob-source.ts';
import { L1BlobDa } from './l1-blob.ts';

/** The blob module of a context: its sources in order (the L1 node's RPC, then the beacon API). */
export function createL1Blob(ctx: Omit<DaModuleContext, 'da'>): L1BlobDa {
  // anvil serves the beacon API on its RPC port and takes block numbers; a real beacon node
  // (da.beaconUrl) takes slots, computed from the block's time and the beacon genesis
  const beaconUrl = ctx.config.da.beaconUrl;
  const client = ctx.publicClient;
  const blockId =
    beaconUrl && client
      ? slotBlockId({
          beaconUrl,
          timestampOf: async (n) => (await client.getBlock({ blockNumber: n })).timestamp,
        })
      : undefined;
  return new L1BlobDa({
    sources: [
      ...(ctx.rpc ? [new RpcBlobSource(ctx.rpc)] : []),
      new BeaconBlobSource({ beaconUrl: beaconUrl ?? ctx.rpcUrl, blockId }),
    ],
  });
}

export const l1BlobModule = {
  layer: 'da',
  name: 'l1-blob',
  status: 'implemented',
  summary: 'EIP-4844 blobs; the machine reads blob data proven with the point-evaluation precompile',
  check: () => [],
  create: (ctx: DaModuleContext) => createL1Blob(ctx),
} as const satisfies ModuleDefinition<'da', ChainConfig, DaModuleContext, DataAvailability>;
