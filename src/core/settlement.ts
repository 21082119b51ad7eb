/**
 * The settlement layer: where state claims are finalised and bridges run. Implementations:
 * ethereum (contracts on any EVM chain over JSON-RPC, anvil as the embedded default); later
 * sovereign (no bridge, no contracts), modex (settle on another modex chain: an L3).
 */
import type { BatchPosting } from './da.ts';
import type { Address, AssertionStatus, Hash32, InboxMessage, SettlementModuleName } from './types.ts';

/** Addresses of the deployed settlement contracts (empty for sovereign). */
export interface SettlementDeployment {
  /** Chain id of the settlement chain. */
  chainId: number;
  /** Contract name -> address (e.g. Inbox, AssertionChain, ChallengeManager, OneStepProver, Bridge). */
  contracts: Record<string, Address>;
  /** Settlement block at which the deployment happened: derivation starts here. */
  startBlock: bigint;
}

/** A transaction included on the settlement layer. */
export interface SettlementReceipt {
  txHash: Hash32;
  blockNumber: bigint;
}

/** An inbox message as the settlement layer accumulated it, with how it got there. */
export interface InboxRecord extends InboxMessage {
  /** batch sequence number, or delayed-inbox index */
  sourceIndex: bigint;
  /** batches: the `postBatch` payload (a certificate batch's certificate), for the DA module to resolve */
  payload?: Uint8Array;
  /** the settlement transaction that appended it */
  txHash: Hash32;
}

/** The settlement module: the chain's inbox, its assertions and its clock on the settlement layer. */
export interface Settlement {
  readonly name: SettlementModuleName;
  /** True when assets can move between this chain and the settlement layer (ethereum, modex). */
  readonly hasBridge: boolean;
  /**
   * Append a batch (as the DA module posts it, `DataAvailability.posting`) after the delayed
   * messages [0, delayedRead); `blobTx`: the fields of the transaction that carries a blob batch.
   */
  postBatch(
    posting: BatchPosting,
    opts: { delayedRead: bigint; sequenceNumber?: bigint; blobTx?: Record<string, unknown> },
  ): Promise<SettlementReceipt & { position: bigint; sequenceNumber: bigint }>;
  /** Enqueue a transaction list in the delayed inbox (users' forced transactions). */
  sendDelayedMessage(txList: Uint8Array): Promise<SettlementReceipt & { index: bigint }>;
  /** Inbox messages with position in [from, to) as accumulated (batch data not resolved: the DA module's job). */
  readInbox(from: bigint, to: bigint): Promise<InboxRecord[]>;
  /** Number of inbox messages accumulated so far. */
  inboxLength(): Promise<bigint>;
  /** The inbox accumulator after the first `n` messages (docs/inbox.md §3). */
  accumulator(n: bigint): Promise<Hash32>;
  /** Hash of the latest confirmed assertion. */
  latestConfirmed(): Promise<Hash32>;
  /** An assertion's status, or undefined when the settlement layer does not know it. */
  assertionStatus(hash: Hash32): Promise<AssertionStatus | undefined>;
  /** Current settlement-layer time (seconds) and block number, the clock for periods and delays. */
  now(): Promise<{ timestamp: bigint; blockNumber: bigint }>;
}
