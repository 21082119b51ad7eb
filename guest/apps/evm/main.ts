// The EVM app (docs/evm.md): the conformance entry point `evm_run_tx` (§2) and the app ABI's entry
// points (docs/app-abi.md §1) over raw Ethereum transactions (§4, the chain path).
import { defineApp } from "../../sdk/app";
import { alloc32, arenaMark, arenaRelease, Bytes, copyBytes, readU32BE, readU64BE, writeU32BE, writeU64BE } from "../../sdk/bytes";
import { batchPayload, isBatchKind } from "../../sdk/batch";
import { get_global_u64, hint_preimage, set_global_bytes32, set_global_u64 } from "../../sdk/host";
import { readMessage } from "../../sdk/inbox";
import { keccak256 } from "../../sdk/keccak";
import { runMeteredWith, TX_STEP_BUDGET } from "../../sdk/meter";
import { outboxCommit } from "../../sdk/outbox";
import { stateCommit, stateGet, stateKeep, stateLoad, stateRevert, stateSet, stateSnapshot } from "../../sdk/state";
import {
  chainId,
  KIND_DEPOSIT,
  MALFORMED,
  OK,
  OUT_OF_STEPS,
  OVERFLOW,
  resetChainId,
  TRAPPED,
  UNDECODABLE,
  UNKNOWN_KIND,
  UNKNOWN_OP,
} from "../../sdk/stf";
import { applyMessage, applyTransaction, NONCE_TOO_LOW, txCreated, txGasUsed, txOut, txOutLen, txStatus } from "./apply";
import { initOps } from "./gas";
import { u256Add, u256Copy, u256FromBE, u256Lt } from "./u256";
import { chainEnv, decodeEnv, ENV_LEN, Env } from "./env";
import { logBuf, logCount, logLen } from "./interp";
import { Tx } from "../../sdk/tx";
import { decodeEvmTx, messageTx, peekGasLimit } from "./tx";
import {
  ACC_BALANCE,
  ACC_NONCE,
  accChange,
  accCode,
  accCodeLen,
  account,
  accSetCode,
  accSetFlags,
  F_EXISTS,
  F_TOUCHED,
  worldCommit,
  worldReset,
} from "./world";
import { zeroMem } from "./mem";
import { applyTick, chainTime, KIND_TICK, TICK_LEN } from "./time";

/** receipt names of codes 16–31 (docs/evm.md §3) */
const NAMES =
  "tx_type_not_supported,bad_signature,wrong_chain_id,nonce_too_low,nonce_too_high,nonce_max," +
  "intrinsic_gas_too_low,gas_limit_above_block,insufficient_funds,fee_cap_below_base_fee," +
  "tip_above_fee_cap,initcode_too_large,sender_not_eoa,blob_tx_invalid,malformed_tx,gas_overflow";

// The SDK's transaction format is not used (main and modex_admit are this file's): the app id is
// never read, and the SDK handler refuses anything routed to it.
function noSdkTx(tx: Tx, signer: usize): u8 {
  return 6; // unknown_op
}

/** the withdrawal precompile's address (docs/evm.md §4) and the code it holds from genesis */
const WITHDRAW_ADDRESS = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x64]);
const INVALID_OP = memory.data<u8>([0xfe]);

/**
 * Genesis (docs/evm.md §4): the account 0x64 with the code 0xfe (INVALID, never run: the
 * precompile answers calls), so that EXTCODESIZE(0x64) = 1 (Solidity's interface calls check it)
 * and a CALL with value to it does not pay for a new account.
 */
function evmGenesis(id: u64): void {
  worldReset();
  const acc = account(WITHDRAW_ADDRESS);
  accSetCode(acc, INVALID_OP, 1);
  accSetFlags(acc, F_TOUCHED | F_EXISTS);
  worldCommit();
}

defineApp(0xee, noSdkTx).receiptNames(NAMES).genesis(evmGenesis);

export { modex_abi_version, modex_genesis, modex_receipt_names } from "../../sdk/abi";

/** The result record (docs/evm.md §2) of the last applied transaction; returns its hash buffer. */
function resultRecord(): usize {
  const len = 1 + 8 + 4 + logLen;
  const p = alloc32(len);
  store<u8>(p, txStatus);
  writeU64BE(p + 1, txGasUsed);
  writeLogs(p + 9);
  const h = alloc32(32);
  keccak256(p, len, h);
  hint_preimage(p, len);
  return h;
}

/**
 * evm_run_tx (docs/evm.md §2): message = env (185 bytes) ‖ raw transaction, bytes32[0] = the
 * pre-state root. u64[1] = 0 (applied: bytes32[0] = the post-state root, bytes32[1] = keccak256 of
 * the result record, hinted) or the refusal code (state unchanged). A message shorter than the env,
 * or an env of another version, traps: it comes from the runner, never from a user.
 */
export function evm_run_tx(): void {
  stateLoad();
  const mark = arenaMark();
  const msg = readMessage();
  if (msg.len < ENV_LEN) unreachable();
  const env = decodeEnv(msg.ptr);
  if (env == null) unreachable();
  const e = changetype<Env>(env);
  const tx = decodeEvmTx(msg.ptr + <usize>ENV_LEN, msg.len - ENV_LEN, e.chainId);
  const verdict = applyTransaction(e, tx);
  set_global_u64(1, <u64>verdict);
  if (verdict == 0) {
    set_global_bytes32(1, resultRecord());
    stateCommit();
  }
  arenaRelease(mark);
}

/** logCount u32 ‖ logs (docs/evm.md §2) of the last applied transaction at p (4 + logLen bytes) */
function writeLogs(p: usize): void {
  writeU32BE(p, logCount);
  if (logLen > 0) copyBytes(p + 4, logBuf, logLen);
}

// ---- the chain path (docs/evm.md §4) ----------------------------------------------------------

/** the block gas limit of the modex chain's env */
const CHAIN_GAS_LIMIT: u64 = 30_000_000;
const ZERO20 = memory.data(32, 8);

/** state key prefix of the per-transaction result records (docs/evm.md §4) */
const RECORD_KEY: u8 = 0x12;

let curEnv: Env = changetype<Env>(0);
let curPtr: usize = 0;
let curLen: i32 = 0;
let curPos: u64 = 0;
let curIndex: u32 = 0;

/** One transaction of a batch (the metered unit): applied, then its result record written. */
function runOne(): u8 {
  const tx = decodeEvmTx(curPtr, curLen, curEnv.chainId);
  const v = applyTransaction(curEnv, tx);
  if (v == 0) writeTxRecord(curPos, curIndex, tx.sender);
  return <u8>v;
}

/**
 * The result record of an applied transaction of the chain (docs/evm.md §4): key
 * 0x12 ‖ position u64 ‖ index u32 → status u8 ‖ gasUsed u64 ‖ from (20) ‖ contractAddress (20) ‖
 * logCount u32 ‖ logs.
 */
function writeTxRecord(pos: u64, index: u32, from: usize): void {
  const key = alloc32(13);
  store<u8>(key, RECORD_KEY);
  writeU64BE(key + 1, pos);
  writeU32BE(key + 9, index);
  const len = 1 + 8 + 20 + 20 + 4 + logLen;
  const v = alloc32(len);
  store<u8>(v, txStatus);
  writeU64BE(v + 1, txGasUsed);
  copyBytes(v + 9, from, 20);
  copyBytes(v + 29, txCreated, 20);
  writeLogs(v + 49);
  stateSet(key, 13, v, len);
}

/** An L1 deposit (the metered unit; docs/evm.md §4): `amount` (u256 BE at curPtr + 20) wei to `to` (curPtr). */
function runDeposit(): u8 {
  worldReset();
  const acc = account(curPtr);
  const amount = alloc32(32);
  u256FromBE(amount, curPtr + 20, 32);
  const sum = alloc32(32);
  u256Add(sum, acc + ACC_BALANCE, amount);
  if (u256Lt(sum, amount)) return OVERFLOW;
  accChange(acc);
  u256Copy(acc + ACC_BALANCE, sum);
  accSetFlags(acc, F_TOUCHED | F_EXISTS);
  worldCommit();
  return OK;
}

/**
 * The step budget of a transaction (docs/evm.md §4): the SDK's 10,000,000 plus STEPS_PER_GAS per
 * unit of its gas limit (read from the raw bytes; at most the block's), so that a transaction that
 * may use 30,000,000 gas gets the steps to use it.
 */
const STEPS_PER_GAS: u64 = 200;

function txBudget(ptr: usize, len: i32): i64 {
  let gas = peekGasLimit(ptr, len);
  if (gas > CHAIN_GAS_LIMIT) gas = CHAIN_GAS_LIMIT;
  return TX_STEP_BUDGET + <i64>(gas * STEPS_PER_GAS);
}

/** Runs `fn` metered with `budget` steps; a status other than OK drops its state writes (docs/app-abi.md §5). */
function runUnit(fn: () => u8, budget: i64): u8 {
  const mark = arenaMark();
  const snap = stateSnapshot();
  const s = runMeteredWith(fn, budget);
  if (s != OK) stateRevert(snap, s == TRAPPED || s == OUT_OF_STEPS);
  else stateKeep(snap);
  arenaRelease(mark);
  return s;
}

/**
 * main (stf v1, docs/app-abi.md §1): a batch message's raw Ethereum transactions applied in order,
 * each metered (a trap or an exhausted budget refuses it, docs/app-abi.md §5) and, when applied,
 * with its result record (key 0x12), in the chain's env: coinbase zero, number = the inbox
 * position + 1, timestamp = the last L1 tick's (time.ts; 0 before any), gas limit 30,000,000, base
 * fee 0, no blobs, the withdrawal precompile. Receipt statuses: 0 applied (reverted or not), else
 * the refusal code. A deposit message `0x01 ‖ to ‖ amount` credits `to`: status 0, or 8
 * (overflow). A tick `0x05 ‖ timestamp ‖ blockNumber` sets the time (monotonic): 0, or 10 when not
 * 17 bytes.
 */
export function main(): void {
  stateLoad();
  resetChainId();
  const pos = get_global_u64(0);
  const msg = readMessage();
  let msgStatus: u8 = OK;
  let count: u32 = 0;
  let statuses: usize = 0;
  if (msg.len == 0) {
    msgStatus = UNDECODABLE;
  } else {
    const kind = <u32>load<u8>(msg.ptr);
    if (isBatchKind(kind)) {
      const batch = batchPayload(msg.ptr, msg.len);
      const n = batch == null ? -1 : countTxs(batch.ptr, batch.len);
      if (n < 0) {
        msgStatus = UNDECODABLE;
      } else {
        const q = changetype<Bytes>(batch).ptr;
        count = <u32>n;
        statuses = alloc32(n);
        curEnv = chainEnv(ZERO20, pos + 1, chainTime(), CHAIN_GAS_LIMIT, chainId());
        curPos = pos;
        let off: i32 = 4;
        for (let i: i32 = 0; i < n; i++) {
          const len = <i32>readU32BE(q + <usize>off);
          curPtr = q + <usize>(off + 4);
          curLen = len;
          curIndex = <u32>i;
          const s = runUnit(runOne, txBudget(curPtr, curLen));
          store<u8>(statuses + <usize>i, s);
          off += 4 + len;
        }
      }
    } else if (kind == KIND_DEPOSIT) {
      if (msg.len != 53) msgStatus = UNDECODABLE;
      else {
        curPtr = msg.ptr + 1;
        msgStatus = runUnit(runDeposit, TX_STEP_BUDGET);
      }
    } else if (kind == KIND_TICK) {
      if (msg.len != TICK_LEN) msgStatus = UNDECODABLE;
      else applyTick(msg.ptr);
    } else {
      msgStatus = UNKNOWN_KIND;
    }
  }
  const key = alloc32(9);
  store<u8>(key, 0x00);
  writeU64BE(key + 1, pos);
  const rlen = 5 + <i32>count;
  const r = alloc32(rlen);
  store<u8>(r, msgStatus);
  writeU32BE(r + 1, count);
  if (count > 0) copyBytes(r + 5, statuses, <i32>count);
  stateSet(key, 9, r, rlen);
  outboxCommit();
  stateCommit();
  set_global_u64(0, pos + 1);
  set_global_u64(1, 0);
}

/** the number of transactions of the list `count u32 ‖ (len u32 ‖ tx)*`, or -1 if it does not decode */
function countTxs(q: usize, len: i32): i32 {
  if (len < 4) return -1;
  const n = readU32BE(q);
  if (<u64>n * 4 > <u64>(len - 4)) return -1;
  let off: i32 = 4;
  for (let i: u32 = 0; i < n; i++) {
    if (len - off < 4) return -1;
    const txLen = readU32BE(q + <usize>off);
    if (<u64>txLen > <u64>(len - off - 4)) return -1;
    off += 4 + <i32>txLen;
  }
  return off == len ? <i32>n : -1;
}

/**
 * modex_admit (docs/app-abi.md §3): the raw Ethereum transaction decoded and its signature and
 * chain id checked (decodeEvmTx), its nonce against the sender's account: below it, nonce_too_low.
 */
export function modex_admit(): void {
  stateLoad();
  resetChainId();
  const msg = readMessage();
  const tx = decodeEvmTx(msg.ptr, msg.len, chainId());
  let verdict = tx.error;
  if (verdict == 0) {
    worldReset();
    if (tx.nonce < load<u64>(account(tx.sender) + ACC_NONCE)) verdict = NONCE_TOO_LOW;
  }
  if (verdict == 0) {
    const word = alloc32(32);
    zeroMem(word, 12);
    copyBytes(word + 12, tx.sender, 20);
    set_global_bytes32(1, word);
    set_global_u64(0, tx.nonce);
  }
  set_global_u64(1, <u64>verdict);
}

/** the fixed part of an eth_call query (0x12): number ‖ from ‖ to ‖ isCreate ‖ gas ‖ value */
const CALL_ARGS: i32 = 8 + 20 + 20 + 1 + 8 + 32;

/**
 * modex_query (docs/app-abi.md §4, docs/evm.md §4): 0x00 ‖ address → the account's nonce (u64 BE;
 * the EVM account's, not the SDK's key 0x01), 0x01 ‖ key → the raw value, 0x02 → the chain id,
 * 0x10 ‖ address → the account record (100 bytes; empty when absent), 0x11 ‖ address ‖ slot (32)
 * → the slot's value (32 bytes BE; zero when absent), 0x12 ‖ call → an eth_call's
 * success u8 ‖ gasUsed u64 ‖ returnData (status: a refusal code when it cannot start),
 * 0x13 ‖ address → the account's code. u64[1] = status, bytes32[1] = keccak256 of the answer
 * (hinted).
 */
export function modex_query(): void {
  stateLoad();
  resetChainId();
  const msg = readMessage();
  let status: u8 = OK;
  let ans: usize = 0;
  let ansLen: i32 = 0;
  if (msg.len == 0) {
    status = MALFORMED;
  } else {
    const kind = <u32>load<u8>(msg.ptr);
    const args = msg.ptr + 1;
    const n = msg.len - 1;
    if (kind == 0x00) {
      if (n != 20) status = MALFORMED;
      else {
        worldReset();
        ans = alloc32(8);
        ansLen = 8;
        writeU64BE(ans, load<u64>(account(args) + ACC_NONCE));
      }
    } else if (kind == 0x01 || kind == 0x10) {
      if (kind == 0x10 && n != 20) status = MALFORMED;
      else {
        const v = kind == 0x01 ? stateGet(args, n) : stateGet(msg.ptr, msg.len);
        if (v != null) {
          ans = v.ptr;
          ansLen = v.len;
        }
      }
    } else if (kind == 0x02) {
      if (n != 0) status = MALFORMED;
      else {
        ans = alloc32(8);
        ansLen = 8;
        writeU64BE(ans, chainId());
      }
    } else if (kind == 0x11) {
      if (n != 52) status = MALFORMED;
      else {
        ans = alloc32(32);
        ansLen = 32;
        zeroMem(ans, 32);
        const v = stateGet(msg.ptr, msg.len);
        if (v != null && v.len == 84) copyBytes(ans, v.ptr + 52, 32);
      }
    } else if (kind == 0x12) {
      // eth_call: number u64 ‖ from ‖ to ‖ isCreate u8 ‖ gas u64 ‖ value u256 ‖ data
      if (n < CALL_ARGS || load<u8>(args + 48) > 1) status = MALFORMED;
      else {
        const isCreate = load<u8>(args + 48) == 1;
        const env = chainEnv(ZERO20, readU64BE(args), chainTime(), CHAIN_GAS_LIMIT, chainId());
        const tx = messageTx(args + 8, args + 28, isCreate, readU64BE(args + 49), args + 57, args + CALL_ARGS, n - CALL_ARGS);
        initOps();
        worldReset();
        const v = applyMessage(env, tx, false);
        if (v != 0) status = <u8>v;
        else {
          ansLen = 9 + txOutLen;
          ans = alloc32(ansLen);
          store<u8>(ans, txStatus);
          writeU64BE(ans + 1, txGasUsed);
          if (txOutLen > 0) copyBytes(ans + 9, txOut, txOutLen);
        }
      }
    } else if (kind == 0x13) {
      if (n != 20) status = MALFORMED;
      else {
        worldReset();
        const acc = account(args);
        ansLen = accCodeLen(acc);
        ans = ansLen > 0 ? accCode(acc) : 0;
      }
    } else {
      status = UNKNOWN_OP;
    }
  }
  if (status != OK) ansLen = 0;
  const h = alloc32(32);
  keccak256(ans, ansLen, h);
  hint_preimage(ans, ansLen);
  set_global_bytes32(1, h);
  set_global_u64(1, <u64>status);
}
