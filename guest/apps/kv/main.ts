// The kv app (app 0x01, docs/stf.md): op 0x01 set, 0x02 delete, under state key 0x02 ‖ signer ‖ key.
import { readU16BE } from "../../sdk/bytes";
import { stateDelete, stateSet } from "../../sdk/state";
import { makeKey, MALFORMED, OK, runStf, UNKNOWN_OP, UNSUPPORTED } from "../../sdk/stf";
import { Tx } from "../../sdk/tx";

const APP_ID: u32 = 0x01;
const CHAIN_ID: u64 = 0x6d6f6465780001; // "modex" ‖ 0x0001

function onTx(tx: Tx, signer: usize): u8 {
  const a = tx.args;
  const n = tx.argsLen;
  if (tx.op == 0x01) {
    if (n < 2) return MALFORMED;
    const keyLen = <i32>readU16BE(a);
    if (n < 2 + keyLen + 2) return MALFORMED;
    const valLen = <i32>readU16BE(a + 2 + <usize>keyLen);
    if (n != 4 + keyLen + valLen) return MALFORMED;
    const key = makeKey(0x02, signer, a + 2, keyLen);
    stateSet(key.ptr, key.len, a + 4 + <usize>keyLen, valLen);
    return OK;
  }
  if (tx.op == 0x02) {
    if (n < 2) return MALFORMED;
    const keyLen = <i32>readU16BE(a);
    if (n != 2 + keyLen) return MALFORMED;
    const key = makeKey(0x02, signer, a + 2, keyLen);
    stateDelete(key.ptr, key.len);
    return OK;
  }
  return UNKNOWN_OP;
}

function onDeposit(to: usize, amount: usize): u8 {
  return UNSUPPORTED;
}

export function main(): void {
  runStf(APP_ID, CHAIN_ID, onTx, onDeposit);
}
