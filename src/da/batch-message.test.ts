/**
 * DA modules resolve their own pointers (src/core/da.ts): `posting` (stored batch -> postBatch
 * call), `resolve` (inbox message -> bytes + the STF's preimages) and `carries`, without L1.
 */
import { hexToBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { BATCH_KIND, batchMessage } from './batch-message.ts';
import { L1BlobDa } from './l1-blob/l1-blob.ts';
import { L1CalldataDa } from './l1-calldata/l1-calldata.ts';

const at = (message: Uint8Array) => ({ position: 7n, message, l1BlockNumber: 1n });
/** a compressible transaction list */
const list = (n: number) => {
  const out = new Uint8Array(4 + n * 40);
  new DataView(out.buffer).setUint32(0, n);
  for (let i = 0; i < n; i++) {
    new DataView(out.buffer).setUint32(4 + i * 40, 36);
    out.fill(i % 7, 8 + i * 40, 4 + (i + 1) * 40);
  }
  return out;
};

describe('l1-calldata', () => {
  const da = new L1CalldataDa();

  it('posts 0x04 ‖ brotli(list) when smaller, else 0x00 ‖ list; resolves and recognises both', async () => {
    const data = list(50);
    const z = da.posting(await da.store(data));
    expect(z).toMatchObject({ kind: BATCH_KIND.brotliTxList, pointer: 'calldata', usedFallback: false });
    expect(z.payload.length).toBeLessThan(data.length);
    expect(z.message).toEqual(batchMessage(z.kind, z.payload));
    const plain = da.posting(await da.store(data), { compress: false });
    expect(plain).toMatchObject({ kind: BATCH_KIND.txList, payload: data });
    for (const p of [z, plain]) {
      expect(await da.resolve(at(p.message))).toEqual({ data, preimages: [] });
      expect(await da.carries(p.message, data)).toBe(true);
      expect(await da.carries(p.message, list(49))).toBe(false);
    }
  });

  it('refuses kinds it does not read (DA_INVALID_POINTER, derivation executes them as is)', async () => {
    await expect(da.resolve(at(Uint8Array.of(0x02, 1, 2, 3)))).rejects.toMatchObject({
      code: 'DA_INVALID_POINTER',
      message: expect.stringMatching(/inbox position 7 is a blob batch/),
    });
    await expect(da.resolve(at(Uint8Array.of(0x03)))).rejects.toMatchObject({ code: 'DA_INVALID_POINTER' });
    expect(await da.carries(Uint8Array.of(0x03, ...new Uint8Array(32)), new Uint8Array(0))).toBe(false);
    expect(() =>
      da.posting({ pointer: { kind: 'blob', versionedHashes: [] }, dataHash: '0x', usedFallback: false }),
    ).toThrow(/l1-calldata cannot resolve a "blob" pointer/);
  });
});

describe('l1-blob', () => {
  it('posts 0x02 with its sidecars; resolves blob batches into the data and kind-1 preimages; reads inline batches', async () => {
    const da = new L1BlobDa();
    const data = list(10);
    const stored = await da.store(data);
    const p = da.posting(stored);
    expect(p).toMatchObject({ kind: BATCH_KIND.blob, payload: new Uint8Array(0), pointer: 'blob' });
    expect(p.blobs?.sidecars?.blobs).toHaveLength(1);
    const vh = (stored.pointer as { versionedHashes: `0x${string}`[] }).versionedHashes[0];
    expect(p.message).toEqual(Uint8Array.of(0x02, ...hexToBytes(vh)));
    expect(await da.carries(p.message, data)).toBe(true);
    expect(await da.carries(p.message, list(11))).toBe(false);
    // no source serves the blob: unavailable (derivation waits)
    await expect(da.resolve(at(p.message))).rejects.toMatchObject({ code: 'DA_UNAVAILABLE' });
    // a source that has it
    const served = new L1BlobDa({
      sources: [{ name: 'test', getBlobs: async () => p.blobs?.sidecars?.blobs ?? [] }],
    });
    const r = await served.resolve(at(p.message));
    expect(r.data).toEqual(data);
    expect(r.preimages).toEqual([{ kind: 1, hash: hexToBytes(vh), bytes: p.blobs?.sidecars?.blobs[0] }]);
    // inline batches are their own data
    expect(await da.resolve(at(batchMessage(0, data)))).toEqual({ data, preimages: [] });
    await expect(da.resolve(at(Uint8Array.of(0x03, 1)))).rejects.toMatchObject({
      code: 'DA_INVALID_POINTER',
    });
  }, 60_000);
});
