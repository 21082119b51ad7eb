/**
 * One part of a keccak preimage too large for one L1 transaction, loaded through the oracle's
 * large-preimage flow (contracts/osp/PreimageOracle.sol, docs/blob.md §4.1): `openLargePreimage`,
 * `absorbLargePreimage` per part of whole 136-byte blocks (keccak-f on chain, the sponge state kept
 * in storage between transactions), then `squeezeLargePreimage` with the padded tail, which checks
 * the hash and stores the chunk at the offset. Resumable: the proposal's id is derived from (hash,
 * offset, length), so a loader that stopped half-way continues where the chain says it stopped.
 */
import { encodeAbiParameters, keccak256 } from 'viem';
import { ModexError } from '../../core/errors.ts';
import type { Hash32 } from '../../core/types.ts';
import type { TxResult } from './inbox.ts';
import type { PreimageOracleClient } from './preimage-oracle.ts';

/** keccak256's rate: the sponge absorbs 136-byte blocks (docs/blob.md §4.1). */
export const KECCAK_RATE = 136;

/**
 * Blocks per `absorbLargePreimage` transaction by default: 288 blocks (39,168 bytes) take about
 * 14.8M gas, under EIP-7825's 2^24 = 16,777,216 per transaction with about 10 % to spare, and far
 * under geth's 128 KiB transaction size (docs/blob.md §4.1, measured in preimage-oracle-large.test.ts).
 */
export const LARGE_PREIMAGE_PART_BLOCKS = 288;
export const LARGE_PREIMAGE_PART_BYTES = LARGE_PREIMAGE_PART_BLOCKS * KECCAK_RATE;

/** EIP-7825 (Osaka): the most gas one transaction may use. */
export const TX_GAS_CAP = 2 ** 24;

/** A part size that is not a positive multiple of 136 bytes, or too large for one transaction. */
export class PreimagePartSizeError extends ModexError {
  constructor(message: string) {
    super('PREIMAGE_PART_SIZE', message);
  }
}

/** The oracle calls the large-preimage flow needs (PreimageOracleClient). */
export type LargePreimageOracle = Pick<
  PreimageOracleClient,
  'clients' | 'openLargePreimage' | 'absorbLargePreimage' | 'squeezeLargePreimage' | 'largePreimage'
>;

export interface LoadLargePreimageOptions {
  /** bytes per absorb transaction (default LARGE_PREIMAGE_PART_BYTES; a multiple of 136) */
  partBytes?: number;
  /** progress: one line per transaction */
  log?: (msg: string) => void;
}

/** The proposal id of (hash, offset, length): the same for a retry, so a loader resumes. */
export function largePreimageUuid(hash: Hash32, offset: number, length: number): bigint {
  return BigInt(
    keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'uint256' }],
        [hash, BigInt(offset), BigInt(length)],
      ),
    ),
  );
}

/** The absorb parts of a `length`-byte preimage: [start, end) ranges of whole blocks; the tail is the rest. */
export function largePreimageParts(
  length: number,
  partBytes = LARGE_PREIMAGE_PART_BYTES,
): { parts: [start: number, end: number][]; tail: [start: number, end: number] } {
  if (!Number.isInteger(partBytes) || partBytes <= 0 || partBytes % KECCAK_RATE !== 0)
    throw new PreimagePartSizeError(
      `a large-preimage part is whole ${KECCAK_RATE}-byte keccak blocks, not ${partBytes} bytes; use a positive multiple of ${KECCAK_RATE} (default ${LARGE_PREIMAGE_PART_BYTES})`,
    );
  const full = length - (length % KECCAK_RATE);
  const parts: [number, number][] = [];
  for (let s = 0; s < full; s += partBytes) parts.push([s, Math.min(s + partBytes, full)]);
  return { parts, tail: [full, length] };
}

/**
 * Makes `readPreimage(0, keccak256(preimage), offset)` answer by hashing `preimage` on chain in
 * parts (docs/blob.md §4.1); `offset` < length. Continues a proposal this account left open for the
 * same (hash, offset, length). Returns the squeeze transaction.
 */
export async function loadLargePreimage(
  oracle: LargePreimageOracle,
  hash: Hash32,
  preimage: Uint8Array,
  offset: number,
  opts: LoadLargePreimageOptions = {},
): Promise<TxResult> {
  const { parts, tail } = largePreimageParts(preimage.length, opts.partBytes);
  const log = opts.log ?? (() => {});
  const what = `keccak preimage ${hash.slice(0, 10)} (${preimage.length} bytes, part at ${offset})`;
  const owner = oracle.clients.walletClient.account.address;
  const uuid = largePreimageUuid(hash, offset, preimage.length);
  const st = await oracle.largePreimage(owner, uuid);
  let absorbed = 0;
  if (st.open) {
    absorbed = Number(st.absorbed);
    log(`${what}: resuming at ${absorbed} bytes absorbed`);
  } else {
    const tx = await oracle.openLargePreimage(uuid, offset, preimage.length);
    log(
      `${what}: opened, ${parts.length} parts of ≤ ${parts[0]?.[1] ?? 0} bytes and a ${tail[1] - tail[0]}-byte tail, ${tx.gasUsed} gas`,
    );
  }
  let gas = 0n;
  for (const [i, [start, end]] of parts.entries()) {
    if (end <= absorbed) continue;
    const tx = await oracle.absorbLargePreimage(uuid, start, preimage.subarray(start, end));
    gas += tx.gasUsed;
    log(
      `${what}: part ${i + 1}/${parts.length} absorbed, ${end}/${preimage.length} bytes, ${tx.gasUsed} gas`,
    );
  }
  const tx = await oracle.squeezeLargePreimage(uuid, preimage.subarray(tail[0]), hash);
  log(`${what}: squeezed, part stored, ${tx.gasUsed} gas (absorbing took ${gas} gas)`);
  return tx;
}
