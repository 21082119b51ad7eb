/**
 * viem binding of the preimage oracle (contracts/osp/PreimageOracle.sol, docs/blob.md §4): the
 * preimages a one-step proof's `preimage_read` needs, loaded on L1 before the proof is sent.
 * `ensurePart` is what a dispute agent calls: it loads exactly what `readPreimage(kind, hash,
 * offset)` needs (a whole small keccak preimage, one 32-byte part of a large one, one blob field
 * element with its KZG proof, or a precompile's result that L1 computes itself), and nothing when it
 * is already there. A keccak preimage too large for
 * one transaction goes through the large-preimage flow (preimage-oracle-large.ts, docs/blob.md §4.1).
 */
import { type Abi, type Address, bytesToHex, type Hex, hexToBytes, keccak256 } from 'viem';
import { ModexError } from '../../core/errors.ts';
import type { Hash32 } from '../../core/types.ts';
import { BYTES_PER_BLOB, blobElementProof, versionedHash as blobVersionedHash } from '../../crypto/kzg.ts';
import { isOraclePrecompile } from '../../crypto/precompiles.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { ContractClient } from './contract-client.ts';
import { type DescribeRevert, registerRevertDescriptions } from './errors.ts';
import type { L1Clients, TxResult } from './inbox.ts';
import { type LoadLargePreimageOptions, loadLargePreimage } from './preimage-oracle-large.ts';

/** Preimage kinds of `preimage_read` (docs/machine.md §6, §6.3, docs/blob.md §3). */
export const PREIMAGE_KIND = { keccak: 0, blob: 1, precompile: 2 } as const;

/** Keccak preimages up to this size are submitted whole (`submitPreimage`), larger ones by part. */
export const WHOLE_PREIMAGE_MAX_BYTES = 1024;

/**
 * Keccak preimages up to this size load a part in one `loadKeccakPart` transaction (about 40 gas
 * per byte: 4.8M gas and under 128 KiB for 120,000 bytes); larger ones through the large-preimage
 * flow in parts (docs/blob.md §4.1).
 */
export const SINGLE_TX_PART_MAX_BYTES = 120_000;

/** What each PreimageOracle.sol error means (codes `PREIMAGE_ORACLE_*`). */
export const PREIMAGE_ORACLE_ERRORS: Record<string, DescribeRevert> = {
  UnknownPreimage: ([kind, hash]) =>
    `no kind-${kind} preimage part of ${hash} at that offset is loaded; load it first (PreimageOracleClient.ensurePart)`,
  PartOffsetOutOfRange: ([offset, length]) =>
    `offset ${offset} is not inside the ${length}-byte preimage; a part starts before the end`,
  LargePreimageExists: ([owner, uuid]) =>
    `${owner} already has an open large-preimage proposal ${uuid}; continue it (absorbLargePreimage from its absorbed count) or use another uuid`,
  UnknownLargePreimage: ([owner, uuid]) =>
    `${owner} has no open large-preimage proposal ${uuid}; openLargePreimage first (only the account that opened it may absorb)`,
  LargePreimagePartMisaligned: ([length]) =>
    `a ${length}-byte part: absorbLargePreimage takes whole 136-byte blocks (at least one), squeezeLargePreimage the last < 136 bytes`,
  LargePreimagePartOutOfOrder: ([expected, start]) =>
    `the part starts at byte ${start} but ${expected} bytes are absorbed; send the part that starts at ${expected}`,
  LargePreimageOverrun: ([end, length]) =>
    `the part would end at byte ${end}, past the declared length ${length}; the last < 136 bytes go to squeezeLargePreimage`,
  LargePreimageIncomplete: ([end, length]) =>
    `the absorbed bytes and the tail end at ${end}, not at the declared length ${length}; absorb the missing parts first`,
  LargePreimageHashMismatch: ([key, hash]) =>
    `the absorbed bytes hash to ${hash}, not to ${key}: a part was wrong or out of order, or the key is wrong; open a new proposal and absorb the right bytes`,
  BlobIndexOutOfRange: ([index]) => `blob field element ${index} does not exist: a blob has elements 0..4095`,
  UnsupportedPrecompile: ([id]) =>
    `precompile ${id} has no kind-2 preimages: the oracle calls 0x06, 0x07, 0x08 and 0x0a only (docs/machine.md §6.3)`,
  NotEnoughGasForPrecompile: ([needed, left]) =>
    `the precompile call needs ${needed} gas left at the call but ${left} were: send the transaction with more gas (estimateGas finds it)`,
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

  /** Opens a large-preimage proposal of this account (docs/blob.md §4.1) keeping the chunk at `offset`. */
  openLargePreimage(uuid: bigint, offset: number | bigint, length: number | bigint): Promise<TxResult> {
    return this.send('openLargePreimage', [uuid, BigInt(offset), BigInt(length)]);
  }

  /** Absorbs preimage bytes [start, start + data.length) (whole 136-byte blocks) into proposal `uuid`. */
  absorbLargePreimage(uuid: bigint, start: number | bigint, data: Uint8Array): Promise<TxResult> {
    return this.send('absorbLargePreimage', [uuid, BigInt(start), bytesToHex(data)]);
  }

  /** Absorbs the last < 136 bytes, checks the hash is `key`, stores the part and closes the proposal. */
  squeezeLargePreimage(uuid: bigint, tail: Uint8Array, key: Hash32): Promise<TxResult> {
    return this.send('squeezeLargePreimage', [uuid, bytesToHex(tail), key]);
  }

  /** Proposal (`owner`, `uuid`): declared length, bytes absorbed, the offset kept, whether it is open. */
  async largePreimage(
    owner: Address,
    uuid: bigint,
  ): Promise<{ length: bigint; absorbed: bigint; offset: bigint; open: boolean }> {
    const [length, absorbed, offset, open] = await this.read<[bigint, bigint, bigint, boolean]>(
      'largePreimage',
      [owner, uuid],
    );
    return { length, absorbed, offset, open };
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
   * Calls precompile `id` on `input` on L1 and stores `status ‖ output` as the kind-2 preimage of
   * keccak256(address ‖ input) (docs/machine.md §6.3).
   */
  loadPrecompilePreimage(id: number, input: Uint8Array): Promise<TxResult> {
    return this.send('loadPrecompilePreimage', [id, bytesToHex(input)]);
  }

  /**
   * Makes `readPreimage(kind, hash, offset)` answer on L1: kind 0 submits `preimage` whole when it
   * is ≤ 1 KB, else loads the part at `offset` (at 0 when `offset` is past the end: only the length
   * is needed), in one transaction up to 120,000 bytes and through the large-preimage flow above
   * (`opts.log` gets its progress); kind 1 loads the blob element containing `offset` with its KZG
   * proof (`preimage` is the 131,072-byte blob); kind 2 has L1 call the precompile
   * (`preimage` is the key's keccak preimage `address ‖ input`, docs/machine.md §6.3). Idempotent: returns undefined when the part is
   * already known, else the (last) transaction's hash. Throws PREIMAGE_MISMATCH when `preimage` does
   * not hash to `hash`.
   */
  async ensurePart(
    kind: number,
    hash: Hash32,
    offset: number,
    preimage: Uint8Array,
    opts: LoadLargePreimageOptions = {},
  ): Promise<Hex | undefined> {
    if (await this.isPartKnown(kind, hash, offset)) return undefined;
    if (kind === PREIMAGE_KIND.keccak) {
      if (keccak256(preimage) !== hash.toLowerCase())
        throw new PreimageMismatchError(
          `the ${preimage.length} bytes given are not the keccak256 preimage of ${hash}`,
        );
      if (preimage.length <= WHOLE_PREIMAGE_MAX_BYTES) return (await this.submit(preimage)).txHash;
      const at = offset < preimage.length ? offset : 0;
      if (preimage.length <= SINGLE_TX_PART_MAX_BYTES)
        return (await this.loadKeccakPart(preimage, at)).txHash;
      return (await loadLargePreimage(this, hash, preimage, at, opts)).txHash;
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
    if (kind === PREIMAGE_KIND.precompile) {
      if (keccak256(preimage) !== hash.toLowerCase())
        throw new PreimageMismatchError(
          `the ${preimage.length} bytes given are not the key preimage (address ‖ input) of ${hash}`,
        );
      const id = preimage[19];
      if (preimage.length < 20 || preimage.subarray(0, 19).some((b) => b !== 0) || !isOraclePrecompile(id))
        throw new PreimageMismatchError(
          `the key preimage of ${hash} does not start with the address of 0x06, 0x07, 0x08 or 0x0a (docs/machine.md §6.3)`,
        );
      return (await this.loadPrecompilePreimage(id, preimage.subarray(20))).txHash;
    }
    throw new PreimageMismatchError(
      `preimage kind ${kind} is not loadable on L1 (kinds: 0 keccak256, 1 blob, 2 precompile result)`,
    );
  }
}
