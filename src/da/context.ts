/**
 * What every DA module's factory gets from the node (src/modules.ts creates them): the chain's DA
 * config, where the settlement layer is, and a way to create another DA module by name (the
 * committee's fallback), so that no DA module imports another. Shared by the DA modules; not a module.
 */
import type { ChainConfig } from '../config/types.ts';
import type { DataAvailability } from '../core/da.ts';
import type { DaModuleName } from '../core/types.ts';

export interface DaModuleContext {
  config: Pick<ChainConfig, 'da'>;
  /** the settlement RPC URL (anvil also serves the beacon blob API there) */
  rpcUrl: string;
  /** a client that can send `anvil_getBlobByHash` (the L1 public client) */
  rpc?: { request(args: { method: string; params?: unknown }): Promise<unknown> };
  /** reads block timestamps (slots for a real beacon node at `da.beaconUrl`) */
  publicClient?: { getBlock(args: { blockNumber: bigint }): Promise<{ timestamp: bigint }> };
  /** events of a module that reports them (the committee: stores, retrieves, member failures) */
  onEvent?: (e: unknown) => void;
  /** another DA module of this chain, by name, created with this same context (the registry's) */
  da(name: DaModuleName): DataAvailability;
}
