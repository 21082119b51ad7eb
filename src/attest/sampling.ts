/**
 * The active committee of an epoch, as `ValidatorCommittee.sealEpoch` samples it on L1
 * (docs/attested.md §2): the same function, so anyone can check a committee, and a node knows
 * when its members are active.
 */
import { encodeAbiParameters, type Hex, hexToBigInt, keccak256 } from 'viem';
import { AttestationError } from './errors.ts';

const abi = (types: string[], values: unknown[]) =>
  encodeAbiParameters(
    types.map((type) => ({ type })),
    values,
  );

/** §2.1: the value `checkpoint()` records in epoch `epoch` from the block's prevrandao. */
export function randaoValue(prevrandao: bigint, epoch: bigint): Hex {
  return keccak256(abi(['uint256', 'uint64'], [prevrandao, epoch]));
}

/** §2.1: seed(e) = keccak256(abi.encode(randao[f], e)). */
export function epochSeed(randao: Hex, epoch: bigint): Hex {
  return keccak256(abi(['bytes32', 'uint64'], [randao, epoch]));
}

/**
 * §2.1: the checkpoint epoch f a seal of `epoch` uses: the newest of `checkpoints` (epochs with
 * recorded randomness, any order) with f + 2 ≤ epoch; undefined when there is none.
 */
export function seedCheckpoint(checkpoints: readonly bigint[], epoch: bigint): bigint | undefined {
  let best: bigint | undefined;
  for (const f of checkpoints) if (f + 2n <= epoch && (best === undefined || f > best)) best = f;
  return best;
}

/** What eligibility depends on (docs/attested.md §1.4). */
export interface ValidatorTimes {
  activeFrom: bigint;
  /** 0: not exiting */
  exitAt: bigint;
  slashed: boolean;
}

/** §1.4: eligible in `epoch` (slashed: as of the seal). */
export function isEligible(v: ValidatorTimes, epoch: bigint): boolean {
  return v.activeFrom <= epoch && (v.exitAt === 0n || epoch < v.exitAt) && !v.slashed;
}

/** §1.1: signers a quorum needs among `size` members when `assumedHonest` are assumed honest. */
export function thresholdOf(size: number, assumedHonest: number): number {
  if (
    !Number.isInteger(size) ||
    !Number.isInteger(assumedHonest) ||
    assumedHonest < 1 ||
    size < assumedHonest
  )
    throw new AttestationError(
      'ATTEST_BAD_INPUT',
      `a committee of ${size} cannot assume ${assumedHonest} honest members (need 1 ≤ assumedHonest ≤ size)`,
    );
  return size - assumedHonest + 1;
}

/**
 * §2.2: the committee of `activeSize` members (fewer when fewer are eligible) drawn from `eligible`
 * (validator indices, ascending) with `seed` by a partial Fisher–Yates shuffle, in draw order.
 */
export function sampleCommittee(seed: Hex, eligible: readonly number[], activeSize: number): number[] {
  for (let i = 1; i < eligible.length; i++)
    if (eligible[i] <= eligible[i - 1])
      throw new AttestationError('ATTEST_BAD_INPUT', 'eligible validators must be listed strictly ascending');
  const list = [...eligible];
  const m = list.length;
  const k = Math.min(activeSize, m);
  for (let j = 0; j < k; j++) {
    const r = Number(hexToBigInt(keccak256(abi(['bytes32', 'uint256'], [seed, BigInt(j)]))) % BigInt(m - j));
    [list[j], list[j + r]] = [list[j + r], list[j]];
  }
  return list.slice(0, k);
}
