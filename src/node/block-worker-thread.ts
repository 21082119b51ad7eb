/**
 * The body of the sequencer's block-execution worker (docs/node.md §2; started by
 * `WorkerExecutor` in block-worker.ts through worker-rpc.ts). It holds an `AppChain` over the app
 * given in `workerData` (its wasm bytes, its name, the chain id of its genesis), native only, and
 * answers, in order:
 *
 * - `execute { message, recoveries }` → `{ globalState, receipts, messageHash, preimages }`: the
 *   message at the next position, and the preimages the run added to the store (packed,
 *   `PreimageStore.exportFrom`), for the sequencer's copy of the state (admission, queries)
 *
 * Replies are worker-rpc.ts's `{ id, ok: true, value }` or `{ id, ok: false, error }`.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { addRecoveries } from '../crypto/ecrecover.ts';
import { keccak256Hex } from '../crypto/keccak.ts';
import { AppChain } from './app-chain.ts';
import { lowerPriority, serveRequests } from './worker-rpc.ts';

export type WorkerRequest = {
  id: number;
  op: 'execute';
  message: Uint8Array;
  recoveries?: [string, Uint8Array][];
};

const port = parentPort;
if (!port) throw new Error('block-worker-thread: not in a worker thread');
const data = workerData as { name: string; bytes: Uint8Array; chainId: bigint; nice?: number };
const chain = new AppChain({ app: loadApp(new Uint8Array(data.bytes), data.name), chainId: data.chainId });
// once loaded (a node's first block waits for that): lowers the executor's priority, not the sequencer's
lowerPriority(data.nice);

function handle(r: WorkerRequest): unknown {
  switch (r.op) {
    case 'execute': {
      const message = new Uint8Array(r.message);
      if (r.recoveries) addRecoveries(r.recoveries);
      const before = chain.store.size;
      const run = chain.execute(message);
      return {
        globalState: run.globalState,
        receipts: run.receipts,
        messageHash: keccak256Hex(message),
        preimages: chain.store.exportFrom(before),
      };
    }
    default:
      throw new Error(`block worker: unknown op ${(r as { op: string }).op}`);
  }
}

// one request at a time, in arrival order (execution order is the inbox order)
serveRequests(port, handle, { ordered: true });
