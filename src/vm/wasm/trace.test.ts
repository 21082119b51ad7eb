/**
 * Property tests of ExecutionTrace: `hashAt(k)` (from checkpoints) equals the hash of a fresh
 * machine run k steps from scratch and committed from scratch, for random modules and random k.
 */
import { describe, expect, it } from 'vitest';
import { Rng, randomModule } from '../../../test/wasm/random-module.ts';
import { MachineCommitter } from './commit.ts';
import { toHex } from './hash.ts';
import { Status } from './machine.ts';
import { type CompileOptions, compileProgram, newMachine } from './program.ts';
import { ExecutionTrace } from './trace.ts';

const OPTS: CompileOptions = { limits: { maxSteps: 30_000n } };

function fromScratch(bytes: Uint8Array, k: number): string {
  const m = newMachine(compileProgram(bytes, OPTS));
  m.run(k);
  return toHex(new MachineCommitter(m).hash());
}

describe('ExecutionTrace.hashAt', () => {
  for (const [seed, interval] of [
    [1, 29],
    [2, 7],
    [3, 64],
    [4, 97],
    [5, 1000],
    [6, 4096],
    [7, 33],
    [8, 250],
    [9, 1 << 16],
    [10, 13],
  ]) {
    it(`random module ${seed}, checkpoint interval ${interval}`, () => {
      const bytes = randomModule(seed, { maxPages: 2 });
      const trace = new ExecutionTrace(newMachine(compileProgram(bytes, OPTS)), { interval });
      const total = trace.totalSteps();
      expect(total).toBeGreaterThan(0);
      const r = new Rng(seed);
      const ks = new Set([0, 1, total - 1, total, total + 3, Math.min(interval, total), 2 * interval + 1]);
      while (ks.size < 14) ks.add(r.int(total + 1));
      // out of order on purpose: the trace extends lazily and forks checkpoints
      for (const k of [...ks].sort(() => r.int(3) - 1)) {
        if (k < 0) continue;
        expect(toHex(trace.hashAt(k)), `k = ${k} of ${total}`).toBe(fromScratch(bytes, k));
      }
      const end = trace.at(total + 10);
      expect(end.m.status).not.toBe(Status.Running);
      expect(end.m.steps).toBe(total);
    });
  }

  it('hashAt is stable and distinct for distinct steps', () => {
    const bytes = randomModule(11, { trapRate: 0 });
    const trace = new ExecutionTrace(newMachine(compileProgram(bytes, OPTS)), { interval: 16 });
    const hashes = new Set<string>();
    const n = Math.min(trace.totalSteps(), 200);
    for (let k = 0; k <= n; k++) hashes.add(toHex(trace.hashAt(k)));
    expect(hashes.size).toBe(n + 1);
    expect(toHex(trace.hashAt(n))).toBe(fromScratch(bytes, n));
  });
});
