/**
 * Single-sequencer sequencing (`sequencing.module: "single"`, docs/node.md §2): one sequencer
 * orders transactions first come, first served and seals a block (one inbox message, one STF run)
 * when the next transaction would not fit in `sequencing.batch.maxBytes`, at
 * `vm.limits.maxTransactionsPerBlock` transactions, or `sequencing.batch.maxAgeSeconds` after its
 * first transaction. Users force their L1 transactions in through the delayed inbox: a delayed
 * message older than `sequencing.maxDelaySeconds` must be included (the inbox lets anyone include
 * it after that, docs/inbox.md §6).
 *
 * src/node/sequencer.ts takes these rules from the module the roles create through the registry
 * (src/modules.ts); it keeps only the mechanics (WAL, positions, execution, store).
 */
import type { OpenBlock, SealLimits, Sequencing } from '../../core/sequencing.ts';
import type { Address, InboxMessage, L2Transaction } from '../../core/types.ts';

/** A block message with no transaction: kind byte ‖ count u32 (docs/inbox.md §2). */
export const EMPTY_BLOCK_BYTES = 5;
/** Each transaction's u32 length prefix in the block's list. */
export const TX_PREFIX_BYTES = 4;

export interface SingleSequencingOptions {
  /** the sequencer's L1 address (the inbox's batch poster) */
  sequencer: Address;
  /** sequencing.maxDelaySeconds */
  maxDelaySeconds: number;
  /** sequencing.batch.maxBytes: the largest block message */
  maxBlockBytes: number;
  /** sequencing.batch.maxAgeSeconds */
  maxAgeSeconds: number;
  /** vm.limits.maxTransactionsPerBlock */
  maxTransactionsPerBlock: number;
}

export class SingleSequencing implements Sequencing {
  readonly name = 'single' as const;
  readonly maxDelaySeconds: number;
  readonly limits: SealLimits;

  constructor(readonly opts: SingleSequencingOptions) {
    for (const k of [
      'maxDelaySeconds',
      'maxBlockBytes',
      'maxAgeSeconds',
      'maxTransactionsPerBlock',
    ] as const) {
      const v = opts[k];
      if (!Number.isFinite(v) || v < 0)
        throw new RangeError(`single sequencing: ${k} ${v} is not a non-negative number`);
    }
    this.maxDelaySeconds = opts.maxDelaySeconds;
    this.limits = {
      maxTransactionsPerBlock: opts.maxTransactionsPerBlock,
      maxBlockBytes: opts.maxBlockBytes,
      maxAgeSeconds: opts.maxAgeSeconds,
    };
  }

  /** Always the one sequencer. */
  sequencerAt(): Address {
    return this.opts.sequencer;
  }

  /** Arrival order (first come, first served), at most `maxTransactions`. */
  order(pending: L2Transaction[], maxTransactions: number): L2Transaction[] {
    return pending.slice(0, Math.max(0, Math.min(maxTransactions, this.opts.maxTransactionsPerBlock)));
  }

  /** The delayed messages at least `maxDelaySeconds` old at `now`, in delayed-inbox order. */
  forcedMessages<M extends Pick<InboxMessage, 'l1Timestamp'>>(delayed: readonly M[], now: bigint): M[] {
    const limit = BigInt(this.maxDelaySeconds);
    return delayed.filter((m) => m.l1Timestamp + limit <= now);
  }

  /** A transaction fits when the block stays within maxBlockBytes with it (an empty block takes any that fits a block at all). */
  fits(block: OpenBlock, txBytes: number): boolean {
    const base = block.transactions === 0 ? EMPTY_BLOCK_BYTES : block.bytes;
    return base + TX_PREFIX_BYTES + txBytes <= this.opts.maxBlockBytes;
  }

  shouldSeal(block: OpenBlock): boolean {
    if (block.transactions === 0) return false;
    return (
      block.transactions >= this.opts.maxTransactionsPerBlock ||
      block.bytes + TX_PREFIX_BYTES >= this.opts.maxBlockBytes ||
      block.ageSeconds >= this.opts.maxAgeSeconds
    );
  }
}
