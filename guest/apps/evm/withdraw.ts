// The withdrawal precompile at 0x0000…0064 (docs/evm.md §4 "Withdrawals"), live only in the chain's
// env (env.withdrawals; evm_run_tx runs plain Cancun): a CALL with value v > 0 and calldata exactly
// `withdraw(address to)` (0x51cff8d9 ‖ the address word, its top 12 bytes zero) costs 30,000 gas,
// burns v (0x64's balance stays 0) and records the withdrawal (from = the caller, to, v). The
// records of a frame that fails are dropped with its other changes (wdMark / wdRestore beside the
// logs' marks in callFrame and createFrame); the transaction's commit appends the rest to the
// outbox (apply.ts, the SDK's outboxAppend).
import { alloc32, copyBytes } from "../../sdk/bytes";
import { u256IsZero, u256Sub, u256ToBE } from "./u256";
import { ACC_BALANCE, accChange } from "./world";

/** the precompile's id (its address's last byte) */
export const WITHDRAW_ID: i32 = 0x64;
/** its flat gas cost */
export const WITHDRAW_GAS: u64 = 30_000;
/** withdraw(address): keccak256("withdraw(address)")[0..4] */
const SELECTOR: u32 = 0x51cff8d9;
/** one record: from (20) ‖ to (20) ‖ amount u256 BE (32), as the SDK's outboxAppend takes them */
export const WD_RECORD: i32 = 72;

let wdBuf: usize = 0;
let wdCap: i32 = 0;
/** the withdrawals recorded so far in this transaction (records at wdAt(i)) */
export let wdCount: i32 = 0;

/** Forgets the records (a new transaction; the buffer is in the SDK arena, released with it). */
export function wdReset(): void {
  wdBuf = 0;
  wdCap = 0;
  wdCount = 0;
}

/** The i-th record (from ‖ to ‖ amount). */
export function wdAt(i: i32): usize {
  return wdBuf + <usize>(i * WD_RECORD);
}

/** Drops the records made after `mark` (= wdCount when the frame started). */
export function wdRestore(mark: i32): void {
  wdCount = mark;
}

/**
 * The precompile's call: `kind_is_call` (a CALL, not a STATICCALL, DELEGATECALL or CALLCODE),
 * `caller` (20 bytes), `target` (0x64's account record, which the CALL just credited with `value`,
 * u256), the whole input. Returns false (the call fails: all gas consumed) on any other input, a
 * zero value or too little gas; else burns the value, records the withdrawal and returns true (the
 * gas used is WITHDRAW_GAS).
 */
export function withdrawCall(kindIsCall: bool, caller: usize, target: usize, value: usize, input: usize, len: i32, gas: u64): bool {
  if (!kindIsCall || u256IsZero(value) || len != 36 || gas < WITHDRAW_GAS) return false;
  if (bswap<u32>(load<u32>(input)) != SELECTOR) return false;
  if (load<u64>(input, 4) != 0 || load<u32>(input, 12) != 0) return false;
  // burn: 0x64 received the value with the call and keeps nothing (journaled: a revert restores it)
  accChange(target);
  u256Sub(target + ACC_BALANCE, target + ACC_BALANCE, value);
  if (wdCount == wdCap) {
    const cap = wdCap == 0 ? 4 : wdCap * 2;
    const b = alloc32(cap * WD_RECORD);
    if (wdCount > 0) copyBytes(b, wdBuf, wdCount * WD_RECORD);
    wdBuf = b;
    wdCap = cap;
  }
  const r = wdAt(wdCount);
  copyBytes(r, caller, 20);
  copyBytes(r + 20, input + 16, 20);
  u256ToBE(r + 40, value);
  wdCount++;
  return true;
}
