/**
 * The ETH bridge on anvil (docs/inbox.md §7): deposits become kind-0x01 delayed messages and the
 * bridge holds the ETH; withdrawals are paid once against a confirmed send root (TestSendRoots
 * stands in for the rollup), with the outbox tree built by src/apps/sdk/outbox.ts.
 */
import { type Address, bytesToHex, getAddress, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  outboxProof,
  outboxRoot,
  verifyWithdrawal,
  type Withdrawal,
  withdrawalLeaf,
} from '../../apps/sdk/outbox.ts';
import { type L1, type L1WalletClient, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { type Deployed, deploy } from '../../l1/deploy.ts';
import { BridgeClient, deployBridge, deploySettlementInbox } from './bridge.ts';
import { BridgeRevertError, InboxRevertError } from './errors.ts';
import { deployInbox, InboxClient, walletFor } from './inbox.ts';
import { depositMessage } from './message.ts';
import { expectRevertOf } from './test-utils.ts';

let l1: L1;
let user: L1WalletClient;
let relayer: L1WalletClient;
let sendRoots: Deployed;
const gas: Record<string, bigint> = {};
const ETH = 10n ** 18n;

beforeAll(async () => {
  l1 = await startAnvil();
  user = walletFor(l1, l1.accounts[2].account);
  relayer = walletFor(l1, l1.accounts[3].account);
  sendRoots = await deploy(l1, await getArtifact('TestSendRoots'));
}, 120_000);

afterAll(async () => {
  await l1?.stop();
  if (Object.keys(gas).length > 0) {
    console.log(
      `bridge gas: ${Object.entries(gas)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
});

async function fresh() {
  const d = await deploySettlementInbox(l1, {
    sequencer: l1.accounts[1].address,
    maxDelaySeconds: 3600,
    sendRoots: sendRoots.address,
  });
  const inbox = await InboxClient.attach(l1, d.inbox.address, { fromBlock: d.inbox.deployBlock });
  const bridge = (await BridgeClient.attach(l1, d.bridge.address)).connect(user);
  return { inbox, bridge };
}

const confirm = async (root: Uint8Array | Hex, confirmed = true) => {
  const hash = await sendRoots.contract.write.setConfirmed([
    typeof root === 'string' ? root : bytesToHex(root),
    confirmed,
  ]);
  await l1.publicClient.waitForTransactionReceipt({ hash });
};

const reverts = expectRevertOf;

/** a random-ish address */
const addrOf = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, 'a')}`);

describe('Bridge: deposits (§7.1)', () => {
  it('locks the ETH and queues 0x01 ‖ to ‖ amount in the delayed inbox', async () => {
    const { inbox, bridge } = await fresh();
    const to = addrOf(1);
    const r = await bridge.depositEth(to, 3n * ETH + 7n);
    gas.depositEth = r.gasUsed;
    expect(r.delayedIndex).toBe(0n);
    expect(await bridge.balance()).toBe(3n * ETH + 7n);
    const [m] = await inbox.readDelayed(0n, 1n);
    expect(bytesToHex(m.data)).toBe(bytesToHex(depositMessage(to, 3n * ETH + 7n)));
    expect(m.sender).toBe(getAddress(bridge.address));
    const second = await bridge.depositEth(addrOf(2), 1n);
    expect(second.delayedIndex).toBe(1n);
    // the sequencer includes both; they are positions 0 and 1
    const seq = inbox.connect(walletFor(l1, l1.accounts[1].account));
    await seq.includeDelayed();
    const read = await inbox.readMessages(0n, 2n);
    expect(read.map((x) => bytesToHex(x.data))).toEqual([
      bytesToHex(depositMessage(to, 3n * ETH + 7n)),
      bytesToHex(depositMessage(addrOf(2), 1n)),
    ]);
  });

  it('rejects zero deposits, the zero recipient, and deposits before the inbox knows the bridge', async () => {
    const { bridge } = await fresh();
    await reverts(bridge.depositEth(addrOf(1), 0n), BridgeRevertError, 'ZeroDeposit');
    await reverts(
      bridge.depositEth('0x0000000000000000000000000000000000000000', 1n),
      BridgeRevertError,
      'ZeroRecipient',
    );
    const inbox = await deployInbox(l1, { sequencer: l1.accounts[1].address, maxDelaySeconds: 1 });
    const b = await deployBridge(l1, {
      inbox: inbox.address,
      sendRoots: sendRoots.address,
      initializeInbox: false,
    });
    const unwired = (await BridgeClient.attach(l1, b.address)).connect(user);
    const e = await reverts(unwired.depositEth(addrOf(1), 1n), InboxRevertError, 'NotBridge', [
      getAddress(b.address),
    ]);
    expect(e.code).toBe('INBOX_NOT_BRIDGE');
    expect(await unwired.balance()).toBe(0n);
  });

  it('constructor: zero addresses', async () => {
    const e = await deployBridge(l1, {
      inbox: '0x0000000000000000000000000000000000000000',
      sendRoots: sendRoots.address,
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(BridgeRevertError);
    expect((e as BridgeRevertError).code).toBe('BRIDGE_ZERO_ADDRESS');
  });
});

describe('Bridge: withdrawals (§7.2)', () => {
  it('pays a proven withdrawal once; rejects wrong proofs, amounts, roots and lengths', async () => {
    const { bridge } = await fresh();
    await bridge.depositEth(addrOf(1), 40n * ETH);
    const from = l1.accounts[6].address;
    const ws: Withdrawal[] = [0, 1, 2, 3, 4, 5, 6].map((i) => ({
      index: BigInt(i),
      from,
      to: addrOf(100 + i),
      amount: BigInt(i + 1) * ETH,
    }));
    const leaves = ws.map(withdrawalLeaf);
    const root = outboxRoot(leaves);
    const w = ws[5]; // index 5 = 0b101: right, left, right at the first three heights
    const proof = outboxProof(leaves, 5);
    expect(verifyWithdrawal(root, w, proof)).toBe(true);
    const paid = bridge.connect(relayer);

    // not confirmed yet
    await reverts(paid.executeWithdrawal(w, root, proof), BridgeRevertError, 'SendRootNotConfirmed', [
      bytesToHex(root),
    ]);
    await confirm(root);

    // wrong proof, wrong amount, wrong recipient, wrong index, wrong length, index beyond the tree
    const bad = proof.slice();
    bad[3] = new Uint8Array(32).fill(1);
    await reverts(paid.executeWithdrawal(w, root, bad), BridgeRevertError, 'InvalidWithdrawalProof');
    const e = await reverts(
      paid.executeWithdrawal({ ...w, amount: w.amount + 1n }, root, proof),
      BridgeRevertError,
      'InvalidWithdrawalProof',
    );
    expect(e.code).toBe('BRIDGE_INVALID_WITHDRAWAL_PROOF');
    expect(e.args[2]).toBe(bytesToHex(root));
    await reverts(
      paid.executeWithdrawal({ ...w, to: addrOf(999) }, root, proof),
      BridgeRevertError,
      'InvalidWithdrawalProof',
    );
    await reverts(
      paid.executeWithdrawal({ ...w, index: 4n }, root, proof),
      BridgeRevertError,
      'InvalidWithdrawalProof',
    );
    await reverts(paid.executeWithdrawal(w, root, proof.slice(0, 31)), BridgeRevertError, 'BadProofLength', [
      31n,
      32n,
    ]);
    await reverts(paid.executeWithdrawal(w, root, [...proof, proof[0]]), BridgeRevertError, 'BadProofLength');
    await reverts(
      paid.executeWithdrawal({ ...w, index: 5n + 2n ** 32n }, root, proof),
      BridgeRevertError,
      'WithdrawalIndexOutOfRange',
      [5n + 2n ** 32n],
    );

    // the valid one pays the recipient once (sent by a third party)
    expect(await paid.withdrawalSpent(5n)).toBe(false);
    const before = await l1.publicClient.getBalance({ address: w.to });
    const r = await paid.executeWithdrawal(w, root, proof);
    gas.executeWithdrawal = r.gasUsed;
    expect(await l1.publicClient.getBalance({ address: w.to })).toBe(before + w.amount);
    expect(await paid.withdrawalSpent(5n)).toBe(true);
    expect(await paid.withdrawalSpent(4n)).toBe(false);
    expect(await bridge.balance()).toBe(40n * ETH - w.amount);
    await reverts(paid.executeWithdrawal(w, root, proof), BridgeRevertError, 'WithdrawalAlreadySpent', [5n]);

    // index 0 and the last leaf too; a later root containing the same leaves cannot replay index 5
    for (const i of [0, 6]) await paid.executeWithdrawal(ws[i], root, outboxProof(leaves, i));
    const more = [...leaves, withdrawalLeaf({ index: 7n, from, to: addrOf(107), amount: 1n })];
    const root2 = outboxRoot(more);
    await confirm(root2);
    await reverts(
      paid.executeWithdrawal(w, root2, outboxProof(more, 5)),
      BridgeRevertError,
      'WithdrawalAlreadySpent',
    );
    await paid.executeWithdrawal(
      { index: 7n, from, to: addrOf(107), amount: 1n },
      root2,
      outboxProof(more, 7),
    );
  });

  it('a recipient that rejects ETH reverts the withdrawal (TransferFailed), which stays unspent', async () => {
    const { bridge } = await fresh();
    await bridge.depositEth(addrOf(1), ETH);
    const w: Withdrawal = { index: 0n, from: addrOf(2), to: sendRoots.address, amount: 1n }; // no receive()
    const leaves = [withdrawalLeaf(w)];
    const root = outboxRoot(leaves);
    await confirm(root);
    await reverts(
      bridge.executeWithdrawal(w, root, outboxProof(leaves, 0)),
      BridgeRevertError,
      'TransferFailed',
      [getAddress(sendRoots.address), 1n],
    );
    expect(await bridge.withdrawalSpent(0n)).toBe(false);
    // more than the bridge holds fails the same way
    const big: Withdrawal = { index: 1n, from: addrOf(2), to: addrOf(3), amount: 2n * ETH };
    const leaves2 = [withdrawalLeaf(w), withdrawalLeaf(big)];
    const root2 = outboxRoot(leaves2);
    await confirm(root2);
    await reverts(
      bridge.executeWithdrawal(big, root2, outboxProof(leaves2, 1)),
      BridgeRevertError,
      'TransferFailed',
    );
  });
});
