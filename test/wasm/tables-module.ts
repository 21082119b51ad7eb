/**
 * An STF module with several tables (docs/machine.md §5.6): three funcref tables of different sizes
 * and an externref table, element segments into each, and `call_indirect` on every funcref table.
 * main packs the six calls' results into global-state u64 slot 1 (byte k = call k), so the
 * interpreter, the native runner and the one-step prover can be compared on it. A trap variant ends
 * main with a `call_indirect` that must trap: `oob` indexes table $t0 (size 2) at 3, which is a
 * valid slot of the program table (table $t1's slot 1, a function of the right type), so only the
 * bounds check of §5.6 stops it; `null` calls a null slot of $t1; `type` calls $t2's slot 0 with
 * the wrong type.
 */
import binaryen from 'binaryen';
import { HOST_IMPORTS } from './wat.ts';

const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.BulkMemory |
  binaryen.Features.ReferenceTypes;

/** u64 slot 1 after main: b(5) = 15, c = 7, a(9) = 10, b(4) = 12, c = 7, a(2) = 3, byte by byte */
export const TABLES_MODULE_RESULT = 0x03070c0a070fn;

export type TablesTrap = 'oob' | 'null' | 'type';
export const TABLES_TRAP_REASON: Record<TablesTrap, string> = {
  oob: 'undefined element',
  null: 'uninitialized element',
  type: 'indirect call type mismatch',
};

export function tablesModule(trap?: TablesTrap): Uint8Array {
  const trapCall = {
    oob: '(drop (call_indirect $t0 (type $v) (i32.const 3)))',
    null: '(drop (call_indirect $t1 (type $v) (i32.const 0)))',
    type: '(drop (call_indirect $t2 (type $v) (i32.const 0)))',
  };
  const put = (k: number, call: string): string =>
    `(local.set $acc (i64.or (local.get $acc) (i64.shl (i64.extend_i32_u ${call}) (i64.const ${8 * k}))))`;
  const text = `(module ${HOST_IMPORTS} (memory 1)
    (type $ii (func (param i32) (result i32)))
    (type $v (func (result i32)))
    (table $t0 2 funcref)
    (table $x 3 externref)
    (table $t1 3 funcref)
    (table $t2 4 5 funcref)
    (elem (table $t0) (i32.const 0) func $a $b)
    (elem (table $t1) (i32.const 1) func $c $a)
    (elem (table $t2) (i32.const 0) func $b $c $a)
    (elem (table $x) (i32.const 1) externref (ref.null extern))
    (func $a (type $ii) (i32.add (local.get 0) (i32.const 1)))
    (func $b (type $ii) (i32.mul (local.get 0) (i32.const 3)))
    (func $c (type $v) (i32.const 7))
    (func $main (export "main") (local $acc i64)
      ${put(0, '(call_indirect $t0 (type $ii) (i32.const 5) (i32.const 1))')}
      ${put(1, '(call_indirect $t1 (type $v) (i32.const 1))')}
      ${put(2, '(call_indirect $t1 (type $ii) (i32.const 9) (i32.const 2))')}
      ${put(3, '(call_indirect $t2 (type $ii) (i32.const 4) (i32.const 0))')}
      ${put(4, '(call_indirect $t2 (type $v) (i32.const 1))')}
      ${put(5, '(call_indirect $t2 (type $ii) (i32.const 2) (i32.const 2))')}
      (call $set_u64 (i32.const 1) (local.get $acc))
      ${trap ? trapCall[trap] : ''}))`;
  const m = binaryen.parseText(text);
  try {
    m.setFeatures(FEATURES);
    if (!m.validate()) throw new Error('binaryen: invalid tables test module');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/**
 * An STF module using every table instruction (docs/machine.md §5.7): table.get/set/size/grow
 * (up to its cap, and past it: −1), fill, copy (both directions, overlapping, across tables), init
 * from a passive segment, elem.drop, an externref table, and call_indirect through slots the code
 * wrote. main folds every result into global-state u64 slot 1. `trap` ends main with one of the
 * trapping cases (`TABLE_OPS_TRAPS`: all `out of bounds table access` but the call_indirect ones).
 * `uncapped`: no declared maxima, so every table gets the machine's largest cap (1,024 slots: the
 * deepest globals and code trees, for gas).
 */
export const TABLE_OPS_TRAPS = {
  get: '(drop (table.get $t (i32.const 8)))',
  set: '(table.set $t (i32.const 8) (ref.null func))',
  fill: '(table.fill $t (i32.const 6) (ref.null func) (i32.const 3))',
  copyDst: '(table.copy $u $t (i32.const 3) (i32.const 0) (i32.const 2))',
  copySrc: '(table.copy $t $u (i32.const 0) (i32.const 3) (i32.const 2))',
  init: '(table.init $t $p (i32.const 0) (i32.const 2) (i32.const 2))',
  dropped: '(elem.drop $p) (table.init $t $p (i32.const 0) (i32.const 0) (i32.const 1))',
  callOob: '(drop (call_indirect $t (type $v) (i32.const 8)))',
  callNull: '(drop (call_indirect $u (type $v) (i32.const 0)))',
  callType: '(drop (call_indirect $t (type $v) (i32.const 0)))',
} as const;
export type TableOpsTrap = keyof typeof TABLE_OPS_TRAPS;
export const TABLE_OPS_TRAP_REASON = (trap: TableOpsTrap): string =>
  trap === 'callOob'
    ? 'undefined element'
    : trap === 'callNull'
      ? 'uninitialized element'
      : trap === 'callType'
        ? 'indirect call type mismatch'
        : 'out of bounds table access';

export function tableOpsModule(trap?: TableOpsTrap, opts: { uncapped?: boolean } = {}): Uint8Array {
  const fold = (v: string): string =>
    `(local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31)) (i64.extend_i32_u ${v})))`;
  const isNull = (r: string): string => `(ref.is_null ${r})`;
  const text = `(module ${HOST_IMPORTS} (memory 1)
    (type $ii (func (param i32) (result i32)))
    (type $v (func (result i32)))
    (table $t 4 ${opts.uncapped ? '' : '8'} funcref)
    (table $u 4 funcref)
    (table $x 1 ${opts.uncapped ? '' : '3'} externref)
    (elem (table $t) (i32.const 0) func $a $b)
    (elem $p func $c $a $b)
    (elem declare func $main)
    (func $a (type $ii) (i32.add (local.get 0) (i32.const 1)))
    (func $b (type $ii) (i32.mul (local.get 0) (i32.const 3)))
    (func $c (type $v) (i32.const 7))
    (func $main (export "main") (local $acc i64) (local $e externref)
      ${fold('(table.size $t)')}
      ${fold('(call_indirect $t (type $ii) (i32.const 5) (i32.const 1))')}
      ${fold(isNull('(table.get $t (i32.const 2))'))}
      (table.set $t (i32.const 2) (ref.func $c))
      ${fold('(call_indirect $t (type $v) (i32.const 2))')}
      ${fold('(table.grow $t (ref.func $a) (i32.const 2))')}
      ${fold('(table.grow $t (ref.null func) (i32.const 3))')}
      ${fold('(table.size $t)')}
      ${fold('(call_indirect $t (type $ii) (i32.const 4) (i32.const 5))')}
      (table.fill $u (i32.const 1) (ref.func $b) (i32.const 2))
      ${fold('(call_indirect $u (type $ii) (i32.const 6) (i32.const 2))')}
      ${fold(isNull('(table.get $u (i32.const 0))'))}
      (table.copy $t $t (i32.const 1) (i32.const 0) (i32.const 3))
      ${fold('(call_indirect $t (type $ii) (i32.const 10) (i32.const 1))')}
      ${fold('(call_indirect $t (type $ii) (i32.const 10) (i32.const 2))')}
      (table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 3))
      ${fold('(call_indirect $t (type $ii) (i32.const 11) (i32.const 0))')}
      (table.copy $u $t (i32.const 2) (i32.const 4) (i32.const 2))
      ${fold('(call_indirect $u (type $ii) (i32.const 12) (i32.const 2))')}
      (table.init $t $p (i32.const 3) (i32.const 0) (i32.const 3))
      ${fold('(call_indirect $t (type $v) (i32.const 3))')}
      ${fold('(call_indirect $t (type $ii) (i32.const 13) (i32.const 5))')}
      (table.init $t $p (i32.const 0) (i32.const 3) (i32.const 0))
      ${fold(isNull('(table.get $x (i32.const 0))'))}
      ${fold('(table.grow $x (local.get $e) (i32.const 2))')}
      (table.set $x (i32.const 2) (table.get $x (i32.const 1)))
      ${fold('(table.size $x)')}
      (elem.drop $p)
      (table.init $t $p (i32.const 6) (i32.const 0) (i32.const 0))
      (call $set_u64 (i32.const 1) (local.get $acc))
      ${trap ? TABLE_OPS_TRAPS[trap] : ''}))`;
  const m = binaryen.parseText(text);
  try {
    m.setFeatures(FEATURES);
    if (!m.validate()) throw new Error('binaryen: invalid table-ops test module');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/**
 * An STF module declaring a reference to the host function `halt`; with `tableSet` it stores it in
 * a table (which the native runner refuses: docs/machine.md §5.7), else it only drops it.
 */
export function hostRefModule(tableSet: boolean): Uint8Array {
  const body = tableSet ? '(table.set $t (i32.const 0) (ref.func $halt))' : '(drop (ref.func $halt))';
  const m = binaryen.parseText(`(module ${HOST_IMPORTS} (memory 1) (table $t 1 funcref)
    (elem declare func $halt) (func $main (export "main") ${body}))`);
  try {
    m.setFeatures(FEATURES);
    if (!m.validate()) throw new Error('binaryen: invalid host-reference test module');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}
