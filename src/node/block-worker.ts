/**
 * A `BlockExecutor` that runs the STF in a worker thread (docs/node.md §2), so that executing a
 * block (~60–90 ms for 1,000 transfers) never blocks the sequencer's thread, which only admits,
 * logs (WAL) and acknowledges transactions and answers JSON-RPC.
 *
 * ```ts
 * const executor = new WorkerExecutor({ app: appSourceOf(config.vm), chainId: 1n });
 * const seq = await Sequencer.open({ dataDir, executor, … });   // seq.close() stops the worker
 * ```
 *
 * - The worker (block-worker-thread.ts, started through worker-rpc.ts's worker-entry.mjs, which
 *   registers tsx since a worker does not inherit the parent's module hooks) holds an `AppChain`
 *   over the app and executes the messages in the order they are sent.
 * - This side keeps the app too (`app`: admission, queries, withdrawals on the sequencer's
 *   thread, never waiting for a block's execution) over a copy of the state: each execution's
 *   reply carries the preimages the run added, which go into this side's store before the global
 *   state after the message is kept (`stateAt` stays synchronous).
 * - The worker thread runs at a lower priority (`nice`, default 10; Linux sets it per thread): on a
 *   busy machine the sequencer's thread, whose latency is the soft confirmation's, goes first;
 *   block execution has the block age's slack.
 * - The worker is unreferenced while nothing is asked of it (it never keeps a process alive).
 * - A failure inside the worker rejects that request with `BlockWorkerError` (its message); a
 *   crashed worker rejects every request in flight and every later one.
 */
import type { Hex } from 'viem';
import { type AppSource, loadApp, type WasmApp } from '../apps/sdk/app-runtime.ts';
import type { Receipts } from '../apps/sdk/run-app.ts';
import { ModexError } from '../core/errors.ts';
import { takeRecoveries } from '../crypto/ecrecover.ts';
import type { MachineLimits } from '../vm/wasm/limits.ts';
import type { GlobalState } from '../vm/wasm/machine.ts';
import type { WorkerRequest } from './block-worker-thread.ts';
import type { BlockExecutor } from './sequencer.ts';
import { WorkerClient } from './worker-rpc.ts';

export class BlockWorkerError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NODE_BLOCK_WORKER', `block worker: ${message}`, options);
  }
}

/** a request without its id */
type Ask = Omit<WorkerRequest, 'id'>;

export class WorkerExecutor implements BlockExecutor {
  readonly app: WasmApp;
  readonly chainId: bigint;
  private readonly worker: WorkerClient<Ask>;
  private readonly states: GlobalState[];

  /**
   * `app`: the app's wasm and name; `chainId`: its genesis; `nice`: the worker thread's nice value
   * (default 10, 0 keeps the process's); `limits`: the machine limits of the app's admission and
   * queries on this thread (`appLimitsOf(config.vm.limits)`)
   */
  constructor(
    readonly opts: {
      app: Pick<AppSource, 'name' | 'bytes'>;
      chainId: bigint;
      nice?: number;
      limits?: Partial<MachineLimits>;
    },
  ) {
    this.app = loadApp(opts.app.bytes, opts.app.name, { limits: opts.limits });
    this.chainId = opts.chainId;
    this.states = [this.app.genesis(opts.chainId)];
    this.worker = new WorkerClient<Ask>({
      entry: new URL('./block-worker-thread.ts', import.meta.url),
      workerData: {
        name: opts.app.name,
        bytes: opts.app.bytes,
        chainId: opts.chainId,
        nice: opts.nice ?? 10,
      },
      makeError: (e) => new BlockWorkerError(`${e.name}: ${e.message}`),
      crashError: (message, cause) => new BlockWorkerError(message, { cause }),
    });
  }

  /** Resolves once the worker has loaded the app. */
  ready(): Promise<void> {
    return this.worker.ready();
  }

  get length(): number {
    return this.states.length - 1;
  }

  stateAt(n = this.length): GlobalState {
    const s = this.states[n];
    if (!s) throw new RangeError(`no state after ${n} messages (executed ${this.length})`);
    return s;
  }

  async execute(
    message: Uint8Array,
  ): Promise<{ globalState: GlobalState; receipts: Receipts | undefined; messageHash: Hex }> {
    const out = await this.worker.ask<{
      globalState: GlobalState;
      receipts: Receipts | undefined;
      messageHash: Hex;
      preimages: Uint8Array;
    }>({
      op: 'execute',
      message,
      // the signatures the sequencer recovered at admission: the worker's STF does not recover them again
      recoveries: takeRecoveries(),
    });
    this.app.store.importPacked(out.preimages);
    this.states.push(out.globalState);
    return { globalState: out.globalState, receipts: out.receipts, messageHash: out.messageHash };
  }

  /** Stops the worker (requests in flight are rejected). */
  close(): Promise<void> {
    return this.worker.close();
  }
}
