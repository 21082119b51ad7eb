import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformancePath, hasConformance } from '../../../../test/conformance.ts';
import { createInterpEngine } from './interp-engine.ts';
import { createNativeEngine } from './native-engine.ts';
import { formatFileResult } from './report.ts';
import { runSpecFile, SKIP_TEXT_MODULE } from './runner.ts';

const SPEC_DIR = conformancePath('wasm-spec/json');
const files = (hasConformance('wasm-spec/json') ? readdirSync(SPEC_DIR) : [])
  .filter((f) => f.endsWith('.json'))
  .sort();

/**
 * Floors on passed commands per file (native engine). They catch a runner or validator that
 * silently skips what the machine should run; raise them when support grows.
 */
const MIN_PASSED: Readonly<Record<string, number>> = {
  'block.json': 150,
  'i32.json': 450,
  'i64.json': 400,
  'load.json': 80,
  'memory_grow.json': 90,
  'memory_size.json': 40,
  'nop.json': 80,
  'store.json': 60,
};
const MIN_TOTAL_PASSED = 1750;

/**
 * Known failures of the WebAssembly 2.0 scripts that ../shared/conformance gained after the
 * machine was written (issue 15: element segments and linking across modules; a `ref.func` the
 * validator wrongly refuses): script -> the lines of its failing commands. Any other failure fails
 * the test; a script whose known failures all pass now fails it too, so the list only shrinks.
 */
const KNOWN_FAILURES: Readonly<Record<string, readonly number[]>> = {
  'linking.json': [209, 215, 275, 288, 349, 406, 407, 419, 452, 453],
  'ref_func.json': [80],
};

for (const makeEngine of [createNativeEngine, createInterpEngine]) {
  const engine = makeEngine();
  describe.skipIf(files.length === 0)(`wasm spec tests (${engine.name} engine)`, () => {
    it('finds the conformance scripts', () => {
      expect(files.length).toBeGreaterThanOrEqual(20);
    });

    let total = 0;
    for (const file of files) {
      it(file, () => {
        const r = runSpecFile(join(SPEC_DIR, file), engine);
        const known = KNOWN_FAILURES[file] ?? [];
        const unexpected = r.failures.filter((f) => !known.includes(f.line));
        expect(unexpected, formatFileResult(r, { verbose: true })).toEqual([]);
        if (known.length > 0)
          expect(
            r.failures.length,
            `${file}: its known failures pass now: remove them from KNOWN_FAILURES`,
          ).toBeGreaterThan(0);
        expect(r.passed).toBeGreaterThanOrEqual(MIN_PASSED[file] ?? 0);
        // every skip has a reason
        expect([...r.skipReasons.values()].reduce((a, b) => a + b, 0)).toBe(r.skipped);
        total += r.passed;
      });
    }

    it('passes enough commands overall', () => {
      expect(total).toBeGreaterThanOrEqual(MIN_TOTAL_PASSED);
    });
  });
}

describe.skipIf(files.length === 0)('wasm spec tests: runner', () => {
  it('skips text-format modules with a reason', () => {
    const r = runSpecFile(join(SPEC_DIR, 'block.json'), createNativeEngine());
    expect(r.skipReasons.get(SKIP_TEXT_MODULE)).toBeGreaterThan(0);
  });
});
