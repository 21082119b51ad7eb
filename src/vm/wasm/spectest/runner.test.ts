import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wat } from '../../../../test/wasm/wat.ts';
import type { SpecEngine } from './engine.ts';
import { selectEngines } from './engines.ts';
import { SpecEngineError } from './errors.ts';
import { createInterpEngine } from './interp-engine.ts';
import { createNativeEngine } from './native-engine.ts';
import { formatFileResult, formatTotals, totals } from './report.ts';
import {
  runSpecFile,
  runSpecFiles,
  SKIP_CROSS_MODULE,
  SKIP_SHARED_STATE,
  SKIP_TEXT_MODULE,
} from './runner.ts';

const dir = mkdtempSync(join(tmpdir(), 'modex-spectest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes modules `t.N.wasm` and the script `t.json`; returns the script path. */
function script(name: string, modules: string[], commands: object[]): string {
  modules.forEach((m, i) => {
    writeFileSync(join(dir, `${name}.${i}.wasm`), wat(m, { validate: false }));
  });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ source_filename: `${name}.wast`, commands }));
  return path;
}

const i32 = (v: number | string) => ({ type: 'i32', value: String(v) });
const invoke = (field: string, args: object[] = [], module?: string) => ({
  type: 'invoke',
  field,
  args,
  ...(module ? { module } : {}),
});

const MAIN = `(module
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "print_i32" (func $print (param i32)))
  (global (export "g") i32 (global.get $g))
  (func (export "add") (param i32 i32) (result i32) (call $print (local.get 0)) (i32.add (local.get 0) (local.get 1)))
  (func (export "trap") unreachable)
  (func $rec (export "rec") (call $rec)))`;
const FLOAT = '(module (func (export "f") (result f32) (f32.const 1)))';
const START_TRAP = '(module (func $s unreachable) (start $s))';
const IMPORTS_M = '(module (import "M" "add" (func (param i32 i32) (result i32))))';
const INVALID = '(module (func (result i32) (i64.const 1)))';

describe('runSpecFile', () => {
  it('runs commands on the last and on named modules (a float one lowered), skipping what the machine rejects', () => {
    const file = script(
      'basic',
      [MAIN, FLOAT, START_TRAP, IMPORTS_M],
      [
        { type: 'module', line: 1, name: '$M', filename: 'basic.0.wasm' },
        {
          type: 'assert_return',
          line: 2,
          action: invoke('add', [i32(4294967295), i32(3)]),
          expected: [i32(2)],
        },
        { type: 'assert_return', line: 3, action: { type: 'get', field: 'g' }, expected: [i32(666)] },
        { type: 'assert_trap', line: 4, action: invoke('trap'), text: 'unreachable', expected: [] },
        {
          type: 'assert_exhaustion',
          line: 5,
          action: invoke('rec'),
          text: 'call stack exhausted',
          expected: [],
        },
        { type: 'action', line: 6, action: invoke('add', [i32(1), i32(1)]), expected: [i32(2)] },
        { type: 'register', line: 7, name: '$M', as: 'M' },
        { type: 'module', line: 8, filename: 'basic.1.wasm' },
        // f32 1.0 as its bits: the module runs lowered to integer code (docs/softfloat.md)
        {
          type: 'assert_return',
          line: 9,
          action: invoke('f'),
          expected: [{ type: 'f32', value: '1065353216' }],
        },
        {
          type: 'assert_return',
          line: 10,
          action: invoke('add', [i32(1), i32(2)], '$M'),
          expected: [i32(3)],
        },
        {
          type: 'assert_return',
          line: 11,
          action: invoke('add', [{ type: 'v128', value: '0' }], '$M'),
          expected: [],
        },
        { type: 'assert_uninstantiable', line: 12, filename: 'basic.2.wasm', text: 'unreachable' },
        { type: 'module', line: 13, filename: 'basic.3.wasm' },
        { type: 'assert_malformed', line: 14, filename: 'basic.4.wat', text: 'x', module_type: 'text' },
      ],
    );
    const r = runSpecFile(file, createNativeEngine());
    expect(r.failures).toEqual([]);
    expect(r).toMatchObject({ passed: 11, failed: 0, skipped: 3 });
    expect(r.skipReasons.get(SKIP_CROSS_MODULE)).toBe(1);
    expect(r.skipReasons.get(SKIP_TEXT_MODULE)).toBe(1);
    expect(r.skipReasons.get('v128 values')).toBe(1);
    expect(formatFileResult(r)).toMatch(/^basic\.json: 11 passed, 0 failed, 3 skipped \(/);
  });

  it('reports wrong results, missing traps and accepted invalid modules as failures with line numbers', () => {
    const file = script(
      'bad',
      [MAIN, INVALID],
      [
        { type: 'module', line: 1, filename: 'bad.0.wasm' },
        { type: 'assert_return', line: 2, action: invoke('add', [i32(1), i32(1)]), expected: [i32(3)] },
        { type: 'assert_trap', line: 3, action: invoke('add', [i32(1), i32(1)]), text: 'x', expected: [] },
        { type: 'assert_return', line: 4, action: invoke('trap'), expected: [] },
        { type: 'assert_invalid', line: 5, filename: 'bad.0.wasm', text: 'x', module_type: 'binary' },
        {
          type: 'assert_invalid',
          line: 6,
          filename: 'bad.1.wasm',
          text: 'type mismatch',
          module_type: 'binary',
        },
        { type: 'module', line: 7, filename: 'bad.1.wasm' },
        { type: 'assert_return', line: 8, action: invoke('f'), expected: [] },
      ],
    );
    const r = runSpecFile(file, createNativeEngine());
    expect(r.failures.map((f) => f.line)).toEqual([2, 3, 4, 5, 7, 8]);
    expect(r.failures[0].message).toBe('result 0: expected i32:3, got i32:2');
    expect(r).toMatchObject({ passed: 2, failed: 6, skipped: 0 });
    expect(formatFileResult(r, { verbose: true })).toContain('\n  line 2: assert_return: result 0');
  });

  it('assert_trap and assert_uninstantiable need the spec message, on both engines', () => {
    const DIV = `(module
      (memory 1)
      (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
      (func (export "load") (result i32) (i32.load (i32.const 65536)))
      (func (export "fill") (memory.fill (i32.const 65535) (i32.const 0) (i32.const 2))))`;
    const file = script(
      'msg',
      [DIV, START_TRAP],
      [
        { type: 'module', line: 1, filename: 'msg.0.wasm' },
        {
          type: 'assert_trap',
          line: 2,
          action: invoke('div', [i32(0)]),
          text: 'integer divide by zero',
          expected: [],
        },
        {
          type: 'assert_trap',
          line: 3,
          action: invoke('div', [i32(0)]),
          text: 'integer overflow',
          expected: [],
        },
        {
          type: 'assert_trap',
          line: 4,
          action: invoke('load'),
          text: 'out of bounds memory access',
          expected: [],
        },
        {
          type: 'assert_trap',
          line: 5,
          action: invoke('fill'),
          text: 'out of bounds memory access',
          expected: [],
        },
        { type: 'assert_trap', line: 6, action: invoke('fill'), text: 'unreachable', expected: [] },
        { type: 'assert_uninstantiable', line: 7, filename: 'msg.1.wasm', text: 'unreachable' },
        { type: 'assert_uninstantiable', line: 8, filename: 'msg.1.wasm', text: 'integer overflow' },
      ],
    );
    for (const engine of selectEngines('all')) {
      const r = runSpecFile(file, engine);
      expect(
        r.failures.map((f) => f.line),
        engine.name,
      ).toEqual([3, 6, 8]);
      expect(r.failures[0].message).toBe(
        'expected trap "integer overflow", got trap: integer divide by zero',
      );
    }
  });

  it('needs exactly the invalid or malformed verdict: a refused feature or the other kind fails', () => {
    const file = script(
      'strict',
      [FLOAT, INVALID],
      [
        { type: 'assert_invalid', line: 1, filename: 'strict.0.wasm', text: 'x', module_type: 'binary' },
        { type: 'assert_malformed', line: 2, filename: 'strict.1.wasm', text: 'x', module_type: 'binary' },
        { type: 'assert_invalid', line: 3, filename: 'strict.1.wasm', text: 'x', module_type: 'binary' },
      ],
    );
    const r = runSpecFile(file, createNativeEngine());
    expect(r.failures.map((f) => f.line)).toEqual([1, 2]);
    expect(r.failures[0].message).toMatch(/expected WASM_INVALID \("x"\), got WASM_UNSUPPORTED_FEATURE/);
    expect(r.failures[1].message).toMatch(/expected WASM_MALFORMED \("x"\), got WASM_INVALID/);
  });

  it('skips results of a module whose memory a skipped cross-module instance could write', () => {
    const MEM =
      '(module (memory (export "mem") 1) (func (export "load") (result i32) (i32.load8_u (i32.const 0))))';
    const WRITER = '(module (memory (import "Mm" "mem") 1) (data (i32.const 0) "a"))';
    const CALLER = '(module (import "Mm" "load" (func (result i32))))';
    const load = { type: 'assert_return', action: invoke('load', [], '$Mm'), expected: [i32(0)] };
    const file = script(
      'taint',
      [MEM, CALLER, WRITER],
      [
        { type: 'module', line: 1, name: '$Mm', filename: 'taint.0.wasm' },
        { type: 'register', line: 2, name: '$Mm', as: 'Mm' },
        { type: 'module', line: 3, filename: 'taint.1.wasm' },
        { ...load, line: 4 },
        { type: 'module', line: 5, filename: 'taint.2.wasm' },
        { ...load, line: 6 },
      ],
    );
    const r = runSpecFile(file, createNativeEngine());
    // line 3 only imports a function and has no start function: $Mm is still known (line 4 passes)
    expect(r).toMatchObject({ passed: 3, failed: 0, skipped: 3 });
    expect(r.skipReasons.get(SKIP_CROSS_MODULE)).toBe(2);
    expect(r.skipReasons.get(SKIP_SHARED_STATE)).toBe(1);
  });

  it('links imports of constant functions of another module by value, on both engines; skips the others', () => {
    const EXPORTER = `(module (func (export "seven") (result i32) (i32.const 7))
      (func (export "big") (result i64) (i64.const -2))
      (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))`;
    const IMPORTER = `(module (type $r (func (result i32)))
      (import "E" "seven" (func $seven (result i32)))
      (import "E" "big" (func $big (result i64)))
      (table 2 funcref) (elem (i32.const 1) func $seven)
      (func (export "direct") (result i32) (call $seven))
      (func (export "wide") (result i64) (call $big))
      (func (export "indirect") (param i32) (result i32) (call_indirect (type $r) (local.get 0))))`;
    const NOT_CONSTANT = '(module (import "E" "inc" (func (param i32) (result i32))))';
    const WRONG_TYPE = '(module (import "E" "seven" (func (result i64))))';
    const file = script(
      'link',
      [EXPORTER, IMPORTER, NOT_CONSTANT, WRONG_TYPE],
      [
        { type: 'module', line: 1, filename: 'link.0.wasm' },
        { type: 'register', line: 2, as: 'E' },
        { type: 'module', line: 3, filename: 'link.1.wasm' },
        { type: 'assert_return', line: 4, action: invoke('direct'), expected: [i32(7)] },
        {
          type: 'assert_return',
          line: 5,
          action: invoke('wide'),
          expected: [{ type: 'i64', value: '18446744073709551614' }],
        },
        { type: 'assert_return', line: 6, action: invoke('indirect', [i32(1)]), expected: [i32(7)] },
        { type: 'assert_trap', line: 7, action: invoke('indirect', [i32(0)]), text: 'uninitialized element' },
        { type: 'module', line: 8, filename: 'link.2.wasm' },
        { type: 'module', line: 9, filename: 'link.3.wasm' },
      ],
    );
    for (const engine of [createNativeEngine(), createInterpEngine()]) {
      const r = runSpecFile(file, engine);
      expect(r.failures, engine.name).toEqual([]);
      expect(r, engine.name).toMatchObject({ passed: 7, failed: 0, skipped: 2 });
      expect(r.skipReasons.get(SKIP_CROSS_MODULE), engine.name).toBe(2);
    }
  });

  it('runs several files and engines and totals them', () => {
    const file = script('tiny', [MAIN], [{ type: 'module', line: 1, filename: 'tiny.0.wasm' }]);
    const calls: string[] = [];
    const native = createNativeEngine();
    const spy: SpecEngine = {
      name: 'spy',
      instantiate: (m) => {
        calls.push('instantiate');
        return native.instantiate(m);
      },
    };
    const results = runSpecFiles([file, file], [native, spy]);
    expect(results.map((r) => r.engine)).toEqual(['native', 'spy', 'native', 'spy']);
    expect(calls).toHaveLength(2);
    expect(formatTotals(totals(results))).toBe('spectest: 4 passed, 0 failed, 0 skipped');
  });
});

describe('selectEngines', () => {
  it('creates engines by name or all of them, rejects unknown names', () => {
    expect(selectEngines('native').map((e) => e.name)).toEqual(['native']);
    expect(selectEngines('all').map((e) => e.name)).toContain('native');
    expect(() => selectEngines('wasmtime')).toThrow(SpecEngineError);
  });
});
