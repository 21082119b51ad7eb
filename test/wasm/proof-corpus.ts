/**
 * A corpus of one-step proofs for differential testing and gas benchmarks: every step of the
 * spec-test modules' commands, of random modules and of a host-I/O module, each with the
 * interpreter's post-state hash. The TS verifier (proof.test.ts) and the Solidity verifier
 * (osp.test.ts, `modex bench osp`) are both checked against it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MachineCommitter } from '../../src/vm/wasm/commit.ts';
import type { Word } from '../../src/vm/wasm/hash.ts';
import { type HostData, Machine, preimageChunkEnd, Status } from '../../src/vm/wasm/machine.ts';
import { parseModule } from '../../src/vm/wasm/parse.ts';
import { type CompileOptions, compileProgram } from '../../src/vm/wasm/program.ts';
import { messageHash, proveStep } from '../../src/vm/wasm/proof.ts';
import {
  resolveSpectestImport,
  SPECTEST_GLOBALS,
  SPECTEST_MEMORY,
  SPECTEST_TABLE,
} from '../../src/vm/wasm/spectest/spectest-host.ts';
import type { VerifierEnv } from '../../src/vm/wasm/verify.ts';
import { conformancePath } from '../conformance.ts';
import { randomModule } from './random-module.ts';
import { HOST_IMPORTS, wat } from './wat.ts';

export const SPEC_DIR = conformancePath('wasm-spec/json');

export interface ProofSample {
  /** where it comes from, for messages */
  label: string;
  op: number;
  moduleRoot: Word;
  pre: Word;
  proof: Uint8Array;
  post: Word;
  host: HostData;
}

export const NO_HOST: HostData = { inboxMessage: () => undefined, preimage: () => undefined };

/** The verifier environment that matches a host (what L1's inbox and preimage oracle would answer). */
export function envFor(host: HostData): VerifierEnv {
  return {
    inboxMessageHash: (pos) => {
      const m = host.inboxMessage(pos);
      return m ? messageHash(m) : undefined;
    },
    preimageChunk: (kind, hash, offset) => {
      const p = host.preimage(kind, hash) ?? new Uint8Array(0);
      return p.subarray(Math.min(offset, p.length), preimageChunkEnd(kind, offset, p.length));
    },
  };
}

/**
 * Steps `c.m` at most `max` times, calling `sink` with each step's proof and post-state hash.
 * `keep(op)` decides whether a step's proof is produced (proving every step is the slow part).
 */
export function collectSteps(
  c: MachineCommitter,
  label: string,
  max: number,
  sink: (s: ProofSample) => void,
  keep: (op: number) => boolean = () => true,
): number {
  let n = 0;
  while (n < max && c.m.status === Status.Running) {
    const op = c.m.prog.ops[c.m.pc];
    if (keep(op)) {
      const pre = c.hash();
      const proof = proveStep(c);
      c.m.run(1);
      sink({
        label: `${label} step ${c.m.steps - 1}`,
        op,
        moduleRoot: c.module.moduleRoot,
        pre,
        proof,
        post: c.hash(),
        host: c.m.host,
      });
    } else c.m.run(1);
    n++;
  }
  return n;
}

interface Cmd {
  type: string;
  filename?: string;
  action?: { type: string; field: string; args: { type: string; value: string }[] };
}

export interface SpecSampleOptions {
  keep?: (op: number) => boolean;
  /** steps per invocation (default 3000) */
  maxPerInvoke?: number;
  /** script files (default: all in SPEC_DIR) */
  files?: string[];
  /** steps per script (default: unbounded) */
  maxPerFile?: number;
  /** steps of one script, when it differs from maxPerFile */
  maxPerFileOf?: (file: string) => number | undefined;
}

/** Proof samples from the spec-test scripts: instantiation and every i32/i64 invocation. */
export function specTestSamples(sink: (s: ProofSample) => void, opts: SpecSampleOptions = {}): void {
  const { keep, maxPerInvoke = 3000, maxPerFile = Number.POSITIVE_INFINITY } = opts;
  const files = opts.files ?? readdirSync(SPEC_DIR).filter((f) => f.endsWith('.json'));
  for (const file of files) {
    let left = opts.maxPerFileOf?.(file) ?? maxPerFile;
    const script = JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as { commands: Cmd[] };
    let c: MachineCommitter | undefined;
    let prog: ReturnType<typeof compileProgram> | undefined;
    for (const cmd of script.commands) {
      if (left <= 0) break;
      if (cmd.type === 'module') {
        c = undefined;
        try {
          const bytes = readFileSync(join(SPEC_DIR, cmd.filename!));
          prog = compileProgram(bytes, {
            validate: { resolveImport: (imp) => resolveSpectestImport(parseModule(bytes), imp) },
            entry: null,
            bindFunc: () => ({ kind: 'nop' }),
            importedGlobal: (g) => SPECTEST_GLOBALS[g.name]?.value ?? 0n,
            importedMemory: SPECTEST_MEMORY,
            importedTable: SPECTEST_TABLE.limits,
          });
        } catch {
          prog = undefined;
          continue;
        }
        c = new MachineCommitter(new Machine(prog));
        left -= collectSteps(c, `${cmd.filename} init`, Math.min(5000, left), sink, keep);
      } else if (
        (cmd.type === 'assert_return' || cmd.type === 'assert_trap' || cmd.type === 'action') &&
        c &&
        prog
      ) {
        const a = cmd.action!;
        if (a.type !== 'invoke' || a.args.some((x) => x.type !== 'i32' && x.type !== 'i64')) continue;
        const ex = prog.exports.get(a.field);
        if (ex?.kind !== 'func') continue;
        c.m.invoke(
          ex.index,
          a.args.map((x) => BigInt(x.value)),
        );
        left -= collectSteps(c, `${file} ${a.field}`, Math.min(maxPerInvoke, left), sink, keep);
      }
    }
  }
}

/** Proof samples from seeded random modules (calls, loops, memory, host ops, traps). */
export function randomModuleSamples(
  seeds: number[],
  sink: (s: ProofSample) => void,
  keep?: (op: number) => boolean,
  maxSteps = 20_000,
): void {
  for (const seed of seeds) {
    const prog = compileProgram(randomModule(seed, { maxPages: 2, trapRate: 0.05 }), {
      limits: { maxSteps: 1_000_000n },
    });
    collectSteps(new MachineCommitter(new Machine(prog)), `random ${seed}`, maxSteps, sink, keep);
  }
}

/** Runs a module (compiled with `opts`) with `host`, collecting every step. */
export function moduleSamples(
  label: string,
  bytes: Uint8Array,
  host: HostData,
  sink: (s: ProofSample) => void,
  opts: CompileOptions = {},
  maxSteps = 50_000,
): void {
  const prog = compileProgram(bytes, opts);
  collectSteps(new MachineCommitter(new Machine(prog, undefined, host)), label, maxSteps, sink);
}

/** `(func main)`: for i in 0..20 { mem[i*4] = i; acc += mem[i*4] }; 2 locals, memory 1 page. */
export function loopModule(): Uint8Array {
  // biome-ignore format: wasm bytes
  const body = [
    0x01, 0x02, 0x7f, // 2 locals i32 (i, acc)
    0x03, 0x40, // loop
    0x20, 0x00, 0x41, 0x04, 0x6c, // i*4
    0x20, 0x00, 0x36, 0x02, 0x00, // i32.store
    0x20, 0x01, 0x20, 0x00, 0x41, 0x04, 0x6c, 0x28, 0x02, 0x00, 0x6a, 0x21, 0x01, // acc += load
    0x20, 0x00, 0x41, 0x01, 0x6a, 0x22, 0x00, 0x41, 0x14, 0x49, 0x0d, 0x00, // i++ < 20 -> br_if 0
    0x0b, 0x0b,
  ];
  const sec = (id: number, bytes: number[]) => [id, bytes.length, ...bytes];
  // biome-ignore format: wasm bytes
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...sec(1, [1, 0x60, 0, 0]),
    ...sec(3, [1, 0]),
    ...sec(5, [1, 0, 1]),
    ...sec(7, [1, 4, 0x6d, 0x61, 0x69, 0x6e, 0, 0]),
    ...sec(10, [1, body.length, ...body]),
  ]);
}

/** `(func main)`: a block whose `br` discards two values (two `drop_under`), an i64.load and an i64.load16_u. */
export function branchesModule(): Uint8Array {
  // block (result i64) { i32.const 0; i32.const 5; i64.load (i32.const 8); br 0 }; i64.load16_u (i32.const 3); i64.add; drop
  // biome-ignore format: wasm bytes
  const body = [0x00, 0x02, 0x7e, 0x41, 0x00, 0x41, 0x05, 0x41, 0x08, 0x29, 0x03, 0x00, 0x0c, 0x00, 0x0b,
    0x41, 0x03, 0x33, 0x01, 0x00, 0x7c, 0x1a, 0x0b];
  const sec = (id: number, b: number[]) => [id, b.length, ...b];
  // biome-ignore format: wasm bytes
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sec(1, [1, 0x60, 0, 0]),
    ...sec(3, [1, 0]), ...sec(5, [1, 0, 1]), ...sec(7, [1, 4, 0x6d, 0x61, 0x69, 0x6e, 0, 0]),
    ...sec(10, [1, body.length, ...body])]);
}

/** The metered-call import (docs/machine.md §3.7), separate from HOST_IMPORTS so older modules keep their roots. */
export const METERED_IMPORT = `(import "modex" "metered_call" (func $metered (param i32 i32 i64) (result i32)))`;

/**
 * Metered calls (§3.7): table slots 0 good (a global, a store, a loop, returns 2x), 1 loops forever,
 * 2 stores then traps, 3 divides by zero one call deeper, 4 recurses without end, 5 nests a metered
 * call, 6 halts, 7 loads out of bounds. `main` runs slot 0 under every budget 0..59 (sum of results
 * at 128), then each other slot (results at 132..), a saturated budget, and a value kept on the stack
 * across an unwind; `tail` is appended to main.
 */
export function meteredModule(tail = ''): Uint8Array {
  return wat(`(module ${HOST_IMPORTS} ${METERED_IMPORT}
  (type $t (func (param i32) (result i32)))
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (table 8 funcref)
  (elem (i32.const 0) $good $forever $trapper $divz $deep $nested $halter $oob)
  (func $good (type $t) (param $x i32) (result i32) (local $i i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.store (i32.const 64) (local.get $x))
    (block $b (loop $l
      (br_if $b (i32.ge_u (local.get $i) (i32.const 3)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.mul (local.get $x) (i32.const 2)))
  (func $forever (type $t) (param $x i32) (result i32)
    (loop $l (i32.store (i32.const 68) (local.get $x)) (local.set $x (i32.add (local.get $x) (i32.const 1))) (br $l))
    (unreachable))
  (func $trapper (type $t) (param $x i32) (result i32)
    (i32.store (i32.const 72) (i32.const 7))
    (unreachable))
  (func $inner (param i32) (result i32) (i32.sub (local.get 0) (local.get 0)))
  (func $divz (type $t) (param $x i32) (result i32)
    (i32.div_u (i32.const 1) (call $inner (local.get $x))))
  (func $deep (type $t) (param $x i32) (result i32) (call $deep (i32.add (local.get $x) (i32.const 1))))
  (func $nested (type $t) (param $x i32) (result i32) (call $metered (i32.const 0) (local.get $x) (i64.const 100)))
  (func $halter (type $t) (param $x i32) (result i32) (call $halt) (i32.const 5))
  (func $oob (type $t) (param $x i32) (result i32) (i32.load (i32.const 70000)))
  (func $main (export "main") (local $b i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (call $metered (i32.const 0) (i32.const 21) (i64.extend_i32_u (local.get $b)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $b) (i32.const 60))))
    (i32.store (i32.const 128) (local.get $acc))
    (i32.store (i32.const 132) (call $metered (i32.const 1) (i32.const 1) (i64.const 50)))
    (i32.store (i32.const 136) (call $metered (i32.const 2) (i32.const 1) (i64.const 1000)))
    (i32.store (i32.const 140) (call $metered (i32.const 3) (i32.const 1) (i64.const 1000)))
    (i32.store (i32.const 144) (call $metered (i32.const 4) (i32.const 1) (i64.const 100000)))
    (i32.store (i32.const 148) (call $metered (i32.const 5) (i32.const 1) (i64.const 1000)))
    (i32.store (i32.const 152) (call $metered (i32.const 6) (i32.const 1) (i64.const 1000)))
    (i32.store (i32.const 156) (call $metered (i32.const 7) (i32.const 1) (i64.const 1000)))
    (i32.store (i32.const 160) (call $metered (i32.const 0) (i32.const 3) (i64.const -1)))
    (i32.store (i32.const 164) (i32.add (i32.const 1000) (call $metered (i32.const 1) (i32.const 0) (i64.const 20))))
    ${tail}))`);
}
