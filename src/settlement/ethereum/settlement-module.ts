/**
 * The `ethereum` settlement (`settlement.module: "ethereum"`) as the registry's module
 * (src/modules.ts): the core `Settlement` interface over the existing contract clients — the inbox
 * (inbox.ts: batches, delayed messages, accumulators) and the rollup (rollup.ts: assertions). A thin
 * adapter; deployment stays in deploy-settlement.ts, the bridge in bridge.ts.
 */

import type { ChainConfig } from '../../config/types.ts';
import type { BatchPosting } from '../../core/da.ts';
import { ModexError } from '../../core/errors.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { InboxRecord, Settlement, SettlementReceipt } from '../../core/settlement.ts';
import type { AssertionStatus, Hash32 } from '../../core/types.ts';
import type { InboxClient } from './inbox.ts';
import type { RollupClient } from './rollup.ts';

export interface EthereumSettlementContext {
  config: Pick<ChainConfig, 'settlement'>;
  /** the chain's inbox (connected to the sequencer's wallet to post batches) */
  inbox: InboxClient;
  /** the rollup contract (assertions); without it the assertion reads throw */
  rollup?: RollupClient;
}

export class EthereumSettlement implements Settlement {
  readonly name = 'ethereum' as const;
  readonly hasBridge = true;

  constructor(
    readonly inbox: InboxClient,
    readonly rollup?: RollupClient,
  ) {}

  async postBatch(
    posting: BatchPosting,
    opts: { delayedRead: bigint; sequenceNumber?: bigint; blobTx?: Record<string, unknown> },
  ): Promise<SettlementReceipt & { position: bigint; sequenceNumber: bigint }> {
    const r = await this.inbox.postBatch(posting.payload, {
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
    const r = await this.inbox.sendMessage(txList);
    return { txHash: r.txHash, blockNumber: r.blockNumber, index: r.index };
  }

  async readInbox(from: bigint, to: bigint): Promise<InboxRecord[]> {
    return (await this.inbox.readMessages(from, to)).map((e) => ({
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
    }));
  }

  inboxLength(): Promise<bigint> {
    return this.inbox.messageCount();
  }

  accumulator(n: bigint): Promise<Hash32> {
    return this.inbox.accumulator(n);
  }

  private needRollup(): RollupClient {
    if (!this.rollup)
      throw new ModexError(
        'SETTLEMENT_NO_ROLLUP',
        'ethereum settlement: no rollup client given (EthereumSettlementContext.rollup)',
      );
    return this.rollup;
  }

  latestConfirmed(): Promise<Hash32> {
    return this.needRollup().latestConfirmed();
  }

  async assertionStatus(hash: Hash32): Promise<AssertionStatus | undefined> {
    const s = await this.needRollup().status(hash);
    return s === 'none' ? undefined : s;
  }

  async now(): Promise<{ timestamp: bigint; blockNumber: bigint }> {
    const b = await this.inbox.publicClient.getBlock();
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
  create: (ctx: EthereumSettlementContext) => new EthereumSettlement(ctx.inbox, ctx.rollup),
} as const satisfies ModuleDefinition<'settlement', ChainConfig, EthereumSettlementContext, Settlement>;
