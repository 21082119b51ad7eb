/**
 * Validators on anvil with the real token STF: honest ones post and confirm assertions by
 * themselves; when a dishonest validator asserts a wrong state, the honest one disagrees, posts the
 * correct assertion, wins the dispute on L1 and takes the liar's stake. A restarted validator picks
 * the dispute up from the contracts.
 */
import { parseEventLogs } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenApp } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { TOKEN_CHAIN_ID, transfer } from '../apps/token/client.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { getArtifact } from '../l1/contracts.ts';
import { moduleFieldsHex } from '../proof/fraud/claim.ts';
import {
  connectSettlement,
  type DisputeParams,
  deploySettlement,
} from '../settlement/ethereum/deploy-settlement.ts';
import { toSolState } from '../settlement/ethereum/dispute-hash.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import { encodeTxList } from '../settlement/ethereum/message.ts';
import { AppChain } from './app-chain.ts';
import { Validator } from './validator.ts';

const ETH = 10n ** 18n;
/** long enough against the rounds of 5 s of the dispute test: a liar gains the time the honest party takes to answer, on every edge (the chess clock, docs/dispute.md §6) */
const PERIOD = 120;
const PARAMS: DisputeParams = {
  heights: [4, 12, 12],
  challengePeriod: BigInt(PERIOD),
  assertionBond: ETH,
  edgeBond: ETH / 10n,
};
const user = privateKeyToAccount(`0x${'42'.repeat(32)}`);

let l1: L1;
beforeAll(async () => {
  l1 = await startAnvil();
}, 60_000);
afterAll(async () => {
  await l1?.stop();
});

/** a token chain (the validators' follower), at the chain id `transfer` signs for */
const tokenChain = () => new AppChain({ app: loadApp(tokenApp().bytes, 'token'), chainId: TOKEN_CHAIN_ID });

async function chain() {
  const follower = tokenChain();
  const s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(follower.app.program),
    genesis: toSolState(follower.stateAt(0)),
    params: PARAMS,
  });
  let nonce = 0n;
  const env = {
    s,
    /** a deposit, then `n` batches of 2 transfers each */
    async traffic(n: number) {
      if (nonce === 0n) await s.bridge.depositEth(user.address, 10n * ETH);
      for (let i = 0; i < n; i++) {
        const txs = [];
        for (let j = 0; j < 2; j++)
          txs.push(await transfer(user, `0x${'0b'.repeat(20)}`, 1000n, { nonce: nonce++ }));
        await s.inbox.postBatch(encodeTxList(txs));
      }
    },
    validator(
      name: string,
      account: number,
      follower: AppChain,
      lie = false,
      log?: (l: string) => void,
      yieldBlocks?: number,
    ) {
      return new Validator({
        yieldBlocks,
        name,
        ...connectSettlement(s, walletFor(l1, l1.accounts[account].account)),
        follower,
        heights: PARAMS.heights,
        fromBlock: s.deployBlock,
        lie,
        log,
      });
    },
    async round(followers: AppChain[], validators: Validator[], seconds = 15) {
      for (const f of followers) await f.sync(s.inbox);
      for (const v of validators) await v.tick();
      await l1.testClient.increaseTime({ seconds });
      await l1.testClient.mine({ blocks: 1 });
    },
  };
  return env;
}

describe('validators', () => {
  it('two honest validators assert and confirm the chain without a dispute', async () => {
    const c = await chain();
    const fa = tokenChain();
    const fb = tokenChain();
    const a = c.validator('a', 1, fa);
    const b = c.validator('b', 2, fb);
    await c.traffic(2);
    for (let i = 0; i < 20; i++) {
      await c.round([fa, fb], [a, b]);
      if ((await confirmedPosition(c)) >= 3n) break;
    }
    expect(await confirmedPosition(c)).toBe(3n);
    const kinds = [...a.events, ...b.events].map((e) => e.kind);
    expect(kinds).toContain('assertion');
    expect(kinds).toContain('confirmed');
    expect(kinds).not.toContain('disagree');
  });

  it('yieldBlocks: a claim is posted only once it has been ready for that many L1 blocks', async () => {
    const c = await chain();
    const f = tokenChain();
    const v = c.validator('y', 3, f, false, undefined, 3);
    await c.traffic(1);
    const posted = () => v.events.filter((e) => e.kind === 'assertion').length;
    const blocks: bigint[] = [];
    for (let i = 0; i < 8 && posted() === 0; i++) {
      blocks.push(await l1.publicClient.getBlockNumber({ cacheTime: 0 }));
      await c.round([f], [v]);
    }
    expect(posted()).toBe(1);
    // ready at the first round; refrained while fewer than 3 blocks had passed since
    expect(blocks.length).toBe(4);
    expect(blocks[3] - blocks[0]).toBeGreaterThanOrEqual(3n);
  });

  it('an honest validator defeats a lying one on L1, takes its stake, and survives a restart mid-dispute', async () => {
    const c = await chain();
    const fh = tokenChain();
    const fl = tokenChain();
    const lines: string[] = [];
    let honest = c.validator('honest', 1, fh, false, (l) => lines.push(l));
    const liar = c.validator('liar', 2, fl, true);
    await c.traffic(2);
    // the liar is first to assert (honest validator offline)
    await fl.sync(c.s.inbox);
    await liar.tick();
    expect(liar.events.filter((e) => e.kind === 'assertion')).toHaveLength(1);
    // a devnet warps L1 time only across rounds in which every validator is quiet (docs/node.md §5)
    expect(liar.quiet).toBe(false); // it acted
    await honest.tick(); // its follower has not derived the asserted blocks: it cannot judge them yet
    expect(honest.quiet).toBe(false);
    expect(honest.events).toEqual([]);
    await liar.tick(); // nothing to do: no rival yet, its challenge period not over
    expect(liar.quiet).toBe(true);
    const liarBalance = await l1.publicClient.getBalance({ address: l1.accounts[2].address });
    let restarted = false;
    for (let i = 0; i < 120; i++) {
      await c.round([fh, fl], [honest, liar], 5);
      if (!restarted && honest.events.some((e) => e.kind === 'move' && e.move.startsWith('dissect'))) {
        honest = c.validator('honest-restarted', 1, fh, false, (l) => lines.push(l));
        restarted = true;
      }
      if (honest.events.some((e) => e.kind === 'slashed')) break;
    }
    // the next round takes back its edge bonds and sweeps the liar's
    await c.round([fh, fl], [honest, liar], 5);
    expect(lines.join('\n')).toMatch(/collected \d+ wei of edge bonds/);
    expect(restarted).toBe(true);
    expect(honest.events.some((e) => e.kind === 'confirmed' && e.byChallenge)).toBe(true);
    expect(honest.events.some((e) => e.kind === 'slashed')).toBe(true);
    expect(lines.join('\n')).toMatch(/one-step-proof/);
    // the liar's stake went to the honest validator
    const abi = (await getArtifact('Rollup')).abi;
    const logs = await l1.publicClient.getLogs({ address: c.s.addresses.rollup, fromBlock: c.s.deployBlock });
    const slashes = parseEventLogs({ abi, logs, eventName: 'StakeSlashed' }) as unknown as {
      args: { staker: string; winner: string; amount: bigint };
    }[];
    expect(slashes.map((l) => l.args)).toEqual([
      {
        staker: l1.accounts[2].address,
        lostAssertion: expect.any(String),
        winner: l1.accounts[1].address,
        amount: ETH,
      },
    ]);
    expect(await l1.publicClient.getBalance({ address: l1.accounts[2].address })).toBeLessThan(
      liarBalance - ETH,
    );
  });

  // issue 19 (2): edges are not owned, so a copycat may register the honest edges first; the liar's
  // swept bonds still go to the honest asserter (docs/dispute.md §4.4), the copycat gets its own back
  it('a copycat that plays the honest side first gets back only its own bonds; the liar bonds go to the honest asserter', async () => {
    const c = await chain();
    const fh = tokenChain();
    const fl = tokenChain();
    const fc = tokenChain();
    const honest = c.validator('honest', 1, fh);
    const liar = c.validator('liar', 2, fl, true);
    const copycat = c.validator('copycat', 3, fc);
    await c.traffic(2);
    await fh.sync(c.s.inbox);
    await honest.tick(); // the honest assertion, no rival yet
    await fl.sync(c.s.inbox);
    await liar.tick(); // its rival
    expect(honest.events.filter((e) => e.kind === 'assertion')).toHaveLength(1);
    for (let i = 0; i < 120; i++) {
      await c.round([fc, fh, fl], [copycat, honest, liar], 5); // the copycat moves first every round
      if ([...honest.events, ...copycat.events].some((e) => e.kind === 'slashed')) break;
    }
    await c.round([fc, fh, fl], [copycat, honest, liar], 5); // bonds collected
    const abi = (await getArtifact('ChallengeManager')).abi;
    const logs = await l1.publicClient.getLogs({
      address: c.s.addresses.challengeManager,
      fromBlock: c.s.deployBlock,
    });
    const created = parseEventLogs({ abi, logs, eventName: 'EdgeCreated' }) as unknown as {
      args: { payer: string };
    }[];
    const paid = parseEventLogs({ abi, logs, eventName: 'BondPaid' }) as unknown as {
      args: { to: string; swept: boolean };
    }[];
    const [h, l, cc] = [1, 2, 3].map((i) => l1.accounts[i].address);
    // the copycat registered honest edges (it went first), so it paid bonds
    expect(created.some((e) => e.args.payer === cc)).toBe(true);
    const swept = paid.filter((p) => p.args.swept);
    expect(swept.length).toBeGreaterThan(0);
    expect(swept.every((p) => p.args.to === h)).toBe(true);
    // refunds go back to whoever paid: the copycat breaks even, the liar gets nothing
    const refunds = paid.filter((p) => !p.args.swept).map((p) => p.args.to);
    expect(refunds).not.toContain(l);
    // and only refunds: none of the liar's bonds (a last-level edge's refund may come a round later)
    expect(paid.filter((p) => p.args.to === cc && p.args.swept)).toEqual([]);
    expect(paid.filter((p) => p.args.to === cc).length).toBeLessThanOrEqual(
      created.filter((e) => e.args.payer === cc).length,
    );
  });
});

async function confirmedPosition(c: Awaited<ReturnType<typeof chain>>): Promise<bigint> {
  const id = await c.s.rollup.latestConfirmed();
  const r = (await c.s.rollup.assertions(c.s.deployBlock)).find((x) => x.id === id);
  return r?.data.end.inboxPosition ?? 0n;
}
