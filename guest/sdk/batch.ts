// The transaction list of a batch message (docs/stf.md "Inbox message format"): kind 0x00 carries it
// inline; 0x02 ‖ versionedHash × k points at it in k EIP-4844 blobs (preimage kind 1, blob.ts);
// 0x03 ‖ dataHash at a keccak256 preimage (kind 0) certified by the data-availability committee;
// 0x04 ‖ brotli(list) carries it compressed (RFC 7932), inflated here (brotli.ts, at most
// MAX_INFLATED bytes). The four execute alike: the STF sees the same `count u32 ‖ (len u32 ‖ tx)*`
// bytes. (Checked in this order so that 0x00 and 0x02 pay nothing for the kinds after them.)
import { alloc32, Bytes, copyBytes } from "./bytes";
import { readBlobData } from "./blob";
import { inflate } from "./brotli";
import { readPreimage } from "./state";

export const KIND_TXS: u32 = 0;
export const KIND_BLOBS: u32 = 2;
export const KIND_CERTIFIED: u32 = 3;
export const KIND_BROTLI: u32 = 4;

/** whether a message of this kind carries a transaction list */
export function isBatchKind(kind: u32): bool {
  return kind == KIND_TXS || kind == KIND_BLOBS || kind == KIND_CERTIFIED || kind == KIND_BROTLI;
}

/**
 * The transaction list of the batch message msg..msg+len (kind `msg[0]`, a batch kind), or null if
 * the message does not decode (wrong length for its kind, a blob stream that does not decode, a
 * brotli stream that does not inflate or inflates past MAX_INFLATED). A
 * missing preimage stops the run in the host (HostDataUnavailableError), never here.
 */
export function batchPayload(msg: usize, len: i32): Bytes | null {
  const kind = <u32>load<u8>(msg);
  if (kind == KIND_TXS) return new Bytes(msg + 1, len - 1);
  if (kind == KIND_BLOBS) {
    const k = (len - 1) >> 5;
    if (k < 1 || 1 + (k << 5) != len) return null;
    const hashes = alloc32(k << 5); // host hash pointers must be 32-byte aligned
    copyBytes(hashes, msg + 1, k << 5);
    return readBlobData(hashes, k);
  }
  if (kind == KIND_BROTLI) return inflate(msg + 1, len - 1);
  if (len != 33) return null; // KIND_CERTIFIED
  const hash = alloc32(32);
  copyBytes(hash, msg + 1, 32);
  return readPreimage(hash, 4096);
}

