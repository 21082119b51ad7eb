// A test app (app 0x7e) for metered transactions (docs/app-abi.md §5, docs/machine.md §3.7):
// op 0x01 sets state key 0x02 ‖ signer to the args; op 0x02 writes that key, then loops forever;
// op 0x03 writes it, then traps (unreachable); op 0x04 writes it, then recurses without end;
// op 0x05 writes it, then takes scratch memory (alloc32) 1 MiB at a time without end; op 0x06
// writes it after taking 700 KiB of scratch memory (more than the arena's first chunk).
// Query 0x10 ‖ address (20): the value.
import { queryAnswer } from "../../sdk/abi";
import { defineApp } from "../../sdk/app";
import { alloc32 } from "../../sdk/bytes";
import { stateGet, stateSet } from "../../sdk/state";
import { makeKey, OK, UNKNOWN_OP } from "../../sdk/stf";
import { Tx } from "../../sdk/tx";

const APP_ID: u32 = 0x7e;

let sink: i32 = 0;

function recurse(n: i32): i32 {
  sink += n;
  return recurse(n + 1) + 1;
}

function onTx(tx: Tx, signer: usize): u8 {
  const key = makeKey(0x02, signer, 0, 0);
  stateSet(key.ptr, key.len, tx.args, tx.argsLen);
  if (tx.op == 0x01) return OK;
  if (tx.op == 0x02) {
    let i: i32 = 0;
    while (sink >= 0) {
      i++;
      store<i32>(tx.args, i);
    }
    return OK;
  }
  if (tx.op == 0x03) unreachable();
  if (tx.op == 0x04) return <u8>recurse(0);
  if (tx.op == 0x05) {
    while (sink >= 0) store<i32>(alloc32(1 << 20), sink++);
    return OK;
  }
  if (tx.op == 0x06) {
    for (let i: i32 = 0; i < 7; i++) store<i32>(alloc32(100 << 10), i);
    return OK;
  }
  return UNKNOWN_OP;
}

function onQuery(kind: u32, args: usize, n: i32): u8 {
  if (kind != 0x10 || n != 20) return UNKNOWN_OP;
  const key = makeKey(0x02, args, 0, 0);
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
