import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformancePath, hasConformance } from '../../../../test/conformance.ts';
import { ModexError } from '../../../core/errors.ts';
import { V8Wasm } from '../native.ts';
import { parseModule } from '../parse.ts';
import { validateModule } from '../validate.ts';
import { createInterpEngine } from './interp-engine.ts';
import { createNativeEngine } from './native-engine.ts';
import { formatFileResult } from './report.ts';
import { runSpecFile, SKIP_TEXT_MODULE } from './runner.ts';
import { parseScript } from './script.ts';

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
  'memory_size.json': 40,
  'nop.json': 80,
  'ref_null.json': 3,
  // several tables, call_indirect on any (docs/machine.md §5.6)
  'select.json': 148,
  'exports.json': 96,
  // table instructions, tables in the machine state (docs/machine.md §5.7)
  'bulk.json': 117,
  'ref_is_null.json': 16,
  'table_copy.json': 1728,
  'table_fill.json': 45,
  'table_get.json': 16,
  'table_init.json': 780,
  'table_set.json': 26,
  'table_size.json': 39,
  'store.json': 60,
  // floats, run lowered to integer code and the soft-float library (docs/softfloat.md)
  'f32.json': 2500,
  'f64.json': 2500,
  'f32_cmp.json': 2400,
  'f64_cmp.json': 2400,
  // cross-module linking (docs/machine.md §9 "Linking"): every command of these runs
  'linking.json': 132,
  'imports.json': 162,
  'ref_func.json': 17,
  'memory_grow.json': 104,
  'table_grow.json': 58,
};
const MIN_TOTAL_PASSED = 20_000;

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
        // no failure at all (issue 15): assert_invalid / assert_malformed need exactly the
        // invalid / malformed verdict, and results that depend on a skipped instance are skipped
        expect(r.failures, formatFileResult(r, { verbose: true })).toEqual([]);
        expect(r.passed).toBeGreaterThanOrEqual(MIN_PASSED[file] ?? 0);
        // every skip has a reason, and the only one is a text-format module (issue 15)
        expect([...r.skipReasons.values()].reduce((a, b) => a + b, 0)).toBe(r.skipped);
        expect([...r.skipReasons.keys()].filter((k) => k !== SKIP_TEXT_MODULE)).toEqual([]);
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

/** What parse + validate say about a binary: 'ok' or the error code. */
function verdict(bytes: Uint8Array): string {
  try {
    validateModule(parseModule(bytes), { resolveImport: () => true });
    return 'ok';
  } catch (e) {
    if (e instanceof ModexError) return e.code;
    throw e;
  }
}

function v8Accepts(bytes: Uint8Array): boolean {
  try {
    new V8Wasm.Module(bytes);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(files.length === 0)('wasm spec tests: decoding and validation against V8', () => {
  it('every binary module of the suite: accepted ones V8 accepts, invalid/malformed ones V8 rejects', () => {
    const disagreements: string[] = [];
    let modules = 0;
    for (const file of files) {
      const { commands } = parseScript(readFileSync(join(SPEC_DIR, file), 'utf8'), file);
      for (const cmd of commands) {
        if (!('filename' in cmd) || !cmd.filename.endsWith('.wasm')) continue;
        const bytes = readFileSync(join(SPEC_DIR, cmd.filename));
        const ours = verdict(bytes);
        modules++;
        if (ours === 'WASM_UNSUPPORTED_FEATURE') continue; // a refused feature: V8 may well run it
        const v8Valid = v8Accepts(bytes);
        if ((ours === 'ok') !== v8Valid)
          disagreements.push(
            `${file} line ${cmd.line} (${cmd.type}): modex ${ours}, V8 ${v8Valid ? 'valid' : 'invalid'}`,
          );
      }
    }
    expect(modules).toBeGreaterThan(2000);
    expect(disagreements).toEqual([]);
  });
});
