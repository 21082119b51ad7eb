// The EVM app (docs/evm.md): the conformance entry point `evm_run_tx` (§2) and the app ABI's entry
// points (docs/app-abi.md §1) over raw Ethereum transactions (§4, the chain path).
import { defineApp } from "../../sdk/app";
import { alloc32, arenaMark, arenaRelease, Bytes, copyBytes, readU32BE, writeU32BE, writeU64BE } from "../../sdk/bytes";
import { batchPayload, isBatchKind } from "../../sdk/batch";
import { get_global_u64, hint_preimage, set_global_bytes32, set_global_u64 } from "../../sdk/host";
import { readMessage } from "../../sdk/inbox";
import { keccak256 } from "../../sdk/keccak";
import { runMetered } from "../../sdk/meter";
import { outboxCommit } from "../../sdk/outbox";
import { stateCommit, stateGet, stateKeep, stateLoad, stateRevert, stateSet, stateSnapshot } from "../../sdk/state";
import {
  chainId,
  KIND_DEPOSIT,
  MALFORMED,
  OK,
  OUT_OF_STEPS,
  resetChainId,
  TRAPPED,
  UNDECODABLE,
  UNKNOWN_KIND,
  UNKNOWN_OP,
} from "../../sdk/stf";
import { applyTransaction, NONCE_TOO_LOW, txGasUsed, txStatus } from "./apply";
import { chainEnv, decodeEnv, ENV_LEN, Env } from "./env";
import { logBuf, logCount, logLen } from "./interp";
import { Tx } from "../../sdk/tx";
import { decodeEvmTx } from "./tx";
import { ACC_NONCE, account, worldReset } from "./world";
import { zeroMem } from "./mem";

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

defineApp(0xee, noSdkTx).receiptNames(NAMES);

export { modex_abi_version, modex_genesis, modex_receipt_names } from "../../sdk/abi";

/** The result record (docs/evm.md §2) of the last applied transaction; returns its hash buffer. */
function resultRecord(): usize {
  const len = 1 + 8 + 4 + logLen;
  const p = alloc32(len);
  store<u8>(p, txStatus);
  writeU64BE(p + 1, txGasUsed);
  writeU32BE(p + 9, logCount);
  if (logLen > 0) copyBytes(p + 13, logBuf, logLen);
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

// ---- the chain path (docs/evm.md §4) ----------------------------------------------------------

/** the block gas limit of the modex chain's env */
const CHAIN_GAS_LIMIT: u64 = 30_000_000;
const ZERO20 = memory.data(32, 8);

let curEnv: Env = changetype<Env>(0);
let curPtr: usize = 0;
let curLen: i32 = 0;

function runOne(): u8 {
  const tx = decodeEvmTx(curPtr, curLen, curEnv.chainId);
  const v = applyTransaction(curEnv, tx);
  return <u8>v;
}

/**
 * main (stf v1, docs/app-abi.md §1): a batch message's raw Ethereum transactions applied in order,
 * each metered (a trap or an exhausted budget refuses it, docs/app-abi.md §5), with the chain's
 * env: coinbase zero, number = the inbox position, timestamp 0, gas limit 30,000,000, base fee 0,
 * no blobs. Receipt statuses: 0 applied (reverted or not), else the refusal code.
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
        curEnv = chainEnv(ZERO20, pos, 0, CHAIN_GAS_LIMIT, chainId());
        let off: i32 = 4;
        for (let i: i32 = 0; i < n; i++) {
          const len = <i32>readU32BE(q + <usize>off);
          curPtr = q + <usize>(off + 4);
          curLen = len;
          const mark = arenaMark();
          const snap = stateSnapshot();
          const s = runMetered(runOne);
          if (s != OK) stateRevert(snap, s == TRAPPED || s == OUT_OF_STEPS);
          else stateKeep(snap);
          arenaRelease(mark);
          store<u8>(statuses + <usize>i, s);
          off += 4 + len;
        }
      }
    } else if (kind == KIND_DEPOSIT) {
      msgStatus = 11; // unsupported: the EVM app takes no L1 deposits yet
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

/**
 * modex_query (docs/app-abi.md §4, docs/evm.md §4): 0x00 ‖ address → the account's nonce (u64 BE;
 * the EVM account's, not the SDK's key 0x01), 0x01 ‖ key → the raw value, 0x02 → the chain id,
 * 0x10 ‖ address → the account record (100 bytes; empty when absent), 0x11 ‖ address ‖ slot (32)
 * → the slot's value (32 bytes BE; zero when absent). u64[1] = status, bytes32[1] = keccak256 of
 * the answer (hinted).
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
