/**
 * Test helper: wasm text to binary with binaryen (a pinned devDependency), and STF module templates.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import binaryen from 'binaryen';
import { bytesToHex, hexToBytes } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';

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
  (import "modex" "halt" (func $halt))
  (import "modex" "keccak256_pair" (func $keccak256_pair (param i32 i32)))
  (import "modex" "ecrecover" (func $ecrecover (param i32 i32 i32 i32) (result i32)))
  (import "modex" "hint_preimage" (func $hint_preimage (param i32 i32)))`;

/** Bytes as the contents of a wat data string (`\00\01…`). */
export function watBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

/** An STF module with all host imports, `memory`, `extra` fields, and `body` as main. */
export function stf(body: string, extra = '', memory = '(memory 1)'): Uint8Array {
  return wat(`(module ${HOST_IMPORTS} ${memory} ${extra} (func $main (export "main") ${body}))`);
}

/**
 * An `ecrecover` fixture: a digest signed with a fixed private key (secp256k1, no prehash), the
 * signature's r, s, v (27/28), and the signer's address as the precompile's result word
 * (12 zero bytes ‖ address, computed by viem). `highS` is the same signature with s' = n - s and the other v, which the
 * precompile also accepts.
 */
export function ecdsaFixture(): {
  digest: Uint8Array;
  r: Uint8Array;
  s: Uint8Array;
  v: number;
  highS: Uint8Array;
  highV: number;
  addressWord: Uint8Array;
} {
  const priv = keccak_256(new TextEncoder().encode('modex ecrecover test key'));
  const digest = keccak_256(new TextEncoder().encode('modex ecrecover test message'));
  const sig = secp256k1.sign(digest, priv, { prehash: false, format: 'recovered' });
  const r = sig.slice(1, 33);
  const s = sig.slice(33, 65);
  const n = secp256k1.Point.Fn.ORDER;
  const highS = secp256k1.Point.Fn.toBytes(n - BigInt(`0x${Buffer.from(s).toString('hex')}`));
  // the expected signer, computed by viem (independently of the code under test)
  const addressWord = new Uint8Array(32);
  addressWord.set(hexToBytes(privateKeyToAddress(bytesToHex(priv))), 12);
  return { digest, r, s, v: 27 + sig[0], highS, highV: 28 - sig[0], addressWord };
}
