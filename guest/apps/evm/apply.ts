// applyTransaction (docs/evm.md §5): the validity checks in geth's order (each a refusal code of
// docs/evm.md §3: the state is then unchanged), then buy gas, nonce, warm sets (EIP-2929, EIP-2930,
// EIP-3651), the call or create, refunds (EIP-3529: at most gasUsed / 5), the coinbase's priority
// fee, EIP-161 deletion of touched empty accounts, and the write to the modex state tree.
import { alloc32, copyBytes } from "../../sdk/bytes";
import { Env } from "./env";
import {
  G_ACCESS_ADDRESS,
  G_ACCESS_SLOT,
  G_BLOB,
  G_INITCODE_WORD,
  G_TX,
  G_TX_CREATE,
  G_TX_DATA_NONZERO,
  G_TX_DATA_ZERO,
  initOps,
  MAX_INITCODE_SIZE,
} from "./gas";
import {
  beginTx,
  CALL,
  callFrame,
  createAddress,
  createFrame,
  refund,
  resGas,
  resOut,
  resOutLen,
  SUCCESS,
} from "./interp";
import { zeroMem } from "./mem";
import { outboxAppend } from "../../sdk/outbox";
import { wdAt, wdCount } from "./withdraw";
import { EvmTx } from "./tx";
import { u256Add, u256Copy, u256Div, u256Eq, u256IsZero, u256Lt, u256Mul, u256SetU64, u256Sub } from "./u256";
import {
  ACC_BALANCE,
  ACC_NONCE,
  accChange,
  accCode,
  accCodeLen,
  account,
  accSetFlags,
  F_EXISTS,
  F_TOUCHED,
  F_WARM,
  slot,
  slotWarm,
  worldCommit,
  worldReset,
} from "./world";

// refusal codes (docs/evm.md §3)
export const NONCE_TOO_LOW: u32 = 19;
export const NONCE_TOO_HIGH: u32 = 20;
export const NONCE_MAX: u32 = 21;
export const INTRINSIC_GAS_TOO_LOW: u32 = 22;
export const GAS_LIMIT_ABOVE_BLOCK: u32 = 23;
export const INSUFFICIENT_FUNDS: u32 = 24;
export const FEE_CAP_BELOW_BASE_FEE: u32 = 25;
export const TIP_ABOVE_FEE_CAP: u32 = 26;
export const INITCODE_TOO_LARGE: u32 = 27;
export const SENDER_NOT_EOA: u32 = 28;
export const BLOB_TX_INVALID: u32 = 29;
export const GAS_OVERFLOW: u32 = 31;

/** EIP-4844 (Cancun): at most 6 blobs per block, so per transaction */
const MAX_BLOBS: i32 = 6;

// the result of the last applied transaction (or eth_call)
export let txStatus: u8 = 0;
export let txGasUsed: u64 = 0;
/** 20 bytes: the created address when the transaction is a create that succeeded, else zeros */
export const txCreated: usize = memory.data(20, 8);
/** the output: a call's return data (or revert data), a successful create's deployed code */
export let txOut: usize = 0;
export let txOutLen: i32 = 0;

/** intrinsic gas of tx (EIP-2028 data, EIP-2930 access list, EIP-3860 initcode words) */
export function intrinsicGas(tx: EvmTx): u64 {
  let g: u64 = G_TX;
  if (tx.isCreate) g += G_TX_CREATE + G_INITCODE_WORD * ((<u64>tx.dataLen + 31) >> 5);
  let zeros: u64 = 0;
  for (let i: i32 = 0; i < tx.dataLen; i++) if (load<u8>(tx.data + <usize>i) == 0) zeros++;
  g += zeros * G_TX_DATA_ZERO + (<u64>tx.dataLen - zeros) * G_TX_DATA_NONZERO;
  g += <u64>tx.accessListCount * G_ACCESS_ADDRESS + <u64>tx.accessSlotTotal * G_ACCESS_SLOT;
  return g;
}

/** r = b · c for u256 b and u64 c; false when the product does not fit 256 bits */
function mulU64(r: usize, b: usize, c: u64): bool {
  const t = alloc32(32);
  u256SetU64(t, c);
  const p = alloc32(32);
  u256Mul(p, b, t);
  let ok = true;
  if (c != 0) {
    const q = alloc32(32);
    u256Div(q, p, t);
    ok = u256Eq(q, b);
  }
  u256Copy(r, p);
  return ok;
}

/**
 * Applies tx to the state (loaded with stateLoad) in env; returns 0 (applied: txStatus, txGasUsed,
 * txCreated, txOut and the logs in interp.ts) or a refusal code. Everything it allocates is in the
 * SDK arena.
 */
export function applyTransaction(env: Env, tx: EvmTx): u32 {
  if (tx.error != 0) return tx.error;
  initOps();
  worldReset();
  const sender = account(tx.sender);
  const stNonce = load<u64>(sender + ACC_NONCE);
  // geth preCheck: nonce, EOA (EIP-3607), fee caps (EIP-1559), blobs (EIP-4844), buyGas
  if (stNonce < tx.nonce) return NONCE_TOO_HIGH;
  if (stNonce > tx.nonce) return NONCE_TOO_LOW;
  if (stNonce == 0xffffffffffffffff) return NONCE_MAX;
  if (accCodeLen(sender) != 0) return SENDER_NOT_EOA;
  if (u256Lt(tx.maxFeePerGas, tx.maxPriorityFeePerGas)) return TIP_ABOVE_FEE_CAP;
  if (u256Lt(tx.maxFeePerGas, env.baseFee)) return FEE_CAP_BELOW_BASE_FEE;
  if (tx.type == 3) {
    if (tx.isCreate || tx.blobCount == 0 || tx.blobCount > MAX_BLOBS) return BLOB_TX_INVALID;
    for (let i: i32 = 0; i < tx.blobCount; i++) {
      if (load<u8>(tx.blobHashes + (<usize>i << 5)) != 0x01) return BLOB_TX_INVALID;
    }
    if (u256Lt(tx.maxFeePerBlobGas, env.blobBaseFee)) return BLOB_TX_INVALID;
  }
  return applyMessage(env, tx, true);
}

/**
 * The message of tx from tx.sender after the signature, nonce, EIP-3607 and fee-cap checks (an
 * eth_call, docs/evm.md §4 query 0x12, comes here directly with gas price 0): the balance, block gas
 * limit, intrinsic gas and initcode checks (refusal codes), then buy gas, the nonce, the warm sets,
 * the call or create, refunds, fees; `commit`: write the world to the state and append the
 * withdrawals to the outbox (an eth_call writes nothing). The caller ran initOps and worldReset.
 */
export function applyMessage(env: Env, tx: EvmTx, commit: bool): u32 {
  const sender = account(tx.sender);
  const stNonce = load<u64>(sender + ACC_NONCE);
  const blobGas = <u64>tx.blobCount * G_BLOB;
  // upfront balance: gasLimit · maxFee + value (+ blobGas · maxFeePerBlobGas)
  const want = alloc32(32);
  if (!mulU64(want, tx.maxFeePerGas, tx.gasLimit)) return INSUFFICIENT_FUNDS;
  const t = alloc32(32);
  if (blobGas > 0) {
    if (!mulU64(t, tx.maxFeePerBlobGas, blobGas)) return INSUFFICIENT_FUNDS;
    u256Add(want, want, t);
    if (u256Lt(want, t)) return INSUFFICIENT_FUNDS;
  }
  u256Add(want, want, tx.value);
  if (u256Lt(want, tx.value)) return INSUFFICIENT_FUNDS;
  if (u256Lt(sender + ACC_BALANCE, want)) return INSUFFICIENT_FUNDS;
  if (tx.gasLimit > env.gasLimit) return GAS_LIMIT_ABOVE_BLOCK;
  const intrinsic = intrinsicGas(tx);
  if (tx.gasLimit < intrinsic) return INTRINSIC_GAS_TOO_LOW;
  if (tx.isCreate && tx.dataLen > MAX_INITCODE_SIZE) return INITCODE_TOO_LARGE;

  // the effective gas price: min(maxFee, baseFee + tip) (legacy: maxFee = tip = gasPrice)
  const price = alloc32(32);
  u256Add(price, env.baseFee, tx.maxPriorityFeePerGas);
  if (u256Lt(price, env.baseFee) || u256Lt(tx.maxFeePerGas, price)) u256Copy(price, tx.maxFeePerGas);
  // buy gas (and the blob gas at the block's blob base fee, burned)
  const cost = alloc32(32);
  mulU64(cost, price, tx.gasLimit);
  if (blobGas > 0) {
    mulU64(t, env.blobBaseFee, blobGas);
    u256Add(cost, cost, t);
  }
  accChange(sender);
  u256Sub(sender + ACC_BALANCE, sender + ACC_BALANCE, cost);
  accSetFlags(sender, F_TOUCHED | F_EXISTS);

  beginTx(env, tx.sender, price, tx.blobHashes, tx.blobCount);
  // warm sets: sender, recipient, coinbase (EIP-3651), precompiles, the access list (EIP-2930)
  accSetFlags(sender, F_WARM);
  if (!tx.isCreate) accSetFlags(account(tx.to), F_WARM);
  accSetFlags(account(env.coinbase), F_WARM);
  // (the precompiles 1–10 count as warm without being loaded: interp.ts accessGas)
  let rec = tx.accessSlots;
  for (let i: i32 = 0; i < tx.accessListCount; i++) {
    const a = tx.accessAddresses + <usize>i * 20;
    accSetFlags(account(a), F_WARM);
    const n = load<u32>(rec);
    rec += 4;
    for (let j: u32 = 0; j < n; j++) {
      slotWarm(slot(a, rec));
      rec += 32;
    }
  }

  const gas = tx.gasLimit - intrinsic;
  let status: i32;
  zeroMem(txCreated, 20);
  if (tx.isCreate) {
    const addr = alloc32(20);
    createAddress(addr, tx.sender, stNonce);
    status = createFrame(tx.sender, addr, tx.value, tx.data, tx.dataLen, gas, 0, 0, 0);
    if (status == SUCCESS) {
      copyBytes(txCreated, addr, 20);
      const acc = account(addr);
      txOut = accCode(acc);
      txOutLen = accCodeLen(acc);
    } else {
      txOut = resOut;
      txOutLen = resOutLen;
    }
  } else {
    accChange(sender);
    store<u64>(sender + ACC_NONCE, stNonce + 1);
    status = callFrame(CALL, tx.sender, tx.to, tx.to, tx.value, tx.data, tx.dataLen, tx.dataLen, gas, false, 0, 0, 0);
    txOut = resOut;
    txOutLen = resOutLen;
  }
  let left = resGas;
  let used = tx.gasLimit - left;
  // EIP-3529: refund at most a fifth of the gas used
  if (refund > 0) {
    let r = <u64>refund;
    if (r > used / 5) r = used / 5;
    left += r;
    used -= r;
  }
  // the unused gas back to the sender, the priority fee to the coinbase
  mulU64(t, price, left);
  accChange(sender);
  u256Add(sender + ACC_BALANCE, sender + ACC_BALANCE, t);
  const tip = alloc32(32);
  u256Sub(tip, price, env.baseFee);
  mulU64(t, tip, used);
  const cb = account(env.coinbase);
  accChange(cb);
  u256Add(cb + ACC_BALANCE, cb + ACC_BALANCE, t);
  accSetFlags(cb, F_TOUCHED);
  if (!u256IsZero(t)) accSetFlags(cb, F_EXISTS);
  if (commit) {
    worldCommit();
    // the withdrawals of the frames that did not fail (withdraw.ts), in call order
    for (let i: i32 = 0; i < wdCount; i++) {
      const w = wdAt(i);
      outboxAppend(w, w + 20, w + 40);
    }
  }
  txStatus = status == SUCCESS ? 1 : 0;
  txGasUsed = used;
  return 0;
}

export { copyBytes };
