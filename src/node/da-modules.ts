/**
 * The DA module a chain config asks for (`da.module`, docs/config.md; docs/node.md §3), created
 * through the module registry (src/modules.ts), for the sequencer's batcher (which stores through
 * it) and for derivation (which reads through it):
 *
 * - `l1-calldata`: the batch is the postBatch payload.
 * - `l1-blob`: EIP-4844 blobs, read back from the L1 node (anvil's `anvil_getBlobByHash`, then the
 *   beacon API at `da.beaconUrl` by slot, or by block number at the settlement RPC URL, which is
 *   where anvil serves it).
 * - `committee`: the AnyTrust-style committee of `da.committee.members`, falling back to
 *   `da.committee.fallback` (calldata or blobs) when it cannot certify in time; it reads the
 *   fallback's batches through the same module.
 *
 * And the L1 side of a committee: its keyset is registered in a CommitteeKeysets contract that the
 * inbox calls for every certificate (docs/inbox.md §5.3, docs/committee.md §2).
 */
import { type Address, type Hex, hexToBytes } from 'viem';
import { DEFAULTS } from '../config/defaults.ts';
import type { ChainConfig, DaConfig } from '../config/types.ts';
import type { DataAvailability } from '../core/da.ts';
import { keysetHash } from '../da/committee/certificate.ts';
import type { CommitteeDaEvent } from '../da/committee/committee-da.ts';
import { DaCommitteeConfigError } from '../da/committee/committee-errors.ts';
import { CommitteeKeysetsClient, deployCommitteeKeysets } from '../da/committee/keysets.ts';
import {
  COMMITTEE_RETENTION_SECONDS,
  committeeMinLifetime,
  committeeRetention,
  keysetOf,
} from '../da/committee/module.ts';
import type { L1 } from '../l1/anvil.ts';
import { createDa } from '../modules.ts';
import type { InboxClient } from '../settlement/ethereum/inbox.ts';

export { COMMITTEE_RETENTION_SECONDS, committeeMinLifetime, committeeRetention, keysetOf };

export interface DaModuleOptions {
  /** the settlement RPC URL (anvil also serves the beacon blob API there) */
  rpcUrl: string;
  /** a client that can send `anvil_getBlobByHash` (the L1 public client) */
  rpc?: { request(args: { method: string; params?: unknown }): Promise<unknown> };
  /** reads block timestamps (slots for a real beacon node at `da.beaconUrl`) */
  publicClient?: { getBlock(args: { blockNumber: bigint }): Promise<{ timestamp: bigint }> };
  onCommitteeEvent?: (e: CommitteeDaEvent) => void;
}

/** Builds the DA module of `config.da` through the module registry (src/modules.ts). */
export function daForConfig(config: Pick<ChainConfig, 'da'>, o: DaModuleOptions): DataAvailability {
  return createDa({
    config,
    rpcUrl: o.rpcUrl,
    rpc: o.rpc,
    publicClient: o.publicClient,
    onEvent: o.onCommitteeEvent as ((e: unknown) => void) | undefined,
  });
}

/** What a deployment records of its committee (docs/committee.md §2). */
export interface CommitteeDeployment {
  keysets: Address;
  keysetHash: Hex;
  /** the inbox's shortest certificate lifetime, seconds (docs/committee.md §5); absent in older files */
  minLifetimeSeconds?: number;
}

/**
 * Deploys CommitteeKeysets (owned by `l1`'s first account), registers the config's keyset (the
 * members' proofs of possession are checked on L1) and makes it the inbox's certificate verifier,
 * with the shortest certificate lifetime the inbox accepts (docs/committee.md §5):
 * `minLifetimeSeconds` (what the roles pass: `committeeMinLifetime(config)`, from
 * `da.committee.minLifetimeSeconds` or the challenge period + 1 day), else
 * `da.committee.minLifetimeSeconds`, else the default challenge period (7 days) + 1 day.
 */
export async function deployCommittee(
  l1: L1,
  inbox: InboxClient,
  da: Pick<DaConfig, 'committee'>,
  minLifetimeSeconds?: number,
): Promise<CommitteeDeployment> {
  const minLifetime =
    minLifetimeSeconds ??
    committeeMinLifetime({ da, proof: { challengePeriodSeconds: DEFAULTS.proof.challengePeriodSeconds } });
  if (!Number.isSafeInteger(minLifetime) || minLifetime <= 0)
    throw new DaCommitteeConfigError(
      `the minimum certificate lifetime ${minLifetime} must be a positive integer`,
    );
  if (minLifetime >= committeeRetention(da))
    throw new DaCommitteeConfigError(
      `the inbox's minimum certificate lifetime ${minLifetime} s is not below the retention the batcher asks for ` +
        `(${committeeRetention(da)} s): every certificate would be refused; raise da.committee.retentionSeconds`,
    );
  const keysets = await deployCommitteeKeysets(l1);
  const pops = (da.committee?.members ?? []).map((m) => hexToBytes(m.proofOfPossession));
  const { keysetHash } = await keysets.registerKeyset(keysetOf(da), pops);
  await inbox.initializeCertificateVerifier(keysets.address, minLifetime);
  return { keysets: keysets.address, keysetHash, minLifetimeSeconds: minLifetime };
}

/**
 * Key rotation (docs/committee.md §2.4): registers the keyset of `da` (the new members, their proofs
 * of possession checked on L1) and invalidates the deployment's current one, from the keysets'
 * owner (`l1`'s first account). Certificates of the old keyset are refused from then on; the
 * batcher posts such a batch through the fallback. Returns the new committee record.
 */
export async function rotateCommittee(
  l1: L1,
  current: CommitteeDeployment,
  da: Pick<DaConfig, 'committee'>,
): Promise<CommitteeDeployment> {
  const keysets = await CommitteeKeysetsClient.attach(l1, current.keysets);
  const next = keysetHash(keysetOf(da));
  if (next === current.keysetHash) {
    throw new DaCommitteeConfigError(
      `the config's committee is the deployment's current keyset ${next}; change da.committee (members or assumedHonest) to rotate`,
    );
  }
  const pops = (da.committee?.members ?? []).map((m) => hexToBytes(m.proofOfPossession));
  await keysets.registerKeyset(keysetOf(da), pops);
  await keysets.invalidateKeyset(current.keysetHash);
  return { ...current, keysetHash: next };
}
