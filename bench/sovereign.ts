/**
 * Sovereign light client benchmark (issue 21 item 6; docs/sovereign.md §4): the time a light client
 * takes to check one fraud proof (a block's witness), per block size, with the native runner and
 * with the step interpreter, and the proof's size.
 *
 * Setup (not timed): a kv chain (the built-in kv app) whose state holds `prefill` entries of other
 * accounts (so the state tree has depth, as on a used chain), then one block of `n` signed kv writes
 * by `n` distinct accounts; the full node builds the block's proof (`buildProof`, timed separately
 * as `build_ms`). Timed: `checkProof` — parse, the input check against the accumulators, the
 * pre-state check, keccak of every preimage, and the block's execution over the proof's preimages
 * only — median of `runs` native runs and `interpRuns` interpreted ones, each after a warm-up run
 * (V8's compile of the module, the interpreter's JIT tier-up).
 *
 * Run: `npx modex bench sovereign [--json] [--sizes 1,10,100,1000] [--interp-max 100]` (or `npx tsx
 * bench/sovereign.ts` with the same options).
 */
import { privateKeyToAccount } from 'viem/accounts';
import { KV_CHAIN_ID, kvSet } from '../src/apps/kv/client.ts';
import { loadApp } from '../src/apps/sdk/app-runtime.ts';
import { builtinAppBytes } from '../src/apps/sdk/builtin-apps.ts';
import { encodeBatch } from '../src/apps/sdk/client-common.ts';
import { AppChain } from '../src/node/app-chain.ts';
import { SovereignFullNode } from '../src/node/sovereign-node.ts';
import { accumulators } from '../src/settlement/ethereum/message.ts';
import { checkProof } from '../src/settlement/sovereign/fraud-proof.ts';
import { headerState, sameState } from '../src/settlement/sovereign/header.ts';

export interface SovereignBenchOptions {
  /** transactions per block (default 1, 10, 100, 1000) */
  sizes?: number[];
  /** interpreted checks only up to this block size (default 100) */
  interpMax?: number;
  /** entries written by other accounts before the measured block (default 1000) */
  prefill?: number;
  /** native runs per size; the result is their median (default 5) */
  runs?: number;
  /** interpreted runs per size; the result is their median (default 3) */
  interpRuns?: number;
  log?: (line: string) => void;
}

export interface SovereignBenchRow {
  txs: number;
  proof_bytes: number;
  preimages: number;
  build_ms: number;
  check_native_ms: number;
  /** undefined above interpMax */
  check_interp_ms?: number;
}

const enc = (s: string) => new TextEncoder().encode(s);
const key = (i: number, salt: number) =>
  `0x${(BigInt(salt) * 1_000_000n + BigInt(i) + 1n).toString(16).padStart(64, '0')}` as `0x${string}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchSovereign(o: SovereignBenchOptions = {}): Promise<SovereignBenchRow[]> {
  const sizes = o.sizes ?? [1, 10, 100, 1000];
  const interpMax = o.interpMax ?? 100;
  const prefill = o.prefill ?? 1000;
  const runs = o.runs ?? 5;
  const interpRuns = o.interpRuns ?? 3;
  const bytes = builtinAppBytes('kv');
  const rows: SovereignBenchRow[] = [];
  // prefill: one message of `prefill` writes, one per account
  const pre = await Promise.all(
    Array.from({ length: prefill }, (_, i) =>
      kvSet(privateKeyToAccount(key(i, 1)), enc(`k${i}`), enc(`v${i}`), { nonce: 0n }),
    ),
  );
  for (const n of sizes) {
    const txs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        kvSet(privateKeyToAccount(key(i, 2)), enc(`key-${i}`), new Uint8Array(32).fill(i & 0xff), {
          nonce: 0n,
        }),
      ),
    );
    const messages = [encodeBatch(pre), encodeBatch(txs)];
    const chain = new AppChain({ app: loadApp(bytes, 'kv'), chainId: KV_CHAIN_ID });
    for (const m of messages) chain.execute(m);
    const node = new SovereignFullNode(chain);
    const t0 = performance.now();
    const proof = node.proof(1);
    const buildMs = performance.now() - t0;
    const accs = ['0x'.padEnd(66, '0'), ...accumulators(messages)] as `0x${string}`[];
    const app = loadApp(bytes, 'kv-light');
    const ctx = {
      number: 1,
      app,
      preState: chain.stateAt(1),
      accumulators: [accs[1], accs[2]] as [`0x${string}`, `0x${string}`],
    };
    const want = headerState(node.headers(1, 1)[0]);
    const time = (engine: 'native' | 'interp') => {
      const t = performance.now();
      const post = checkProof(proof, { ...ctx, engine });
      const ms = performance.now() - t;
      if (!sameState(post, want)) throw new Error(`bench: block of ${n} txs checked to another state`);
      return ms;
    };
    time('native'); // warm-up (V8 compiles the module)
    const native = median(Array.from({ length: runs }, () => time('native')));
    let interp: number | undefined;
    if (n <= interpMax) {
      time('interp'); // warm-up (the interpreter's JIT tier-up)
      interp = median(Array.from({ length: interpRuns }, () => time('interp')));
    }
    const row: SovereignBenchRow = {
      txs: n,
      proof_bytes: JSON.stringify(proof).length,
      preimages: proof.preimages.length,
      build_ms: Math.round(buildMs * 10) / 10,
      check_native_ms: Math.round(native * 10) / 10,
      ...(interp !== undefined ? { check_interp_ms: Math.round(interp) } : {}),
    };
    o.log?.(
      `${n} txs: proof ${row.proof_bytes} B (${row.preimages} preimages), built in ${row.build_ms} ms; checked natively in ${row.check_native_ms} ms${interp !== undefined ? `, interpreted in ${row.check_interp_ms} ms` : ''}`,
    );
    rows.push(row);
  }
  return rows;
}

export function formatSovereignBench(rows: SovereignBenchRow[]): string {
  const lines = [
    '| txs in the block | proof (JSON) | preimages | build (full node) | check, native | check, interpreted |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.txs} | ${(r.proof_bytes / 1024).toFixed(1)} KiB | ${r.preimages} | ${r.build_ms} ms | ${r.check_native_ms} ms | ${r.check_interp_ms !== undefined ? `${r.check_interp_ms} ms` : '—'} |`,
    );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const json = process.argv.includes('--json');
  const rows = await benchSovereign({
    sizes: arg('--sizes')?.split(',').map(Number),
    interpMax: arg('--interp-max') ? Number(arg('--interp-max')) : undefined,
    log: (l) => (json ? process.stderr : process.stdout).write(`${l}\n`),
  });
  console.log(json ? JSON.stringify(rows) : formatSovereignBench(rows));
}
