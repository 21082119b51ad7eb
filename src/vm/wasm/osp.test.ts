import { keccak_256 } from '@noble/hashes/sha3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatProgram } from '../../../bench/machine.ts';
import { hasConformance } from '../../../test/conformance.ts';
import {
  collectSteps,
  envFor,
  loopModule,
  meteredModule,
  NO_HOST,
  type ProofSample,
  specTestSamples,
} from '../../../test/wasm/proof-corpus.ts';
import { randomModule } from '../../../test/wasm/random-module.ts';
import { refModule } from '../../../test/wasm/ref-module.ts';
import {
  TABLE_OPS_TRAP_REASON,
  TABLE_OPS_TRAPS,
  TABLES_TRAP_REASON,
  type TableOpsTrap,
  tableOpsModule,
  tablesModule,
} from '../../../test/wasm/tables-module.ts';
import { ecdsaFixture, stf, watBytes } from '../../../test/wasm/wat.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { MachineCommitter } from './commit.ts';
import { toHex, type Word } from './hash.ts';
import { M, MOP_COUNT, mopName } from './isa.ts';
import { emptyGlobalState, type HostData, Machine, Status } from './machine.ts';
import { deployOsp, type OspDeployment } from './osp-harness.ts';
import { compileProgram } from './program.ts';
import { proveStep } from './proof.ts';
import { lowerFloats } from './softfloat/lower-floats.ts';
import { ProofError, type VerifierEnv, verifyStep } from './verify.ts';

type Sample = Omit<ProofSample, 'host'>;

/** Steps the machine at most `max` times; each step's proof is checked with the TS verifier first. */
function collect(c: MachineCommitter, label: string, max: number, out: Sample[]): void {
  const env = envFor(c.m.host);
  collectSteps(c, label, max, (s) => {
    const labelled = { ...s, label: `${s.label} (${mopName(s.op)})` };
    expect(toHex(verifyStep(s.pre, s.proof, env)), labelled.label).toBe(toHex(s.post));
    out.push(labelled);
  });
}

/** the host id of a `host` step's proof (the immediate in the code leaf after the 12 header words) */
const hostId = (proof: Uint8Array): number =>
  new DataView(proof.buffer, proof.byteOffset).getUint32(12 * 32 + 28);

let l1: L1;
let osp: OspDeployment;
const gas: bigint[] = [];
/** on-chain checks per opcode (printed after the suite: the coverage table of docs/machine.md §10) */
const opsSeen = new Map<number, number>();
/** the host-I/O module's samples and host, kept for the rejection test */
let hostIo: { samples: Sample[]; host: HostData } | undefined;
/** steps of the table-instructions module reading and writing its tables (§5.7), kept for the rejection test */
const tableAccess: Sample[] = [];

beforeAll(async () => {
  l1 = await startAnvil();
  osp = await deployOsp(l1);
}, 120_000);

afterAll(async () => {
  await l1?.stop();
  if (opsSeen.size > 0) {
    const cells = [...opsSeen].sort((a, b) => a[0] - b[0]).map(([op, n]) => `${mopName(op)} ${n}`);
    console.log(
      `on-chain one-step checks per opcode (${opsSeen.size} of ${MOP_COUNT} opcodes): ${cells.join(', ')}`,
    );
  }
  if (gas.length > 0) {
    const g = gas.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    console.log(
      `osp gas per step over ${g.length} steps: min ${g[0]} median ${g[g.length >> 1]} max ${g[g.length - 1]}`,
    );
    expect(g[g.length - 1]).toBeLessThan(250_000n);
  }
});

/** Proves every sample on chain (in parallel batches) and compares with the interpreter's post-state hash. */
async function proveAll(samples: Sample[], opts: { gasEvery?: number } = {}): Promise<void> {
  const every = opts.gasEvery ?? 1;
  for (let i = 0; i < samples.length; i += 64) {
    const batch = samples.slice(i, i + 64);
    await Promise.all(
      batch.map(async (s, j) => {
        let got: string;
        try {
          got = await osp.proveOnChain(s.moduleRoot, s.pre, s.proof);
        } catch (e) {
          throw new Error(`${s.label}: proveOneStep reverted: ${(e as Error).message.split('\n')[0]}`);
        }
        expect(got, s.label).toBe(toHex(s.post));
        opsSeen.set(s.op, (opsSeen.get(s.op) ?? 0) + 1);
        if ((i + j) % every === 0) gas.push(await osp.gasOf(s.moduleRoot, s.pre, s.proof));
      }),
    );
  }
}

describe('OneStepProver agrees with verify.ts and the interpreter', () => {
  it('on every step of the loop module', async () => {
    const prog = compileProgram(loopModule(), { entry: 'main' });
    const samples: Sample[] = [];
    collect(new MachineCommitter(new Machine(prog)), 'loop', 10_000, samples);
    expect(samples.length).toBeGreaterThan(300);
    await proveAll(samples);
  });

  it('on every step of a host-I/O module (inbox, preimage, global state, halt, keccak, ecrecover, hint)', async () => {
    const inbox = Uint8Array.from({ length: 90 }, (_, i) => (i * 7 + 3) & 0xff);
    const preimage = Uint8Array.from({ length: 40 }, (_, i) => 200 - i);
    const hash = keccak_256(preimage);
    await osp.setInboxMessage(0n, inbox);
    await osp.submitPreimage(preimage);
    const host: HostData = {
      inboxMessage: (pos) => (pos === 0n ? inbox : undefined),
      preimage: (kind, h) => (kind === 0 && toHex(h) === toHex(hash) ? preimage : undefined),
      onPreimageHint: (b) => hints.push(b),
    };
    const hashData = watBytes(hash);
    // v1.1: ecrecover data at 1152: digest, r, s, then r = 0 ‖ s (at 1248), then r ‖ n - s (at 1312)
    const e = ecdsaFixture();
    const sigData = watBytes(Buffer.concat([e.digest, e.r, e.s, new Uint8Array(32), e.s, e.r, e.highS]));
    const hints: Uint8Array[] = [];
    const bytes = stf(
      `
      (drop (call $inbox_read (i32.const 0) (i32.const 100)))
      (drop (call $inbox_read (i32.const 33) (i32.const 140)))
      (drop (call $inbox_read (i32.const 70) (i32.const 200)))
      (drop (call $inbox_read (i32.const 1000) (i32.const 0)))
      (i64.store (i32.const 256) (i64.const 0x0102030405060708))
      (i64.store offset=3 (i32.const 28) (i64.const -2))
      (drop (i64.load16_s (i32.const 31)))
      (call $get_b32 (i32.const 1) (i32.const 300))
      (call $set_b32 (i32.const 0) (i32.const 101))
      (call $set_u64 (i32.const 1) (i64.add (call $get_u64 (i32.const 0)) (i64.const 5)))
      (memory.fill (i32.const 60) (i32.const 0xab) (i32.const 9))
      (memory.copy (i32.const 62) (i32.const 58) (i32.const 7))
      (memory.init 0 (i32.const 500) (i32.const 1) (i32.const 4))
      (data.drop 0)
      (drop (memory.grow (i32.const 1)))
      (drop (memory.grow (i32.const 5)))
      (i32.store (i32.const 65540) (memory.size))
      (drop (call $preimage_read (i32.const 0) (i32.const 512) (i32.const 3) (i32.const 31)))
      (drop (call $preimage_read (i32.const 0) (i32.const 512) (i32.const 33) (i32.const 1000)))
      (drop (call $preimage_read (i32.const 0) (i32.const 512) (i32.const 40) (i32.const 1100)))
      (call $set_b32 (i32.const 1) (i32.const 31))
      ;; v1.1: keccak256_pair (also in place), ecrecover (valid, high s, v = 26, r = 0), hint_preimage
      (memory.fill (i32.const 1024) (i32.const 0x5a) (i32.const 40))
      (call $keccak256_pair (i32.const 1024) (i32.const 1088))
      (call $keccak256_pair (i32.const 1056) (i32.const 1056))
      (i32.store (i32.const 1600) (call $ecrecover (i32.const 1152) (i32.const 1184) (i32.const ${e.v}) (i32.const 1408)))
      (i32.store (i32.const 1604) (call $ecrecover (i32.const 1152) (i32.const 1312) (i32.const ${e.highV}) (i32.const 1440)))
      (i32.store (i32.const 1608) (call $ecrecover (i32.const 1152) (i32.const 1184) (i32.const 26) (i32.const 1472)))
      (i32.store (i32.const 1612) (call $ecrecover (i32.const 1152) (i32.const 1248) (i32.const ${e.v}) (i32.const 1504)))
      (call $hint_preimage (i32.const 1024) (i32.const 64))
      (call $hint_preimage (i32.const 1000000) (i32.const 100))
      (call $halt)
      (unreachable)`,
      `(data "\\01\\02\\03\\04\\05\\06") (data (i32.const 512) "${hashData}") (data (i32.const 1152) "${sigData}") (data (i32.const 1504) "\\ff")`,
      '(memory 1 2)',
    );
    const prog = compileProgram(bytes);
    const c = new MachineCommitter(new Machine(prog, undefined, host));
    const samples: Sample[] = [];
    collect(c, 'host-io', 10_000, samples);
    expect(c.m.status).toBe(Status.Finished);
    // one more step of a finished machine: post = pre
    collect(c, 'host-io finished', 1, samples);
    hostIo = { samples, host };
    await proveAll(samples);
    for (const op of [M.host, M['i64.store'], M['i64.load16_s'], M['memory.grow']])
      expect(opsSeen.has(op)).toBe(true);
    // v1.1 ops: the recovered signer (valid and high-s signatures), failures, the hint
    const mem = (a: number, n = 32) => toHex(c.m.memory.subarray(a, a + n));
    expect(mem(1408)).toBe(toHex(e.addressWord));
    expect(mem(1440)).toBe(toHex(e.addressWord));
    expect(mem(1472)).toBe(toHex(new Uint8Array(32)));
    expect(mem(1504)).toBe(toHex(new Uint8Array(32)));
    expect([...new Uint32Array(c.m.memory.slice(1600, 1616).buffer)]).toEqual([1, 1, 0, 0]);
    expect(hints.map((h) => toHex(h))).toEqual([mem(1024, 64)]);
    // gas per step of the v1.1 ops (the whole transaction, as `modex bench osp`)
    const names: Record<number, string> = { 7: 'keccak256_pair', 8: 'ecrecover', 9: 'hint_preimage' };
    const v11 = samples.filter((s) => s.op === M.host && hostId(s.proof) >= 7);
    expect(v11.length).toBe(8);
    const rows: string[] = [];
    for (const s of v11)
      rows.push(
        `${names[hostId(s.proof)]} ${await osp.gasOf(s.moduleRoot, s.pre, s.proof)} (${s.proof.length} B)`,
      );
    console.log(`osp gas per step of the v1.1 host ops: ${rows.join(', ')}`);
  });

  it('on the v1.1 host ops with the default memory limit (deepest memory paths), and on their traps', async () => {
    const samples: Sample[] = [];
    // (memory 1) without a maximum: the memory tree has the depth of the default 1024-page limit (21)
    const e = ecdsaFixture();
    const data = watBytes(Buffer.concat([e.digest, e.r, e.s]));
    const deep = new MachineCommitter(
      new Machine(
        compileProgram(
          stf(
            `(call $keccak256_pair (i32.const 32) (i32.const 96))
            (drop (call $ecrecover (i32.const 0) (i32.const 32) (i32.const ${e.v}) (i32.const 96)))`,
            `(data (i32.const 0) "${data}")`,
          ),
        ),
      ),
    );
    const before = samples.length;
    collect(deep, 'default memory limit', 10_000, samples);
    expect(deep.m.status).toBe(Status.Finished);
    expect(toHex(deep.m.memory.subarray(96, 128))).toBe(toHex(e.addressWord));
    const rows: string[] = [];
    for (const s of samples.slice(before))
      if (s.op === M.host && hostId(s.proof) >= 7)
        rows.push(
          `id ${hostId(s.proof)} ${await osp.gasOf(s.moduleRoot, s.pre, s.proof)} (${s.proof.length} B)`,
        );
    console.log(`osp gas of the v1.1 host ops with a depth-21 memory tree: ${rows.join(', ')}`);
    for (const body of [
      '(call $keccak256_pair (i32.const 16) (i32.const 64))',
      '(call $keccak256_pair (i32.const 65504) (i32.const 0))',
      '(drop (call $ecrecover (i32.const 0) (i32.const 33) (i32.const 27) (i32.const 128)))',
      '(drop (call $ecrecover (i32.const 0) (i32.const 64) (i32.const 27) (i32.const 100)))',
      '(drop (call $ecrecover (i32.const 0) (i32.const 65504) (i32.const 27) (i32.const 128)))',
    ]) {
      const c = new MachineCommitter(new Machine(compileProgram(stf(body))));
      collect(c, body, 100, samples);
      expect(c.m.status, body).toBe(Status.Errored);
    }
    await proveAll(samples);
  });

  it('on every load/store width, sign extension, drop_under and conversions', async () => {
    const bytes = stf(
      `
      (i64.store (i32.const 30) (i64.const 0x8182838485868788))
      (i64.store8 (i32.const 40) (i64.const 0xfe))
      (i64.store16 (i32.const 63) (i64.const 0xfedc))
      (i64.store32 (i32.const 94) (i64.const 0x89abcdef))
      (i32.store8 (i32.const 100) (i32.const 0x80))
      (i32.store16 (i32.const 127) (i32.const 0x8001))
      (drop (i64.load (i32.const 30)))
      (drop (i64.load offset=1 (i32.const 28)))
      (drop (i32.load (i32.const 30)))
      (drop (i32.load8_s (i32.const 100)))
      (drop (i32.load8_u (i32.const 100)))
      (drop (i32.load16_s (i32.const 127)))
      (drop (i32.load16_u (i32.const 127)))
      (drop (i64.load8_s (i32.const 31)))
      (drop (i64.load8_u (i32.const 31)))
      (drop (i64.load16_s (i32.const 63)))
      (drop (i64.load16_u (i32.const 63)))
      (drop (i64.load32_s (i32.const 94)))
      (drop (i64.load32_u (i32.const 94)))
      (drop (i32.wrap_i64 (i64.load (i32.const 30))))
      (drop (i64.extend_i32_s (i32.load (i32.const 94))))
      (drop (i64.extend_i32_u (i32.load (i32.const 94))))
      (drop (i32.extend8_s (i32.const 0x80)))
      (drop (i64.extend32_s (i64.const 0x80000000)))
      (drop (block (result i32) (i32.add (i32.const 1) (br_if 0 (i32.const 2) (i32.const 1)))))
      (drop (block (result i64) (i64.add (i64.const 1) (i64.add (i64.const 3) (br_if 0 (i64.const 2) (i32.const 1))))))
      (drop (i32.load (i32.const 65536)))`,
    );
    const samples: Sample[] = [];
    collect(new MachineCommitter(new Machine(compileProgram(bytes))), 'widths', 10_000, samples);
    collect(
      new MachineCommitter(new Machine(compileProgram(stf('(unreachable)')))),
      'unreachable',
      100,
      samples,
    );
    await proveAll(samples);
    for (const op of [
      M['i64.load'],
      M['i64.load16_u'],
      M['i64.load32_u'],
      M['i64.store8'],
      M['i32.load16_s'],
      M.drop_under,
      M.unreachable,
    ]) {
      expect(opsSeen.has(op), mopName(op)).toBe(true);
    }
  });

  it('on reference values (ref.null, ref.func, ref.is_null, typed select: docs/machine.md §5.5)', async () => {
    const samples: Sample[] = [];
    collect(new MachineCommitter(new Machine(compileProgram(refModule()))), 'references', 1000, samples);
    expect(samples.length).toBeGreaterThan(50);
    await proveAll(samples);
    for (const op of [M['i32.eqz'], M.select, M['i32.const']])
      expect(opsSeen.has(op), mopName(op)).toBe(true);
  });

  it('on several tables (docs/machine.md §5.6): every checked call_indirect, and its three traps', async () => {
    const samples: Sample[] = [];
    collect(new MachineCommitter(new Machine(compileProgram(tablesModule()))), 'tables', 1000, samples);
    for (const trap of ['oob', 'null', 'type'] as const) {
      const c = new MachineCommitter(new Machine(compileProgram(tablesModule(trap))));
      collect(c, `tables ${trap}`, 1000, samples);
      expect(c.m.status, trap).toBe(Status.Errored);
      expect(c.m.trap, trap).toBe(TABLES_TRAP_REASON[trap]);
    }
    expect(samples.filter((s) => s.op === M.call_indirect).length).toBeGreaterThanOrEqual(4 * 6 + 3);
    await proveAll(samples);
  });

  it('on table instructions (docs/machine.md §5.7): every step of a module using all of them, and the end of each trap', async () => {
    const samples: Sample[] = [];
    const main = new MachineCommitter(new Machine(compileProgram(tableOpsModule())));
    collect(main, 'table ops', 5000, samples);
    expect(main.m.status).toBe(Status.Finished);
    for (const trap of Object.keys(TABLE_OPS_TRAPS) as TableOpsTrap[]) {
      const bytes = tableOpsModule(trap);
      const probe = new Machine(compileProgram(bytes));
      probe.run();
      const c = new MachineCommitter(new Machine(compileProgram(bytes)));
      c.m.run(probe.steps - 12);
      collect(c, `table ops ${trap}`, 1000, samples);
      expect(c.m.trap, trap).toBe(TABLE_OPS_TRAP_REASON(trap));
    }
    for (const op of [M.br_table, M['global.get'], M['global.set'], M.call_indirect, M.unreachable])
      expect(opsSeen.has(op) || samples.some((x) => x.op === op), mopName(op)).toBe(true);
    await proveAll(samples);
    // a slot read, a slot write and a size write of each kind, for the rejection test
    for (const op of [M['global.get'], M['global.set'], M.br_table, M.call_indirect])
      tableAccess.push(...samples.filter((x) => x.op === op).slice(0, 3));
    // tables at the largest cap (1,024 slots each: the deepest globals and code paths): the table
    // accesses' steps, whose gas the suite's maximum (≤ 250k) covers
    const big: Sample[] = [];
    const c = new MachineCommitter(
      new Machine(compileProgram(tableOpsModule(undefined, { uncapped: true }))),
    );
    const access = new Set<number>([M.br_table, M['global.get'], M['global.set'], M.call_indirect]);
    collectSteps(c, 'table ops (cap 1024)', 5000, (s) => {
      if (access.has(s.op)) big.push({ ...s, label: `${s.label} (${mopName(s.op)})` });
    });
    expect(c.m.status).toBe(Status.Finished);
    expect(big.length).toBeGreaterThan(100);
    const before = gas.length;
    await proveAll(big);
    const g = gas.slice(before).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    console.log(
      `table accesses at cap 1024: ${g.length} steps, median ${g[g.length >> 1]}, max ${g[g.length - 1]} gas`,
    );
  });

  it('on lowered soft-float code (docs/softfloat.md §6): the float bench program, and a truncation of NaN trapping in its check', async () => {
    const samples: Sample[] = [];
    const gs = (x: bigint) => {
      const g = emptyGlobalState();
      g.u64[0] = x;
      return g;
    };
    // one iteration of the bench's float loop: f64 mul/add/sqrt/div/floor/compare, f32, trunc
    collect(
      new MachineCommitter(new Machine(compileProgram(floatProgram()), gs(1n))),
      'float',
      8000,
      samples,
    );
    expect(samples.length).toBeGreaterThan(4000);
    // i64.trunc_f64_s(NaN): the generated check's `unreachable` ("invalid conversion to integer")
    const nanTrap = stf(
      '(call $set_u64 (i32.const 1) (i64.trunc_f64_s (f64.reinterpret_i64 (call $get_u64 (i32.const 0)))))',
    );
    const m = new Machine(compileProgram(lowerFloats(nanTrap)), gs(0x7ff8000000000000n));
    const before = samples.length;
    collect(new MachineCommitter(m), 'trunc(NaN)', 1000, samples);
    expect(m.trap).toBe('invalid conversion to integer');
    expect(samples.at(-1)?.op).toBe(M.unreachable);
    expect(samples.length - before).toBeGreaterThan(20);
    await proveAll(samples, { gasEvery: 10 });
  }, 180_000);

  it('on random modules (calls, loops, memory, host ops, traps)', async () => {
    const samples: Sample[] = [];
    for (const seed of [1, 2, 3, 4]) {
      const prog = compileProgram(randomModule(seed, { maxPages: 2, trapRate: 0.05 }), {
        limits: { maxSteps: 1_000_000n },
      });
      collect(new MachineCommitter(new Machine(prog)), `random ${seed}`, 2000, samples);
    }
    await proveAll(samples, { gasEvery: 5 });
  }, 120_000);

  it('rejects exactly what verify.ts rejects: wrong pre-state, module root, truncation, flipped words', async () => {
    const prog = compileProgram(loopModule(), { entry: 'main' });
    const loop: Sample[] = [];
    collect(new MachineCommitter(new Machine(prog)), 'loop', 120, loop);
    const sets: { samples: Sample[]; env: VerifierEnv }[] = [
      { samples: loop.filter((_, i) => i % 4 === 0), env: envFor(NO_HOST) },
    ];
    // table slots in hidden globals (§5.7): their reads, writes, dispatch and call_indirect
    if (tableAccess.length > 0) sets.push({ samples: tableAccess, env: envFor(NO_HOST) });
    // host ops and the memory ops around them (needs the host-I/O test to have run)
    if (hostIo)
      sets.push({
        samples: hostIo.samples.filter(
          (s) => s.op === M.host || (s.op >= M['i32.load'] && s.op <= M['i64.store32']),
        ),
        env: envFor(hostIo.host),
      });
    const cases: {
      label: string;
      moduleRoot: Word;
      pre: Word;
      proof: Uint8Array;
      env: VerifierEnv;
      error?: string;
    }[] = [];
    for (const { samples, env } of sets)
      for (const s of samples) {
        const other = s.pre.slice();
        other[0] ^= 1;
        cases.push({
          label: `${s.label} other pre`,
          moduleRoot: s.moduleRoot,
          pre: other,
          proof: s.proof,
          env,
          error: 'MachineHashMismatch',
        });
        const root = s.moduleRoot.slice();
        root[31] ^= 1;
        cases.push({
          label: `${s.label} other module root`,
          moduleRoot: root,
          pre: s.pre,
          proof: s.proof,
          env,
          error: 'ModuleRootMismatch',
        });
        cases.push({
          label: `${s.label} truncated`,
          moduleRoot: s.moduleRoot,
          pre: s.pre,
          proof: s.proof.subarray(0, s.proof.length - 32),
          env,
          error: 'ProofTooShort',
        });
        cases.push({
          label: `${s.label} unaligned`,
          moduleRoot: s.moduleRoot,
          pre: s.pre,
          proof: s.proof.subarray(0, s.proof.length - 1),
          env,
          error: 'ProofNotWordAligned',
        });
        for (let w = 0; w < s.proof.length / 32; w++) {
          for (const byte of [0, 20, 31]) {
            const bad = s.proof.slice();
            bad[w * 32 + byte] ^= 0x01;
            cases.push({
              label: `${s.label} word ${w} byte ${byte}`,
              moduleRoot: s.moduleRoot,
              pre: s.pre,
              proof: bad,
              env,
            });
          }
        }
      }
    for (let i = 0; i < cases.length; i += 64) {
      await Promise.all(
        cases.slice(i, i + 64).map(async (t) => {
          let ts: string | undefined;
          try {
            ts = toHex(verifyStep(t.pre, t.proof, t.env));
          } catch (e) {
            expect(e).toBeInstanceOf(ProofError);
          }
          let sol: string | undefined;
          let err: Error | undefined;
          try {
            sol = await osp.proveOnChain(t.moduleRoot, t.pre, t.proof);
          } catch (e) {
            err = e as Error;
          }
          if (t.error) {
            expect(err?.message, t.label).toContain(t.error);
          } else {
            expect(sol, t.label).toBe(ts);
          }
        }),
      );
    }
    expect(cases.length).toBeGreaterThan(1000);
  }, 120_000);

  it.skipIf(!hasConformance('wasm-spec/json'))(
    'on spec-test modules (numeric, memory, calls, br_table, locals)',
    async () => {
      const files = [
        'i32',
        'i64',
        'load',
        'store',
        'memory',
        'call',
        'br_table',
        'global',
        'local_tee',
        'select',
        'memory_grow',
        'return',
        'unreachable',
      ];
      const samples: Sample[] = [];
      specTestSamples(
        (smp) => {
          const label = `${smp.label} (${mopName(smp.op)})`;
          expect(toHex(verifyStep(smp.pre, smp.proof, envFor(smp.host))), label).toBe(toHex(smp.post));
          samples.push({ ...smp, label });
        },
        { files: files.map((f) => `${f}.json`), maxPerFile: 2500, maxPerInvoke: 300 },
      );
      await proveAll(samples, { gasEvery: 7 });
      const missing: string[] = [];
      for (let op = 0; op < MOP_COUNT; op++) if (!opsSeen.has(op)) missing.push(mopName(op));
      console.log(
        `osp: ${samples.length} spec-test steps; opcodes never proven on chain: ${missing.join(' ') || 'none'}`,
      );
    },
    300_000,
  );
});

/** The step shapes of a metered call (docs/machine.md §3.7, §7.1). */
type MeterShape = 'enter' | 'inside' | 'return' | 'trap' | 'exhausted' | 'nested';

describe('OneStepProver on metered calls (machine v1.2)', () => {
  /** every step of meteredModule, each labelled with its shape */
  function meteredSamples(): (Sample & { shape: MeterShape | 'outside' })[] {
    const prog = compileProgram(meteredModule(), { limits: { maxFrames: 64 } });
    const c = new MachineCommitter(new Machine(prog));
    const out: (Sample & { shape: MeterShape | 'outside' })[] = [];
    const env = envFor(NO_HOST);
    while (c.m.status === Status.Running) {
      const m = c.m;
      const op = prog.ops[m.pc];
      const was = m.meterActive;
      const exhausted = was && BigInt(m.steps) >= m.meterLimit;
      const pre = c.hash();
      const proof = proveStep(c);
      m.run(1);
      const post = c.hash();
      const shape: MeterShape | 'outside' = !was
        ? op === M.metered_call && m.meterActive
          ? 'enter'
          : 'outside'
        : m.meterActive
          ? 'inside'
          : exhausted
            ? 'exhausted'
            : m.lastMeterTrap === undefined
              ? 'return'
              : op === M.metered_call
                ? 'nested'
                : 'trap';
      const label = `metered step ${m.steps - 1} (${mopName(op)}, ${shape})`;
      expect(toHex(verifyStep(pre, proof, env)), label).toBe(toHex(post));
      out.push({ label, op, moduleRoot: c.module.moduleRoot, pre, proof, post, shape });
    }
    return out;
  }

  it('agrees with verify.ts and the interpreter on every step, of every shape; rejects what verify.ts rejects', async () => {
    const samples = meteredSamples();
    const byShape = new Map<string, number>();
    for (const s of samples) byShape.set(s.shape, (byShape.get(s.shape) ?? 0) + 1);
    for (const shape of ['enter', 'inside', 'return', 'trap', 'exhausted', 'nested'])
      expect(byShape.get(shape) ?? 0, shape).toBeGreaterThan(0);
    const gasByShape = new Map<string, bigint>();
    for (let i = 0; i < samples.length; i += 64) {
      await Promise.all(
        samples.slice(i, i + 64).map(async (s) => {
          expect(await osp.proveOnChain(s.moduleRoot, s.pre, s.proof), s.label).toBe(toHex(s.post));
          opsSeen.set(s.op, (opsSeen.get(s.op) ?? 0) + 1);
        }),
      );
    }
    // gas and proof size of one step of each shape
    for (const shape of ['enter', 'inside', 'return', 'trap', 'exhausted', 'nested']) {
      const s = samples.find((x) => x.shape === shape)!;
      gasByShape.set(`${shape} (${s.proof.length} B)`, await osp.gasOf(s.moduleRoot, s.pre, s.proof));
    }
    console.log(
      `osp metered steps: ${samples.length} (${[...byShape].map(([k, v]) => `${k} ${v}`).join(', ')}); gas: ${[
        ...gasByShape,
      ]
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );

    // negative: the first 3 steps of each new shape, lied about in every word
    const env = envFor(NO_HOST);
    const cases: { label: string; s: Sample; pre: Word; proof: Uint8Array; error?: string }[] = [];
    for (const shape of ['enter', 'inside', 'return', 'trap', 'exhausted', 'nested'] as const) {
      for (const s of samples.filter((x) => x.shape === shape).slice(0, 3)) {
        const other = s.pre.slice();
        other[0] ^= 1;
        cases.push({
          label: `${s.label} other pre`,
          s,
          pre: other,
          proof: s.proof,
          error: 'MachineHashMismatch',
        });
        cases.push({
          label: `${s.label} truncated`,
          s,
          pre: s.pre,
          proof: s.proof.subarray(0, s.proof.length - 32),
          error: 'ProofTooShort',
        });
        for (let w = 0; w < s.proof.length / 32; w++) {
          for (const byte of [0, 6, 20, 31]) {
            const bad = s.proof.slice();
            bad[w * 32 + byte] ^= 0x01;
            cases.push({ label: `${s.label} word ${w} byte ${byte}`, s, pre: s.pre, proof: bad });
          }
        }
      }
    }
    let rejected = 0;
    for (let i = 0; i < cases.length; i += 64) {
      await Promise.all(
        cases.slice(i, i + 64).map(async (t) => {
          let ts: string | undefined;
          try {
            ts = toHex(verifyStep(t.pre, t.proof, env));
          } catch (e) {
            expect(e).toBeInstanceOf(ProofError);
          }
          let sol: string | undefined;
          let err: Error | undefined;
          try {
            sol = await osp.proveOnChain(t.s.moduleRoot, t.pre, t.proof);
          } catch (e) {
            err = e as Error;
          }
          if (err) rejected++;
          if (t.error) expect(err?.message, t.label).toContain(t.error);
          else expect(sol, t.label).toBe(ts);
        }),
      );
    }
    expect(rejected).toBeGreaterThan(cases.length / 2);
  }, 300_000);

  it('on random modules run under a metered call (traps and budgets unwinding at random points)', async () => {
    const samples: Sample[] = [];
    for (const [seed, budget] of [
      [1, 10_000n],
      [2, 150n],
      [3, 10_000n],
      [5, 77n],
    ] as const) {
      const prog = compileProgram(
        randomModule(seed, { maxPages: 2, trapRate: 0.05, meteredBudget: budget }),
        {
          limits: { maxSteps: 1_000_000n },
        },
      );
      collect(new MachineCommitter(new Machine(prog)), `random ${seed} metered ${budget}`, 2000, samples);
    }
    await proveAll(samples, { gasEvery: 50 });
  }, 120_000);
});
