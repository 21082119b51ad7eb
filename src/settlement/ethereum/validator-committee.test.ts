/**
 * ValidatorCommittee and Rollup.confirmAttested on anvil (docs/attested.md §1–§5): registration,
 * sealing (the contract's committee equals src/attest/sampling.ts'), attestations (a negative test
 * for every check of §4, a rotation boundary, a stale epoch), confirmation, both slashings, exit and
 * withdrawal with their delays. One anvil, one committee of k = 5, h = 3 (threshold 3, up to 2
 * non-signers) over 7 validators, epochs of 4 blocks; the tests run in order and share the chain.
 */
import {
  type Abi,
  type Address,
  bytesToHex,
  concatHex,
  getAddress,
  type Hex,
  keccak256,
  numberToHex,
  zeroAddress,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeTestGenesis, disputeTestPayload, disputeTestProgram } from '../../../test/test-stf.ts';
import { type Attestation, buildAttestation, encodeAttestation } from '../../attest/attestation.ts';
import { attestationDigest, signAttestation } from '../../attest/message.ts';
import { epochSeed, isEligible, sampleCommittee } from '../../attest/sampling.ts';
import { type BlsKeyPair, blsKeyFromSeed, proofOfPossession } from '../../crypto/bls.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { moduleFieldsHex } from '../../proof/fraud/claim.ts';
import { type DisputeParams, deploySettlement, type SettlementDeployment } from './deploy-settlement.ts';
import { type AssertionData, assertionId, type SolGlobalState, toSolState } from './dispute-hash.ts';
import { SettlementTxError, toSettlementError } from './errors.ts';
import { type L1Clients, sendContractTx, walletFor } from './inbox.ts';
import { RollupClient } from './rollup.ts';
import { expectRevert } from './test-utils.ts';
import {
  type CommitteeParams,
  checkCommitteeParams,
  deployValidatorCommittee,
  type EpochInfo,
  VALIDATOR_COMMITTEE_ERRORS,
  type ValidatorCommitteeClient,
} from './validator-committee.ts';

const P: CommitteeParams = {
  activeSize: 5,
  assumedHonest: 3,
  epochBlocks: 4,
  stake: 10n ** 18n,
  entryDelayEpochs: 2,
  exitDelayEpochs: 2,
  withdrawalDelayEpochs: 2,
  slashRewardPercent: 50,
};
const DISPUTE: DisputeParams = {
  heights: [3, 3, 7],
  challengePeriod: 100n,
  assertionBond: 10n ** 18n,
  edgeBond: 10n ** 17n,
};
const E = BigInt(P.epochBlocks);
const N = 7;

const kp: BlsKeyPair[] = Array.from({ length: N + 1 }, (_, i) => {
  const seed = new Uint8Array(32);
  seed[0] = 0xa7;
  seed[1] = i;
  return blsKeyFromSeed(seed);
});
const pk = (i: number) => bytesToHex(kp[i].publicKey);
const pop = (i: number) => bytesToHex(proofOfPossession(kp[i].secretKey));
const word = (n: number): Hex => numberToHex(BigInt(n), { size: 32 });
const end = (n: number, inboxPosition: bigint): SolGlobalState => ({
  stateRoot: word(0x5700 + n),
  sendRoot: word(0x5e00 + n),
  inboxPosition,
  positionInMessage: 0n,
});

let l1: L1;
let s: SettlementDeployment;
let vc: ValidatorCommitteeClient;
let start: bigint;
/** clients signing with dev account i */
let as: (i: number) => L1Clients;
let rollupAs: (i: number) => RollupClient;
let g: AssertionData;
/** children of: g → a → b → {c1, c2} (rivals) */
let a: AssertionData;
let b: AssertionData;
let c1: AssertionData;
let bareRollup: Address;
/** a child of g made after g confirmed a: it lost (wrong-root slashing) */
let lost: AssertionData;
const id = (x: AssertionData) => assertionId(x);

const vcReverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'ValidatorCommittee', name, args);
const rollupReverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'Rollup', name, args);

/** a raw ValidatorCommittee transaction from dev account `from` (arguments the client would not build) */
const raw = (functionName: string, args: readonly unknown[], from = 1, value?: bigint) =>
  sendContractTx(as(from), 'ValidatorCommittee', {
    address: vc.address,
    abi: vc.abi,
    functionName,
    args,
    value,
  });

const latest = () => l1.publicClient.getBlockNumber();
const epochOfBlock = (n: bigint) => (n - start) / E;
/** mines until the next transaction is the first block of epoch `e` */
async function toEpochStart(e: bigint): Promise<void> {
  const first = start + e * E;
  const b = await latest();
  if (b + 1n > first) throw new Error(`epoch ${e} began already (latest block ${b})`);
  if (first - b - 1n > 0n) await l1.testClient.mine({ blocks: Number(first - b - 1n) });
  expect(await vc.currentEpoch()).toBe(e - 1n);
}

function sign(v: number, epoch: bigint, prevId: Hex, assertion: Hex): Uint8Array {
  const digest = attestationDigest({
    chainId: BigInt(l1.chainId),
    committee: vc.address,
    epoch,
    prevId,
    assertionId: assertion,
  });
  return signAttestation(kp[v].secretKey, digest);
}

/** epoch `ep`'s attestation of `assertion` after `prevId` signed by the members at `positions` */
function attest(ep: EpochInfo, prevId: Hex, assertion: Hex, positions: number[]): Attestation {
  return buildAttestation({
    epoch: ep.epoch,
    members: ep.members,
    memberKeys: ep.members.map((m) => kp[m].publicKey),
    signatures: new Map(positions.map((p) => [p, sign(ep.members[p], ep.epoch, prevId, assertion)])),
    threshold: 0,
  });
}
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

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
  start = await vc.startBlock();
  as = (i) => ({ publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[i].account) });
  rollupAs = (i) => s.rollup.as(as(i));
  // the assertion chain the attestation tests confirm: g → a → b → {c1, c2}
  let posted = 0;
  const post = () => s.inbox.postBatch(disputeTestPayload(posted++));
  await post();
  await post();
  const [genesis] = await s.rollup.assertions(s.deployBlock);
  g = genesis.data;
  a = (await rollupAs(1).createAssertion(g, end(1, 1n), word(1), DISPUTE.assertionBond)).data;
  b = (await rollupAs(1).createAssertion(a, end(2, a.nextInboxPosition), word(2))).data;
  await post();
  const cEnd = b.nextInboxPosition;
  c1 = (await rollupAs(2).createAssertion(b, end(3, cEnd), word(3), DISPUTE.assertionBond)).data;
  await rollupAs(3).createAssertion(b, end(4, cEnd), word(4), DISPUTE.assertionBond);
  // a rollup without a committee (AttestationsDisabled)
  const bare = await deploy(l1, await getArtifact('Rollup'), [
    s.addresses.inbox,
    s.addresses.challengeManager,
    1n,
    1n,
    toSolState(disputeTestGenesis()),
    zeroAddress,
    0n,
  ]);
  bareRollup = bare.address;
}, 60_000);

afterAll(async () => {
  await l1?.stop();
});

describe('deployment', () => {
  it('deploySettlement links the committee and the rollup both ways; the parameters read back', async () => {
    expect((await s.rollup.committee()).toLowerCase()).toBe(vc.address.toLowerCase());
    expect((await vc.rollup()).toLowerCase()).toBe(s.addresses.rollup.toLowerCase());
    expect(s.addresses.committee).toBe(vc.address);
    expect(await vc.params()).toEqual(P);
  });

  it('BadParameters: the constructor refuses each out-of-range parameter; the client says which first', async () => {
    const artifact = await getArtifact('ValidatorCommittee');
    const bad: Partial<CommitteeParams>[] = [
      { activeSize: 0 },
      { assumedHonest: 6 },
      { epochBlocks: 0 },
      { stake: 0n },
      { entryDelayEpochs: 1 },
      { exitDelayEpochs: 1 },
      { slashRewardPercent: 101 },
    ];
    for (const x of bad) {
      const p = { ...P, ...x };
      expect(checkCommitteeParams(p).length).toBeGreaterThan(0);
      await expect(deployValidatorCommittee(l1, p)).rejects.toBeInstanceOf(SettlementTxError);
      const args = [
        p.activeSize,
        p.assumedHonest,
        BigInt(p.epochBlocks),
        p.stake,
        BigInt(p.entryDelayEpochs),
        BigInt(p.exitDelayEpochs),
        BigInt(p.withdrawalDelayEpochs),
        p.slashRewardPercent,
      ];
      const e = await deploy(l1, artifact, args).then(
        () => undefined,
        (x: unknown) => toSettlementError(x, 'ValidatorCommittee', 'deploy', artifact.abi),
      );
      expect((e as { errorName?: string })?.errorName).toBe('BadParameters');
    }
  });

  it('NotInitialized: a committee not linked to a rollup slashes no wrong root; initialize refuses zero', async () => {
    const lone = await deployValidatorCommittee(l1, P);
    const signature = bytesToHex(new Uint8Array(128));
    await vcReverts(
      lone.slashWrongRoot({
        epoch: 0n,
        prevId: word(1),
        assertionId: word(2),
        indices: [0],
        keys: [pk(0)],
        signature,
      }),
      'NotInitialized',
    );
    await vcReverts(lone.initialize(zeroAddress), 'NotInitialized');
  });

  it('initialize: the deployer only, once', async () => {
    await vcReverts(raw('initialize', [zeroAddress], 1), 'NotDeployer', [l1.accounts[1].address]);
    // read first: a transaction promise made before an await rejects unhandled in between
    const rollup = (await vc.rollup()) as Address;
    await vcReverts(raw('initialize', [zeroAddress], 0), 'AlreadyInitialized', [rollup]);
  });
});

describe('registration (§1.3)', () => {
  it('epochs 0 and 1 have no seed (BadCheckpoint); TooFewValidators while nobody is eligible', async () => {
    await vcReverts(vc.sample(1n, 0n), 'BadCheckpoint', [0n]);
    const current = await vc.currentEpoch();
    if (current < 2n) await toEpochStart(2n);
    const e = await vc.currentEpoch();
    const err = await vcReverts(vc.sealEpoch(e), 'TooFewValidators', [0n, 3n]);
    expect(err.code).toBe('VALIDATOR_COMMITTEE_TOO_FEW_VALIDATORS');
    expect(err.message).toContain(VALIDATOR_COMMITTEE_ERRORS.TooFewValidators([0n, 3n]));
  });

  it('WrongStake, BadPublicKey, BadProofOfPossession: refused before anything is stored', async () => {
    const c = vc.as(as(1));
    await vcReverts(c.register(pk(0), pop(0), P.stake - 1n), 'WrongStake', [P.stake, P.stake - 1n]);
    await vcReverts(c.register(pk(0), pop(0), 0n), 'WrongStake', [P.stake, 0n]);
    await vcReverts(c.register(bytesToHex(kp[0].publicKey.slice(1)), pop(0), P.stake), 'BadPublicKey');
    await vcReverts(c.register(bytesToHex(new Uint8Array(256)), pop(0), P.stake), 'BadPublicKey');
    await vcReverts(c.register(pk(0), pop(1), P.stake), 'BadProofOfPossession'); // another key's proof
    await vcReverts(c.register(pk(0), bytesToHex(new Uint8Array(128)), P.stake), 'BadProofOfPossession');
    await vcReverts(c.register(pk(0), `0x${pop(0).slice(4)}`, P.stake), 'BadProofOfPossession');
    // a key off the curve: the pairing precompile refuses it
    const offCurve = new Uint8Array(256);
    offCurve[63] = 1;
    offCurve[191] = 1;
    await vcReverts(c.register(bytesToHex(offCurve), pop(0), P.stake), 'PrecompileFailed');
    expect(await vc.validatorCount()).toBe(0);
  });

  it(`registers ${N} validators: index, owner, key, activeFrom = epoch + entryDelayEpochs`, async () => {
    for (let i = 0; i < N; i++) {
      const owner = i === N - 1 ? 2 : 1;
      const r = await vc.as(as(owner)).register(pk(i), pop(i), P.stake);
      expect(r.index).toBe(i);
      expect(r.gasUsed).toBeGreaterThan(100_000n);
    }
    const vs = await vc.validators();
    expect(vs.map((v) => v.index)).toEqual(range(N));
    expect(vs.map((v) => v.publicKey)).toEqual(range(N).map(pk));
    expect(vs[0].owner).toBe(l1.accounts[1].address);
    expect(vs[N - 1].owner).toBe(l1.accounts[2].address);
    for (const v of vs) {
      expect(v).toMatchObject({ exitAt: 0n, slashed: false, withdrawn: false });
      const registeredIn = v.activeFrom - BigInt(P.entryDelayEpochs);
      expect(registeredIn).toBeGreaterThanOrEqual(2n);
    }
    expect(await l1.publicClient.getBalance({ address: vc.address })).toBe(P.stake * BigInt(N));
  });

  it('TooManyValidators: at most 1024 (validatorCount set to 1024 in storage on a fresh committee)', async () => {
    const lone = (await deployValidatorCommittee(l1, P)).as(as(3));
    // slot 0 packs rollup (20 bytes), validatorCount (uint16) and lastCheckpoint (uint64)
    const slot = numberToHex(0n, { size: 32 });
    const word0 = BigInt((await l1.publicClient.getStorageAt({ address: lone.address, slot })) ?? 0n);
    const count = (word0 >> 160n) & 0xffffn;
    expect(count).toBe(0n);
    const value = numberToHex(word0 | (1024n << 160n), { size: 32 });
    await l1.testClient.setStorageAt({ address: lone.address, index: slot, value });
    expect(await lone.validatorCount()).toBe(1024);
    await vcReverts(lone.register(pk(0), pop(0), P.stake), 'TooManyValidators');
  });

  it('DuplicateKey: a key registers once', async () => {
    await vcReverts(vc.as(as(3)).register(pk(2), pop(2), P.stake), 'DuplicateKey', [keccak256(pk(2))]);
  });
});

describe('sealing (§2)', () => {
  let e: bigint;
  let f: bigint;

  it('waits until every validator is eligible and finds the checkpoint (the newest ≤ e − 2)', async () => {
    const vs = await vc.validators();
    e = 0n;
    for (const v of vs) if (v.activeFrom > e) e = v.activeFrom;
    await toEpochStart(e);
    f = (await vc.checkpointFor(e)) as bigint;
    expect(f).toBeGreaterThan(0n); // registrations recorded newer ones than epoch 0's
    expect(f + 2n).toBeLessThanOrEqual(e);
  });

  it('EpochNotSealable: neither a past epoch nor two ahead', async () => {
    // transactions (and eth_estimateGas) run in the next block: e's first, so the current epoch is e
    await vcReverts(raw('sealEpoch', [e + 2n, f, []]), 'EpochNotSealable', [e + 2n, e]);
    await vcReverts(raw('sealEpoch', [e - 1n, f, []]), 'EpochNotSealable', [e - 1n, e]);
  });

  it('BadCheckpoint: an epoch without randomness, one too recent, one superseded', async () => {
    await vcReverts(raw('sealEpoch', [e, 999n, []]), 'BadCheckpoint', [999n]);
    await vcReverts(raw('sealEpoch', [e, e, []]), 'BadCheckpoint', [e]);
    await vcReverts(raw('sealEpoch', [e, 0n, []]), 'BadCheckpoint', [0n]);
  });

  it('WrongKeyCount, KeyMismatch: the keys must be the members, in committee order', async () => {
    const { members } = await vc.sample(e, f);
    const keys = members.map(pk);
    await vcReverts(raw('sealEpoch', [e, f, keys.slice(1)]), 'WrongKeyCount', [5n, 4n]);
    const swapped = [keys[0], keys[2], keys[1], ...keys.slice(3)];
    await vcReverts(raw('sealEpoch', [e, f, swapped]), 'KeyMismatch', [1n]);
    const outsider = pk(range(N).find((v) => !members.includes(v)) as number); // 2 of 7 are not drawn
    await vcReverts(raw('sealEpoch', [e, f, [outsider, ...keys.slice(1)]]), 'KeyMismatch', [0n]);
  });

  it('seals the current epoch: the committee is sampleCommittee (src/attest) of the eligible validators', async () => {
    const r = await vc.sealEpoch(e);
    expect(r.members).toHaveLength(P.activeSize);
    const randao = await l1.publicClient.readContract({
      address: vc.address,
      abi: vc.abi as Abi,
      functionName: 'randao',
      args: [f],
    });
    const eligible = (await vc.validators()).filter((v) => isEligible(v, e)).map((v) => v.index);
    expect(eligible).toEqual(range(N));
    const seed = epochSeed(randao as Hex, e);
    expect(r.members).toEqual(sampleCommittee(seed, eligible, P.activeSize));
    expect(await vc.epoch(e)).toEqual({ epoch: e, members: r.members, threshold: 3, seed });
    expect(await vc.epoch(e + 1n)).toBeUndefined();
  });

  it('EpochAlreadySealed; the next epoch can be sealed in advance, with another sample', async () => {
    await vcReverts(raw('sealEpoch', [e, f, []]), 'EpochAlreadySealed', [e]);
    const next = await vc.sealEpoch(e + 1n);
    expect(next.members).toHaveLength(P.activeSize);
    expect((await vc.epoch(e + 1n))?.members).toEqual(next.members);
  });
});

describe('attestations and confirmAttested (§3, §4)', () => {
  let ep: EpochInfo;
  let attA: Attestation;
  let attB: Hex;

  beforeAll(async () => {
    const e = await vc.currentEpoch();
    ep = (await vc.epoch(e)) as EpochInfo;
    attA = attest(ep, a.prevId, id(a), [0, 1, 3]); // two non-signers: the most h = 3 allows
  });

  it('the digest the contract computes is attestationDigest (src/attest/message.ts)', async () => {
    const digest = attestationDigest({
      chainId: BigInt(l1.chainId),
      committee: vc.address,
      epoch: ep.epoch,
      prevId: a.prevId,
      assertionId: id(a),
    });
    expect(await vc.digest(ep.epoch, a.prevId, id(a))).toBe(digest);
  });

  it('verifies a quorum with 0, 1 and 2 (h − 1) non-signers; returns the epoch', async () => {
    for (const positions of [range(5), [0, 1, 2, 4], [0, 1, 3]]) {
      const att = encodeAttestation(attest(ep, a.prevId, id(a), positions));
      expect(await vc.verifyAttestation(a.prevId, id(a), att)).toBe(ep.epoch);
    }
  });

  it('UnsupportedAttestationVersion, MalformedAttestation: the bytes of §3.2 exactly', async () => {
    const bytes = encodeAttestation(attA);
    const v2 = `0x02${bytes.slice(4)}` as Hex;
    await vcReverts(vc.verifyAttestation(a.prevId, id(a), v2), 'UnsupportedAttestationVersion', [2]);
    await vcReverts(vc.verifyAttestation(a.prevId, id(a), '0x'), 'MalformedAttestation', [0n]);
    const len = BigInt((bytes.length - 2) / 2);
    await vcReverts(vc.verifyAttestation(a.prevId, id(a), `${bytes}00`), 'MalformedAttestation', [len + 1n]);
    await vcReverts(
      vc.verifyAttestation(a.prevId, id(a), bytes.slice(0, -2) as Hex),
      'MalformedAttestation',
      [len - 1n],
    );
    await vcReverts(
      vc.verifyAttestation(a.prevId, id(a), bytes.slice(0, 2 + 2 * 300) as Hex),
      'MalformedAttestation',
      [300n],
    );
  });

  it('UnknownEpoch: an epoch that is not sealed', async () => {
    const att = encodeAttestation({ ...attA, epoch: ep.epoch + 2n });
    await vcReverts(vc.verifyAttestation(a.prevId, id(a), att), 'UnknownEpoch', [ep.epoch + 2n]);
  });

  it('StaleEpoch: the next epoch (sealed in advance) does not count before it begins', async () => {
    const next = (await vc.epoch(ep.epoch + 1n)) as EpochInfo;
    const att = encodeAttestation(attest(next, a.prevId, id(a), range(5)));
    await vcReverts(vc.verifyAttestation(a.prevId, id(a), att), 'StaleEpoch', [ep.epoch + 1n, ep.epoch]);
  });

  it("AggregateKeyMismatch: the aggregate key must be the sum of all the epoch's member keys", async () => {
    const wrong = buildAttestation({
      epoch: ep.epoch,
      members: ep.members,
      memberKeys: ep.members.map((m) => kp[(m + 1) % N].publicKey),
      signatures: new Map([[0, new Uint8Array(128)]]),
      threshold: 0,
    }).aggregateKey;
    const att = encodeAttestation({ ...attA, aggregateKey: wrong });
    const e = await vcReverts(vc.verifyAttestation(a.prevId, id(a), att), 'AggregateKeyMismatch');
    expect(e.args[0]).toBe(keccak256(wrong));
  });

  it('MembersMismatch: the member list must be the sealed committee, in order', async () => {
    const m = ep.members;
    const swapped = [m[1], m[0], ...m.slice(2)];
    await vcReverts(
      vc.verifyAttestation(a.prevId, id(a), encodeAttestation({ ...attA, members: swapped })),
      'MembersMismatch',
    );
    await vcReverts(
      vc.verifyAttestation(
        a.prevId,
        id(a),
        encodeAttestation({ ...attA, members: m.slice(0, 4), nonSigners: [] }),
      ),
      'MembersMismatch',
    );
  });

  it('TooFewSigners: k − c below the threshold', async () => {
    const att = encodeAttestation(attest(ep, a.prevId, id(a), [0, 1]));
    await vcReverts(vc.verifyAttestation(a.prevId, id(a), att), 'TooFewSigners', [2n, 3n]);
  });

  it('NonSignersNotSorted: duplicate, descending or out-of-committee positions', async () => {
    const ns = attA.nonSigners; // positions 2 and 4
    const check = (nonSigners: Attestation['nonSigners'], i: bigint) =>
      vcReverts(
        vc.verifyAttestation(a.prevId, id(a), encodeAttestation({ ...attA, nonSigners })),
        'NonSignersNotSorted',
        [i],
      );
    await check([ns[0], ns[0]], 1n);
    await check([ns[1], ns[0]], 1n);
    await check([{ position: 5, publicKey: ns[0].publicKey }], 0n);
  });

  it("KeyMismatch: a non-signer's key must be its member's", async () => {
    const ns = attA.nonSigners;
    const nonSigners = [ns[0], { ...ns[1], publicKey: ns[0].publicKey }];
    await vcReverts(
      vc.verifyAttestation(a.prevId, id(a), encodeAttestation({ ...attA, nonSigners })),
      'KeyMismatch',
      [1n],
    );
  });

  it('BadAggregateSignature: forged, missing a signer, another message, the identity', async () => {
    const bad = async (x: Attestation) =>
      vcReverts(vc.verifyAttestation(a.prevId, id(a), encodeAttestation(x)), 'BadAggregateSignature');
    // claims 0 non-signers but one member did not sign
    const four = attest(ep, a.prevId, id(a), [0, 1, 2, 3]);
    await bad({ ...four, nonSigners: [] });
    // a signature over another assertion, over another parent, in another epoch
    await bad({ ...attA, signature: attest(ep, a.prevId, id(b), [0, 1, 3]).signature });
    await bad({ ...attA, signature: attest(ep, word(9), id(a), [0, 1, 3]).signature });
    await bad({
      ...attA,
      signature: attest({ ...ep, epoch: ep.epoch + 1n }, a.prevId, id(a), [0, 1, 3]).signature,
    });
    // a signature by a non-member's key
    const forged = buildAttestation({
      epoch: ep.epoch,
      members: ep.members,
      memberKeys: ep.members.map((m) => kp[m].publicKey),
      signatures: new Map([0, 1, 3].map((p) => [p, signAttestation(kp[N].secretKey, word(1))])),
      threshold: 0,
    });
    await bad({ ...attA, signature: forged.signature });
    await bad({ ...attA, signature: new Uint8Array(128) });
    // the right signature checked against another assertion id
    await vcReverts(vc.verifyAttestation(a.prevId, id(b), encodeAttestation(attA)), 'BadAggregateSignature');
  });

  it('confirmAttested: Rollup errors (NotPending, PrevNotLatestConfirmed), committee errors as ValidatorCommittee', async () => {
    const r = rollupAs(4);
    const fake = { ...a, historyRoot: word(77) };
    await rollupReverts(r.confirmAttested(fake, encodeAttestation(attA)), 'NotPending', [id(fake)]);
    await rollupReverts(r.confirmAttested(b, encodeAttestation(attA)), 'PrevNotLatestConfirmed', [
      id(a),
      id(g),
    ]);
    const e = await vcReverts(
      r.confirmAttested(a, encodeAttestation({ ...attA, signature: new Uint8Array(128) })),
      'BadAggregateSignature',
    );
    expect(e.code).toBe('VALIDATOR_COMMITTEE_BAD_AGGREGATE_SIGNATURE');
    await vcReverts(
      r.confirmAttested(a, encodeAttestation(attest(ep, a.prevId, id(a), [0, 1]))),
      'TooFewSigners',
      [2n, 3n],
    );
  });

  it('AttestationsDisabled: a rollup deployed without a committee', async () => {
    const r = await RollupClient.at(as(0), bareRollup);
    expect(await r.committee()).toBe(zeroAddress);
    await rollupReverts(r.confirmAttested(a, encodeAttestation(attA)), 'AttestationsDisabled');
  });

  it('confirms an assertion at once: AssertionAttested(epoch), AssertionConfirmed(byChallenge = false)', async () => {
    const r = rollupAs(4);
    const tx = await r.confirmAttested(a, encodeAttestation(attA));
    expect(tx.gasUsed).toBeLessThan(250_000n);
    expect(await r.status(id(a))).toBe('confirmed');
    expect(await r.latestConfirmed()).toBe(id(a));
    const receipt = await l1.publicClient.getTransactionReceipt({ hash: tx.txHash });
    const { parseEventLogs } = await import('viem');
    const logs = parseEventLogs({ abi: r.abi, logs: receipt.logs });
    expect(logs.map((l) => l.eventName)).toEqual(['AssertionAttested', 'AssertionConfirmed']);
    expect((logs[0] as unknown as { args: { epoch: bigint } }).args.epoch).toBe(ep.epoch);
    expect((logs[1] as unknown as { args: { byChallenge: boolean } }).args.byChallenge).toBe(false);
    await rollupReverts(r.confirmAttested(a, encodeAttestation(attA)), 'NotPending', [id(a)]);
    // b is signed now, in this epoch; it is submitted after the rotation (next test)
    attB = encodeAttestation(attest(ep, b.prevId, id(b), [1, 2, 3, 4]));
  });

  it('a rotation boundary: signed in epoch e, confirmed in e + 1', async () => {
    await toEpochStart(ep.epoch + 1n);
    await l1.testClient.mine({ blocks: 1 });
    expect(await vc.currentEpoch()).toBe(ep.epoch + 1n);
    expect(await vc.verifyAttestation(b.prevId, id(b), attB)).toBe(ep.epoch);
    await rollupAs(4).confirmAttested(b, attB);
    expect(await s.rollup.latestConfirmed()).toBe(id(b));
  });

  it('HasRival: with rival children the dispute decides', async () => {
    const next = (await vc.epoch(ep.epoch + 1n)) as EpochInfo;
    const att = encodeAttestation(attest(next, c1.prevId, id(c1), range(5)));
    expect(await vc.verifyAttestation(c1.prevId, id(c1), att)).toBe(next.epoch);
    await rollupReverts(rollupAs(4).confirmAttested(c1, att), 'HasRival', [id(b)]);
  });

  it('StaleEpoch: two epochs later the signatures of e no longer count', async () => {
    await toEpochStart(ep.epoch + 2n);
    await l1.testClient.mine({ blocks: 1 });
    const att = encodeAttestation(attest(ep, c1.prevId, id(c1), range(5)));
    const e = await vcReverts(vc.verifyAttestation(c1.prevId, id(c1), att), 'StaleEpoch', [
      ep.epoch,
      ep.epoch + 2n,
    ]);
    expect(e.message).toContain('sign again with the current committee');
  });
});

describe('accountability (§5)', () => {
  const prevId = word(0xaa);
  const ep1 = 5n;
  const evidence = (v: number, assertion: Hex, epoch = ep1, by = v) => ({
    epoch,
    assertionId: assertion,
    signature: bytesToHex(sign(by, epoch, prevId, assertion)),
  });
  const balance = () => l1.publicClient.getBalance({ address: vc.address });

  it('slashEquivocation refuses: SameAssertion, UnknownValidator, KeyMismatch, BadSignature(0|1)', async () => {
    const c = vc.as(as(5));
    const A = evidence(0, word(1));
    const B = evidence(0, word(2));
    await vcReverts(c.slashEquivocation({ index: 0, publicKey: pk(0), prevId, a: A, b: A }), 'SameAssertion');
    await vcReverts(
      c.slashEquivocation({ index: 99, publicKey: pk(0), prevId, a: A, b: B }),
      'UnknownValidator',
      [99],
    );
    await vcReverts(c.slashEquivocation({ index: 0, publicKey: pk(1), prevId, a: A, b: B }), 'KeyMismatch', [
      0n,
    ]);
    await vcReverts(
      c.slashEquivocation({ index: 0, publicKey: pk(0), prevId, a: evidence(0, word(1), ep1, 1), b: B }),
      'BadSignature',
      [0n],
    );
    await vcReverts(
      c.slashEquivocation({ index: 0, publicKey: pk(0), prevId, a: A, b: { ...B, assertionId: word(3) } }),
      'BadSignature',
      [1n],
    );
    // two children of different parents are not an equivocation
    const otherParent = bytesToHex(sign(0, ep1, word(0xbb), word(2)));
    await vcReverts(
      c.slashEquivocation({ index: 0, publicKey: pk(0), prevId, a: A, b: { ...B, signature: otherParent } }),
      'BadSignature',
      [1n],
    );
  });

  it('TransferFailed: a caller that refuses the reward (a forwarding contract without a receive path)', async () => {
    // forwards any call with its value to the committee and bubbles the result; rejects plain ETH
    const fwd = getAddress('0x00000000000000000000000000000000000f0f0f');
    const code = concatHex([
      '0x36600857600080fd5b365f5f375f5f365f3473',
      vc.address,
      '0x5af13d5f5f3e6033573d5ffd5b3d5ff3',
    ]);
    await l1.testClient.setCode({ address: fwd, bytecode: code });
    const data = vc.encode('slashEquivocation', [
      0,
      pk(0),
      prevId,
      evidence(0, word(1)),
      evidence(0, word(2)),
    ]);
    const p = as(5)
      .walletClient.sendTransaction({ to: fwd, data })
      .catch((e: unknown) => {
        throw toSettlementError(e, 'ValidatorCommittee', 'slashEquivocation via a forwarder', vc.abi);
      });
    await vcReverts(p, 'TransferFailed', [fwd, P.stake / 2n]);
  });

  it('slashes an equivocation (signatures of any epochs); half the stake to the caller; AlreadySlashed', async () => {
    const before = await balance();
    const c = vc.as(as(5));
    await c.slashEquivocation({
      index: 0,
      publicKey: pk(0),
      prevId,
      a: evidence(0, word(1), ep1),
      b: evidence(0, word(2), ep1 + 3n),
    });
    expect(before - (await balance())).toBe(P.stake / 2n);
    expect(await vc.slashed()).toEqual([{ index: 0, reason: 'equivocation', by: l1.accounts[5].address }]);
    expect((await vc.validators())[0].slashed).toBe(true);
    await vcReverts(
      c.slashEquivocation({
        index: 0,
        publicKey: pk(0),
        prevId,
        a: evidence(0, word(1)),
        b: evidence(0, word(2)),
      }),
      'AlreadySlashed',
      [0],
    );
  });

  describe('wrong root', () => {
    const signers = [1, 3];
    const sigOf = (who: number[], assertion: Hex, prev = id(g)) =>
      bytesToHex(
        buildAttestation({
          epoch: ep1,
          members: who,
          memberKeys: who.map((v) => kp[v].publicKey),
          signatures: new Map(who.map((v, i) => [i, sign(v, ep1, prev, assertion)])),
          threshold: 0,
        }).signature,
      );

    beforeAll(async () => {
      // a child of g made after a was confirmed: g confirmed a, so this one lost
      lost = (await rollupAs(6).createAssertion(g, end(9, 1n), word(9), DISPUTE.assertionBond)).data;
    });

    const slash = (o: { indices: number[]; keys?: Hex[]; signature?: Hex; assertion?: Hex; prev?: Hex }) =>
      vc.as(as(5)).slashWrongRoot({
        epoch: ep1,
        prevId: o.prev ?? id(g),
        assertionId: o.assertion ?? id(lost),
        indices: o.indices,
        keys: o.keys ?? o.indices.map(pk),
        signature: o.signature ?? sigOf(o.indices, o.assertion ?? id(lost), o.prev ?? id(g)),
      });

    it('NotRejected: the confirmed child, an unknown assertion, a parent without a confirmed child', async () => {
      await vcReverts(slash({ indices: signers, assertion: id(a) }), 'NotRejected', [id(a)]);
      await vcReverts(slash({ indices: signers, assertion: word(5) }), 'NotRejected', [word(5)]);
      await vcReverts(slash({ indices: signers, assertion: id(c1), prev: id(b) }), 'NotRejected', [id(c1)]);
    });

    it('NotSorted, KeysLengthMismatch, KeyMismatch, AlreadySlashed, BadSignature', async () => {
      await vcReverts(slash({ indices: [], signature: sigOf([1], id(lost)) }), 'NotSorted', [0n]);
      await vcReverts(slash({ indices: [3, 1] }), 'NotSorted', [1n]);
      await vcReverts(slash({ indices: [1, 1] }), 'NotSorted', [1n]);
      await vcReverts(slash({ indices: signers, keys: [pk(1)] }), 'KeysLengthMismatch', [512n, 256n]);
      await vcReverts(slash({ indices: signers, keys: [pk(1), pk(4)] }), 'KeyMismatch', [1n]);
      await vcReverts(slash({ indices: [0, 1] }), 'AlreadySlashed', [0]);
      // the signature of only one of the two listed
      await vcReverts(slash({ indices: signers, signature: sigOf([1], id(lost)) }), 'BadSignature', [0n]);
      // a signature of the winner, not of the loser
      await vcReverts(slash({ indices: signers, signature: sigOf(signers, id(a)) }), 'BadSignature', [0n]);
    });

    it('slashes every signer of the losing assertion with one pairing; the reward per signer', async () => {
      const before = await balance();
      await slash({ indices: signers });
      expect(before - (await balance())).toBe(P.stake);
      const events = await vc.slashed();
      expect(events.slice(1)).toEqual(
        signers.map((index) => ({ index, reason: 'wrong-root', by: l1.accounts[5].address })),
      );
      await vcReverts(slash({ indices: signers }), 'AlreadySlashed', [1]);
    });
  });

  it('slashed validators are not eligible in epochs sealed afterwards', async () => {
    const e = (await vc.currentEpoch()) + 1n;
    const { members } = await vc.sample(e);
    expect([...members].sort()).toEqual([2, 4, 5, 6]);
  });
});

describe('leaving (§1.4)', () => {
  const V = N - 1; // owned by account 2

  it('UnknownValidator, NotOwner, NotExiting', async () => {
    await vcReverts(vc.as(as(2)).exit(99), 'UnknownValidator', [99]);
    await vcReverts(vc.as(as(1)).exit(V), 'NotOwner', [l1.accounts[1].address]);
    await vcReverts(vc.as(as(2)).withdraw(V), 'NotExiting', [V]);
  });

  it('exit ends eligibility exitDelayEpochs later; withdraw waits withdrawalDelayEpochs more', async () => {
    const c = vc.as(as(2));
    await c.exit(V);
    const exitAt = (await vc.validators())[V].exitAt;
    expect(exitAt).toBe((await vc.currentEpoch()) + BigInt(P.exitDelayEpochs));
    await vcReverts(c.exit(V), 'AlreadyExiting', [V]);
    // eligible until exitAt: 4 eligible before, 3 (= h, threshold 1) from exitAt on
    expect((await vc.sample(exitAt - 1n)).members).toContain(V);
    expect([...(await vc.sample(exitAt)).members].sort()).toEqual([2, 4, 5]);
    const at = exitAt + BigInt(P.withdrawalDelayEpochs);
    await vcReverts(c.withdraw(V), 'TooEarly', [at]);
    await toEpochStart(at);
    const before = await l1.publicClient.getBalance({ address: vc.address });
    await c.withdraw(V);
    expect(before - (await l1.publicClient.getBalance({ address: vc.address }))).toBe(P.stake);
    expect((await vc.validators())[V]).toMatchObject({ withdrawn: true, slashed: false });
    await vcReverts(c.withdraw(V), 'AlreadyWithdrawn', [V]);
  });

  it('Slashed: a slashed validator exits but never withdraws', async () => {
    const c = vc.as(as(1));
    await c.exit(0);
    const exitAt = (await vc.validators())[0].exitAt;
    await toEpochStart(exitAt + BigInt(P.withdrawalDelayEpochs));
    await vcReverts(c.withdraw(0), 'Slashed', [0]);
  });

  it('AlreadyWithdrawn: a validator whose stake is withdrawn is not slashed any more', async () => {
    const c = vc.as(as(5));
    const sig = (x: Hex) => bytesToHex(sign(V, 5n, id(g), x));
    await vcReverts(
      c.slashEquivocation({
        index: V,
        publicKey: pk(V),
        prevId: id(g),
        a: { epoch: 5n, assertionId: word(1), signature: sig(word(1)) },
        b: { epoch: 5n, assertionId: word(2), signature: sig(word(2)) },
      }),
      'AlreadyWithdrawn',
      [V],
    );
    await vcReverts(
      c.slashWrongRoot({
        epoch: 5n,
        prevId: id(g),
        assertionId: id(lost),
        indices: [V],
        keys: [pk(V)],
        signature: sig(id(lost)),
      }),
      'AlreadyWithdrawn',
      [V],
    );
  });

  it('TooFewValidators once fewer than h remain eligible', async () => {
    await vc.as(as(1)).exit(2);
    const exitAt = (await vc.validators())[2].exitAt;
    await vcReverts(vc.sample(exitAt), 'TooFewValidators', [2n, 3n]);
  });
});

// the epoch helper must agree with the contract (a test of the test)
it('epochOfBlock mirrors currentEpoch', async () => {
  expect(await vc.currentEpoch()).toBe(epochOfBlock(await latest()));
});
