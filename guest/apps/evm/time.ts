// The chain's time (docs/evm.md §4 "Time"): the L1 tick messages `0x05 ‖ timestamp u64 ‖ blockNumber u64`
// (docs/inbox.md §6.4) kept at state key 0x14, monotonic; TIMESTAMP of every later transaction.
import { alloc32, readU64BE, writeU64BE } from "../../sdk/bytes";
import { stateGet, stateSet } from "../../sdk/state";

/** inbox kind of an L1 tick (docs/inbox.md §2: only the inbox's `tick()` writes it) */
export const KIND_TICK: u32 = 5;
/** a tick message's length: kind ‖ timestamp u64 ‖ blockNumber u64 */
export const TICK_LEN: i32 = 17;

/** state key 0x14 → L1 timestamp u64 ‖ L1 block number u64 of the latest tick (absent: time 0) */
const TIME_KEY = memory.data<u8>([0x14]);

/** the chain's time: the stored tick's L1 timestamp, 0 before any tick */
export function chainTime(): u64 {
  const v = stateGet(TIME_KEY, 1);
  if (v == null || v.len != 16) return 0;
  return readU64BE(v.ptr);
}

/**
 * Applies the tick at p (TICK_LEN bytes, kind first): stores its timestamp and block number when
 * its timestamp is above the stored one (max: the time never goes back; an older or equal tick
 * changes nothing).
 */
export function applyTick(p: usize): void {
  const ts = readU64BE(p + 1);
  if (ts <= chainTime()) return;
  const v = alloc32(16);
  writeU64BE(v, ts);
  writeU64BE(v + 8, readU64BE(p + 9));
  stateSet(TIME_KEY, 1, v, 16);
}
