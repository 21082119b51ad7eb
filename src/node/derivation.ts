/**
 * Derivation (docs/node.md §4): rebuilds the chain from L1 + DA alone, never asking the sequencer.
 * It reads the inbox positions it has not executed yet (`InboxClient.readMessages`), has the DA
 * module resolve each batch message into bytes and preimages (`DataAvailability.resolve`), executes each message in order with an executor
 * (the STF run natively; any STF plugs in through {@link DerivationExecutor}) and keeps, per
 * position, the inbox accumulator it derived from and the global state after it.
 *
 * L1 reorgs: on every poll it compares the on-chain `accumulator(n)` at its head with its own; when
 * they differ (or the inbox got shorter) it binary-searches the last position whose accumulator
 * still matches (the accumulator is a hash chain: a match at n means every message below n is the
 * same), truncates its executor there and re-derives. The accumulator binds content and order, so a
 * reorg that re-includes the same messages (in other L1 blocks) needs no rewind: the STF does not
 * read L1 block numbers or hashes.
 *
 * Bad L2 data never makes derivation throw: a message that does not decode is executed as is (the
 * STF's rule makes it an empty block). L1/RPC failures and executor failures are reported through
 * the event listeners and retried on the next poll (derivation stalls, it never skips a position).
 *
 * ```ts
 * const d = new Derivation({ inbox, executor: new AppChain({ app: loadApp(bytes, name), chainId }) });
 * d.subscribe((e) => e.type === 'position' && console.log(e.entry.position));
 * await d.sync();              // polls until the head is L1's messageCount
 * d.stateAt(d.head);           // the global state after all derived messages
 * d.start(1_000); … await d.stop();
 * ```
 */
import type { Hex } from 'viem';
import type { DataAvailability } from '../core/da.ts';
import { DaInvalidPointerError } from '../da/errors.ts';
import { L1CalldataDa } from '../da/l1-calldata/l1-calldata.ts';
import type { InboxClient, InboxEntry } from '../settlement/ethereum/inbox.ts';
import { accumulate, type MessageSource } from '../settlement/ethereum/message.ts';
import type { GlobalState } from '../vm/wasm/machine.ts';

const ZERO32 = `0x${'00'.repeat(32)}` as Hex;

// ---- executors

/** A preimage the STF reads for a pointer message (kind 0 keccak256, kind 1 blob by versioned hash). */
export interface BatchPreimage {
  kind: number;
  hash: Uint8Array;
  bytes: Uint8Array;
}

export interface ExecuteContext {
  position: bigint;
  resolved?: Uint8Array;
  preimages?: BatchPreimage[];
}

/**
 * What derivation needs of an STF executor: run the message at the next position, give the global
 * state after the first n messages, and forget the messages from position n on (for reorgs).
 */
export interface DerivationExecutor {
  /** the number of messages executed (= the next position) */
  readonly length: number;
  /** the global state after the first `n` messages (stateAt(0) = genesis) */
  stateAt(n: number): GlobalState;
  /**
   * executes `message` at position `length`; `resolved` is the DA data behind a pointer message, if
   * any, and `preimages` what the STF reads of it (docs/machine.md §6: kind 0 the certified data by
   * its keccak256, kind 1 each blob by its versioned hash); add them before running
   */
  execute(message: Uint8Array, ctx: ExecuteContext): unknown | Promise<unknown>;
  /** drops the messages at positions ≥ n (0 ≤ n ≤ length) */
  truncate(n: number): void | Promise<void>;
}

// ---- derivation

/** One derived inbox position. */
export interface DerivedPosition {
  position: bigint;
  source: MessageSource;
  /** batch sequence number, or delayed index */
  sourceIndex: bigint;
  /** the inbox message executed (kind byte first) */
  message: Uint8Array;
  /** acc(position + 1), the accumulator this position was derived from */
  accumulator: Hex;
  l1BlockNumber: bigint;
  l1Timestamp: bigint;
  txHash: Hex;
  /** the global state after this position */
  state: GlobalState;
}

export type DerivationEvent =
  | { type: 'position'; entry: DerivedPosition }
  /** an L1 reorg: positions [to, from) were dropped; derivation continues from `to` */
  | { type: 'reorg'; from: bigint; to: bigint }
  /** a pointer message that is not valid: executed as is (an empty block by the STF's rule) */
  | { type: 'invalid-pointer'; position: bigint; reason: string }
  /** L1, DA or executor failure: nothing was skipped, the next poll retries */
  | { type: 'error'; error: unknown; position: bigint };

export type DerivationListener = (e: DerivationEvent) => void;

export interface PollResult {
  /** positions derived by this poll */
  derived: number;
  /** set when the poll rewound (reorg): the old head and the position it rewound to */
  rewound?: { from: bigint; to: bigint };
  head: bigint;
  /** L1's messageCount seen by this poll */
  l1MessageCount: bigint;
  /** the poll stopped early on an error (reported through the listeners) */
  error?: unknown;
}

export interface DerivationOptions {
  inbox: InboxClient;
  /** resolves pointer messages (default l1-calldata: the message is the data) */
  da?: DataAvailability;
  /** must be empty (length 0): derivation owns it from genesis */
  executor: DerivationExecutor;
  /** positions read per readMessages call (default 256) */
  pageSize?: number;
}

export class Derivation {
  readonly inbox: InboxClient;
  readonly da: DataAvailability;
  readonly executor: DerivationExecutor;
  private readonly pageSize: bigint;
  /** accs[n] = acc(n) as derived (accs[0] = 0) */
  private readonly accs: Hex[] = [ZERO32];
  private readonly entries: DerivedPosition[] = [];
  private readonly listeners = new Set<DerivationListener>();
  private running: Promise<PollResult> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loop: Promise<void> | undefined;
  private stopped = true;

  constructor(opts: DerivationOptions) {
    if (opts.executor.length !== 0) {
      throw new RangeError(
        `Derivation: the executor must start empty (it has ${opts.executor.length} messages)`,
      );
    }
    this.inbox = opts.inbox;
    this.da = opts.da ?? new L1CalldataDa();
    this.executor = opts.executor;
    this.pageSize = BigInt(opts.pageSize ?? 256);
  }

  /** the number of derived positions (= the next position) */
  get head(): bigint {
    return BigInt(this.entries.length);
  }

  /** the global state after the first `n` positions (default: the head) */
  stateAt(n: bigint | number = this.head): GlobalState {
    return this.executor.stateAt(Number(n));
  }

  /** acc(n) as derived (0 ≤ n ≤ head) */
  accumulatorAt(n: bigint | number): Hex {
    const a = this.accs[Number(n)];
    if (a === undefined) throw new RangeError(`no accumulator after ${n} positions (head ${this.head})`);
    return a;
  }

  /** a derived position */
  entry(position: bigint | number): DerivedPosition | undefined {
    return this.entries[Number(position)];
  }

  /** Listens to new positions, reorgs and errors; returns the unsubscribe function. */
  subscribe(listener: DerivationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: DerivationEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /**
   * Checks for a reorg (rewinding if needed), then derives the positions L1 has and derivation does
   * not. Never throws: failures end the poll early (`error`) and are reported to the listeners.
   * Concurrent calls share one poll.
   */
  poll(): Promise<PollResult> {
    this.running ??= this.pollOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Polls until the head reaches L1's messageCount (or `maxPolls` polls failed to progress). */
  async sync(maxPolls = 10): Promise<PollResult> {
    let r = await this.poll();
    for (let i = 1; i < maxPolls && r.head < r.l1MessageCount; i++) r = await this.poll();
    return r;
  }

  /** Polls every `intervalMs` until `stop()`. */
  start(intervalMs = 1_000): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      await this.poll();
      if (!this.stopped) this.timer = setTimeout(() => (this.loop = tick()), intervalMs);
    };
    this.loop = tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.loop;
    await this.running;
  }

  private async pollOnce(): Promise<PollResult> {
    let derived = 0;
    let rewound: PollResult['rewound'];
    let count = 0n;
    const result = (error?: unknown): PollResult => ({
      derived,
      rewound,
      head: this.head,
      l1MessageCount: count,
      error,
    });
    try {
      count = await this.inbox.messageCount();
      rewound = await this.checkReorg(count);
    } catch (error) {
      this.emit({ type: 'error', error, position: this.head });
      return result(error);
    }
    while (this.head < count) {
      const to = this.head + this.pageSize < count ? this.head + this.pageSize : count;
      let page: InboxEntry[];
      try {
        page = await this.inbox.readMessages(this.head, to);
      } catch (error) {
        // e.g. a reorg between messageCount and the log scan: the next poll sorts it out
        this.emit({ type: 'error', error, position: this.head });
        return result(error);
      }
      if (page.length === 0) break;
      for (const e of page) {
        const error = await this.derive(e);
        if (error) return result(error);
        derived++;
      }
    }
    return result();
  }

  /** Executes one read entry at the head; returns an error (already reported) when it could not. */
  private async derive(e: InboxEntry): Promise<unknown> {
    const position = this.head;
    const prev = this.accs[this.accs.length - 1];
    if (e.position !== position || accumulate(prev, e.data) !== e.accumulator) {
      // L1 changed under the read (reorg): stop here; the next poll compares accumulators and rewinds
      const error = new Error(
        `inbox position ${e.position} read at head ${position} does not extend the derived accumulator ${prev}; L1 changed, retrying`,
      );
      this.emit({ type: 'error', error, position });
      return error;
    }
    let resolved: Uint8Array | undefined;
    let preimages: BatchPreimage[] | undefined;
    if (e.source === 'batch') {
      // the DA module resolves its own pointers; the data behind one must be obtainable before
      // executing (docs/node.md §4)
      try {
        ({ data: resolved, preimages } = await this.da.resolve({
          position,
          message: e.data,
          payload: e.batch?.payload,
          l1BlockNumber: e.l1BlockNumber,
        }));
      } catch (error) {
        if (!(error instanceof DaInvalidPointerError)) {
          this.emit({ type: 'error', error, position }); // DA_UNAVAILABLE: wait, never skip
          return error;
        }
        this.emit({ type: 'invalid-pointer', position, reason: error.message });
      }
    }
    try {
      await this.executor.execute(e.data, { position, resolved, preimages });
    } catch (error) {
      this.emit({ type: 'error', error, position });
      return error;
    }
    if (this.executor.length !== Number(position) + 1) {
      const error = new Error(
        `the executor has ${this.executor.length} messages after executing position ${position}`,
      );
      this.emit({ type: 'error', error, position });
      return error;
    }
    const entry: DerivedPosition = {
      position,
      source: e.source,
      sourceIndex: e.sourceIndex,
      message: e.data,
      accumulator: e.accumulator,
      l1BlockNumber: e.l1BlockNumber,
      l1Timestamp: e.l1Timestamp,
      txHash: e.txHash,
      state: this.executor.stateAt(Number(position) + 1),
    };
    this.entries.push(entry);
    this.accs.push(e.accumulator);
    this.emit({ type: 'position', entry });
    return undefined;
  }

  /** Rewinds to the last position whose accumulator L1 still has; returns the rewind, if any. */
  private async checkReorg(count: bigint): Promise<PollResult['rewound']> {
    const head = this.head;
    if (head === 0n) return undefined;
    const n = head < count ? head : count;
    const matches = async (k: bigint) =>
      k === 0n || (await this.inbox.accumulator(k)) === this.accs[Number(k)];
    if (n === head && (await matches(n))) return undefined;
    let keep: bigint;
    if (n < head && (await matches(n))) keep = n;
    else {
      // matches(lo) and not matches(hi): the hash chain makes matching monotone
      let lo = 0n;
      let hi = n;
      while (hi - lo > 1n) {
        const mid = (lo + hi) / 2n;
        if (await matches(mid)) lo = mid;
        else hi = mid;
      }
      keep = lo;
    }
    await this.executor.truncate(Number(keep));
    this.entries.length = Number(keep);
    this.accs.length = Number(keep) + 1;
    this.emit({ type: 'reorg', from: head, to: keep });
    return { from: head, to: keep };
  }
}
