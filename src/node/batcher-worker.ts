/**
 * The batcher in a worker thread (docs/node.md §3): the same `start` / `submit` / `flush` as
 * {@link Batcher}, with the Batcher, its L1 clients and its DA module living in a worker
 * (batcher-worker-thread.ts), so that what a batch costs (brotli, KZG, committee signatures, viem's
 * encoding, keccak and signing of the calldata, receipt polling) never holds up the sequencer's
 * thread, whose latency is the soft confirmation's.
 *
 * ```ts
 * const batcher = new BatcherWorker({ rpcUrl, privateKey, pollingIntervalMs: 20,
 *   inbox: inbox.address, fromBlock: inbox.fromBlock, da: config.da });
 * await batcher.start();
 * await batcher.submit({ position, message, delayedRead });   // resolves once on L1
 * await batcher.close();
 * ```
 *
 * Errors keep their codes across the thread: a position mismatch is a
 * {@link BatchPositionMismatchError} again (expected, actual, L1's cursor); any other failure a
 * {@link BatcherError} with the original code, name and fields (e.g. an InboxRevertError's
 * `errorName`). A worker that cannot start (L1 unreachable, a bad DA config) or dies rejects every
 * request with `BATCHER_WORKER`.
 */
import type { InboxClient } from '../settlement/ethereum/inbox.ts';
import {
  BatcherError,
  type BatcherEvent,
  BatchPositionMismatchError,
  type InboxCursor,
  type PostedBlock,
  type SealedBlock,
} from './batcher.ts';
import type {
  BatcherEventData,
  BatcherRequest,
  BatcherState,
  BatcherThreadData,
  PostedData,
} from './batcher-worker-thread.ts';
import { WorkerClient, type WorkerErrorData } from './worker-rpc.ts';

export type BatcherWorkerOptions = BatcherThreadData & { onEvent?: (e: BatcherEvent) => void };

/** Rebuilds a batcher error that crossed the thread boundary. */
export function batcherErrorOf(e: WorkerErrorData): Error {
  const f = e.fields ?? {};
  if (e.code === 'BATCHER_POSITION_MISMATCH') {
    return new BatchPositionMismatchError(
      f.expected as bigint,
      f.actual as bigint | undefined,
      f.l1 as InboxCursor,
      String(f.why),
    );
  }
  const err = new BatcherError(e.code ?? 'BATCHER_WORKER', e.message);
  Object.assign(err, f, { name: e.name });
  return err;
}

/** A batcher worker posting to `inbox` (its address, log-scan start and polling interval). */
export function batcherWorkerFor(
  inbox: InboxClient,
  o: Omit<BatcherWorkerOptions, 'inbox' | 'fromBlock' | 'pollingIntervalMs'>,
): BatcherWorker {
  return new BatcherWorker({
    ...o,
    inbox: inbox.address,
    fromBlock: inbox.fromBlock,
    pollingIntervalMs: inbox.publicClient.pollingInterval,
  });
}

type Ask = BatcherRequest extends infer R ? (R extends BatcherRequest ? Omit<R, 'id'> : never) : never;

export class BatcherWorker {
  private readonly worker: WorkerClient<Ask>;
  private readonly onEvent: (e: BatcherEvent) => void;
  private state: BatcherState = { l1: undefined, nextSequenceNumber: undefined, pending: 0 };
  /** blocks submitted and not yet answered, by position (events refer to them) */
  private readonly blocks = new Map<bigint, SealedBlock>();

  constructor(opts: BatcherWorkerOptions) {
    const { onEvent, ...data } = opts;
    this.onEvent = onEvent ?? (() => {});
    this.worker = new WorkerClient<Ask>({
      entry: new URL('./batcher-worker-thread.ts', import.meta.url),
      workerData: { ...data, nice: data.nice ?? 5 } satisfies BatcherThreadData,
      makeError: batcherErrorOf,
      crashError: (message, cause) =>
        new BatcherError('BATCHER_WORKER', `batcher worker: ${message}`, { cause }),
      onMessage: (m) => this.event(m as { event: BatcherEventData; state: BatcherState }),
    });
  }

  /** Resolves once the worker is connected to L1 with its DA module. */
  ready(): Promise<void> {
    return this.worker.ready();
  }

  /** L1's inbox as the batcher last knew it (undefined before start) */
  get l1(): InboxCursor | undefined {
    return this.state.l1 && { ...this.state.l1 };
  }

  /** the sequence number the next new batch will carry */
  get nextSequenceNumber(): bigint | undefined {
    return this.state.nextSequenceNumber;
  }

  /** blocks submitted and not yet handled */
  get pending(): number {
    return this.state.pending;
  }

  /** (Re)reads the inbox and clears a previous mismatch (Batcher.start). */
  async start(): Promise<InboxCursor> {
    return this.ask<InboxCursor>({ op: 'start' });
  }

  /** Queues `block`; resolves once it is on L1 at its position (Batcher.submit). */
  async submit(block: SealedBlock): Promise<PostedBlock> {
    this.blocks.set(block.position, block);
    try {
      const posted = await this.ask<PostedData>({ op: 'submit', block });
      return { ...posted, block };
    } finally {
      this.blocks.delete(block.position);
    }
  }

  /** Waits until every submitted block is handled. */
  async flush(): Promise<void> {
    await this.ask({ op: 'flush' });
  }

  /** Stops the worker (blocks in flight are rejected; a post already sent to L1 may still land). */
  close(): Promise<void> {
    return this.worker.close();
  }

  private async ask<T>(req: Ask): Promise<T> {
    const r = await this.worker.ask<{ value: T; state: BatcherState }>(req);
    this.state = r.state;
    return r.value;
  }

  private event(m: { event: BatcherEventData; state: BatcherState }): void {
    this.state = m.state;
    const e = m.event;
    let out: BatcherEvent;
    switch (e.type) {
      case 'posted':
      case 'skipped': {
        const block = this.blocks.get(e.blockPosition);
        if (!block) return;
        out = { type: e.type, posted: { ...e.posted, block } };
        break;
      }
      case 'retry':
      case 'certificate-refused':
      case 'tick-failed':
        out = { ...e, error: batcherErrorOf(e.error) };
        break;
      case 'mismatch':
        out = { type: 'mismatch', error: batcherErrorOf(e.error) as BatchPositionMismatchError };
        break;
      default:
        out = e;
    }
    try {
      this.onEvent(out);
    } catch {
      // the listener's failure is its own
    }
  }
}
