/**
 * The L3's settlement contracts on a modex EVM chain (issue 21 item 3, docs/l3.md): anvil (L1) and
 * a modex EVM chain settling on it (the L2: its sequencer role and batcher, bench/l3-chain.ts); the
 * full settlement stack deployed on the L2 through its Ethereum JSON-RPC with the L1 deploy
 * function, a batch, a deposit, an assertion, real one-step proofs executed by the L2's EVM and
 * corrupted ones refused, and the L2 batches carrying them on L1; the same on anvil, the gas compared. Then the blocker, measured: before any L1 tick the L2's TIMESTAMP is 0 (docs/evm.md §4), so the
 * Rollup's challenge period and the Inbox's force-inclusion delay never elapse there; and the fix:
 * `Inbox.tick()` on L1 gives the L2 L1's time (docs/inbox.md §6.4), and the same calls pass on the L2.
 */
import { getAddress, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectL1, type L1 } from '../src/l1/anvil.ts';
import { assertionId } from '../src/settlement/ethereum/dispute-hash.ts';
import { walletFor } from '../src/settlement/ethereum/inbox.ts';
import { expectRevert } from '../src/settlement/ethereum/test-utils.ts';
import { DISPUTE_TEST_PERIOD } from '../test/test-stf.ts';
import { type L3Probe, l1Carriers, probeL3Settlement } from './l3.ts';
import { L2_KEYS, type L2OnAnvil, startL2OnAnvil } from './l3-chain.ts';

const MAX_DELAY = 3600n; // the fixture's Inbox maxDelaySeconds
const SOMEONE = getAddress('0x000000000000000000000000000000000000beef');

let anvil: L1;
let l2: L1;
let c: L2OnAnvil;
beforeAll(async () => {
  // anvil (L1, cancun: the L2's EVM rules; the default prague adds EIP-7623's calldata floor) and a
  // modex EVM chain settling on it; the anvil probe signs with the L2's keys (the same addresses in
  // the calldata on both chains), not with the L2's batcher's (anvil's first)
  c = await startL2OnAnvil();
  l2 = c.l2;
  anvil = await connectL1(c.anvil.rpcUrl, { privateKeys: L2_KEYS, pollingIntervalMs: 20 });
}, 180_000);
afterAll(async () => {
  await c?.close();
});

/** a rival of the probe's pending assertion (the same parent, another end state, another staker); hasRival of the parent */
async function rival(l: L1, p: L3Probe): Promise<boolean> {
  const r = p.fixture.settlement.rollup;
  const other = r.as({ publicClient: l.publicClient, walletClient: walletFor(l, l.accounts[1].account) });
  const end = { ...p.assertion.end, stateRoot: keccak256(p.assertion.end.stateRoot) };
  const c = await other.createAssertion(
    p.fixture.genesisData,
    end,
    keccak256('0x01'),
    await r.assertionBond(),
  );
  expect(c.id).not.toBe(assertionId(p.assertion));
  return r.hasRival(assertionId(p.fixture.genesisData));
}

/** `Inbox.tick()` on L1 (anvil), then waits until the L2 runs at that time; returns it */
async function tickL2(): Promise<bigint> {
  const t = await c.chain.inbox.connect(c.anvil.walletClient).tick();
  const block = await c.anvil.publicClient.getBlock({ blockNumber: t.receipt.blockNumber });
  for (let i = 0; (await l2.publicClient.getBlock()).timestamp < block.timestamp; i++) {
    if (i > 600) throw new Error('the L1 tick did not reach the L2 within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return block.timestamp;
}

describe('an L3’s settlement contracts on a modex EVM chain (slow)', () => {
  let onL2: L3Probe;
  let onAnvil: L3Probe;

  it('deploys the stack on the L2 through its JSON-RPC; batch, deposit, assertion, one-step proofs', {
    timeout: 300_000,
  }, async () => {
    onL2 = await probeL3Settlement(l2);
    const g = onL2.gas;
    expect(Object.keys(g.deploy).sort()).toEqual(
      [
        'inbox',
        'oracle',
        'prover',
        'challengeManager',
        'rollup',
        'bridge',
        'challengeManager.initialize',
        'inbox.initialize',
      ].sort(),
    );
    // EIP-170 holds on the L2 (anvil runs with --disable-code-size-limit): every contract fits
    for (const n of Object.values(g.codeBytes)) expect(n).toBeGreaterThan(0);
    for (const n of Object.values(g.codeBytes)) expect(n).toBeLessThanOrEqual(24_576);
    expect(g.osp.map((o) => o.what)).toEqual(['first step', 'inbox_read', 'keccak256_pair']);
    for (const o of g.osp) expect(o.gasUsed).toBeGreaterThan(21_000n);
    expect(await onL2.fixture.settlement.bridge.balance()).toBe(10n ** 15n);
    // the L2's batches that carry these calls are on L1: calldata, one L2 block each
    const l1 = await l1Carriers(c, onL2);
    expect(Object.keys(l1).sort()).toEqual(Object.keys(onL2.txs).sort());
    for (const x of Object.values(l1)) {
      expect(x.gasUsed).toBeGreaterThan(21_000n);
      expect(x.bytes).toBeGreaterThan(100);
    }
  });

  it('corrupted proofs are refused on the L2 as on anvil; every call costs the same gas but the assertion', {
    timeout: 300_000,
  }, async () => {
    onAnvil = await probeL3Settlement(anvil);
    expect(onL2.gas.refused).toEqual({ otherPre: 'MachineHashMismatch', truncated: 'ProofTooShort' });
    expect(onAnvil.gas.refused).toEqual(onL2.gas.refused);
    // createAssertion writes the parent's firstChildAt = block.timestamp: 0 over 0 on the L2 is a
    // no-op SSTORE (100 gas) where anvil pays 2,900 for a non-zero value in a dirty slot
    expect(onAnvil.gas.assertion - onL2.gas.assertion).toBe(2_800n);
    // the same EVM (Cancun on both): otherwise the same gas for the same call
    expect({ ...onL2.gas, assertion: 0n }).toEqual({ ...onAnvil.gas, assertion: 0n });
  });

  it('the blocker: TIMESTAMP 0 on the L2, so the challenge period and the force-inclusion delay never elapse', {
    timeout: 300_000,
  }, async () => {
    const period = BigInt(DISPUTE_TEST_PERIOD);
    // L2: blocks go by, the headers' and the EVM's time stays 0
    for (let i = 0; i < 3; i++)
      await l2.publicClient.waitForTransactionReceipt({
        hash: await l2.walletClient.sendTransaction({ to: SOMEONE, value: 1n }),
      });
    const head = await l2.publicClient.getBlock();
    expect(head.timestamp).toBe(0n);
    const r2 = onL2.fixture.settlement;
    await expectRevert(r2.rollup.confirmAssertion(onL2.assertion), 'Rollup', 'TooEarly', [period]);
    await r2.bridge.depositEth(SOMEONE, 1n);
    const last = (await r2.inbox.delayedCount()) - 1n;
    await expectRevert(r2.inbox.forceInclusion(last + 1n), 'Inbox', 'ForceInclusionTooEarly', [
      last,
      MAX_DELAY,
    ]);

    // anvil: the same calls pass once the time has passed
    const r1 = onAnvil.fixture.settlement;
    const created = (await anvil.publicClient.getBlock()).timestamp;
    await onAnvil.fixture.elapse(DISPUTE_TEST_PERIOD);
    expect((await anvil.publicClient.getBlock()).timestamp).toBeGreaterThanOrEqual(created + period);
    expect((await r1.rollup.confirmAssertion(onAnvil.assertion)).gasUsed).toBeGreaterThan(21_000n);
    await r1.bridge.depositEth(SOMEONE, 1n);
    await onAnvil.fixture.elapse(Number(MAX_DELAY));
    expect((await r1.inbox.forceInclusion(await r1.inbox.delayedCount())).gasUsed).toBeGreaterThan(21_000n);
  });

  it('the blocker, worse: with TIMESTAMP 0 the Rollup never notices a rival (firstChildAt stays 0)', {
    timeout: 300_000,
  }, async () => {
    // a rival of the pending assertion: the same parent, another end state, from another staker
    await l2.fund(l2.accounts[1].address, 2n * 10n ** 18n);
    const fresh = await probeL3Settlement(l2); // the first deployment's genesis child is pending too
    expect(await rival(l2, fresh)).toBe(false);
    expect(await rival(anvil, await probeL3Settlement(anvil))).toBe(true);
  });

  it('the fix: Inbox.tick() on L1 gives the L2 L1’s time; the Rollup sees a rival, confirms once the period has passed, a delayed message can be forced', {
    timeout: 300_000,
  }, async () => {
    const period = BigInt(DISPUTE_TEST_PERIOD);
    // the L2's own inbox on L1: anyone ticks; the L2's sequencer includes it like a deposit
    const t1 = await tickL2();
    expect(t1).toBeGreaterThan(0n);
    const head = await l2.publicClient.getBlock();
    expect(head.timestamp).toBe(t1); // the JSON-RPC's header: the chain's time
    // the L3's contracts deployed and used on the L2 under that time
    const a = await probeL3Settlement(l2);
    // before the period: TooEarly(createdAt + period), createdAt = the L1 tick's time (negative)
    await expectRevert(a.fixture.settlement.rollup.confirmAssertion(a.assertion), 'Rollup', 'TooEarly', [
      t1 + period,
    ]);
    // a deposit through the L3's bridge, left out by the L3's sequencer: not forceable yet (negative)
    const r2 = a.fixture.settlement;
    await r2.bridge.depositEth(SOMEONE, 1n);
    const last = (await r2.inbox.delayedCount()) - 1n;
    const { timestamp: sentAt } = await r2.inbox.delayedMessage(last);
    expect(sentAt).toBe(t1);
    await expectRevert(r2.inbox.forceInclusion(last + 1n), 'Inbox', 'ForceInclusionTooEarly', [
      last,
      t1 + MAX_DELAY,
    ]);
    // a rival is noticed now (firstChildAt = a non-zero time), as on anvil
    await l2.fund(l2.accounts[1].address, 2n * 10n ** 18n);
    expect(await rival(l2, await probeL3Settlement(l2))).toBe(true);
    // L1's time passes; the next tick carries it to the L2: the unrivaled assertion confirms and the
    // censored deposit can be forced
    await c.anvil.testClient.increaseTime({ seconds: Number(MAX_DELAY) });
    await c.anvil.testClient.mine({ blocks: 1 });
    const t2 = await tickL2();
    expect(t2).toBeGreaterThanOrEqual(t1 + MAX_DELAY);
    expect(MAX_DELAY).toBeGreaterThan(period);
    const confirmed = await r2.rollup.confirmAssertion(a.assertion);
    expect(confirmed.gasUsed).toBeGreaterThan(21_000n);
    expect((await r2.inbox.forceInclusion(last + 1n)).gasUsed).toBeGreaterThan(21_000n);
  });
});
