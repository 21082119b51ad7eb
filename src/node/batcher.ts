/**
 * The batcher (docs/node.md §3): posts the sequencer's sealed blocks to the L1 inbox, in order, one
 * block = one inbox message = one `postBatch`, through the DA module (l1-calldata: the inbox payload
 * is the block's bytes). The sequencer decides when a block is sealed (sequencing.batch.maxAgeSeconds
 * / maxBytes); the batcher posts each block as soon as it gets it and retries transient failures.
 *
 * The DA module stores the block's data and returns a pointer; batch-posting.ts maps it to the
 * postBatch call: calldata (kind 0x00), blobs (kind 0x02, a type-3 transaction) or a committee
 * certificate (kind 0x03), whichever the module chose (the committee falls back to L1 on its own;
 * when L1 refuses a certificate, e.g. of a keyset rotated out, the batcher posts through the fallback).
 *
 * Idempotent and restartable:
 * - `start()` reads batchCount / messageCount / delayedIncluded on L1. A block whose predicted
 *   position is already on L1 is not posted again: the batcher checks that L1 holds this very block
 *   there (a batch carrying the same data, whatever its DA path) and skips it. The sequencer can thus re-feed every block it
 *   is not sure about after a crash.
 * - Each post carries an explicit sequence number, so a resubmission of a batch that landed (a retry
 *   after a lost receipt, a second batcher) reverts `BatchAlreadyPosted` instead of posting twice;
 *   the batcher then finds the landed batch and reports the block as already posted.
 * - Before posting, it predicts where the batch lands (messageCount + the delayed messages it
 *   includes) and after posting it checks the position L1 reports. When L1 disagrees with the
 *   sequencer's position (a forced inclusion moved positions, a reorg dropped a batch) it throws a
 *   {@link BatchPositionMismatchError} (nothing is posted in the forced-inclusion case): the
 *   sequencer must re-execute from what L1 says and re-seal; the batcher refuses further blocks until
 *   `start()` is called again.
 *
 * L1 time (`tickSeconds`, config `sequencing.tickSeconds`; docs/node.md §3 "Ticks"): the batcher calls
 * `Inbox.tick()` (docs/inbox.md §6.4) at start and every `tickSeconds` on the same queue as its posts,
 * skipping when the last tick on L1 is younger; a failed tick is an event, never a halt. `close()` or
 * `stopTicking()` ends the timer.
 *
 * Blocks bigger than `da.maxBatchBytes` are refused (DA_BATCH_TOO_LARGE), not split: a block is one
 * STF run, so the sequencer must seal smaller blocks (sequencing.batch.maxBytes ≤ maxBatchBytes).
 */
import type { DataAvailability } from '../core/da.ts';
import { ModexError } from '../core/errors.ts';
import { DaBatchTooLargeError } from '../da/errors.ts';
import { BYTES_PER_BLOB } from '../da/l1-blob/blob-codec.ts';
import { blobTxParams } from '../da/l1-blob/blob-tx.ts';
import { L1CalldataDa } from '../da/l1-calldata/l1-calldata.ts';
import { InboxRevertError, SettlementRevertError } from '../settlement/ethereum/errors.ts';
import type { InboxClient, InboxEntry, PostBatchResult } from '../settlement/ethereum/inbox.ts';
import { MESSAGE_KIND } from '../settlement/ethereum/message.ts';
import { type BatchPosting, messageCarries, postingOf } from './batch-posting.ts';

/** A block sealed by the sequencer, ready to post. */
export interface SealedBlock {
  /** the inbox position the sequencer executed it at (after the delayed messages it includes) */
  position: bigint;
  /** the block's inbox message: kind byte ‖ payload (kind 0x00: the transaction list) */
  message: Uint8Array;
  /** the delayed messages [0, delayedRead) are in the inbox before this block (postBatch's delayedRead) */
  delayedRead: bigint;
  /** the batch's sequence number, if the sequencer tracks it (else: L1's batchCount, then +1 per block) */
  sequenceNumber?: bigint;
}

/** A block that is on L1. */
export interface PostedBlock {
  block: SealedBlock;
  sequenceNumber: bigint;
  position: bigint;
  /** true when it was found on L1 (posted before a restart, or by a racing attempt) rather than posted now */
  alreadyPosted: boolean;
  /** the postBatch transaction (when posted now) */
  tx?: PostBatchResult;
  /**
   * how it was posted now: the DA path, whether it was a fallback, the bytes L1 carried (payload +
   * blobs), and how long the DA module's `store` took (ms; committee: collecting the signatures)
   */
  da?: { pointer: BatchPosting['pointer']; usedFallback: boolean; bytes: number; storeMs?: number };
}

/** What the batcher knows of the inbox (refreshed on start and after any surprise). */
export interface InboxCursor {
  batchCount: bigint;
  messageCount: bigint;
  delayedIncluded: bigint;
}

export type BatcherEvent =
  | ({ type: 'started' } & InboxCursor)
  | { type: 'posted'; posted: PostedBlock }
  | { type: 'skipped'; posted: PostedBlock }
  | { type: 'retry'; position: bigint; attempt: number; error: unknown }
  /** L1 refused the block's certificate; it is posted through the DA module's fallback instead */
  | { type: 'certificate-refused'; position: bigint; error: unknown }
  | { type: 'mismatch'; error: BatchPositionMismatchError }
  /** `tickSeconds`: the batcher queued an L1-time tick (docs/inbox.md §6.4) at delayed index `index` */
  | { type: 'tick'; txHash: `0x${string}`; gasUsed: bigint; blockNumber: bigint; index: bigint }
  /** `tickSeconds`: a tick failed (not TickTooSoon); it is tried again at the next interval */
  | { type: 'tick-failed'; error: unknown };

/** A postBatch of kind 0x03 that L1's certificate verifier refused (docs/committee.md §4). */
function refusedCertificate(e: unknown): boolean {
  return (
    e instanceof SettlementRevertError &&
    (e.contract === 'CommitteeKeysets' ||
      (e.contract === 'Inbox' &&
        (e.errorName === 'UnsupportedBatchKind' || e.errorName === 'CertificateLifetimeTooShort')))
  );
}

/** The batcher's own errors (codes `BATCHER_*`). */
export class BatcherError extends ModexError {}

/**
 * L1's inbox disagrees with the sequencer's positions (code BATCHER_POSITION_MISMATCH): a forced
 * inclusion or a reorg moved positions, or another block is at the predicted position. The sequencer
 * re-executes from L1 (derivation) and re-seals its unposted transactions; then `batcher.start()`.
 */
export class BatchPositionMismatchError extends BatcherError {
  /** where the sequencer executed the block */
  readonly expected: bigint;
  /** where the block landed or would land, when known */
  readonly actual: bigint | undefined;
  /** L1's inbox when the mismatch was found */
  readonly l1: InboxCursor;
  /** what disagrees */
  readonly why: string;
  constructor(expected: bigint, actual: bigint | undefined, l1: InboxCursor, why: string, cause?: unknown) {
    super(
      'BATCHER_POSITION_MISMATCH',
      `block predicted at inbox position ${expected}${actual === undefined ? '' : ` lands at ${actual}`}: ${why} ` +
        `(L1: messageCount ${l1.messageCount}, delayedIncluded ${l1.delayedIncluded}, batchCount ${l1.batchCount}); ` +
        're-execute from L1 (derivation), re-seal the unposted transactions, then restart the batcher',
      { cause },
    );
    this.expected = expected;
    this.actual = actual;
    this.l1 = l1;
    this.why = why;
  }
}

export interface BatcherOptions {
  /** the sequencer's inbox client (its wallet signs postBatch) */
  inbox: InboxClient;
  /** default l1-calldata */
  da?: DataAvailability;
  /** calldata batches: post `0x04 ‖ brotli(list)` when smaller than the list (default true) */
  compress?: boolean;
  /** attempts per block on transient failures (default 5) */
  attempts?: number;
  /** first retry delay, doubled each time (default 500 ms) */
  retryDelayMs?: number;
  onEvent?: (e: BatcherEvent) => void;
  /**
   * L1 time for the chain (docs/node.md §3 "Ticks"; config `sequencing.tickSeconds`): when set, the
   * batcher calls `inbox.tick()` at `start()` and then every `tickSeconds`, on the queue of its
   * posts (one wallet, no nonce races), unless the last tick on L1 is younger than `tickSeconds`.
   * Undefined: no ticks.
   */
  tickSeconds?: number;
}

export class Batcher {
  readonly inbox: InboxClient;
  readonly da: DataAvailability;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly compress: boolean;
  private readonly onEvent: (e: BatcherEvent) => void;
  private cursor: InboxCursor | undefined;
  /** the last position handled (posted or skipped) since start */
  private lastPosition = -1n;
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  /** the error that halted the queue (a mismatch, or any failure of a block): later blocks are refused */
  private failure: Error | undefined;
  /** entries of L1 read for skip checks: position → entry */
  private readonly seen = new Map<bigint, InboxEntry>();
  private readonly tickSeconds: number | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  /** ticks are on (startTicking, until stopTicking / close) */
  private ticking = false;
  /** a tick check is queued and not yet done (it schedules the next one) */
  private tickQueued = false;
  /** the last tick this batcher sent or saw, and when (this clock) */
  private seenTick: { block: bigint; atMs: number } | undefined;
  private closed = false;

  constructor(opts: BatcherOptions) {
    this.inbox = opts.inbox;
    this.da = opts.da ?? new L1CalldataDa();
    this.attempts = opts.attempts ?? 5;
    this.retryDelayMs = opts.retryDelayMs ?? 500;
    this.compress = opts.compress ?? true;
    this.onEvent = opts.onEvent ?? (() => {});
    if (opts.tickSeconds !== undefined && !(Number.isInteger(opts.tickSeconds) && opts.tickSeconds > 0)) {
      throw new BatcherError(
        'BATCHER_BAD_TICK_SECONDS',
        `tickSeconds must be a positive integer (seconds between L1-time ticks), got ${opts.tickSeconds}`,
      );
    }
    this.tickSeconds = opts.tickSeconds;
  }

  /** L1's inbox as the batcher last knew it (undefined before start) */
  get l1(): InboxCursor | undefined {
    return this.cursor && { ...this.cursor };
  }

  /** the sequence number the next new batch will carry */
  get nextSequenceNumber(): bigint | undefined {
    return this.cursor?.batchCount;
  }

  /** blocks submitted and not yet handled */
  get pending(): number {
    return this.queued;
  }

  /** (Re)reads the inbox and clears a previous mismatch. Waits for the blocks already queued. */
  async start(): Promise<InboxCursor> {
    await this.tail.catch(() => {});
    return this.init();
  }

  private async init(): Promise<InboxCursor> {
    this.failure = undefined;
    this.lastPosition = -1n;
    this.seen.clear();
    const c = await this.refresh();
    this.emit({ type: 'started', ...c });
    this.startTicking();
    return { ...c };
  }

  /**
   * Starts the ticks (`tickSeconds`; `start()` does it): a check now, then one each time the last
   * tick is due to be `tickSeconds` old. The timer is unref'd (it keeps no process alive). A no-op
   * when already ticking, closed or without `tickSeconds`.
   */
  startTicking(): void {
    if (this.tickSeconds === undefined || this.ticking || this.closed) return;
    this.ticking = true;
    if (!this.tickQueued) this.queueTick(); // else the tick in flight schedules the next one
  }

  /** Stops the ticks (a tick already queued still runs, and schedules nothing). */
  stopTicking(): void {
    this.ticking = false;
    clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
  }

  /** Stops the ticks and waits for the queue (blocks and a tick in flight). */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTicking();
    await this.tail.catch(() => {});
  }

  /** Queues one tick check behind the posts; when done, it schedules the next. */
  private queueTick(): void {
    this.tickTimer = undefined;
    this.tickQueued = true;
    const run = async () => {
      const nextMs = await this.tickOnce();
      this.tickQueued = false;
      if (!this.ticking || this.closed) return;
      this.tickTimer = setTimeout(() => this.queueTick(), nextMs);
      this.tickTimer.unref();
    };
    this.tail = this.tail.then(run, run).catch(() => {});
  }

  /**
   * docs/node.md §3 "Ticks": `Inbox.tick()` unless the last tick is younger than `tickSeconds`. Its
   * age is the later of two clocks: L1's (now = the later of this clock and L1's latest block, minus
   * the tick block's timestamp), so that a restart or a second batcher does not over-tick; and, for a
   * tick this batcher sent or saw before, the time since then on this clock, so that an L1 that mines
   * no block in between (an idle anvil) still gets its ticks. TickTooSoon (another tick in this L1
   * block) is a skip; any other failure is a `tick-failed` event and never touches the posts.
   * Returns when to check next (ms).
   */
  private async tickOnce(): Promise<number> {
    const tickMs = (this.tickSeconds ?? 1) * 1000;
    if (this.closed || this.tickSeconds === undefined) return tickMs;
    try {
      const last = await this.inbox.lastTickBlock();
      if (last > 0n) {
        if (this.seenTick?.block !== last) this.seenTick = { block: last, atMs: Date.now() };
        const client = this.inbox.publicClient;
        const [tickBlock, latest] = await Promise.all([
          client.getBlock({ blockNumber: last }),
          client.getBlock({ blockTag: 'latest' }),
        ]);
        const wall = Date.now();
        const l1Now = Number(latest.timestamp) * 1000;
        const l1Age = Math.max(l1Now, wall) - Number(tickBlock.timestamp) * 1000;
        const localAge = wall - this.seenTick.atMs;
        const age = Math.max(l1Age, localAge);
        if (age < tickMs) return Math.max(250, tickMs - age);
      }
      const sentAt = Date.now();
      const r = await this.inbox.tick();
      this.seenTick = { block: r.blockNumber, atMs: sentAt };
      this.emit({
        type: 'tick',
        txHash: r.txHash,
        gasUsed: r.gasUsed,
        blockNumber: r.blockNumber,
        index: r.index,
      });
      return Math.max(250, tickMs - (Date.now() - sentAt)); // the interval counts from the send
    } catch (error) {
      if (error instanceof InboxRevertError && error.errorName === 'TickTooSoon') return 1_000;
      this.emit({ type: 'tick-failed', error });
      return tickMs;
    }
  }

  /**
   * Queues `block` behind the ones submitted before; resolves once it is on L1 at its position
   * (posted now or found there). Rejects with a BatcherError (mismatch, out of order), a
   * DA_BATCH_TOO_LARGE or the last error after `attempts` transient failures.
   */
  submit(block: SealedBlock): Promise<PostedBlock> {
    this.queued++;
    const p = this.tail.then(
      () => this.handle(block),
      () => this.handle(block),
    );
    this.tail = p.finally(() => this.queued--).catch(() => {});
    return p;
  }

  /** Posts `blocks` in order (submit each); resolves with all of them or rejects at the first failure. */
  async postAll(blocks: SealedBlock[]): Promise<PostedBlock[]> {
    const ps = blocks.map((b) => this.submit(b));
    for (const p of ps) p.catch(() => {});
    return Promise.all(ps);
  }

  /** Waits until every submitted block is handled. */
  async flush(): Promise<void> {
    await this.tail;
  }

  private emit(e: BatcherEvent): void {
    try {
      this.onEvent(e);
    } catch {
      // the listener's failure is its own
    }
  }

  private async refresh(): Promise<InboxCursor> {
    const [batchCount, messageCount, delayedIncluded] = await Promise.all([
      this.inbox.batchCount(),
      this.inbox.messageCount(),
      this.inbox.delayedIncluded(),
    ]);
    this.cursor = { batchCount, messageCount, delayedIncluded };
    return this.cursor;
  }

  private mismatch(block: SealedBlock, actual: bigint | undefined, why: string, cause?: unknown): never {
    const error = new BatchPositionMismatchError(
      block.position,
      actual,
      { ...(this.cursor as InboxCursor) },
      why,
      cause,
    );
    this.failure = error;
    this.emit({ type: 'mismatch', error });
    throw error;
  }

  private async handle(block: SealedBlock): Promise<PostedBlock> {
    if (this.failure) {
      if (this.failure instanceof BatchPositionMismatchError) throw this.failure;
      throw new BatcherError(
        'BATCHER_HALTED',
        `not posting the block at position ${block.position}: an earlier block failed (${this.failure.message}); ` +
          'call start() and re-submit from the first block L1 does not have',
        { cause: this.failure },
      );
    }
    try {
      return await this.handleOne(block);
    } catch (e) {
      // the later blocks' positions assume this one: stop the queue (except for a block given out of order)
      if (!(e instanceof BatcherError && e.code === 'BATCHER_OUT_OF_ORDER')) this.failure ??= e as Error;
      throw e;
    }
  }

  private async handleOne(block: SealedBlock): Promise<PostedBlock> {
    if (!this.cursor) await this.init();
    if (block.position <= this.lastPosition) {
      throw new BatcherError(
        'BATCHER_OUT_OF_ORDER',
        `block at position ${block.position} submitted after position ${this.lastPosition}; submit blocks in position order`,
      );
    }
    if (block.message.length === 0) {
      throw new BatcherError('BATCHER_EMPTY_MESSAGE', `block at position ${block.position} has no kind byte`);
    }
    // the inbox message this block becomes (l1-calldata: the block's own bytes)
    if (block.message[0] !== MESSAGE_KIND.l2Transactions) {
      throw new BatcherError(
        'BATCHER_UNSUPPORTED_KIND',
        `block at position ${block.position} is a kind-${block.message[0]} message; the sequencer posts transaction lists (kind 0x00)`,
      );
    }
    const t0 = performance.now();
    let posting = postingOf(this.da, await this.da.store(block.message.subarray(1)), {
      compress: this.compress,
    });
    const storeMs = performance.now() - t0;
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.attempt(block, posting, storeMs);
        // found on L1 already (an earlier attempt or a resent transaction landed, or a run before a
        // restart posted it): L1 carries this very batch (alreadyThere checked it through the DA),
        // so it went the DA path of this posting
        if (r.alreadyPosted)
          r.da ??= { pointer: posting.pointer, usedFallback: posting.usedFallback, bytes: 0, storeMs };
        this.lastPosition = block.position;
        this.emit({ type: r.alreadyPosted ? 'skipped' : 'posted', posted: r });
        return r;
      } catch (error) {
        const fallback = this.da.fallback;
        if (posting.pointer === 'certificate' && fallback && refusedCertificate(error)) {
          // L1 refused the certificate (keyset rotated out, expired, …): post the data on L1 instead
          this.emit({ type: 'certificate-refused', position: block.position, error });
          posting = postingOf(fallback, await fallback.store(block.message.subarray(1)), {
            compress: this.compress,
          });
          posting.usedFallback = true;
          continue;
        }
        // ours, the DA's and the contract's errors are final; transport failures are retried
        const final = error instanceof BatcherError || error instanceof DaBatchTooLargeError;
        if (final || error instanceof InboxRevertError || attempt >= this.attempts) throw error;
        this.emit({ type: 'retry', position: block.position, attempt, error });
        await new Promise((r) => setTimeout(r, this.retryDelayMs * 2 ** (attempt - 1)));
        await this.refresh().catch(() => {});
      }
    }
  }

  /** One attempt: skip if L1 already has the block, else predict, post and check. */
  private async attempt(block: SealedBlock, posting: BatchPosting, storeMs?: number): Promise<PostedBlock> {
    const c = this.cursor as InboxCursor;
    if (block.position < c.messageCount) return this.alreadyThere(block);

    if (block.delayedRead < c.delayedIncluded) {
      await this.refresh();
      if (block.position < this.cursor!.messageCount) return this.alreadyThere(block);
      this.mismatch(
        block,
        undefined,
        `the block includes delayed messages up to ${block.delayedRead}, but L1 already included ${this.cursor!.delayedIncluded} (forced inclusion)`,
      );
    }
    const predicted = c.messageCount + (block.delayedRead - c.delayedIncluded);
    if (predicted !== block.position) {
      await this.refresh();
      const c2 = this.cursor as InboxCursor;
      if (block.position < c2.messageCount) return this.alreadyThere(block);
      const p2 = c2.messageCount + (block.delayedRead - c2.delayedIncluded);
      if (p2 !== block.position)
        this.mismatch(block, p2, 'the inbox holds a different number of messages than the sequencer assumed');
    }
    const seq = block.sequenceNumber ?? c.batchCount;
    let r: PostBatchResult;
    try {
      r = await this.inbox.postBatch(posting.payload, {
        kind: posting.kind,
        delayedRead: block.delayedRead,
        sequenceNumber: seq,
        blobTx: posting.blobs && { ...(await blobTxParams(this.inbox.publicClient, posting.blobs)) },
      });
    } catch (e) {
      if (e instanceof InboxRevertError) {
        const cur = await this.refresh();
        if (e.errorName === 'BatchAlreadyPosted' && block.position < cur.messageCount) {
          return this.alreadyThere(block); // a previous attempt landed
        }
        if (e.errorName === 'DelayedReadBehind' || e.errorName === 'DelayedReadBeyondCount') {
          if (block.position < cur.messageCount) return this.alreadyThere(block);
          this.mismatch(
            block,
            undefined,
            `postBatch reverted ${e.errorName} (delayed inbox changed under the sequencer)`,
            e,
          );
        }
        if (e.errorName === 'BatchAlreadyPosted' || e.errorName === 'SequenceNumberGap') {
          this.mismatch(block, undefined, `postBatch with sequence number ${seq} reverted ${e.errorName}`, e);
        }
      }
      throw e;
    }
    this.cursor = {
      batchCount: seq + 1n,
      messageCount: r.position + 1n,
      delayedIncluded: r.delayedRead, // postBatch requires delayedIncluded ≤ delayedRead, then sets it
    };
    const posted: PostedBlock = {
      block,
      sequenceNumber: seq,
      position: r.position,
      alreadyPosted: false,
      tx: r,
      da: {
        pointer: posting.pointer,
        usedFallback: posting.usedFallback,
        bytes: posting.payload.length + BYTES_PER_BLOB * (posting.blobs?.versionedHashes.length ?? 0),
        storeMs,
      },
    };
    if (r.position !== block.position) {
      this.mismatch(
        block,
        r.position,
        `the batch landed at ${r.position} (sequence number ${seq}, tx ${r.txHash})`,
      );
    }
    return posted;
  }

  /** The block's position is on L1: it must be this very batch (then it is skipped), else a mismatch. */
  private async alreadyThere(block: SealedBlock): Promise<PostedBlock> {
    let e = this.seen.get(block.position);
    if (!e) {
      const end = (this.cursor as InboxCursor).messageCount;
      const to = block.position + 64n < end ? block.position + 64n : end;
      for (const x of await this.inbox.readMessages(block.position, to)) this.seen.set(x.position, x);
      e = this.seen.get(block.position);
    }
    this.seen.delete(block.position);
    if (!e) return this.mismatch(block, undefined, 'L1 has no message at that position any more (reorg?)');
    if (e.source !== 'batch') {
      return this.mismatch(
        block,
        undefined,
        `L1 has delayed message ${e.sourceIndex} there (a forced inclusion the sequencer did not see?)`,
      );
    }
    if (!(await messageCarries(e.data, block.message.subarray(1), this.da))) {
      return this.mismatch(block, undefined, `L1 has another batch there (sequence number ${e.sourceIndex})`);
    }
    if (block.sequenceNumber !== undefined && block.sequenceNumber !== e.sourceIndex) {
      return this.mismatch(
        block,
        undefined,
        `the block is batch ${e.sourceIndex} on L1, not ${block.sequenceNumber} as the sequencer says`,
      );
    }
    const c = this.cursor as InboxCursor;
    if (c.batchCount <= e.sourceIndex) c.batchCount = e.sourceIndex + 1n;
    return { block, sequenceNumber: e.sourceIndex, position: e.position, alreadyPosted: true };
  }
}
