// The run loop (docs/stf.md, docs/app-abi.md): one inbox message per run. Never traps on user input:
// every decode is bounds-checked; a bad tx is skipped with a receipt status and leaves the state
// unchanged (its writes are dropped: stateSnapshot / stateRevert around each metered unit, meter.ts).
// The app's id and handlers come from its registration (app.ts), the chain id from state key 0x05.
import { theApp } from "./app";
import {
  alloc32,
  arenaMark,
  arenaRelease,
  Bytes,
  copyBytes,
  readU32BE,
  readU64BE,
  writeU32BE,
  writeU64BE,
} from "./bytes";
import { batchPayload, isBatchKind } from "./batch";
import { get_global_u64, set_global_u64 } from "./host";
import { readMessage } from "./inbox";
import { runMeteredWith, TxThunk } from "./meter";
import { outboxCommit } from "./outbox";
import {
  hashBytes,
  stateCommit,
  stateGet,
  stateGetAt,
  stateKeep,
  stateLoad,
  stateRevert,
  stateSet,
  stateSetAt,
  stateSnapshot,
} from "./state";
import { decodeTx, Tx, txSigner } from "./tx";

// receipt statuses (per tx, and per message in byte 0 of the receipt; docs/app-abi.md §5)
export const OK: u8 = 0;
export const MALFORMED: u8 = 1;
export const WRONG_APP: u8 = 2;
export const WRONG_CHAIN: u8 = 3;
export const BAD_SIGNATURE: u8 = 4;
export const BAD_NONCE: u8 = 5;
export const UNKNOWN_OP: u8 = 6;
export const INSUFFICIENT_BALANCE: u8 = 7;
export const OVERFLOW: u8 = 8;
export const UNKNOWN_KIND: u8 = 9;
export const UNDECODABLE: u8 = 10;
export const UNSUPPORTED: u8 = 11;
export const OUT_OF_STEPS: u8 = 12;
export const TRAPPED: u8 = 13;
/** the first code an app may name (receiptNames in app.ts) */
export const FIRST_APP_CODE: u8 = 16;

export { KIND_BLOBS, KIND_BROTLI, KIND_CERTIFIED, KIND_TXS } from "./batch";
export const KIND_DEPOSIT: u32 = 1;

export { DepositHandler, TxHandler } from "./app";

/** state key 0x05: the chain id, u64 BE, written at genesis (docs/app-abi.md §2) */
export const CHAIN_ID_KEY = memory.data<u8>([0x05]);

let chainIdCached: bool = false;
let chainIdValue: u64 = 0;

/** The chain id (state key 0x05, absent = 0), read once per run. */
export function chainId(): u64 {
  if (!chainIdCached) {
    const v = stateGet(CHAIN_ID_KEY, 1);
    chainIdValue = v != null && v.len == 8 ? readU64BE(v.ptr) : 0;
    chainIdCached = true;
  }
  return chainIdValue;
}

/** Forgets the cached chain id (a new run, or genesis wrote it). */
export function resetChainId(): void {
  chainIdCached = false;
}

/** hash of state key 0x01 ‖ address: the sender's next nonce (u64, 8 bytes; absent = 0) */
export function nonceKeyHash(addr: usize): usize {
  const k = alloc32(21);
  store<u8>(k, 0x01);
  copyBytes(k + 1, addr, 20);
  return hashBytes(k, 21);
}

export function getNonceAt(kh: usize): u64 {
  const v = stateGetAt(kh);
  if (v == null || v.len != 8) return 0;
  return readU64BE(v.ptr);
}

export function getNonce(addr: usize): u64 {
  return getNonceAt(nonceKeyHash(addr));
}

/**
 * The checks every transaction passes before the app sees it (docs/stf.md "Signed transactions"):
 * framing, app id, chain id, signature. The result is in checkedTx / checkedSigner when OK.
 */
export let checkedTx: Tx | null = null;
export let checkedSigner: usize = 0;

export function checkTx(ptr: usize, len: i32): u8 {
  checkedTx = null;
  checkedSigner = 0;
  const tx = decodeTx(ptr, len);
  if (tx == null) return MALFORMED;
  if (tx.app != theApp().appId) return WRONG_APP;
  if (tx.chainId != chainId()) return WRONG_CHAIN;
  const signer = txSigner(tx);
  if (signer == 0) return BAD_SIGNATURE;
  checkedTx = tx;
  checkedSigner = signer;
  return OK;
}

// the metered unit's input (meter.ts: a thunk takes no arguments)
let curPtr: usize = 0;
let curLen: i32 = 0;

/**
 * One transaction of a batch (the metered unit): the checks, the nonce, the app's handler; or, for
 * an app of raw transactions (app.ts rawTransactions), the app's raw handler alone.
 */
function processTx(): u8 {
  const app = theApp();
  if (app.raw) return app.onRawTx(curPtr, curLen);
  const c = checkTx(curPtr, curLen);
  if (c != OK) return c;
  const tx = changetype<Tx>(checkedTx);
  const signer = checkedSigner;
  const nk = nonceKeyHash(signer);
  if (tx.nonce != getNonceAt(nk)) return BAD_NONCE;
  const status = theApp().onTx(tx, signer);
  if (status == OK) {
    const v = alloc32(8);
    writeU64BE(v, tx.nonce + 1);
    stateSetAt(nk, v, 8);
  }
  return status;
}

/** An L1 deposit (the metered unit): to = curPtr (20 bytes), amount = curPtr + 20 (32 bytes). */
function processDeposit(): u8 {
  return theApp().onDeposit(curPtr, curPtr + 20);
}

/** Runs `fn` metered on (ptr, len); a status other than OK drops every state write it made. */
function runUnit(fn: TxThunk, ptr: usize, len: i32): u8 {
  curPtr = ptr;
  curLen = len;
  const mark = stateSnapshot();
  const s = runMeteredWith(fn, theApp().stepBudget);
  if (s != OK) stateRevert(mark, s == TRAPPED || s == OUT_OF_STEPS);
  else stateKeep(mark);
  return s;
}

let lastStatuses: usize = 0;

/**
 * Runs the transaction list `count u32 ‖ (len u32 ‖ tx)*` at q..q+len: returns the count (the
 * statuses are at `lastStatuses`), or -1 if the list does not decode (a message that does not
 * decode is an empty batch: the framing is validated before any transaction runs).
 */
function runBatch(q: usize, len: i32): i64 {
  let ok = len >= 4;
  const n: u32 = ok ? readU32BE(q) : 0;
  if (ok && <u64>n * 4 > <u64>(len - 4)) ok = false;
  let off: i32 = 4;
  for (let i: u32 = 0; ok && i < n; i++) {
    if (len - off < 4) {
      ok = false;
      break;
    }
    const txLen = readU32BE(q + <usize>off);
    if (<u64>txLen > <u64>(len - off - 4)) {
      ok = false;
      break;
    }
    off += 4 + <i32>txLen;
  }
  if (ok && off != len) ok = false;
  if (!ok) return -1;
  const statuses = alloc32(<i32>n);
  off = 4;
  for (let i: u32 = 0; i < n; i++) {
    const txLen = <i32>readU32BE(q + <usize>off);
    const mark = arenaMark();
    const s = runUnit(processTx, q + <usize>(off + 4), txLen);
    arenaRelease(mark);
    store<u8>(statuses + <usize>i, s);
    off += 4 + txLen;
  }
  lastStatuses = statuses;
  return <i64>n;
}

/**
 * One run of `main`: reads the message at inbox position u64[0], applies it, writes the receipt
 * (state key 0x00 ‖ position u64: msgStatus u8 ‖ count u32 ‖ status u8 × count), the send root (when
 * a withdrawal was appended), the state root, and advances the inbox position.
 */
export function runStf(): void {
  stateLoad();
  resetChainId();
  const pos = get_global_u64(0);
  const msg = readMessage();
  const p = msg.ptr;
  const len = msg.len;
  let msgStatus: u8 = OK;
  let count: u32 = 0;
  let statuses: usize = 0;
  if (len == 0) {
    msgStatus = UNDECODABLE;
  } else {
    const kind = <u32>load<u8>(p);
    if (isBatchKind(kind)) {
      // 0x00 inline, 0x02 blobs, 0x03 certified, 0x04 brotli: the same transaction list (batch.ts)
      const batch = batchPayload(p, len);
      if (batch == null) {
        msgStatus = UNDECODABLE;
      } else {
        const n = runBatch(batch.ptr, batch.len);
        if (n < 0) {
          msgStatus = UNDECODABLE;
        } else {
          count = <u32>n;
          statuses = lastStatuses;
        }
      }
    } else if (kind == KIND_DEPOSIT) {
      msgStatus = len == 53 ? runUnit(processDeposit, p + 1, 52) : UNDECODABLE;
    } else {
      msgStatus = UNKNOWN_KIND;
    }
  }
  // receipt
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

/** helper for apps: a state key prefix ‖ address ‖ extra bytes */
export function makeKey(prefix: u8, addr: usize, extra: usize, extraLen: i32): Bytes {
  const len = 21 + extraLen;
  const k = alloc32(len);
  store<u8>(k, prefix);
  copyBytes(k + 1, addr, 20);
  if (extraLen > 0) copyBytes(k + 21, extra, extraLen);
  return new Bytes(k, len);
}
