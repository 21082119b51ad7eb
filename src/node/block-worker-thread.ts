/**
 * The body of the sequencer's block-execution worker (docs/node.md §2; started by
 * `WorkerExecutor` in block-worker.ts through worker-rpc.ts). It holds the STF runner
 * (`TokenChain` over the app named in `workerData.app`, native only) and answers, in order:
 *
 * - `execute { message }` → `{ globalState, receipts, messageHash }` (the message at the next position)
 * - `balanceOf { a, n }`, `nonceOf { a, n }` → bigint (after the first `n` messages, default all)
 *
 * Replies are worker-rpc.ts's `{ id, ok: true, value }` or `{ id, ok: false, error }`.
 */

import { parentPort, workerData } from 'node:worker_threads';
import type { Hex } from 'viem';
import { App } from '../apps/sdk/run-app.ts';
import { addRecoveries } from '../crypto/ecrecover.ts';
import { keccak256Hex } from '../crypto/keccak.ts';
import { TokenChain } from '../settlement/ethereum/token-chain.ts';
import { lowerPriority, serveRequests } from './worker-rpc.ts';

export type WorkerRequest =
  | { id: number; op: 'execute'; message: Uint8Array; recoveries?: [string, Uint8Array][] }
  | { id: number; op: 'balanceOf' | 'nonceOf'; a: Hex; n?: number };

const port = parentPort;
if (!port) throw new Error('block-worker-thread: not in a worker thread');
const data = workerData as { app: string; nice?: number };
const chain = new TokenChain({ app: new App(data.app), interpret: false });
// once loaded (a node's first block waits for that): lowers the executor's priority, not the sequencer's
lowerPriority(data.nice);

async function handle(r: WorkerRequest): Promise<unknown> {
  switch (r.op) {
    case 'execute': {
      const message = new Uint8Array(r.message);
      if (r.recoveries) addRecoveries(r.recoveries);
      const run = await chain.execute(message);
      return {
        globalState: run.globalState,
        receipts: run.receipts,
        messageHash: keccak256Hex(message),
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
serveRequests(port, handle, { ordered: true });
