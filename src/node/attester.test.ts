/**
 * The attester (docs/attested.md §7) on anvil with the real token STF, the ValidatorCommittee and
 * the Rollup's confirmAttested: 6 validators registered, committees of 4 with 2 assumed honest
 * (a quorum is 3), epochs of 4 L1 blocks.
 *
 * - the committee signs an honest assertion and it is confirmed by attestation at once;
 * - members down: fewer than a quorum run, the assertion is confirmed by time (the fallback);
 * - members lying: an assertion that is not the node's derivation is never signed, and the
 *   colluders (all but the assumed-honest members) are one signature short of a quorum;
 * - equivocation: a member's signatures on two children of one parent get it slashed;
 * - a rotation boundary during signing: the previous epoch's signatures still confirm;
 * - a stale epoch's signatures are refused on L1 (StaleEpoch), the members sign again.
 */
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenApp } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { TOKEN_CHAIN_ID, transfer } from '../apps/token/client.ts';
import { buildAttestation, encodeAttestation } from '../attest/attestation.ts';
import { signAttestation } from '../attest/message.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { HonestClaim, moduleFieldsHex } from '../proof/fraud/claim.ts';
import {
  connectSettlement,
  type DisputeParams,
  deploySettlement,
} from '../settlement/ethereum/deploy-settlement.ts';
import {
  type AssertionData,
  assertionId,
  nextBlockCount,
  toSolState,
} from '../settlement/ethereum/dispute-hash.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import { encodeTxList } from '../settlement/ethereum/message.ts';
import type { AssertionRecord } from '../settlement/ethereum/rollup.ts';
import type { CommitteeParams } from '../settlement/ethereum/validator-committee.ts';
import { AppChain } from './app-chain.ts';
import {
  AttestationPool,
  Attester,
  type AttesterEvent,
  localValidatorKey,
  type SigningPolicy,
  type ValidatorKey,
} from './attester.ts';
import { Validator } from './validator.ts';

const ETH = 10n ** 18n;
const PERIOD = 60;
const PARAMS: DisputeParams = {
  heights: [4, 12, 12],
  challengePeriod: BigInt(PERIOD),
  assertionBond: ETH,
  edgeBond: ETH / 10n,
};
const COMMITTEE: CommitteeParams = {
  activeSize: 4,
  assumedHonest: 2,
  epochBlocks: 4,
  stake: ETH,
  entryDelayEpochs: 2,
  exitDelayEpochs: 2,
  withdrawalDelayEpochs: 0,
  slashRewardPercent: 50,
};
const VALIDATORS = 6;
const KEYS: ValidatorKey[] = Array.from({ length: VALIDATORS }, (_, i) =>
  localValidatorKey(i, 'attester-test'),
);
const user = privateKeyToAccount(`0x${'42'.repeat(32)}`);

let l1: L1;
beforeAll(async () => {
  l1 = await startAnvil();
}, 60_000);
afterAll(async () => {
  await l1?.stop();
});

const tokenChain = () => new AppChain({ app: loadApp(tokenApp().bytes, 'token'), chainId: TOKEN_CHAIN_ID });

/** A deployed attested chain with VALIDATORS registered, mined until an epoch with a committee is current. */
async function chain() {
  const app = tokenChain();
  const s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(app.app.program),
    genesis: toSolState(app.stateAt(0)),
    params: PARAMS,
    attested: COMMITTEE,
  });
  const committee = s.committee;
  if (!committee) throw new Error('no committee deployed');
  const owner = committee.as({
    publicClient: l1.publicClient,
    walletClient: walletFor(l1, l1.accounts[5].account),
  });
  for (const k of KEYS) await owner.register(k.publicKey, k.proofOfPossession, COMMITTEE.stake);
  const pool = new AttestationPool({ chainId: BigInt(l1.chainId), committee: committee.address });
  let nonce = 0n;
  const env = {
    s,
    committee,
    pool,
    follower: tokenChain(),
    async mine(blocks = 1) {
      await l1.testClient.mine({ blocks });
    },
    /** mines until `e` is the current epoch */
    async mineToEpoch(e: bigint) {
      while ((await committee.currentEpoch()) < e) await l1.testClient.mine({ blocks: 1 });
    },
    async traffic(n: number) {
      if (nonce === 0n) await s.bridge.depositEth(user.address, 10n * ETH);
      for (let i = 0; i < n; i++) {
        const txs = [await transfer(user, `0x${'0b'.repeat(20)}`, 1000n, { nonce: nonce++ })];
        await s.inbox.postBatch(encodeTxList(txs));
      }
    },
    /** a validator (a liar derives on a follower of its own) */
    validator(name: string, account: number, lie = false) {
      const follower = lie ? tokenChain() : env.follower;
      const v = new Validator({
        name,
        ...connectSettlement(s, walletFor(l1, l1.accounts[account].account)),
        follower,
        heights: PARAMS.heights,
        fromBlock: s.deployBlock,
        lie,
      });
      return Object.assign(v, { follower });
    },
    /** an attester sending from dev account `account` (6; a validator's own to run its fast path) */
    attester(keys: ValidatorKey[], policy?: SigningPolicy, log?: (l: string) => void, account = 6) {
      const wallet = walletFor(l1, l1.accounts[account].account);
      const clients = { publicClient: l1.publicClient, walletClient: wallet };
      return new Attester({
        name: 'attester',
        committee: committee.as(clients),
        rollup: s.rollup.as(clients),
        pool,
        keys,
        follower: env.follower,
        heights: PARAMS.heights,
        fromBlock: s.deployBlock,
        ...(policy ? { policy } : {}),
        ...(log ? { log } : {}),
      });
    },
    async pending(): Promise<AssertionRecord[]> {
      const all = await s.rollup.assertions(s.deployBlock);
      const out = [];
      for (const r of all) if ((await s.rollup.status(r.id)) === 'pending') out.push(r);
      return out;
    },
  };
  // every validator eligible (entry delay after the last registration): committees of 4
  await env.mineToEpoch((await committee.currentEpoch()) + BigInt(COMMITTEE.entryDelayEpochs));
  return env;
}

type Env = Awaited<ReturnType<typeof chain>>;

/** Syncs the followers, then one round of each validator and attester (no L1 time warp). */
async function round(c: Env, followers: AppChain[], actors: { tick(): Promise<void> }[]) {
  for (const f of new Set([c.follower, ...followers])) await f.sync(c.s.inbox);
  for (const a of actors) await a.tick();
}

const kinds = (events: AttesterEvent[], kind: AttesterEvent['kind']) => events.filter((e) => e.kind === kind);

describe('attester (docs/attested.md §7)', () => {
  it('the committee signs the honest assertion and confirms it by attestation a few L1 blocks later', async () => {
    const c = await chain();
    const v = c.validator('v', 1);
    const a = c.attester(KEYS);
    await c.traffic(2);
    const before = await c.committee.currentEpoch();
    await round(c, [], [a]); // seals the current and the next epoch
    const sealed = kinds(a.events, 'sealed') as Extract<AttesterEvent, { kind: 'sealed' }>[];
    // (the current one too, unless its last block passed: a seal is mined in the next block)
    expect(sealed.map((e) => e.epoch)).toContain(before + 1n);
    expect(await c.committee.epoch(before + 1n)).toMatchObject({ threshold: 3 });
    await round(c, [], [v]);
    for (let i = 0; i < 3 && a.events.every((e) => e.kind !== 'attested'); i++) await round(c, [], [a]);
    const created = v.events.find((e) => e.kind === 'assertion');
    expect(created).toBeDefined();
    const attested = kinds(a.events, 'attested') as Extract<AttesterEvent, { kind: 'attested' }>[];
    expect(attested).toHaveLength(1);
    expect(attested[0].id).toBe((created as { id: Hex }).id);
    expect(await c.s.rollup.status(attested[0].id)).toBe('confirmed');
    expect(await c.s.rollup.latestConfirmed()).toBe(attested[0].id);
    // 3 or 4 signers of the epoch's 4 members (every validator is this attester's)
    expect(attested[0].signers).toBe(4);
    const rec = (await c.s.rollup.assertions(c.s.deployBlock)).find((r) => r.id === attested[0].id);
    // the confirmation, after at most a seal of the new epoch (or two, if sealing turned the epoch)
    expect(attested[0].l1Block - (rec as AssertionRecord).blockNumber).toBeLessThanOrEqual(3n);
    // the attested module's evidence is the pool's signatures on it
    expect(
      c.pool.signaturesFor(
        rec!.data.prevId,
        c.follower.stateAt(Number(rec!.data.end.inboxPosition)),
        rec!.data.blockCount,
      )?.signatures,
    ).toHaveLength(4);
  });

  it("fast path: created and confirmed in one transaction; a busy chain's follow-up in the same round; the validator adopts them", async () => {
    const c = await chain();
    const v = c.validator('v', 1);
    const a = c.attester(KEYS, undefined, undefined, 1); // the validator's wallet
    await round(c, [], [v, a]); // the validator starts; the attester seals the current and the next epoch
    await c.traffic(2); // a deposit and two batches: the assertion after genesis covers one block
    await round(c, [], []);
    const made = await a.fastPath();
    // the first ends at genesis' nextInboxPosition (1); the second covers the rest of the inbox
    expect(made).toHaveLength(2);
    const records = await c.s.rollup.assertions(c.s.deployBlock);
    const attested = kinds(a.events, 'attested') as Extract<AttesterEvent, { kind: 'attested' }>[];
    expect(attested.map((e) => e.id)).toEqual(made);
    for (const e of attested) {
      const rec = records.find((r) => r.id === e.id) as AssertionRecord;
      expect(e.created).toBe(true);
      expect(e.l1Block).toBe(rec.blockNumber); // confirmed in the block that created it
      expect(await c.s.rollup.status(e.id)).toBe('confirmed');
    }
    expect(records[2].data.prevId).toBe(made[0]);
    expect(records[2].data.end.inboxPosition).toBe(3n);
    expect(await c.s.rollup.latestConfirmed()).toBe(made[1]);
    // the chain derived no further: nothing more to create; the validator posts nothing and adopts both
    expect(await a.fastPath()).toEqual([]);
    await round(c, [], [v, a]);
    expect(v.events.filter((e) => e.kind === 'assertion').map((e) => (e as { id: Hex }).id)).toEqual(made);
    expect(await c.s.rollup.latestStaked(v.address)).toBe(made[1]);
    expect((await c.s.rollup.assertions(c.s.deployBlock)).length).toBe(3);
    // the next batch: its assertion goes the fast way too, the stake moves along
    await c.traffic(1);
    await round(c, [], []);
    const next = await a.fastPath();
    expect(next).toHaveLength(1);
    expect(await c.s.rollup.latestStaked(v.address)).toBe(next[0]);
  });

  it('fast path: a wrong prediction (a message landed after the count was read) reverts; the plain path confirms, members unbound', async () => {
    const c = await chain();
    const v = c.validator('v', 1);
    const lines: string[] = [];
    const a = c.attester(KEYS, undefined, (l) => lines.push(l), 1);
    await round(c, [], [a]);
    await c.traffic(2);
    await round(c, [], []);
    // the count read before the last message: the id the members sign is not the one created
    const rollup = (a as unknown as { o: { rollup: { inboxCount(): Promise<bigint> } } }).o.rollup;
    const count = await rollup.inboxCount();
    rollup.inboxCount = async () => count - 1n;
    expect(await a.fastPath()).toEqual([]);
    expect(lines.some((l) => /createAttestedAssertion .* refused: BadAggregateSignature/.test(l))).toBe(true);
    expect(await c.s.rollup.assertions(c.s.deployBlock)).toHaveLength(1); // nothing created
    expect(c.pool.assertions()).toEqual([]); // no member bound to the child that was never created
    // the plain path: the validator posts, the attester's members sign it and confirm it
    await round(c, [], [v, a]);
    const attested = kinds(a.events, 'attested') as Extract<AttesterEvent, { kind: 'attested' }>[];
    expect(attested).toHaveLength(1);
    expect(attested[0].created).toBeUndefined();
    expect(attested[0].id).toBe((v.events.find((e) => e.kind === 'assertion') as { id: Hex }).id);
  });

  it('fast path: after a wrong prediction it predicts again from the new count in the same round', async () => {
    const c = await chain();
    const lines: string[] = [];
    const a = c.attester(KEYS, undefined, (l) => lines.push(l), 1);
    await round(c, [], [a]);
    await c.traffic(2);
    await round(c, [], []);
    // the first count read is stale (a message landed after it), the next ones are not
    const rollup = (a as unknown as { o: { rollup: { inboxCount(): Promise<bigint> } } }).o.rollup;
    const real = rollup.inboxCount.bind(rollup);
    let reads = 0;
    rollup.inboxCount = async () => (reads++ === 0 ? (await real()) - 1n : real());
    const made = await a.fastPath();
    expect(made).toHaveLength(2);
    expect(reads).toBeGreaterThan(2);
    expect(lines.some((l) => /refused/.test(l))).toBe(false);
    expect(await c.s.rollup.latestConfirmed()).toBe(made[1]);
  });

  it('members down: without a quorum the assertion is confirmed by time (the fraud path)', async () => {
    const c = await chain();
    const v = c.validator('v', 1);
    const a = c.attester(KEYS.slice(0, 1)); // one member's key at most: never 3 of 4
    await c.traffic(1);
    await round(c, [], [v, a]);
    expect(await a.fastPath()).toEqual([]); // no quorum: the fast path does nothing
    for (let i = 0; i < 5; i++) await round(c, [], [v, a]);
    expect(kinds(a.events, 'attested')).toEqual([]);
    const [pending] = await c.pending();
    expect(pending).toBeDefined();
    await l1.testClient.increaseTime({ seconds: PERIOD + 1 });
    await c.mine();
    await round(c, [], [v, a]);
    expect(await c.s.rollup.status(pending.id)).toBe('confirmed');
    expect(v.events.some((e) => e.kind === 'confirmed' && !e.byChallenge)).toBe(true);
    expect(kinds(a.events, 'attested')).toEqual([]);
  });

  it('members lying: a wrong root is never signed by honest members; the colluders are one short of a quorum', async () => {
    const c = await chain();
    const liar = c.validator('liar', 2, true);
    const lines: string[] = [];
    // colluders: every member but the first assumedHonest of the committee signs whatever the liar asserts
    const collude: SigningPolicy = ({ record, honest, position }) =>
      position < COMMITTEE.assumedHonest ? honest : record.asserter === l1.accounts[2].address;
    const honestOnly = c.attester(KEYS, undefined, (l) => lines.push(l));
    const colluding = c.attester(KEYS, collude);
    await c.traffic(1);
    const lf = liar.follower;
    await round(c, [lf], [liar]);
    const [lie] = await c.pending();
    expect(lie.asserter).toBe(l1.accounts[2].address);
    // (a round in which its seal transaction turned the epoch signs nothing: the next one judges)
    for (let i = 0; i < 4 && !/refuses/.test(lines.join()); i++) await round(c, [lf], [honestOnly]);
    expect(lines.join('\n')).toMatch(/refuses to sign 0x[0-9a-f]+: end state root 0x[0-9a-f]+ is not ours/);
    expect(kinds(honestOnly.events, 'signed')).toEqual([]);
    for (let i = 0; i < 4 && colluding.events.every((e) => e.kind !== 'signed'); i++)
      await round(c, [lf], [colluding]);
    const signed = kinds(colluding.events, 'signed') as Extract<AttesterEvent, { kind: 'signed' }>[];
    expect(signed.length).toBeGreaterThan(0);
    for (const e of signed) expect(e.signers).toBe(COMMITTEE.activeSize - COMMITTEE.assumedHonest);
    expect(kinds(colluding.events, 'attested')).toEqual([]);
    expect(await c.s.rollup.status(lie.id)).toBe('pending');

    // an assertion with the right end state and history after the wrong root is not signed either
    await c.traffic(1);
    await c.follower.sync(c.s.inbox);
    const start = Number(lie.data.end.inboxPosition);
    const blocks = nextBlockCount(lie.data, PARAMS.heights[0]);
    expect(blocks).toBeGreaterThan(0);
    const known = Array.from({ length: blocks }, (_, i) => c.follower.stateAt(start + i + 1));
    const claim = new HonestClaim(
      c.follower.executionContext(PARAMS.heights),
      c.follower.stateAt(start),
      blocks,
      known,
    );
    const l0 = claim.level0();
    const poster = c.s.rollup.as({
      publicClient: l1.publicClient,
      walletClient: walletFor(l1, l1.accounts[3].account),
    });
    const child = await poster.createAssertion(
      lie.data,
      toSolState(claim.endState()),
      bytesToHex(l0.inner(0, l0.h)),
      ETH,
    );
    for (let i = 0; i < 4 && !lines.some((l) => l.includes(`refuses to sign ${child.id.slice(0, 10)}`)); i++)
      await round(c, [lf], [honestOnly]);
    // (its history root commits to the wrong parent state: not ours; and its parent is not ours)
    expect(lines.join('\n')).toMatch(new RegExp(`refuses to sign ${child.id.slice(0, 10)}: history root`));
    expect(
      c.pool
        .onAssertion(child.id)
        .filter((e) => e.validator >= 0 && honestOnly.validatorIndices.includes(e.validator)),
    ).toEqual([]);
  });

  it('equivocation: a member that signed two children of one parent is slashed with the two signatures', async () => {
    const c = await chain();
    const v = c.validator('v', 1);
    // two members of each committee sign: no quorum, the assertion stays pending
    const a = c.attester(KEYS, ({ honest, position }) => honest && position < 2);
    await c.traffic(1);
    await round(c, [], [v, a]);
    await round(c, [], [v, a]);
    const [honest] = await c.pending();
    const mine = c.pool.onAssertion(honest.id);
    expect(mine.length).toBeGreaterThan(0);
    const cheat = mine[0];
    // the same member signs a sibling (another end state after the same parent)
    const sibling: AssertionData = {
      ...honest.data,
      end: { ...honest.data.end, stateRoot: `0x${'66'.repeat(32)}` },
    };
    const key = KEYS.find((k) => k.publicKey === cheat.publicKey) as ValidatorKey;
    const digest = c.pool.digest(cheat.epoch, sibling.prevId, assertionId(sibling));
    c.pool.add({
      validator: cheat.validator,
      publicKey: key.publicKey,
      epoch: cheat.epoch,
      assertion: sibling,
      signature: bytesToHex(signAttestation(key.secretKey, digest)),
    });
    // a forged signature never enters the pool
    expect(() =>
      c.pool.add({
        validator: 99,
        publicKey: key.publicKey,
        epoch: cheat.epoch,
        assertion: { ...sibling, blockCount: 9n },
        signature: cheat.signature,
      }),
    ).toThrow(/does not verify/);
    await round(c, [], [a]);
    const slashed = kinds(a.events, 'slashed') as Extract<AttesterEvent, { kind: 'slashed' }>[];
    expect(slashed).toMatchObject([{ reason: 'equivocation', validators: [cheat.validator] }]);
    expect(await c.committee.slashed()).toMatchObject([{ index: cheat.validator, reason: 'equivocation' }]);
    // and the attester never signs with it again
    await round(c, [], [a]);
    expect(kinds(a.events, 'slashed')).toHaveLength(1);
  });

  it('a rotation boundary during signing: the previous epoch signatures still confirm; a stale epoch is refused', async () => {
    const c = await chain();
    const v = c.validator('v', 1);
    const sealer = c.attester([]); // seals and aggregates, signs nothing
    await c.traffic(2);
    await round(c, [], [sealer, v]);
    const [r] = await c.pending();
    const e = await c.committee.currentEpoch();
    const info = (await c.committee.epoch(e))!;
    // the epoch's members sign in epoch e (as nodes on the network would)
    const signAll = (epoch: bigint, members: number[]) => {
      const digest = c.pool.digest(epoch, r.data.prevId, r.id);
      return new Map(
        members.map((m, pos) => {
          const key = KEYS[m];
          const sig = signAttestation(key.secretKey, digest);
          c.pool.add({
            validator: m,
            publicKey: key.publicKey,
            epoch,
            assertion: r.data,
            signature: bytesToHex(sig),
          });
          return [pos, sig] as const;
        }),
      );
    };
    // registration order = index: KEYS[i] is validator i
    const sigs = signAll(e, info.members);
    const att = encodeAttestation(
      buildAttestation({
        epoch: e,
        members: info.members,
        memberKeys: info.members.map((m) => hexToBytes(KEYS[m].publicKey)),
        signatures: sigs,
        threshold: info.threshold,
      }),
    );
    // two epochs later they are stale: L1 refuses them, and the attester does not use them
    await c.mineToEpoch(e + 2n);
    await expect(c.s.rollup.confirmAttested(r.data, att)).rejects.toThrow(/StaleEpoch/);
    await round(c, [], [sealer]);
    expect(kinds(sealer.events, 'attested')).toEqual([]);
    // the new epoch's members sign, the epoch turns before the confirmation: e+2's signatures still count in e+3
    const now = await c.committee.currentEpoch();
    signAll(now, (await c.committee.epoch(now))!.members);
    await c.mineToEpoch(now + 1n);
    await round(c, [], [sealer]);
    const attested = kinds(sealer.events, 'attested') as Extract<AttesterEvent, { kind: 'attested' }>[];
    expect(attested).toMatchObject([{ id: r.id, epoch: now }]);
    expect(await c.s.rollup.status(r.id)).toBe('confirmed');
  });
});
