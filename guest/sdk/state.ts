// The Merkleized key-value state: a compact binary trie over keccak256(key) (docs/stf.md "State tree").
//   empty    = 32 zero bytes (no preimage)
//   leaf     = keccak256(MARKER ‖ keccak256(keyHash ‖ valueHash)), MARKER = 32 × 0xff,
//              valueHash = keccak256(value)
//   branch   = keccak256(left ‖ right); path bits of keyHash, most significant bit of byte 0 first,
//              0 = left. Canonical: no branch has two empty children or one leaf and one empty child.
// Every node is a 64-byte preimage hashed with keccak256_pair and reported with hint_preimage.
import { alloc32, Bytes, copy32, copyBytes, eq32, heapAlloc32, isZero32 } from "./bytes";
import { get_global_bytes32, hint_preimage, keccak256_pair, preimage_read, set_global_bytes32 } from "./host";
import { keccak256 } from "./keccak";

const ZERO: usize = memory.data(32, 32);
const MARKER: usize = memory.data<u64>([-1, -1, -1, -1], 32);

/** the current state root (32-byte aligned buffer, outside the arena, updated in place) */
let root: usize = 0;

export function stateLoad(): void {
  root = heapAlloc32(32);
  get_global_bytes32(0, root);
}

export function stateCommit(): void {
  stateFlush();
  set_global_bytes32(0, root);
}

/**
 * The current state root (pending writes applied). It flushes the write buffer: the writes made
 * before it can no longer be dropped (a transaction handler should not call it).
 */
export function stateRoot(): usize {
  stateFlush();
  return root;
}

/** keccak256(a ‖ b) with the host op; the 64-byte node is hinted as a preimage. */
export function hashPair(a: usize, b: usize): usize {
  const buf = alloc32(64);
  copy32(buf, a);
  copy32(buf + 32, b);
  const out = alloc32(32);
  keccak256_pair(buf, out);
  hint_preimage(buf, 64);
  return out;
}

function readNode(h: usize): usize {
  const buf = alloc32(64);
  preimage_read(0, h, 0, buf);
  preimage_read(0, h, 32, buf + 32);
  return buf;
}

function isLeafHash(h: usize): bool {
  const buf = alloc32(32);
  preimage_read(0, h, 0, buf);
  return eq32(buf, MARKER);
}

function makeLeaf(kh: usize, vh: usize): usize {
  return hashPair(MARKER, hashPair(kh, vh));
}

@inline function bitAt(kh: usize, depth: i32): u32 {
  return (<u32>load<u8>(kh + <usize>(depth >> 3)) >> (7 - (<u32>depth & 7))) & 1;
}

/** A 32-byte aligned buffer holding keccak256 of the given bytes. */
export function hashBytes(ptr: usize, len: i32): usize {
  const out = alloc32(32);
  keccak256(ptr, len, out);
  return out;
}

/**
 * The keccak256 preimage of the hash at `h` (32-byte aligned, any length), read in 32-byte chunks
 * until a short one, into a buffer of `cap` bytes to start with (doubled as needed).
 */
export function readPreimage(h: usize, cap: i32 = 64): Bytes {
  let buf = alloc32(cap);
  let len: i32 = 0;
  for (;;) {
    if (len + 32 > cap) {
      const bigger = alloc32(cap * 2);
      copyBytes(bigger, buf, len);
      buf = bigger;
      cap *= 2;
    }
    const n = preimage_read(0, h, len, buf + <usize>len);
    len += n;
    if (n < 32) break;
  }
  return new Bytes(buf, len);
}

/**
 * valueHash of the key with hash `kh`, or 0 if absent. Reads only the halves it needs: a node's
 * left half tells a leaf (MARKER) from a branch, the right half is read for a leaf or a 1 bit, and
 * a leaf's value hash only when its key hash matches.
 */
function lookup(kh: usize): usize {
  let h = root;
  for (let depth: i32 = 0; depth <= 256; depth++) {
    if (isZero32(h)) return 0;
    const n = alloc32(64);
    preimage_read(0, h, 0, n);
    if (eq32(n, MARKER)) {
      preimage_read(0, h, 32, n + 32);
      const inner = alloc32(64);
      preimage_read(0, n + 32, 0, inner);
      if (!eq32(inner, kh)) return 0;
      preimage_read(0, n + 32, 32, inner + 32);
      return inner + 32;
    }
    if (bitAt(kh, depth)) {
      preimage_read(0, h, 32, n + 32);
      h = n + 32;
    } else {
      h = n;
    }
  }
  return 0;
}

function split(leafA: usize, khA: usize, leafB: usize, khB: usize, depth: i32): usize {
  const ba = bitAt(khA, depth);
  const bb = bitAt(khB, depth);
  if (ba != bb) return ba == 0 ? hashPair(leafA, leafB) : hashPair(leafB, leafA);
  const c = split(leafA, khA, leafB, khB, depth + 1);
  return ba == 0 ? hashPair(c, ZERO) : hashPair(ZERO, c);
}

function insert(h: usize, kh: usize, vh: usize, depth: i32): usize {
  if (isZero32(h)) return makeLeaf(kh, vh);
  const n = readNode(h);
  if (eq32(n, MARKER)) {
    const inner = readNode(n + 32);
    if (eq32(inner, kh)) return eq32(inner + 32, vh) ? h : makeLeaf(kh, vh);
    return split(h, inner, makeLeaf(kh, vh), kh, depth);
  }
  if (bitAt(kh, depth) == 0) {
    const c = insert(n, kh, vh, depth + 1);
    return eq32(c, n) ? h : hashPair(c, n + 32);
  }
  const c = insert(n + 32, kh, vh, depth + 1);
  return eq32(c, n + 32) ? h : hashPair(n, c);
}

/** set by remove: its result is a leaf (or empty) that may move up */
let removedToLeaf: bool = false;

function remove(h: usize, kh: usize, depth: i32): usize {
  removedToLeaf = false;
  if (isZero32(h)) return h;
  const n = readNode(h);
  if (eq32(n, MARKER)) {
    const inner = readNode(n + 32);
    if (!eq32(inner, kh)) return h;
    removedToLeaf = true;
    return ZERO;
  }
  const bit = bitAt(kh, depth);
  const child = bit ? n + 32 : n;
  const sib = bit ? n : n + 32;
  const c = remove(child, kh, depth + 1);
  if (eq32(c, child)) {
    removedToLeaf = false;
    return h;
  }
  if (isZero32(c)) {
    if (isZero32(sib)) {
      removedToLeaf = true;
      return ZERO;
    }
    if (isLeafHash(sib)) {
      removedToLeaf = true;
      return sib;
    }
  } else if (removedToLeaf && isZero32(sib)) {
    return c; // a leaf moves up; removedToLeaf stays true
  }
  removedToLeaf = false;
  return bit ? hashPair(sib, c) : hashPair(c, sib);
}

/** The value stored under key (bytes at keyPtr..+keyLen), or null if absent. */
export function stateGet(keyPtr: usize, keyLen: i32): Bytes | null {
  return stateGetAt(hashBytes(keyPtr, keyLen));
}

/** stateGet by key hash (`hashBytes(key)`, to hash a key once for a read and a write) */
export function stateGetAt(kh: usize): Bytes | null {
  const e = pendingFind(kh);
  if (e != 0) {
    // a pending write: its value (a copy), not yet hashed; or a pending delete
    const len = pendingValueLen(e);
    if (len < 0) return null;
    const v = pendingValue(e);
    const copy = alloc32(len);
    copyBytes(copy, v, len);
    return new Bytes(copy, len);
  }
  const vh = lookup(kh);
  if (vh == 0) return null;
  const aligned = alloc32(32);
  copy32(aligned, vh);
  return readPreimage(aligned);
}

/** state[key] = value (an empty value is a value, not a deletion). */
export function stateSet(keyPtr: usize, keyLen: i32, valPtr: usize, valLen: i32): void {
  stateSetAt(hashBytes(keyPtr, keyLen), valPtr, valLen);
}

/** stateSet by key hash */
export function stateSetAt(kh: usize, valPtr: usize, valLen: i32): void {
  pendingPut(kh, valPtr, valLen);
}

/** Deletes state[key] (buffered like a write: applied by the flush, undone by stateRevert). */
export function stateDelete(keyPtr: usize, keyLen: i32): void {
  stateDeleteAt(hashBytes(keyPtr, keyLen));
}

/** stateDelete by key hash */
export function stateDeleteAt(kh: usize): void {
  pendingPut(kh, 0, DELETED);
}

// Pending writes: sets and deletes are buffered (key hash → a copy of the value or DELETED, the last
// write wins) and applied to the tree together by stateFlush (at stateCommit), so that every
// tree node on the paths of a run's writes is hashed once per flush instead of once per write, and
// only the value a key ends with is hashed and hinted. The root depends only on the final set of
// (key, value) pairs (canonical form), so it is the same as with writes applied one by one.
// Entries (keyHash 32 ‖ valueHash 32, the value hash filled in by the flush), the values (ptr u32 ‖
// len u32 per entry), the value copies and the index live on the heap: the run loop releases the
// arena after each transaction.
//
// The journal: every pendingPut records what it replaced (the entry's previous value, or that it
// created the entry), so that stateRevert(stateSnapshot()) drops every write made since the
// snapshot: the run loop drops the writes of a transaction that fails (docs/app-abi.md §5).
let pendEntries: usize = 0; // pendCap entries of 64 bytes
let pendVals: usize = 0; // pendCap × (ptr u32, len u32)
let pendIndex: usize = 0; // 2 * pendCap u32 slots: entry number + 1, 0 = free
let pendCap: i32 = 0;
let pendCount: i32 = 0;

@inline function pendingSlot(e: usize): usize {
  return pendVals + ((e - pendEntries) >> 3);
}

function pendingValue(e: usize): usize {
  return <usize>load<u32>(pendingSlot(e));
}

function pendingValueLen(e: usize): i32 {
  return <i32>load<u32>(pendingSlot(e), 4);
}

function pendingFind(kh: usize): usize {
  if (pendCount == 0) return 0;
  const mask = <u32>(2 * pendCap - 1);
  let slot = load<u32>(kh) & mask;
  let v = load<u32>(pendIndex + (<usize>slot << 2));
  while (v != 0) {
    const e = pendEntries + (<usize>(v - 1) << 6);
    if (eq32(e, kh)) return e;
    slot = (slot + 1) & mask;
    v = load<u32>(pendIndex + (<usize>slot << 2));
  }
  return 0;
}

function indexInsert(e: usize, n: u32): void {
  const mask = <u32>(2 * pendCap - 1);
  let slot = load<u32>(e) & mask;
  while (load<u32>(pendIndex + (<usize>slot << 2)) != 0) slot = (slot + 1) & mask;
  store<u32>(pendIndex + (<usize>slot << 2), n + 1);
}

/** valLen of a pending delete */
const DELETED: i32 = -1;

// journal records (12 bytes): entry number u32 ‖ previous value ptr u32 ‖ previous len i32
// (previous len JOURNAL_NEW: the write created the entry)
const JOURNAL_NEW: i32 = -2;
let journal: usize = 0;
let journalCap: i32 = 0;
let journalLen: i32 = 0;

function journalPush(n: i32, prevPtr: u32, prevLen: i32): void {
  if (journalLen == journalCap) {
    const cap = journalCap == 0 ? 64 : journalCap * 2;
    const j = heapAlloc32(cap * 12);
    if (journalLen > 0) memory.copy(j, journal, <usize>journalLen * 12);
    journal = j;
    journalCap = cap;
  }
  const r = journal + <usize>journalLen * 12;
  store<u32>(r, <u32>n);
  store<u32>(r, prevPtr, 4);
  store<i32>(r, prevLen, 8);
  journalLen++;
}

/**
 * A mark of the pending writes: stateRevert(mark) drops every write (set or delete) made after it.
 * Marks are valid until the next flush (stateCommit, stateRoot).
 */
export function stateSnapshot(): u64 {
  return (<u64>(<u32>pendCount) << 32) | <u64>(<u32>journalLen);
}

/**
 * Drops every write made since `mark` (from stateSnapshot): reads see the state as it was then.
 * `stopped`: the writer was stopped at an arbitrary instruction (a trap or an exhausted step budget,
 * meter.ts): the index is rebuilt from the entries, whatever state the interrupted write left it in.
 */
export function stateRevert(mark: u64, stopped: bool = false): void {
  const jl = <i32>(<u32>mark);
  const count = <i32>(<u32>(mark >> 32));
  if (jl > journalLen || count > pendCount) return; // a mark from before a flush: nothing to drop
  for (let i = journalLen - 1; i >= jl; i--) {
    const r = journal + <usize>i * 12;
    const prevLen = load<i32>(r, 8);
    if (prevLen == JOURNAL_NEW) continue; // the entry goes with the count below
    const slot = pendVals + (<usize>load<u32>(r) << 3);
    store<u32>(slot, load<u32>(r, 4));
    store<u32>(slot, <u32>prevLen, 4);
  }
  journalLen = jl;
  if (count < pendCount || stopped) {
    // drop the entries created since the mark and index the others again
    pendCount = count;
    memory.fill(pendIndex, 0, <usize>pendCap * 8);
    for (let i: i32 = 0; i < pendCount; i++) indexInsert(pendEntries + (<usize>i << 6), <u32>i);
  }
}

/**
 * Keeps the writes made since `mark` for good: drops their undo records, so that the journal does
 * not grow with a batch. Only for a mark no enclosing snapshot still needs (the run loop's, taken
 * around one transaction).
 */
export function stateKeep(mark: u64): void {
  const jl = <i32>(<u32>mark);
  if (jl <= journalLen) journalLen = jl;
}

function pendingPut(kh: usize, valPtr: usize, valLen: i32): void {
  let copy: usize = 0;
  if (valLen > 0) {
    copy = heapAlloc32(valLen);
    copyBytes(copy, valPtr, valLen);
  }
  let e = pendingFind(kh);
  if (e != 0) {
    const prev = pendingSlot(e);
    journalPush(<i32>((e - pendEntries) >> 6), load<u32>(prev), <i32>load<u32>(prev, 4));
  } else {
    if (pendCount == pendCap) {
      const cap = pendCap == 0 ? 64 : pendCap * 2;
      const entries = heapAlloc32(cap * 64);
      const vals = heapAlloc32(cap * 8);
      if (pendCount > 0) {
        memory.copy(entries, pendEntries, <usize>pendCount << 6);
        memory.copy(vals, pendVals, <usize>pendCount << 3);
      }
      // the globals in this order, so that after any instruction (a unit may be stopped anywhere,
      // meter.ts) the arrays hold at least pendCap entries and stateRevert(mark, true) can re-index
      const index = heapAlloc32(cap * 8);
      pendEntries = entries;
      pendVals = vals;
      pendIndex = index;
      pendCap = cap;
      memory.fill(pendIndex, 0, <usize>cap * 8);
      for (let i: i32 = 0; i < pendCount; i++) indexInsert(pendEntries + (<usize>i << 6), <u32>i);
    }
    e = pendEntries + (<usize>pendCount << 6);
    copy32(e, kh);
    journalPush(pendCount, 0, JOURNAL_NEW);
    indexInsert(e, <u32>pendCount);
    pendCount++;
  }
  const slot = pendingSlot(e);
  store<u32>(slot, <u32>copy);
  store<u32>(slot, <u32>valLen, 4);
}

/** Applies the pending writes to the tree (root updated in place). */
export function stateFlush(): void {
  journalLen = 0;
  if (pendCount == 0) return;
  // the value hashes, each value hinted once; an array of entry pointers, partitioned in place
  // by path bits while inserting. Deletes are applied after the sets (distinct keys: the order
  // does not change the canonical root).
  const arr = alloc32(pendCount * 4);
  let sets: i32 = 0;
  let deletes: bool = false;
  for (let i: i32 = 0; i < pendCount; i++) {
    const e = pendEntries + (<usize>i << 6);
    const len = pendingValueLen(e);
    if (len < 0) {
      deletes = true;
      continue;
    }
    const v = pendingValue(e);
    keccak256(v, len, e + 32);
    hint_preimage(v, len);
    store<u32>(arr + (<usize>sets << 2), <u32>e);
    sets++;
  }
  copy32(root, insertMany(root, arr, 0, sets, 0));
  if (deletes) {
    for (let i: i32 = 0; i < pendCount; i++) {
      const e = pendEntries + (<usize>i << 6);
      if (pendingValueLen(e) < 0) copy32(root, remove(root, e, 0));
    }
  }
  pendCount = 0;
  memory.fill(pendIndex, 0, <usize>pendCap * 8);
}

@inline function entryAt(arr: usize, i: i32): usize {
  return <usize>load<u32>(arr + (<usize>i << 2));
}

/** Reorders arr[lo..hi) so that the entries with bit `depth` = 0 come first; returns the split. */
function partition(arr: usize, lo: i32, hi: i32, depth: i32): i32 {
  let i = lo;
  let j = hi - 1;
  while (i <= j) {
    if (bitAt(entryAt(arr, i), depth) == 0) {
      i++;
    } else {
      const t = load<u32>(arr + (<usize>i << 2));
      store<u32>(arr + (<usize>i << 2), load<u32>(arr + (<usize>j << 2)));
      store<u32>(arr + (<usize>j << 2), t);
      j--;
    }
  }
  return i;
}

/** The canonical subtree (at `depth`) of the distinct keys arr[lo..hi), hi > lo. */
function build(arr: usize, lo: i32, hi: i32, depth: i32): usize {
  if (hi - lo == 1) {
    const e = entryAt(arr, lo);
    return makeLeaf(e, e + 32);
  }
  const mid = partition(arr, lo, hi, depth);
  if (mid == lo) return hashPair(ZERO, build(arr, lo, hi, depth + 1));
  if (mid == hi) return hashPair(build(arr, lo, hi, depth + 1), ZERO);
  return hashPair(build(arr, lo, mid, depth + 1), build(arr, mid, hi, depth + 1));
}

/** The subtree `h` (at `depth`) with the distinct keys arr[lo..hi) set. */
function insertMany(h: usize, arr: usize, lo: i32, hi: i32, depth: i32): usize {
  if (lo == hi) return h;
  if (hi - lo == 1) {
    const e = entryAt(arr, lo);
    return insert(h, e, e + 32, depth);
  }
  if (isZero32(h)) return build(arr, lo, hi, depth);
  const n = readNode(h);
  if (eq32(n, MARKER)) {
    // a leaf: rebuild with the new keys, and the leaf's own key unless one of them replaces it
    const inner = readNode(n + 32);
    for (let i = lo; i < hi; i++) if (eq32(entryAt(arr, i), inner)) return build(arr, lo, hi, depth);
    const count = hi - lo + 1;
    const more = alloc32(count * 4);
    memory.copy(more, arr + (<usize>lo << 2), <usize>(hi - lo) << 2);
    store<u32>(more + (<usize>(hi - lo) << 2), <u32>inner);
    return build(more, 0, count, depth);
  }
  const mid = partition(arr, lo, hi, depth);
  const l = insertMany(n, arr, lo, mid, depth + 1);
  const r = insertMany(n + 32, arr, mid, hi, depth + 1);
  if (eq32(l, n) && eq32(r, n + 32)) return h;
  return hashPair(l, r);
}
