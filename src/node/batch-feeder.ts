/**
 * Feeds the sequencer's stored blocks to the batcher, in order, and recovers when the batcher
 * halts (docs/node.md §3). The sequencer role runs one.
 *
 * - The feeder follows the store, not the callbacks: `pump()` (called whenever a block is stored)
 *   submits every stored batch block of the sequencer's own from the next unfed number up to the
 *   store's head (delayed blocks reach L1 through the next batch's delayedRead; blocks a recovery
 *   took from L1 are L1's already).
 * - Before feeding, at start and after every halt, `resync()` restarts the batcher and checks the
 *   store against L1, re-executing from L1 when they differ (recovery.ts: a forced inclusion, a
 *   reorg under a posted batch, another writer); it gives the position to feed from (L1's message
 *   count: every stored block below it is on L1).
 * - A position mismatch resyncs at once. Any other failure the batcher gave up on (an L1 endpoint
 *   down for longer than its retries) halts it; the feeder waits (`retryMs`, doubled up to
 *   `maxRetryMs`) and resyncs, and so on while `resync` fails. The sequencer keeps accepting
 *   transactions meanwhile; they are posted once L1 is back.
 * - `resyncNow()` resyncs at once (the role's periodic check against L1 found a divergence).
 * - A resync failure `isFatal` says is final (the sequencer's recovery failed: it stopped) goes to
 *   `onFatal`, and the feeder stops.
 */
import { BatchPositionMismatchError, type PostedBlock, type SealedBlock } from './batcher.ts';

/** A stored block as the feeder sees it (the sequencer's `sealedBlock(n)`). */
export interface FeedBlock {
  number: number;
  kind: 'batch' | 'delayed';
  message: Uint8Array;
  delayedRead: number;
  txCount: number;
  /** taken from L1 by a recovery: not posted */
  fromL1?: true;
}

export interface BatchFeederOptions {
  batcher: { submit(b: SealedBlock): Promise<PostedBlock> };
  /**
   * (Re)starts the batcher and checks the store against L1 (recovering when they differ); resolves
   * with the position to feed from.
   */
  resync: () => Promise<number>;
  /** number of stored blocks (the next block's number) */
  head: () => number;
  /** stored block `n` */
  block: (n: number) => FeedBlock | undefined;
  onPosted?: (posted: PostedBlock, block: FeedBlock) => void;
  /** a halt or a failed resync the feeder recovers from (logged by the role) */
  onRetry?: (error: unknown, inMs: number) => void;
  /** a failure the feeder does not recover from (`isFatal`) */
  onFatal: (error: unknown) => void;
  /** whether a resync failure is final (default: none) */
  isFatal?: (error: unknown) => boolean;
  /** first wait before a resync after a halt (default 1,000 ms), doubled up to `maxRetryMs` (default 30,000) */
  retryMs?: number;
  maxRetryMs?: number;
}

export class BatchFeeder {
  private next = 0;
  private started = false;
  private recovering = false;
  private stopped = false;
  private delay: number;

  constructor(private readonly o: BatchFeederOptions) {
    this.delay = o.retryMs ?? 1_000;
  }

  /**
   * Resyncs with L1 and starts feeding; resolves after the first resync (a failed one is retried
   * in the background, as after a halt).
   */
  start(): Promise<void> {
    this.started = true;
    this.recovering = true;
    return this.resync();
  }

  /** Submits every stored block not fed yet, in order (not awaited: the batcher queues them). */
  pump(): void {
    if (!this.started || this.recovering || this.stopped) return;
    for (const head = this.o.head(); this.next < head; this.next++) {
      const b = this.o.block(this.next);
      if (!b) break;
      if (b.kind !== 'batch' || b.fromL1) continue;
      this.o.batcher
        .submit({ position: BigInt(b.number), message: b.message, delayedRead: BigInt(b.delayedRead) })
        .then(
          (posted) => {
            this.delay = this.o.retryMs ?? 1_000;
            this.o.onPosted?.(posted, b);
          },
          (e) => this.failed(e),
        );
    }
  }

  /**
   * Resyncs now (unless one is running): e.g. a periodic check against L1 found a reorg that
   * replaced a posted batch and re-executed; the feeder starts again from L1's message count.
   */
  resyncNow(reason: unknown): void {
    if (!this.started || this.recovering || this.stopped) return;
    this.recovering = true;
    this.retry(reason, true);
  }

  /** Stops feeding (the role is closing). */
  stop(): void {
    this.stopped = true;
  }

  private failed(e: unknown): void {
    if (this.recovering || this.stopped) return;
    this.recovering = true;
    this.retry(e, e instanceof BatchPositionMismatchError);
  }

  private retry(e: unknown, now: boolean): void {
    let wait = 0;
    if (!now) {
      wait = this.delay;
      this.delay = Math.min(this.delay * 2, this.o.maxRetryMs ?? 30_000);
    }
    this.o.onRetry?.(e, wait);
    setTimeout(() => void this.resync(), wait).unref();
  }

  private async resync(): Promise<void> {
    if (this.stopped) return;
    let from: number;
    try {
      from = await this.o.resync();
    } catch (e) {
      if (this.stopped) return;
      if (this.o.isFatal?.(e)) {
        this.stopped = true;
        this.o.onFatal(e);
        return;
      }
      this.retry(e, false);
      return;
    }
    this.recovering = false;
    this.next = from;
    this.pump();
  }
}
