/**
 * The preimage oracle on anvil (docs/blob.md §4): whole keccak preimages, keccak parts of a 120 KB
 * preimage, blob field elements checked by the point-evaluation precompile, ensurePart's
 * idempotence, and a negative test for every revert.
 */
import { bytesToHex, type Hex, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobElementProof, blobElementZ, commitBlob } from '../../crypto/kzg.ts';
import { encodeBlobs } from '../../da/l1-blob/blob-codec.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { PreimageMismatchError, PreimageOracleClient } from './preimage-oracle.ts';
import { expectRevert } from './test-utils.ts';

let l1: L1;
let oracle: PreimageOracleClient;
const gas: Record<string, bigint> = {};

beforeAll(async () => {
  l1 = await startAnvil();
  const d = await deploy(l1, await getArtifact('PreimageOracle'));
  oracle = await PreimageOracleClient.at(l1, d.address);
}, 120_000);

afterAll(async () => {
  await l1?.stop();
  console.log(
    `preimage oracle gas: ${Object.entries(gas)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
});

const reverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'PreimageOracle', name, args);
const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 29 + seed + (i >> 7)) & 0xff);
const hex = (b: Uint8Array) => bytesToHex(b);
const receiptGas = async (txHash: Hex | undefined) =>
  (await l1.publicClient.getTransactionReceipt({ hash: txHash as Hex })).gasUsed;

describe('PreimageOracle kind 0 (keccak256)', () => {
  it('ensurePart submits a small preimage whole, once', async () => {
    const pre = bytes(100, 1);
    const h = keccak256(pre);
    await reverts(oracle.readPreimage(0, h, 0), 'UnknownPreimage', [0, h]);
    const tx = await oracle.ensurePart(0, h, 40, pre);
    expect(tx).toMatch(/^0x/);
    expect(await oracle.isKnown(pre)).toBe(true);
    expect(await oracle.ensurePart(0, h, 0, pre)).toBeUndefined();
    expect(await oracle.readPreimage(0, h, 40)).toBe(hex(pre.subarray(40, 72)));
    expect(await oracle.readPreimage(0, h, 90)).toBe(hex(pre.subarray(90)));
    expect(await oracle.readPreimage(0, h, 100)).toBe('0x');
  });

  it('loads single parts of a 120 KB preimage; other offsets stay unknown', async () => {
    const pre = bytes(120_000, 2);
    const h = keccak256(pre);
    expect(await oracle.isPartKnown(0, h, 1000)).toBe(false);
    const tx = await oracle.ensurePart(0, h, 1000, pre);
    gas.loadKeccakPart_120KB = await receiptGas(tx);
    expect(await oracle.isKnown(pre)).toBe(false);
    expect(await oracle.isPartKnown(0, h, 1000)).toBe(true);
    expect(await oracle.ensurePart(0, h, 1000, pre)).toBeUndefined();
    expect(await oracle.readPreimage(0, h, 1000)).toBe(hex(pre.subarray(1000, 1032)));
    // offsets other than the loaded one are unknown (even inside the loaded chunk)
    expect(await oracle.isPartKnown(0, h, 1001)).toBe(false);
    await reverts(oracle.readPreimage(0, h, 1001), 'UnknownPreimage', [0, h]);
    await reverts(oracle.readPreimage(0, h, 0), 'UnknownPreimage', [0, h]);
    // the length is known: reads at or past the end answer empty
    expect(await oracle.isPartKnown(0, h, 120_000)).toBe(true);
    expect(await oracle.readPreimage(0, h, 120_000)).toBe('0x');
    expect(await oracle.readPreimage(0, h, 200_000)).toBe('0x');
    // a part near the end is short
    await oracle.ensurePart(0, h, 119_995, pre);
    expect(await oracle.readPreimage(0, h, 119_995)).toBe(hex(pre.subarray(119_995)));
  });

  it('ensurePart past the end of a large preimage loads part 0 (for the length)', async () => {
    const pre = bytes(2000, 3);
    const h = keccak256(pre);
    await oracle.ensurePart(0, h, 5000, pre);
    expect(await oracle.readPreimage(0, h, 5000)).toBe('0x');
    expect(await oracle.readPreimage(0, h, 0)).toBe(hex(pre.subarray(0, 32)));
  });

  it('loadKeccakPart at or past the end reverts PartOffsetOutOfRange', async () => {
    const pre = bytes(64, 4);
    await reverts(oracle.loadKeccakPart(pre, 64), 'PartOffsetOutOfRange', [64n, 64n]);
    await reverts(oracle.loadKeccakPart(new Uint8Array(), 0), 'PartOffsetOutOfRange', [0n, 0n]);
  });

  it('ensurePart refuses bytes that are not the preimage', async () => {
    await expect(oracle.ensurePart(0, keccak256(bytes(10, 5)), 0, bytes(10, 6))).rejects.toThrow(
      PreimageMismatchError,
    );
    await expect(oracle.ensurePart(7, keccak256(bytes(10, 5)), 0, bytes(10, 5))).rejects.toThrow(/kind 7/);
  });

  it('unknown kinds are UnknownPreimage', async () => {
    const h = keccak256('0x');
    await reverts(oracle.readPreimage(2, h, 0), 'UnknownPreimage', [2, h]);
  });
});

describe('PreimageOracle kind 1 (blob field elements)', () => {
  const blob = encodeBlobs(bytes(100_000, 7))[0];
  const otherBlob = encodeBlobs(bytes(100_000, 8))[0];
  let vh: Hex;
  let otherVh: Hex;

  beforeAll(async () => {
    vh = (await commitBlob(blob)).versionedHash;
    otherVh = (await commitBlob(otherBlob)).versionedHash;
  }, 60_000);

  it('computes z = ω^bitrev12(i) on chain like kzg.ts', async () => {
    for (const i of [0, 1, 2, 37, 2048, 4095]) {
      const z = await l1.publicClient.readContract({
        address: oracle.address,
        abi: (await getArtifact('PreimageOracle')).abi,
        functionName: 'blobElementZ',
        args: [BigInt(i)],
      });
      expect(z).toBe(blobElementZ(i));
    }
  });

  it('ensurePart loads the element holding the offset; reads never cross its end', async () => {
    const offset = 37 * 32 + 5;
    await reverts(oracle.readPreimage(1, vh, offset), 'UnknownPreimage', [1, vh]);
    const tx = await oracle.ensurePart(1, vh, offset, blob);
    gas.loadBlobElement = await receiptGas(tx);
    expect(await oracle.isPartKnown(1, vh, 37 * 32)).toBe(true);
    expect(await oracle.isPartKnown(1, vh, 38 * 32)).toBe(false);
    expect(await oracle.ensurePart(1, vh, 37 * 32 + 31, blob)).toBeUndefined();
    expect(await oracle.readPreimage(1, vh, 37 * 32)).toBe(hex(blob.subarray(37 * 32, 38 * 32)));
    expect(await oracle.readPreimage(1, vh, offset)).toBe(hex(blob.subarray(offset, 38 * 32)));
    expect(await oracle.readPreimage(1, vh, 37 * 32 + 31)).toBe(hex(blob.subarray(37 * 32 + 31, 38 * 32)));
    await reverts(oracle.readPreimage(1, vh, 38 * 32), 'UnknownPreimage', [1, vh]);
    await reverts(oracle.readPreimage(1, otherVh, 37 * 32), 'UnknownPreimage', [1, otherVh]);
  }, 60_000);

  it('loads the first and the last element (z = 1 and z = ω^4095)', async () => {
    await oracle.ensurePart(1, vh, 0, blob);
    await oracle.ensurePart(1, vh, 4095 * 32, blob);
    expect(await oracle.readPreimage(1, vh, 0)).toBe(hex(blob.subarray(0, 32)));
    expect(await oracle.readPreimage(1, vh, 131_071)).toBe(hex(blob.subarray(131_071)));
  }, 60_000);

  it('answers empty at offset ≥ 131,072 without any load', async () => {
    expect(await oracle.isPartKnown(1, otherVh, 131_072)).toBe(true);
    expect(await oracle.readPreimage(1, otherVh, 131_072)).toBe('0x');
    expect(await oracle.ensurePart(1, otherVh, 131_072, otherBlob)).toBeUndefined();
  });

  it('rejects a wrong value, proof, index, commitment or versioned hash (BadBlobProof)', async () => {
    const p = await blobElementProof(blob, 100);
    const q = await blobElementProof(blob, 101);
    const wrongValue = `0x${(BigInt(p.value) + 1n).toString(16).padStart(64, '0')}` as Hex;
    await reverts(oracle.loadBlobElement(vh, 100, { ...p, value: wrongValue }), 'BadBlobProof', [vh, 100n]);
    await reverts(oracle.loadBlobElement(vh, 100, { ...p, proof: q.proof }), 'BadBlobProof', [vh, 100n]);
    // the right (value, proof) pair of element 100 claimed for element 101: z differs
    await reverts(oracle.loadBlobElement(vh, 101, p), 'BadBlobProof', [vh, 101n]);
    await reverts(oracle.loadBlobElement(otherVh, 100, p), 'BadBlobProof', [otherVh, 100n]);
    await reverts(oracle.loadBlobElement(vh, 100, { ...p, commitment: '0x1234' }), 'BadBlobProof', [
      vh,
      100n,
    ]);
    // a value ≥ the BLS modulus is not a field element
    const huge = `0x${'ff'.repeat(32)}` as Hex;
    await reverts(oracle.loadBlobElement(vh, 100, { ...p, value: huge }), 'BadBlobProof', [vh, 100n]);
    expect(await oracle.isPartKnown(1, vh, 100 * 32)).toBe(false);
    // and the right one loads
    await oracle.loadBlobElement(vh, 100, p);
    expect(await oracle.readPreimage(1, vh, 100 * 32)).toBe(p.value);
  }, 60_000);

  it('rejects index ≥ 4096 (BlobIndexOutOfRange)', async () => {
    const p = await blobElementProof(blob, 0);
    await reverts(oracle.loadBlobElement(vh, 4096, p), 'BlobIndexOutOfRange', [4096n]);
    await reverts(oracle.loadBlobElement(vh, 2n ** 255n, p), 'BlobIndexOutOfRange', [2n ** 255n]);
  }, 60_000);

  it('ensurePart refuses a blob that is not the versioned hash', async () => {
    await expect(oracle.ensurePart(1, vh, 64, otherBlob)).rejects.toThrow(PreimageMismatchError);
    await expect(oracle.ensurePart(1, vh, 64, new Uint8Array(10))).rejects.toThrow(/131072 bytes/);
  }, 60_000);
});
