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
import { runSpecFile, runSpecFiles, SKIP_LINK, SKIP_SHARED_STATE, SKIP_TEXT_MODULE } from './runner.ts';

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
    // line 13 imports a function of the module registered as M: linked
    expect(r).toMatchObject({ passed: 12, failed: 0, skipped: 2 });
    expect(r.skipReasons.get(SKIP_TEXT_MODULE)).toBe(1);
    expect(r.skipReasons.get('v128 values')).toBe(1);
    expect(formatFileResult(r)).toMatch(/^basic\.json: 12 passed, 0 failed, 2 skipped \(/);
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

  it('links instances on both engines: shared memory, table, mutable global and functions, with partial writes of a trapping instantiation', () => {
    const EXPORTER = `(module
      (type $r (func (result i32)))
      (memory (export "mem") 1 4)
      (table (export "tab") 4 funcref)
      (global (export "g") (mut i32) (i32.const 10))
      (global (export "k") i64 (i64.const -2))
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "grow") (result i32) (memory.grow (i32.const 1)))
      (func (export "get") (result i32) (global.get 0))
      (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0))))`;
    const IMPORTER = `(module
      (import "E" "mem" (memory 2))
      (import "E" "tab" (table 4 funcref))
      (import "E" "g" (global $g (mut i32)))
      (import "E" "k" (global $k i64))
      (import "E" "load" (func $load (param i32) (result i32)))
      (elem (i32.const 1) $seven)
      (data (i32.const 3) "\\2a")
      (func $seven (result i32) (i32.const 7))
      (func (export "bump") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (call $load (i32.const 3)))
      (func (export "k") (result i64) (global.get $k)))`;
    // writes slot 2 and byte 0, then traps in its start function: the writes stay (wasm 2.0)
    const PARTIAL = `(module
      (import "E" "mem" (memory 1))
      (import "E" "tab" (table 1 funcref))
      (elem (i32.const 2) $nine)
      (data (i32.const 0) "\\05")
      (func $nine (result i32) (i32.const 9))
      (func $start unreachable)
      (start $start))`;
    const TOO_SMALL = '(module (import "E" "mem" (memory 3)))';
    const WRONG_TYPE = '(module (import "E" "load" (func (param i64) (result i32))))';
    const WRONG_MUT = '(module (import "E" "g" (global i32)))';
    const file = script(
      'link',
      [EXPORTER, IMPORTER, PARTIAL, TOO_SMALL, WRONG_TYPE, WRONG_MUT],
      [
        { type: 'module', line: 1, name: '$E', filename: 'link.0.wasm' },
        { type: 'register', line: 2, name: '$E', as: 'E' },
        // the importer asks for 2 pages: it links only once the memory has grown
        { type: 'assert_unlinkable', line: 3, filename: 'link.1.wasm', text: 'incompatible import type' },
        { type: 'assert_return', line: 4, action: invoke('grow', [], '$E'), expected: [i32(1)] },
        { type: 'module', line: 5, name: '$I', filename: 'link.1.wasm' },
        { type: 'assert_return', line: 6, action: invoke('load', [i32(3)], '$E'), expected: [i32(42)] },
        { type: 'assert_return', line: 7, action: invoke('call', [i32(1)], '$E'), expected: [i32(7)] },
        { type: 'assert_return', line: 8, action: invoke('bump', [], '$I'), expected: [i32(42)] },
        { type: 'assert_return', line: 9, action: invoke('get', [], '$E'), expected: [i32(11)] },
        {
          type: 'assert_return',
          line: 10,
          action: invoke('k', [], '$I'),
          expected: [{ type: 'i64', value: '18446744073709551614' }],
        },
        { type: 'assert_uninstantiable', line: 11, filename: 'link.2.wasm', text: 'unreachable' },
        { type: 'assert_return', line: 12, action: invoke('call', [i32(2)], '$E'), expected: [i32(9)] },
        { type: 'assert_return', line: 13, action: invoke('load', [i32(0)], '$E'), expected: [i32(5)] },
        {
          type: 'assert_trap',
          line: 14,
          action: invoke('call', [i32(0)], '$E'),
          text: 'uninitialized element',
        },
        { type: 'assert_unlinkable', line: 15, filename: 'link.3.wasm', text: 'incompatible import type' },
        { type: 'assert_unlinkable', line: 16, filename: 'link.4.wasm', text: 'incompatible import type' },
        { type: 'assert_unlinkable', line: 17, filename: 'link.5.wasm', text: 'incompatible import type' },
        // the same global seen from both instances after the importer's write
        { type: 'assert_return', line: 18, action: invoke('bump', [], '$I'), expected: [i32(42)] },
        { type: 'assert_return', line: 19, action: invoke('get', [], '$E'), expected: [i32(12)] },
      ],
    );
    for (const engine of [createNativeEngine(), createInterpEngine()]) {
      const r = runSpecFile(file, engine);
      expect(r.failures, engine.name).toEqual([]);
      expect(r, engine.name).toMatchObject({ passed: 19, failed: 0, skipped: 0 });
    }
  });

  it('skips an instance the interpreter cannot link (two memories in one group) and the results it could change', () => {
    const MEM =
      '(module (memory (export "mem") 1) (func (export "load") (result i32) (i32.load8_u (i32.const 0))))';
    // its own memory, and it calls a function of $Mm: one group would need two memories
    const CALLER =
      '(module (import "Mm" "load" (func $load (result i32))) (memory 1) (func (export "f") (result i32) (call $load)))';
    const load = { type: 'assert_return', action: invoke('load', [], '$Mm'), expected: [i32(0)] };
    const file = script(
      'taint',
      [MEM, CALLER],
      [
        { type: 'module', line: 1, name: '$Mm', filename: 'taint.0.wasm' },
        { type: 'register', line: 2, name: '$Mm', as: 'Mm' },
        { ...load, line: 3 },
        { type: 'module', line: 4, filename: 'taint.1.wasm' },
        { type: 'assert_return', line: 5, action: invoke('f'), expected: [i32(0)] },
        { ...load, line: 6 },
      ],
    );
    const native = runSpecFile(file, createNativeEngine());
    expect(native).toMatchObject({ passed: 6, failed: 0, skipped: 0 });
    const interp = runSpecFile(file, createInterpEngine());
    expect(interp).toMatchObject({ passed: 3, failed: 0, skipped: 3 });
    const linkSkips = [...interp.skipReasons].filter(([reason]) => reason.startsWith(SKIP_LINK));
    expect(linkSkips.map(([reason, n]) => [reason.includes('more than one memory'), n])).toEqual([[true, 2]]);
    expect(interp.skipReasons.get(SKIP_SHARED_STATE)).toBe(1);
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
