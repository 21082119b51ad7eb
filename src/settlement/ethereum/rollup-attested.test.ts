/**
 * Rollup.createAttestedAssertion on anvil (docs/attested.md §4): an assertion created and
 * confirmed in one transaction on a quorum's attestation of the id it gets, and a negative test for
 * each check (bad attestation, wrong predicted id, prev not the latest confirmed, prev already has
 * a child, attestations disabled); a failure reverts the creation too. One anvil, a committee of
 * k = 3, h = 2 (quorum 2) over 3 validators; the tests run in order and share the chain.
 */
import { type Hex, parseEventLogs, zeroAddress } from 'viem';
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
import { type AssertionData, assertionId, type SolGlobalState, toSolState } from './dispute-hash.ts';
import { type L1Clients, walletFor } from './inbox.ts';
import { predictAssertion, RollupClient } from './rollup.ts';
import { expectRevert } from './test-utils.ts';
import type { EpochInfo, ValidatorCommitteeClient } from './validator-committee.ts';

const P = COMMITTEE_PARAMS;
const DISPUTE: DisputeParams = {
  heights: [3, 3, 7],
  challengePeriod: 100n,
  assertionBond: 10n ** 18n,
  edgeBond: 10n ** 17n,
};
const BOND = DISPUTE.assertionBond;
const kp = committeeKeys(0xd4);
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

/** the attestation of `a` by the members at `positions` of the sealed epoch */
const attest = (a: AssertionData, positions: number[]): Hex => attestationOf(l1, vc, ep, kp, a, positions);

/** the assertion after `prev` ending as `end` with `inner`, as it would be created now */
async function predict(prev: AssertionData, e: SolGlobalState, inner: Hex): Promise<AssertionData> {
  return predictAssertion(prev, e, inner, await s.rollup.inboxCount(), DISPUTE.heights[0]);
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

describe('createAttestedAssertion (docs/attested.md §4)', () => {
  it('predictAssertion is the id createAssertion gives (nextInboxPosition from the inbox count)', async () => {
    // on a copy of the chain: a plain createAssertion, then the snapshot is restored
    const snap = await l1.testClient.snapshot();
    const want = await predict(g, end(9, 1n), word(9));
    const r = await rollupAs(5).createAssertion(g, end(9, 1n), word(9), BOND);
    expect(r.data).toEqual(want);
    expect(r.id).toBe(assertionId(want));
    await l1.testClient.revert({ id: snap });
  });

  it('AttestationsDisabled: a rollup deployed without a committee', async () => {
    const bare = await deploy(l1, await getArtifact('Rollup'), [
      s.addresses.inbox,
      s.addresses.challengeManager,
      BOND,
      1n,
      toSolState(disputeTestGenesis()),
      zeroAddress,
      0n,
    ]);
    const r = await RollupClient.at(s.rollup.clients, bare.address);
    const a = await predict(g, end(1, 1n), word(1));
    await reverts(
      r.createAttestedAssertion(g, end(1, 1n), word(1), attest(a, [0, 1, 2]), BOND),
      'AttestationsDisabled',
    );
  });

  it('a bad attestation (too few signers, forged) reverts the creation too', async () => {
    const a = await predict(g, end(1, 1n), word(1));
    const r = rollupAs(1);
    await expectRevert(
      r.createAttestedAssertion(g, end(1, 1n), word(1), attest(a, [0]), BOND),
      'ValidatorCommittee',
      'TooFewSigners',
      [1n, 2n],
    );
    const forged =
      `${attest(a, [0, 1]).slice(0, 2 + 2 * 9)}${'00'.repeat(128)}${attest(a, [0, 1]).slice(2 + 2 * 137)}` as Hex;
    await expectRevert(
      r.createAttestedAssertion(g, end(1, 1n), word(1), forged, BOND),
      'ValidatorCommittee',
      'BadAggregateSignature',
    );
    expect(await s.rollup.status(assertionId(a))).toBe('none');
    expect(await s.rollup.latestStaked(r.clients.walletClient.account.address)).toBe(word(0));
  });

  it('a wrong predicted id (a message posted after the signing) is BadAggregateSignature', async () => {
    const a = await predict(g, end(1, 1n), word(1));
    const att = attest(a, [0, 1, 2]);
    await post();
    await expectRevert(
      rollupAs(1).createAttestedAssertion(g, end(1, 1n), word(1), att, BOND),
      'ValidatorCommittee',
      'BadAggregateSignature',
    );
    expect(await s.rollup.status(assertionId(a))).toBe('none');
  });

  let a: AssertionData;
  it('creates and confirms in one transaction: AssertionCreated, AssertionAttested, AssertionConfirmed; the stake moves', async () => {
    a = await predict(g, end(1, 1n), word(1));
    const r = rollupAs(1);
    const tx = await r.createAttestedAssertion(g, end(1, 1n), word(1), attest(a, [0, 2]), BOND);
    expect(tx.id).toBe(assertionId(a));
    expect(tx.data).toEqual(a);
    const logs = parseEventLogs({ abi: r.abi, logs: tx.receipt.logs });
    expect(logs.map((l) => l.eventName)).toEqual([
      'AssertionCreated',
      'AssertionAttested',
      'AssertionConfirmed',
    ]);
    expect((logs[1] as unknown as { args: { epoch: bigint } }).args.epoch).toBe(ep.epoch);
    expect(await s.rollup.status(tx.id)).toBe('confirmed');
    expect(await s.rollup.latestConfirmed()).toBe(tx.id);
    expect(await s.rollup.latestStaked(r.clients.walletClient.account.address)).toBe(tx.id);
    // a copy of the claim is refused as createAssertion refuses it
    await reverts(rollupAs(2).createAssertion(g, end(1, 1n), word(1), BOND), 'AssertionExists', [tx.id]);
  });

  it('HasRival: the latest confirmed assertion already has a child (the plain path posted it)', async () => {
    const e = end(2, a.nextInboxPosition);
    await rollupAs(2).createAssertion(a, end(3, a.nextInboxPosition), word(3), BOND);
    const b = await predict(a, e, word(2));
    // staked on a (confirmed): no bond
    await reverts(rollupAs(1).createAttestedAssertion(a, e, word(2), attest(b, [0, 1, 2])), 'HasRival', [
      assertionId(a),
    ]);
    expect(await s.rollup.status(assertionId(b))).toBe('none');
  });

  it('PrevNotLatestConfirmed: prev is pending', async () => {
    const [x] = (await s.rollup.assertions(s.deployBlock)).filter((r) => r.prevId === assertionId(a));
    await post();
    const e = end(4, x.data.nextInboxPosition);
    const c = await predict(x.data, e, word(4));
    await reverts(
      rollupAs(3).createAttestedAssertion(x.data, e, word(4), attest(c, [0, 1, 2]), BOND),
      'PrevNotLatestConfirmed',
      [x.id, assertionId(a)],
    );
    expect(await s.rollup.status(assertionId(c))).toBe('none');
  });
});
