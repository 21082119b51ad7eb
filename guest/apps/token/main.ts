// The token app (app 0x02, docs/stf.md): op 0x01 transfer, 0x02 withdraw; L1 deposits credit `to`.
// Balances: state key 0x03 ‖ address -> u256 big-endian (32 bytes; absent = 0).
// Query 0x10 ‖ address (20): the balance, u256 BE.
import { queryAnswer } from "../../sdk/abi";
import { defineApp } from "../../sdk/app";
import { add256, alloc32, cmp256, copy32, eqBytes, sub256, zero32 } from "../../sdk/bytes";
import { outboxAppend } from "../../sdk/outbox";
import { hashBytes, stateGetAt, stateSetAt } from "../../sdk/state";
import { INSUFFICIENT_BALANCE, makeKey, MALFORMED, OK, OVERFLOW, UNKNOWN_OP } from "../../sdk/stf";
import { Tx } from "../../sdk/tx";

const APP_ID: u32 = 0x02;

/** hash of the balance key 0x03 ‖ address */
function balanceKey(addr: usize): usize {
  const k = makeKey(0x03, addr, 0, 0);
  return hashBytes(k.ptr, k.len);
}

function getBalance(kh: usize): usize {
  const out = alloc32(32);
  zero32(out);
  const v = stateGetAt(kh);
  if (v != null && v.len == 32) copy32(out, v.ptr);
  return out;
}

function onTx(tx: Tx, signer: usize): u8 {
  if (tx.op != 0x01 && tx.op != 0x02) return UNKNOWN_OP;
  if (tx.argsLen != 52) return MALFORMED;
  const to = tx.args;
  const amount = tx.args + 20;
  const fromKey = balanceKey(signer);
  const bal = getBalance(fromKey);
  if (cmp256(bal, amount) < 0) return INSUFFICIENT_BALANCE;
  const newFrom = alloc32(32);
  sub256(newFrom, bal, amount);
  if (tx.op == 0x01) {
    if (eqBytes(to, signer, 20)) return OK; // a transfer to oneself changes nothing
    const newTo = alloc32(32);
    const toKey = balanceKey(to);
    if (!add256(newTo, getBalance(toKey), amount)) return OVERFLOW;
    stateSetAt(fromKey, newFrom, 32);
    stateSetAt(toKey, newTo, 32);
    return OK;
  }
  stateSetAt(fromKey, newFrom, 32);
  outboxAppend(signer, to, amount);
  return OK;
}

function onDeposit(to: usize, amount: usize): u8 {
  const kh = balanceKey(to);
  const nb = alloc32(32);
  if (!add256(nb, getBalance(kh), amount)) return OVERFLOW;
  stateSetAt(kh, nb, 32);
  return OK;
}

function onQuery(kind: u32, args: usize, n: i32): u8 {
  if (kind != 0x10) return UNKNOWN_OP;
  if (n != 20) return MALFORMED;
  queryAnswer(getBalance(balanceKey(args)), 32);
  return OK;
}

defineApp(APP_ID, onTx).deposits(onDeposit).queries(onQuery);

export {
  main,
  modex_abi_version,
  modex_admit,
  modex_genesis,
  modex_query,
  modex_receipt_names,
} from "../../sdk/abi";
