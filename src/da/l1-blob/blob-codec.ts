/**
 * Blob stream v1 (docs/blob.md §1): how an l1-blob batch's bytes are laid out in EIP-4844 blobs.
 *
 * `dataLength u32 BE ‖ data ‖ zero padding`, cut into 31-byte pieces; field element i of the batch
 * is `0x00 ‖ piece_i` (32 bytes, always below the BLS modulus), 4096 elements per blob, so a blob
 * carries 126,976 stream bytes and a batch takes k = ceil((4 + len) / 126,976) blobs.
 */

import { BYTES_PER_BLOB, FIELD_ELEMENTS_PER_BLOB } from '../../crypto/kzg.ts';
import { DaBatchTooLargeError } from '../errors.ts';

/** EIP-4844 sizes (src/crypto/kzg.ts), re-exported for the codec's users. */
export { BYTES_PER_BLOB, FIELD_ELEMENTS_PER_BLOB };
/** Stream bytes carried by one field element (its top byte is always 0). */
export const BYTES_PER_PIECE = 31;
/** Stream bytes carried by one blob: 4096 × 31 = 126,976. */
export const STREAM_BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_PIECE;
/** Bytes of the stream's length prefix. */
export const LENGTH_PREFIX_BYTES = 4;
/** Blobs one transaction may carry (Prague/Pectra: 6 per transaction, the block's max target). */
export const MAX_BLOBS_PER_TX = 6;
/** Largest batch of one blob transaction: 6 × 126,976 − 4 = 761,852 bytes. */
export const L1_BLOB_MAX_BATCH_BYTES = MAX_BLOBS_PER_TX * STREAM_BYTES_PER_BLOB - LENGTH_PREFIX_BYTES;

/** Blobs a batch of `dataLength` bytes takes: ceil((4 + len) / 126,976), at least 1. */
export function blobCount(dataLength: number): number {
  return Math.ceil((LENGTH_PREFIX_BYTES + dataLength) / STREAM_BYTES_PER_BLOB);
}

/**
 * The blobs of `data` (each a fresh 131,072-byte array). Throws DA_BATCH_TOO_LARGE over
 * `maxBytes` (default L1_BLOB_MAX_BATCH_BYTES, 6 blobs).
 */
export function encodeBlobs(data: Uint8Array, maxBytes = L1_BLOB_MAX_BATCH_BYTES): Uint8Array[] {
  if (data.length > maxBytes) throw new DaBatchTooLargeError(data.length, maxBytes, 'l1-blob');
  const k = blobCount(data.length);
  const stream = new Uint8Array(k * STREAM_BYTES_PER_BLOB);
  new DataView(stream.buffer).setUint32(0, data.length, false);
  stream.set(data, LENGTH_PREFIX_BYTES);
  const blobs: Uint8Array[] = [];
  for (let b = 0; b < k; b++) {
    const blob = new Uint8Array(BYTES_PER_BLOB);
    const base = b * STREAM_BYTES_PER_BLOB;
    for (let e = 0; e < FIELD_ELEMENTS_PER_BLOB; e++) {
      const from = base + e * BYTES_PER_PIECE;
      blob.set(stream.subarray(from, from + BYTES_PER_PIECE), e * 32 + 1);
    }
    blobs.push(blob);
  }
  return blobs;
}

/**
 * The batch bytes of a blob stream, or `undefined` when it is undecodable (docs/blob.md §1): no
 * blob, a blob that is not 131,072 bytes, a field element whose top byte is not 0, or a length
 * prefix over the blobs' capacity (k × 126,976 − 4). The STF treats such a batch as empty.
 */
export function decodeBlobs(blobs: readonly Uint8Array[]): Uint8Array | undefined {
  if (blobs.length === 0) return undefined;
  const stream = new Uint8Array(blobs.length * STREAM_BYTES_PER_BLOB);
  for (let b = 0; b < blobs.length; b++) {
    const blob = blobs[b];
    if (!(blob instanceof Uint8Array) || blob.length !== BYTES_PER_BLOB) return undefined;
    const base = b * STREAM_BYTES_PER_BLOB;
    for (let e = 0; e < FIELD_ELEMENTS_PER_BLOB; e++) {
      if (blob[e * 32] !== 0) return undefined;
      stream.set(blob.subarray(e * 32 + 1, e * 32 + 32), base + e * BYTES_PER_PIECE);
    }
  }
  const len = new DataView(stream.buffer).getUint32(0, false);
  if (len > stream.length - LENGTH_PREFIX_BYTES) return undefined;
  return stream.slice(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + len);
}
