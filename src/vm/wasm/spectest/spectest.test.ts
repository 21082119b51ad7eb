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
        expect(r.failures, formatFileResult(r, { verbose: true })).toEqual([]);
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

describe('wasm spec tests: runner', () => {
  it('skips text-format modules with a reason', () => {
    const r = runSpecFile(join(SPEC_DIR, 'block.json'), createNativeEngine());
    expect(r.skipReasons.get(SKIP_TEXT_MODULE)).toBeGreaterThan(0);
  });
});
