/**
 * L1 gas of the attested path (docs/attested.md §2.2, §4), shared by `modex bench attested` and the
 * gas test (src/settlement/ethereum/validator-committee-gas.test.ts): a fresh settlement with a
 * validator committee of `activeSize` k (h assumed honest) over n registered validators; three
 * assertions g → a1 → a2 → a3; `sealEpoch`; `verifyAttestation` (eth_estimateGas: total, calldata,
 * execution) and `Rollup.confirmAttested` with 0 non-signers (a1) and h − 1 (a2); and a3 confirmed by
 * time (`confirmAssertion`) for comparison.
 */
import { bytesToHex, type Hex } from 'viem';
import { buildAttestation, encodeAttestation } from '../src/attest/attestation.ts';
import { attestationDigest, signAttestation } from '../src/attest/message.ts';
import { type BlsKeyPair, blsKeyFromSeed, proofOfPossession } from '../src/crypto/bls.ts';
import type { L1 } from '../src/l1/anvil.ts';
import { moduleFieldsHex } from '../src/proof/fraud/claim.ts';
import { deploySettlement } from '../src/settlement/ethereum/deploy-settlement.ts';
import { type AssertionData, assertionId, toSolState } from '../src/settlement/ethereum/dispute-hash.ts';
import { walletFor } from '../src/settlement/ethereum/inbox.ts';
import type { EpochInfo, ValidatorCommitteeClient } from '../src/settlement/ethereum/validator-committee.ts';
import { endState, word } from '../test/committee-rollup.ts';
import { disputeTestGenesis, disputeTestPayload, disputeTestProgram } from '../test/test-stf.ts';

export interface AttestedGas {
  /** active committee size k, assumed honest h, registered validators n */
  k: number;
  h: number;
  n: number;
  /** `sealEpoch` of an epoch (n eligibility reads, k keys) */
  seal: bigint;
  /** per attestation: 0 non-signers, then h − 1 */
  verify: { nonSigners: number; total: bigint; calldata: bigint; execution: bigint; confirm: bigint }[];
  /** `confirmAssertion` of an unattested assertion after the challenge period */
  confirmByTime: bigint;
}

/** n deterministic validator keys and their proofs of possession (the slow part: make them once). */
export function gasValidatorKeys(n: number): { keys: BlsKeyPair[]; pops: Hex[] } {
  const keys = Array.from({ length: n }, (_, i) => {
    const seed = new Uint8Array(32);
    seed[0] = 0x9a;
    seed[1] = i;
    return blsKeyFromSeed(seed);
  });
  return { keys, pops: keys.map((k) => bytesToHex(proofOfPossession(k.secretKey))) };
}

const EPOCH_BLOCKS = 4n;

/** Measures one committee size on `l1` (an anvil with ≥ 10 funded accounts, Prague). */
export async function measureAttestedGas(
  l1: L1,
  o: { k: number; h: number; keys: BlsKeyPair[]; pops: Hex[] },
): Promise<AttestedGas> {
  const { k, h, keys, pops } = o;
  const n = keys.length;
  const s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(disputeTestProgram()),
    genesis: toSolState(disputeTestGenesis()),
    params: { heights: [3, 3, 7], challengePeriod: 100n, assertionBond: 10n ** 18n, edgeBond: 10n ** 17n },
    attested: {
      activeSize: k,
      assumedHonest: h,
      epochBlocks: Number(EPOCH_BLOCKS),
      stake: 10n ** 18n,
      entryDelayEpochs: 2,
      exitDelayEpochs: 2,
      withdrawalDelayEpochs: 2,
      slashRewardPercent: 50,
    },
  });
  const vc = s.committee as ValidatorCommitteeClient;
  const as = (i: number) => ({
    publicClient: l1.publicClient,
    walletClient: walletFor(l1, l1.accounts[i].account),
  });
  // three assertions g → a1 → a2 → a3: two to confirm by attestation, one by time
  let posted = 0;
  const post = () => s.inbox.postBatch(disputeTestPayload(posted++));
  await post();
  await post();
  const g = (await s.rollup.assertions(s.deployBlock))[0].data;
  const r = s.rollup.as(as(1));
  const a1 = (await r.createAssertion(g, endState(1, 1n), word(1), 10n ** 18n)).data;
  const a2 = (await r.createAssertion(a1, endState(2, a1.nextInboxPosition), word(2))).data;
  await post();
  const a3 = (await r.createAssertion(a2, endState(3, a2.nextInboxPosition), word(3))).data;

  // n validators, registered from 10 accounts at once
  await Promise.all(
    Array.from({ length: 10 }, async (_, acct) => {
      const c = vc.as(as(acct));
      for (let i = acct; i < n; i += 10) await c.register(bytesToHex(keys[i].publicKey), pops[i], 10n ** 18n);
    }),
  );
  const vs = await vc.validators();
  // concurrent registrations: indices in arrival order
  const byKey = new Map(keys.map((kp) => [bytesToHex(kp.publicKey), kp]));
  const keyOf = (index: number) => byKey.get(vs[index].publicKey) as BlsKeyPair;
  let e = 0n;
  for (const v of vs) if (v.activeFrom > e) e = v.activeFrom;
  const start = await vc.startBlock();
  const latest = await l1.publicClient.getBlockNumber();
  const first = start + e * EPOCH_BLOCKS;
  if (first - latest - 1n > 0n) await l1.testClient.mine({ blocks: Number(first - latest - 1n) });
  const seal = (await vc.sealEpoch(e)).gasUsed;
  const ep = (await vc.epoch(e)) as EpochInfo;
  if (ep.members.length !== Math.min(k, n))
    throw new Error(`epoch ${e} sealed ${ep.members.length} members, expected ${Math.min(k, n)}`);

  const attest = (a: AssertionData, nonSigners: number) => {
    const id = assertionId(a);
    const digest = attestationDigest({
      chainId: BigInt(l1.chainId),
      committee: vc.address,
      epoch: e,
      prevId: a.prevId,
      assertionId: id,
    });
    const positions = Array.from({ length: ep.members.length - nonSigners }, (_, i) => i + nonSigners);
    return encodeAttestation(
      buildAttestation({
        epoch: e,
        members: ep.members,
        memberKeys: ep.members.map((m) => keyOf(m).publicKey),
        signatures: new Map(
          positions.map((p) => [p, signAttestation(keyOf(ep.members[p]).secretKey, digest)]),
        ),
        threshold: ep.threshold,
      }),
    );
  };
  const verify: AttestedGas['verify'] = [];
  for (const [a, c] of [
    [a1, 0],
    [a2, h - 1],
  ] as const) {
    const att = attest(a, c);
    const gas = await vc.attestationGas(a.prevId, assertionId(a), att);
    const confirm = (await r.confirmAttested(a, att)).gasUsed;
    verify.push({ nonSigners: c, ...gas, confirm });
  }
  await l1.testClient.increaseTime({ seconds: 101 });
  await l1.testClient.mine({ blocks: 1 });
  const confirmByTime = (await r.confirmAssertion(a3)).gasUsed;
  return { k, h, n, seal, verify, confirmByTime };
}
