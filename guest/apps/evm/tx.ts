// Ethereum transactions (docs/evm.md "Transactions"): decoding of the four Cancun types, their
// signing hashes, and the sender through the `ecrecover` host op.
//   legacy  rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s])         (v 27/28 or EIP-155)
//   type 1  0x01 ‖ rlp([chainId, nonce, gasPrice, gasLimit, to, value, data, accessList, yParity, r, s])
//   type 2  0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value,
//                       data, accessList, yParity, r, s])
//   type 3  0x03 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value,
//                       data, accessList, maxFeePerBlobGas, blobVersionedHashes, yParity, r, s])
// Everything decodeEvmTx allocates is in the SDK arena (alloc32): the caller's arenaRelease frees it.
import { alloc32, copy32, copyBytes, zero32 } from "../../sdk/bytes";
import { ecrecover } from "../../sdk/host";
import { keccak256 } from "../../sdk/keccak";
import {
  rlpEnd,
  rlpItem,
  rlpLen,
  rlpList,
  rlpPayload,
  rlpPayloadU256,
  rlpPayloadU64,
  rlpString,
  rlpU64Len,
  rlpUint,
  rlpWriteHeader,
  rlpWriteU64,
} from "./rlp";
import { u256FromBE } from "./u256";

// Refusal codes (docs/evm.md "Refusal codes"; receipt codes from 16 on)
export const TX_OK: u32 = 0;
export const TX_TYPE_NOT_SUPPORTED: u32 = 16;
export const TX_BAD_SIGNATURE: u32 = 17;
export const TX_WRONG_CHAIN_ID: u32 = 18;
export const TX_NONCE_MAX: u32 = 21;
export const TX_GAS_OVERFLOW: u32 = 31;
export const TX_BLOB_TX_INVALID: u32 = 29;
export const TX_MALFORMED: u32 = 30;

/** EIP-4844: the most blobs a transaction may carry (Cancun: 6 of 131,072 blob gas each). */
export const MAX_BLOBS_PER_TX: i32 = 6;

/**
 * A decoded transaction. Allocated in the arena (an unmanaged object). Pointers to 20-byte
 * addresses and byte ranges point into the raw transaction or into the arena; u256 fields are 32
 * bytes of four u64 limbs, little-endian limb order.
 *
 * Access list layout: `accessAddresses` = accessListCount × 20 bytes; `accessSlots` = one record
 * per entry in the same order, back to back: `count u32` (little-endian, a wasm load<u32>)
 * followed by count × 32-byte storage keys (as in the transaction, big-endian words).
 * `accessSlotTotal` is the number of keys over all entries (for the intrinsic gas).
 */
@unmanaged
export class EvmTx {
  /** 0 = decoded and signed correctly; else a refusal code (TX_*) and the other fields partial */
  error: u32;
  /** 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844 */
  type: u8;
  isCreate: bool;
  /** a legacy tx signed with EIP-155 or a typed tx (then chainId is the caller's) */
  hasChainId: bool;
  chainId: u64;
  nonce: u64;
  gasLimit: u64;
  gasPrice: usize;
  maxFeePerGas: usize;
  maxPriorityFeePerGas: usize;
  value: usize;
  /** 20 bytes: the recipient (20 zero bytes for a create) */
  to: usize;
  data: usize;
  dataLen: i32;
  accessListCount: i32;
  accessSlotTotal: i32;
  accessAddresses: usize;
  accessSlots: usize;
  /** type 3: blobCount × 32-byte versioned hashes */
  blobHashes: usize;
  blobCount: i32;
  /** type 3 (u256), else a zero u256 */
  maxFeePerBlobGas: usize;
  /** 20 bytes: the recovered signer */
  sender: usize;
  /** the 32-byte signing hash */
  sigHash: usize;
}

// secp256k1 n / 2, big-endian (EIP-2: s above it is refused)
const HALF_N = memory.data<u8>([
  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57,
  0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

function newTx(): EvmTx {
  const size = offsetof<EvmTx>();
  const p = alloc32(<i32>size);
  for (let i: usize = 0; i < size; i += 8) store<u64>(p + i, 0);
  const tx = changetype<EvmTx>(p);
  const zeros = alloc32(32 * 6);
  for (let i: usize = 0; i < 192; i += 32) zero32(zeros + i);
  tx.gasPrice = zeros;
  tx.maxFeePerGas = zeros + 32;
  tx.maxPriorityFeePerGas = zeros + 64;
  tx.value = zeros + 96;
  tx.maxFeePerBlobGas = zeros + 128;
  tx.to = zeros + 160; // a create's recipient: 20 zero bytes (never written)
  return tx;
}

/**
 * An unsigned message as a transaction (an eth_call, docs/evm.md §4 query 0x12): `from` and `to`
 * (20 bytes each; `to` unused for a create), `gas`, `valueBE` (32 bytes big-endian), the data; gas
 * price 0, no access list, the account's nonce is the caller's business (applyMessage skips it).
 */
export function messageTx(from: usize, to: usize, isCreate: bool, gas: u64, valueBE: usize, data: usize, dataLen: i32): EvmTx {
  const tx = newTx();
  tx.type = 0;
  tx.isCreate = isCreate;
  tx.gasLimit = gas;
  u256FromBE(tx.value, valueBE, 32);
  if (!isCreate) {
    const t = alloc32(20);
    copyBytes(t, to, 20);
    tx.to = t;
  }
  tx.data = data;
  tx.dataLen = dataLen;
  const s = alloc32(20);
  copyBytes(s, from, 20);
  tx.sender = s;
  return tx;
}

/**
 * The gas limit of the raw transaction at ptr, read without decoding or checking the rest (the
 * chain's step budget of a transaction, main.ts; decodeEvmTx decides whether it is valid): 0 when
 * the field cannot be read (an unknown type, broken framing, a gas limit over 8 bytes).
 */
export function peekGasLimit(ptr: usize, len: i32): u64 {
  if (len <= 0) return 0;
  const end = ptr + <usize>len;
  const first = <u32>load<u8>(ptr);
  let body = ptr + 1;
  // the fields before gasLimit: legacy nonce, gasPrice; type 1 chainId, nonce, gasPrice;
  // types 2, 3 chainId, nonce, maxPriorityFeePerGas, maxFeePerGas
  let skip: i32 = 4;
  if (first >= 0xc0) {
    body = ptr;
    skip = 2;
  } else if (first == 1) {
    skip = 3;
  } else if (first != 2 && first != 3) {
    return 0;
  }
  if (!rlpList(body, end)) return 0;
  const listEnd = rlpEnd;
  let p = rlpPayload;
  for (let i: i32 = 0; i < skip; i++) {
    if (!rlpItem(p, listEnd)) return 0;
    p = rlpEnd;
  }
  if (!rlpUint(p, listEnd, 8)) return 0;
  return rlpPayloadU64();
}

// the signature fields, read before recovery
let sigR: usize = 0;
let sigS: usize = 0;

/**
 * Decodes and checks the raw transaction at ptr (the typed envelope `type ‖ rlp(...)` or a legacy
 * RLP list) for chain `chainId`, and recovers its sender. Never traps on bad input: `error` says
 * why a transaction is refused (docs/evm.md "Refusal checks of the decoder").
 */
export function decodeEvmTx(ptr: usize, len: i32, chainId: u64): EvmTx {
  const tx = newTx();
  const end = ptr + <usize>len;
  if (len <= 0) return fail(tx, TX_MALFORMED);
  const first = <u32>load<u8>(ptr);
  if (first >= 0xc0) {
    tx.error = decodeLegacy(tx, ptr, end, chainId);
    return tx;
  }
  if (first >= 0x80) return fail(tx, TX_MALFORMED);
  if (first < 1 || first > 3) return fail(tx, TX_TYPE_NOT_SUPPORTED);
  tx.type = <u8>first;
  tx.error = decodeTyped(tx, ptr, end, chainId);
  return tx;
}

function fail(tx: EvmTx, code: u32): EvmTx {
  tx.error = code;
  return tx;
}

// nonce: a u64 below 2^64 - 1 (EIP-2681); a wider or maximal value is TX_NONCE_MAX
function readNonce(tx: EvmTx, p: usize, end: usize): u32 {
  if (!rlpUint(p, end, 32)) return TX_MALFORMED;
  if (rlpLen > 8) return TX_NONCE_MAX;
  tx.nonce = rlpPayloadU64();
  if (tx.nonce == 0xffffffffffffffff) return TX_NONCE_MAX;
  return TX_OK;
}

function readGasLimit(tx: EvmTx, p: usize, end: usize): u32 {
  if (!rlpUint(p, end, 32)) return TX_MALFORMED;
  if (rlpLen > 8) return TX_GAS_OVERFLOW;
  tx.gasLimit = rlpPayloadU64();
  return TX_OK;
}

function readU256(out: usize, p: usize, end: usize): bool {
  if (!rlpUint(p, end, 32)) return false;
  rlpPayloadU256(out);
  return true;
}

// to: 20 bytes, or the empty string for a create
function readTo(tx: EvmTx, p: usize, end: usize): bool {
  if (!rlpString(p, end)) return false;
  if (rlpLen == 0) {
    tx.isCreate = true;
    return true;
  }
  if (rlpLen != 20) return false;
  tx.to = rlpPayload;
  return true;
}

function readData(tx: EvmTx, p: usize, end: usize): bool {
  if (!rlpString(p, end)) return false;
  tx.data = rlpPayload;
  tx.dataLen = rlpLen;
  return true;
}

// r and s: canonical integers of at most 32 bytes, copied right-aligned into 32-byte words;
// s in [1, n/2] (EIP-2), r non-zero (the host op checks r < n and that r is on the curve)
function readSignature(p: usize, end: usize): u32 {
  const sig = alloc32(64);
  zero32(sig);
  zero32(sig + 32);
  if (!rlpUint(p, end, 32)) return TX_MALFORMED;
  copyBytes(sig + 32 - <usize>rlpLen, rlpPayload, rlpLen);
  const afterR = rlpEnd;
  if (!rlpUint(afterR, end, 32)) return TX_MALFORMED;
  copyBytes(sig + 64 - <usize>rlpLen, rlpPayload, rlpLen);
  if (rlpEnd != end) return TX_MALFORMED;
  sigR = sig;
  sigS = sig + 32;
  if (isZeroWord(sigR) || isZeroWord(sigS)) return TX_BAD_SIGNATURE;
  if (cmpBE(sigS, HALF_N) > 0) return TX_BAD_SIGNATURE;
  return TX_OK;
}

function isZeroWord(p: usize): bool {
  return (load<u64>(p) | load<u64>(p, 8) | load<u64>(p, 16) | load<u64>(p, 24)) == 0;
}

function cmpBE(a: usize, b: usize): i32 {
  for (let i: usize = 0; i < 32; i++) {
    const x = load<u8>(a + i);
    const y = load<u8>(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// the sender of sigHash with recovery id `parity` (0 or 1)
function recover(tx: EvmTx, parity: u32): u32 {
  const out = alloc32(32);
  if (ecrecover(tx.sigHash, sigR, <i32>(27 + parity), out) != 1) return TX_BAD_SIGNATURE;
  tx.sender = out + 12;
  return TX_OK;
}

function decodeLegacy(tx: EvmTx, ptr: usize, end: usize, chainId: u64): u32 {
  if (!rlpList(ptr, end) || rlpEnd != end) return TX_MALFORMED;
  const listEnd = rlpEnd;
  const fields = rlpPayload;
  let p = fields;
  let e = readNonce(tx, p, listEnd);
  if (e != TX_OK) return e;
  p = rlpEnd;
  if (!readU256(tx.gasPrice, p, listEnd)) return TX_MALFORMED;
  copy32(tx.maxFeePerGas, tx.gasPrice);
  copy32(tx.maxPriorityFeePerGas, tx.gasPrice);
  p = rlpEnd;
  e = readGasLimit(tx, p, listEnd);
  if (e != TX_OK) return e;
  p = rlpEnd;
  if (!readTo(tx, p, listEnd)) return TX_MALFORMED;
  p = rlpEnd;
  if (!readU256(tx.value, p, listEnd)) return TX_MALFORMED;
  p = rlpEnd;
  if (!readData(tx, p, listEnd)) return TX_MALFORMED;
  const unsignedEnd = rlpEnd;
  p = rlpEnd;
  // v: 27/28, or chainId * 2 + 35/36 (EIP-155); a v wider than 8 bytes names another chain
  if (!rlpUint(p, listEnd, 32)) return TX_MALFORMED;
  const vWide = rlpLen > 8;
  const v = rlpPayloadU64();
  p = rlpEnd;
  e = readSignature(p, listEnd);
  if (e == TX_MALFORMED) return e;
  if (vWide) return TX_WRONG_CHAIN_ID;
  let parity: u32 = 0;
  if (v == 27 || v == 28) {
    parity = <u32>(v - 27);
  } else if (v >= 35) {
    const txChain = (v - 35) >> 1;
    if (txChain != chainId) return TX_WRONG_CHAIN_ID;
    tx.hasChainId = true;
    tx.chainId = txChain;
    parity = <u32>((v - 35) & 1);
  } else {
    return TX_BAD_SIGNATURE;
  }
  if (e != TX_OK) return e;
  // signing payload: rlp([nonce .. data]) or, EIP-155, rlp([nonce .. data, chainId, 0, 0])
  const span = <i32>(unsignedEnd - fields);
  let payloadLen = span;
  if (tx.hasChainId) payloadLen += rlpU64Len(chainId) + 2;
  const buf = alloc32(payloadLen + 9);
  let q = buf + <usize>rlpWriteHeader(buf, 0xc0, payloadLen);
  copyBytes(q, fields, span);
  q += <usize>span;
  if (tx.hasChainId) {
    q += <usize>rlpWriteU64(q, chainId);
    store<u8>(q, 0x80);
    store<u8>(q, 0x80, 1);
    q += 2;
  }
  tx.sigHash = alloc32(32);
  keccak256(buf, <i32>(q - buf), tx.sigHash);
  return recover(tx, parity);
}

function decodeTyped(tx: EvmTx, ptr: usize, end: usize, chainId: u64): u32 {
  const body = ptr + 1;
  if (!rlpList(body, end) || rlpEnd != end) return TX_MALFORMED;
  const listEnd = rlpEnd;
  const fields = rlpPayload;
  const type = <u32>tx.type;
  let p = fields;
  // chainId: a u256 in the encoding; anything other than ours is refused
  if (!rlpUint(p, listEnd, 32)) return TX_MALFORMED;
  const chainWide = rlpLen > 8;
  const txChain = rlpPayloadU64();
  p = rlpEnd;
  let e = readNonce(tx, p, listEnd);
  if (e != TX_OK) return e;
  p = rlpEnd;
  if (type == 1) {
    if (!readU256(tx.gasPrice, p, listEnd)) return TX_MALFORMED;
    copy32(tx.maxFeePerGas, tx.gasPrice);
    copy32(tx.maxPriorityFeePerGas, tx.gasPrice);
    p = rlpEnd;
  } else {
    if (!readU256(tx.maxPriorityFeePerGas, p, listEnd)) return TX_MALFORMED;
    p = rlpEnd;
    if (!readU256(tx.maxFeePerGas, p, listEnd)) return TX_MALFORMED;
    // the effective gas price depends on the base fee: the EVM computes it; gasPrice = maxFee here
    copy32(tx.gasPrice, tx.maxFeePerGas);
    p = rlpEnd;
  }
  e = readGasLimit(tx, p, listEnd);
  if (e != TX_OK) return e;
  p = rlpEnd;
  if (!readTo(tx, p, listEnd)) return TX_MALFORMED;
  p = rlpEnd;
  if (!readU256(tx.value, p, listEnd)) return TX_MALFORMED;
  p = rlpEnd;
  if (!readData(tx, p, listEnd)) return TX_MALFORMED;
  p = rlpEnd;
  if (!readAccessList(tx, p, listEnd)) return TX_MALFORMED;
  p = rlpEnd;
  if (type == 3) {
    tx.maxFeePerBlobGas = alloc32(32);
    if (!readU256(tx.maxFeePerBlobGas, p, listEnd)) return TX_MALFORMED;
    p = rlpEnd;
    if (!readBlobHashes(tx, p, listEnd)) return TX_MALFORMED;
    p = rlpEnd;
  }
  const unsignedEnd = p;
  // yParity: 0 or 1
  if (!rlpUint(p, listEnd, 32)) return TX_MALFORMED;
  const parityLen = rlpLen;
  const parity = rlpPayloadU64();
  p = rlpEnd;
  e = readSignature(p, listEnd);
  if (e == TX_MALFORMED) return e;
  if (chainWide || txChain != chainId) return TX_WRONG_CHAIN_ID;
  tx.hasChainId = true;
  tx.chainId = txChain;
  if (parityLen > 1 || parity > 1) return TX_BAD_SIGNATURE;
  if (e != TX_OK) return e;
  // EIP-4844: a blob transaction calls an account and carries 1..6 hashes of version 0x01
  if (type == 3) {
    if (tx.isCreate || tx.blobCount == 0 || tx.blobCount > MAX_BLOBS_PER_TX) return TX_BLOB_TX_INVALID;
    for (let i: i32 = 0; i < tx.blobCount; i++) {
      if (load<u8>(tx.blobHashes + <usize>(i << 5)) != 0x01) return TX_BLOB_TX_INVALID;
    }
  }
  // signing payload: type ‖ rlp([chainId .. the field before yParity])
  const span = <i32>(unsignedEnd - fields);
  const buf = alloc32(span + 10);
  store<u8>(buf, <u8>type);
  let q = buf + 1;
  q += <usize>rlpWriteHeader(q, 0xc0, span);
  copyBytes(q, fields, span);
  q += <usize>span;
  tx.sigHash = alloc32(32);
  keccak256(buf, <i32>(q - buf), tx.sigHash);
  return recover(tx, <u32>parity);
}

// accessList: [[address (20), [key (32), ...]], ...] (EIP-2930); two passes: count, then copy
function readAccessList(tx: EvmTx, p: usize, end: usize): bool {
  if (!rlpList(p, end)) return false;
  const listStart = rlpPayload;
  const listEnd = rlpEnd;
  let count: i32 = 0;
  let slots: i32 = 0;
  let q = listStart;
  while (q < listEnd) {
    if (!rlpList(q, listEnd)) return false;
    const entryEnd = rlpEnd;
    const next = rlpEnd;
    if (!rlpString(rlpPayload, entryEnd) || rlpLen != 20) return false;
    if (!rlpList(rlpEnd, entryEnd) || rlpEnd != entryEnd) return false;
    const keysEnd = rlpEnd;
    let k = rlpPayload;
    while (k < keysEnd) {
      if (!rlpString(k, keysEnd) || rlpLen != 32) return false;
      slots++;
      k = rlpEnd;
    }
    count++;
    q = next;
  }
  tx.accessListCount = count;
  tx.accessSlotTotal = slots;
  tx.accessAddresses = alloc32(count * 20);
  tx.accessSlots = alloc32(count * 4 + slots * 32);
  // second pass: the structure is known to be well formed
  let a = tx.accessAddresses;
  let s = tx.accessSlots;
  q = listStart;
  while (q < listEnd) {
    rlpItem(q, listEnd);
    const entryEnd = rlpEnd;
    const next = rlpEnd;
    rlpItem(rlpPayload, entryEnd);
    copyBytes(a, rlpPayload, 20);
    a += 20;
    rlpItem(rlpEnd, entryEnd);
    const keysEnd = rlpEnd;
    const countAt = s;
    s += 4;
    let n: u32 = 0;
    let k = rlpPayload;
    while (k < keysEnd) {
      rlpItem(k, keysEnd);
      copyBytes(s, rlpPayload, 32);
      s += 32;
      n++;
      k = rlpEnd;
    }
    store<u32>(countAt, n);
    q = next;
  }
  rlpItem(p, end); // leave the globals on the access list itself (rlpEnd = after it)
  return true;
}

// blobVersionedHashes: [hash (32), ...]
function readBlobHashes(tx: EvmTx, p: usize, end: usize): bool {
  if (!rlpList(p, end)) return false;
  const listEnd = rlpEnd;
  let n: i32 = 0;
  let q = rlpPayload;
  while (q < listEnd) {
    if (!rlpString(q, listEnd) || rlpLen != 32) return false;
    n++;
    q = rlpEnd;
  }
  tx.blobCount = n;
  tx.blobHashes = alloc32(n * 32);
  rlpItem(p, end); // restart from the list's payload
  q = rlpPayload;
  let out = tx.blobHashes;
  while (q < listEnd) {
    rlpItem(q, listEnd);
    copy32(out, rlpPayload);
    out += 32;
    q = rlpEnd;
  }
  rlpItem(p, end);
  return true;
}
