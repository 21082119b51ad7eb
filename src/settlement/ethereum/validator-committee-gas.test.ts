/**
 * Gas of the attested path on anvil (docs/attested.md §2.2, §4): for committees of k = 20, 50 and
 * 100 members (h = k / 10) sampled from n = 100 registered validators, `sealEpoch`, the
 * `verifyAttestation` check (eth_estimateGas: total, calldata, execution) with 0 and h − 1
 * non-signers, `Rollup.confirmAttested` mined, and `confirmAssertion` by time for comparison. Prints
 * the table docs/attested.md quotes, and holds the check to the target: ≤ 150,000 gas of
 * execution for 20 members.
 */
import { bytesToHex, type Hex, numberToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeTestGenesis, disputeTestPayload, disputeTestProgram } from '../../../test/test-stf.ts';
import { buildAttestation, encodeAttestation } from '../../attest/attestation.ts';
import { attestationDigest, signAttestation } from '../../attest/message.ts';
import { type BlsKeyPair, blsKeyFromSeed, proofOfPossession } from '../../crypto/bls.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { moduleFieldsHex } from '../../proof/fraud/claim.ts';
import { deploySettlement } from './deploy-settlement.ts';
import { type AssertionData, assertionId, type SolGlobalState, toSolState } from './dispute-hash.ts';
import { walletFor } from './inbox.ts';
import type { EpochInfo, ValidatorCommitteeClient } from './validator-committee.ts';

const N = 100;
const E = 4n;
const word = (n: number): Hex => numberToHex(BigInt(n), { size: 32 });
const end = (n: number, inboxPosition: bigint): SolGlobalState => ({
  stateRoot: word(0x5700 + n),
  sendRoot: word(0x5e00 + n),
  inboxPosition,
  positionInMessage: 0n,
});

let l1: L1;
let keys: BlsKeyPair[];
let pops: Hex[];
const lines: string[] = [];

beforeAll(async () => {
  l1 = await startAnvil();
  keys = Array.from({ length: N }, (_, i) => {
    const seed = new Uint8Array(32);
    seed[0] = 0x9a;
    seed[1] = i;
    return blsKeyFromSeed(seed);
  });
  pops = keys.map((k) => bytesToHex(proofOfPossession(k.secretKey)));
}, 60_000);

afterAll(async () => {
  await l1?.stop();
  console.log(lines.join('\n'));
});

interface Measured {
  seal: bigint;
  verify: { nonSigners: number; total: bigint; calldata: bigint; execution: bigint; confirm: bigint }[];
  confirmByTime: bigint;
}

async function measure(k: number, h: number): Promise<Measured> {
  const s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(disputeTestProgram()),
    genesis: toSolState(disputeTestGenesis()),
    params: { heights: [3, 3, 7], challengePeriod: 100n, assertionBond: 10n ** 18n, edgeBond: 10n ** 17n },
    attested: {
      activeSize: k,
      assumedHonest: h,
      epochBlocks: Number(E),
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
  const a1 = (await r.createAssertion(g, end(1, 1n), word(1), 10n ** 18n)).data;
  const a2 = (await r.createAssertion(a1, end(2, a1.nextInboxPosition), word(2))).data;
  await post();
  const a3 = (await r.createAssertion(a2, end(3, a2.nextInboxPosition), word(3))).data;

  // n validators, registered from 10 accounts at once
  await Promise.all(
    Array.from({ length: 10 }, async (_, acct) => {
      const c = vc.as(as(acct));
      for (let i = acct; i < N; i += 10) await c.register(bytesToHex(keys[i].publicKey), pops[i], 10n ** 18n);
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
  const first = start + e * E;
  if (first - latest - 1n > 0n) await l1.testClient.mine({ blocks: Number(first - latest - 1n) });
  const seal = (await vc.sealEpoch(e)).gasUsed;
  const ep = (await vc.epoch(e)) as EpochInfo;
  expect(ep.members).toHaveLength(k);

  const attest = (a: AssertionData, nonSigners: number) => {
    const id = assertionId(a);
    const digest = attestationDigest({
      chainId: BigInt(l1.chainId),
      committee: vc.address,
      epoch: e,
      prevId: a.prevId,
      assertionId: id,
    });
    const positions = Array.from({ length: k - nonSigners }, (_, i) => i + nonSigners);
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
  const verify: Measured['verify'] = [];
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
  return { seal, verify, confirmByTime };
}

describe('attested gas (slow)', () => {
  const results = new Map<number, Measured>();

  for (const [k, h] of [
    [20, 2],
    [50, 5],
    [100, 10],
  ]) {
    it(`k = ${k}, h = ${h}, n = ${N}`, async () => {
      const m = await measure(k, h);
      results.set(k, m);
      lines.push(`k=${k} h=${h} n=${N}: sealEpoch ${m.seal}, confirmAssertion by time ${m.confirmByTime}`);
      for (const v of m.verify) {
        lines.push(
          `  non-signers ${v.nonSigners}: verifyAttestation estimate ${v.total} (calldata ${v.calldata}, execution ${v.execution}); confirmAttested mined ${v.confirm}`,
        );
        expect(v.execution).toBeGreaterThan(100_000n); // at least the pairing: the check ran
      }
    }, 120_000);
  }

  it('the target: verifyAttestation for 20 members costs ≤ 150,000 gas of execution', () => {
    const m = results.get(20) as Measured;
    expect(m.verify[0].execution).toBeLessThanOrEqual(150_000n);
  });
});
