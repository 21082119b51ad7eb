/**
 * The body of the sequencer's block-execution worker (docs/node.md §2; started by
 * `WorkerExecutor` in block-worker.ts through block-worker-entry.mjs). It holds the STF runner
 * (`TokenChain` over the app named in `workerData.app`, native only) and answers, in order:
 *
 * - `execute { message }` → `{ globalState, receipts, messageHash }` (the message at the next position)
 * - `balanceOf { a, n }`, `nonceOf { a, n }` → bigint (after the first `n` messages, default all)
 *
 * Replies are `{ id, ok: true, value }` or `{ id, ok: false, error: { name, message } }`.
 */

import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, type Hex } from 'viem';
import { App } from '../guest/run-app.ts';
import { TokenChain } from '../settlement/ethereum/token-chain.ts';
import { addRecoveries } from '../vm/wasm/ecrecover.ts';

export type WorkerRequest =
  | { id: number; op: 'execute'; message: Uint8Array; recoveries?: [string, Uint8Array][] }
  | { id: number; op: 'balanceOf' | 'nonceOf'; a: Hex; n?: number };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

const port = parentPort;
if (!port) throw new Error('block-worker-thread: not in a worker thread');
const data = workerData as { app: string; nice?: number };
const chain = new TokenChain({ app: new App(data.app), interpret: false });
// once loaded (a node's first block waits for that): on Linux a nice value is per thread, so this
// lowers the executor's priority, not the sequencer's
if (data.nice) {
  try {
    setPriority(data.nice);
  } catch {
    // not permitted (or not supported): run at the process's priority
  }
}

async function handle(r: WorkerRequest): Promise<unknown> {
  switch (r.op) {
    case 'execute': {
      const message = new Uint8Array(r.message);
      if (r.recoveries) addRecoveries(r.recoveries);
      const run = await chain.execute(message);
      return {
        globalState: run.globalState,
        receipts: run.receipts,
        messageHash: bytesToHex(keccak_256(message)),
      };
    }
    case 'balanceOf':
      return chain.balanceOf(r.a, r.n);
    case 'nonceOf':
      return chain.nonceOf(r.a, r.n);
    default:
      throw new Error(`block worker: unknown op ${(r as { op: string }).op}`);
  }
}

// one request at a time, in arrival order (execution order is the inbox order)
let queue: Promise<void> = Promise.resolve();
port.on('message', (r: WorkerRequest) => {
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      reply = { id: r.id, ok: true, value: await handle(r) };
    } catch (e) {
      const err = e as Error;
      reply = {
        id: r.id,
        ok: false,
        error: { name: err?.name ?? 'Error', message: err?.message ?? String(e) },
      };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ id: 0, ok: true, value: 'ready' } satisfies WorkerReply);
