import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import {
  branchesModule,
  collectSteps,
  envFor,
  loopModule,
  METERED_IMPORT,
  meteredModule,
  moduleSamples,
  NO_HOST,
  type ProofSample,
  randomModuleSamples,
  SPEC_DIR,
  specTestSamples,
} from '../../../test/wasm/proof-corpus.ts';
import { ecdsaFixture, HOST_IMPORTS, stf, wat, watBytes } from '../../../test/wasm/wat.ts';
import { MachineCommitter } from './commit.ts';
import { toHex, type Word } from './hash.ts';
import { M, MOP_COUNT, mopName } from './isa.ts';
import { type HostData, Machine, Status } from './machine.ts';
import { compileProgram } from './program.ts';
import { proveStep } from './proof.ts';
import { createInterpEngine } from './spectest/interp-engine.ts';
import { runSpecFile } from './spectest/runner.ts';
import { ProofError, verifyStep } from './verify.ts';

const counts = new Map<number, number>();
const prog = (m: Machine) => m.prog;

/** Checks one sample with the TS verifier against the interpreter's post-state hash. */
function check(s: ProofSample): void {
  expect(s.proof.length).toBeLessThanOrEqual(4096);
  let got: Word;
  try {
    got = verifyStep(s.pre, s.proof, envFor(s.host));
  } catch (e) {
    throw new Error(`${s.label} (${mopName(s.op)}): verifier threw ${(e as Error).message}`);
  }
  if (toHex(got) !== toHex(s.post)) {
    throw new Error(`${s.label} (${mopName(s.op)}): verifier ${toHex(got)} != interpreter ${toHex(s.post)}`);
  }
  counts.set(s.op, (counts.get(s.op) ?? 0) + 1);
}

const ECDSA = ecdsaFixture();
/** the signature data at 1152: digest, r, s, then r = 0 ‖ s (at 1248), then r ‖ n - s (at 1312) */
const SIG_DATA = watBytes(
  Buffer.concat([ECDSA.digest, ECDSA.r, ECDSA.s, new Uint8Array(32), ECDSA.s, ECDSA.r, ECDSA.highS]),
);

/**
 * A module that exercises every host op and the bulk-memory helpers: inbox reads at unaligned
 * offsets into a window crossing a leaf boundary, preimage reads, global-state get/set at
 * unaligned pointers, memory.fill/copy (both directions)/init/data.drop, memory.grow,
 * keccak256_pair (also in place), ecrecover (valid, high s, v = 26, r = 0; results at 1408..1536,
 * flags at 1600), hint_preimage (in and out of bounds), halt.
 */
const HOST_IO_WAT = stf(
  `
  (local $i i32)
  (drop (call $inbox_read (i32.const 0) (i32.const 100)))
  (drop (call $inbox_read (i32.const 33) (i32.const 140)))
  (drop (call $inbox_read (i32.const 70) (i32.const 200)))
  (drop (call $inbox_read (i32.const 1000) (i32.const 0)))
  (i64.store (i32.const 256) (i64.const 0x0102030405060708))
  (call $get_b32 (i32.const 1) (i32.const 300))
  (call $set_b32 (i32.const 0) (i32.const 101))
  (call $set_u64 (i32.const 1) (i64.add (call $get_u64 (i32.const 0)) (i64.const 5)))
  (memory.fill (i32.const 60) (i32.const 0xab) (i32.const 9))
  (memory.copy (i32.const 62) (i32.const 58) (i32.const 7))
  (memory.copy (i32.const 50) (i32.const 60) (i32.const 5))
  (memory.init 0 (i32.const 500) (i32.const 1) (i32.const 4))
  (data.drop 0)
  (drop (memory.grow (i32.const 1)))
  (i32.store (i32.const 65540) (memory.size))
  ;; the host knows the preimage of the hash 0xeeee...ee
  (memory.fill (i32.const 512) (i32.const 0xee) (i32.const 32))
  (drop (call $preimage_read (i32.const 0) (i32.const 512) (i32.const 3) (i32.const 31)))
  (call $set_b32 (i32.const 1) (i32.const 31))
  ;; v1.1: keccak256_pair, ecrecover, hint_preimage
  (memory.fill (i32.const 1024) (i32.const 0x5a) (i32.const 40))
  (call $keccak256_pair (i32.const 1024) (i32.const 1088))
  (call $keccak256_pair (i32.const 1056) (i32.const 1056))
  (i32.store (i32.const 1600) (call $ecrecover (i32.const 1152) (i32.const 1184) (i32.const ${ECDSA.v}) (i32.const 1408)))
  (i32.store (i32.const 1604) (call $ecrecover (i32.const 1152) (i32.const 1312) (i32.const ${ECDSA.highV}) (i32.const 1440)))
  (i32.store (i32.const 1608) (call $ecrecover (i32.const 1152) (i32.const 1184) (i32.const 26) (i32.const 1472)))
  (i32.store (i32.const 1612) (call $ecrecover (i32.const 1152) (i32.const 1248) (i32.const ${ECDSA.v}) (i32.const 1504)))
  (i32.store (i32.const 1616) (call $ecrecover (i32.const 1152) (i32.const 1184) (i32.const ${ECDSA.v}) (i32.const 1536)))
  (call $hint_preimage (i32.const 1024) (i32.const 64))
  (call $hint_preimage (i32.const 131000) (i32.const 100))
  (call $halt)
  (unreachable)`,
  `(data "\\01\\02\\03\\04\\05\\06") (data (i32.const 1152) "${SIG_DATA}") (data (i32.const 1504) "\\ff")`,
  '(memory 1 2)',
);

describe('one-step proofs: the TS verifier agrees with the interpreter on every step', () => {
  it('over the spec-test modules', () => {
    // the table scripts' helpers loop over elements (docs/machine.md §5.7): their first 20,000 steps each
    specTestSamples(check, { maxPerFileOf: (f) => (/^(table_|bulk)/.test(f) ? 20_000 : undefined) });
  }, 300_000);

  it('over the linked spec-test instances (the merged modules of docs/machine.md §9 "Linking")', () => {
    const committers = new WeakMap<Machine, MachineCommitter>();
    let proven = 0;
    const engine = createInterpEngine({
      run: (m, merged) => {
        if (merged) {
          let c = committers.get(m);
          if (!c) {
            c = new MachineCommitter(m);
            committers.set(m, c);
          }
          // each instantiation and invocation, up to 2,000 steps (then the rest unproven)
          proven += collectSteps(c, 'linked', 300, check);
        }
        m.run();
      },
    });
    for (const file of ['linking.json', 'memory_grow.json', 'table_grow.json', 'ref_func.json']) {
      const r = runSpecFile(join(SPEC_DIR, file), engine);
      expect(r.failures, file).toEqual([]);
    }
    expect(proven).toBeGreaterThan(5000);
  }, 300_000);

  it('over random modules (calls, loops, memory, host ops, traps)', () => {
    randomModuleSamples([1, 2, 3, 4, 5, 6, 7, 8], check);
  }, 120_000);

  it('over every host op and the bulk-memory helpers', () => {
    const inbox = Uint8Array.from({ length: 90 }, (_, i) => (i * 7 + 3) & 0xff);
    const preimage = Uint8Array.from({ length: 40 }, (_, i) => 200 - i);
    const hints: Uint8Array[] = [];
    const host: HostData = {
      inboxMessage: (pos) => (pos === 0n ? inbox : undefined),
      preimage: (kind, h) => (kind === 0 && h.every((b) => b === 0xee) ? preimage : undefined),
      onPreimageHint: (b) => hints.push(b),
    };
    const prog = compileProgram(HOST_IO_WAT);
    const m = new Machine(prog, undefined, host);
    const c = new MachineCommitter(m);
    let n = 0;
    while (m.status === Status.Running && n < 10_000) {
      const pre = c.hash();
      const op = prog.ops[m.pc];
      const proof = proveStep(c);
      m.run(1);
      check({
        label: `host-io step ${m.steps - 1}`,
        op,
        moduleRoot: c.module.moduleRoot,
        pre,
        proof,
        post: c.hash(),
        host,
      });
      n++;
    }
    expect(m.status).toBe(Status.Finished);
    expect(m.globalState.u64[1]).toBe(5n);
    // v1.1 ops: keccak256_pair, ecrecover (valid, high s, v = 26, r = 0), hint_preimage
    const mem = (a: number, n = 32) => toHex(m.memory.subarray(a, a + n));
    const input = new Uint8Array(96);
    input.fill(0x5a, 0, 40);
    input.set(keccak_256(input.subarray(0, 64)), 64);
    expect(mem(1088)).toBe(toHex(input.subarray(64)));
    expect(mem(1056)).toBe(toHex(keccak_256(input.subarray(32, 96))));
    expect(mem(1408)).toBe(toHex(ECDSA.addressWord));
    expect(mem(1440)).toBe(toHex(ECDSA.addressWord));
    expect(mem(1472)).toBe(toHex(new Uint8Array(32)));
    expect(mem(1504)).toBe(toHex(new Uint8Array(32)));
    expect([...new Uint32Array(m.memory.slice(1600, 1620).buffer)]).toEqual([1, 1, 0, 0, 1]);
    expect(hints.map((h) => toHex(h))).toEqual([mem(1024, 64)]);
  });

  it('v1.1 host-op proofs fit in 4 KiB with the default memory limit and 2^20 instructions', () => {
    // (memory 1) without a maximum: the memory tree has the default limit's depth (1024 pages: 21)
    const m = new Machine(
      compileProgram(
        stf(
          `(call $keccak256_pair (i32.const 0) (i32.const 64))
           (drop (call $ecrecover (i32.const 1152) (i32.const 1184) (i32.const ${ECDSA.v}) (i32.const 1408)))
           (call $hint_preimage (i32.const 0) (i32.const 64))`,
          `(data (i32.const 1152) "${SIG_DATA}")`,
        ),
      ),
      undefined,
      NO_HOST,
    );
    const c = new MachineCommitter(m);
    const sizes: Record<string, number> = {};
    const names = ['keccak256_pair', 'ecrecover', 'hint_preimage'];
    while (m.status === Status.Running) {
      if (m.prog.ops[m.pc] === M.host && m.prog.immLo[m.pc] >= 7) {
        // grow the code path to the depth of a 2^20-instruction module
        const extra = 20 - c.module.codeDepth;
        sizes[names[m.prog.immLo[m.pc] - 7]] = proveStep(c).length + 32 * extra;
      }
      m.run(1);
    }
    expect(toHex(m.memory.subarray(1408, 1440))).toBe(toHex(ECDSA.addressWord));
    console.log(
      `v1.1 host-op proof bytes (default memory limit, 2^20 instructions): ${JSON.stringify(sizes)}`,
    );
    for (const n of names) expect(sizes[n], n).toBeLessThanOrEqual(4096);
  });

  it('over metered calls: entry, inside, return, trap and budget unwinds, nesting, halt (v1.2)', () => {
    let n = 0;
    moduleSamples(
      'metered',
      meteredModule(),
      NO_HOST,
      (smp) => {
        check(smp);
        n++;
      },
      { limits: { maxFrames: 64 } },
      100_000,
    );
    expect(n).toBeGreaterThan(3000);
  });

  it('inside a metered call the largest proof (ecrecover) is 4,160 bytes (default memory limit, 2^20 instructions)', () => {
    const m = new Machine(
      compileProgram(
        wat(`(module ${HOST_IMPORTS} ${METERED_IMPORT} (memory 1)
          (data (i32.const 1152) "${SIG_DATA}")
          (table 1 funcref) (elem (i32.const 0) $tx)
          (func $tx (param i32) (result i32)
            (call $ecrecover (i32.const 1152) (i32.const 1184) (i32.const ${ECDSA.v}) (i32.const 1408)))
          (func $main (export "main") (drop (call $metered (i32.const 0) (i32.const 0) (i64.const 1000)))))`),
      ),
      undefined,
      NO_HOST,
    );
    const c = new MachineCommitter(m);
    let size = 0;
    while (m.status === Status.Running) {
      if (m.prog.ops[m.pc] === M.host) {
        expect(m.meterActive).toBe(true);
        size = proveStep(c).length + 32 * (20 - c.module.codeDepth);
      }
      m.run(1);
    }
    expect(toHex(m.memory.subarray(1408, 1440))).toBe(toHex(ECDSA.addressWord));
    expect(size).toBe(4160);
  });

  it('over the traps of the v1.1 host ops (unaligned and out-of-bounds pointers)', () => {
    const bodies = [
      '(call $keccak256_pair (i32.const 16) (i32.const 64))',
      '(call $keccak256_pair (i32.const 0) (i32.const 65))',
      '(call $keccak256_pair (i32.const 65504) (i32.const 0))',
      '(call $keccak256_pair (i32.const 0) (i32.const 65536))',
      '(drop (call $ecrecover (i32.const 8) (i32.const 64) (i32.const 27) (i32.const 128)))',
      '(drop (call $ecrecover (i32.const 0) (i32.const 33) (i32.const 27) (i32.const 128)))',
      '(drop (call $ecrecover (i32.const 0) (i32.const 64) (i32.const 27) (i32.const 100)))',
      '(drop (call $ecrecover (i32.const 0) (i32.const 65504) (i32.const 27) (i32.const 128)))',
      '(drop (call $ecrecover (i32.const 0) (i32.const 64) (i32.const 27) (i32.const -32)))',
    ];
    for (const body of bodies) {
      const m = new Machine(compileProgram(stf(body)), undefined, NO_HOST);
      const c = new MachineCommitter(m);
      let sawHost = false;
      while (m.status === Status.Running) {
        const pre = c.hash();
        const op = prog(m).ops[m.pc];
        const proof = proveStep(c);
        m.run(1);
        check({
          label: `${body} step ${m.steps - 1}`,
          op,
          moduleRoot: c.module.moduleRoot,
          pre,
          proof,
          post: c.hash(),
          host: NO_HOST,
        });
        if (op === M.host) sawHost = true;
      }
      expect(m.status, body).toBe(Status.Errored);
      expect(sawHost).toBe(true);
    }
  });

  it('over branches that discard values and wide loads', () => {
    let n = 0;
    moduleSamples('branches', branchesModule(), NO_HOST, (smp) => {
      check(smp);
      if (smp.op === M.drop_under) n++;
    });
    expect(n).toBe(2);
  });

  it('covers the instruction set', () => {
    const missing: string[] = [];
    const rows: string[] = ['| opcode | steps checked |', '|---|---|'];
    for (let op = 0; op < MOP_COUNT; op++) {
      const n = counts.get(op) ?? 0;
      rows.push(`| ${mopName(op)} | ${n} |`);
      if (n === 0) missing.push(mopName(op));
    }
    if (process.env.MODEX_COVERAGE_OUT) writeFileSync(process.env.MODEX_COVERAGE_OUT, `${rows.join('\n')}\n`);
    // nop is never emitted by lowering
    expect(missing, `opcodes never checked: ${missing.join(', ')}`).toEqual(['nop']);
  });

  it('rejects every lie: wrong pre-state, tampered stack item, code, memory, path, truncation', () => {
    // a loop that stores, loads and adds: every step has stack, code and (for memory ops) leaf proofs
    const prog = compileProgram(loopModule(), { entry: 'main' });
    const c = new MachineCommitter(new Machine(prog));
    const env = envFor({ inboxMessage: () => undefined, preimage: () => undefined });
    let sawStore = false;
    for (let i = 0; i < 200 && c.m.status === Status.Running; i++) {
      const pre = c.hash();
      const op = prog.ops[c.m.pc];
      const proof = proveStep(c);
      const fork = c.fork();
      fork.m.run(1);
      const honest = toHex(fork.hash());
      expect(toHex(verifyStep(pre, proof, env))).toBe(honest);
      // another pre-state hash
      const other = pre.slice();
      other[0] ^= 1;
      expect(() => verifyStep(other, proof, env)).toThrow(ProofError);
      // truncated
      expect(() => verifyStep(pre, proof.subarray(0, proof.length - 32), env)).toThrow(ProofError);
      expect(() => verifyStep(pre, proof.subarray(0, proof.length - 1), env)).toThrow(ProofError);
      // flip one byte in every word after the header: must throw or give a different post-state
      for (let w = 12; w < proof.length / 32; w++) {
        const bad = proof.slice();
        bad[w * 32 + 31] ^= 0x01;
        let got: string | undefined;
        try {
          got = toHex(verifyStep(pre, bad, env));
        } catch (e) {
          expect(e).toBeInstanceOf(ProofError);
        }
        if (got !== undefined) expect(got).not.toBe(honest);
      }
      if (op === M['i32.store']) sawStore = true;
      c.m.run(1);
    }
    expect(sawStore).toBe(true);
  });
});
