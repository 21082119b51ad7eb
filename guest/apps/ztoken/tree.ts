// The ztoken account tree in the modex state (docs/validity.md §2.1, §2.3): key 0x20 = the account
// root (32 bytes big-endian), 0x21 ‖ index u16 = the leaf preimage ax ‖ ay ‖ balance u128 ‖ nonce u64
// (88 bytes) of every open account, 0x22 ‖ level u8 ‖ index u16 = the tree's node `index` at
// `level` (0 = leaf hashes … 15; 32 bytes big-endian; absent = the empty subtree's root).
import { alloc32, copyBytes, readU64BE, writeU16BE, writeU64BE } from "../../sdk/bytes";
import { stateGet, stateSet } from "../../sdk/state";
import { FR_SIZE, frCopy, frFromBE, frIsZero, frToBE } from "../../sdk/zk/field";
import { poseidon, poseidon2 } from "../../sdk/zk/poseidon";
import { EMPTY_ROOTS } from "./empty-roots";

const FS: usize = <usize>FR_SIZE;
export const DEPTH: i32 = 16;
export const LEAF_LEN: i32 = 88;

export const ROOT_KEY = memory.data<u8>([0x20]);

/** an account: its key as elements (Montgomery) and raw bytes, balance u128, nonce */
export class Account {
  ax: usize = 0;
  ay: usize = 0;
  /** ax ‖ ay, 64 bytes big-endian */
  key: usize = 0;
  balHi: u64 = 0;
  balLo: u64 = 0;
  nonce: u64 = 0;
  /** open: ax ≠ 0 */
  open: bool = false;
}

/** an element from n big-endian bytes (n ≤ 32; a value < p) */
export function frFromBytes(r: usize, p: usize, n: i32): void {
  const b = alloc32(32);
  memory.fill(b, 0, <usize>(32 - n));
  copyBytes(b + <usize>(32 - n), p, n);
  frFromBE(r, b);
}

export function frFromU64v(r: usize, v: u64): void {
  const b = alloc32(32);
  memory.fill(b, 0, 24);
  writeU64BE(b + 24, v);
  frFromBE(r, b);
}

function leafKey(index: u32): usize {
  const k = alloc32(3);
  store<u8>(k, 0x21);
  writeU16BE(k + 1, index);
  return k;
}

function nodeKey(level: i32, index: u32): usize {
  const k = alloc32(4);
  store<u8>(k, 0x22);
  store<u8>(k + 1, <u8>level);
  writeU16BE(k + 2, index);
  return k;
}

/** account `index` (a closed one: all zero) */
export function readAccount(index: u32): Account {
  const a = new Account();
  a.ax = alloc32(FR_SIZE);
  a.ay = alloc32(FR_SIZE);
  a.key = alloc32(64);
  const v = stateGet(leafKey(index), 3);
  if (v == null || v.len != LEAF_LEN) {
    memory.fill(a.key, 0, 64);
    frFromBE(a.ax, a.key);
    frFromBE(a.ay, a.key);
    return a;
  }
  copyBytes(a.key, v.ptr, 64);
  frFromBE(a.ax, v.ptr);
  frFromBE(a.ay, v.ptr + 32);
  a.balHi = readU64BE(v.ptr + 64);
  a.balLo = readU64BE(v.ptr + 72);
  a.nonce = readU64BE(v.ptr + 80);
  a.open = !frIsZero(a.ax);
  return a;
}

/** the leaf hash Poseidon(ax, ay, balance, nonce) */
function leafHash(r: usize, a: Account): void {
  const ins = alloc32(4 * FR_SIZE);
  frCopy(ins, a.ax);
  frCopy(ins + FS, a.ay);
  const b = alloc32(32);
  memory.fill(b, 0, 16);
  writeU64BE(b + 16, a.balHi);
  writeU64BE(b + 24, a.balLo);
  frFromBE(ins + 2 * FS, b);
  frFromU64v(ins + 3 * FS, a.nonce);
  poseidon(r, ins, 4);
}

/** node `index` at `level` (an element) */
function readNode(r: usize, level: i32, index: u32): void {
  const v = stateGet(nodeKey(level, index), 4);
  if (v == null || v.len != 32) frCopy(r, EMPTY_ROOTS + <usize>level * FS);
  else frFromBE(r, v.ptr);
}

function writeElem(key: usize, keyLen: i32, e: usize): void {
  const b = alloc32(32);
  frToBE(b, e);
  stateSet(key, keyLen, b, 32);
}

/** writes account `index` (its preimage, its path and the root) */
export function writeAccount(index: u32, a: Account): void {
  const v = alloc32(LEAF_LEN);
  copyBytes(v, a.key, 64);
  writeU64BE(v + 64, a.balHi);
  writeU64BE(v + 72, a.balLo);
  writeU64BE(v + 80, a.nonce);
  stateSet(leafKey(index), 3, v, LEAF_LEN);
  const cur = alloc32(FR_SIZE);
  const sib = alloc32(FR_SIZE);
  leafHash(cur, a);
  let i = index;
  for (let k = 0; k < DEPTH; k++) {
    writeElem(nodeKey(k, i), 4, cur);
    readNode(sib, k, i ^ 1);
    if (i & 1) poseidon2(cur, sib, cur);
    else poseidon2(cur, cur, sib);
    i >>= 1;
  }
  writeElem(ROOT_KEY, 1, cur);
}

/** the empty tree's root, written at genesis */
export function writeEmptyRoot(): void {
  writeElem(ROOT_KEY, 1, EMPTY_ROOTS + <usize>DEPTH * FS);
}
