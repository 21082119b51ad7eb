/**
 * L1BlobDa: pointer encoding, store, and the whole path on anvil with the real inbox: store →
 * postBatch(kind 0x02) as a type-3 transaction → the inbox message is the encoded pointer →
 * decodePointer + l1BlockNumber → retrieve through each blob source alone.
 */

import { bytesToHex, type Hex, hexToBytes, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sparseBatch } from '../../../test/blob-test-data.ts';
import type { DaPointer } from '../../core/types.ts';
import { commitBlob } from '../../crypto/kzg.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { deployInbox, InboxClient, walletFor } from '../../settlement/ethereum/inbox.ts';
import { DaBatchTooLargeError, DaInvalidPointerError, DaUnavailableError } from '../errors.ts';
import { encodeBlobs, L1_BLOB_MAX_BATCH_BYTES } from './blob-codec.ts';
import { BeaconBlobSource, type BlobSource, RpcBlobSource } from './blob-source.ts';
import { blobTxParams } from './blob-tx.ts';
import { L1BlobDa } from './l1-blob.ts';

type BlobPointer = Extract<DaPointer, { kind: 'blob' }>;
const H = (b: number) => `0x01${b.toString(16).padStart(2, '0').repeat(31)}` as Hex;
const bytes = (n: number, seed: number) =>
  new Uint8Array(n).map((_, i) => (i * 37 + seed + (i >> 10)) & 0xff);

const sparse = sparseBatch;

describe('L1BlobDa pointers', () => {
  const da = new L1BlobDa();

  it('encodes 0x02 ‖ versioned hashes and decodes it back', () => {
    const p: DaPointer = { kind: 'blob', versionedHashes: [H(1), H(2), H(3)] };
    const enc = da.encodePointer(p);
    expect(enc.length).toBe(1 + 3 * 32);
    expect(enc[0]).toBe(0x02);
    expect(bytesToHex(enc.subarray(33, 65))).toBe(H(2));
    expect(da.decodePointer(enc)).toEqual(p);
  });

  it('encodePointer ignores sidecars and the block hint (the message is the hashes only)', () => {
    const p: DaPointer = { kind: 'blob', versionedHashes: [H(1)], l1BlockNumber: 5n };
    expect(da.encodePointer(p)).toEqual(da.encodePointer({ kind: 'blob', versionedHashes: [H(1)] }));
  });

  it('decodePointer refuses what is not 0x02 ‖ 1..6 versioned hashes (DA_INVALID_POINTER)', () => {
    const ok = da.encodePointer({ kind: 'blob', versionedHashes: [H(1)] });
    const bad: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /empty pointer/],
      [Uint8Array.of(0x02), /not 0 bytes/],
      [ok.subarray(0, 32), /not 31 bytes/],
      [Uint8Array.of(...ok, 0), /not 33 bytes/],
      [Uint8Array.of(0x00, ...ok.subarray(1)), /kind 0x00 is not a blob pointer/],
      [Uint8Array.of(0x03, ...ok.subarray(1)), /kind 0x03/],
      [Uint8Array.of(0x02, ...new Uint8Array(32)), /version 0x01/],
      [
        Uint8Array.of(0x02, ...Array.from({ length: 7 }, () => [...ok.subarray(1)]).flat()),
        /7 versioned hashes/,
      ],
    ];
    for (const [b, msg] of bad) {
      expect(() => da.decodePointer(b)).toThrow(DaInvalidPointerError);
      expect(() => da.decodePointer(b)).toThrow(msg);
    }
  });

  it('checkPointer names what is wrong; encodePointer refuses it', () => {
    expect(da.checkPointer({ kind: 'blob', versionedHashes: [H(1)] })).toBeUndefined();
    expect(da.checkPointer({ kind: 'calldata', data: new Uint8Array() })).toMatch(
      /cannot resolve a "calldata"/,
    );
    expect(da.checkPointer({ kind: 'blob', versionedHashes: [] })).toMatch(/without versioned hashes/);
    expect(da.checkPointer({ kind: 'blob', versionedHashes: ['0x01'] })).toMatch(/not 32 bytes/);
    expect(() => da.encodePointer({ kind: 'blob', versionedHashes: [] })).toThrow(DaInvalidPointerError);
  });
});

describe('L1BlobDa.store / retrieve without L1', () => {
  it('stores: versioned hashes of the stream v1 blobs, sidecars, keccak data hash', async () => {
    const data = bytes(130_000, 1);
    const { pointer, dataHash, usedFallback } = await new L1BlobDa().store(data);
    const p = pointer as BlobPointer;
    const blobs = encodeBlobs(data);
    expect(p.sidecars?.blobs).toEqual(blobs);
    expect(p.versionedHashes).toEqual([
      (await commitBlob(blobs[0])).versionedHash,
      (await commitBlob(blobs[1])).versionedHash,
    ]);
    expect(p.sidecars?.commitments.map((c) => c.length)).toEqual([48, 48]);
    expect(dataHash).toBe(keccak256(data));
    expect(usedFallback).toBe(false);
    // the sidecars alone serve retrieve (the batcher's own node)
    expect(await new L1BlobDa().retrieve(p)).toEqual(data);
  });

  it('refuses a batch over maxBatchBytes', async () => {
    await expect(new L1BlobDa({ maxBatchBytes: 100 }).store(new Uint8Array(101))).rejects.toThrow(
      DaBatchTooLargeError,
    );
    expect(() => new L1BlobDa({ maxBatchBytes: L1_BLOB_MAX_BATCH_BYTES + 1 })).toThrow(RangeError);
  });

  it('a blob that does not match its versioned hash is DA_INVALID_POINTER', async () => {
    const { pointer } = await new L1BlobDa().store(bytes(100, 2));
    const other = encodeBlobs(bytes(100, 3))[0];
    const liar: BlobSource = { name: 'liar', getBlobs: async (hs) => hs.map(() => other) };
    const p = { ...(pointer as BlobPointer), sidecars: undefined };
    await expect(new L1BlobDa({ sources: [liar] }).retrieve(p)).rejects.toThrow(DaInvalidPointerError);
    await expect(new L1BlobDa({ sources: [liar] }).retrieve(p)).rejects.toThrow(/served a wrong blob/);
  });

  it('blobs that match but do not decode as stream v1 are DA_INVALID_POINTER', async () => {
    const blob = encodeBlobs(bytes(100, 4))[0];
    blob[32 * 9] = 0x01; // a canonical field element (< BLS modulus) with a non-zero top byte
    const c = await commitBlob(blob);
    const p: DaPointer = {
      kind: 'blob',
      versionedHashes: [c.versionedHash],
      sidecars: { blobs: [blob], commitments: [c.commitment], proofs: [c.proof] },
    };
    await expect(new L1BlobDa().retrieve(p)).rejects.toThrow(/do not decode as blob stream v1/);
  });

  it('no source has the blob: DA_UNAVAILABLE (retry, never skip)', async () => {
    const none: BlobSource = { name: 'empty', getBlobs: async (hs) => hs.map(() => undefined) };
    const p: DaPointer = { kind: 'blob', versionedHashes: [H(7)], l1BlockNumber: 3n };
    await expect(new L1BlobDa({ sources: [none] }).retrieve(p)).rejects.toThrow(DaUnavailableError);
    await expect(new L1BlobDa().retrieve(p)).rejects.toThrow(/not found in no blob source/);
  });
});

describe('L1BlobDa on anvil with the inbox (postBatch kind 0x02)', () => {
  let l1: L1;
  let inbox: InboxClient;
  const gas: string[] = [];

  beforeAll(async () => {
    l1 = await startAnvil();
    const sequencer = walletFor(l1, l1.accounts[1].account);
    const d = await deployInbox(l1, { sequencer: sequencer.account.address, maxDelaySeconds: 3600 });
    inbox = (await InboxClient.attach(l1, d.address, { fromBlock: d.deployBlock })).connect(sequencer);
  }, 120_000);

  afterAll(async () => {
    await l1?.stop();
    if (gas.length) console.log(`l1-blob postBatch: ${gas.join('; ')}`);
  });

  it('posts 1- and 6-blob batches; the inbox message is the pointer; both sources retrieve the data', async () => {
    const da = new L1BlobDa();
    for (const n of [5_000, L1_BLOB_MAX_BATCH_BYTES]) {
      const data = sparse(n);
      const { pointer } = await da.store(data);
      const blobTx = await blobTxParams(l1.publicClient, pointer);
      const r = await inbox.postBatch(new Uint8Array(), { kind: 0x02, blobTx: { ...blobTx } });
      const k = (pointer as BlobPointer).versionedHashes.length;
      gas.push(`${k} blob(s) ${n} B: execution gas ${r.gasUsed}, blob gas ${r.receipt.blobGasUsed}`);
      const [m] = await inbox.readMessages(r.position, r.position + 1n);
      expect(m.data).toEqual(da.encodePointer(pointer));
      const decoded = { ...(da.decodePointer(m.data) as BlobPointer), l1BlockNumber: m.l1BlockNumber };
      expect(decoded.versionedHashes).toEqual((pointer as BlobPointer).versionedHashes);
      for (const source of [
        new RpcBlobSource(l1.publicClient),
        new BeaconBlobSource({ beaconUrl: l1.rpcUrl }),
      ]) {
        const t = performance.now();
        expect(await new L1BlobDa({ sources: [source] }).retrieve(decoded)).toEqual(data);
        console.log(
          `retrieve ${k} blob(s) via ${source.name.split(' ')[0]}: ${(performance.now() - t).toFixed(0)} ms`,
        );
      }
      // the beacon source needs the block hint; a fallback source fills what the first lacks
      const noHint = { ...decoded, l1BlockNumber: undefined };
      await expect(
        new L1BlobDa({ sources: [new BeaconBlobSource({ beaconUrl: l1.rpcUrl })] }).retrieve(noHint),
      ).rejects.toThrow(DaUnavailableError);
      const both = new L1BlobDa({
        sources: [new BeaconBlobSource({ beaconUrl: l1.rpcUrl }), new RpcBlobSource(l1.publicClient)],
      });
      expect(await both.retrieve(noHint)).toEqual(data);
    }
  }, 300_000);

  it('a blob batch with a payload or without blobs reverts (the inbox checks, docs/inbox.md §5.2)', async () => {
    await expect(inbox.postBatch(hexToBytes('0x01'), { kind: 0x02 })).rejects.toThrow(
      /NoBlobs|BlobBatchPayloadNotEmpty/,
    );
    await expect(inbox.postBatch(new Uint8Array(), { kind: 0x02 })).rejects.toThrow(/NoBlobs/);
  });
});
