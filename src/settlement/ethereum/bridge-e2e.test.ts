/**
 * The bridge end to end on one anvil, with the real token STF (guest/apps/token, run natively and
 * in the interpreter) and the real settlement contracts (deploySettlement): an ETH deposit through
 * the delayed inbox is credited on L2; an L2 withdrawal lands in the send root, which an honest
 * validator asserts and confirms after the challenge period; the withdrawal is then paid on L1
 * exactly once, and not before its root is confirmed. Then forced inclusion: a signed L2 transfer
 * sent through the delayed inbox while the sequencer censors it is forced in after maxDelaySeconds
 * and applied at its position; the validator confirms that state too.
 */
import { type Address, bytesToHex, getAddress, type Hex, type PrivateKeyAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenApp, tokenBalance } from '../../../test/node-utils.ts';
import { loadApp } from '../../apps/sdk/app-runtime.ts';
import { Receipt } from '../../apps/sdk/run-app.ts';
import { TOKEN_CHAIN_ID, transfer, withdraw } from '../../apps/token/client.ts';
import { type L1, type L1WalletClient, startAnvil } from '../../l1/anvil.ts';
import { AppChain } from '../../node/app-chain.ts';
import { DisputeAgent } from '../../proof/fraud/challenger.ts';
import { HonestClaim, moduleFieldsHex } from '../../proof/fraud/claim.ts';
import type { BridgeClient } from './bridge.ts';
import { type DisputeParams, deploySettlement, type SettlementDeployment } from './deploy-settlement.ts';
import { type AssertionData, genesisAssertion, toSolState } from './dispute-hash.ts';
import { BridgeRevertError, InboxRevertError } from './errors.ts';
import { type InboxClient, walletFor } from './inbox.ts';
import { depositMessage, encodeTxList } from './message.ts';
import { expectRevertOf } from './test-utils.ts';

const ETH = 10n ** 18n;
const PERIOD = 60;
const MAX_DELAY = 3600;
/** 2^4 messages per assertion; 2^24 steps per message (a token batch takes well under 2^20) */
const PARAMS: DisputeParams = {
  heights: [4, 12, 12],
  challengePeriod: BigInt(PERIOD),
  assertionBond: ETH,
  edgeBond: ETH / 10n,
};
const STEP_BUDGET = 2 ** PARAMS.heights.slice(1).reduce((a, b) => a + b, 0);

let l1: L1;
let s: SettlementDeployment;
/** the sequencer's inbox client (accounts[0], the deployer) */
let seq: InboxClient;
let userWallet: L1WalletClient;
let relayer: L1WalletClient;
/** the user's bridge client (deposits) and a relayer's (withdrawals: anyone may send them) */
let userBridge: BridgeClient;
let relayerBridge: BridgeClient;
/** the token app's chain, run natively and interpreted (they must agree) */
const chain = new AppChain({
  app: loadApp(tokenApp().bytes, 'token'),
  chainId: TOKEN_CHAIN_ID,
  interpret: true,
});
const genesis = () => chain.stateAt(0);
/** a balance after the first `n` messages (default all) */
const balanceOf = (a: Hex, n = chain.length) => tokenBalance({ query: async (d) => chain.query(d, n) }, a);
const gas: Record<string, bigint> = {};
const steps: number[] = [];

/** the user: an L1 account whose key also signs its L2 transactions */
let user: PrivateKeyAccount;
const bob = privateKeyToAccount(`0x${'b0'.repeat(32)}`);
/** the L1 recipient of the withdrawal: a fresh address with no ETH */
const recipient: Address = getAddress(`0x${'5e'.repeat(20)}`);

const DEPOSIT = 5n * ETH;
const TO_BOB = 1n * ETH;
const WITHDRAWN = 2n * ETH;

beforeAll(async () => {
  l1 = await startAnvil();
  s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: MAX_DELAY,
    moduleFields: moduleFieldsHex(chain.app.program),
    genesis: toSolState(genesis()),
    params: PARAMS,
  });
  seq = s.inbox;
  user = l1.accounts[2].account;
  userWallet = walletFor(l1, user);
  relayer = walletFor(l1, l1.accounts[3].account);
  userBridge = s.bridge.connect(userWallet);
  relayerBridge = s.bridge.connect(relayer);
}, 120_000);

afterAll(async () => {
  await l1?.stop();
  console.log(
    `bridge e2e gas: ${Object.entries(gas)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; interpreter steps per message: ${steps.join(', ')} (budget ${STEP_BUDGET})`,
  );
});

const reverts = expectRevertOf;

/** Executes the inbox positions not executed yet; every message fits the step budget. */
async function sync() {
  const runs = await chain.sync(seq);
  for (const r of runs) {
    steps.push(r.steps);
    expect(r.steps).toBeLessThan(STEP_BUDGET);
  }
  return runs;
}

/** A validator (accounts[1]) asserting the messages that follow `prev`, honestly. */
function validator(prev: AssertionData, name: string): DisputeAgent {
  const start = chain.stateAt(Number(prev.end.inboxPosition));
  const target = Math.min(
    Number(prev.nextInboxPosition),
    Number(prev.end.inboxPosition) + 2 ** PARAMS.heights[0],
  );
  const claim = new HonestClaim(
    chain.executionContext(PARAMS.heights),
    start,
    target - Number(prev.end.inboxPosition),
  );
  // the interpreter's execution (what a dispute would replay) ends where the follower's App runs did
  expect(toSolState(claim.endState())).toEqual(toSolState(chain.stateAt(target)));
  const clients = { publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[1].account) };
  return new DisputeAgent({
    name,
    rollup: s.rollup.as(clients),
    challenges: s.challenges.as(clients),
    inbox: s.inbox.connect(clients.walletClient),
    oracle: s.oracle.as(clients),
    claim,
    prev,
  });
}

async function elapse(seconds: number) {
  await l1.testClient.increaseTime({ seconds });
  await l1.testClient.mine({ blocks: 1 });
}

const lastGas = (a: DisputeAgent) => a.moves[a.moves.length - 1].gasUsed;

describe('bridge end to end: token STF + settlement contracts', () => {
  const agents: DisputeAgent[] = [];
  let sendRoot: Hex;

  it('a deposit through the bridge is included by the sequencer and credited on L2', async () => {
    const d = await userBridge.depositEth(user.address, DEPOSIT);
    gas.depositEth = d.gasUsed;
    expect(d.delayedIndex).toBe(0n);
    expect(await s.bridge.balance()).toBe(DEPOSIT);
    const inc = await seq.includeDelayed();
    expect([inc.firstPosition, inc.endPosition]).toEqual([0n, 1n]);
    await sync();
    expect(chain.length).toBe(1);
    expect(bytesToHex(chain.messages[0])).toBe(bytesToHex(depositMessage(user.address, DEPOSIT)));
    expect(chain.receipts(0)).toEqual({ message: Receipt.OK, txs: [] });
    expect(await balanceOf(user.address)).toBe(DEPOSIT);
    expect(chain.stateAt().u64).toEqual([1n, 0n]);
    expect(bytesToHex(chain.stateAt().bytes32[1])).toBe(bytesToHex(new Uint8Array(32))); // no withdrawal yet
  });

  it('a transfer and a withdrawal in a sequencer batch: the send root is the outbox root of the withdrawal', async () => {
    const txs = [
      await transfer(user, bob.address, TO_BOB, { nonce: 0n }),
      await withdraw(user, recipient, WITHDRAWN, { nonce: 1n }),
    ];
    const b = await seq.postBatch(encodeTxList(txs));
    expect(b.position).toBe(1n);
    await sync();
    expect(chain.receipts(1)).toEqual({ message: Receipt.OK, txs: [Receipt.OK, Receipt.OK] });
    expect(await balanceOf(user.address)).toBe(DEPOSIT - TO_BOB - WITHDRAWN);
    expect(await balanceOf(bob.address)).toBe(TO_BOB);
    expect(chain.nonceOf(user.address)).toBe(2n);
    // the withdrawal recorded in the state (key 0x06 ‖ 0); the outbox root of the leaves is the send root
    expect(chain.withdrawals()).toEqual([
      { index: 0n, from: getAddress(user.address), to: recipient, amount: WITHDRAWN },
    ]);
    expect(chain.withdrawalCount()).toBe(1n);
    sendRoot = bytesToHex(chain.stateAt(2).bytes32[1]);
    expect(sendRoot).not.toBe(bytesToHex(new Uint8Array(32)));
  });

  it('an honest validator asserts message 0, then message 1; the pending send root cannot be withdrawn against', async () => {
    const a1 = validator(genesisAssertion(toSolState(genesis())), 'a1');
    await a1.postAssertion();
    gas.createAssertionFirst = lastGas(a1);
    const d1 = a1.assertion as AssertionData;
    expect([d1.blockCount, d1.end.inboxPosition, d1.nextInboxPosition]).toEqual([1n, 1n, 2n]);

    const a2 = validator(d1, 'a2');
    await a2.postAssertion();
    gas.createAssertion = lastGas(a2);
    const d2 = a2.assertion as AssertionData;
    expect([d2.blockCount, d2.end.inboxPosition, d2.nextInboxPosition]).toEqual([1n, 2n, 3n]);
    expect(d2.end.sendRoot).toBe(sendRoot);
    agents.push(a1, a2);

    expect(await s.rollup.isConfirmedSendRoot(sendRoot)).toBe(false);
    const { withdrawal, proof } = chain.withdrawalProof(0n);
    await reverts(
      relayerBridge.executeWithdrawal(withdrawal, sendRoot, proof),
      BridgeRevertError,
      'SendRootNotConfirmed',
      [sendRoot],
    );
    // not before the challenge period either
    await a1.advance();
    expect(await a1.isConfirmed()).toBe(false);
  });

  it('after the challenge period both assertions confirm and the send root is confirmed', async () => {
    const [a1, a2] = agents;
    await elapse(PERIOD);
    await a1.advance();
    expect(await a1.isConfirmed()).toBe(true);
    gas.confirmAssertionFirst = lastGas(a1);
    await a2.advance();
    expect(await a2.isConfirmed()).toBe(true);
    gas.confirmAssertion = lastGas(a2);
    expect(await s.rollup.latestConfirmed()).toBe(a2.assertionId);
    expect(await s.rollup.isConfirmedSendRoot(sendRoot)).toBe(true);
  });

  it('the withdrawal is paid on L1 once; a wrong proof and a replay revert', async () => {
    const { withdrawal, proof, sendRoot: root } = chain.withdrawalProof(0n);
    expect(bytesToHex(root)).toBe(sendRoot);

    const bad = proof.slice();
    bad[0] = new Uint8Array(32).fill(7);
    await reverts(
      relayerBridge.executeWithdrawal(withdrawal, root, bad),
      BridgeRevertError,
      'InvalidWithdrawalProof',
    );
    await reverts(
      relayerBridge.executeWithdrawal({ ...withdrawal, amount: withdrawal.amount + 1n }, root, proof),
      BridgeRevertError,
      'InvalidWithdrawalProof',
    );

    const before = await l1.publicClient.getBalance({ address: recipient });
    const bridgeBefore = await s.bridge.balance();
    expect(bridgeBefore).toBe(DEPOSIT);
    const r = await relayerBridge.executeWithdrawal(withdrawal, root, proof);
    gas.executeWithdrawal = r.gasUsed;
    expect(await l1.publicClient.getBalance({ address: recipient })).toBe(before + WITHDRAWN);
    expect(await s.bridge.balance()).toBe(bridgeBefore - WITHDRAWN);
    expect(await s.bridge.withdrawalSpent(0n)).toBe(true);

    await reverts(
      relayerBridge.executeWithdrawal(withdrawal, root, proof),
      BridgeRevertError,
      'WithdrawalAlreadySpent',
      [0n],
    );
    expect(await s.bridge.balance()).toBe(bridgeBefore - WITHDRAWN);
  });

  it('forced inclusion: a transfer sent through the delayed inbox is applied although the sequencer censors it', async () => {
    // bob (an L2-only key) signs a transfer; the user's L1 account sends it to the delayed inbox
    const forced = await transfer(bob, user.address, ETH / 4n, { nonce: 0n });
    const sent = await seq.connect(userWallet).sendMessage(encodeTxList([forced]));
    gas.sendMessage = sent.gasUsed;
    expect(sent.index).toBe(1n);
    expect(await seq.delayedIncluded()).toBe(1n);

    // the sequencer keeps posting with a stale delayedRead (it does not include delayed message 1)
    const b1 = await seq.postBatch(
      encodeTxList([await transfer(user, bob.address, ETH / 2n, { nonce: 2n })]),
      {
        delayedRead: 1n,
      },
    );
    const b2 = await seq.postBatch(encodeTxList([]), { delayedRead: 1n });
    expect([b1.position, b2.position]).toEqual([2n, 3n]);

    const pending = await seq.pendingDelayed();
    expect(pending.messages.map((m) => m.index)).toEqual([1n]);
    const anyone = seq.connect(relayer);
    await reverts(anyone.forceInclusion(2n), InboxRevertError, 'ForceInclusionTooEarly', [
      1n,
      pending.messages[0].forceableAt,
    ]);

    await elapse(MAX_DELAY);
    const f = await anyone.forceInclusion(2n);
    gas.forceInclusion = f.gasUsed;
    expect([f.firstPosition, f.endPosition]).toEqual([4n, 5n]);
    // the sequencer's stale view is now behind
    await reverts(
      seq.postBatch(encodeTxList([]), { delayedRead: 1n }),
      InboxRevertError,
      'DelayedReadBehind',
      [1n, 2n],
    );

    await sync();
    expect(chain.length).toBe(5);
    expect((await seq.readMessages(4n, 5n))[0]).toMatchObject({ source: 'delayed', sourceIndex: 1n });
    expect(chain.receipts(2)).toEqual({ message: Receipt.OK, txs: [Receipt.OK] });
    expect(chain.receipts(3)).toEqual({ message: Receipt.OK, txs: [] });
    expect(chain.receipts(4)).toEqual({ message: Receipt.OK, txs: [Receipt.OK] });
    // applied at position 4: bob's balance before and after it
    expect(await balanceOf(bob.address, 4)).toBe(TO_BOB + ETH / 2n);
    expect(await balanceOf(bob.address, 5)).toBe(TO_BOB + ETH / 2n - ETH / 4n);
    expect(await balanceOf(user.address)).toBe(DEPOSIT - TO_BOB - WITHDRAWN - ETH / 2n + ETH / 4n);
    expect(chain.nonceOf(bob.address)).toBe(1n);
    // no new withdrawal: the send root is unchanged
    expect(bytesToHex(chain.stateAt().bytes32[1])).toBe(sendRoot);
  });

  it('the validator asserts and confirms the state with the forced transfer', async () => {
    const a3 = validator(agents[1].assertion as AssertionData, 'a3');
    await a3.postAssertion();
    const d3 = a3.assertion as AssertionData;
    expect([d3.end.inboxPosition, d3.nextInboxPosition]).toEqual([3n, 5n]);
    const a4 = validator(d3, 'a4');
    await a4.postAssertion();
    const d4 = a4.assertion as AssertionData;
    expect([d4.blockCount, d4.end.inboxPosition]).toEqual([2n, 5n]);
    await elapse(PERIOD);
    await a3.advance();
    await a4.advance();
    expect(await a4.isConfirmed()).toBe(true);
    expect(d4.end).toEqual(toSolState(chain.stateAt(5)));
  });
});
