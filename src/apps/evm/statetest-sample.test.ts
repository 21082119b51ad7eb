/**
 * A fixed sample of Ethereum's GeneralStateTests on the EVM guest (docs/evm.md "The state-test
 * runner"): the first file (sorted) of every folder of the suite, every case natively; and the
 * first case of each of those files also in the step interpreter. No case of the sample may fail.
 * A file is left out of the sample only for a reason written in EXCLUDED (the next file of its
 * folder takes its place).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformancePath, hasConformance } from '../../../test/conformance.ts';
import { PreimageStore } from '../sdk/preimage-store.ts';
import { loadFixtureFile } from './fixture.ts';
import { evmGuestBytes, type FileResult, StateTestRunner } from './runner.ts';
import { writePreState } from './world.ts';

const SUITE = 'ethereum-tests/GeneralStateTests';

/** files left out of the sample, with the reason */
const EXCLUDED: Record<string, string> = {
  'stTimeConsuming/CALLBlake2f_MaxRounds.json':
    'BLAKE2 F with 2^32 - 1 rounds: about 9 minutes natively (the software precompile)',
};

/** the first non-excluded .json file of every folder that has one */
function sample(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    const first = entries.find(
      (e) => e.isFile() && e.name.endsWith('.json') && !(relative(root, join(dir, e.name)) in EXCLUDED),
    );
    if (first) out.push(join(dir, first.name));
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(root);
  return out;
}

describe.runIf(hasConformance(SUITE))('GeneralStateTests sample on the EVM guest (slow)', () => {
  const root = conformancePath(SUITE);
  const files = sample(root);
  let wasm: Uint8Array;

  it('the sample has a file of every folder', { timeout: 300_000 }, () => {
    wasm = evmGuestBytes();
    expect(files.length).toBeGreaterThanOrEqual(60);
  });

  it('every case of the sample passes natively', { timeout: 600_000 }, () => {
    const runner = new StateTestRunner({ engine: 'native', wasm });
    const results: FileResult[] = files.map((f) => runner.runFile(f));
    const failed = results.flatMap((r) =>
      r.cases
        .filter((c) => c.status !== 'pass')
        .map((c) => `${relative(root, r.file)} ${c.test} case ${c.index}: ${c.status} ${c.reason}`),
    );
    const passed = results.reduce((n, r) => n + r.passed, 0);
    console.log(`statetest sample (native): ${files.length} files, ${passed} cases passed`);
    expect(failed).toEqual([]);
    expect(passed).toBeGreaterThan(files.length);
  });

  it('the first case of each sampled file passes in the step interpreter too', { timeout: 600_000 }, () => {
    const interp = new StateTestRunner({ engine: 'interp', wasm });
    const native = new StateTestRunner({ engine: 'native', wasm });
    const bad: string[] = [];
    let steps = 0;
    for (const f of files) {
      const t = loadFixtureFile(f).find((x) => x.cases.length > 0);
      if (!t) continue;
      const store = new PreimageStore();
      const pre = writePreState(store, t.pre);
      const i = interp.runCase(t, t.cases[0], store, pre);
      const n = native.runCase(t, t.cases[0], store, pre);
      if (i.status !== 'pass') bad.push(`${relative(root, f)} ${t.name}: ${i.status} ${i.reason}`);
      else if (i.steps !== n.steps)
        bad.push(`${relative(root, f)} ${t.name}: steps ${i.steps} vs native ${n.steps}`);
      steps += i.steps ?? 0;
    }
    console.log(`statetest sample (interp): ${files.length} cases, ${steps} interpreter steps`);
    expect(bad).toEqual([]);
  });
});
