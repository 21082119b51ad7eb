/**
 * Rollup.sol on anvil (docs/dispute.md §2): a negative test for every revert path (each custom
 * error, through RollupClient or a raw call), next to the move that succeeds; confirmation by time,
 * rejection, withdrawals, slashing and the owed-payout fallback.
 */
import { type Address, concatHex, getAddress, type Hex, numberToHex, parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DisputeFixture, setupDisputeFixture } from '../../../test/dispute-fixture.ts';
import {
  disputeTestGenesis,
  disputeTestPayload,
  disputeTestProgram,
  DISPUTE_TEST_PARAMS as PARAMS,
  DISPUTE_TEST_PERIOD as PERIOD,
} from '../../../test/test-stf.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { ROLLUP_ERRORS } from './dispute-errors.ts';
import { type AssertionData, assertionId, nodeHex, type SolGlobalState, stateHash } from './dispute-hash.ts';
import { sendContractTx, type TxResult, walletFor } from './inbox.ts';
import { RollupClient } from './rollup.ts';
import { expectRevert } from './test-utils.ts';

const BOND = PARAMS.assertionBond;
const word = (n: number | bigint): Hex => numberToHex(BigInt(n), { size: 32 });
const end = (n: number, inboxPosition: bigint): SolGlobalState => ({
  stateRoot: word(0x5700 + n),
  sendRoot: word(0x5e00 + n),
  inboxPosition,
  positionInMessage: 0n,
});
const inner = (n: number): Hex => word(0x1000 + n);
/** §2.2: the inbox position an assertion after `prev` must stop at */
const target = (prev: AssertionData): bigint => {
  const cap = prev.end.inboxPosition + (1n << BigInt(PARAMS.heights[0]));
  return prev.nextInboxPosition < cap ? prev.nextInboxPosition : cap;
};

let l1: L1;
beforeAll(async () => {
  l1 = await startAnvil();
});
afterAll(async () => {
  await l1?.stop();
});

const reverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'Rollup', name, args);

const balance = (a: Address) => l1.publicClient.getBalance({ address: a });
/** what a transaction cost its sender */
function fee(tx: TxResult): bigint {
  return tx.receipt.gasUsed * tx.receipt.effectiveGasPrice;
}

/**
 * A contract that forwards any call (with its value) to `target` and bubbles the result, and
 * rejects plain ETH transfers (empty calldata): a staker that cannot receive payouts.
 */
async function forwarder(at: Address, to: Address): Promise<Address> {
  const code = concatHex([
    '0x36600857600080fd5b365f5f375f5f365f3473',
    to,
    '0x5af13d5f5f3e6033573d5ffd5b3d5ff3',
  ]);
  await l1.testClient.setCode({ address: at, bytecode: code });
  return getAddress(at);
}

async function fixture() {
  const f = await setupDisputeFixture(l1, {
    prog: disputeTestProgram(),
    params: PARAMS,
    genesis: disputeTestGenesis(),
  });
  const as = (i: number) =>
    f.settlement.rollup.as({
      publicClient: l1.publicClient,
      walletClient: walletFor(l1, l1.accounts[i].account),
    });
  const post = async (n: number) => {
    for (let i = 0; i < n; i++) await f.postBatch(disputeTestPayload(f.messages.length));
  };
  return { f, r: [0, 1, 2, 3, 4, 5].map(as), g: f.genesisData, post };
}

describe('creating assertions; confirmation with rivals', () => {
  let f: DisputeFixture;
  let r: RollupClient[];
  let g: AssertionData;
  let post: (n: number) => Promise<void>;
  let a: AssertionData;
  let b: AssertionData;
  let c: AssertionData;

  beforeAll(async () => {
    ({ f, r, g, post } = await fixture());
  });

  it('InboxTooShort: the genesis assertion consumes one message and the inbox is empty', async () => {
    const e = await reverts(r[1].createAssertion(g, end(1, 1n), inner(1), BOND), 'InboxTooShort', [1n, 0n]);
    expect(e.code).toBe('ROLLUP_INBOX_TOO_SHORT');
    expect(e.message).toContain(ROLLUP_ERRORS.InboxTooShort([1n, 0n]));
    expect(e.message).toMatch(/^Rollup\.InboxTooShort: .*wait until more messages are posted/);
    await post(3);
  });

  it('WrongInboxPosition: the end state must stop exactly at the fixed target, at a message boundary', async () => {
    await reverts(r[1].createAssertion(g, end(1, 2n), inner(1), BOND), 'WrongInboxPosition', [1n, 2n, 0n]);
    await reverts(r[1].createAssertion(g, end(1, 0n), inner(1), BOND), 'WrongInboxPosition', [1n, 0n, 0n]);
    const e = await reverts(
      r[1].createAssertion(g, { ...end(1, 1n), positionInMessage: 1n }, inner(1), BOND),
      'WrongInboxPosition',
      [1n, 1n, 1n],
    );
    expect(e.code).toBe('ROLLUP_WRONG_INBOX_POSITION');
  });

  it('UnknownAssertion: the predecessor data must hash to a created assertion', async () => {
    const fake = { ...g, blockCount: 5n };
    await reverts(r[1].createAssertion(fake, end(1, 1n), inner(1), BOND), 'UnknownAssertion', [
      assertionId(fake),
    ]);
  });

  it('WrongBond: a new staker sends exactly the bond', async () => {
    await reverts(r[1].createAssertion(g, end(1, 1n), inner(1)), 'WrongBond', [BOND, 0n]);
    await reverts(r[1].createAssertion(g, end(1, 1n), inner(1), BOND - 1n), 'WrongBond', [BOND, BOND - 1n]);
    await reverts(r[1].createAssertion(g, end(1, 1n), inner(1), BOND + 1n), 'WrongBond', [BOND, BOND + 1n]);
  });

  it('creates an assertion: its data, id and stake', async () => {
    const before = await balance(f.settlement.addresses.rollup);
    const tx = await r[1].createAssertion(g, end(1, 1n), inner(1), BOND);
    a = tx.data;
    expect(tx.id).toBe(assertionId(a));
    expect(a).toEqual({
      prevId: assertionId(g),
      prevStateHash: stateHash(g.end),
      blockCount: 1n,
      end: end(1, 1n),
      historyRoot: nodeHex(stateHash(g.end), stateHash(end(1, 1n)), inner(1)),
      nextInboxPosition: 3n, // everything in the inbox now
    });
    expect(await r[0].status(tx.id)).toBe('pending');
    expect(await r[0].latestStaked(l1.accounts[1].address)).toBe(tx.id);
    expect(await r[0].hasRival(a.prevId)).toBe(false);
    expect((await balance(f.settlement.addresses.rollup)) - before).toBe(BOND);
  });

  it('AssertionExists: the same claim from another staker', async () => {
    await reverts(r[2].createAssertion(g, end(1, 1n), inner(1), BOND), 'AssertionExists', [assertionId(a)]);
  });

  it('AssertionExists: a copy of a claim made after more messages arrived (another nextInboxPosition)', async () => {
    // without this check the copy would be a rival with the same level-0 edge: it would force a
    // dispute, and whoever confirmed first would get the other staker slashed
    await post(1);
    const copy = { ...a, nextInboxPosition: 4n };
    expect(assertionId(copy)).not.toBe(assertionId(a));
    const e = await reverts(r[2].createAssertion(g, end(1, 1n), inner(1), BOND), 'AssertionExists', [
      assertionId(a),
    ]);
    expect(e.message).toContain('already makes this claim');
    await reverts(r[1].createAssertion(g, end(1, 1n), inner(1)), 'AssertionExists', [assertionId(a)]);
  });

  it('WrongBond: a staked staker sends nothing', async () => {
    await reverts(r[1].createAssertion(a, end(2, target(a)), inner(2), BOND), 'WrongBond', [0n, BOND]);
  });

  it('StakeOnOtherBranch: a staker cannot back a rival of its own pending assertion', async () => {
    await reverts(r[1].createAssertion(g, end(9, 1n), inner(9)), 'StakeOnOtherBranch', [assertionId(a)]);
  });

  it('a staker extends its own assertion (its stake moves), another one posts a rival', async () => {
    expect(target(a)).toBe(3n);
    const tb = await r[1].createAssertion(a, end(2, 3n), inner(2));
    b = tb.data;
    expect(b.blockCount).toBe(2n);
    expect(b.nextInboxPosition).toBe(4n); // the inbox holds 4 messages
    expect(await r[0].latestStaked(l1.accounts[1].address)).toBe(tb.id);
    await r[2].createAssertion(g, end(3, 1n), inner(3), BOND);
    expect(await r[0].hasRival(assertionId(g))).toBe(true);
  });

  it('InboxTooShort: an assertion consumes at least one message', async () => {
    c = (await r[1].createAssertion(b, end(4, 4n), inner(4))).data;
    expect(c.nextInboxPosition).toBe(5n); // nothing more in the inbox: at least one message
    await reverts(r[3].createAssertion(c, end(5, 5n), inner(5), BOND), 'InboxTooShort', [5n, 4n]);
  });

  it('NotPending: confirming the (confirmed) genesis assertion or an unknown one', async () => {
    await reverts(r[0].confirmAssertion(g), 'NotPending', [assertionId(g)]);
    const fake = { ...a, historyRoot: word(7) };
    await reverts(r[0].confirmAssertion(fake), 'NotPending', [assertionId(fake)]);
  });

  it('PrevNotLatestConfirmed: a child before its predecessor', async () => {
    await reverts(r[0].confirmAssertion(b), 'PrevNotLatestConfirmed', [assertionId(a), assertionId(g)]);
  });

  it('RivalsNotDecided: with rivals, time alone does not confirm', async () => {
    await f.elapse(PERIOD + 1);
    // the edge id first: a transaction promise made before an await would reject with no handler
    const edge = await r[0].layerZeroEdgeId(a);
    const e = await reverts(r[0].confirmAssertion(a), 'RivalsNotDecided', [edge]);
    expect(e.code).toBe('ROLLUP_RIVALS_NOT_DECIDED');
    expect(await r[0].canConfirmByTime(a)).toBe(true); // by the clock alone
  });

  it('NotStaked, StakeNotConfirmed: withdrawing', async () => {
    await reverts(r[4].withdrawStake(), 'NotStaked', [l1.accounts[4].address]);
    await reverts(r[1].withdrawStake(), 'StakeNotConfirmed', [assertionId(c)]);
  });
});

describe('confirmation by time, rejection, withdrawals and slashing', () => {
  let f: DisputeFixture;
  let r: RollupClient[];
  let g: AssertionData;
  let post: (n: number) => Promise<void>;
  let a: AssertionData;
  let a2: AssertionData;
  let b: AssertionData;

  beforeAll(async () => {
    ({ f, r, g, post } = await fixture());
    await post(4);
  });

  it('TooEarly, then confirmed by time once the challenge period is over', async () => {
    const tx = await r[1].createAssertion(g, end(1, 1n), inner(1), BOND);
    a = tx.data;
    const createdAt = (await l1.publicClient.getBlock({ blockNumber: tx.blockNumber })).timestamp;
    const e = await reverts(r[0].confirmAssertion(a), 'TooEarly', [createdAt + BigInt(PERIOD)]);
    expect(e.message).toContain(`from L1 timestamp ${createdAt + BigInt(PERIOD)} on`);
    expect(await r[0].canConfirmByTime(a)).toBe(false);
    await f.elapse(PERIOD - 10);
    await reverts(r[0].confirmAssertion(a), 'TooEarly');
    await f.elapse(10);
    expect(await r[0].canConfirmByTime(a)).toBe(true);
    const c = await r[5].confirmAssertion(a); // anyone
    const [ev] = parseEventLogs({
      abi: (await getArtifact('Rollup')).abi,
      logs: c.receipt.logs,
      eventName: 'AssertionConfirmed',
    });
    expect((ev as unknown as { args: unknown }).args).toEqual({
      id: tx.id,
      prevId: assertionId(g),
      sendRoot: a.end.sendRoot,
      byChallenge: false,
    });
    expect(await r[0].status(tx.id)).toBe('confirmed');
    expect(await r[0].latestConfirmed()).toBe(tx.id);
    expect(await r[0].isConfirmedSendRoot(a.end.sendRoot)).toBe(true);
    await reverts(r[0].confirmAssertion(a), 'NotPending', [tx.id]);
  });

  it('StakeNotConfirmed: the stake moved on to a pending assertion', async () => {
    b = (await r[1].createAssertion(a, end(2, target(a)), inner(2))).data;
    await reverts(r[1].withdrawStake(), 'StakeNotConfirmed', [assertionId(b)]);
  });

  it('AssertionRejected: a late rival of a confirmed assertion is rejected, so is building on it', async () => {
    a2 = (await r[2].createAssertion(g, end(3, 1n), inner(3), BOND)).data;
    expect(await r[0].hasRival(assertionId(g))).toBe(true);
    await reverts(r[3].createAssertion(a2, end(4, target(a2)), inner(4), BOND), 'AssertionRejected', [
      assertionId(a2),
    ]);
    await reverts(r[0].confirmAssertion(a2), 'PrevNotLatestConfirmed', [assertionId(g), assertionId(a)]);
  });

  it('slash: NotStaked, BadChain, NotRejected', async () => {
    const staker2 = l1.accounts[2].address;
    await reverts(r[0].slash(l1.accounts[4].address, [a2]), 'NotStaked', [l1.accounts[4].address]);
    await reverts(r[0].slash(staker2, []), 'BadChain', [0n]);
    await reverts(r[0].slash(staker2, [a]), 'BadChain', [0n]);
    await reverts(r[0].slash(staker2, [a2, a]), 'BadChain', [1n]);
    // staker 1 is on the confirmed branch: its pending assertion has no confirmed sibling, its
    // predecessor is the confirmed child
    const staker1 = l1.accounts[1].address;
    await reverts(r[0].slash(staker1, [b]), 'NotRejected', [assertionId(b)]);
    await reverts(r[0].slash(staker1, [b, a]), 'NotRejected', [assertionId(a)]);
    await reverts(r[0].slash(staker1, [b, a, g]), 'NotRejected', [assertionId(g)]);
  });

  it("slash: the rejected staker's bond goes to the confirmed sibling's asserter, once", async () => {
    const staker2 = l1.accounts[2].address;
    const before = await balance(l1.accounts[1].address);
    await r[0].slash(staker2, [a2]);
    expect((await balance(l1.accounts[1].address)) - before).toBe(BOND);
    await reverts(r[0].slash(staker2, [a2]), 'NotStaked', [staker2]);
    expect(await r[0].latestStaked(staker2)).toBe(word(0));
  });

  it('withdrawStake returns the bond once the latest assertion is confirmed', async () => {
    await f.elapse(PERIOD);
    await r[0].confirmAssertion(b);
    const who = l1.accounts[1].address;
    const before = await balance(who);
    const tx = await r[1].withdrawStake();
    expect((await balance(who)) - before + fee(tx)).toBe(BOND);
    await reverts(r[1].withdrawStake(), 'NotStaked', [who]);
  });

  it('TransferFailed: a payout the staker rejects stays owed; claiming it fails while it rejects ETH', async () => {
    const fwd = await forwarder('0x00000000000000000000000000000000000f0001', f.settlement.addresses.rollup);
    const viaFwd = await RollupClient.at(
      { publicClient: l1.publicClient, walletClient: l1.walletClient },
      fwd,
    );
    await post(1);
    const c = await viaFwd.createAssertion(b, end(5, target(b)), inner(5), BOND);
    expect(await r[0].latestStaked(fwd)).toBe(c.id);
    await f.elapse(PERIOD);
    await r[0].confirmAssertion(c.data);
    const rollupBefore = await balance(f.settlement.addresses.rollup);
    await viaFwd.withdrawStake(); // the push fails: the bond is kept as owed
    expect(await balance(f.settlement.addresses.rollup)).toBe(rollupBefore);
    const abi = (await getArtifact('Rollup')).abi;
    const owed = await l1.publicClient.readContract({
      address: f.settlement.addresses.rollup,
      abi,
      functionName: 'owed',
      args: [fwd],
    });
    expect(owed).toBe(BOND);
    const claim = (address: Address) =>
      sendContractTx(l1, 'Rollup', { address, abi, functionName: 'claimOwed', args: [] });
    const e = await reverts(claim(fwd), 'TransferFailed', [fwd, BOND]);
    expect(e.code).toBe('ROLLUP_TRANSFER_FAILED');
    // an account that accepts ETH claims (here nothing)
    await claim(f.settlement.addresses.rollup);
  });
});
