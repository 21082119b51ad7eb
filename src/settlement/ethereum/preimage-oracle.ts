/**
 * viem binding of the preimage oracle (contracts/osp/PreimageOracle.sol, docs/blob.md §4): the
 * preimages a one-step proof's `preimage_read` needs, loaded on L1 before the proof is sent.
 * `ensurePart` is what a dispute agent calls: it loads exactly what `readPreimage(kind, hash,
 * offset)` needs (a whole small keccak preimage, one 32-byte part of a large one, or one blob field
 * element with its KZG proof), and nothing when it is already there.
 */
import { type Abi, type Address, bytesToHex, type Hex, hexToBytes, keccak256 } from 'viem';
import { ModexError } from '../../core/errors.ts';
import type { Hash32 } from '../../core/types.ts';
import { BYTES_PER_BLOB, blobElementProof, versionedHash as blobVersionedHash } from '../../crypto/kzg.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { ContractClient } from './contract-client.ts';
import { type DescribeRevert, registerRevertDescriptions } from './errors.ts';
import type { L1Clients, TxResult } from './inbox.ts';

/** Preimage kinds of `preimage_read` (docs/machine.md §6, docs/blob.md §3). */
export const PREIMAGE_KIND = { keccak: 0, blob: 1 } as const;

/** Keccak preimages up to this size are submitted whole (`submitPreimage`), larger ones by part. */
export const WHOLE_PREIMAGE_MAX_BYTES = 1024;

/** What each PreimageOracle.sol error means (codes `PREIMAGE_ORACLE_*`). */
export const PREIMAGE_ORACLE_ERRORS: Record<string, DescribeRevert> = {
  UnknownPreimage: ([kind, hash]) =>
    `no kind-${kind} preimage part of ${hash} at that offset is loaded; load it first (PreimageOracleClient.ensurePart)`,
  PartOffsetOutOfRange: ([offset, length]) =>
    `offset ${offset} is not inside the ${length}-byte preimage; a part starts before the end`,
  BlobIndexOutOfRange: ([index]) => `blob field element ${index} does not exist: a blob has elements 0..4095`,
  BadBlobProof: ([vh, index]) =>
    `the point-evaluation precompile rejected element ${index} of blob ${vh}: the value, commitment or ` +
    'KZG proof does not belong to that versioned hash (recompute them with blobElementProof from the blob itself)',
};
registerRevertDescriptions('PreimageOracle', PREIMAGE_ORACLE_ERRORS);

/** `ensurePart` was given bytes that are not the preimage of the hash. */
export class PreimageMismatchError extends ModexError {
  constructor(message: string) {
    super('PREIMAGE_MISMATCH', message);
  }
}

let abiPromise: Promise<Abi> | undefined;
const oracleAbi = () => {
  abiPromise ??= getArtifact('PreimageOracle').then((a) => a.abi);
  return abiPromise;
};

export class PreimageOracleClient extends ContractClient {
  static async at(clients: L1Clients, address: Address): Promise<PreimageOracleClient> {
    return new PreimageOracleClient(clients, address, await oracleAbi(), 'PreimageOracle');
  }

  /** The same contract, sending from another wallet. */
  as(clients: L1Clients): PreimageOracleClient {
    return new PreimageOracleClient(clients, this.address, this.abi, 'PreimageOracle');
  }

  /** Whether the whole keccak preimage was submitted. */
  isKnown(preimage: Uint8Array): Promise<boolean> {
    return this.read('isKnown', [PREIMAGE_KIND.keccak, keccak256(preimage)]);
  }

  /** Stores a whole keccak preimage (about 20k gas per 32 bytes). */
  submit(preimage: Uint8Array): Promise<TxResult> {
    return this.send('submitPreimage', [bytesToHex(preimage)]);
  }

  /** Whether `readPreimage(kind, hash, offset)` answers. */
  isPartKnown(kind: number, hash: Hash32, offset: number | bigint): Promise<boolean> {
    return this.read('isPartKnown', [kind, hash, BigInt(offset)]);
  }

  /** What the one-step prover reads: the chunk at `offset` (reverts UnknownPreimage when not loaded). */
  readPreimage(kind: number, hash: Hash32, offset: number | bigint): Promise<Hex> {
    return this.read('readPreimage', [kind, hash, BigInt(offset)]);
  }

  /** Stores the ≤ 32-byte chunk of `preimage` at `offset` and its length (kind 0). */
  loadKeccakPart(preimage: Uint8Array, offset: number | bigint): Promise<TxResult> {
    return this.send('loadKeccakPart', [bytesToHex(preimage), BigInt(offset)]);
  }

  /** Stores blob field element `index` of `versionedHash` once the precompile accepts its proof (kind 1). */
  loadBlobElement(
    versionedHash: Hash32,
    index: number | bigint,
    p: { value: Hex; commitment: Hex; proof: Hex },
  ): Promise<TxResult> {
    return this.send('loadBlobElement', [versionedHash, BigInt(index), p.value, p.commitment, p.proof]);
  }

  /**
   * Makes `readPreimage(kind, hash, offset)` answer on L1: kind 0 submits `preimage` whole when it
   * is ≤ 1 KB, else loads the part at `offset` (at 0 when `offset` is past the end: only the length
   * is needed); kind 1 loads the blob element containing `offset` with its KZG proof (`preimage` is
   * the 131,072-byte blob). Idempotent: returns undefined when the part is already known, else the
   * transaction hash. Throws PREIMAGE_MISMATCH when `preimage` does not hash to `hash`.
   */
  async ensurePart(
    kind: number,
    hash: Hash32,
    offset: number,
    preimage: Uint8Array,
  ): Promise<Hex | undefined> {
    if (await this.isPartKnown(kind, hash, offset)) return undefined;
    if (kind === PREIMAGE_KIND.keccak) {
      if (keccak256(preimage) !== hash.toLowerCase())
        throw new PreimageMismatchError(
          `the ${preimage.length} bytes given are not the keccak256 preimage of ${hash}`,
        );
      if (preimage.length <= WHOLE_PREIMAGE_MAX_BYTES) return (await this.submit(preimage)).txHash;
      return (await this.loadKeccakPart(preimage, offset < preimage.length ? offset : 0)).txHash;
    }
    if (kind === PREIMAGE_KIND.blob) {
      if (preimage.length !== BYTES_PER_BLOB)
        throw new PreimageMismatchError(`a blob preimage is ${BYTES_PER_BLOB} bytes, not ${preimage.length}`);
      const index = Math.floor(offset / 32);
      const p = await blobElementProof(preimage, index);
      if (blobVersionedHash(hexToBytes(p.commitment)) !== hash.toLowerCase())
        throw new PreimageMismatchError(`the blob given is not the blob with versioned hash ${hash}`);
      return (await this.loadBlobElement(hash, index, p)).txHash;
    }
    throw new PreimageMismatchError(
      `preimage kind ${kind} is not loadable on L1 (kinds: 0 keccak256, 1 blob)`,
    );
  }
}
