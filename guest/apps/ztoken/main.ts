// The ztoken app (app 0x03, docs/validity.md §2): accounts in a Poseidon tree (tree.ts), EdDSA-
// Poseidon signatures (guest/sdk/zk), the rules of §2.2 in the order of the JS model
// (src/apps/ztoken/model.ts), which this STF must agree with (src/apps/ztoken/stf.test.ts).
// Transactions are raw (docs/app-abi.md §10): body ‖ R8x ‖ R8y ‖ S, no SDK envelope, no SDK nonce.
// Queries: 0x00 ‖ sender (20: the index as a 20-byte integer, the replay key's) → the account's
// nonce u64 (0 for a closed account or another address); 0x10 ‖ index u16 → the leaf preimage ax ‖ ay ‖ balance u128 ‖ nonce u64 (88 bytes, all
// zero for a closed account); 0x11 → the account root (32 bytes).
import { admitReplayKey, queryAnswer, queryAnswerU64 } from "../../sdk/abi";
import { defineApp } from "../../sdk/app";
import { alloc32, copyBytes, readU16BE, readU64BE, writeU16BE } from "../../sdk/bytes";
import { outboxAppend } from "../../sdk/outbox";
import { stateGet } from "../../sdk/state";
import {
  BAD_NONCE,
  BAD_SIGNATURE,
  chainId,
  INSUFFICIENT_BALANCE,
  MALFORMED,
  OK,
  OVERFLOW,
  UNKNOWN_OP,
  WRONG_APP,
  WRONG_CHAIN,
} from "../../sdk/stf";
import { Tx } from "../../sdk/tx";
import { inSubgroup } from "../../sdk/zk/babyjub";
import { verifyPoseidon } from "../../sdk/zk/eddsa";
import { FR_SIZE, frCopy, frFromBE, frIsZero, frToBE } from "../../sdk/zk/field";
import { poseidon } from "../../sdk/zk/poseidon";
import { Account, frFromBytes, frFromU64v, readAccount, ROOT_KEY, writeAccount, writeEmptyRoot } from "./tree";

const FS: usize = <usize>FR_SIZE;
const APP_ID: u32 = 0x03;
const OP_TRANSFER: u32 = 1;
const OP_WITHDRAW: u32 = 2;
const OP_OPEN: u32 = 3;
const SIG_LEN: i32 = 96;

// the app's receipt codes (model.ts ZReceipt)
const NO_ACCOUNT: u8 = 16;
const ACCOUNT_TAKEN: u8 = 17;
const BAD_KEY: u8 = 18;

/** the step budget of a transaction or deposit: a transfer takes about 35M steps (docs/validity.md §2.3) */
const UNIT_BUDGET: i64 = 100_000_000;

function bodyLen(op: u32): i32 {
  return op == OP_TRANSFER ? 38 : op == OP_WITHDRAW ? 56 : 84;
}

/** the transaction being checked (checkTx) */
class ZTx {
  op: u32 = 0;
  nonce: u64 = 0;
  /** from (transfer, withdraw) or index (open) */
  idx: u32 = 0;
  /** transfer: to u16 */
  to: u32 = 0;
  /** withdraw: the 20-byte L1 address */
  toAddr: usize = 0;
  amtHi: u64 = 0;
  amtLo: u64 = 0;
  /** open: the key's elements and bytes */
  ax: usize = 0;
  ay: usize = 0;
  key: usize = 0;
  /** the account at idx */
  acc: Account = changetype<Account>(0);
}

/** M = Poseidon(app, op, chainId, nonce, a, b, c) (§2.2) */
function message(r: usize, p: usize, t: ZTx): void {
  const ins = alloc32(7 * FR_SIZE);
  frFromU64v(ins, <u64>APP_ID);
  frFromU64v(ins + FS, <u64>t.op);
  frFromBytes(ins + 2 * FS, p + 2, 8);
  frFromBytes(ins + 3 * FS, p + 10, 8);
  frFromU64v(ins + 4 * FS, <u64>t.idx);
  if (t.op == OP_OPEN) {
    frCopy(ins + 5 * FS, t.ax);
    frCopy(ins + 6 * FS, t.ay);
  } else {
    if (t.op == OP_TRANSFER) frFromU64v(ins + 5 * FS, <u64>t.to);
    else frFromBytes(ins + 5 * FS, t.toAddr, 20);
    frFromBytes(ins + 6 * FS, p + <usize>(bodyLen(t.op) - 16), 16);
  }
  poseidon(r, ins, 7);
}

/** the signature at p + body of the message for key (ax, ay) */
function sigOk(p: usize, t: ZTx, ax: usize, ay: usize): bool {
  const s = p + <usize>bodyLen(t.op);
  const r8x = alloc32(FR_SIZE);
  const r8y = alloc32(FR_SIZE);
  if (!frFromBE(r8x, s) || !frFromBE(r8y, s + 32)) return false;
  const m = alloc32(FR_SIZE);
  message(m, p, t);
  return verifyPoseidon(m, r8x, r8y, s + 64, ax, ay);
}

let cur: ZTx = changetype<ZTx>(0);

/**
 * §2.2 rules 1–5 (admit: a nonce at or above the account's passes); the decoded transaction in
 * `cur` when OK.
 */
function checkTx(p: usize, len: i32, admit: bool): u8 {
  if (len < 2) return MALFORMED;
  if (<u32>load<u8>(p) != APP_ID) return WRONG_APP;
  const op = <u32>load<u8>(p, 1);
  if (op != OP_TRANSFER && op != OP_WITHDRAW && op != OP_OPEN) return UNKNOWN_OP;
  if (len != bodyLen(op) + SIG_LEN) return MALFORMED;
  const t = new ZTx();
  t.op = op;
  t.nonce = readU64BE(p + 10);
  t.idx = readU16BE(p + 18);
  if (op == OP_OPEN) {
    t.ax = alloc32(FR_SIZE);
    t.ay = alloc32(FR_SIZE);
    if (!frFromBE(t.ax, p + 20) || !frFromBE(t.ay, p + 52)) return MALFORMED;
    t.key = p + 20;
  } else if (op == OP_TRANSFER) {
    t.to = readU16BE(p + 20);
    t.amtHi = readU64BE(p + 22);
    t.amtLo = readU64BE(p + 30);
  } else {
    t.toAddr = p + 20;
    t.amtHi = readU64BE(p + 40);
    t.amtLo = readU64BE(p + 48);
  }
  if (readU64BE(p + 2) != chainId()) return WRONG_CHAIN;
  t.acc = readAccount(t.idx);
  if (op == OP_OPEN) {
    if (t.acc.open) return ACCOUNT_TAKEN;
    if (frIsZero(t.ax) || !inSubgroup(t.ax, t.ay)) return BAD_KEY;
    if (!sigOk(p, t, t.ax, t.ay)) return BAD_SIGNATURE;
    if (t.nonce != 0) return BAD_NONCE;
  } else {
    if (!t.acc.open) return NO_ACCOUNT;
    if (!sigOk(p, t, t.acc.ax, t.acc.ay)) return BAD_SIGNATURE;
    if (admit ? t.nonce < t.acc.nonce : t.nonce != t.acc.nonce) return BAD_NONCE;
  }
  cur = t;
  return OK;
}

/** a > b for u128 (hi, lo) */
function gt128(aHi: u64, aLo: u64, bHi: u64, bLo: u64): bool {
  return aHi > bHi || (aHi == bHi && aLo > bLo);
}

/** a −= amount (amount ≤ balance) */
function debit(a: Account, hi: u64, lo: u64): void {
  const borrow: u64 = a.balLo < lo ? 1 : 0;
  a.balLo -= lo;
  a.balHi = a.balHi - hi - borrow;
}

/** a += amount; false (a unchanged) if the sum is ≥ 2^128 */
function credit(a: Account, hi: u64, lo: u64): bool {
  const l = a.balLo + lo;
  const c: u64 = l < lo ? 1 : 0;
  const h1 = a.balHi + hi;
  if (h1 < hi) return false;
  const h2 = h1 + c;
  if (h2 < h1) return false;
  a.balLo = l;
  a.balHi = h2;
  return true;
}

function onRawTx(p: usize, len: i32): u8 {
  const v = checkTx(p, len, false);
  if (v != OK) return v;
  const t = cur;
  const from = t.acc;
  if (t.op == OP_OPEN) {
    const a = new Account();
    a.ax = t.ax;
    a.ay = t.ay;
    a.key = t.key;
    a.nonce = 1;
    a.open = true;
    writeAccount(t.idx, a);
    return OK;
  }
  if (t.op == OP_TRANSFER) {
    const to0 = readAccount(t.to);
    if (!to0.open) return NO_ACCOUNT;
    if (gt128(t.amtHi, t.amtLo, from.balHi, from.balLo)) return INSUFFICIENT_BALANCE;
    // the credit is checked in the tree after the debit (a transfer to oneself never overflows)
    const probe = new Account();
    if (t.to == t.idx) {
      probe.balHi = from.balHi;
      probe.balLo = from.balLo;
      debit(probe, t.amtHi, t.amtLo);
    } else {
      probe.balHi = to0.balHi;
      probe.balLo = to0.balLo;
    }
    if (!credit(probe, t.amtHi, t.amtLo)) return OVERFLOW;
    debit(from, t.amtHi, t.amtLo);
    from.nonce += 1;
    writeAccount(t.idx, from);
    const to = readAccount(t.to);
    credit(to, t.amtHi, t.amtLo);
    writeAccount(t.to, to);
    return OK;
  }
  // withdraw: the outbox leaf's `from` is the index as a 20-byte integer (docs/validity.md §2.2)
  if (gt128(t.amtHi, t.amtLo, from.balHi, from.balLo)) return INSUFFICIENT_BALANCE;
  debit(from, t.amtHi, t.amtLo);
  from.nonce += 1;
  writeAccount(t.idx, from);
  const f = alloc32(20);
  memory.fill(f, 0, 18);
  writeU16BE(f + 18, t.idx);
  const amount = alloc32(32);
  memory.fill(amount, 0, 16);
  copyBytes(amount + 16, p + 40, 16);
  outboxAppend(f, t.toAddr, amount);
  return OK;
}

function onAdmit(p: usize, len: i32): u8 {
  const v = checkTx(p, len, true);
  if (v != OK) return v;
  // the replay key: the account index as a 32-byte integer, the nonce
  const s = alloc32(32);
  memory.fill(s, 0, 30);
  writeU16BE(s + 30, cur.idx);
  admitReplayKey(s, cur.nonce);
  return OK;
}

/** an L1 deposit to `index u16 ‖ low 18 bytes of Poseidon(ax, ay)` (§2.2) */
function onDeposit(to: usize, amount: usize): u8 {
  const idx = readU16BE(to);
  const a = readAccount(idx);
  if (!a.open) return NO_ACCOUNT;
  const h = alloc32(FR_SIZE);
  const ins = alloc32(2 * FR_SIZE);
  frCopy(ins, a.ax);
  frCopy(ins + FS, a.ay);
  poseidon(h, ins, 2);
  const hb = alloc32(32);
  frToBE(hb, h);
  for (let i = 0; i < 18; i++) if (load<u8>(hb + <usize>(14 + i)) != load<u8>(to + <usize>(2 + i))) return NO_ACCOUNT;
  if (readU64BE(amount) != 0 || readU64BE(amount + 8) != 0) return OVERFLOW;
  if (!credit(a, readU64BE(amount + 16), readU64BE(amount + 24))) return OVERFLOW;
  writeAccount(idx, a);
  return OK;
}

function onQuery(kind: u32, args: usize, n: i32): u8 {
  if (kind == 0x00) {
    if (n != 20) return MALFORMED;
    for (let i = 0; i < 18; i++) {
      if (load<u8>(args + <usize>i) != 0) {
        queryAnswerU64(0);
        return OK;
      }
    }
    const k = alloc32(3);
    store<u8>(k, 0x21);
    copyBytes(k + 1, args + 18, 2);
    const v = stateGet(k, 3);
    queryAnswerU64(v != null && v.len == 88 ? readU64BE(v.ptr + 80) : 0);
    return OK;
  }
  if (kind == 0x10) {
    if (n != 2) return MALFORMED;
    const k = alloc32(3);
    store<u8>(k, 0x21);
    copyBytes(k + 1, args, 2);
    const v = stateGet(k, 3);
    if (v != null) {
      queryAnswer(v.ptr, v.len);
    } else {
      const z = alloc32(88);
      memory.fill(z, 0, 88);
      queryAnswer(z, 88);
    }
    return OK;
  }
  if (kind == 0x11) {
    if (n != 0) return MALFORMED;
    const v = stateGet(ROOT_KEY, 1);
    if (v == null) return MALFORMED;
    queryAnswer(v.ptr, v.len);
    return OK;
  }
  return UNKNOWN_OP;
}

function onGenesis(id: u64): void {
  writeEmptyRoot();
}

// never called: the app takes raw transactions
function noTx(tx: Tx, signer: usize): u8 {
  return UNKNOWN_OP;
}

defineApp(APP_ID, noTx)
  .rawTransactions(onRawTx, onAdmit)
  .unitStepBudget(UNIT_BUDGET)
  .deposits(onDeposit)
  .queries(onQuery)
  .genesis(onGenesis)
  .receiptNames("no_account,account_taken,bad_key");

export {
  main,
  modex_abi_version,
  modex_admit,
  modex_genesis,
  modex_query,
  modex_receipt_names,
} from "../../sdk/abi";
