/**
 * `modex bench evm-chain` (issue 20 item 6): ERC-20 transfers end to end on a modex EVM chain,
 * against the same signed transactions on anvil, in one run.
 *
 * The workload is `modex bench evm`'s (bench/evm-workload.ts: contracts/test/BenchErc20.sol, one
 * deploy, then transfers of one token unit from holder i % senders to holder (i + 1) % senders,
 * EIP-1559, chain id 1), signed before anything is timed. Both chains (bench/evm-chain-chains.ts)
 * start empty: the deployer and the senders funded (modex: deposit messages through the
 * sequencer's delayed path; anvil: `anvil_setBalance`), the token deployed by its signed create.
 * Then `reps` repetitions, interleaved (modex then anvil, then anvil then modex, …): each sends the
 * next `txs` transfers over HTTP JSON-RPC from `concurrency` keep-alive clients (a worker thread,
 * bench/evm-chain-load.ts; one sender's transfers in nonce order on one client).
 *
 * Per repetition and chain: acknowledged transfers per second (first request sent → last
 * acknowledgment: the soft confirmation, `tx_per_second`), the acknowledgment's latency p50/p99,
 * the time until every transfer executed, and every transfer's receipt (`eth_getTransactionReceipt`
 * on both chains: status 1). At the end every sender's token balance is read from the
 * token's storage on both chains and compared with what the transfers imply. The result: medians of
 * the repetitions, and `ratio` = modex tx/s ÷ anvil tx/s (the goal is ≥ 0.5).
 */
import { type Hex, keccak256 } from 'viem';
import { machineLine, percentiles } from '../src/util/bench-stats.ts';
import {
  type CpuProfile,
  type FrameRule,
  type ProfileShare,
  profileShares,
  startProfile,
  stopProfile,
} from '../src/util/cpu-profile.ts';
import { rpcCall } from '../test/node-utils.ts';
import {
  AnvilChain,
  type BenchChain,
  EvmChainBenchError,
  ModexChain,
  mappingSlot,
  type TxOutcome,
} from './evm-chain-chains.ts';
import { lanesOf, runLoad } from './evm-chain-load.ts';
import { EVM_BENCH_CHAIN_ID, EVM_BENCH_ETHER, type EvmWorkload, erc20Workload } from './evm-workload.ts';

export interface EvmChainBenchOptions {
  /** transfers per repetition and chain (default 5,000) */
  txs?: number;
  /** funded senders = token holders (default 128) */
  senders?: number;
  /** concurrent HTTP clients (default 64) */
  concurrency?: number;
  /** interleaved repetitions (default 3; medians are reported) */
  reps?: number;
  /** modex: a non-empty block seals this long after its first transaction (default 1,000 ms) */
  blockAgeMs?: number;
  /** modex: most transactions in a block (default 1,000, as examples/evm.config.json) */
  blockTxs?: number;
  /** CPU-profile this process's main thread (the sequencer and its JSON-RPC server) during modex's repetitions */
  profile?: boolean;
  log?: (line: string) => void;
}

/** One chain's repetition. */
export interface RepResult {
  /** transfers sent */
  txs: number;
  acknowledged: number;
  /** −32005 (busy) answers retried */
  busy: number;
  /** not acknowledged, by JSON-RPC code (−1: transport) */
  errors: Record<string, number>;
  /** first request sent → last acknowledgment, seconds */
  wall_s: number;
  /** acknowledged / wall_s */
  tx_per_second: number;
  /** first request sent → every transfer executed */
  executed_s: number;
  executed_tx_per_second: number;
  latency_ms: { p50: number; p99: number; max: number };
  /** transfers whose execution succeeded (receipt status 1) */
  succeeded: number;
  /** the others, by outcome (failure: status 0; missing: no receipt, not executed) */
  not_succeeded: Record<string, number>;
  /** modex: the WAL's group commits while the load ran (each acknowledgment waits for one) */
  wal?: { fsyncs: number; records_per_fsync: number; mean_ms: number };
  /** the first error answers' messages */
  error_messages?: string[];
}

export interface EvmChainBenchResult {
  /** modex: soft-confirmed (acknowledged) transfers per second, median of the repetitions */
  tx_per_second: number;
  /** modex: acknowledgment latency, medians of the repetitions' p50 and p99 */
  latency_ms: { p50: number; p99: number };
  /** modex: transfers per second until every one executed, median */
  executed_tx_per_second: number;
  anvil_tx_per_second: number;
  anvil_latency_ms: { p50: number; p99: number };
  anvil_executed_tx_per_second: number;
  /** tx_per_second ÷ anvil_tx_per_second */
  ratio: number;
  /** every transfer acknowledged and executed with status 1 on both chains */
  all_executed: boolean;
  /** senders' token balances read back on each chain and compared with the workload's */
  balances: { checked: number; modex_mismatches: number; anvil_mismatches: number; total: string };
  /** gas of one transfer (its receipt's gasUsed on each chain) */
  gas_per_transfer: { modex: number; anvil: number };
  reps: { modex: RepResult; anvil: RepResult }[];
  /** with `profile`: the main thread's self time by activity over modex's repetitions (µs per transfer) */
  profile?: ProfileShare[];
  txs: number;
  senders: number;
  concurrency: number;
  machine: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** the token balance every holder starts with (bench/evm-workload.ts's constructor argument) */
export const PER_HOLDER = 10n ** 24n;
/** BenchErc20's storage: totalSupply at slot 0, balanceOf at slot 1 */
const BALANCE_OF_SLOT = 1n;

/** Funds the deployer and the senders, deploys the token by its signed create, checks its address. */
export async function setUp(chain: BenchChain, w: EvmWorkload): Promise<void> {
  await chain.fund([w.deployer.address, ...w.holders.map((h) => h.address)], EVM_BENCH_ETHER);
  await rpcCall(chain.url, 'eth_sendRawTransaction', [w.deployTx]);
  const hash = keccak256(w.deployTx);
  await chain.settled([hash]);
  const [o] = await chain.outcomes([hash]);
  if (o.status === 'success' && o.contractAddress?.toLowerCase() === w.token.toLowerCase()) return;
  let why =
    o.status === 'missing' ? 'has no receipt' : `ended ${o.status} at ${o.contractAddress ?? 'no address'}`;
  if (o.status === 'missing' && chain.name === 'modex') {
    // refused by the app (not part of the Ethereum view): the stf receipt says why
    const r = await rpcCall<{ status: string } | null>(chain.url, 'modex_getTransactionReceipt', [hash]);
    why = `was refused (${r?.status ?? 'unknown'})`;
    if (r?.status === 'out_of_steps')
      why += `: its constructor, which funds all ${w.holders.length} senders, passes the step budget of one transaction (docs/evm.md §4); use fewer --senders`;
  }
  throw new EvmChainBenchError(
    `${chain.name}: the token's deployment ${why}, expected success at ${w.token}`,
  );
}

/** The main thread's activities while modex takes the load (the block worker runs the blocks on its own thread). */
const modexFrame: FrameRule = (f) => {
  const { functionName: fn, url } = f;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'V8 (program: native code, compilation)';
  if (url.includes('crypto/ecrecover.ts') || url.includes('@noble/curves'))
    return 'signature recovery (the ecrecover host op, @noble/curves)';
  if (url.includes('keccak')) return 'keccak (host op, hashes)';
  if (url.startsWith('wasm')) return "the EVM app's wasm, natively (admission's decode, queries)";
  if (url.includes('apps/sdk/app-runtime.ts') && fn === 'admit') return "admission (app-runtime's admit)";
  if (url.includes('apps/sdk/app-runtime.ts') && fn === 'query') return "the EVM app's modex_query";
  if (url.includes('/eth-rpc/')) return 'Ethereum JSON-RPC (eth-rpc)';
  if (url.includes('/vm/wasm/') || url.includes('apps/sdk/'))
    return 'native machine runtime (session restore, host ops)';
  if (url.includes('node/store.ts') || url.includes('lmdb')) return 'store (LMDB)';
  if (url.includes('node/wal.ts')) return 'WAL (append, fdatasync completion)';
  if (url.includes('node/block-worker')) return 'block worker messaging';
  if (url.includes('node/sequencer.ts')) return 'sequencer bookkeeping (place, seal, receipts)';
  if (url.includes('node/rpc.ts')) return 'JSON-RPC (JSON parse/stringify, dispatch)';
  if (url.startsWith('node:') && /http|net|stream|events|timers|buffer/.test(url))
    return 'HTTP server (node:http, sockets)';
  return undefined;
};

async function rep(
  chain: BenchChain,
  raws: Hex[],
  senders: number[],
  concurrency: number,
  profiles?: CpuProfile[],
): Promise<RepResult> {
  const hashes = raws.map((r) => keccak256(r));
  const lanes = lanesOf(senders, concurrency);
  const session = profiles ? await startProfile() : undefined;
  const wal0 = chain instanceof ModexChain ? chain.wal() : undefined;
  const o = await runLoad({ url: chain.url, method: 'eth_sendRawTransaction', txs: raws, lanes });
  const wal1 = chain instanceof ModexChain ? chain.wal() : undefined;
  const acked: number[] = [];
  const errors: Record<string, number> = {};
  raws.forEach((_, i) => {
    if (o.code[i] === 0) acked.push(i);
    else errors[o.code[i]] = (errors[o.code[i]] ?? 0) + 1;
  });
  if (o.errors.length > 0) errors.messages = o.errors.length;
  const first = Math.min(...raws.map((_, i) => o.sentAt[i]));
  const lastAck = Math.max(...acked.map((i) => o.ackAt[i]));
  const settledAt = await chain.settled(lanes.map((l) => hashes[l[l.length - 1]]));
  if (session) profiles?.push(await stopProfile(session));
  const outcomes: TxOutcome[] = await chain.outcomes(hashes);
  const notOk: Record<string, number> = {};
  let ok = 0;
  for (const x of outcomes) {
    if (x.status === 'success') ok++;
    else {
      const k = x.status;
      notOk[k] = (notOk[k] ?? 0) + 1;
    }
  }
  const wall = (lastAck - first) / 1000;
  const executed = (settledAt - first) / 1000;
  const lat = percentiles(acked.map((i) => o.ackAt[i] - o.sentAt[i]));
  return {
    txs: raws.length,
    acknowledged: acked.length,
    busy: o.busy,
    errors,
    wall_s: wall,
    tx_per_second: acked.length / wall,
    executed_s: executed,
    executed_tx_per_second: acked.length / executed,
    latency_ms: lat,
    ...(wal0 && wal1
      ? {
          wal: {
            fsyncs: wal1.fsyncs - wal0.fsyncs,
            records_per_fsync: (wal1.records - wal0.records) / Math.max(1, wal1.fsyncs - wal0.fsyncs),
            mean_ms: (wal1.fsyncMsTotal - wal0.fsyncMsTotal) / Math.max(1, wal1.fsyncs - wal0.fsyncs),
          },
        }
      : {}),
    succeeded: ok,
    not_succeeded: notOk,
    ...(o.errors.length > 0 ? { error_messages: o.errors } : {}),
  };
}

/** Each sender's token balance implied by the first `n` transfers (one unit, i % s → (i + 1) % s). */
export function expectedBalances(senders: number, n: number): bigint[] {
  const b = new Array<bigint>(senders).fill(PER_HOLDER);
  // a full round (one transfer from each sender) moves one unit around the ring: no change
  for (let i = 0; i < n % senders; i++) {
    b[i] -= 1n;
    b[(i + 1) % senders] += 1n;
  }
  return b;
}

/**
 * Reads each holder's token balance (BenchErc20's `balanceOf` slot) on `chain` and compares it with
 * `expected`: how many differ (the first three logged) and the sum read.
 */
export async function checkBalances(
  chain: BenchChain,
  token: Hex,
  holders: Hex[],
  expected: bigint[],
  log: (line: string) => void = () => {},
): Promise<{ mismatches: number; total: bigint }> {
  let mismatches = 0;
  let total = 0n;
  for (let i = 0; i < holders.length; i++) {
    const got = await chain.storageAt(token, mappingSlot(holders[i], BALANCE_OF_SLOT));
    total += got;
    if (got === expected[i]) continue;
    if (mismatches < 3) log(`  ${chain.name}: ${holders[i]} holds ${got}, expected ${expected[i]}`);
    mismatches++;
  }
  return { mismatches, total };
}

/** The shares of several profiles' samples together (each profile's samples are independent). */
function mergedShares(ps: CpuProfile[], txs: number): ProfileShare[] {
  const us = new Map<string, number>();
  let total = 0;
  for (const p of ps)
    for (const x of profileShares(p, modexFrame, 1, 'other JS')) {
      us.set(x.category, (us.get(x.category) ?? 0) + x.us_per_tx);
      total += x.us_per_tx;
    }
  return [...us.entries()]
    .map(([category, t]) => ({ category, fraction: t / total, us_per_tx: t / txs }))
    .sort((a, b) => b.fraction - a.fraction);
}

export async function benchEvmChain(opts: EvmChainBenchOptions = {}): Promise<EvmChainBenchResult> {
  const log = opts.log ?? (() => {});
  const txs = opts.txs ?? 5000;
  const nSenders = opts.senders ?? 128;
  const concurrency = opts.concurrency ?? 64;
  const reps = opts.reps ?? 3;
  if (nSenders < 2)
    throw new EvmChainBenchError(`--senders ${nSenders}: at least 2 (each sends to the next)`);
  if (nSenders > 900)
    throw new EvmChainBenchError(
      `--senders ${nSenders}: at most 900 (the token's constructor funds every sender in one 30,000,000-gas create)`,
    );

  log(`signing: the token's create and ${txs * reps} transfers from ${nSenders} senders...`);
  const w = await erc20Workload({ holders: nSenders, transfers: txs * reps });
  const chainId = BigInt(EVM_BENCH_CHAIN_ID);

  const chains: BenchChain[] = [];
  try {
    log('modex: a sequencer with the EVM app and its JSON-RPC server...');
    const modex = await ModexChain.open({
      chainId,
      maxBlockAgeMs: opts.blockAgeMs,
      maxTransactionsPerBlock: opts.blockTxs ?? 1_000,
      log,
    });
    chains.push(modex);
    log(`  at ${modex.url}`);
    log('anvil: starting...');
    const anvil = await AnvilChain.open({
      chainId,
      blockTimeS: Math.max(1, Math.round((opts.blockAgeMs ?? 1000) / 1000)),
    });
    chains.push(anvil);
    log(`  at ${anvil.url}`);
    for (const c of chains) {
      log(`${c.name}: funding ${nSenders + 1} accounts, deploying the token...`);
      await setUp(c, w);
    }

    const results: { modex: RepResult; anvil: RepResult }[] = [];
    const profiles: CpuProfile[] | undefined = opts.profile ? [] : undefined;
    for (let r = 0; r < reps; r++) {
      const raws = w.transfers.slice(r * txs, (r + 1) * txs);
      const senders = raws.map((_, j) => (r * txs + j) % nSenders);
      const order = r % 2 === 0 ? [modex, anvil] : [anvil, modex];
      const got: Partial<Record<'modex' | 'anvil', RepResult>> = {};
      for (const c of order) {
        const x = await rep(c, raws, senders, concurrency, c === modex ? profiles : undefined);
        got[c.name] = x;
        log(
          `  rep ${r + 1}/${reps} ${c.name.padEnd(5)}: ${x.acknowledged}/${x.txs} acknowledged, ${x.tx_per_second.toFixed(0)} tx/s, ` +
            `latency p50 ${x.latency_ms.p50.toFixed(2)} ms p99 ${x.latency_ms.p99.toFixed(2)} ms; ` +
            `executed in ${x.executed_s.toFixed(2)} s (${x.executed_tx_per_second.toFixed(0)} tx/s), ${x.succeeded} succeeded` +
            (x.busy > 0 ? `, ${x.busy} busy retries` : '') +
            (x.wal
              ? `; WAL ${x.wal.fsyncs} fsyncs (${x.wal.records_per_fsync.toFixed(1)} records, ${x.wal.mean_ms.toFixed(2)} ms each)`
              : ''),
        );
      }
      results.push(got as { modex: RepResult; anvil: RepResult });
    }

    log('balances: every sender on both chains...');
    const expected = expectedBalances(nSenders, txs * reps);
    const holders = w.holders.map((h) => h.address);
    const checked = {
      modex: await checkBalances(modex, w.token, holders, expected, log),
      anvil: await checkBalances(anvil, w.token, holders, expected, log),
    };

    const gas = { modex: 0, anvil: 0 };
    for (const c of chains) {
      const [o] = await c.outcomes([keccak256(w.transfers[0])]);
      if (o.status !== 'missing') gas[c.name] = Number(o.gasUsed);
    }
    const m = (f: (x: { modex: RepResult; anvil: RepResult }) => number) => median(results.map(f));
    const tps = m((x) => x.modex.tx_per_second);
    const anvilTps = m((x) => x.anvil.tx_per_second);
    const complete = (x: RepResult) => x.acknowledged === x.txs && x.succeeded === x.txs;
    return {
      tx_per_second: tps,
      latency_ms: { p50: m((x) => x.modex.latency_ms.p50), p99: m((x) => x.modex.latency_ms.p99) },
      executed_tx_per_second: m((x) => x.modex.executed_tx_per_second),
      anvil_tx_per_second: anvilTps,
      anvil_latency_ms: { p50: m((x) => x.anvil.latency_ms.p50), p99: m((x) => x.anvil.latency_ms.p99) },
      anvil_executed_tx_per_second: m((x) => x.anvil.executed_tx_per_second),
      ratio: tps / anvilTps,
      all_executed: results.every((x) => complete(x.modex) && complete(x.anvil)),
      balances: {
        checked: nSenders,
        modex_mismatches: checked.modex.mismatches,
        anvil_mismatches: checked.anvil.mismatches,
        total: checked.modex.total.toString(),
      },
      gas_per_transfer: gas,
      reps: results,
      profile: profiles?.length ? mergedShares(profiles, txs * reps) : undefined,
      txs,
      senders: nSenders,
      concurrency,
      machine: machineLine(),
    };
  } finally {
    for (const c of chains.reverse()) await c.close().catch(() => {});
  }
}

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');

export function formatEvmChainBench(r: EvmChainBenchResult): string {
  const row = (name: string, x: RepResult, i: number) =>
    `| ${i + 1} | ${name} | ${x.acknowledged}/${x.txs} | ${f0(x.tx_per_second)} | ${f2(x.latency_ms.p50)} | ${f2(x.latency_ms.p99)} | ${f0(x.executed_tx_per_second)} | ${x.succeeded} |`;
  return [
    `machine: ${r.machine}`,
    `${r.txs} ERC-20 transfers per repetition from ${r.senders} senders over ${r.concurrency} HTTP clients`,
    '',
    '| rep | chain | acknowledged | tx/s | latency p50 (ms) | p99 (ms) | executed tx/s | succeeded |',
    '|---|---|---|---|---|---|---|---|',
    ...r.reps.flatMap((x, i) => [row('modex', x.modex, i), row('anvil', x.anvil, i)]),
    '',
    '| medians | tx/s | latency p50 (ms) | p99 (ms) | executed tx/s | gas/transfer |',
    '|---|---|---|---|---|---|',
    `| modex | ${f0(r.tx_per_second)} | ${f2(r.latency_ms.p50)} | ${f2(r.latency_ms.p99)} | ${f0(r.executed_tx_per_second)} | ${r.gas_per_transfer.modex} |`,
    `| anvil | ${f0(r.anvil_tx_per_second)} | ${f2(r.anvil_latency_ms.p50)} | ${f2(r.anvil_latency_ms.p99)} | ${f0(r.anvil_executed_tx_per_second)} | ${r.gas_per_transfer.anvil} |`,
    '',
    `ratio modex/anvil: ${f2(r.ratio)} (goal ≥ 0.5)`,
    ...r.reps.flatMap((x, i) =>
      x.modex.wal
        ? [
            `modex rep ${i + 1}: WAL ${x.modex.wal.fsyncs} group commits, ${x.modex.wal.records_per_fsync.toFixed(1)} records and ${f2(x.modex.wal.mean_ms)} ms each`,
          ]
        : [],
    ),
    `every transfer acknowledged and succeeded on both chains: ${r.all_executed ? 'yes' : 'NO'}`,
    `token balances of ${r.balances.checked} senders as the transfers imply: modex ${r.balances.modex_mismatches === 0 ? 'all' : `${r.balances.modex_mismatches} wrong`}, anvil ${r.balances.anvil_mismatches === 0 ? 'all' : `${r.balances.anvil_mismatches} wrong`}`,
    ...(r.profile?.length
      ? [
          '',
          "modex's main thread (sequencer, JSON-RPC) during its repetitions, CPU profile (µs per transfer):",
          ...r.profile.map(
            (p) =>
              `  ${p.category.padEnd(Math.max(...(r.profile ?? []).map((q) => q.category.length)))}  ${(p.fraction * 100).toFixed(1).padStart(5)} %  ${p.us_per_tx.toFixed(1).padStart(7)} µs`,
          ),
        ]
      : []),
  ].join('\n');
}
