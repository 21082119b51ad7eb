/**
 * The settlement layer: where state claims are finalised and bridges run. Implementations:
 * ethereum (contracts on any EVM chain over JSON-RPC, anvil as the embedded default); later
 * sovereign (no bridge, no contracts), modex (settle on another modex chain: an L3).
 */
import type { AssertionEvidence } from './proof.ts';
import type {
  Address,
  Assertion,
  AssertionStatus,
  DaPointer,
  Hash32,
  Hex,
  InboxMessage,
  OutboxMessage,
  SettlementModuleName,
} from './types.ts';

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

/** The settlement module. */
export interface Settlement {
  readonly name: SettlementModuleName;
  /** True when assets can move between this chain and the settlement layer (ethereum, modex). */
  readonly hasBridge: boolean;
  /** Deploy (or attach to) the chain's contracts. Idempotent for an existing deployment. */
  deploy(params: {
    moduleRoot: Hash32;
    challengePeriodSeconds: number;
    bond: bigint;
  }): Promise<SettlementDeployment>;
  /** Append a batch pointer to the inbox (sequencer only). The inbox accumulator fixes its position. */
  postBatch(pointer: DaPointer, sequenceNumber: bigint): Promise<SettlementReceipt>;
  /** Enqueue an L1-originated message (deposit, forced transaction) in the delayed inbox. */
  sendDelayedMessage(data: Uint8Array, value: bigint): Promise<SettlementReceipt & { index: bigint }>;
  /** Inbox messages with index in [from, to) as accumulated on-chain (batch pointers not yet resolved). */
  readInbox(from: bigint, to: bigint): Promise<InboxMessage[]>;
  /** Number of inbox messages accumulated so far. */
  inboxLength(): Promise<bigint>;
  /** Post a new assertion with its bond and evidence. */
  postAssertion(assertion: Assertion, evidence: AssertionEvidence): Promise<SettlementReceipt>;
  /** An assertion and its status, or undefined when unknown. */
  getAssertion(hash: Hash32): Promise<{ assertion: Assertion; status: AssertionStatus } | undefined>;
  /** Confirm an assertion whose challenge period passed unchallenged (or whose proof verified). */
  confirmAssertion(hash: Hash32): Promise<SettlementReceipt>;
  /** Hash of the latest confirmed assertion. */
  latestConfirmed(): Promise<Hash32>;
  /** Execute an L2 -> L1 message against a confirmed send root with its Merkle proof. */
  executeOutboxMessage(message: OutboxMessage, sendRoot: Hash32, proof: Hash32[]): Promise<SettlementReceipt>;
  /** Current settlement-layer time (seconds) and block number, the clock for periods and delays. */
  now(): Promise<{ timestamp: bigint; blockNumber: bigint }>;
  /** Raw call for module-specific extensions (e.g. challenge manager moves). */
  call(to: Address, data: Hex, value?: bigint): Promise<SettlementReceipt>;
}
