/**
 * `modex bench e2e`: end-to-end performance of the devnet roles (docs/node.md), on the embedded
 * anvil (or `--rpc`): the settlement contracts, a Sequencer with its JSON-RPC server and its block
 * worker, the batcher in its worker thread posting every block to the L1 inbox through the config's
 * DA module (l1-calldata) — the pieces DevnetRun runs, in this process. The load is what a user
 * sends: signed token transfers, `modex_sendRawTransaction` over HTTP, from a load generator in a
 * worker thread (a minimal HTTP/1.1 client on keep-alive sockets, one request in flight per
 * connection, one sender's transactions always in nonce order).
 *
 * 1. `devnet_first_block_s`: `modex devnet` spawned as a process, until its sequencer serves block 0.
 * 2. Funding through the real bridge: one ETH deposit (L1 → delayed inbox → the sequencer's
 *    chain) to a funder, which sends one transfer to each of `accounts` senders over JSON-RPC.
 * 3. Lone transactions (one at a time): submission → L1 inclusion of its block is about the
 *    block age (`sequencing.batch.maxAgeSeconds`) plus sealing, execution and the postBatch.
 * 4. Moderate load: an open-loop stream at `rate` tx/s for 6 s: soft-confirmation latency and
 *    L1 inclusion (the JSON's top-level `latency_ms`).
 * 5. Maximum throughput: `txs` transactions from `concurrency` closed-loop HTTP clients:
 *    acknowledged tx/s (`tx_per_second`), latency, L1 inclusion, executed `ok` in blocks.
 * 6. The sequencer reopened with a shorter block age: lone transactions and 3 s of moderate load.
 *
 * `--profile` samples the sequencer's thread during phase 5 (self time by activity); with
 * `MODEX_BENCH_CPUPROFILE=<file>` the raw profile is written there (Chrome DevTools, speedscope).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { loadConfig } from '../src/config/load.ts';
import type { ChainConfig } from '../src/config/types.ts';
import { type L1, openL1 } from '../src/l1/anvil.ts';
import { REPO_ROOT } from '../src/l1/contracts.ts';
import { batcherWorkerFor } from '../src/node/batcher-worker.ts';
import { WorkerExecutor } from '../src/node/block-worker.ts';
import { deployForConfig } from '../src/node/roles.ts';
import { type RpcServer, startRpcServer } from '../src/node/rpc.ts';
import { Sequencer } from '../src/node/sequencer.ts';
import { walletFor } from '../src/settlement/ethereum/inbox.ts';
import { machineLine, type Percentiles, percentiles } from '../src/util/bench-stats.ts';
import { type FrameRule, profileShares, startProfile, stopProfile } from '../src/util/cpu-profile.ts';
import {
  type FastAccount,
  fastAccount,
  fastTransfer,
  rpcCall,
  rpcPost,
  tokenBalance,
} from '../test/node-utils.ts';

export interface E2eBenchOptions {
  /** transactions of the maximum-throughput phase (default 20,000) */
  txs?: number;
  /** funded L2 senders (default 500) */
  accounts?: number;
  /** concurrent HTTP clients of the maximum-throughput phase (default 64) */
  concurrency?: number;
  /** offered load of the moderate phase, tx/s (default 500) */
  rate?: number;
  /** transactions per HTTP request (JSON-RPC batch) in the maximum-throughput phase (default 1) */
  batch?: number;
  /** settlement RPC (default the embedded anvil) */
  rpc?: string;
  /** chain config (default examples/devnet.config.json, what `modex devnet` runs) */
  config?: string;
  /** the shorter block age of phase 6, seconds (default 1; 0 skips the phase) */
  shortAgeSeconds?: number;
  /** measure `modex devnet`'s first block (default true) */
  devnet?: boolean;
  /** CPU-profile the sequencer's thread during the maximum-throughput phase */
  profile?: boolean;
  log?: (line: string) => void;
}

export interface LoadPhase {
  /** transactions sent */
  txs: number;
  acknowledged: number;
  /** −32005 answers (retried after 2 ms) */
  busy_rejections: number;
  /** other errors, by JSON-RPC code (−1: transport) */
  errors: Record<string, number>;
  /** offered rate (open loop) or concurrency (closed loop) */
  offered_tx_per_second?: number;
  concurrency?: number;
  /** first request sent → last acknowledgment */
  wall_s: number;
  /** acknowledged / wall_s */
  tx_per_second: number;
  /** first request sent → last acknowledged transaction executed and stored */
  executed_s: number;
  executed_tx_per_second: number;
  /** acknowledged transactions whose receipt is `ok` */
  executed_ok: number;
  /** receipts other than ok, by name */
  executed_other: Record<string, number>;
  blocks: number;
  latency_ms: Percentiles;
  /** submission → postBatch receipt of its block */
  l1_inclusion_s: Percentiles;
  /** how late the sequencer's event loop ran timers during the phase (blocking work: block execution, the batcher) */
  event_loop_delay_ms: Percentiles;
  /** the sequencer's WAL group commits during the phase */
  wal: { fsyncs: number; records_per_fsync: number; mean_ms: number };
}

export interface ProfileShare {
  category: string;
  fraction: number;
  /** µs of the sequencer's thread per acknowledged transaction */
  us_per_tx: number;
}

export interface E2eBenchResult {
  /** acknowledged sendRawTransaction per second at maximum load */
  tx_per_second: number;
  /** … counted until the last one executed and stored */
  executed_tx_per_second: number;
  executed_ok: number;
  acknowledged: number;
  /** soft-confirmation latency at moderate load */
  latency_ms: { p50: number; p99: number };
  /** soft-confirmation latency at maximum load */
  latency_max_load_ms: { p50: number; p99: number };
  /** submission → L1 inclusion of its block (config block age) */
  l1_inclusion_s: {
    max_age_s: number;
    lone_tx_median: number;
    moderate: { p50: number; p99: number };
    max_load: { p50: number; p99: number };
    short_age?: { max_age_s: number; lone_tx_median: number; moderate: { p50: number; p99: number } };
  };
  devnet_first_block_s: number | null;
  /** `modex devnet` spawned → its sequencer JSON-RPC answers */
  devnet_rpc_up_s: number | null;
  targets: {
    first_block_under_10s: boolean | null;
    p99_soft_confirmation_under_20ms: boolean;
    at_least_5000_tx_per_second: boolean;
  };
  phases: { moderate: LoadPhase; max: LoadPhase; short_age_moderate?: LoadPhase };
  profile?: ProfileShare[];
  accounts: number;
  concurrency: number;
  batch: number;
  block_limits: { maxTransactionsPerBlock: number; maxBlockBytes: number; maxBlockAgeMs: number };
  machine: string;
}

// ---------------------------------------------------------------------------------------------
// the load generator (a worker thread; plain JS so it needs no TypeScript loader)

interface LoadSpec {
  url: string;
  txs: string[];
  /** open loop at this rate (tx/s), or closed loop over `lanes` */
  rate?: number;
  lanes?: number[][];
  batch: number;
  sockets: number;
}

interface LoadOut {
  sentAt: Float64Array;
  ackAt: Float64Array;
  /** 0 acknowledged, else the JSON-RPC error code (−1 transport error, −2 not sent) */
  code: Int32Array;
  block: Int32Array;
  busy: number;
  /** the first transport errors' messages */
  transportErrors: string[];
}

const LOADGEN = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { url, txs, rate, lanes, batch, sockets } = workerData;
const u = new URL(url);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const n = txs.length;
const sentAt = new Float64Array(n);
const ackAt = new Float64Array(n);
const code = new Int32Array(n).fill(-2);
const block = new Int32Array(n).fill(-1);
let busy = 0;
const transportErrors = [];
// A minimal HTTP/1.1 client on net sockets: keep-alive, one request in flight per connection, the
// response framed by its content-length (what the sequencer's server sends). node:http's client
// costs about three times the CPU per request, and this generator shares the machine's cores with
// the node it measures.
const head = (len) => 'POST ' + u.pathname + ' HTTP/1.1\\r\\nhost: ' + u.host +
  '\\r\\ncontent-type: application/json\\r\\ncontent-length: ' + len + '\\r\\n\\r\\n';
class Conn {
  constructor() {
    this.buf = null;
    this.pending = null;
    this.sock = net.connect(Number(u.port), u.hostname);
    this.sock.setNoDelay(true);
    this.sock.on('data', (c) => this.data(c));
    this.sock.on('error', (e) => this.fail(e));
    this.sock.on('close', () => this.fail(new Error('connection closed')));
  }
  request(body) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.sock.write(head(Buffer.byteLength(body)) + body);
    });
  }
  data(c) {
    this.buf = this.buf ? Buffer.concat([this.buf, c]) : c;
    const end = this.buf.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const h = this.buf.toString('latin1', 0, end);
    const m = /content-length: *(\\d+)/i.exec(h);
    const len = m ? Number(m[1]) : 0;
    if (this.buf.length < end + 4 + len) return;
    const text = this.buf.toString('utf8', end + 4, end + 4 + len);
    this.buf = this.buf.length > end + 4 + len ? this.buf.subarray(end + 4 + len) : null;
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    if (!/^HTTP\\/1\\.1 2/.test(h)) return p.reject(new Error(h.split('\\r\\n')[0]));
    try { p.resolve(JSON.parse(text)); } catch (e) { p.reject(e); }
  }
  fail(e) {
    this.dead = true;
    const p = this.pending;
    this.pending = null;
    if (p) p.reject(e);
  }
}
// a pool of connections, each used by one request at a time (as an http.Agent with maxSockets)
const idle = [];
const queued = [];
let opened = 0;
function post(body) {
  return new Promise((resolve, reject) => {
    const run = (c) => c.request(body).then(
      (r) => { release(c); resolve(r); },
      (e) => { opened--; release(null); reject(e); });
    let c;
    while ((c = idle.pop()) && c.dead) opened--;
    if (c) return run(c);
    if (opened < sockets) { opened++; return run(new Conn()); }
    queued.push(run);
  });
}
function release(c) {
  const next = queued.shift();
  if (!next) { if (c) idle.push(c); return; }
  if (c) return next(c);
  opened++;
  next(new Conn());
}
const req1 = (i) => ({ jsonrpc: '2.0', id: i, method: 'modex_sendRawTransaction', params: [txs[i]] });
async function send(idxs) {
  for (;;) {
    const body = JSON.stringify(idxs.length === 1 ? req1(idxs[0]) : idxs.map(req1));
    const t = now();
    let res;
    try { res = await post(body); } catch (e) {
      if (transportErrors.length < 5) transportErrors.push(String(e && e.message || e));
      for (const i of idxs) code[i] = -1;
      return;
    }
    const a = now();
    const retry = [];
    for (const r of Array.isArray(res) ? res : [res]) {
      const i = r.id;
      if (typeof i !== 'number') continue;
      if (r.result) { sentAt[i] = t; ackAt[i] = a; code[i] = 0; block[i] = r.result.block; }
      else if (r.error && r.error.code === -32005) { busy++; retry.push(i); }
      else { sentAt[i] = t; ackAt[i] = a; code[i] = r.error ? r.error.code : -1; }
    }
    if (retry.length === 0) return;
    idxs = retry;
    await sleep(2);
  }
}
(async () => {
  // open the connections before the clock starts
  await Promise.all(Array.from({ length: Math.min(sockets, 64) }, (_, i) =>
    post(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'modex_blockNumber', params: [] }))));
  const t0 = now();
  if (rate) {
    const inflight = [];
    let next = 0;
    while (next < n) {
      const due = (now() - t0) * rate / 1000;
      while (next < n && next <= due) inflight.push(send([next++]));
      await sleep(1);
    }
    await Promise.all(inflight);
  } else {
    await Promise.all(lanes.map(async (lane) => {
      for (let k = 0; k < lane.length; k += batch) await send(lane.slice(k, k + batch));
    }));
  }
  for (const c of idle) c.sock.destroy();
  parentPort.postMessage({ sentAt, ackAt, code, block, busy, transportErrors });
})().catch((e) => { throw e; });
`;

function runLoad(spec: LoadSpec): Promise<LoadOut> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOADGEN, { eval: true, workerData: spec });
    w.once('message', (m: LoadOut) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (c) => {
      if (c !== 0 && c !== 1) reject(new Error(`load generator exited with ${c}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const median = (xs: number[]) => percentiles(xs).p50;
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

async function until(what: string, f: () => boolean, ms: number): Promise<void> {
  await untilAsync(what, async () => f(), ms);
}

async function untilAsync(what: string, f: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`bench e2e: timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** `modex devnet` as a process: seconds until its sequencer answers, and until block 0 is stored. */
async function devnetFirstBlock(
  rpc: string | undefined,
  log: (l: string) => void,
): Promise<{ rpcUp: number | null; firstBlock: number | null }> {
  const t0 = performance.now();
  const args = [join(REPO_ROOT, 'bin/modex.js'), 'devnet'];
  if (rpc) args.push('--rpc', rpc);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let url: string | undefined;
  let out = '';
  createInterface({ input: child.stdout! }).on('line', (l) => {
    out += `${l}\n`;
    const m = /sequencer JSON-RPC at (\S+)/.exec(l);
    if (m) url = m[1];
  });
  child.stderr?.on('data', (c) => {
    out += c;
  });
  let rpcUp: number | null = null;
  let firstBlock: number | null = null;
  try {
    const end = Date.now() + 90_000;
    let done = false;
    void exited.then(() => {
      done = true;
    });
    while (!done && Date.now() < end) {
      if (url) {
        try {
          const head = await rpcCall<number>(url, 'modex_blockNumber');
          rpcUp ??= (performance.now() - t0) / 1000;
          if (head >= 0) {
            firstBlock = (performance.now() - t0) / 1000;
            break;
          }
        } catch {
          // not serving yet
        }
      }
      await sleep(20);
    }
    if (firstBlock === null) log(`devnet: no first block; its output:\n${out}`);
  } finally {
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  }
  return { rpcUp, firstBlock };
}

/** The sequencer thread's activities (bench e2e's CPU profile). */
const sequencerFrame: FrameRule = (f) => {
  const { functionName: fn, url } = f;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'V8 (program: native code, compilation)';
  // attributed to their caller: admission, or the STF's host op
  if (url.includes('ecrecover.ts') || url.includes('wasm/keccak.ts')) return undefined;
  if (url.includes('apps/sdk/app-runtime.ts') && fn === 'admit')
    return "admission: the app's modex_admit (instantiation, decode, signature recovery, keccak)";
  if (url.includes('node/app-chain.ts') || url.includes('/vm/wasm/') || url.includes('/guest/'))
    return 'block execution (STF, native)';
  if (url.includes('node/store.ts') || url.includes('lmdb')) return 'store (LMDB)';
  if (url.includes('node/wal.ts')) return 'WAL (append, fdatasync completion)';
  if (url.includes('node/sequencer.ts')) return 'sequencer bookkeeping (place, seal, receipts)';
  if (url.includes('node/rpc.ts')) return 'JSON-RPC (JSON parse/stringify, dispatch)';
  if (
    url.includes('viem') ||
    url.includes('node/batcher.ts') ||
    url.includes('ethereum/inbox.ts') ||
    url.includes('/da/') ||
    url.includes('abitype') ||
    url.includes('@noble/curves')
  )
    return 'batcher (viem: encode, sign, L1 RPC)';
  if (url.startsWith('node:') && /http|net|stream|events|timers|buffer/.test(url))
    return 'HTTP server (node:http, sockets)';
  return undefined;
};

export async function benchE2e(opts: E2eBenchOptions = {}): Promise<E2eBenchResult> {
  const log = opts.log ?? (() => {});
  const nTxs = opts.txs ?? 20_000;
  const nAccounts = opts.accounts ?? 500;
  const concurrency = opts.concurrency ?? 64;
  const rate = opts.rate ?? 500;
  const batch = opts.batch ?? 1;
  const shortAge = opts.shortAgeSeconds ?? 1;
  const config: ChainConfig = loadConfig(opts.config ?? join(REPO_ROOT, 'examples/devnet.config.json'));
  if (!config.vm.app) throw new Error('bench e2e runs a built-in app (vm.app = "token")');
  const chainId = BigInt(config.chain.chainId);

  // 1. the devnet's first block
  let devnet = { rpcUp: null as number | null, firstBlock: null as number | null };
  if (opts.devnet !== false) {
    log('devnet: spawning `modex devnet` until its first L2 block...');
    devnet = await devnetFirstBlock(opts.rpc, log);
    log(
      `  first block after ${devnet.firstBlock?.toFixed(2)} s (JSON-RPC up after ${devnet.rpcUp?.toFixed(2)} s)`,
    );
  }

  // 2. the chain: L1, contracts, batcher, sequencer with JSON-RPC
  log(`chain: ${opts.rpc ?? 'embedded anvil'}, deploying the settlement contracts...`);
  const cleanup: (() => Promise<unknown>)[] = [];
  const l1: L1 = await openL1(opts.rpc ?? 'embedded');
  cleanup.push(() => l1.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'modex-bench-e2e-'));
  cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  try {
    const { settlement: s, source } = await deployForConfig(l1, config);
    // the batcher in its worker thread, as the sequencer role runs it
    const batcher = batcherWorkerFor(s.inbox, {
      rpcUrl: l1.rpcUrl,
      privateKey: l1.accounts[0].privateKey,
      da: config.da,
    });
    cleanup.push(() => batcher.close());
    await batcher.start();
    const storedAt = new Map<number, number>();
    const postedAt = new Map<number, number>();
    let batcherError: unknown;
    let seq!: Sequencer;
    let server!: RpcServer;
    const openSequencer = async (cfg: ChainConfig) => {
      seq = await Sequencer.open({
        dataDir,
        executor: new WorkerExecutor({ app: source, chainId }),
        config: cfg,
        delayed: async () =>
          (await s.inbox.pendingDelayed()).messages.map((m) => ({ index: m.index, data: m.data })),
        onBlockSealed: async (b) => {
          storedAt.set(b.number, now());
          if (b.kind !== 'batch') return;
          try {
            await batcher.submit({
              position: BigInt(b.number),
              message: b.message,
              delayedRead: BigInt(b.delayedRead),
            });
            postedAt.set(b.number, now());
          } catch (e) {
            batcherError ??= e;
            throw e;
          }
        },
        onError: (e) => log(`sequencer: ${e}`),
      });
      server = await startRpcServer(seq, { port: 0 });
    };
    const closeSequencer = async () => {
      await server.close();
      await seq.close();
    };
    cleanup.push(() => closeSequencer());
    await openSequencer(config);
    const limits = seq.status().limits;
    log(
      `  sequencer at ${server.url}: blocks of ≤ ${limits.maxTransactionsPerBlock} txs / ${limits.maxBlockBytes} bytes, age ${limits.maxBlockAgeMs} ms`,
    );

    // 3. funding through the bridge, then a fan-out over JSON-RPC
    const funder = fastAccount(7_000_000);
    const accounts: FastAccount[] = Array.from({ length: nAccounts }, (_, i) => fastAccount(7_000_001 + i));
    const nonces = accounts.map(() => 0n);
    log(`funding: an ETH deposit through the bridge, then ${nAccounts} transfers over JSON-RPC...`);
    const user = l1.accounts[3].account as PrivateKeyAccount;
    await s.bridge.connect(walletFor(l1, user)).depositEth(funder.address, 10n ** 18n);
    await untilAsync('the deposit on L2', async () => (await tokenBalance(seq, funder.address)) > 0n, 30_000);
    for (let i = 0; i < nAccounts; i += 500) {
      const reqs = accounts.slice(i, i + 500).map((a, j) => ({
        jsonrpc: '2.0',
        id: j,
        method: 'modex_sendRawTransaction',
        params: [hex(fastTransfer(funder, a.address, 10n ** 12n, BigInt(i + j), chainId))],
      }));
      const rs = (await rpcPost(server.url, reqs)) as { error?: { message: string } }[];
      const bad = rs.find((r) => r.error);
      if (bad) throw new Error(`funding: ${bad.error?.message}`);
    }
    seq.sealNow();
    await until('the funding transfers', () => seq.status().mempool === 0, 60_000);
    for (const a of accounts)
      if ((await tokenBalance(seq, a.address)) === 0n)
        throw new Error(`funding: ${a.address} has no balance`);

    /** `count` signed transfers, round-robin over the senders (so nonce-major). */
    const sign = (count: number) => {
      const raws: string[] = [];
      const hashes: Hex[] = [];
      const senders: number[] = [];
      for (let i = 0; i < count; i++) {
        const k = i % nAccounts;
        const raw = fastTransfer(
          accounts[k],
          accounts[(k + 1) % nAccounts].address,
          1n,
          nonces[k]++,
          chainId,
        );
        raws.push(hex(raw));
        hashes.push(bytesToHex(keccak_256(raw)));
        senders.push(k);
      }
      return { raws, hashes, senders };
    };

    const settle = async (blocks: number[], what: string) => {
      await until(
        what,
        () =>
          batcherError !== undefined ||
          (seq.status().mempool === 0 && blocks.every((b) => postedAt.has(b) && storedAt.has(b))),
        120_000,
      );
      if (batcherError) throw batcherError;
    };

    let profile: ProfileShare[] | undefined;
    const lone = async (n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const { raws } = sign(1);
        const t = now();
        const c = await rpcCall<{ block: number }>(server.url, 'modex_sendRawTransaction', [raws[0]]);
        await settle([c.block], `lone transaction ${i}`);
        out.push(((postedAt.get(c.block) as number) - t) / 1000);
      }
      return out;
    };

    const phase = async (
      name: string,
      count: number,
      mode: { rate: number } | { concurrency: number; batch: number },
      profiled = false,
    ): Promise<LoadPhase> => {
      const { raws, hashes, senders } = sign(count);
      const spec: LoadSpec =
        'rate' in mode
          ? { url: server.url, txs: raws, rate: mode.rate, batch: 1, sockets: 64 }
          : (() => {
              const lanes: number[][] = Array.from(
                { length: Math.min(mode.concurrency, nAccounts) },
                () => [],
              );
              senders.forEach((k, i) => {
                lanes[k % lanes.length].push(i);
              });
              return { url: server.url, txs: raws, lanes, batch: mode.batch, sockets: lanes.length };
            })();
      log(
        `${name}: ${count} transfers, ${'rate' in mode ? `open loop at ${mode.rate} tx/s` : `${spec.lanes?.length} closed-loop clients${mode.batch > 1 ? `, ${mode.batch} per request` : ''}`}...`,
      );
      const session = profiled ? await startProfile() : undefined;
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const wal0 = { ...seq.status().wal };
      const o = await runLoad(spec);
      loop.disable();
      if (o.transportErrors.length > 0) log(`  transport errors: ${o.transportErrors.join('; ')}`);
      const wal1 = { ...seq.status().wal };
      const acked: number[] = [];
      const errors: Record<string, number> = {};
      for (let i = 0; i < count; i++) {
        if (o.code[i] === 0) acked.push(i);
        else errors[o.code[i]] = (errors[o.code[i]] ?? 0) + 1;
      }
      const first = Math.min(...acked.map((i) => o.sentAt[i]));
      const lastAck = Math.max(...acked.map((i) => o.ackAt[i]));
      const blocks = [...new Set(acked.map((i) => o.block[i]))];
      await settle(blocks, `${name}: every acknowledged transaction on L1`);
      if (session)
        profile = profileShares(await stopProfile(session), sequencerFrame, acked.length, 'other JS');
      const lastStored = Math.max(...blocks.map((b) => storedAt.get(b) as number));
      let ok = 0;
      const other: Record<string, number> = {};
      for (const i of acked) {
        const r = seq.receipt(hashes[i]);
        const st = r?.status ?? 'unknown';
        if (st === 'ok') ok++;
        else other[st] = (other[st] ?? 0) + 1;
      }
      const wall = (lastAck - first) / 1000;
      const executed = (lastStored - first) / 1000;
      const p: LoadPhase = {
        txs: count,
        acknowledged: acked.length,
        busy_rejections: o.busy,
        errors,
        wall_s: wall,
        tx_per_second: acked.length / wall,
        executed_s: executed,
        executed_tx_per_second: acked.length / executed,
        executed_ok: ok,
        executed_other: other,
        blocks: blocks.length,
        latency_ms: percentiles(acked.map((i) => o.ackAt[i] - o.sentAt[i])),
        l1_inclusion_s: percentiles(
          acked.map((i) => ((postedAt.get(o.block[i]) as number) - o.sentAt[i]) / 1000),
        ),
        event_loop_delay_ms: {
          p50: loop.percentile(50) / 1e6,
          p99: loop.percentile(99) / 1e6,
          max: loop.max / 1e6,
        },
        wal: {
          fsyncs: wal1.fsyncs - wal0.fsyncs,
          records_per_fsync: (wal1.records - wal0.records) / Math.max(1, wal1.fsyncs - wal0.fsyncs),
          mean_ms: (wal1.fsyncMsTotal - wal0.fsyncMsTotal) / Math.max(1, wal1.fsyncs - wal0.fsyncs),
        },
      };
      if ('rate' in mode) p.offered_tx_per_second = mode.rate;
      else p.concurrency = spec.lanes?.length;
      log(
        `  ${p.acknowledged} acknowledged in ${wall.toFixed(2)} s (${p.tx_per_second.toFixed(0)} tx/s), ${ok} ok in ${p.blocks} blocks; ` +
          `latency p50 ${p.latency_ms.p50.toFixed(1)} ms p99 ${p.latency_ms.p99.toFixed(1)} ms; ` +
          `L1 inclusion p50 ${p.l1_inclusion_s.p50.toFixed(2)} s p99 ${p.l1_inclusion_s.p99.toFixed(2)} s; ` +
          `event loop delay p99 ${p.event_loop_delay_ms.p99.toFixed(0)} ms max ${p.event_loop_delay_ms.max.toFixed(0)} ms; ` +
          `WAL ${p.wal.fsyncs} fsyncs (${p.wal.records_per_fsync.toFixed(1)} records, ${p.wal.mean_ms.toFixed(2)} ms each)`,
      );
      return p;
    };

    // 4. lone transactions and moderate load, config block age
    log(`lone transactions (block age ${limits.maxBlockAgeMs / 1000} s)...`);
    const loneDefault = await lone(3);
    log(`  L1 inclusion ${loneDefault.map((x) => x.toFixed(2)).join(', ')} s`);
    const moderate = await phase('moderate load', rate * 6, { rate });

    // 5. maximum throughput (profiled from the first request until every transaction is on L1)
    const max = await phase('maximum load', nTxs, { concurrency, batch }, opts.profile);

    // 6. a shorter block age
    let short: E2eBenchResult['l1_inclusion_s']['short_age'];
    let shortModerate: LoadPhase | undefined;
    if (shortAge > 0) {
      log(`reopening the sequencer with sequencing.batch.maxAgeSeconds = ${shortAge}...`);
      await closeSequencer();
      await openSequencer({
        ...config,
        sequencing: { ...config.sequencing, batch: { ...config.sequencing.batch, maxAgeSeconds: shortAge } },
      });
      const loneShort = await lone(3);
      log(`  lone transactions: L1 inclusion ${loneShort.map((x) => x.toFixed(2)).join(', ')} s`);
      shortModerate = await phase('moderate load, short block age', rate * 3, { rate });
      short = {
        max_age_s: shortAge,
        lone_tx_median: median(loneShort),
        moderate: { p50: shortModerate.l1_inclusion_s.p50, p99: shortModerate.l1_inclusion_s.p99 },
      };
    }

    const pick = (p: Percentiles) => ({ p50: p.p50, p99: p.p99 });
    return {
      tx_per_second: max.tx_per_second,
      executed_tx_per_second: max.executed_tx_per_second,
      executed_ok: max.executed_ok,
      acknowledged: max.acknowledged,
      latency_ms: pick(moderate.latency_ms),
      latency_max_load_ms: pick(max.latency_ms),
      l1_inclusion_s: {
        max_age_s: limits.maxBlockAgeMs / 1000,
        lone_tx_median: median(loneDefault),
        moderate: pick(moderate.l1_inclusion_s),
        max_load: pick(max.l1_inclusion_s),
        short_age: short,
      },
      devnet_first_block_s: devnet.firstBlock,
      devnet_rpc_up_s: devnet.rpcUp,
      targets: {
        first_block_under_10s: devnet.firstBlock === null ? null : devnet.firstBlock < 10,
        p99_soft_confirmation_under_20ms: moderate.latency_ms.p99 < 20,
        at_least_5000_tx_per_second: max.tx_per_second >= 5000,
      },
      phases: { moderate, max, short_age_moderate: shortModerate },
      profile,
      accounts: nAccounts,
      concurrency: max.concurrency ?? concurrency,
      batch,
      block_limits: limits,
      machine: machineLine(),
    };
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  }
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const met = (b: boolean | null) => (b === null ? 'not measured' : b ? 'met' : 'NOT met');

export function formatE2eBench(r: E2eBenchResult): string {
  const row = (name: string, p: LoadPhase, load: string) =>
    `| ${name} | ${load} | ${p.acknowledged}/${p.txs} | ${p.busy_rejections} | ${p.tx_per_second.toFixed(0)} | ${p.executed_tx_per_second.toFixed(0)} | ${p.executed_ok} | ${p.blocks} | ${f1(p.latency_ms.p50)} | ${f1(p.latency_ms.p99)} | ${f1(p.latency_ms.max)} | ${f2(p.l1_inclusion_s.p50)} | ${f2(p.l1_inclusion_s.p99)} |`;
  const { moderate, max, short_age_moderate: sm } = r.phases;
  const inc = r.l1_inclusion_s;
  const named: [string, LoadPhase][] = [
    ['moderate', moderate],
    ['maximum', max],
    ...(sm ? [[`moderate, age ${inc.short_age?.max_age_s} s`, sm] as [string, LoadPhase]] : []),
  ];
  const lines = [
    `machine: ${r.machine}`,
    `${r.accounts} funded senders; blocks of ≤ ${r.block_limits.maxTransactionsPerBlock} txs / ${r.block_limits.maxBlockBytes} bytes, block age ${inc.max_age_s} s`,
    '',
    '| phase | load | acknowledged | busy | ack tx/s | executed tx/s | ok | blocks | latency p50 (ms) | p99 (ms) | max (ms) | L1 incl. p50 (s) | p99 (s) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    row('moderate', moderate, `${moderate.offered_tx_per_second} tx/s offered`),
    row('maximum', max, `${max.concurrency} clients${r.batch > 1 ? ` × ${r.batch}/request` : ''}`),
    ...(sm
      ? [row(`moderate, age ${inc.short_age?.max_age_s} s`, sm, `${sm.offered_tx_per_second} tx/s offered`)]
      : []),
    '',
    '| phase | WAL fsyncs | records/fsync | ms/fsync | event-loop delay p50 (ms) | p99 (ms) | max (ms) |',
    '|---|---|---|---|---|---|---|',
    ...named.map(
      ([n, p]) =>
        `| ${n} | ${p.wal.fsyncs} | ${f1(p.wal.records_per_fsync)} | ${f2(p.wal.mean_ms)} | ${f1(p.event_loop_delay_ms.p50)} | ${f1(p.event_loop_delay_ms.p99)} | ${f1(p.event_loop_delay_ms.max)} |`,
    ),
    '',
    `L1 inclusion of a lone transaction: ${f2(inc.lone_tx_median)} s (block age ${inc.max_age_s} s)` +
      (inc.short_age
        ? `, ${f2(inc.short_age.lone_tx_median)} s (block age ${inc.short_age.max_age_s} s)`
        : ''),
    `devnet: first L2 block ${r.devnet_first_block_s === null ? '—' : `${f2(r.devnet_first_block_s)} s`} after spawning \`modex devnet\` (JSON-RPC up after ${r.devnet_rpc_up_s === null ? '—' : `${f2(r.devnet_rpc_up_s)} s`})`,
    '',
    'targets:',
    `  first block within 10 s: ${met(r.targets.first_block_under_10s)} (${r.devnet_first_block_s === null ? '—' : f2(r.devnet_first_block_s)} s)`,
    `  p99 soft confirmation under 20 ms (moderate load): ${met(r.targets.p99_soft_confirmation_under_20ms)} (${f1(r.latency_ms.p99)} ms)`,
    `  at least 5,000 tx/s end to end: ${met(r.targets.at_least_5000_tx_per_second)} (${r.tx_per_second.toFixed(0)} tx/s)`,
  ];
  if (r.profile?.length) {
    lines.push(
      '',
      'sequencer thread during the maximum load (CPU profile; µs per acknowledged transaction):',
    );
    const w = Math.max(...r.profile.map((p) => p.category.length));
    for (const p of r.profile)
      lines.push(
        `  ${p.category.padEnd(w)}  ${(p.fraction * 100).toFixed(1).padStart(5)} %  ${p.us_per_tx.toFixed(1).padStart(7)} µs`,
      );
  }
  return lines.join('\n');
}
