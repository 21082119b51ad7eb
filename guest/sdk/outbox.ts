// The outbox (docs/stf.md "Outbox"): withdrawal leaves in an append-only Merkle tree of depth 32
// (missing leaves = 32 zero bytes); the send root bytes32[1] is its root. The tree's frontier is kept
// in the state under key 0x04: count u64 ‖ branch[0..32] (32 bytes each); each withdrawal is recorded
// at key 0x06 ‖ index u64 (docs/app-abi.md §6).
import { alloc32, Bytes, heapAlloc32, readU64BE, writeU64BE } from "./bytes";
import { get_global_bytes32, set_global_bytes32 } from "./host";
import { keccak256 } from "./keccak";
import { hashPair, stateGet, stateSet } from "./state";

export const OUTBOX_DEPTH: i32 = 32;
const FRONTIER_LEN: i32 = 8 + 32 * OUTBOX_DEPTH;
const OUTBOX_KEY = memory.data<u8>([0x04]);

let zeroHashes: usize = 0;

function zeros(): usize {
  if (zeroHashes != 0) return zeroHashes;
  zeroHashes = heapAlloc32(32 * (OUTBOX_DEPTH + 1));
  memory.fill(zeroHashes, 0, 32);
  for (let i: i32 = 0; i < OUTBOX_DEPTH; i++) {
    const p = zeroHashes + <usize>(i * 32);
    memory.copy(p + 32, hashPair(p, p), 32);
  }
  return zeroHashes;
}

/** keccak256(index u64 ‖ from (20) ‖ to (20) ‖ amount (32)) */
function leafHash(index: u64, from: usize, to: usize, amount: usize): usize {
  const buf = alloc32(80);
  writeU64BE(buf, index);
  memory.copy(buf + 8, from, 20);
  memory.copy(buf + 28, to, 20);
  memory.copy(buf + 48, amount, 32);
  const out = alloc32(32);
  keccak256(buf, 80, out);
  return out;
}

/** state key 0x06 ‖ index u64: the withdrawal `index`, from (20) ‖ to (20) ‖ amount u256 (docs/app-abi.md §6) */
export const WITHDRAWAL_KEY_PREFIX: u8 = 0x06;

/** set when a withdrawal was appended in this run: the send root is recomputed at the commit */
let appended: bool = false;

/**
 * Appends a withdrawal: updates the frontier (key 0x04) and records the withdrawal at key
 * 0x06 ‖ index, both as buffered state writes (dropped with the transaction's other writes when it
 * fails). The send root bytes32[1] is set by {@link outboxCommit} when the run commits. Returns the
 * withdrawal's index.
 */
export function outboxAppend(from: usize, to: usize, amount: usize): u64 {
  const f = alloc32(FRONTIER_LEN);
  memory.fill(f, 0, <usize>FRONTIER_LEN);
  const stored: Bytes | null = stateGet(OUTBOX_KEY, 1);
  if (stored != null && stored.len == FRONTIER_LEN) memory.copy(f, stored.ptr, <usize>FRONTIER_LEN);
  const index = readU64BE(f);
  const branch = f + 8;
  // insert (the deposit-contract algorithm)
  let node = leafHash(index, from, to, amount);
  let size = index + 1;
  writeU64BE(f, size);
  for (let h: i32 = 0; h < OUTBOX_DEPTH; h++) {
    if (size & 1) {
      memory.copy(branch + <usize>(h * 32), node, 32);
      break;
    }
    const b = alloc32(32);
    memory.copy(b, branch + <usize>(h * 32), 32);
    node = hashPair(b, node);
    size >>= 1;
  }
  stateSet(OUTBOX_KEY, 1, f, FRONTIER_LEN);
  // the record: key 0x06 ‖ index, value from ‖ to ‖ amount
  const k = alloc32(9);
  store<u8>(k, WITHDRAWAL_KEY_PREFIX);
  writeU64BE(k + 1, index);
  const v = alloc32(72);
  memory.copy(v, from, 20);
  memory.copy(v + 20, to, 20);
  memory.copy(v + 40, amount, 32);
  stateSet(k, 9, v, 72);
  appended = true;
  return index;
}

/**
 * Sets the send root bytes32[1] from the frontier in the state, when a withdrawal was appended in
 * this run (and not dropped: with no withdrawal at all the genesis send root stays). Called by the
 * run loop before the state commit.
 */
export function outboxCommit(): void {
  if (!appended) return;
  appended = false;
  const stored: Bytes | null = stateGet(OUTBOX_KEY, 1);
  if (stored == null || stored.len != FRONTIER_LEN) return;
  const f = stored.ptr;
  const count = readU64BE(f);
  if (count == 0) return;
  const branch = f + 8;
  const z = zeros();
  let r = alloc32(32);
  memory.fill(r, 0, 32);
  let size = count;
  for (let h: i32 = 0; h < OUTBOX_DEPTH; h++) {
    if (size & 1) {
      const b = alloc32(32);
      memory.copy(b, branch + <usize>(h * 32), 32);
      r = hashPair(b, r);
    } else {
      r = hashPair(r, z + <usize>(h * 32));
    }
    size >>= 1;
  }
  set_global_bytes32(1, r);
}

/** the current send root (for tests) */
export function sendRoot(): usize {
  const p = alloc32(32);
  get_global_bytes32(1, p);
  return p;
}
