import { describe, expect, it } from 'vitest';
import { DaBatchTooLargeError } from '../errors.ts';
import {
  BYTES_PER_BLOB,
  blobCount,
  decodeBlobs,
  encodeBlobs,
  L1_BLOB_MAX_BATCH_BYTES,
  STREAM_BYTES_PER_BLOB,
} from './blob-codec.ts';

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('blob stream v1', () => {
  it('constants: 126,976 stream bytes per blob, 761,852-byte max batch', () => {
    expect(STREAM_BYTES_PER_BLOB).toBe(126_976);
    expect(L1_BLOB_MAX_BATCH_BYTES).toBe(761_852);
  });

  it('lays out the length prefix and 31-byte pieces behind a zero top byte', () => {
    const data = bytes(100);
    const [blob, ...rest] = encodeBlobs(data);
    expect(rest).toHaveLength(0);
    expect(blob.length).toBe(BYTES_PER_BLOB);
    // element 0 = 0x00 ‖ len(4) ‖ data[0..27)
    expect([...blob.subarray(0, 5)]).toEqual([0, 0, 0, 0, 100]);
    expect(blob.subarray(5, 32)).toEqual(data.subarray(0, 27));
    // element 1 = 0x00 ‖ data[27..58)
    expect(blob[32]).toBe(0);
    expect(blob.subarray(33, 64)).toEqual(data.subarray(27, 58));
    // padding is zero
    expect(blob.subarray(4 * 32).every((b) => b === 0)).toBe(true);
  });

  it('takes ceil((4 + len) / 126,976) blobs at the boundaries', () => {
    expect(blobCount(0)).toBe(1);
    expect(blobCount(STREAM_BYTES_PER_BLOB - 4)).toBe(1);
    expect(blobCount(STREAM_BYTES_PER_BLOB - 3)).toBe(2);
    expect(encodeBlobs(bytes(STREAM_BYTES_PER_BLOB - 4))).toHaveLength(1);
    expect(encodeBlobs(bytes(STREAM_BYTES_PER_BLOB - 3))).toHaveLength(2);
    expect(encodeBlobs(bytes(L1_BLOB_MAX_BATCH_BYTES))).toHaveLength(6);
  });

  it('round-trips empty, small, boundary and maximal batches', () => {
    for (const n of [0, 1, 27, 28, 31, 126_972, 126_973, 300_000, L1_BLOB_MAX_BATCH_BYTES]) {
      const data = bytes(n, n + 7);
      expect(decodeBlobs(encodeBlobs(data))).toEqual(data);
    }
  });

  it('refuses a batch over the limit (DA_BATCH_TOO_LARGE)', () => {
    expect(() => encodeBlobs(bytes(L1_BLOB_MAX_BATCH_BYTES + 1))).toThrow(DaBatchTooLargeError);
    expect(() => encodeBlobs(bytes(11), 10)).toThrow(/over the l1-blob limit of 10 bytes/);
  });

  it('every element is canonical (top byte 0)', () => {
    const blobs = encodeBlobs(new Uint8Array(200_000).fill(0xff));
    for (const blob of blobs) for (let e = 0; e < 4096; e++) expect(blob[e * 32]).toBe(0);
  });

  it('is undecodable when a top byte is not 0', () => {
    const blobs = encodeBlobs(bytes(1000));
    blobs[0][4095 * 32] = 1;
    expect(decodeBlobs(blobs)).toBeUndefined();
  });

  it('is undecodable when the length prefix exceeds the capacity', () => {
    const [blob] = encodeBlobs(bytes(10));
    blob.set([0, 0x01, 0xf0, 0x00], 1); // 126,976 > 126,972
    expect(decodeBlobs([blob])).toBeUndefined();
    blob.set([0, 0x01, 0xef, 0xfc], 1); // 126,972: exactly the capacity
    expect(decodeBlobs([blob])?.length).toBe(126_972);
  });

  it('is undecodable with no blob or a blob of the wrong size', () => {
    expect(decodeBlobs([])).toBeUndefined();
    expect(decodeBlobs([new Uint8Array(BYTES_PER_BLOB - 1)])).toBeUndefined();
  });

  it('reads a length that spans blobs from all of them (prefix in blob 0, data in blob 1)', () => {
    const data = bytes(200_000, 3);
    const blobs = encodeBlobs(data);
    blobs[1][1] ^= 1; // first data byte of blob 1 = stream byte 126,976 = data[126,972]
    const out = decodeBlobs(blobs);
    expect(out?.[126_972]).toBe(data[126_972] ^ 1);
  });
});
