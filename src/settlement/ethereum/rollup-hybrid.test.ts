/**
 * Hybrid disputes on the Rollup (docs/validity.md §6): a challenge without bisection, decided by one
 * proof within the prove window, or by `rejectUnproven` after it. The Rollup does not know what its
 * committee slot verifies; here the slot holds a validator committee (real BLS attestations,
 * docs/attested.md) so that these tests exercise the Rollup's rules alone. The validity verifier's
 * own checks are tested in contracts/validity's tests. One anvil; the tests run in order and share
 * the chain.
 */
import { type Hex, zeroAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attestationOf,
  COMMITTEE_PARAMS,
  committeeKeys,
  endState,
  registerAndSeal,
  word,
} from '../../../test/committee-rollup.ts';
import { disputeTestGenesis, disputeTestPayload, disputeTestProgram } from '../../../test/test-stf.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { moduleFieldsHex } from '../../proof/fraud/claim.ts';
import { type DisputeParams, deploySettlement, type SettlementDeployment } from './deploy-settlement.ts';
import { type AssertionData, assertionId, toSolState } from './dispute-hash.ts';
import { type L1Clients, walletFor } from './inbox.ts';
import { predictAssertion, RollupClient } from './rollup.ts';
import { expectRevert } from './test-utils.ts';
import type { EpochInfo, ValidatorCommitteeClient } from './validator-committee.ts';

const P = COMMITTEE_PARAMS;
const PERIOD = 1_000n;
const WINDOW = 300n;
const DISPUTE: DisputeParams = {
  heights: [3, 3, 7],
  challengePeriod: PERIOD,
  assertionBond: 10n ** 18n,
  edgeBond: 10n ** 17n,
};
const BOND = DISPUTE.assertionBond;
const kp = committeeKeys(0xe6);
const end = endState;

let l1: L1;
let s: SettlementDeployment;
let vc: ValidatorCommitteeClient;
let ep: EpochInfo;
let rollupAs: (i: number) => RollupClient;
let g: AssertionData;
let posted = 0;
const post = () => s.inbox.postBatch(disputeTestPayload(posted++));
const reverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'Rollup', name, args);
const addr = (i: number) => l1.accounts[i].address;
const balance = (i: number) => l1.publicClient.getBalance({ address: addr(i) });
const wait = async (seconds: bigint) => {
  await l1.testClient.increaseTime({ seconds: Number(seconds) });
  await l1.testClient.mine({ blocks: 1 });
};

/** the committee's attestation of `a` in the current epoch (sealed here): what stands for a validity proof in these tests */
async function proofOf(a: AssertionData): Promise<Hex> {
  const current = await vc.currentEpoch();
  const sealed = await vc.epoch(current);
  if (!sealed) await vc.sealEpoch(current);
  ep = (await vc.epoch(current)) as EpochInfo;
  return attestationOf(l1, vc, ep, kp, a, [0, 1, 2]);
}

beforeAll(async () => {
  l1 = await startAnvil();
  s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(disputeTestProgram()),
    genesis: toSolState(disputeTestGenesis()),
    params: DISPUTE,
    attested: P,
    proveWindow: WINDOW,
  });
  vc = s.committee as ValidatorCommitteeClient;
  const as = (i: number): L1Clients => ({
    publicClient: l1.publicClient,
    walletClient: walletFor(l1, l1.accounts[i].account),
  });
  rollupAs = (i) => s.rollup.as(as(i));
  ep = await registerAndSeal(l1, vc, kp);
  await post();
  await post();
  g = (await s.rollup.assertions(s.deployBlock))[0].data;
}, 60_000);

afterAll(async () => {
  await l1?.stop();
});

describe('hybrid disputes (docs/validity.md §6)', () => {
  it('a rollup without a prove window refuses challenges (NoHybridDisputes); a window needs a verifier', async () => {
    expect(await s.rollup.proveWindow()).toBe(WINDOW);
    const bare = await deploy(l1, await getArtifact('Rollup'), [
      s.addresses.inbox,
      s.addresses.challengeManager,
      BOND,
      PERIOD,
      toSolState(disputeTestGenesis()),
      zeroAddress,
      0n,
    ]);
    const r = await RollupClient.at(s.rollup.clients, bare.address);
    const a = await r.createAssertion(g, end(1, 1n), word(1), BOND);
    await reverts(r.challenge(a.data, BOND), 'NoHybridDisputes');
    await expect(
      deploy(l1, await getArtifact('Rollup'), [
        s.addresses.inbox,
        s.addresses.challengeManager,
        BOND,
        PERIOD,
        toSolState(disputeTestGenesis()),
        zeroAddress,
        WINDOW,
      ]),
    ).rejects.toThrow();
  });

  let lie: AssertionData;
  it('a challenge locks the bond within the challenge period, once (WrongBond, AlreadyChallenged)', async () => {
    lie = (await rollupAs(2).createAssertion(g, end(66, 1n), word(66), BOND)).data;
    const id = assertionId(lie);
    await reverts(rollupAs(1).challenge(lie, BOND - 1n), 'WrongBond', [BOND, BOND - 1n]);
    await reverts(rollupAs(1).rejectUnproven(lie), 'NotChallenged', [id]);
    await rollupAs(1).challenge(lie, BOND);
    const c = await s.rollup.challengeOf(id);
    expect(c.challenger).toBe(addr(1));
    await reverts(rollupAs(3).challenge(lie, BOND), 'AlreadyChallenged', [id]);
  });

  it('a challenged assertion is not confirmed by time (Challenged) nor rejected inside the window (ProveWindowOpen)', async () => {
    const id = assertionId(lie);
    const c = await s.rollup.challengeOf(id);
    await reverts(rollupAs(1).rejectUnproven(lie), 'ProveWindowOpen', [c.at + WINDOW]);
    await wait(PERIOD);
    await reverts(rollupAs(1).confirmAssertion(lie), 'Challenged', [id, c.at + WINDOW]);
  });

  it('a proof after the window is refused (ProveWindowOver); rejectUnproven pays both bonds to the challenger', async () => {
    const id = assertionId(lie);
    const c = await s.rollup.challengeOf(id);
    await reverts(rollupAs(2).confirmAttested(lie, await proofOf(lie)), 'ProveWindowOver', [c.at + WINDOW]);
    const before = await balance(1);
    const tx = await rollupAs(4).rejectUnproven(lie);
    expect(await balance(1)).toBe(before + 2n * BOND);
    expect(tx.gasUsed).toBeGreaterThan(0n);
    expect(await s.rollup.status(id)).toBe('rejected');
    expect(await s.rollup.latestStaked(addr(2))).toBe(word(0));
    // nothing builds on it, and nobody confirms it
    await reverts(rollupAs(2).createAssertion(lie, end(67, 2n), word(67), BOND), 'AssertionRejected', [id]);
    await reverts(rollupAs(2).confirmAttested(lie, await proofOf(lie)), 'NotPending', [id]);
    await reverts(rollupAs(1).rejectUnproven(lie), 'NotPending', [id]);
  });

  let honest: AssertionData;
  it('a proof confirms an assertion that has a rival (the rejected one) at once', async () => {
    const pre = predictAssertion(g, end(1, 1n), word(1), await s.rollup.inboxCount(), DISPUTE.heights[0]);
    const tx = await rollupAs(1).createAttestedAssertion(g, end(1, 1n), word(1), await proofOf(pre), BOND);
    honest = tx.data;
    expect(await s.rollup.status(tx.id)).toBe('confirmed');
    expect(await s.rollup.latestConfirmed()).toBe(tx.id);
  });

  it('a challenged assertion proven within the window is confirmed; its asserter gets the challenger’s bond', async () => {
    await post();
    const next = (await rollupAs(1).createAssertion(honest, end(2, honest.nextInboxPosition), word(2), 0n))
      .data;
    await rollupAs(3).challenge(next, BOND);
    const before = await balance(1);
    await rollupAs(5).confirmAttested(next, await proofOf(next));
    expect(await s.rollup.status(assertionId(next))).toBe('confirmed');
    expect(await balance(1)).toBe(before + BOND);
    // too late to challenge a confirmed one
    await reverts(rollupAs(3).challenge(next, BOND), 'NotPending', [assertionId(next)]);
  });

  it('an assertion is challengeable only within its challenge period (ChallengePeriodOver); unchallenged, time confirms it', async () => {
    await post();
    const last = (await s.rollup.assertions(s.deployBlock)).at(-1)?.data as AssertionData;
    const a = (await rollupAs(1).createAssertion(last, end(3, last.nextInboxPosition), word(3), 0n)).data;
    const node = await l1.publicClient.getBlock({ blockTag: 'latest' });
    await wait(PERIOD);
    await reverts(rollupAs(3).challenge(a, BOND), 'ChallengePeriodOver', [node.timestamp + PERIOD]);
    await rollupAs(1).confirmAssertion(a);
    expect(await s.rollup.status(assertionId(a))).toBe('confirmed');
  });
});
