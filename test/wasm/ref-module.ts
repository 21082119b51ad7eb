/**
 * An STF module using reference values (docs/machine.md §5.5): funcref/externref parameters,
 * locals and globals, ref.null, ref.func, ref.is_null and a typed select over funcref. main stores
 * what it computes into global-state u64 slot 1, so the interpreter, the native runner and the
 * one-step prover can be compared on it.
 */
import binaryen from 'binaryen';
import { HOST_IMPORTS } from './wat.ts';

const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.BulkMemory |
  binaryen.Features.ReferenceTypes;

/**
 * The expected u64 slot 1 after main: 1 << 24 | 3 | 0 << 4 | 2 << 8 | 1 << 12 | 1 << 16 | 0 << 20
 * (bit 24: the mutable funcref global main sets is null again at the start of every run).
 */
export const REF_MODULE_RESULT = 0x1011203n;

export function refModule(): Uint8Array {
  const text = `(module ${HOST_IMPORTS} (memory 1)
    (global $g (mut funcref) (ref.null func))
    (global $h funcref (ref.func $f))
    (global $x externref (ref.null extern))
    (func $f (param $r funcref) (param $e externref) (result i32)
      (i32.add (ref.is_null (local.get $r)) (i32.shl (ref.is_null (local.get $e)) (i32.const 1))))
    (func $pick (param i32) (result funcref)
      (select (result funcref) (ref.func $f) (ref.null func) (local.get 0)))
    (func $main (export "main")
      (local $l funcref) (local $acc i32)
      (local.set $acc (i32.shl (ref.is_null (global.get $g)) (i32.const 24)))
      (local.set $acc (i32.or (local.get $acc) (call $f (local.get $l) (global.get $x))))
      (global.set $g (call $pick (i32.const 1)))
      (local.set $acc (i32.or (local.get $acc) (i32.shl (ref.is_null (global.get $g)) (i32.const 4))))
      (local.set $acc (i32.or (local.get $acc) (i32.shl (call $f (global.get $h) (ref.null extern)) (i32.const 8))))
      (local.set $acc (i32.or (local.get $acc) (i32.shl (ref.is_null (call $pick (i32.const 0))) (i32.const 12))))
      (local.set $l (ref.func $pick))
      (local.set $acc (i32.or (local.get $acc) (i32.shl (i32.eqz (ref.is_null (local.get $l))) (i32.const 16))))
      (local.set $acc (i32.or (local.get $acc) (i32.shl (ref.is_null (ref.func $main)) (i32.const 20))))
      (call $set_u64 (i32.const 1) (i64.extend_i32_u (local.get $acc)))))`;
  const m = binaryen.parseText(text);
  try {
    m.setFeatures(FEATURES);
    if (!m.validate()) throw new Error('binaryen: invalid reference test module');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}
