/**
 * Machine benchmark (`modex bench machine`): interpreter steps/second without commitments and with
 * commitments maintained (hash every 2^14 steps), native V8 time of the same programs, and the
 * largest one-step proof over every step of (shorter) runs of the same programs.
 */
import { MachineCommitter } from '../src/vm/wasm/commit.ts';
import { emptyGlobalState, type GlobalState, type Machine, Status } from '../src/vm/wasm/machine.ts';
import { runNative } from '../src/vm/wasm/native.ts';
import { compileProgram, newMachine } from '../src/vm/wasm/program.ts';
import { proveStep } from '../src/vm/wasm/proof.ts';
import { lowerFloats } from '../src/vm/wasm/softfloat/lower-floats.ts';
import { buildModule, F32, F64, I32, I64, limits, sleb } from '../test/wasm/wasm-builder.ts';

export const COMMIT_CHUNK = 1 << 14;

export interface BenchProgram {
  name: string;
  bytes: Uint8Array;
  /** the input: u64 field 0 of the global state (iteration count / argument) */
  arg: bigint;
  /** a smaller input for the per-step proof run */
  proofArg: bigint;
}

const HOST_TYPES = [
  { params: [I32], results: [I64] }, // get_global_u64
  { params: [I32, I64], results: [] }, // set_global_u64
];
const HOST_IMPORTS = [
  { module: 'modex', name: 'get_global_u64', desc: [0x00, 0] },
  { module: 'modex', name: 'set_global_u64', desc: [0x00, 1] },
];

/**
 * xorshift64 + multiply-accumulate + i32 mixing + a store and a load per iteration, for
 * `get_global_u64(0)` iterations; result in u64 field 1.
 */
export function loopProgram(): Uint8Array {
  // locals: 0 n (i32), 1 i (i32), 2 x (i64), 3 acc (i64), 4 h (i32)
  const body = [
    ...[0x41, 0, 0x10, 0, 0xa7, 0x21, 0], // n = (i32) get_global_u64(0)
    ...[0x42, ...sleb(0x2545f4914f6cdd1dn), 0x21, 2], // x = seed
    ...[0x02, 0x40, 0x03, 0x40],
    ...[0x20, 1, 0x20, 0, 0x4f, 0x0d, 1], // if i >= n: break
    // x ^= x << 13; x ^= x >> 7; x ^= x << 17
    ...[0x20, 2, 0x20, 2, 0x42, 13, 0x86, 0x85, 0x21, 2],
    ...[0x20, 2, 0x20, 2, 0x42, 7, 0x88, 0x85, 0x21, 2],
    ...[0x20, 2, 0x20, 2, 0x42, 17, 0x86, 0x85, 0x21, 2],
    // acc = acc * 31 + (x >> 32)
    ...[0x20, 3, 0x42, 31, 0x7e, 0x20, 2, 0x42, 32, 0x88, 0x7c, 0x21, 3],
    // h = rotl(h ^ (i32)x, 5) * 0x9e3779b1
    ...[0x20, 4, 0x20, 2, 0xa7, 0x73, 0x41, 5, 0x77, 0x41, ...sleb(0x9e3779b1 | 0), 0x6c, 0x21, 4],
    // mem[(i * 8) & 0xfff8] = acc
    ...[0x20, 1, 0x41, 3, 0x74, 0x41, ...sleb(0xfff8), 0x71, 0x20, 3, 0x37, 3, 0],
    // h += mem32[(h & 0xfffc)]
    ...[0x20, 4, 0x20, 4, 0x41, ...sleb(0xfffc), 0x71, 0x28, 2, 0, 0x6a, 0x21, 4],
    ...[0x20, 1, 0x41, 1, 0x6a, 0x21, 1], // i++
    ...[0x0c, 0, 0x0b, 0x0b],
    // set_global_u64(1, acc ^ h)
    ...[0x41, 1, 0x20, 3, 0x20, 4, 0xad, 0x85, 0x10, 1],
  ];
  return buildModule({
    types: HOST_TYPES,
    imports: HOST_IMPORTS,
    memories: [limits(1, 1)],
    funcs: [{ body, locals: [I32, I32, I64, I64, I32], export: 'main' }],
  });
}

/** Naive recursive fib(get_global_u64(0)) in i64; result in u64 field 1 (calls and returns). */
export function fibProgram(): Uint8Array {
  const fib = [
    ...[0x20, 0, 0x41, 2, 0x48, 0x04, I64], // if n < 2
    ...[0x20, 0, 0xac, 0x05], // n
    ...[0x20, 0, 0x41, 1, 0x6b, 0x10, 3, 0x20, 0, 0x41, 2, 0x6b, 0x10, 3, 0x7c, 0x0b],
  ];
  return buildModule({
    types: HOST_TYPES,
    imports: HOST_IMPORTS,
    memories: [limits(1, 1)],
    funcs: [
      { body: [0x41, 1, 0x41, 0, 0x10, 0, 0xa7, 0x10, 3, 0x10, 1], export: 'main' },
      { params: [I32], results: [I64], body: fib },
    ],
  });
}

const f64c = (x: number): number[] => [0x44, ...new Uint8Array(new Float64Array([x]).buffer)];
const f32c = (x: number): number[] => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)];

/**
 * Float-heavy loop (with hardware floats; {@link floatProgram} is it lowered to soft-float calls), for
 * `get_global_u64(0)` iterations: with x = i / 1024 (f64.convert_i32_u, f64.mul),
 * acc += sqrt(x * x + 1) / (x + 1.5) (mul, add, sqrt, add, div, add), y = floor(acc) (f64.floor),
 * if acc > 100: acc -= y (compare, sub); s = s * 0.999f + (f32)x (demote, f32 mul and add),
 * k += i32.trunc_f64_s(acc) (trapping truncation); result in u64 field 1 = bits(acc) ^ bits(s) ^ k.
 */
export function floatProgramSource(): Uint8Array {
  // locals: 0 n (i32), 1 i (i32), 2 x (f64), 3 acc (f64), 4 s (f32), 5 k (i32)
  const body = [
    ...[0x41, 0, 0x10, 0, 0xa7, 0x21, 0], // n = (i32) get_global_u64(0)
    ...[0x02, 0x40, 0x03, 0x40],
    ...[0x20, 1, 0x20, 0, 0x4f, 0x0d, 1], // if i >= n: break
    ...[0x20, 1, 0xb8, ...f64c(1 / 1024), 0xa2, 0x21, 2], // x = f64(i) * (1/1024)
    // acc += sqrt(x * x + 1) / (x + 1.5)
    ...[0x20, 3, 0x20, 2, 0x20, 2, 0xa2, ...f64c(1), 0xa0, 0x9f],
    ...[0x20, 2, ...f64c(1.5), 0xa0, 0xa3, 0xa0, 0x21, 3],
    // if acc > 100: acc -= floor(acc)
    ...[0x20, 3, ...f64c(100), 0x64, 0x04, 0x40, 0x20, 3, 0x20, 3, 0x9c, 0xa1, 0x21, 3, 0x0b],
    // s = s * 0.999f + (f32)x
    ...[0x20, 4, ...f32c(0.999), 0x94, 0x20, 2, 0xb6, 0x92, 0x21, 4],
    ...[0x20, 5, 0x20, 3, 0xaa, 0x6a, 0x21, 5], // k += i32.trunc_f64_s(acc)
    ...[0x20, 1, 0x41, 1, 0x6a, 0x21, 1], // i++
    ...[0x0c, 0, 0x0b, 0x0b],
    // set_global_u64(1, bits(acc) ^ bits(s) ^ k)
    ...[0x41, 1, 0x20, 3, 0xbd, 0x20, 4, 0xbc, 0xad, 0x85, 0x20, 5, 0xad, 0x85, 0x10, 1],
  ];
  return buildModule({
    types: HOST_TYPES,
    imports: HOST_IMPORTS,
    memories: [limits(1, 1)],
    funcs: [{ body, locals: [I32, I32, F64, F64, F32, I32], export: 'main' }],
  });
}

/** {@link floatProgramSource} lowered to integer code, as `modex build` does. */
export function floatProgram(): Uint8Array {
  return lowerFloats(floatProgramSource());
}

export const BENCH_PROGRAMS: BenchProgram[] = [
  { name: 'loop (i64 xorshift, mul, load/store)', bytes: loopProgram(), arg: 1_000_000n, proofArg: 2_000n },
  { name: 'fib(27) (calls)', bytes: fibProgram(), arg: 27n, proofArg: 12n },
  { name: 'float (f64/f32, soft-float)', bytes: floatProgram(), arg: 5_000n, proofArg: 20n },
];

function gsWith(arg: bigint): GlobalState {
  const gs = emptyGlobalState();
  gs.u64[0] = arg;
  return gs;
}

export interface ProgramResult {
  name: string;
  steps: number;
  seconds: number;
  steps_per_second: number;
  seconds_committed: number;
  steps_per_second_committed: number;
  native_seconds: number;
  /** interpreter time / native time */
  slowdown: number;
  proof_steps: number;
  proof_bytes_max: number;
}

export interface BenchResult {
  steps_per_second: number;
  steps_per_second_committed: number;
  commit_chunk_steps: number;
  native_seconds: number;
  proof_bytes_max: number;
  proof_note: string;
  programs: ProgramResult[];
}

function finish(m: Machine, name: string): void {
  if (m.status !== Status.Finished) throw new Error(`bench program ${name} did not finish: ${m.trap}`);
}

export function benchProgram(p: BenchProgram): ProgramResult {
  const prog = compileProgram(p.bytes);
  // warm-up (JIT) on the small input
  newMachine(prog, gsWith(p.proofArg)).run();

  const m = newMachine(prog, gsWith(p.arg));
  let t = performance.now();
  m.run();
  const seconds = (performance.now() - t) / 1000;
  finish(m, p.name);
  const result = m.globalState.u64[1];

  const mc = newMachine(prog, gsWith(p.arg));
  t = performance.now();
  const c = new MachineCommitter(mc);
  while (mc.status === Status.Running) {
    mc.run(COMMIT_CHUNK);
    c.hash();
  }
  const secondsCommitted = (performance.now() - t) / 1000;
  finish(mc, p.name);

  const host = { inbox: new Uint8Array(), preimages: () => undefined, globalState: gsWith(p.arg) };
  runNative(p.bytes, { ...host, globalState: gsWith(p.proofArg) }); // warm-up
  t = performance.now();
  const nat = runNative(p.bytes, host);
  const nativeSeconds = (performance.now() - t) / 1000;
  if (nat.status !== 'finished' || nat.globalState.u64[1] !== result) {
    throw new Error(`bench program ${p.name}: native result differs from the interpreter's`);
  }

  const pm = newMachine(prog, gsWith(p.proofArg));
  const pc = new MachineCommitter(pm);
  let proofMax = 0;
  let proofSteps = 0;
  while (pm.status === Status.Running) {
    const proof = proveStep(pc);
    if (proof.length > proofMax) proofMax = proof.length;
    pm.run(1);
    proofSteps++;
  }
  return {
    name: p.name,
    steps: m.steps,
    seconds,
    steps_per_second: m.steps / seconds,
    seconds_committed: secondsCommitted,
    steps_per_second_committed: mc.steps / secondsCommitted,
    native_seconds: nativeSeconds,
    slowdown: seconds / nativeSeconds,
    proof_steps: proofSteps,
    proof_bytes_max: proofMax,
  };
}

export async function benchMachine(programs: BenchProgram[] = BENCH_PROGRAMS): Promise<BenchResult> {
  const results = programs.map((p) => benchProgram(p));
  const steps = results.reduce((s, r) => s + r.steps, 0);
  const secs = results.reduce((s, r) => s + r.seconds, 0);
  const secsC = results.reduce((s, r) => s + r.seconds_committed, 0);
  const proofs = results.map((r) => r.proof_bytes_max);
  return {
    steps_per_second: steps / secs,
    steps_per_second_committed: steps / secsC,
    commit_chunk_steps: COMMIT_CHUNK,
    native_seconds: results.reduce((s, r) => s + r.native_seconds, 0),
    proof_bytes_max: Math.max(...proofs),
    proof_note: `max over every step of runs with the small inputs (${results.map((r) => r.proof_steps).join(' + ')} steps)`,
    programs: results,
  };
}

const fmtRate = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;

export function formatBench(r: BenchResult): string {
  const rows = [
    ['program', 'steps', 'steps/s', `steps/s committed`, 'native', 'interp/native', 'proof max'],
    ...r.programs.map((p) => [
      p.name,
      String(p.steps),
      fmtRate(p.steps_per_second),
      fmtRate(p.steps_per_second_committed),
      `${(p.native_seconds * 1000).toFixed(1)} ms`,
      `${p.slowdown.toFixed(0)}x`,
      `${p.proof_bytes_max} B`,
    ]),
    [
      'total',
      String(r.programs.reduce((s, p) => s + p.steps, 0)),
      fmtRate(r.steps_per_second),
      fmtRate(r.steps_per_second_committed),
      `${(r.native_seconds * 1000).toFixed(1)} ms`,
      '',
      `${r.proof_bytes_max} B`,
    ],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push(
    '',
    `committed: the machine hash is recomputed (incrementally) every ${r.commit_chunk_steps} steps`,
    `proofs: ${r.proof_note}`,
  );
  return lines.join('\n');
}
