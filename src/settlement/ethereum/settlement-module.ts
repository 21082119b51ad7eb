/**
 * The `ethereum` settlement (`settlement.module: "ethereum"`) as the registry's module
 * (src/modules.ts): the core `Settlement` interface over the contract clients — the inbox
 * (inbox.ts: batches, delayed messages, accumulators) and the rollup (rollup.ts: assertions). Its
 * context is the endpoint and the deployment (deployment.json's addresses): the module attaches
 * every contract's client itself (`contracts()`: the inbox, rollup, challenge manager, preimage
 * oracle and bridge clients, and the validator committee's when the deployment has one, on first
 * use since their ABIs are read then), so the node's roles
 * build none. What the node still needs beyond the interface (derivation and the batcher read the
 * inbox client; fraud disputes play through the rollup, challenge manager and oracle clients) it
 * takes from `contracts()`. Deployment stays in deploy-settlement.ts.
 */

import type { ChainConfig } from '../../config/types.ts';
import type { BatchPosting } from '../../core/da.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { InboxRecord, Settlement, SettlementReceipt } from '../../core/settlement.ts';
import type { AssertionStatus, Hash32 } from '../../core/types.ts';
import { BridgeClient } from './bridge.ts';
import type { DisputeParams, SettlementAddresses } from './deploy-settlement.ts';
import { InboxClient, type InboxEntry, type L1Clients } from './inbox.ts';
import { ChallengeClient, PreimageOracleClient, RollupClient } from './rollup.ts';
import { ValidatorCommitteeClient } from './validator-committee.ts';

/** Where a chain's contracts are (deployment.json): addresses, deployment block, dispute parameters. */
export interface EthereumDeploymentRef {
  addresses: SettlementAddresses;
  /** L1 block of the deployment: log scans start there */
  deployBlock: bigint;
  params: DisputeParams;
}

/** The clients of a deployed chain's contracts, writes signed by the context's wallet. */
export interface EthereumContracts {
  inbox: InboxClient;
  rollup: RollupClient;
  challenges: ChallengeClient;
  oracle: PreimageOracleClient;
  bridge: BridgeClient;
  /** the validator committee (docs/attested.md), when the deployment has one */
  committee?: ValidatorCommitteeClient;
  deployBlock: bigint;
  params: DisputeParams;
}

export interface EthereumSettlementContext {
  config: Pick<ChainConfig, 'settlement'>;
  /** the settlement endpoint, and the wallet that signs (the sequencer's, a validator's stake key) */
  l1: L1Clients;
  /** where the chain's contracts are */
  deployment: EthereumDeploymentRef;
}

/** Attaches the clients of every contract of a deployment. */
export async function attachContracts(l1: L1Clients, d: EthereumDeploymentRef): Promise<EthereumContracts> {
  const a = d.addresses;
  const [inbox, rollup, challenges, oracle, bridge, committee] = await Promise.all([
    InboxClient.attach(l1, a.inbox, { fromBlock: d.deployBlock }),
    RollupClient.at(l1, a.rollup),
    ChallengeClient.at(l1, a.challengeManager),
    PreimageOracleClient.at(l1, a.oracle),
    BridgeClient.attach(l1, a.bridge),
    a.committee ? ValidatorCommitteeClient.at(l1, a.committee, { fromBlock: d.deployBlock }) : undefined,
  ]);
  return {
    inbox,
    rollup,
    challenges,
    oracle,
    bridge,
    ...(committee ? { committee } : {}),
    deployBlock: d.deployBlock,
    params: d.params,
  };
}

/** The core `InboxRecord` of an inbox entry as the inbox client reads it (docs/inbox.md). */
export function inboxRecordOf(e: InboxEntry): InboxRecord {
  return {
    index: e.position,
    kind: e.source,
    l1BlockNumber: e.l1BlockNumber,
    l1Timestamp: e.l1Timestamp,
    sender: e.sender,
    data: e.data,
    accumulator: e.accumulator,
    sourceIndex: e.sourceIndex,
    payload: e.batch?.payload,
    txHash: e.txHash,
  };
}

export class EthereumSettlement implements Settlement {
  readonly name = 'ethereum' as const;
  readonly hasBridge = true;
  private attached?: Promise<EthereumContracts>;

  constructor(private readonly ctx: Pick<EthereumSettlementContext, 'l1' | 'deployment'>) {}

  /** The contracts' clients (attached on the first call; a failed attach is retried on the next). */
  contracts(): Promise<EthereumContracts> {
    if (!this.attached) {
      const p = attachContracts(this.ctx.l1, this.ctx.deployment);
      this.attached = p;
      p.catch(() => {
        if (this.attached === p) this.attached = undefined;
      });
    }
    return this.attached;
  }

  async postBatch(
    posting: BatchPosting,
    opts: { delayedRead: bigint; sequenceNumber?: bigint; blobTx?: Record<string, unknown> },
  ): Promise<SettlementReceipt & { position: bigint; sequenceNumber: bigint }> {
    const { inbox } = await this.contracts();
    const r = await inbox.postBatch(posting.payload, {
      kind: posting.kind,
      delayedRead: opts.delayedRead,
      sequenceNumber: opts.sequenceNumber,
      blobTx: opts.blobTx,
    });
    return {
      txHash: r.txHash,
      blockNumber: r.blockNumber,
      position: r.position,
      sequenceNumber: r.sequenceNumber,
    };
  }

  async sendDelayedMessage(txList: Uint8Array): Promise<SettlementReceipt & { index: bigint }> {
    const r = await (await this.contracts()).inbox.sendMessage(txList);
    return { txHash: r.txHash, blockNumber: r.blockNumber, index: r.index };
  }

  async readInbox(from: bigint, to: bigint): Promise<InboxRecord[]> {
    return (await (await this.contracts()).inbox.readMessages(from, to)).map(inboxRecordOf);
  }

  async inboxLength(): Promise<bigint> {
    return (await this.contracts()).inbox.messageCount();
  }

  async accumulator(n: bigint): Promise<Hash32> {
    return (await this.contracts()).inbox.accumulator(n);
  }

  async latestConfirmed(): Promise<Hash32> {
    return (await this.contracts()).rollup.latestConfirmed();
  }

  async assertionStatus(hash: Hash32): Promise<AssertionStatus | undefined> {
    const s = await (await this.contracts()).rollup.status(hash);
    return s === 'none' ? undefined : s;
  }

  async now(): Promise<{ timestamp: bigint; blockNumber: bigint }> {
    const b = await this.ctx.l1.publicClient.getBlock();
    return { timestamp: b.timestamp, blockNumber: b.number };
  }
}

export const ethereumSettlementModule = {
  layer: 'settlement',
  name: 'ethereum',
  status: 'implemented',
  summary:
    'contracts over JSON-RPC (embedded anvil by default): inbox with forced inclusion, assertions, bridge',
  check: () => [],
  create: (ctx: EthereumSettlementContext) => new EthereumSettlement(ctx),
} as const satisfies ModuleDefinition<
  'settlement',
  ChainConfig,
  EthereumSettlementContext,
  EthereumSettlement
>;
