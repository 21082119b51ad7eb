/**
 * `modex bench osp`: L1 gas of one-step proofs (contracts/osp/OneStepProver.sol) on the embedded
 * anvil, per instruction class and per opcode, over a sample of the proof corpus (proof-corpus.ts):
 * the spec-test modules, random modules, the loop module. Each sampled proof is first checked on
 * chain against the interpreter's post-state hash, then its transaction gas is estimated
 * (eth_estimateGas of a transaction calling proveOneStep: 21,000 base + calldata + execution).
 */
import { startAnvil } from '../src/l1/anvil.ts';
import { toHex } from '../src/vm/wasm/hash.ts';
import { M, MOP_COUNT, mopName } from '../src/vm/wasm/isa.ts';
import { deployOsp } from '../src/vm/wasm/osp-harness.ts';
import {
  branchesModule,
  loopModule,
  moduleSamples,
  NO_HOST,
  type ProofSample,
  randomModuleSamples,
  specTestSamples,
} from '../test/wasm/proof-corpus.ts';

export interface GasStats {
  count: number;
  min: number;
  median: number;
  max: number;
}

export interface OspBenchResult {
  gas: GasStats;
  opcodes_covered: number;
  opcodes_total: number;
  /** opcodes no sampled proof exercised */
  opcodes_missing: string[];
  classes: Record<string, GasStats>;
  opcodes: Record<string, GasStats>;
  proof_bytes: { median: number; max: number };
}

/** The instruction class of a machine opcode, for the report. */
export function opClass(op: number): string {
  if (op === M.call || op === M.call_indirect || op === M.return) return 'calls';
  if (op === M.host) return 'host I/O';
  if (op <= M.halt) return 'control';
  if (op <= M['i64.const']) return 'stack, locals, globals';
  if (op <= M['data.load8']) return 'memory';
  if (op <= M['i32.rotr']) return 'i32 numeric';
  if (op <= M['i64.rotr']) return 'i64 numeric';
  return 'conversions';
}

function stats(xs: number[]): GasStats {
  const s = xs.slice().sort((a, b) => a - b);
  return { count: s.length, min: s[0] ?? 0, median: s[s.length >> 1] ?? 0, max: s[s.length - 1] ?? 0 };
}

export async function benchOsp(
  opts: { perOpcode?: number; log?: (line: string) => void } = {},
): Promise<OspBenchResult> {
  const perOp = opts.perOpcode ?? 25;
  const log = opts.log ?? (() => {});
  const taken = new Map<number, number>();
  const keep = (op: number) => {
    const n = taken.get(op) ?? 0;
    if (n >= perOp) return false;
    taken.set(op, n + 1);
    return true;
  };
  const samples: ProofSample[] = [];
  const sink = (s: ProofSample) => {
    samples.push(s);
  };
  log('collecting proofs (spec-test modules, random modules, loop module)...');
  moduleSamples('loop', loopModule(), NO_HOST, sink);
  moduleSamples('branches', branchesModule(), NO_HOST, sink);
  specTestSamples(sink, { keep, maxPerInvoke: 500 });
  randomModuleSamples([1, 2, 3, 4, 5, 6], sink, keep, 5000);
  log(`${samples.length} proofs; starting anvil and deploying the one-step prover...`);

  const l1 = await startAnvil();
  try {
    const osp = await deployOsp(l1);
    const gas: number[] = [];
    const byClass = new Map<string, number[]>();
    const byOp = new Map<number, number[]>();
    for (let i = 0; i < samples.length; i += 32) {
      const batch = samples.slice(i, i + 32);
      const got = await Promise.all(
        batch.map(async (s) => {
          const post = await osp.proveOnChain(s.moduleRoot, s.pre, s.proof);
          if (post !== toHex(s.post))
            throw new Error(`${s.label}: the contract's post-state differs from the interpreter's`);
          return Number(await osp.gasOf(s.moduleRoot, s.pre, s.proof));
        }),
      );
      batch.forEach((s, j) => {
        gas.push(got[j]);
        const cls = opClass(s.op);
        byClass.set(cls, [...(byClass.get(cls) ?? []), got[j]]);
        byOp.set(s.op, [...(byOp.get(s.op) ?? []), got[j]]);
      });
      if ((i / 32) % 10 === 0) log(`  measured ${Math.min(i + 32, samples.length)}/${samples.length}`);
    }
    const sizes = stats(samples.map((s) => s.proof.length));
    return {
      gas: stats(gas),
      opcodes_covered: byOp.size,
      opcodes_total: MOP_COUNT,
      opcodes_missing: Array.from({ length: MOP_COUNT }, (_, op) => op)
        .filter((op) => !byOp.has(op))
        .map(mopName),
      classes: Object.fromEntries([...byClass].map(([k, v]) => [k, stats(v)])),
      opcodes: Object.fromEntries(
        [...byOp].sort((a, b) => a[0] - b[0]).map(([op, v]) => [mopName(op), stats(v)]),
      ),
      proof_bytes: { median: sizes.median, max: sizes.max },
    };
  } finally {
    await l1.stop();
  }
}

export function formatOspBench(r: OspBenchResult): string {
  const pad = (rows: string[][]) => {
    const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    return rows.map((row) => row.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n');
  };
  const row = (name: string, g: GasStats) => [
    name,
    String(g.count),
    String(g.min),
    String(g.median),
    String(g.max),
  ];
  const head = ['class', 'steps', 'min gas', 'median gas', 'max gas'];
  return [
    pad([head, ...Object.entries(r.classes).map(([k, g]) => row(k, g)), row('all', r.gas)]),
    '',
    `opcodes covered: ${r.opcodes_covered} of ${r.opcodes_total}; not sampled here: ${r.opcodes_missing.join(', ')} (nop is never emitted by lowering; the host-op variants and the rest are proven on chain in osp.test.ts)`,
    `proof size: median ${r.proof_bytes.median} B, max ${r.proof_bytes.max} B`,
    'gas: eth_estimateGas of a transaction calling proveOneStep (21,000 base + calldata + execution)',
  ].join('\n');
}
