/**
 * Request/reply over a worker thread, the plumbing of the node's workers (docs/node.md §2, §3): the
 * block executor (block-worker.ts) and the batcher (batcher-worker.ts).
 *
 * - {@link WorkerClient} (the parent's side) starts `entry` through worker-entry.mjs (which registers
 *   tsx; run compiled from dist/, it starts the entry's .js directly), numbers requests, matches
 *   replies, and hands any other message (events) to `onMessage`. The worker is referenced only
 *   while a request is in flight, so it never keeps a process alive. A failure inside the worker
 *   rejects that request with `makeError(reply.error)`; a worker that crashes or exits rejects
 *   every request in flight and every later one.
 * - {@link serveRequests} (the worker's side) answers requests with `handle`, in arrival order one at
 *   a time (`ordered`) or concurrently; it first replies `id 0` once loaded (`ready()`).
 * - {@link lowerPriority}: on Linux a nice value is per thread, so a worker can yield to the thread
 *   whose latency is the soft confirmation's.
 */
import { setPriority } from 'node:os';
import { type MessagePort, Worker } from 'node:worker_threads';

/** What crosses the thread boundary of a failed request (an Error does not keep its class). */
export interface WorkerErrorData {
  name: string;
  message: string;
  /** a ModexError's code */
  code?: string;
  /** any other own fields the parent may use to rebuild the error (structured-cloneable) */
  fields?: Record<string, unknown>;
}

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WorkerErrorData };

/** The clonable part of an error: name, message, code, and the primitive/bigint own fields. */
export function errorData(e: unknown): WorkerErrorData {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'code' || k === 'cause' || k === 'name' || k === 'message' || k === 'stack') continue;
    try {
      structuredClone(v);
      fields[k] = v;
    } catch {
      // not clonable (a client, a function): left behind
    }
  }
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, code: typeof code === 'string' ? code : undefined, fields };
}

export interface WorkerClientOptions {
  /** the worker's module (a URL, e.g. `new URL('./x-thread.ts', import.meta.url)`) */
  entry: URL;
  workerData: Record<string, unknown>;
  /** builds the error a failed request rejects with */
  makeError: (e: WorkerErrorData) => Error;
  /** builds the error of a crashed or exited worker */
  crashError: (message: string, cause?: unknown) => Error;
  /** messages that are not replies (no numeric `id`) */
  onMessage?: (m: unknown) => void;
}

/** Whether this module runs compiled (`dist/src/node/worker-rpc.js`) rather than through tsx. */
const COMPILED = import.meta.url.endsWith('.js');

export class WorkerClient<Req extends { op: string }> {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  private nextId = 1;
  private failed: Error | undefined;
  private closed = false;
  private readonly readyP: Promise<void>;

  constructor(private readonly o: WorkerClientOptions) {
    // compiled (dist/, what bin/modex.js runs): the thread's module is the .js beside this file and
    // needs no loader; from the sources, worker-entry.mjs registers tsx first
    const entry = COMPILED ? new URL(o.entry.href.replace(/\.ts$/, '.js')) : o.entry;
    this.worker = new Worker(COMPILED ? entry : new URL('./worker-entry.mjs', import.meta.url), {
      workerData: { ...o.workerData, entry: entry.href },
    });
    this.readyP = new Promise<void>((resolve, reject) =>
      this.waiting.set(0, { resolve: () => resolve(), reject }),
    );
    this.readyP.catch(() => {}); // reported by the first request
    this.worker.on('message', (m: WorkerReply) => {
      if (typeof m?.id !== 'number') return o.onMessage?.(m);
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      this.refCount();
      if (m.ok) w.resolve(m.value);
      else w.reject(o.makeError(m.error));
    });
    this.worker.on('error', (e) => this.crash(o.crashError(`crashed: ${e.message}`, e)));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.crash(o.crashError(`exited with code ${code}`));
    });
  }

  /** Resolves once the worker has loaded (its first reply); rejects if it failed to. */
  ready(): Promise<void> {
    return this.readyP;
  }

  ask<T>(req: Req): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const p = new Promise<T>((resolve, reject) =>
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject }),
    );
    this.worker.ref();
    this.worker.postMessage({ ...req, id });
    return p;
  }

  /** Stops the worker (requests in flight are rejected with `crashError('closed')`). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.crash(this.o.crashError('closed'));
    await this.worker.terminate();
  }

  /** referenced only while a request is in flight */
  private refCount(): void {
    if (this.waiting.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  private crash(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.values()) w.reject(this.failed);
    this.waiting.clear();
    this.worker.unref();
  }
}

/**
 * The worker's side: answers each `{ id, op, … }` with `handle` (in arrival order, one at a time,
 * when `ordered`), after replying `{ id: 0 }` (ready). Call it once the worker's state is loaded.
 */
export function serveRequests<Req extends { id: number }>(
  port: MessagePort,
  handle: (r: Req) => Promise<unknown> | unknown,
  opts: { ordered: boolean },
): void {
  const answer = async (r: Req) => {
    let reply: WorkerReply;
    try {
      reply = { id: r.id, ok: true, value: await handle(r) };
    } catch (e) {
      reply = { id: r.id, ok: false, error: errorData(e) };
    }
    port.postMessage(reply);
  };
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (r: Req) => {
    if (opts.ordered) queue = queue.then(() => answer(r));
    else void answer(r);
  });
  port.postMessage({ id: 0, ok: true, value: 'ready' } satisfies WorkerReply);
}

/** Lowers this thread's priority to `nice` (Linux: per thread); ignored where not permitted. */
export function lowerPriority(nice: number | undefined): void {
  if (!nice) return;
  try {
    setPriority(nice);
  } catch {
    // not permitted (or not supported): run at the process's priority
  }
}
