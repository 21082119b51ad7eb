/**
 * Test helper: wasm text to binary with binaryen (a pinned devDependency), and STF module templates.
 */
import binaryen from 'binaryen';

const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt;

/** Compiles wat to a wasm binary; `validate: false` lets tests build modules binaryen considers invalid. */
export function wat(text: string, opts: { validate?: boolean } = {}): Uint8Array {
  const m = binaryen.parseText(text);
  try {
    m.setFeatures(FEATURES);
    if (opts.validate !== false && !m.validate()) throw new Error('binaryen: invalid test module');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** Every host import of the STF ABI, under short names. */
export const HOST_IMPORTS = `
  (import "modex" "inbox_read" (func $inbox_read (param i32 i32) (result i32)))
  (import "modex" "preimage_read" (func $preimage_read (param i32 i32 i32 i32) (result i32)))
  (import "modex" "get_global_bytes32" (func $get_b32 (param i32 i32)))
  (import "modex" "set_global_bytes32" (func $set_b32 (param i32 i32)))
  (import "modex" "get_global_u64" (func $get_u64 (param i32) (result i64)))
  (import "modex" "set_global_u64" (func $set_u64 (param i32 i64)))
  (import "modex" "halt" (func $halt))`;

/** An STF module with all host imports, `memory`, `extra` fields, and `body` as main. */
export function stf(body: string, extra = '', memory = '(memory 1)'): Uint8Array {
  return wat(`(module ${HOST_IMPORTS} ${memory} ${extra} (func $main (export "main") ${body}))`);
}
