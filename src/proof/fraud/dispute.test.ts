/**
 * Full disputes on anvil (docs/dispute.md): an honest validator against one and several lying
 * rivals, through every level down to the one-step proof or the padding proof; timeouts on both
 * sides; stakes and bonds move from losers to winners.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DisputeFixture, playUntil, setupDisputeFixture } from '../../../test/dispute-fixture.ts';
import {
  DISPUTE_TEST_PARAMS,
  DISPUTE_TEST_PERIOD,
  disputeTestGenesis,
  disputeTestPayload,
  disputeTestProgram,
} from '../../../test/test-stf.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { type AssertionData, nextBlockCount } from '../../settlement/ethereum/dispute-hash.ts';
import type { DisputeAgent } from './challenger.ts';
import { HonestClaim, LyingClaim } from './claim.ts';

const PERIOD = DISPUTE_TEST_PERIOD;
const PARAMS = DISPUTE_TEST_PARAMS;
const genesis = disputeTestGenesis;

let l1: L1;
beforeAll(async () => {
  l1 = await startAnvil();
});
afterAll(async () => {
  await l1?.stop();
});

/** A fresh chain whose first assertion (message 0) is confirmed; `count` more messages wait in the inbox. */
async function chainWithPending(count: number) {
  const f = await setupDisputeFixture(l1, { prog: disputeTestProgram(), params: PARAMS, genesis: genesis() });
  for (let i = 0; i <= count; i++) await f.postBatch(disputeTestPayload(i));
  const first = f.agent('first', 1, new HonestClaim(f.ctx, f.genesis, 1), f.genesisData);
  await first.postAssertion();
  await f.elapse(PERIOD);
  await first.advance();
  expect(await first.isConfirmed()).toBe(true);
  const prev = first.assertion as AssertionData;
  const start = new HonestClaim(f.ctx, f.genesis, 1).endState();
  const blocks = nextBlockCount(prev, PARAMS.heights[0]);
  return { f, prev, honest: new HonestClaim(f.ctx, start, blocks) };
}

const balance = (a: `0x${string}`) => l1.publicClient.getBalance({ address: a });
const kinds = (a: DisputeAgent) => a.moves.map((m) => m.kind);

describe('a dispute between an honest validator and a liar', () => {
  let f: DisputeFixture;
  let honest: DisputeAgent;
  let liar: DisputeAgent;

  it('the honest validator wins through both step levels down to a one-step proof', async () => {
    const c = await chainWithPending(3);
    f = c.f;
    honest = f.agent('honest', 2, c.honest, c.prev);
    liar = f.agent('liar', 3, new LyingClaim(c.honest, 1), c.prev);
    await honest.postAssertion();
    await liar.postAssertion();
    await playUntil(f, [honest, liar], () => honest.isConfirmed());
    expect(await liar.isConfirmed()).toBe(false);
    const k = kinds(honest);
    expect(k.filter((x) => x === 'subchallenge')).toHaveLength(2);
    expect(k).toContain('one-step-proof');
    expect(k).toContain('confirm-edge');
    expect(k.at(-1)).toBe('confirm-assertion');
    // the liar cannot prove its last step
    expect(kinds(liar)).not.toContain('one-step-proof');
  });

  it('the winner takes back its edge bonds and sweeps the liar ones', async () => {
    const before = await balance(f.l1.accounts[2].address);
    const collected = await honest.collectBonds();
    // its level-0 edge and two sub-challenges, each won against one liar edge
    expect(collected).toBe(6n * PARAMS.edgeBond);
    const gas = honest.moves.filter((m) => m.kind === 'collect').length;
    expect(gas).toBe(6);
    expect((await balance(f.l1.accounts[2].address)) - before).toBeGreaterThan(5n * PARAMS.edgeBond);
    expect(await honest.collectBonds()).toBe(0n);
  });

  it("the liar's stake goes to the winner, once", async () => {
    const before = await balance(f.l1.accounts[2].address);
    const liarData = liar.assertion as AssertionData;
    await f.settlement.rollup.slash(f.l1.accounts[3].address, [liarData]);
    expect((await balance(f.l1.accounts[2].address)) - before).toBe(PARAMS.assertionBond);
    await expect(f.settlement.rollup.slash(f.l1.accounts[3].address, [liarData])).rejects.toThrow(
      /NotStaked/,
    );
  });

  it('the honest stake can be withdrawn, the liar assertion is rejected for good', async () => {
    const honestRollup = f.settlement.rollup.as({
      publicClient: l1.publicClient,
      walletClient: (await import('../../settlement/ethereum/inbox.ts')).walletFor(
        l1,
        l1.accounts[2].account,
      ),
    });
    await honestRollup.withdrawStake();
    await expect(f.settlement.rollup.confirmAssertion(liar.assertion as AssertionData)).rejects.toThrow(
      /PrevNotLatestConfirmed/,
    );
  });
});

describe('many liars at once', () => {
  it('one honest validator defeats three rivals lying in different blocks and in the padding', async () => {
    const { f, prev, honest: claim } = await chainWithPending(3);
    const honest = f.agent('honest', 2, claim, prev);
    const liars = [
      f.agent('liar-0', 3, new LyingClaim(claim, 0, 'lie 0'), prev),
      f.agent('liar-2', 4, new LyingClaim(claim, 2, 'lie 2'), prev),
      f.agent('liar-pad', 5, new LyingClaim(claim, claim.blockCount, 'lie pad'), prev),
    ];
    await honest.postAssertion();
    for (const l of liars) await l.postAssertion();
    await playUntil(f, [honest, ...liars], () => honest.isConfirmed());
    for (const l of liars) expect(await l.isConfirmed()).toBe(false);
    // moves are permissionless: a liar that agrees with the honest history up to its own lie
    // defends the shared edges against the liars that lie earlier (liar-2 proves liar-0's lie,
    // liar-pad proves liar-2's); the honest validator only has to prove the padding itself
    const proofs = [honest, ...liars].flatMap((a) => a.moves.filter((m) => m.kind === 'one-step-proof'));
    expect(proofs.map((m) => m.detail)).toEqual([
      expect.stringMatching(/^block 0,/),
      expect.stringMatching(/^block 2,/),
    ]);
    expect(kinds(honest)).toContain('padding');
  });
});

describe('restarts', () => {
  it('an honest validator restarted mid-dispute rebuilds its view from the contracts and wins', async () => {
    const { f, prev, honest: claim } = await chainWithPending(2);
    const honest = f.agent('honest', 2, claim, prev);
    const liar = f.agent('liar', 3, new LyingClaim(claim, 1), prev);
    await honest.postAssertion();
    await liar.postAssertion();
    for (let i = 0; i < 3; i++) {
      await honest.advance();
      await liar.advance();
    }
    expect(kinds(honest)).toContain('dissect');
    // a new process: same key, same chain data, no memory of the moves
    const restarted = f.agent(
      'restarted',
      2,
      new HonestClaim(f.ctx, claim.blockState(0), claim.blockCount),
      prev,
    );
    restarted.adopt(honest.assertion as AssertionData, honest.assertionId as `0x${string}`);
    await playUntil(f, [restarted, liar], () => restarted.isConfirmed());
    // it repeated none of the moves made before the restart
    const before = new Set(honest.moves.map((m) => `${m.kind}:${m.level}:${m.start}:${m.w}`));
    for (const m of restarted.moves) expect(before.has(`${m.kind}:${m.level}:${m.start}:${m.w}`)).toBe(false);
    expect(kinds(restarted)).toContain('one-step-proof');
  });
});

describe('timeouts', () => {
  it('a liar that stops moving loses on time', async () => {
    const { f, prev, honest: claim } = await chainWithPending(2);
    const honest = f.agent('honest', 2, claim, prev);
    const liar = f.agent('liar', 3, new LyingClaim(claim, 0), prev);
    await honest.postAssertion();
    await liar.postAssertion();
    await liar.advance(); // creates its level-0 edge, then goes silent
    const rounds = await playUntil(f, [honest], () => honest.isConfirmed());
    expect(rounds).toBeGreaterThan(1);
    expect(await liar.isConfirmed()).toBe(false);
  });

  it('an honest validator that stays silent loses on time, and its late moves fail', async () => {
    const { f, prev, honest: claim } = await chainWithPending(2);
    const honest = f.agent('honest', 2, claim, prev);
    const liar = f.agent('liar', 3, new LyingClaim(claim, 0), prev);
    await honest.postAssertion();
    await liar.postAssertion();
    await playUntil(f, [liar], () => liar.isConfirmed());
    // too late: the liar's assertion is confirmed, the honest one can no longer be
    await honest.advance();
    expect(await honest.isConfirmed()).toBe(false);
    await expect(f.settlement.challenges.confirmEdgeByTime(honest.layerZeroEdge)).rejects.toThrow(
      /RivalConfirmed|TimerTooLow/,
    );
  });
});
