/**
 * The DA module a chain config asks for (`da.module`, docs/config.md; docs/node.md §3), for the
 * sequencer's batcher (which stores through it) and for derivation (which reads through it):
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
import type { ChainConfig, DaConfig } from '../config/types.ts';
import type { DataAvailability } from '../core/da.ts';
import { BeaconBlobSource, RpcBlobSource, slotBlockId } from '../da/l1-blob/blob-source.ts';
import { type Keyset, keysetHash } from '../da/committee/certificate.ts';
import { CommitteeDa, type CommitteeDaEvent } from '../da/committee/committee-da.ts';
import { DaCommitteeConfigError } from '../da/committee/committee-errors.ts';
import { CommitteeKeysetsClient, deployCommitteeKeysets } from '../da/committee/keysets.ts';
import { L1BlobDa } from '../da/l1-blob/l1-blob.ts';
import { L1CalldataDa } from '../da/l1-calldata/l1-calldata.ts';
import type { L1 } from '../l1/anvil.ts';
import type { InboxClient } from '../settlement/ethereum/inbox.ts';

/** Seconds committee members are asked to keep a batch: the certificate's expiry is now + this. */
export const COMMITTEE_RETENTION_SECONDS = 7 * 24 * 3600;

export interface DaModuleOptions {
  /** the settlement RPC URL (anvil also serves the beacon blob API there) */
  rpcUrl: string;
  /** a client that can send `anvil_getBlobByHash` (the L1 public client) */
  rpc?: { request(args: { method: string; params?: unknown }): Promise<unknown> };
  /** reads block timestamps (slots for a real beacon node at `da.beaconUrl`) */
  publicClient?: { getBlock(args: { blockNumber: bigint }): Promise<{ timestamp: bigint }> };
  onCommitteeEvent?: (e: CommitteeDaEvent) => void;
}

/** The committee's keyset as the config describes it (members in config order). */
export function keysetOf(da: Pick<DaConfig, 'committee'>): Keyset {
  const c = da.committee;
  if (!c) throw new RangeError('da.committee is required for da.module "committee"');
  return { assumedHonest: c.assumedHonest, publicKeys: c.members.map((m) => hexToBytes(m.publicKey)) };
}

/** Builds the DA module of `config.da`. */
export function daForConfig(config: Pick<ChainConfig, 'da'>, o: DaModuleOptions): DataAvailability {
  // anvil serves the beacon API on its RPC port and takes block numbers; a real beacon node
  // (da.beaconUrl) takes slots, computed from the block's time and the beacon genesis
  const beaconUrl = config.da.beaconUrl;
  const client = o.publicClient;
  const blockId =
    beaconUrl && client
      ? slotBlockId({
          beaconUrl,
          timestampOf: async (n) => (await client.getBlock({ blockNumber: n })).timestamp,
        })
      : undefined;
  const blobs = () =>
    new L1BlobDa({
      sources: [
        ...(o.rpc ? [new RpcBlobSource(o.rpc)] : []),
        new BeaconBlobSource({ beaconUrl: beaconUrl ?? o.rpcUrl, blockId }),
      ],
    });
  const da = config.da;
  if (da.module === 'l1-calldata') return new L1CalldataDa();
  if (da.module === 'l1-blob') return blobs();
  const c = da.committee;
  if (!c) throw new RangeError('da.committee is required for da.module "committee"');
  return new CommitteeDa({
    members: c.members.map((m) => ({ url: m.url, publicKey: hexToBytes(m.publicKey) })),
    keyset: keysetOf(da),
    timeoutMs: c.timeoutMs,
    retentionSeconds: COMMITTEE_RETENTION_SECONDS,
    fallback: c.fallback === 'l1-blob' ? blobs() : new L1CalldataDa(),
    onEvent: o.onCommitteeEvent,
    // the node retrieves only certificates the inbox verified: fetch by data hash, whatever keyset
    // signed them (readers keep working across a rotation that keeps some members)
    certificatesVerifiedOnL1: true,
  });
}

/** What a deployment records of its committee (docs/committee.md §2). */
export interface CommitteeDeployment {
  keysets: Address;
  keysetHash: Hex;
}

/**
 * Deploys CommitteeKeysets (owned by `l1`'s first account), registers the config's keyset (the
 * members' proofs of possession are checked on L1) and makes it the inbox's certificate verifier.
 */
export async function deployCommittee(
  l1: L1,
  inbox: InboxClient,
  da: Pick<DaConfig, 'committee'>,
): Promise<CommitteeDeployment> {
  const keysets = await deployCommitteeKeysets(l1);
  const pops = (da.committee?.members ?? []).map((m) => hexToBytes(m.proofOfPossession));
  const { keysetHash } = await keysets.registerKeyset(keysetOf(da), pops);
  await inbox.initializeCertificateVerifier(keysets.address);
  return { keysets: keysets.address, keysetHash };
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
  return { keysets: current.keysets, keysetHash: next };
}
