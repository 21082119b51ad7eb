// Entry of the sequencer's block-execution worker (src/node/block-worker.ts): a worker thread does
// not inherit the parent's module hooks, so it registers tsx itself and then loads the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./block-worker-thread.ts');
