/**
 * Test helpers for the batch message kinds 0x02 and 0x03 (docs/stf.md "Inbox message format"):
 * blob stream v1 (docs/blob.md) written out from the spec, independently of the guest's decoder.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';

export const BLOB_BYTES = 131_072;
/** stream bytes per field element: its low 31 bytes (the top byte is 0) */
export const FIELD_ELEMENT_DATA = 31;

export interface TestBlob {
  /** the key the host serves the blob under (kind-1 preimage); a stand-in for the KZG versioned hash */
  versionedHash: Uint8Array;
  blob: Uint8Array;
}

/**
 * Blob stream v1: `dataLength u32 BE ‖ data ‖ zero padding` cut into 31-byte pieces, each the low
 * 31 bytes of a 32-byte field element (top byte 0), 4096 elements per blob, as few blobs as fit.
 */
export function encodeBlobStream(data: Uint8Array): TestBlob[] {
  const perBlob = 4096 * FIELD_ELEMENT_DATA;
  const k = Math.max(1, Math.ceil((4 + data.length) / perBlob));
  const stream = new Uint8Array(k * perBlob);
  new DataView(stream.buffer).setUint32(0, data.length);
  stream.set(data, 4);
  const out: TestBlob[] = [];
  for (let b = 0; b < k; b++) {
    const blob = new Uint8Array(BLOB_BYTES);
    for (let e = 0; e < 4096; e++) {
      const s = (b * 4096 + e) * FIELD_ELEMENT_DATA;
      blob.set(stream.subarray(s, s + FIELD_ELEMENT_DATA), e * 32 + 1);
    }
    const versionedHash = keccak_256(blob);
    versionedHash[0] = 0x01;
    out.push({ versionedHash, blob });
  }
  return out;
}

/** message 0x02 ‖ versionedHash × k */
export function blobMessage(versionedHashes: Uint8Array[]): Uint8Array {
  const m = new Uint8Array(1 + 32 * versionedHashes.length);
  m[0] = 0x02;
  versionedHashes.forEach((h, i) => {
    m.set(h, 1 + 32 * i);
  });
  return m;
}

/** message 0x03 ‖ dataHash */
export function certifiedMessage(dataHash: Uint8Array): Uint8Array {
  const m = new Uint8Array(33);
  m[0] = 0x03;
  m.set(dataHash, 1);
  return m;
}
