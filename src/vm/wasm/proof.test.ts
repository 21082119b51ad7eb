import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MachineCommitter } from './commit.ts';
import { toHex, type Word } from './hash.ts';
import { M, mopName } from './isa.ts';
import { type HostData, Machine, Status } from './machine.ts';
import { parseModule } from './parse.ts';
import { compileProgram } from './program.ts';
import { messageHash, proveStep } from './proof.ts';
import {
  resolveSpectestImport,
  SPECTEST_GLOBALS,
  SPECTEST_MEMORY,
  SPECTEST_TABLE,
} from './spectest/spectest-host.ts';
import { ProofError, type VerifierEnv, verifyStep } from './verify.ts';

const SPEC_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/conformance/wasm-spec/json',
);

function envFor(host: HostData): VerifierEnv {
  return {
    inboxMessageHash: (pos) => {
      const m = host.inboxMessage(pos);
      return m ? messageHash(m) : undefined;
    },
    preimageChunk: (kind, hash, offset) => {
      const p = host.preimage(kind, hash) ?? new Uint8Array(0);
      return p.subarray(Math.min(offset, p.length), Math.min(offset + 32, p.length));
    },
  };
}

/** Steps `c.m` up to `max` times, checking each step's proof against the interpreter. */
function checkSteps(c: MachineCommitter, max: number, counts: Map<number, number>, env: VerifierEnv): number {
  let n = 0;
  while (n < max && c.m.status === Status.Running) {
    const pre = c.hash();
    const op = c.m.prog.ops[c.m.pc];
    const proof = proveStep(c);
    expect(proof.length).toBeLessThanOrEqual(4096);
    c.m.run(1);
    const post = c.hash();
    let got: Word;
    try {
      got = verifyStep(pre, proof, env);
    } catch (e) {
      throw new Error(`step ${c.m.steps - 1} (${mopName(op)}): verifier threw ${(e as Error).message}`);
    }
    if (toHex(got) !== toHex(post)) {
      throw new Error(
        `step ${c.m.steps - 1} (${mopName(op)}): verifier ${toHex(got)} != interpreter ${toHex(post)}`,
      );
    }
    counts.set(op, (counts.get(op) ?? 0) + 1);
    n++;
  }
  return n;
}

interface Cmd {
  type: string;
  filename?: string;
  action?: { type: string; field: string; args: { type: string; value: string }[] };
}

describe('one-step proofs: the TS verifier agrees with the interpreter on every step', () => {
  it('over the spec-test modules', () => {
    const counts = new Map<number, number>();
    const env = envFor({ inboxMessage: () => undefined, preimage: () => undefined });
    for (const file of readdirSync(SPEC_DIR).filter((f) => f.endsWith('.json'))) {
      const script = JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as { commands: Cmd[] };
      let c: MachineCommitter | undefined;
      let prog: ReturnType<typeof compileProgram> | undefined;
      for (const cmd of script.commands) {
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
          checkSteps(c, 5000, counts, env);
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
          checkSteps(c, 3000, counts, env);
        }
      }
    }
    const covered = [...counts.keys()].map(mopName).sort();
    expect(covered.length).toBeGreaterThan(80);
    expect(counts.get(M['i64.div_s'])).toBeGreaterThan(0);
  }, 300_000);

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

/** (func main) loop i = 0..: mem[i*4] = i; acc += mem[i*4], 20 times; memory 1 page */
function loopModule(): Uint8Array {
  // hand-assembled: see the text in the comment above
  const body = [
    0x01,
    0x02,
    0x7f, // 2 locals i32 (i, acc)
    0x03,
    0x40, // loop
    0x20,
    0x00,
    0x41,
    0x04,
    0x6c, // i*4
    0x20,
    0x00,
    0x36,
    0x02,
    0x00, // i32.store
    0x20,
    0x01,
    0x20,
    0x00,
    0x41,
    0x04,
    0x6c,
    0x28,
    0x02,
    0x00,
    0x6a,
    0x21,
    0x01, // acc += load
    0x20,
    0x00,
    0x41,
    0x01,
    0x6a,
    0x22,
    0x00,
    0x41,
    0x14,
    0x49,
    0x0d,
    0x00, // i++ < 20 -> br_if 0
    0x0b,
    0x0b,
  ];
  const sec = (id: number, bytes: number[]) => [id, bytes.length, ...bytes];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...sec(1, [1, 0x60, 0, 0]),
    ...sec(3, [1, 0]),
    ...sec(5, [1, 0, 1]),
    ...sec(7, [1, 4, 0x6d, 0x61, 0x69, 0x6e, 0, 0]),
    ...sec(10, [1, body.length, ...body]),
  ]);
}
