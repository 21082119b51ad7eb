/**
 * Property tests of the incremental committer: after every run chunk (single steps included), its
 * hash equals the hash of a committer built from scratch over the same machine state. This catches
 * bookkeeping bugs (stack low-water mark, frame/locals dirtiness, dirty memory leaves, growth,
 * globals, global state). Also: forks are independent, and random input never makes the machine or
 * the compiler throw anything but a typed ModexError.
 */
import { describe, expect, it } from 'vitest';
import { mutateBytes, Rng, randomBytes, randomModule } from '../../../test/wasm/random-module.ts';
import { ModexError } from '../../core/errors.ts';
import { MachineCommitter } from './commit.ts';
import { toHex } from './hash.ts';
import { type Machine, Status } from './machine.ts';
import { compileProgram, newMachine } from './program.ts';

const fresh = (m: Machine): string => toHex(new MachineCommitter(m.clone()).hash());

describe('MachineCommitter: incremental hash equals a fresh one', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`random module ${seed}`, () => {
      const prog = compileProgram(randomModule(seed, { maxPages: 2, trapRate: 0.01 }), {
        limits: { maxSteps: 40_000n },
      });
      const m = newMachine(prog);
      const c = new MachineCommitter(m);
      const r = new Rng(seed * 7919);
      let checks = 0;
      expect(toHex(c.hash())).toBe(fresh(m));
      while (m.status === Status.Running && checks < 30) {
        // bursts of single steps (each one is checked) alternating with longer runs
        const n = r.chance(0.6) ? 1 : r.pick([2, 3, 5, 17, 100, 1000]);
        m.run(n);
        // hash some unchecked steps too, so the caches are advanced in odd increments
        c.hash();
        if (r.chance(0.5)) continue;
        expect(toHex(c.hash()), `after ${m.steps} steps`).toBe(fresh(m));
        checks++;
      }
      m.run();
      expect(m.status).not.toBe(Status.Running);
      expect(toHex(c.hash())).toBe(fresh(m));
    });
  }

  it('checks every single step across calls, returns, memory growth and host ops', () => {
    // seed chosen so the first few hundred steps cover calls, stores and host ops
    const prog = compileProgram(randomModule(21, { maxPages: 2, trapRate: 0 }), {
      limits: { maxSteps: 100_000n },
    });
    const m = newMachine(prog);
    const c = new MachineCommitter(m);
    const seenOps = new Set<number>();
    for (let i = 0; i < 150 && m.status === Status.Running; i++) {
      seenOps.add(prog.ops[m.pc]);
      m.run(1);
      expect(toHex(c.hash()), `step ${m.steps}`).toBe(fresh(m));
    }
    expect(seenOps.size).toBeGreaterThan(10);
  });

  it('a fork runs on independently of its parent', () => {
    const prog = compileProgram(randomModule(3), { limits: { maxSteps: 40_000n } });
    const m = newMachine(prog);
    const c = new MachineCommitter(m);
    m.run(500);
    const before = toHex(c.hash());
    const f = c.fork();
    f.m.run(300);
    const forkHash = toHex(f.hash());
    expect(toHex(c.hash())).toBe(before);
    expect(forkHash).toBe(fresh(f.m));
    m.run(300);
    expect(toHex(c.hash())).toBe(forkHash);
  });
});

describe('robustness on random input', () => {
  it('random modules end Finished or Errored, never with a host exception', () => {
    for (let seed = 100; seed < 160; seed++) {
      const prog = compileProgram(randomModule(seed, { trapRate: 0.1 }), { limits: { maxSteps: 50_000n } });
      const m = newMachine(prog);
      m.run();
      expect([Status.Finished, Status.Errored]).toContain(m.status);
      if (m.status === Status.Errored) expect(m.trap).toBeTypeOf('string');
      else expect(m.trap).toBeUndefined();
    }
  });

  it('random bytes are rejected with a typed ModexError', () => {
    let rejected = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const bytes = randomBytes(seed);
      try {
        compileProgram(bytes);
      } catch (e) {
        expect(e, `seed ${seed}`).toBeInstanceOf(ModexError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(390);
  });

  it('mutated modules are rejected with a ModexError, or run to Finished / Errored', () => {
    let ran = 0;
    let rejected = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const bytes = mutateBytes(randomModule(seed % 40), seed);
      let prog: ReturnType<typeof compileProgram>;
      try {
        prog = compileProgram(bytes, { limits: { maxSteps: 20_000n } });
      } catch (e) {
        expect(e, `seed ${seed}`).toBeInstanceOf(ModexError);
        rejected++;
        continue;
      }
      const m = newMachine(prog);
      m.run();
      expect([Status.Finished, Status.Errored]).toContain(m.status);
      ran++;
    }
    expect(rejected).toBeGreaterThan(0);
    expect(ran).toBeGreaterThan(0);
  });
});
