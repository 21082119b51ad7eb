/**
 * Token benchmark (`modex bench token`): signed transfers per second through the native (V8) path
 * of the token app (guest/apps/token), machine steps per transfer in the interpreter, and where
 * the native time goes (an in-process CPU profile of the native runs, by host op).
 *
 * Setup (not timed): genesis, one deposit message per funded account (deterministic keys), then
 * pre-signed batches of transfers (sender i → another funded account, amount 1, nonces in order).
 * Timed per inbox message: `runNative` (decode, signature checks with the `ecrecover` host op,
 * state-tree reads via the preimage store, `keccak256_pair`, receipts) with the node's side of
 * it: preimage lookups in the store (read in place from guest memory, `HostContext.preimageStore`)
 * and recording every hinted preimage into it. Not timed: a warm-up empty message and a warm-up
 * full message before them (steady state: JIT tier-up done). The asc compile and the module
 * validation are one-off and excluded; `runNative` still rewrites and compiles the module with V8 for every
 * message, which is included (`v8_compile_ms` reports it separately).
 */
import { privateKeyToAccount } from 'viem/accounts';
import { runGenesis } from '../src/apps/sdk/app-entry.ts';
import { encodeBatch } from '../src/apps/sdk/client-common.ts';
import { App, Receipt, readReceipts } from '../src/apps/sdk/run-app.ts';
import { depositMessage, TOKEN_CHAIN_ID, transfer } from '../src/apps/token/client.ts';
import { type FrameRule, profileShares, startProfile, stopProfile } from '../src/util/cpu-profile.ts';
import type { GlobalState } from '../src/vm/wasm/machine.ts';
import type { ValidatedModule } from '../src/vm/wasm/module.ts';
import { compileNative, rewriteForNative, runNative, validateStf } from '../src/vm/wasm/native.ts';

export interface TokenBenchOptions {
  /** funded accounts (default 1000) */
  accounts?: number;
  /** transfers per timed inbox message (default 1000) */
  batch?: number;
  /** timed messages; the result is their median (default 5) */
  messages?: number;
  /** transfers in the interpreted message (default 100) */
  interpretBatch?: number;
  /** CPU-profile this many extra native messages for the breakdown (default 2; 0 = no profile) */
  profileMessages?: number;
  log?: (line: string) => void;
}

export interface ProfileEntry {
  category: string;
  /** share of the profiled native time */
  fraction: number;
  /** per transfer, µs */
  us_per_tx: number;
}

export interface TokenBenchResult {
  /** transfers per second through the native path, median over the timed messages */
  tx_per_second: number;
  /**
   * the same from the process's CPU time per message (user + system, all threads: GC and compiler
   * threads included), which a busy shared machine disturbs less than the wall time
   */
  tx_per_second_cpu: number;
  /** interpreter steps per transfer: (steps of a batch − steps of an empty batch) / count */
  steps_per_tx: number;
  /** interpreter steps of an empty batch (the fixed cost of a message: receipt, roots) */
  steps_per_message_overhead: number;
  accounts: number;
  batch: number;
  messages: number;
  /** native time of a message of `batch` transfers (median, min, max), ms */
  native_ms_per_message: { median: number; min: number; max: number };
  /** process CPU time of a message of `batch` transfers (median, min, max), ms */
  native_cpu_ms_per_message: { median: number; min: number; max: number };
  /** native time of an empty batch message (median), ms */
  native_ms_empty_message: number;
  /** V8 rewrite + compile of the module alone (median of 5), ms: part of every runNative */
  v8_compile_ms: number;
  /** new preimages recorded in the store per message (median; hints of known preimages not counted) */
  hints_per_message: number;
  interpret_batch: number;
  interpret_steps: number;
  /** setup: deposits, signing (not timed in tx_per_second), s */
  setup_seconds: { deposits: number; signing: number };
  profile: ProfileEntry[];
  total_seconds: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * The node's side of one inbox message on the native path; returns the new global state, its time
 * and the number of new preimages recorded. Lookups read the hash in guest memory
 * (`preimageStore`); every hinted preimage goes straight into the store (content-addressed, so a
 * run that fails leaves nothing wrong in it).
 */
function runMessage(
  app: App,
  mod: ValidatedModule,
  gs: GlobalState,
  msg: Uint8Array,
): { gs: GlobalState; ms: number; cpuMs: number; hinted: number } {
  const store = app.store;
  const before = store.size;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = runNative(
    { bytes: app.bytes, module: mod },
    {
      inbox: msg,
      preimages: (kind, h) => store.get(h, kind),
      preimageStore: store,
      globalState: gs,
    },
  );
  if (r.status !== 'finished') throw new Error(`bench token: native run ${r.status}: ${r.error?.message}`);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { gs: r.globalState, ms, cpuMs: (c.user + c.system) / 1000, hinted: store.size - before };
}

const HOST_OPS = new Set([
  'inbox_read',
  'preimage_read',
  'get_global_bytes32',
  'set_global_bytes32',
  'get_global_u64',
  'set_global_u64',
  'halt',
  'keccak256_pair',
  'ecrecover',
  'hint_preimage',
]);

/** The category of a profile frame, or undefined to look at its caller. */
const frameCategory: FrameRule = (f) => {
  const { functionName: fn, url } = f;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)' || fn === '(idle)' || fn === '(root)') return 'other (V8: program, idle)';
  if (url.includes('preimage-store.ts') && fn !== '' && fn !== 'toHex')
    return ['find', 'copyOut', 'probe', 'slotOf'].includes(fn)
      ? 'preimage_read: store lookup (hash table)'
      : 'hint_preimage: recording (hash table insert)';
  if (url.includes('bench-token.ts') && (fn === '' || fn === 'preimages'))
    return 'preimage_read: store lookup (hash table)';
  if (url.includes('host-abi.ts') && fn === 'ecrecoverWord')
    return 'ecrecover (libsecp256k1, address keccak)';
  if (url.includes('vm/wasm/ecrecover.ts')) return 'ecrecover (libsecp256k1, address keccak)';
  if (url.includes('vm/wasm/keccak.ts')) return 'keccak-f (host: keccak256_pair, hints, addresses)';
  if (url.includes('vm/wasm/native.ts')) {
    if (fn === 'compileNative' || fn === 'rewriteForNative') return 'V8 rewrite + compile';
    // the host imports are arrow functions: named after their property, or anonymous after tsx
    if (HOST_OPS.has(fn) || ['', 'checked', 'refresh', 'copyOut', 'isLast', 'aligned'].includes(fn))
      return 'host glue (native.ts: bounds checks, copies)';
  }
  if (fn.startsWith('wasm-to-js') || fn.startsWith('js-to-wasm')) return 'wasm <-> JS call transitions';
  if (url.startsWith('wasm://') || fn.startsWith('$') || fn.startsWith('wasm-function'))
    return 'guest compute (wasm)';
  return undefined;
};

export async function benchToken(opts: TokenBenchOptions = {}): Promise<TokenBenchResult> {
  const t0 = performance.now();
  const nAccounts = opts.accounts ?? 1000;
  const batch = opts.batch ?? 1000;
  const messages = opts.messages ?? 5;
  const interpretBatch = opts.interpretBatch ?? 100;
  const profileMessages = opts.profileMessages ?? 2;
  const log = opts.log ?? (() => {});
  if (nAccounts < 2) throw new Error('bench token: at least 2 accounts');

  const app = new App('token'); // asc compile (cached): one-off, not timed
  const mod = validateStf(app.bytes);
  const accounts = Array.from({ length: nAccounts }, (_, i) =>
    privateKeyToAccount(`0x${(0xb0000 + i + 1).toString(16).padStart(64, '0')}`),
  );

  // genesis and deposits
  let t = performance.now();
  let gs = runGenesis(app, TOKEN_CHAIN_ID);
  for (const a of accounts) gs = runMessage(app, mod, gs, depositMessage(a.address, 10n ** 24n)).gs;
  const depositSeconds = (performance.now() - t) / 1000;
  log(`setup: ${nAccounts} deposits in ${depositSeconds.toFixed(1)} s`);

  // pre-signed batches: message m, tx i: sender i mod N → another account, amount 1
  const nonces = new Array<bigint>(nAccounts).fill(0n);
  // + 2: the warm-up message (first) and the interpreted message (last)
  const total = 1 + messages + profileMessages + 1;
  t = performance.now();
  const batches: Uint8Array[] = [];
  for (let m = 0; m < total; m++) {
    const size = m === total - 1 ? interpretBatch : batch;
    // recipients: pattern 0 for the first timed message, …; the warm-up gets the last pattern
    const pattern = (m + total - 1) % total;
    const txs: Uint8Array[] = [];
    for (let i = 0; i < size; i++) {
      const s = i % nAccounts;
      const to =
        accounts[(s + 1 + ((pattern * 7 + Math.floor(i / nAccounts)) % (nAccounts - 1))) % nAccounts];
      txs.push(await transfer(accounts[s], to.address, 1n, { nonce: nonces[s]++ }));
    }
    batches.push(encodeBatch(txs));
  }
  const signSeconds = (performance.now() - t) / 1000;
  log(`setup: ${batches.length} batches signed in ${signSeconds.toFixed(1)} s`);

  const checkAllOk = (g: GlobalState, pos: bigint, n: number) => {
    const r = readReceipts(app.store, g.bytes32[0], pos);
    if (!r || r.message !== Receipt.OK || r.txs.length !== n || r.txs.some((s) => s !== Receipt.OK))
      throw new Error(`bench token: message ${pos}: not every transfer succeeded`);
  };

  // warm-up, not counted: an empty batch, then a full one, so that the timed messages see the
  // steady state of a running node (host glue optimized, the guest's hot wasm functions tiered up
  // from V8's baseline compiler; the first full message otherwise runs ~1.6x slower)
  const empty = encodeBatch([]);
  runMessage(app, mod, gs, empty);
  {
    const pos = gs.u64[0];
    const r = runMessage(app, mod, gs, batches[0]);
    checkAllOk(r.gs, pos, batch);
    gs = r.gs;
  }

  // timed messages
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const hints: number[] = [];
  for (let m = 0; m < messages; m++) {
    const pos = gs.u64[0];
    const r = runMessage(app, mod, gs, batches[1 + m]);
    checkAllOk(r.gs, pos, batch);
    gs = r.gs;
    times.push(r.ms);
    cpuTimes.push(r.cpuMs);
    hints.push(r.hinted);
    log(`message ${m + 1}/${messages}: ${batch} transfers in ${r.ms.toFixed(1)} ms`);
  }
  const emptyTimes = Array.from({ length: 5 }, () => runMessage(app, mod, gs, empty).ms);
  const compileTimes = Array.from({ length: 5 }, () => {
    const c = performance.now();
    compileNative(rewriteForNative(app.bytes, mod).binary);
    return performance.now() - c;
  });

  // profile
  let profile: ProfileEntry[] = [];
  if (profileMessages > 0) {
    const session = await startProfile(100);
    for (let m = 0; m < profileMessages; m++) {
      const pos = gs.u64[0];
      const r = runMessage(app, mod, gs, batches[1 + messages + m]);
      checkAllOk(r.gs, pos, batch);
      gs = r.gs;
    }
    profile = profileShares(
      await stopProfile(session),
      frameCategory,
      profileMessages * batch,
      'other (JS: runNative setup, merge, callbacks)',
    ).filter((e) => !e.category.startsWith('other (V8'));
  }

  // interpreter: steps of a batch and of an empty batch (App.run checks native = interpreter)
  const full = app.run(gs, batches[total - 1]);
  if (full.receipts?.txs.some((s) => s !== Receipt.OK))
    throw new Error('bench token: interpreted batch failed');
  const none = app.run(gs, empty);

  const ms = median(times);
  const cpuMs = median(cpuTimes);
  return {
    tx_per_second: batch / (ms / 1000),
    tx_per_second_cpu: batch / (cpuMs / 1000),
    steps_per_tx: (full.steps - none.steps) / interpretBatch,
    steps_per_message_overhead: none.steps,
    accounts: nAccounts,
    batch,
    messages,
    native_ms_per_message: { median: ms, min: Math.min(...times), max: Math.max(...times) },
    native_cpu_ms_per_message: { median: cpuMs, min: Math.min(...cpuTimes), max: Math.max(...cpuTimes) },
    native_ms_empty_message: median(emptyTimes),
    v8_compile_ms: median(compileTimes),
    hints_per_message: median(hints),
    interpret_batch: interpretBatch,
    interpret_steps: full.steps,
    setup_seconds: { deposits: depositSeconds, signing: signSeconds },
    profile,
    total_seconds: (performance.now() - t0) / 1000,
  };
}

export function formatTokenBench(r: TokenBenchResult): string {
  const rows: [string, string][] = [
    ['transfers/s (native, median)', Math.round(r.tx_per_second).toLocaleString('en-US')],
    [
      `native ms per message of ${r.batch} (median, min–max)`,
      `${r.native_ms_per_message.median.toFixed(1)} (${r.native_ms_per_message.min.toFixed(1)}–${r.native_ms_per_message.max.toFixed(1)})`,
    ],
    ['native µs per transfer', ((r.native_ms_per_message.median * 1000) / r.batch).toFixed(1)],
    [
      'transfers/s by process CPU time (median, min–max ms)',
      `${Math.round(r.tx_per_second_cpu).toLocaleString('en-US')} (${r.native_cpu_ms_per_message.min.toFixed(1)}–${r.native_cpu_ms_per_message.max.toFixed(1)})`,
    ],
    ['native ms per empty message', r.native_ms_empty_message.toFixed(2)],
    ['  of which V8 rewrite + compile', r.v8_compile_ms.toFixed(2)],
    ['new preimages recorded per message', String(r.hints_per_message)],
    ['interpreter steps per transfer', Math.round(r.steps_per_tx).toLocaleString('en-US')],
    ['interpreter steps per message (empty batch)', r.steps_per_message_overhead.toLocaleString('en-US')],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  if (r.profile.length) {
    lines.push('', 'native profile (self time by host op; µs per transfer):');
    const pw = Math.max(...r.profile.map((p) => p.category.length));
    for (const p of r.profile)
      lines.push(
        `  ${p.category.padEnd(pw)}  ${(p.fraction * 100).toFixed(1).padStart(5)}%  ${p.us_per_tx.toFixed(1).padStart(7)} µs`,
      );
  }
  lines.push(
    '',
    `${r.accounts} funded accounts, ${r.messages} timed messages of ${r.batch} transfers; interpreted: ${r.interpret_batch} transfers (${r.interpret_steps.toLocaleString('en-US')} steps)`,
    `setup (not timed): deposits ${r.setup_seconds.deposits.toFixed(1)} s, signing ${r.setup_seconds.signing.toFixed(1)} s; total ${r.total_seconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}
