/**
 * A real blob transaction on anvil (prague) with the fields of blobTxParams: the contract sees the
 * pointer's versioned hashes, the receipt charges 131,072 blob gas per blob, and both blob sources
 * read the blobs back.
 */

import { type Abi, type Address, encodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sparseBatch } from '../../../test/blob-test-data.ts';
import { commitBlob, viemKzg } from '../../crypto/kzg.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { DaInvalidPointerError } from '../errors.ts';
import { encodeBlobs } from './blob-codec.ts';
import { BeaconBlobSource, RpcBlobSource } from './blob-source.ts';
import { blobTxParams, GAS_PER_BLOB, sidecarKzg, suggestMaxFeePerBlobGas } from './blob-tx.ts';
import { L1BlobDa } from './l1-blob.ts';

let l1: L1;
let abi: Abi;
let target: Address;
const da = new L1BlobDa();
const sent: { blockNumber: bigint; blobs: Uint8Array[]; hashes: Hex[] }[] = [];

beforeAll(async () => {
  l1 = await startAnvil();
  const art = await getArtifact('TestBlobHashes');
  abi = art.abi;
  target = (await deploy(l1, art)).address;
}, 120_000);

afterAll(async () => {
  await l1?.stop();
});

const bytes = (n: number, seed: number) =>
  new Uint8Array(n).map((_, i) => (i * 131 + seed + (i >> 9)) & 0xff);

const sparse = sparseBatch;

async function sendBlobs(data: Uint8Array) {
  const stored = await da.store(data);
  const t = performance.now();
  const params = await blobTxParams(l1.publicClient, stored.pointer);
  const hash = await l1.walletClient.sendTransaction({
    to: target,
    data: encodeFunctionData({ abi, functionName: 'record' }),
    ...params,
  } as Parameters<L1['walletClient']['sendTransaction']>[0]);
  const sendMs = performance.now() - t;
  const receipt = await l1.publicClient.waitForTransactionReceipt({ hash });
  const p = stored.pointer as Extract<typeof stored.pointer, { kind: 'blob' }>;
  return { p, receipt, hash, sendMs };
}

describe('blob transactions (type 3) with blobTxParams', () => {
  it('suggests twice the blob base fee', async () => {
    const base = await l1.publicClient.getBlobBaseFee();
    expect(await suggestMaxFeePerBlobGas(l1.publicClient)).toBe(base * 2n);
    expect(await suggestMaxFeePerBlobGas({ getBlobBaseFee: async () => 0n }, 5n)).toBe(5n);
  });

  it('sends 1 and 6 blobs: the contract sees the pointer versioned hashes; blob gas 131,072 per blob', async () => {
    for (const n of [1000, 700_000]) {
      const data = sparse(n);
      const { p, receipt, sendMs } = await sendBlobs(data);
      const k = p.versionedHashes.length;
      expect(k).toBe(n === 1000 ? 1 : 6);
      expect(receipt.status).toBe('success');
      expect(receipt.blobGasUsed).toBe(GAS_PER_BLOB * BigInt(k));
      const onChain = await Promise.all(
        p.versionedHashes.map((_, i) =>
          l1.publicClient.readContract({ address: target, abi, functionName: 'hashes', args: [BigInt(i)] }),
        ),
      );
      expect(onChain).toEqual(p.versionedHashes);
      expect(await l1.publicClient.readContract({ address: target, abi, functionName: 'count' })).toBe(
        BigInt(k),
      );
      console.log(
        `blob tx ${k} blob(s): execution gas ${receipt.gasUsed}, blob gas ${receipt.blobGasUsed}, ` +
          `blob bytes ${k * 131_072}, params+send ${sendMs.toFixed(0)} ms`,
      );
      sent.push({
        blockNumber: receipt.blockNumber,
        blobs: p.sidecars?.blobs ?? [],
        hashes: p.versionedHashes,
      });
    }
  }, 120_000);

  it('reads the blobs back through anvil_getBlobByHash and the beacon API', async () => {
    const rpc = new RpcBlobSource(l1.publicClient);
    const beacon = new BeaconBlobSource({ beaconUrl: l1.rpcUrl });
    for (const s of sent) {
      const reversed = [...s.hashes].reverse();
      expect(await rpc.getBlobs(reversed)).toEqual([...s.blobs].reverse());
      expect(await beacon.getBlobs(reversed, { l1BlockNumber: s.blockNumber })).toEqual(
        [...s.blobs].reverse(),
      );
    }
  });

  it('blob sources answer undefined for what they do not have', async () => {
    const unknown = `0x01${'ab'.repeat(31)}` as Hex;
    const [s] = sent;
    const rpc = new RpcBlobSource(l1.publicClient);
    const beacon = new BeaconBlobSource({ beaconUrl: l1.rpcUrl });
    expect(await rpc.getBlobs([unknown, s.hashes[0]])).toEqual([undefined, s.blobs[0]]);
    expect(await beacon.getBlobs([unknown], { l1BlockNumber: s.blockNumber })).toEqual([undefined]);
    // no hint: the beacon API needs a block id
    expect(await beacon.getBlobs([s.hashes[0]])).toEqual([undefined]);
    // the right hash in another block
    expect(await beacon.getBlobs([s.hashes[0]], { l1BlockNumber: s.blockNumber - 1n })).toEqual([undefined]);
    // a block that does not exist yet
    expect(await beacon.getBlobs([s.hashes[0]], { l1BlockNumber: 10_000n })).toEqual([undefined]);
  });

  it('the node refuses a blob transaction whose maxFeePerBlobGas is under the blob base fee', async () => {
    const { pointer } = await da.store(bytes(10, 1));
    const params = await blobTxParams(l1.publicClient, pointer, { maxFeePerBlobGas: 0n });
    await expect(
      l1.walletClient.sendTransaction({ to: target, ...params } as Parameters<
        L1['walletClient']['sendTransaction']
      >[0]),
    ).rejects.toThrow(/blob|fee/i);
  });

  it('sidecarKzg answers from the sidecars and falls back for other blobs', async () => {
    const [blob, other] = [encodeBlobs(bytes(5, 1))[0], encodeBlobs(bytes(5, 2))[0]];
    const c = await commitBlob(blob);
    let fallbackCalls = 0;
    const real = await viemKzg();
    const kzg = sidecarKzg(
      { blobs: [blob], commitments: [c.commitment], proofs: [c.proof] },
      {
        blobToKzgCommitment: (b) => {
          fallbackCalls++;
          return real.blobToKzgCommitment(b);
        },
        computeBlobKzgProof: (b, cm) => {
          fallbackCalls++;
          return real.computeBlobKzgProof(b, cm);
        },
      },
    );
    expect(kzg.blobToKzgCommitment(blob.slice())).toBe(c.commitment);
    expect(kzg.computeBlobKzgProof(blob.slice(), c.commitment)).toBe(c.proof);
    expect(fallbackCalls).toBe(0);
    expect(kzg.blobToKzgCommitment(other)).toEqual((await commitBlob(other)).commitment);
    expect(fallbackCalls).toBe(1);
  });

  it('refuses a pointer without blobs', async () => {
    await expect(
      blobTxParams(l1.publicClient, { kind: 'blob', versionedHashes: [`0x01${'00'.repeat(31)}`] }),
    ).rejects.toThrow(DaInvalidPointerError);
    await expect(
      blobTxParams(l1.publicClient, { kind: 'calldata', data: new Uint8Array(1) }),
    ).rejects.toThrow(DaInvalidPointerError);
  });
});
