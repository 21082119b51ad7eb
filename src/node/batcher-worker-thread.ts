/**
 * The body of the sequencer's batcher worker (docs/node.md §3; started by `BatcherWorker` in
 * batcher-worker.ts through worker-rpc.ts). It holds its own L1 clients (signing with the sequencer
 * key), the inbox client, the DA module built from `da` (daForConfig) and a {@link Batcher}, so that
 * everything a batch costs — compression, KZG commitments, committee signatures, RLP encoding,
 * keccak and signing of ~100 KB of calldata, receipt polling — runs off the sequencer's thread.
 *
 * Requests (answered concurrently; the Batcher orders the blocks itself):
 * - `start` → the inbox cursor; `submit { block }` → the posted block without its `block`;
 *   `flush` → nothing. Every reply value carries `state` (the cursor, next sequence number, pending).
 * Ticks (`tickSeconds`) start with the first `start` and die with the thread.
 * Events: `{ event, state }` for each BatcherEvent, with posted blocks stripped of their `block`
 * and errors as worker-rpc.ts's WorkerErrorData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Address, Hex } from 'viem';
import type { DaConfig } from '../config/types.ts';
import { connectL1 } from '../l1/anvil.ts';
import { InboxClient } from '../settlement/ethereum/inbox.ts';
import {
  Batcher,
  type BatcherEvent,
  type InboxCursor,
  type PostedBlock,
  type SealedBlock,
} from './batcher.ts';
import { daForConfig } from './da-modules.ts';
import { errorData, lowerPriority, serveRequests, type WorkerErrorData } from './worker-rpc.ts';

/** What the worker is started with (structured-cloneable). */
export interface BatcherThreadData {
  /** the settlement JSON-RPC endpoint */
  rpcUrl: string;
  /** the sequencer's key: the worker signs postBatch */
  privateKey: Hex;
  /** how often viem polls for receipts (ms) */
  pollingIntervalMs: number;
  /** the inbox, and the L1 block its log scans start from */
  inbox: Address;
  fromBlock: bigint;
  /** the chain config's DA section (daForConfig) */
  da: DaConfig;
  compress?: boolean;
  attempts?: number;
  retryDelayMs?: number;
  /** L1-time ticks every this many seconds (Batcher's `tickSeconds`; undefined: none) */
  tickSeconds?: number;
  /** the thread's nice value (0 keeps the process's) */
  nice?: number;
}

export type BatcherRequest =
  | { id: number; op: 'start' }
  | { id: number; op: 'submit'; block: SealedBlock }
  | { id: number; op: 'flush' };

/** The batcher's state as of a reply or an event. */
export interface BatcherState {
  l1: InboxCursor | undefined;
  nextSequenceNumber: bigint | undefined;
  pending: number;
}

/** A posted block as it crosses the thread boundary (the parent still has the block). */
export type PostedData = Omit<PostedBlock, 'block'>;

/** A BatcherEvent as it crosses the thread boundary. */
export type BatcherEventData =
  | ({ type: 'started' } & InboxCursor)
  | { type: 'posted' | 'skipped'; posted: PostedData; blockPosition: bigint }
  | { type: 'retry'; position: bigint; attempt: number; error: WorkerErrorData }
  | { type: 'certificate-refused'; position: bigint; error: WorkerErrorData }
  | { type: 'mismatch'; error: WorkerErrorData }
  | { type: 'tick'; txHash: `0x${string}`; gasUsed: bigint; blockNumber: bigint; index: bigint }
  | { type: 'tick-failed'; error: WorkerErrorData };

const port = parentPort;
if (!port) throw new Error('batcher-worker-thread: not in a worker thread');
const data = workerData as BatcherThreadData;

function strip(p: PostedBlock): PostedData {
  const { block: _block, ...rest } = p;
  return rest;
}

function eventData(e: BatcherEvent): BatcherEventData {
  switch (e.type) {
    case 'posted':
    case 'skipped':
      return { type: e.type, posted: strip(e.posted), blockPosition: e.posted.block.position };
    case 'retry':
    case 'certificate-refused':
    case 'tick-failed':
      return { ...e, error: errorData(e.error) };
    case 'mismatch':
      return { type: 'mismatch', error: errorData(e.error) };
    default:
      return e;
  }
}

const l1 = await connectL1(data.rpcUrl, {
  privateKeys: [data.privateKey],
  pollingIntervalMs: data.pollingIntervalMs,
});
const clients = { publicClient: l1.publicClient, walletClient: l1.walletClient };
const inbox = await InboxClient.attach(clients, data.inbox, { fromBlock: data.fromBlock });
const da = daForConfig(
  { da: data.da },
  { rpcUrl: data.rpcUrl, rpc: l1.publicClient, publicClient: l1.publicClient },
);
const state = (): BatcherState => ({
  l1: batcher.l1,
  nextSequenceNumber: batcher.nextSequenceNumber,
  pending: batcher.pending,
});
const batcher: Batcher = new Batcher({
  inbox,
  da,
  compress: data.compress,
  attempts: data.attempts,
  retryDelayMs: data.retryDelayMs,
  tickSeconds: data.tickSeconds,
  onEvent: (e) => port.postMessage({ event: eventData(e), state: state() }),
});
lowerPriority(data.nice);

serveRequests<BatcherRequest>(
  port,
  async (r) => {
    switch (r.op) {
      case 'start':
        return { value: await batcher.start(), state: state() };
      case 'submit': {
        const block = { ...r.block, message: new Uint8Array(r.block.message) };
        return { value: strip(await batcher.submit(block)), state: state() };
      }
      case 'flush':
        await batcher.flush();
        return { value: undefined, state: state() };
      default:
        throw new Error(`batcher worker: unknown op ${(r as { op: string }).op}`);
    }
  },
  { ordered: false },
);
