/**
 * Test helpers for the batch message kinds 0x02 and 0x03 (docs/stf.md "Inbox message format"):
 * blobs of blob stream v1 (docs/blob.md §1, src/da/l1-blob/blob-codec.ts) and the two messages.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from 'viem';
import { BYTES_PER_PIECE, encodeBlobs } from '../src/da/l1-blob/blob-codec.ts';
import { batchMessage, batchMessageOf, MESSAGE_KIND } from '../src/settlement/ethereum/message.ts';

/** stream bytes per field element: its low 31 bytes (the top byte is 0) */
export const FIELD_ELEMENT_DATA = BYTES_PER_PIECE;

export interface TestBlob {
  /** the key the host serves the blob under (kind-1 preimage); a stand-in for the KZG versioned hash */
  versionedHash: Uint8Array;
  blob: Uint8Array;
}

/** the blobs of `data` (blob stream v1, `encodeBlobs`), each under a stand-in versioned hash */
export function encodeBlobStream(data: Uint8Array): TestBlob[] {
  return encodeBlobs(data).map((blob) => {
    const versionedHash = keccak_256(blob);
    versionedHash[0] = 0x01;
    return { versionedHash, blob };
  });
}

/** message 0x02 ‖ versionedHash × k (docs/inbox.md §5.2) */
export const blobMessage = (versionedHashes: Uint8Array[]): Uint8Array =>
  batchMessageOf(
    MESSAGE_KIND.blobBatch,
    new Uint8Array(0),
    versionedHashes.map((h) => bytesToHex(h)),
  ) as Uint8Array;

/** message 0x03 ‖ dataHash (docs/inbox.md §5.3) */
export const certifiedMessage = (dataHash: Uint8Array): Uint8Array =>
  batchMessage(MESSAGE_KIND.certificateBatch, dataHash);
