// Blob stream v1 (docs/blob.md; docs/stf.md "Inbox message format", kind 0x02): the batch data of k
// EIP-4844 blobs, read as preimage kind 1 (docs/machine.md §6: the blob as a 131,072-byte string of
// 4096 field elements of 32 bytes; an aligned read returns one whole element). The concatenation of
// each element's low 31 bytes over the k blobs is `dataLength u32 BE ‖ data ‖ zero padding`; an
// element whose top byte is not 0 (any of the k × 4096, padding included), or a dataLength beyond
// k × 126,976 − 4, makes the batch undecodable (docs/blob.md §1, as `decodeBlobs` in
// src/da/l1-blob/blob-codec.ts).
import { alloc32, Bytes, copy32, readU32BE } from "./bytes";
import { preimage_read } from "./host";

export const PREIMAGE_KIND_BLOB: i32 = 1;
/** bytes of the stream per blob: 4096 field elements × 31 bytes */
export const BLOB_STREAM_BYTES: u64 = 126976;

/**
 * Reads field element `g` (its index in the concatenation of the k blobs; blob g / 4096, element
 * g % 4096) to dst..dst+32; false if the read is short or its top byte is not 0.
 */
@inline function readElement(hashes: usize, g: i32, dst: usize): bool {
  const n = preimage_read(PREIMAGE_KIND_BLOB, hashes + (<usize>(g >>> 12) << 5), (g & 4095) << 5, dst);
  return n == 32 && load<u8>(dst) == 0;
}

/**
 * The data of the blob stream of the k blobs whose versioned hashes are at `hashes` (k × 32 bytes,
 * 32-byte aligned), or null if it does not decode. No copy besides the host's: element j is read
 * to base + 31j, from the last element down, so that each element's last byte overwrites the
 * (already checked, zero) top byte of the element after it and stream byte s ends at base + 1 + s.
 */
export function readBlobData(hashes: usize, k: i32): Bytes | null {
  const lead = alloc32(32); // element 0: the length prefix and the first 27 data bytes
  if (!readElement(hashes, 0, lead)) return null;
  const dataLen = readU32BE(lead + 1);
  if (<u64>dataLen + 4 > <u64>k * BLOB_STREAM_BYTES) return null;
  const count = (4 + <i32>dataLen + 30) / 31; // elements holding the length and the data
  const base = alloc32(count * 31 + 1); // the last read writes base + 31(count − 1) .. + 32
  // the padding elements: only their top bytes matter
  const scratch = alloc32(32);
  const total = k << 12;
  for (let g = count; g < total; g++) {
    if (!readElement(hashes, g, scratch)) return null;
  }
  for (let j = count - 1; j >= 1; j--) {
    if (!readElement(hashes, j, base + <usize>(j * 31))) return null;
  }
  copy32(base, lead); // element 0, last: its byte 31 lands on element 1's top byte
  return new Bytes(base + 5, <i32>dataLen);
}
