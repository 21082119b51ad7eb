// Test app (app 0x7e): every op writes, then succeeds or fails by its last arg byte, so that the run
// loop's journal (stateSnapshot / stateRevert) is seen dropping the writes of a failing transaction.
//   op 0x01 set:      keyLen u8 ‖ key ‖ value ‖ fail u8   → state[0x10 ‖ key] = value
//   op 0x02 delete:   keyLen u8 ‖ key ‖ fail u8           → delete state[0x10 ‖ key]
//   op 0x03 withdraw: to (20) ‖ amount (32) ‖ fail u8     → an outbox leaf
// fail != 0: the handler returns 16 + fail (an app code) after its writes; fail = 0xff returns
// TRAPPED, as a metered call stopped by a trap would (the run loop then re-indexes its write buffer).
import { queryAnswer } from "../abi";
import { defineApp } from "../app";
import { outboxAppend } from "../outbox";
import { stateDelete, stateGet, stateSet } from "../state";
import { alloc32, copyBytes } from "../bytes";
import { MALFORMED, OK, TRAPPED, UNKNOWN_OP } from "../stf";
import { Tx } from "../tx";

function key(p: usize, n: i32): usize {
  const k = alloc32(n + 1);
  store<u8>(k, 0x10);
  copyBytes(k + 1, p, n);
  return k;
}

function onTx(tx: Tx, signer: usize): u8 {
  const a = tx.args;
  const n = tx.argsLen;
  if (n < 1) return MALFORMED;
  const fail = load<u8>(a + <usize>(n - 1));
  if (tx.op == 0x01 || tx.op == 0x02) {
    if (n < 2) return MALFORMED;
    const kl = <i32>load<u8>(a);
    if (n < 2 + kl) return MALFORMED;
    const k = key(a + 1, kl);
    if (tx.op == 0x01) stateSet(k, kl + 1, a + 1 + <usize>kl, n - 2 - kl);
    else stateDelete(k, kl + 1);
  } else if (tx.op == 0x03) {
    if (n != 53) return MALFORMED;
    outboxAppend(signer, a, a + 20);
  } else {
    return UNKNOWN_OP;
  }
  if (fail == 0xff) return TRAPPED;
  return fail == 0 ? OK : 16 + fail;
}

function onQuery(kind: u32, args: usize, n: i32): u8 {
  const v = stateGet(key(args, n), n + 1);
  if (v == null) return 16;
  queryAnswer(v.ptr, v.len);
  return OK;
}

function onGenesis(chainId: u64): void {
  const k = alloc32(2);
  store<u8>(k, 0x10);
  store<u8>(k, 0x67, 1); // "g"
  stateSet(k, 2, k + 1, 1);
}

defineApp(0x7e, onTx).queries(onQuery).genesis(onGenesis).receiptNames("failed_one,failed_two");

export {
  main,
  modex_abi_version,
  modex_admit,
  modex_genesis,
  modex_query,
  modex_receipt_names,
} from "../abi";
