import { describe, expect, it } from 'vitest';
import { wat } from '../../../../test/wasm/wat.ts';
import { lower } from '../lower.ts';
import { Machine, Status } from '../machine.ts';
import type { WasmModule } from '../module.ts';
import { Op } from '../opcodes.ts';
import { parseModule } from '../parse.ts';
import { validateModule } from '../validate.ts';
import { SpecLinkError } from './errors.ts';
import { type ImportTarget, type MergedModule, mergeModules } from './merge.ts';
import { SPECTEST_MEMORY, SPECTEST_TABLE } from './spectest-host.ts';

const mod = (text: string): WasmModule =>
  validateModule(parseModule(wat(text)), { resolveImport: () => true });

const EXPORTER = mod(`(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (type $r (func (result i32)))
  (memory (export "mem") 1)
  (table (export "tab") 3 funcref)
  (global $g (export "g") (mut i32) (i32.const 5))
  (elem (i32.const 0) $one)
  (data (i32.const 8) "\\07")
  (func $one (result i32) (i32.const 1))
  (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0)))
  (func (export "g+") (result i32) (call $print (i32.const 0)) (global.get $g)))`);

const IMPORTER = mod(`(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "E" "mem" (memory 1))
  (import "E" "tab" (table 3 funcref))
  (import "E" "g" (global $g (mut i32)))
  (import "E" "call" (func $call (param i32) (result i32)))
  (elem (i32.const 1) $two)
  (data (i32.const 9) "\\09")
  (func $two (result i32) (global.set $g (i32.const 6)) (i32.const 2))
  (func $start (call $print (i32.const 1)))
  (start $start))`);

// E's exports by index: mem 0, tab 0, g 0, call = function 2 (after the print import and $one);
// by name, as the binary may order imports by kind
const E_INDEX: Record<string, number> = { mem: 0, tab: 0, g: 0, call: 2 };
const targetsOf = (m: WasmModule, member = 0): ImportTarget[] =>
  m.imports.map((i) =>
    i.module === 'E' ? { kind: 'member', member, index: E_INDEX[i.name] } : { kind: 'host' },
  );
const LINKED = targetsOf(IMPORTER);

function run(merged: MergedModule, fn: number, args: bigint[], m?: Machine): Machine {
  const machine =
    m ??
    new Machine(
      lower(validateModule(merged.module, { resolveImport: () => true }), {
        entry: null,
        bindFunc: () => ({ kind: 'nop' }),
        importedMemory: SPECTEST_MEMORY,
        importedTable: SPECTEST_TABLE.limits,
      }),
    );
  if (!m) machine.run();
  machine.invoke(fn, args);
  machine.run();
  return machine;
}

describe('mergeModules', () => {
  const merged = mergeModules([
    { module: EXPORTER, targets: [{ kind: 'host' }] },
    { module: IMPORTER, targets: LINKED },
  ]);

  it('one import per spectest item, no active segment or start function: instantiation is a function per member', () => {
    expect(merged.module.imports.map((i) => `${i.module}.${i.name}`)).toEqual(['spectest.print_i32']);
    expect(merged.module.start).toBeUndefined();
    expect(merged.module.elems.some((s) => s.mode === 'active')).toBe(false);
    expect(merged.module.datas.every((s) => s.mode === 'passive')).toBe(true);
    // the importer's imports are the exporter's definitions
    expect(merged.funcs[1][1]).toBe(merged.funcs[0][2]);
    expect(merged.globals[1][0]).toBe(merged.globals[0][0]);
    expect(merged.tables[1][0]).toBe(merged.tables[0][0]);
    // member 1's instantiation: table.init + elem.drop, memory.init + data.drop, then its start
    const init = merged.module.funcs[merged.init[1] - 1].body.map((x) => x.op);
    expect(init.filter((op) => op !== Op.I32Const)).toEqual([
      Op.TableInit,
      Op.ElemDrop,
      Op.MemoryInit,
      Op.DataDrop,
      Op.Call,
      Op.End,
    ]);
  });

  it('runs as one module: state written by one member is seen by the other', () => {
    const m = run(merged, merged.init[0], []);
    run(merged, merged.init[1], [], m);
    expect(m.status).toBe(Status.Finished);
    expect(Array.from(m.memory.subarray(8, 10))).toEqual([7, 9]);
    run(merged, merged.funcs[0][2], [1n], m); // E.call(1): the importer's $two, which sets E's g
    expect(m.stackValue(m.sp - 1)).toBe(2n);
    run(merged, merged.funcs[0][3], [], m);
    expect(m.stackValue(m.sp - 1)).toBe(6n);
    // before the importer's instantiation, slot 1 is null
    const fresh = run(merged, merged.init[0], []);
    run(merged, merged.funcs[0][2], [1n], fresh);
    expect(fresh.status).toBe(Status.Errored);
  });

  it('refuses two memories, and an import from a later member', () => {
    const own = mod('(module (import "E" "g+" (func (result i32))) (memory 1))');
    expect(() =>
      mergeModules([
        { module: EXPORTER, targets: [{ kind: 'host' }] },
        { module: own, targets: [{ kind: 'member', member: 0, index: 3 }] },
      ]),
    ).toThrow(SpecLinkError);
    expect(() =>
      mergeModules([
        { module: IMPORTER, targets: targetsOf(IMPORTER, 1) },
        { module: EXPORTER, targets: [{ kind: 'host' }] },
      ]),
    ).toThrow(/later member/);
  });

  it('an immutable global by value and an unused function as a trap stub', () => {
    const user = mod(`(module (import "X" "k" (global $k i64)) (import "X" "f" (func $f (result i32)))
      (export "f" (func $f)) (func (export "k") (result i64) (global.get $k)))`);
    const m2 = mergeModules([
      {
        module: user,
        targets: user.imports.map((i) =>
          i.kind === 'global' ? { kind: 'value', value: 0xfffffffffffffffen } : { kind: 'stub' },
        ),
      },
    ]);
    const m = run(m2, m2.funcs[0][1], []);
    expect(m.stackValue(m.sp - 1)).toBe(0xfffffffffffffffen);
    run(m2, m2.funcs[0][0], [], m);
    expect(m.status).toBe(Status.Errored);
    expect(m.trap).toBe('unreachable');
  });
});
