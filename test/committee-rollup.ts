/**
 * Shared fixture of the Rollup tests that use a validator committee in its committee slot
 * (src/settlement/ethereum/rollup-attested.test.ts, rollup-hybrid.test.ts): the committee's
 * parameters, deterministic BLS keys, made-up end states, the registration of every key until an
 * epoch is sealed, and a quorum's attestation of an assertion.
 */
import { bytesToHex, type Hex, numberToHex } from 'viem';
import { buildAttestation, encodeAttestation } from '../src/attest/attestation.ts';
import { attestationDigest, signAttestation } from '../src/attest/message.ts';
import { type BlsKeyPair, blsKeyFromSeed, proofOfPossession } from '../src/crypto/bls.ts';
import type { L1 } from '../src/l1/anvil.ts';
import {
  type AssertionData,
  assertionId,
  type SolGlobalState,
} from '../src/settlement/ethereum/dispute-hash.ts';
import type {
  CommitteeParams,
  EpochInfo,
  ValidatorCommitteeClient,
} from '../src/settlement/ethereum/validator-committee.ts';

/** k = 3, h = 2 (quorum 2), epochs of 4 L1 blocks */
export const COMMITTEE_PARAMS: CommitteeParams = {
  activeSize: 3,
  assumedHonest: 2,
  epochBlocks: 4,
  stake: 10n ** 18n,
  entryDelayEpochs: 2,
  exitDelayEpochs: 2,
  withdrawalDelayEpochs: 2,
  slashRewardPercent: 50,
};

/** `n` BLS key pairs from seeds `tag ‖ i` */
export function committeeKeys(tag: number, n = 3): BlsKeyPair[] {
  return Array.from({ length: n }, (_, i) => {
    const seed = new Uint8Array(32);
    seed[0] = tag;
    seed[1] = i;
    return blsKeyFromSeed(seed);
  });
}

export const word = (n: number): Hex => numberToHex(BigInt(n), { size: 32 });

/** a made-up end state numbered `n` at `inboxPosition` */
export const endState = (n: number, inboxPosition: bigint): SolGlobalState => ({
  stateRoot: word(0x5700 + n),
  sendRoot: word(0x5e00 + n),
  inboxPosition,
  positionInMessage: 0n,
});

/** Registers every key, waits until they are eligible and seals that epoch; returns it. */
export async function registerAndSeal(
  l1: L1,
  vc: ValidatorCommitteeClient,
  kp: BlsKeyPair[],
  p: CommitteeParams = COMMITTEE_PARAMS,
): Promise<EpochInfo> {
  for (const k of kp)
    await vc.register(bytesToHex(k.publicKey), bytesToHex(proofOfPossession(k.secretKey)), p.stake);
  const eligible = (await vc.currentEpoch()) + BigInt(p.entryDelayEpochs);
  while ((await vc.currentEpoch()) < eligible) await l1.testClient.mine({ blocks: 1 });
  await vc.sealEpoch(eligible);
  return (await vc.epoch(eligible)) as EpochInfo;
}

/** The attestation of `a` by the members at `positions` of sealed epoch `ep` (threshold 0: any count). */
export function attestationOf(
  l1: L1,
  vc: ValidatorCommitteeClient,
  ep: EpochInfo,
  kp: BlsKeyPair[],
  a: AssertionData,
  positions: number[],
): Hex {
  const digest = attestationDigest({
    chainId: BigInt(l1.chainId),
    committee: vc.address,
    epoch: ep.epoch,
    prevId: a.prevId,
    assertionId: assertionId(a),
  });
  return encodeAttestation(
    buildAttestation({
      epoch: ep.epoch,
      members: ep.members,
      memberKeys: ep.members.map((m) => kp[m].publicKey),
      signatures: new Map(positions.map((p) => [p, signAttestation(kp[ep.members[p]].secretKey, digest)])),
      threshold: 0,
    }),
  );
}
