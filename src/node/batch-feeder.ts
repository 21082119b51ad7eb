/**
 * Feeds the sequencer's stored blocks to the batcher, in order, and recovers the batcher when it
 * halts (docs/node.md §3). The sequencer role runs one.
 *
 * - The feeder follows the store, not the callbacks: `pump()` (called whenever a block is stored)
 *   submits every stored batch block from the next unfed number up to the store's head. At start the
 *   next number is L1's message count (block number = inbox position) minus `recheck` (default 64),
 *   so blocks stored before a crash and never posted go to L1 first, and the last positions L1
 *   already has are checked: the batcher skips a block L1 holds, and a different message there
 *   (a forced inclusion or another batch at one of the sequencer's positions) is a mismatch.
 * - A transient failure the batcher gave up on (an L1 endpoint down for longer than its retries)
 *   halts the batcher; the feeder then waits (`retryMs`, doubled up to `maxRetryMs`), restarts it
 *   (`start()` re-reads L1) and feeds again from L1's message count. The sequencer keeps accepting
 *   transactions meanwhile; they are posted once L1 is back.
 * - A position mismatch is retried once at once, as a halt: an L1 reorg that dropped some of the
 *   sequencer's batches only needs them posted again from L1's new message count. A second mismatch
 *   with no batch posted in between is a real divergence (a forced inclusion or another writer's
 *   batch at one of the sequencer's positions, found again by the re-check): re-executing the
 *   sequencer's blocks from L1 is not implemented, so `onFatal` gets the
 *   {@link BatchPositionMismatchError} (the role stops the sequencer).
 */
import {
  BatchPositionMismatchError,
  type InboxCursor,
  type PostedBlock,
  type SealedBlock,
} from './batcher.ts';

/** A stored block as the feeder sees it (the sequencer's `sealedBlock(n)`). */
export interface FeedBlock {
  number: number;
  kind: 'batch' | 'delayed';
  message: Uint8Array;
  delayedRead: number;
  txCount: number;
}

export interface BatchFeederOptions {
  batcher: {
    start(): Promise<InboxCursor>;
    submit(b: SealedBlock): Promise<PostedBlock>;
  };
  /** number of stored blocks (the next block's number) */
  head: () => number;
  /** stored block `n` */
  block: (n: number) => FeedBlock | undefined;
  onPosted?: (posted: PostedBlock, block: FeedBlock) => void;
  /** a halt the feeder recovers from (logged by the role) */
  onRetry?: (error: unknown, inMs: number) => void;
  /** a failure the feeder does not recover from (a position mismatch) */
  onFatal: (error: unknown) => void;
  /** positions below L1's message count fed again at start and after a halt, for the batcher to check (default 64) */
  recheck?: number;
  /** first wait before restarting a halted batcher (default 1,000 ms), doubled up to `maxRetryMs` (default 30,000) */
  retryMs?: number;
  maxRetryMs?: number;
}

export class BatchFeeder {
  private next = 0;
  private started = false;
  private recovering = false;
  private stopped = false;
  /** a mismatch was retried and no batch has been posted since */
  private mismatchRetried = false;
  private delay: number;

  constructor(private readonly o: BatchFeederOptions) {
    this.delay = o.retryMs ?? 1_000;
  }

  /** Starts feeding at L1's message count (after `batcher.start()`), less `recheck` positions. */
  start(messageCount: bigint): void {
    this.next = this.from(messageCount);
    this.started = true;
    this.pump();
  }

  private from(messageCount: bigint): number {
    return Math.max(0, Number(messageCount) - (this.o.recheck ?? 64));
  }

  /** Submits every stored block not fed yet, in order (not awaited: the batcher queues them). */
  pump(): void {
    if (!this.started || this.recovering || this.stopped) return;
    for (const head = this.o.head(); this.next < head; this.next++) {
      const b = this.o.block(this.next);
      if (!b) break;
      if (b.kind !== 'batch') continue; // delayed messages reach L1 through the next batch's delayedRead
      this.o.batcher
        .submit({ position: BigInt(b.number), message: b.message, delayedRead: BigInt(b.delayedRead) })
        .then(
          (posted) => {
            this.delay = this.o.retryMs ?? 1_000;
            if (!posted.alreadyPosted) this.mismatchRetried = false;
            this.o.onPosted?.(posted, b);
          },
          (e) => this.failed(e),
        );
    }
  }

  /** Stops feeding (the role is closing). */
  stop(): void {
    this.stopped = true;
  }

  private failed(e: unknown): void {
    if (this.recovering || this.stopped) return;
    let wait: number;
    if (e instanceof BatchPositionMismatchError) {
      if (this.mismatchRetried) {
        this.stopped = true;
        this.o.onFatal(e);
        return;
      }
      // once, at once: a reorg only needs the dropped batches posted again
      this.mismatchRetried = true;
      wait = 0;
    } else {
      // the batcher halted (the blocks queued behind this one fail too): restart it after a while
      wait = this.delay;
      this.delay = Math.min(this.delay * 2, this.o.maxRetryMs ?? 30_000);
    }
    this.recovering = true;
    this.o.onRetry?.(e, wait);
    setTimeout(() => void this.recover(), wait).unref();
  }

  private async recover(): Promise<void> {
    if (this.stopped) return;
    let cursor: InboxCursor;
    try {
      cursor = await this.o.batcher.start();
    } catch (e) {
      this.recovering = false;
      this.failed(e);
      return;
    }
    this.recovering = false;
    this.next = this.from(cursor.messageCount);
    this.pump();
  }
}
