import { commitmentToVersionedHash, hexToBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { encodeBlobs } from '../da/l1-blob/blob-codec.ts';
import {
  BLS_MODULUS,
  bitReverse12,
  blobElementProof,
  blobElementZ,
  commitBlob,
  loadKzg,
  ROOT_OF_UNITY_4096,
  verifyElementProof,
  versionedHash,
  viemKzg,
} from './kzg.ts';

const data = new Uint8Array(5000).map((_, i) => (i * 131 + 7) & 0xff);
const [blob] = encodeBlobs(data);

describe('kzg', () => {
  it('loads once and lazily', async () => {
    const t = performance.now();
    const a = await loadKzg();
    console.log(`kzg load ${(performance.now() - t).toFixed(0)} ms`);
    expect(await loadKzg()).toBe(a);
  });

  it('ω is a primitive 4096th root of unity (the EIP-4844 one)', () => {
    const pow = (b: bigint, e: number) => {
      let r = 1n;
      for (let i = 0; i < e; i++) r = (r * b) % BLS_MODULUS;
      return r;
    };
    expect(pow(ROOT_OF_UNITY_4096, 4096)).toBe(1n);
    expect(pow(ROOT_OF_UNITY_4096, 2048)).toBe(BLS_MODULUS - 1n);
    expect(ROOT_OF_UNITY_4096).toBe(
      39033254847818212395286706435128746857159659164139250548781411570340225835782n,
    );
    expect(bitReverse12(1)).toBe(2048);
    expect(bitReverse12(0xabc)).toBe(0x3d5);
    expect(blobElementZ(0)).toBe(1n);
    expect(blobElementZ(1)).toBe(BLS_MODULUS - 1n);
    expect(() => blobElementZ(4096)).toThrow(RangeError);
  });

  it('commits a blob: commitment, blob proof, versioned hash (= viem)', async () => {
    const t = performance.now();
    const c = await commitBlob(blob);
    console.log(`kzg commitment + blob proof ${(performance.now() - t).toFixed(0)} ms`);
    expect(c.commitment.length).toBe(48);
    expect(c.proof.length).toBe(48);
    expect(c.versionedHash).toBe(commitmentToVersionedHash({ commitment: c.commitment, to: 'hex' }));
    expect(versionedHash(c.commitment)).toBe(c.versionedHash);
    const kzg = await loadKzg();
    const hex = `0x${Buffer.from(blob).toString('hex')}`;
    const cHex = `0x${Buffer.from(c.commitment).toString('hex')}`;
    expect(kzg.verifyBlobProof(hex, cHex, `0x${Buffer.from(c.proof).toString('hex')}`)).toBe(true);
    const other = encodeBlobs(new Uint8Array(10))[0];
    expect((await commitBlob(other)).versionedHash).not.toBe(c.versionedHash);
  });

  it('proves single field elements (first, an inner one, the last) at z = ω^bitrev(i)', async () => {
    for (const index of [0, 37, 4095]) {
      const t = performance.now();
      const p = await blobElementProof(blob, index);
      if (index === 37) console.log(`kzg point proof ${(performance.now() - t).toFixed(0)} ms`);
      expect(p.value).toBe(`0x${Buffer.from(blob.subarray(index * 32, index * 32 + 32)).toString('hex')}`);
      expect(BigInt(p.z)).toBe(blobElementZ(index));
      expect(await verifyElementProof(p)).toBe(true);
      // the proof does not prove another value, nor the same value at another point
      const wrongValue = `0x${(BigInt(p.value) + 1n).toString(16).padStart(64, '0')}` as const;
      expect(await verifyElementProof({ ...p, value: wrongValue })).toBe(false);
      expect(
        await verifyElementProof({
          ...p,
          z: `0x${blobElementZ((index + 1) % 4096)
            .toString(16)
            .padStart(64, '0')}`,
        }),
      ).toBe(false);
    }
  });

  it('gives viem a Kzg whose output matches commitBlob', async () => {
    const kzg = await viemKzg();
    const c = await commitBlob(blob);
    const commitment = kzg.blobToKzgCommitment(blob);
    expect(commitment).toEqual(c.commitment);
    expect(kzg.computeBlobKzgProof(blob, commitment)).toEqual(c.proof);
    expect(() => kzg.blobToKzgCommitment(hexToBytes('0x00'))).toThrow(RangeError);
  });
});
