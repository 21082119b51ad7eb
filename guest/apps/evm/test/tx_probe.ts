// Test module for tx.ts (guest/apps/evm/tx.test.ts): the inbox message is chainId u64 BE ‖ raw tx;
// the decoded fields are serialized into a record, hinted as a preimage, and bytes32[0] is its
// keccak256. Record: error u32 BE, then (error 0 or not) type u8 ‖ isCreate u8 ‖ hasChainId u8 ‖
// chainId u64 BE ‖ nonce u64 BE ‖ gasLimit u64 BE ‖ gasPrice ‖ maxFeePerGas ‖
// maxPriorityFeePerGas ‖ value ‖ maxFeePerBlobGas (32 bytes each, LE limbs as in memory) ‖
// to (20) ‖ sender (20, zeros if none) ‖ sigHash (32, zeros if none) ‖ dataLen u32 BE ‖ data ‖
// accessListCount u32 BE ‖ accessSlotTotal u32 BE ‖ addresses ‖ slot records (as in memory) ‖
// blobCount u32 BE ‖ blob hashes. Only the error word when error != 0.
import { alloc32, copyBytes, readU64BE, writeU32BE, writeU64BE } from "../../../sdk/bytes";
import { hint_preimage, set_global_bytes32 } from "../../../sdk/host";
import { readMessage } from "../../../sdk/inbox";
import { keccak256 } from "../../../sdk/keccak";
import { decodeEvmTx } from "../tx";

export function main(): void {
  const msg = readMessage();
  const tx = decodeEvmTx(msg.ptr + 8, msg.len - 8, readU64BE(msg.ptr));
  const slotBytes = tx.accessListCount * 4 + tx.accessSlotTotal * 32;
  const cap = 4 + 3 + 24 + 160 + 72 + 4 + tx.dataLen + 8 + tx.accessListCount * 20 + slotBytes + 4 + tx.blobCount * 32;
  const rec = alloc32(cap);
  let q = rec;
  writeU32BE(q, tx.error);
  q += 4;
  if (tx.error == 0) {
    store<u8>(q, tx.type);
    store<u8>(q, tx.isCreate ? 1 : 0, 1);
    store<u8>(q, tx.hasChainId ? 1 : 0, 2);
    q += 3;
    writeU64BE(q, tx.chainId);
    writeU64BE(q + 8, tx.nonce);
    writeU64BE(q + 16, tx.gasLimit);
    q += 24;
    copyBytes(q, tx.gasPrice, 32);
    copyBytes(q + 32, tx.maxFeePerGas, 32);
    copyBytes(q + 64, tx.maxPriorityFeePerGas, 32);
    copyBytes(q + 96, tx.value, 32);
    copyBytes(q + 128, tx.maxFeePerBlobGas, 32);
    q += 160;
    copyBytes(q, tx.to, 20);
    copyBytes(q + 20, tx.sender, 20);
    copyBytes(q + 40, tx.sigHash, 32);
    q += 72;
    writeU32BE(q, <u32>tx.dataLen);
    q += 4;
    copyBytes(q, tx.data, tx.dataLen);
    q += <usize>tx.dataLen;
    writeU32BE(q, <u32>tx.accessListCount);
    writeU32BE(q + 4, <u32>tx.accessSlotTotal);
    q += 8;
    copyBytes(q, tx.accessAddresses, tx.accessListCount * 20);
    q += <usize>(tx.accessListCount * 20);
    copyBytes(q, tx.accessSlots, slotBytes);
    q += <usize>slotBytes;
    writeU32BE(q, <u32>tx.blobCount);
    q += 4;
    copyBytes(q, tx.blobHashes, tx.blobCount * 32);
    q += <usize>(tx.blobCount * 32);
  }
  const len = <i32>(q - rec);
  hint_preimage(rec, len);
  const h = alloc32(32);
  keccak256(rec, len, h);
  set_global_bytes32(0, h);
}
