// Entry of the node's worker threads (src/node/worker-rpc.ts): a worker thread does not inherit the
// parent's module hooks, so it registers tsx itself and then loads the TypeScript module named in
// `workerData.entry` (a file URL), e.g. block-worker-thread.ts or batcher-worker-thread.ts.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
