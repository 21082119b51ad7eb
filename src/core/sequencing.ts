/**
 * The sequencing layer: who orders transactions, and how users force theirs in. Implementations:
 * single (one sequencer + forced inclusion through the L1 delayed inbox); later committee-rotation
 * (a committee whose members take turns, leader chosen deterministically from L1 data).
 */
import type { Address, InboxMessage, L2Transaction, SequencingModuleName } from './types.ts';

/**
 * The block being built, to decide when to seal it. A sealed block is one inbox message (one STF
 * run, one `postBatch`): the unit the sequencer seals and the batcher posts (docs/node.md §2–§3).
 */
export interface OpenBlock {
  /** size of the block's message so far (kind byte, count, length-prefixed transactions) */
  bytes: number;
  transactions: number;
  /** seconds since the block's first transaction was accepted */
  ageSeconds: number;
}

/** The limits a block is sealed by (the node reports them in its status). */
export interface SealLimits {
  maxTransactionsPerBlock: number;
  /** the largest block message, in bytes */
  maxBlockBytes: number;
  /** seconds after its first transaction an open block is sealed (may be fractional) */
  maxAgeSeconds: number;
}

/** The sequencing module. */
export interface Sequencing {
  readonly name: SequencingModuleName;
  /** Delayed messages older than this (seconds) must be included; anyone can force them in after it. */
  readonly maxDelaySeconds: number;
  readonly limits: SealLimits;
  /** The address allowed to post batches at `l1Timestamp` (single: fixed; committee: the current leader). */
  sequencerAt(l1Timestamp: bigint): Address;
  /**
   * Order pending transactions into the next block. Must be a pure function of its inputs so a
   * replacement sequencer produces the same block from the same mempool snapshot.
   */
  order(pending: L2Transaction[], maxTransactions: number): L2Transaction[];
  /**
   * Delayed messages that must be included now: every message in `delayed` whose L1 timestamp is
   * at least `maxDelaySeconds` before `now`. The sequencer includes them before other transactions.
   */
  forcedMessages<M extends Pick<InboxMessage, 'l1Timestamp'>>(delayed: readonly M[], now: bigint): M[];
  /** Whether a transaction of `txBytes` bytes fits in the open block (else: seal first, then place it). */
  fits(block: OpenBlock, txBytes: number): boolean;
  /** True when the open block must be sealed now (transaction count, size or age limit reached). */
  shouldSeal(block: OpenBlock): boolean;
}
