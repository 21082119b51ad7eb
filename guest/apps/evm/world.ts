// The EVM's world state for one transaction (docs/evm.md §1 "World state layout"): an in-memory
// cache of accounts, storage slots and transient storage over the modex state tree, with a journal
// so that a failed sub-call's changes (balances, nonces, code, storage, warm sets, touches) are
// undone, and the original (transaction-start) value of each slot for SSTORE gas (EIP-2200).
// Written to the modex state tree once, at the end of the transaction (worldCommit).
//
// Records are raw memory (the interpreter's hot paths are pointer code, docs/evm.md):
//   account (ACC_SIZE): addr 20 @0 ‖ nonce u64 @24 ‖ balance u256 LE @32 ‖ codeHash 32 @64 ‖
//     code ptr u32 @96 ‖ codeLen i32 @100 (-1 = not loaded) ‖ flags u32 @104 ‖ jumpdests u32 @108 ‖
//     storageCount u64 @112 (as loaded) ‖ storage delta i64 @120 (computed by worldCommit) ‖
//     its state key's hash @128 (hashed once: keccak256 is software here)
//   slot (SLOT_SIZE): addr 20 @0 ‖ key 32 @24 ‖ current 32 @56 ‖ flags u32 @88 ‖ original 32 @96 ‖
//     its state key's hash @128 (zero until needed for a slot of an account created here)
//   transient slot: addr 20 @0 ‖ key 32 @24 ‖ value 32 @56
// The journal saves the mutable part of a record (account bytes 24..112, slot 56..92, transient
// 56..88) before each change; worldRevert(mark) copies them back, newest first.
import { alloc32, copy32, copyBytes, eq32, isZero32, readU64BE, writeU64BE, zero32 } from "../../sdk/bytes";
import { hint_preimage } from "../../sdk/host";
import { hashBytes, readPreimage, stateDeleteAt, stateGetAt, stateSetAt } from "../../sdk/state";
import { u256FromBE, u256IsZero, u256ToBE } from "./u256";
import { zeroMem } from "./mem";

export const ACC_NONCE: usize = 24;
export const ACC_BALANCE: usize = 32;
export const ACC_CODEHASH: usize = 64;
export const ACC_CODE: usize = 96;
export const ACC_CODELEN: usize = 100;
export const ACC_FLAGS: usize = 104;
export const ACC_JUMPDESTS: usize = 108;
const ACC_STORAGE_COUNT: usize = 112;
const ACC_STORAGE_DELTA: usize = 120;
const ACC_KEYHASH: usize = 128;
const ACC_SIZE: i32 = 160;

/** the account exists (in the state, or created in this transaction) */
export const F_EXISTS: u32 = 1;
/** touched (EIP-161: deleted at the end of the transaction when empty) */
export const F_TOUCHED: u32 = 2;
/** in the EIP-2929 accessed-addresses set */
export const F_WARM: u32 = 4;
/** created in this transaction (EIP-6780: SELFDESTRUCT deletes it) */
export const F_CREATED: u32 = 8;
/** self-destructed (deleted at the end of the transaction) */
export const F_DESTRUCTED: u32 = 16;
/** changed in this transaction (written by worldCommit) */
const F_DIRTY: u32 = 32;
/** its code was set in this transaction (hinted as a preimage by worldCommit) */
const F_NEW_CODE: u32 = 64;
/** existed in the state when loaded */
const F_ORIG_EXISTS: u32 = 128;

export const SLOT_CUR: usize = 56;
export const SLOT_FLAGS: usize = 88;
export const SLOT_ORIG: usize = 96;
const SLOT_KEYHASH: usize = 128;
const SLOT_SIZE: i32 = 160;
export const S_WARM: u32 = 1;

/** keccak256("") */
export const EMPTY_CODE_HASH = memory.data<u8>(
  [
    0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00,
    0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70,
  ],
  32,
);

// ---- open-addressing tables of record pointers (u32), keyed by address or address ‖ key --------

class Table {
  /** whether the records are listed in insertion order (for worldCommit) */
  listed: bool = true;
  slots: usize = 0;
  cap: u32 = 0;
  count: u32 = 0;
  /** the records in insertion order (for worldCommit), u32 each */
  list: usize = 0;
  listCap: u32 = 0;
}

let accounts = new Table();
let slots = new Table();
let transients = new Table();
transients.listed = false;

function tableReset(t: Table, cap: u32): void {
  t.cap = cap;
  t.count = 0;
  t.slots = alloc32(<i32>(cap << 2));
  zeroMem(t.slots, <usize>cap << 2);
  t.listCap = cap;
  t.list = t.listed ? alloc32(<i32>(cap << 2)) : 0;
}

@inline function hashAddr(a: usize): u32 {
  const h = (load<u64>(a) * 0x9e3779b97f4a7c15) ^ (load<u64>(a, 8) * 0xc2b2ae3d27d4eb4f) ^ <u64>load<u32>(a, 16);
  return <u32>(h ^ (h >> 29));
}

@inline function hashAddrKey(a: usize): u32 {
  let h = <u64>hashAddr(a);
  h ^= load<u64>(a, 24) * 0x9e3779b97f4a7c15;
  h ^= load<u64>(a, 32) * 0xc2b2ae3d27d4eb4f;
  h ^= load<u64>(a, 40) * 0x165667b19e3779f9;
  h ^= load<u64>(a, 48) * 0x27d4eb2f165667c5;
  return <u32>(h ^ (h >> 31));
}

@inline function eqAddr(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8) && load<u32>(a, 16) == load<u32>(b, 16);
}

function tableFind(t: Table, key: usize, withSlot: bool): usize {
  const mask = t.cap - 1;
  let i = (withSlot ? hashAddrKey(key) : hashAddr(key)) & mask;
  let r = <usize>load<u32>(t.slots + (<usize>i << 2));
  while (r != 0) {
    if (eqAddr(r, key) && (!withSlot || eq32(r + 24, key + 24))) return r;
    i = (i + 1) & mask;
    r = <usize>load<u32>(t.slots + (<usize>i << 2));
  }
  return 0;
}

function tablePut(t: Table, r: usize, withSlot: bool): void {
  if ((t.count + 1) * 2 > t.cap) {
    const oldSlots = t.slots;
    const oldCap = t.cap;
    const cap = oldCap * 2;
    t.cap = cap;
    t.slots = alloc32(<i32>(cap << 2));
    zeroMem(t.slots, <usize>cap << 2);
    for (let j: u32 = 0; j < oldCap; j++) {
      const e = <usize>load<u32>(oldSlots + (<usize>j << 2));
      if (e != 0) insertSlot(t, e, withSlot);
    }
    if (t.listed) {
      const old = t.list;
      t.list = alloc32(<i32>(cap << 2));
      t.listCap = cap;
      copyBytes(t.list, old, <i32>(t.count << 2));
    }
  }
  insertSlot(t, r, withSlot);
  if (t.listed) store<u32>(t.list + (<usize>t.count << 2), <u32>r);
  t.count++;
}

function insertSlot(t: Table, r: usize, withSlot: bool): void {
  const mask = t.cap - 1;
  let i = (withSlot ? hashAddrKey(r) : hashAddr(r)) & mask;
  while (load<u32>(t.slots + (<usize>i << 2)) != 0) i = (i + 1) & mask;
  store<u32>(t.slots + (<usize>i << 2), <u32>r);
}

// ---- the journal -----------------------------------------------------------------------------
// Records back to back: kind u32 ‖ record u32 ‖ saved bytes ‖ record length u32 (read backwards).

const J_ACCOUNT: u32 = 1;
const J_SLOT: u32 = 2;
const J_TRANSIENT: u32 = 3;

// 64 KiB segments (a record never crosses one), so that a long journal is never copied; a
// position is segment << 17 | offset
const SEG: i32 = 1 << 16;
const MAX_SEGS: i32 = 1024;
let segs: usize = 0; // MAX_SEGS × (ptr u32 ‖ fill u32)
let seg: i32 = 0;
let segOff: i32 = 0;

function journalPush(kind: u32, rec: usize, from: usize, n: i32): void {
  const size = 12 + ((n + 3) & ~3);
  if (segOff + size > SEG) {
    store<u32>(segs + (<usize>seg << 3), <u32>segOff, 4);
    seg++;
    if (seg >= MAX_SEGS) unreachable(); // 64 MiB of journal: the machine's whole memory
    if (load<u32>(segs + (<usize>seg << 3)) == 0) store<u32>(segs + (<usize>seg << 3), <u32>alloc32(SEG));
    segOff = 0;
  }
  const e = <usize>load<u32>(segs + (<usize>seg << 3)) + <usize>segOff;
  store<u32>(e, kind);
  store<u32>(e, <u32>rec, 4);
  copyBytes(e + 8, rec + from, n);
  store<u32>(e + <usize>(size - 4), <u32>size);
  segOff += size;
}

/** A mark for worldRevert. */
export function worldMark(): i32 {
  return (seg << 17) | segOff;
}

/** Undoes every change made since `mark`, newest first. */
export function worldRevert(mark: i32): void {
  while (((seg << 17) | segOff) > mark) {
    if (segOff == 0) {
      seg--;
      segOff = <i32>load<u32>(segs + (<usize>seg << 3), 4);
      continue;
    }
    const base = <usize>load<u32>(segs + (<usize>seg << 3));
    const size = <i32>load<u32>(base + <usize>(segOff - 4));
    const e = base + <usize>(segOff - size);
    const kind = load<u32>(e);
    const rec = <usize>load<u32>(e, 4);
    if (kind == J_ACCOUNT) copyBytes(rec + ACC_NONCE, e + 8, 88);
    else if (kind == J_SLOT) copyBytes(rec + SLOT_CUR, e + 8, 36);
    else copy32(rec + SLOT_CUR, e + 8);
    segOff -= size;
  }
}

// small records (accounts, slots, transient slots): 8-aligned, from 64 KiB chunks of the arena
const CHUNK: i32 = 1 << 16;
let chunkPtr: usize = 0;
let chunkEnd: usize = 0;

function recAlloc(n: i32): usize {
  if (chunkPtr + <usize>n > chunkEnd) {
    chunkPtr = alloc32(CHUNK);
    chunkEnd = chunkPtr + <usize>CHUNK;
  }
  const p = chunkPtr;
  chunkPtr += <usize>((n + 7) & ~7);
  zeroMem(p, <usize>n);
  return p;
}

/** Saves the account's mutable fields before a change, and marks it changed. */
export function accChange(acc: usize): void {
  journalPush(J_ACCOUNT, acc, ACC_NONCE, 88);
  store<u32>(acc + ACC_FLAGS, load<u32>(acc + ACC_FLAGS) | F_DIRTY);
}

// ---- setup -------------------------------------------------------------------------------------

/** Starts a transaction: empty caches and journal (everything in the SDK arena). */
export function worldReset(): void {
  tableReset(accounts, 64);
  tableReset(slots, 128);
  tableReset(transients, 16);
  segs = alloc32(MAX_SEGS * 8);
  zeroMem(segs, <usize>MAX_SEGS * 8);
  store<u32>(segs, <u32>alloc32(SEG));
  seg = 0;
  segOff = 0;
  chunkPtr = 0;
  chunkEnd = 0;
}

// scratch state key: prefix ‖ address (20) ‖ slot (32)
const KEY = memory.data(64, 32);

function accountKeyHash(addr: usize): usize {
  store<u8>(KEY, 0x10);
  copyBytes(KEY + 1, addr, 20);
  return hashBytes(KEY, 21);
}

function slotKeyHash(addr: usize, key: usize): usize {
  store<u8>(KEY, 0x11);
  copyBytes(KEY + 1, addr, 20);
  copy32(KEY + 21, key);
  return hashBytes(KEY, 53);
}

/** The account record of `addr` (20 bytes), loaded from the state on first use. */
export function account(addr: usize): usize {
  let r = tableFind(accounts, addr, false);
  if (r != 0) return r;
  r = recAlloc(ACC_SIZE);
  copyBytes(r, addr, 20);
  store<i32>(r + ACC_CODELEN, -1);
  copy32(r + ACC_KEYHASH, accountKeyHash(addr));
  const v = stateGetAt(r + ACC_KEYHASH);
  if (v != null && v.len == 100) {
    store<u64>(r + ACC_NONCE, readU64BE(v.ptr + 20));
    u256FromBE(r + ACC_BALANCE, v.ptr + 28, 32);
    copy32(r + ACC_CODEHASH, v.ptr + 60);
    store<u64>(r + ACC_STORAGE_COUNT, readU64BE(v.ptr + 92));
    store<u32>(r + ACC_FLAGS, F_EXISTS | F_ORIG_EXISTS);
  } else {
    copy32(r + ACC_CODEHASH, EMPTY_CODE_HASH);
  }
  if (eq32(r + ACC_CODEHASH, EMPTY_CODE_HASH)) store<i32>(r + ACC_CODELEN, 0);
  tablePut(accounts, r, false);
  return r;
}

@inline export function accFlags(acc: usize): u32 {
  return load<u32>(acc + ACC_FLAGS);
}

@inline export function accHas(acc: usize, f: u32): bool {
  return (load<u32>(acc + ACC_FLAGS) & f) != 0;
}

/** Sets flags (journaled). */
export function accSetFlags(acc: usize, f: u32): void {
  if ((load<u32>(acc + ACC_FLAGS) & f) == f) return;
  accChange(acc);
  store<u32>(acc + ACC_FLAGS, load<u32>(acc + ACC_FLAGS) | f);
}

/** EIP-161 "empty": no nonce, no balance, no code (or it does not exist). */
export function accIsEmpty(acc: usize): bool {
  if (!accHas(acc, F_EXISTS)) return true;
  return (
    load<u64>(acc + ACC_NONCE) == 0 && u256IsZero(acc + ACC_BALANCE) && eq32(acc + ACC_CODEHASH, EMPTY_CODE_HASH)
  );
}

/** The account's code (loaded on first use); its length is at acc + ACC_CODELEN. */
export function accCode(acc: usize): usize {
  if (load<i32>(acc + ACC_CODELEN) < 0) {
    const h = alloc32(32);
    copy32(h, acc + ACC_CODEHASH);
    const b = readPreimage(h, 1024);
    store<u32>(acc + ACC_CODE, <u32>b.ptr);
    store<i32>(acc + ACC_CODELEN, b.len);
  }
  return <usize>load<u32>(acc + ACC_CODE);
}

@inline export function accCodeLen(acc: usize): i32 {
  accCode(acc);
  return load<i32>(acc + ACC_CODELEN);
}

/** Whether the storage of the account was non-empty at the start of the transaction (EIP-7610). */
export function accHadStorage(acc: usize): bool {
  return load<u64>(acc + ACC_STORAGE_COUNT) != 0;
}

/** Sets the code of a new contract (journaled; hinted as a preimage at commit). */
export function accSetCode(acc: usize, code: usize, len: i32): void {
  accChange(acc);
  const c = alloc32(len);
  copyBytes(c, code, len);
  store<u32>(acc + ACC_CODE, <u32>c);
  store<i32>(acc + ACC_CODELEN, len);
  store<u32>(acc + ACC_JUMPDESTS, 0);
  hashCode(acc + ACC_CODEHASH, c, len);
  store<u32>(acc + ACC_FLAGS, load<u32>(acc + ACC_FLAGS) | F_NEW_CODE);
}

function hashCode(out: usize, code: usize, len: i32): void {
  const h = hashBytes(code, len);
  copy32(out, h);
}

// ---- storage -------------------------------------------------------------------------------------

const SKEY = memory.data(64, 8);

/** The slot record of (addr, key) — key is 32 big-endian bytes — loaded on first use. */
export function slot(addr: usize, key: usize): usize {
  copyBytes(SKEY, addr, 20);
  copy32(SKEY + 24, key);
  let r = tableFind(slots, SKEY, true);
  if (r != 0) return r;
  r = recAlloc(SLOT_SIZE);
  copyBytes(r, addr, 20);
  copy32(r + 24, key);
  // a slot of an account created in this transaction starts empty (EIP-7610: no storage before)
  const acc = account(addr);
  if (!accHas(acc, F_CREATED)) {
    copy32(r + SLOT_KEYHASH, slotKeyHash(addr, key));
    const v = stateGetAt(r + SLOT_KEYHASH);
    if (v != null && v.len == 84) copy32(r + SLOT_ORIG, v.ptr + 52);
  }
  copy32(r + SLOT_CUR, r + SLOT_ORIG);
  tablePut(slots, r, true);
  return r;
}

/** Sets a slot's current value (32 big-endian bytes; journaled). */
export function slotSet(r: usize, value: usize): void {
  journalPush(J_SLOT, r, SLOT_CUR, 36);
  copy32(r + SLOT_CUR, value);
}

/** Marks a slot warm (journaled); returns whether it was cold. */
export function slotWarm(r: usize): bool {
  if ((load<u32>(r + SLOT_FLAGS) & S_WARM) != 0) return false;
  journalPush(J_SLOT, r, SLOT_CUR, 36);
  store<u32>(r + SLOT_FLAGS, load<u32>(r + SLOT_FLAGS) | S_WARM);
  return true;
}

/** The transient slot (EIP-1153) of (addr, key), zero at first. */
export function tslot(addr: usize, key: usize): usize {
  copyBytes(SKEY, addr, 20);
  copy32(SKEY + 24, key);
  let r = tableFind(transients, SKEY, true);
  if (r != 0) return r;
  r = recAlloc(88);
  copyBytes(r, addr, 20);
  copy32(r + 24, key);
  tablePut(transients, r, true);
  return r;
}

export function tslotSet(r: usize, value: usize): void {
  journalPush(J_TRANSIENT, r, SLOT_CUR, 32);
  copy32(r + SLOT_CUR, value);
}

// ---- commit ----------------------------------------------------------------------------------------

/**
 * Writes the transaction's changes to the SDK state (docs/evm.md §1): changed slots (deleted when
 * zero), accounts (deleted when self-destructed, or touched and empty: EIP-161), new code hinted.
 */
export function worldCommit(): void {
  // storage first: the accounts' storage counts
  const ns = slots.count;
  for (let i: u32 = 0; i < ns; i++) {
    const r = <usize>load<u32>(slots.list + (<usize>i << 2));
    const acc = account(r);
    const gone = accHas(acc, F_DESTRUCTED);
    const origZero = isZero32(r + SLOT_ORIG);
    const curZero = gone || isZero32(r + SLOT_CUR);
    if (!gone && eq32(r + SLOT_CUR, r + SLOT_ORIG)) continue;
    if (origZero && curZero) continue;
    if (isZero32(r + SLOT_KEYHASH)) copy32(r + SLOT_KEYHASH, slotKeyHash(r, r + 24));
    const kh = r + SLOT_KEYHASH;
    if (curZero) {
      stateDeleteAt(kh);
      store<i64>(acc + ACC_STORAGE_DELTA, load<i64>(acc + ACC_STORAGE_DELTA) - 1);
    } else {
      const v = alloc32(84);
      copyBytes(v, r, 20);
      copy32(v + 20, r + 24);
      copy32(v + 52, r + SLOT_CUR);
      stateSetAt(kh, v, 84);
      if (origZero) store<i64>(acc + ACC_STORAGE_DELTA, load<i64>(acc + ACC_STORAGE_DELTA) + 1);
    }
    store<u32>(acc + ACC_FLAGS, load<u32>(acc + ACC_FLAGS) | F_DIRTY);
  }
  const na = accounts.count;
  for (let i: u32 = 0; i < na; i++) {
    const acc = <usize>load<u32>(accounts.list + (<usize>i << 2));
    const f = accFlags(acc);
    if ((f & F_DIRTY) == 0) continue;
    const dead =
      (f & F_EXISTS) == 0 || (f & F_DESTRUCTED) != 0 || ((f & F_TOUCHED) != 0 && accIsEmpty(acc));
    if (dead) {
      if ((f & F_ORIG_EXISTS) != 0) stateDeleteAt(acc + ACC_KEYHASH);
      continue;
    }
    const v = alloc32(100);
    copyBytes(v, acc, 20);
    writeU64BE(v + 20, load<u64>(acc + ACC_NONCE));
    u256ToBE(v + 28, acc + ACC_BALANCE);
    copy32(v + 60, acc + ACC_CODEHASH);
    writeU64BE(v + 92, <u64>(<i64>load<u64>(acc + ACC_STORAGE_COUNT) + load<i64>(acc + ACC_STORAGE_DELTA)));
    stateSetAt(acc + ACC_KEYHASH, v, 100);
    if ((f & F_NEW_CODE) != 0) hint_preimage(accCode(acc), load<i32>(acc + ACC_CODELEN));
  }
}

/** Zeroes `n` bytes (helper for callers that allocate records). */
export function zeroBytes(p: usize, n: i32): void {
  zeroMem(p, <usize>n);
}

export { zero32 };
