// The kv app (app 0x01, docs/stf.md): op 0x01 set, 0x02 delete, under state key 0x02 ‖ signer ‖ key.
// Query 0x10 ‖ owner (20) ‖ key: the value (empty when absent). No deposits (UNSUPPORTED).
import { defineApp } from "../../sdk/app";
import { queryAnswer } from "../../sdk/abi";
import { readU16BE } from "../../sdk/bytes";
import { stateDelete, stateGet, stateSet } from "../../sdk/state";
import { makeKey, MALFORMED, OK, UNKNOWN_OP } from "../../sdk/stf";
import { Tx } from "../../sdk/tx";

const APP_ID: u32 = 0x01;
const KV_PREFIX: u8 = 0x02;

function onTx(tx: Tx, signer: usize): u8 {
  const a = tx.args;
  const n = tx.argsLen;
  if (tx.op == 0x01) {
    if (n < 2) return MALFORMED;
    const keyLen = <i32>readU16BE(a);
    if (n < 2 + keyLen + 2) return MALFORMED;
    const valLen = <i32>readU16BE(a + 2 + <usize>keyLen);
    if (n != 4 + keyLen + valLen) return MALFORMED;
    const key = makeKey(KV_PREFIX, signer, a + 2, keyLen);
    stateSet(key.ptr, key.len, a + 4 + <usize>keyLen, valLen);
    return OK;
  }
  if (tx.op == 0x02) {
    if (n < 2) return MALFORMED;
    const keyLen = <i32>readU16BE(a);
    if (n != 2 + keyLen) return MALFORMED;
    const key = makeKey(KV_PREFIX, signer, a + 2, keyLen);
    stateDelete(key.ptr, key.len);
    return OK;
  }
  return UNKNOWN_OP;
}

function onQuery(kind: u32, args: usize, n: i32): u8 {
  if (kind != 0x10) return UNKNOWN_OP;
  if (n < 20) return MALFORMED;
  const key = makeKey(KV_PREFIX, args, args + 20, n - 20);
  const v = stateGet(key.ptr, key.len);
  if (v != null) queryAnswer(v.ptr, v.len);
  return OK;
}

defineApp(APP_ID, onTx).queries(onQuery);

export {
  main,
  modex_abi_version,
  modex_admit,
  modex_genesis,
  modex_query,
  modex_receipt_names,
} from "../../sdk/abi";
