// The entry points of the app ABI (docs/app-abi.md §1): an app re-exports them from its entry file
// after declaring itself (app.ts):
//
//   export { main, modex_abi_version, modex_genesis, modex_admit, modex_query, modex_receipt_names } from "modex/sdk/abi";
//
// Every entry point is `() -> ()` (modex_abi_version: `() -> i32`): its input is the inbox message
// (inbox_read) and the global state, its output the global state and the preimages it hints.
import { theApp } from "./app";
import { alloc32, copyBytes, readU64BE, writeU64BE } from "./bytes";
import { hint_preimage, set_global_bytes32, set_global_u64 } from "./host";
import { readMessage } from "./inbox";
import { keccak256 } from "./keccak";
import { stateCommit, stateGet, stateLoad, stateSet } from "./state";
import {
  BAD_NONCE,
  CHAIN_ID_KEY,
  checkedSigner,
  checkedTx,
  checkTx,
  getNonce,
  MALFORMED,
  OK,
  resetChainId,
  runStf,
  chainId as stateChainId,
  UNKNOWN_OP,
} from "./stf";
import { Tx } from "./tx";

/** The app ABI version of this SDK. */
export const ABI_VERSION: i32 = 1;

/** Query kinds the SDK answers (docs/app-abi.md §4); 0x10–0xff go to the app. */
export const QUERY_NONCE: u32 = 0x00;
export const QUERY_STATE: u32 = 0x01;
export const QUERY_CHAIN_ID: u32 = 0x02;
export const QUERY_APP_FIRST: u32 = 0x10;

/** stf v1: one inbox message per run (stf.ts). */
export function main(): void {
  runStf();
}

/** The app ABI version: 1. */
export function modex_abi_version(): i32 {
  return ABI_VERSION;
}

/**
 * Genesis (docs/app-abi.md §2): message = chainId u64 BE, global state all zero. Writes the chain id
 * at key 0x05, runs the app's genesis handler, commits: bytes32[0] = the genesis state root.
 * A message that is not 8 bytes traps (a node's configuration error, never user input).
 */
export function modex_genesis(): void {
  stateLoad();
  const msg = readMessage();
  if (msg.len != 8) unreachable();
  const id = readU64BE(msg.ptr);
  const v = alloc32(8);
  writeU64BE(v, id);
  stateSet(CHAIN_ID_KEY, 1, v, 8);
  resetChainId();
  theApp().onGenesis(id);
  stateCommit();
}

/**
 * Admission (docs/app-abi.md §3): message = a raw transaction, bytes32[0] = the head's state root.
 * u64[1] = 0 (admitted) or the receipt code it would get; when admitted bytes32[1] = the sender
 * (12 zero bytes ‖ address) and u64[0] = its nonce. The state (bytes32[0]) is never written.
 */
export function modex_admit(): void {
  stateLoad();
  resetChainId();
  const msg = readMessage();
  const app = theApp();
  if (app.raw) {
    admitKeySet = false;
    const v = app.onAdmit(msg.ptr, msg.len);
    if (v == OK) {
      if (!admitKeySet) unreachable(); // the app admitted without a replay key: its bug
      set_global_bytes32(1, admitSender);
      set_global_u64(0, admitNonce);
    }
    set_global_u64(1, <u64>v);
    return;
  }
  let verdict = checkTx(msg.ptr, msg.len);
  if (verdict == OK) {
    const tx = changetype<Tx>(checkedTx);
    const signer = checkedSigner;
    if (tx.nonce < getNonce(signer)) {
      verdict = BAD_NONCE;
    } else {
      const word = alloc32(32);
      memory.fill(word, 0, 12);
      copyBytes(word + 12, signer, 20);
      set_global_bytes32(1, word);
      set_global_u64(0, tx.nonce);
    }
  }
  set_global_u64(1, <u64>verdict);
}

// the replay key of the transaction being admitted (admitReplayKey)
let admitKeySet: bool = false;
let admitSender: usize = 0;
let admitNonce: u64 = 0;

/**
 * For an app of raw transactions (app.ts rawTransactions): the replay key of the transaction its
 * admit handler admits, the sender as 32 bytes (copied) and the nonce (docs/app-abi.md §3, §10).
 */
export function admitReplayKey(sender: usize, nonce: u64): void {
  const w = alloc32(32);
  copyBytes(w, sender, 32);
  admitSender = w;
  admitNonce = nonce;
  admitKeySet = true;
}

// the answer of the current query (queryAnswer)
let answerPtr: usize = 0;
let answerLen: i32 = 0;

/** Sets the answer of the current query (for an app's query handler; the bytes are copied). */
export function queryAnswer(ptr: usize, len: i32): void {
  const p = alloc32(len);
  copyBytes(p, ptr, len);
  answerPtr = p;
  answerLen = len;
}

/** A u64 answer, big-endian. */
export function queryAnswerU64(v: u64): void {
  const p = alloc32(8);
  writeU64BE(p, v);
  answerPtr = p;
  answerLen = 8;
}

/**
 * Query (docs/app-abi.md §4): message = kind u8 ‖ args, bytes32[0] = the state root asked about.
 * u64[1] = status; bytes32[1] = keccak256 of the answer (empty unless the status is 0), hinted.
 */
export function modex_query(): void {
  stateLoad();
  resetChainId();
  answerPtr = 0;
  answerLen = 0;
  const msg = readMessage();
  let status: u8 = OK;
  if (msg.len == 0) {
    status = MALFORMED;
  } else {
    const kind = <u32>load<u8>(msg.ptr);
    const args = msg.ptr + 1;
    const n = msg.len - 1;
    if (kind == QUERY_NONCE && theApp().raw) {
      // an app of raw transactions keeps its own nonces (docs/app-abi.md §10)
      status = theApp().onQuery(kind, args, n);
    } else if (kind == QUERY_NONCE) {
      if (n != 20) status = MALFORMED;
      else queryAnswerU64(getNonce(args));
    } else if (kind == QUERY_STATE) {
      const v = stateGet(args, n);
      if (v != null) queryAnswer(v.ptr, v.len);
    } else if (kind == QUERY_CHAIN_ID) {
      if (n != 0) status = MALFORMED;
      else queryAnswerU64(stateChainId());
    } else if (kind >= QUERY_APP_FIRST) {
      status = theApp().onQuery(kind, args, n);
    } else {
      status = UNKNOWN_OP;
    }
  }
  if (status != OK) answerLen = 0;
  hintAnswer(answerPtr, answerLen);
  set_global_u64(1, <u64>status);
}

/** keccak256 of ptr..+len into bytes32[1]; the bytes hinted as its preimage. */
function hintAnswer(ptr: usize, len: i32): void {
  const h = alloc32(32);
  keccak256(ptr, len, h);
  hint_preimage(ptr, len);
  set_global_bytes32(1, h);
}

// names of the SDK's codes 0–15 (docs/app-abi.md §5); 14 and 15 are unnamed
const SDK_NAMES =
  "ok,malformed,wrong_app,wrong_chain,bad_signature,bad_nonce,unknown_op,insufficient_balance,overflow," +
  "unknown_kind,undecodable,unsupported,out_of_steps,trapped,,";

/** Writes `s` as UTF-8 at p (when p != 0); returns the byte length. */
function utf8(s: string, p: usize): i32 {
  let n: i32 = 0;
  for (let i = 0; i < s.length; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = <u32>s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) {
      if (p != 0) store<u8>(p + <usize>n, <u8>c);
      n += 1;
    } else if (c < 0x800) {
      if (p != 0) {
        store<u8>(p + <usize>n, <u8>(0xc0 | (c >> 6)));
        store<u8>(p + <usize>n, <u8>(0x80 | (c & 0x3f)), 1);
      }
      n += 2;
    } else if (c < 0x10000) {
      if (p != 0) {
        store<u8>(p + <usize>n, <u8>(0xe0 | (c >> 12)));
        store<u8>(p + <usize>n, <u8>(0x80 | ((c >> 6) & 0x3f)), 1);
        store<u8>(p + <usize>n, <u8>(0x80 | (c & 0x3f)), 2);
      }
      n += 3;
    } else {
      if (p != 0) {
        store<u8>(p + <usize>n, <u8>(0xf0 | (c >> 18)));
        store<u8>(p + <usize>n, <u8>(0x80 | ((c >> 12) & 0x3f)), 1);
        store<u8>(p + <usize>n, <u8>(0x80 | ((c >> 6) & 0x3f)), 2);
        store<u8>(p + <usize>n, <u8>(0x80 | (c & 0x3f)), 3);
      }
      n += 4;
    }
  }
  return n;
}

/**
 * Receipt names (docs/app-abi.md §5): the UTF-8 text "name0,name1,…" (index = code; the SDK's 16,
 * then the app's from code 16 on), hinted; bytes32[1] = its keccak256.
 */
export function modex_receipt_names(): void {
  const app = theApp().names;
  const a = utf8(SDK_NAMES, 0);
  const b = app.length > 0 ? utf8(app, 0) : 0;
  const len = a + (b > 0 ? 1 + b : 0);
  const p = alloc32(len);
  utf8(SDK_NAMES, p);
  if (b > 0) {
    store<u8>(p + <usize>a, 0x2c); // ','
    utf8(app, p + <usize>a + 1);
  }
  hintAnswer(p, len);
}

