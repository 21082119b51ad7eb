/**
 * The settlement inbox on anvil (docs/inbox.md): positions and accumulator over an interleaving of
 * batches, deposits and user messages; readMessages' exact bytes; merkleization against proof.ts;
 * forced inclusion against a censoring sequencer; a negative test for every revert path.
 */
import { type Address, bytesToHex, encodeFunctionData, getAddress, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressBatch } from '../../da/l1-calldata/compress.ts';
import { type L1, type L1WalletClient, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { DeployError } from '../../l1/errors.ts';
import { BridgeClient, deployBridge } from './bridge.ts';
import { InboxRevertError, toSettlementError } from './errors.ts';
import { deployInbox, InboxClient, inboxAbi, sendContractTx, walletFor } from './inbox.ts';
import {
  accumulators,
  BATCH_KINDS,
  batchMessage,
  batchMessageOf,
  decodeTick,
  depositMessage,
  encodeTxList,
  keccakHex,
  MAX_DELAYED_TX_LIST_BYTES,
  MESSAGE_KIND,
  messageHashHex,
  tickMessage,
  txListMessage,
} from './message.ts';
import { expectRevert } from './test-utils.ts';

let l1: L1;
let sequencer: L1WalletClient;
let user: L1WalletClient;
let third: L1WalletClient;
let sendRoots: Address;
const gas: Record<string, bigint> = {};

const MAX_DELAY = 3600;
const ZERO32 = `0x${'00'.repeat(32)}` as Hex;

beforeAll(async () => {
  l1 = await startAnvil();
  sequencer = walletFor(l1, l1.accounts[1].account);
  user = walletFor(l1, l1.accounts[2].account);
  third = walletFor(l1, l1.accounts[3].account);
  sendRoots = (await deploy(l1, await getArtifact('TestSendRoots'))).address;
}, 120_000);

afterAll(async () => {
  await l1?.stop();
  if (Object.keys(gas).length > 0) {
    console.log(
      `inbox gas: ${Object.entries(gas)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
});

/** a fresh inbox (deployer accounts[0], sequencer accounts[1]) with a wired bridge */
async function fresh(maxDelaySeconds = MAX_DELAY) {
  const d = await deployInbox(l1, { sequencer: sequencer.account.address, maxDelaySeconds });
  const b = await deployBridge(l1, { inbox: d.address, sendRoots });
  const inbox = await InboxClient.attach(l1, d.address, { fromBlock: d.deployBlock });
  const bridge = await BridgeClient.attach(l1, b.address);
  return { inbox, seq: inbox.connect(sequencer), usr: inbox.connect(user), bridge: bridge.connect(user) };
}

const reverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'Inbox', name, args) as Promise<InboxRevertError>;

const bytes = (n: number, seed = 1) =>
  new Uint8Array(n).map((_, i) => (i * 31 + seed * 17 + (i >> 8)) & 0xff);

const advance = async (seconds: number) => {
  await l1.testClient.increaseTime({ seconds });
  await l1.testClient.mine({ blocks: 1 });
};

describe('Inbox: §6.2 commitment in Solidity', () => {
  it('chunkHash equals proof.ts messageHash for every chunk-boundary length', async () => {
    const { inbox } = await fresh();
    for (const len of [0, 1, 2, 31, 32, 33, 63, 64, 65, 96, 97, 128, 129, 1000, 4096, 4097]) {
      const m = bytes(len, len);
      expect(await inbox.chunkHash(m), `length ${len}`).toBe(messageHashHex(m));
    }
    // nonzero bytes past the message in the calldata word are not part of the last chunk
    const m = bytes(33).fill(0xff);
    expect(await inbox.chunkHash(m)).toBe(messageHashHex(m));
  });
});

describe('Inbox: positions, accumulator, readMessages, merkleization', () => {
  it('interleaved batches, deposits and user messages', async () => {
    const { inbox, seq, usr, bridge } = await fresh();
    const expected: {
      data: Uint8Array;
      source: 'batch' | 'delayed';
      sender: Address;
      sourceIndex: bigint;
    }[] = [];
    const listA = encodeTxList([bytes(40, 2), bytes(3, 3)]);
    const sent = await usr.sendMessage(listA); // delayed 0
    expect(sent.index).toBe(0n);
    gas.sendMessage_100B = sent.gasUsed;
    const dep = await bridge.depositEth(user.account.address, 12345n); // delayed 1
    expect(dep.delayedIndex).toBe(1n);
    gas.depositEth = dep.gasUsed;

    // batch 0 includes only delayed 0
    const payload0 = encodeTxList([bytes(100, 4)]);
    const b0 = await seq.postBatch(payload0, { delayedRead: 1n });
    expect([b0.sequenceNumber, b0.firstPosition, b0.position]).toEqual([0n, 0n, 1n]);
    expected.push({
      data: txListMessage(listA),
      source: 'delayed',
      sender: user.account.address,
      sourceIndex: 0n,
    });
    expected.push({ data: batchMessage(0, payload0), source: 'batch', sender: seq_(), sourceIndex: 0n });

    const listC = encodeTxList([bytes(1, 5)]);
    await usr.sendMessage(listC); // delayed 2
    // batch 1 includes every pending delayed message by default (1 and 2); an empty payload is a message too
    const b1 = await seq.postBatch(new Uint8Array(0));
    expect([b1.sequenceNumber, b1.firstPosition, b1.position, b1.delayedRead]).toEqual([1n, 2n, 4n, 3n]);
    expected.push({
      data: depositMessage(user.account.address, 12345n),
      source: 'delayed',
      sender: bridge.address,
      sourceIndex: 1n,
    });
    expected.push({
      data: txListMessage(listC),
      source: 'delayed',
      sender: user.account.address,
      sourceIndex: 2n,
    });
    expected.push({
      data: batchMessage(0, new Uint8Array(0)),
      source: 'batch',
      sender: seq_(),
      sourceIndex: 1n,
    });

    await bridge.depositEth(third.account.address, 1n); // delayed 3
    const inc = await seq.includeDelayed();
    expect([inc.firstPosition, inc.endPosition]).toEqual([5n, 6n]);
    expected.push({
      data: depositMessage(third.account.address, 1n),
      source: 'delayed',
      sender: bridge.address,
      sourceIndex: 3n,
    });
    const b2 = await seq.postBatch(encodeTxList([bytes(1000, 6)]));
    expected.push({
      data: batchMessage(0, encodeTxList([bytes(1000, 6)])),
      source: 'batch',
      sender: seq_(),
      sourceIndex: 2n,
    });
    expect(b2.position).toBe(6n);

    // counters and accumulator
    expect(await inbox.messageCount()).toBe(7n);
    expect(await inbox.batchCount()).toBe(3n);
    expect(await inbox.delayedCount()).toBe(4n);
    expect(await inbox.delayedIncluded()).toBe(4n);
    const accs = accumulators(expected.map((e) => e.data));
    expect(await inbox.accumulator(0n)).toBe(ZERO32);
    for (let n = 1; n <= 7; n++) expect(await inbox.accumulator(BigInt(n))).toBe(accs[n - 1]);
    await reverts(inbox.accumulator(8n), 'AccumulatorOutOfRange', [8n, 7n]);

    // readMessages: exact bytes, sources, senders, accumulators
    const read = await inbox.readMessages(0n, 100n);
    expect(read.length).toBe(7);
    for (const [i, m] of read.entries()) {
      expect(m.position).toBe(BigInt(i));
      expect(bytesToHex(m.data), `position ${i}`).toBe(bytesToHex(expected[i].data));
      expect(m.source).toBe(expected[i].source);
      expect(m.sourceIndex).toBe(expected[i].sourceIndex);
      expect(m.sender.toLowerCase()).toBe(expected[i].sender.toLowerCase());
      expect(m.accumulator).toBe(accs[i]);
      const block = await l1.publicClient.getBlock({ blockNumber: m.l1BlockNumber });
      expect(m.l1Timestamp).toBe(block.timestamp);
    }
    expect(read[1].l1BlockNumber).toBe(b0.blockNumber);
    const mid = await inbox.readMessages(2n, 4n);
    expect(mid.map((m) => m.position)).toEqual([2n, 3n]);
    expect(await inbox.readMessages(7n, 9n)).toEqual([]);

    // merkleization: not yet -> MessageNotMerkleized; past the end -> 0; then equal to proof.ts
    await reverts(inbox.messageHash(0n), 'MessageNotMerkleized', [0n]);
    expect(await inbox.messageHash(7n)).toBe(ZERO32);
    expect(await inbox.messageHash(2n ** 63n)).toBe(ZERO32);
    for (let p = 0; p < 7; p++) {
      const r = await inbox.connect(third).merkleize(BigInt(p));
      expect(r.tx).toBeDefined();
      expect(r.messageHash).toBe(messageHashHex(expected[p].data));
      expect(await inbox.messageHash(BigInt(p))).toBe(messageHashHex(expected[p].data));
    }
    expect((await inbox.merkleize(3n)).tx).toBeUndefined(); // no-op when done
    // the contract itself is idempotent too
    await sendContractTx(l1, 'Inbox', {
      address: inbox.address,
      abi: inbox.abi,
      functionName: 'merkleizeMessage',
      args: [3n, bytesToHex(expected[3].data)],
    });
  });

  it('merkleizeMessage rejects wrong bytes and missing positions', async () => {
    const { seq } = await fresh();
    await seq.postBatch(encodeTxList([bytes(10)]));
    const merk = (position: bigint, data: Hex) =>
      sendContractTx(l1, 'Inbox', {
        address: seq.address,
        abi: seq.abi,
        functionName: 'merkleizeMessage',
        args: [position, data],
      });
    await reverts(merk(0n, '0x00'), 'MessageMismatch', [0n]);
    await reverts(merk(1n, '0x00'), 'PositionOutOfRange', [1n, 1n]);
    await reverts(seq.merkleize(5n), 'PositionOutOfRange', [5n, 1n]);
  });

  it('postBatch kind 0x04 (a brotli-compressed list): appends 0x04 ‖ payload, read back and merkleized', async () => {
    const { inbox, seq } = await fresh();
    const list = encodeTxList([bytes(300, 7), bytes(300, 7), bytes(50, 8)]);
    const payload = compressBatch(list);
    expect(payload).toBeDefined();
    const b = await seq.postBatch(payload!, { kind: MESSAGE_KIND.brotliTransactions });
    expect(b.position).toBe(0n);
    const msg = batchMessage(4, payload!);
    expect(msg[0]).toBe(0x04);
    expect(batchMessageOf(4, payload!)).toEqual(msg);
    expect(BATCH_KINDS).toContain(4);
    expect(batchMessageOf(5, payload!)).toBeUndefined();
    const read = await inbox.readMessages(0n, 1n);
    expect(bytesToHex(read[0].data)).toBe(bytesToHex(msg));
    expect(read[0].source).toBe('batch');
    expect(await inbox.accumulator(1n)).toBe(accumulators([msg])[0]);
    expect((await seq.merkleize(0n)).messageHash).toBe(messageHashHex(msg));
    // the same payload as kind 0x00 is a different message
    await seq.postBatch(payload!);
    expect(bytesToHex((await inbox.readMessages(1n, 2n))[0].data)).toBe(
      bytesToHex(batchMessage(0, payload!)),
    );
  });

  it('gas: postBatch 1 KB and 100 KB, merkleizeMessage 100 KB', async () => {
    const { seq } = await fresh();
    const small = await seq.postBatch(bytes(1024, 9));
    gas.postBatch_1KB = small.gasUsed;
    const big = await seq.postBatch(bytes(100 * 1024, 10));
    gas.postBatch_100KB = big.gasUsed;
    const m = await seq.merkleize(1n);
    gas.merkleizeMessage_100KB = m.tx!.gasUsed;
    expect(m.messageHash).toBe(messageHashHex(batchMessage(0, bytes(100 * 1024, 10))));
    const read = await seq.readMessages(1n, 2n);
    expect(read[0].data.length).toBe(100 * 1024 + 1);
  });
});

function seq_(): Address {
  return sequencer.account.address;
}

describe('Inbox: forced inclusion (§6.3)', () => {
  it('a censored delayed message is forced by a third party after maxDelaySeconds', async () => {
    const { inbox, seq, usr } = await fresh();
    const forced = txListMessage(encodeTxList([bytes(77, 11)]));
    const { index } = await usr.sendMessage(forced.subarray(1));
    expect(index).toBe(0n);
    const { timestamp } = await inbox.delayedMessage(0n);
    const pending = await inbox.pendingDelayed();
    expect(pending.delayedIncluded).toBe(0n);
    expect(pending.delayedCount).toBe(1n);
    expect(pending.messages.map((m) => bytesToHex(m.data))).toEqual([bytesToHex(forced)]);
    expect(pending.messages[0].forceableAt).toBe(timestamp + BigInt(MAX_DELAY));

    // the sequencer censors: batches that do not read the delayed message
    await seq.postBatch(encodeTxList([bytes(5, 1)]), { delayedRead: 0n });
    await seq.postBatch(encodeTxList([bytes(5, 2)]), { delayedRead: 0n });
    const byThird = inbox.connect(third);
    await reverts(byThird.forceInclusion(1n), 'ForceInclusionTooEarly', [0n, timestamp + BigInt(MAX_DELAY)]);
    await advance(MAX_DELAY - 100);
    await reverts(byThird.forceInclusion(1n), 'ForceInclusionTooEarly');
    await seq.postBatch(encodeTxList([bytes(5, 3)]), { delayedRead: 0n });
    await advance(200);

    await reverts(byThird.forceInclusion(2n), 'DelayedReadBeyondCount', [2n, 1n]);
    const f = await byThird.forceInclusion(1n);
    gas.forceInclusion_1msg = f.gasUsed;
    expect([f.firstPosition, f.endPosition]).toEqual([3n, 4n]);
    const [m] = await inbox.readMessages(3n, 4n);
    expect(m.source).toBe('delayed');
    expect(bytesToHex(m.data)).toBe(bytesToHex(forced));
    expect(await inbox.delayedIncluded()).toBe(1n);
    expect((await inbox.pendingDelayed()).messages).toEqual([]);
    await reverts(byThird.forceInclusion(1n), 'NothingToInclude', [1n]);

    // the sequencer's stale delayedRead now reverts; the current one succeeds
    await reverts(seq.postBatch(encodeTxList([]), { delayedRead: 0n }), 'DelayedReadBehind', [0n, 1n]);
    const next = await seq.postBatch(encodeTxList([]), { delayedRead: 1n });
    expect(next.position).toBe(4n);
    expect(next.sequenceNumber).toBe(3n);
  });

  it('forcing several messages appends them in order, exactly as the sequencer would', async () => {
    const { inbox, usr } = await fresh(10);
    const lists = [encodeTxList([bytes(3, 1)]), encodeTxList([bytes(4, 2)]), encodeTxList([bytes(5, 3)])];
    for (const l of lists) await usr.sendMessage(l);
    await advance(11);
    const f = await inbox.connect(third).forceInclusion(2n);
    expect([f.firstPosition, f.endPosition]).toEqual([0n, 2n]);
    const read = await inbox.readMessages(0n, 2n);
    expect(read.map((m) => bytesToHex(m.data))).toEqual(
      lists.slice(0, 2).map((l) => bytesToHex(txListMessage(l))),
    );
    expect(await inbox.accumulator(2n)).toBe(accumulators(lists.slice(0, 2).map(txListMessage))[1]);
    const p = await inbox.pendingDelayed();
    expect(p.messages.map((m) => m.index)).toEqual([2n]);
  });
});

describe('Inbox: tick (§6.4)', () => {
  it('queues 0x05 ‖ L1 timestamp ‖ L1 block number as a delayed message; the sequencer includes it', async () => {
    const { inbox, seq, usr } = await fresh();
    expect(await inbox.lastTickBlock()).toBe(0n);
    await advance(1000);
    const t = await usr.tick();
    gas.tick_first = t.gasUsed;
    const block = await l1.publicClient.getBlock({ blockNumber: t.receipt.blockNumber });
    expect(t.index).toBe(0n);
    expect(bytesToHex(t.message)).toBe(bytesToHex(tickMessage(block.timestamp, block.number)));
    expect(decodeTick(t.message)).toEqual({ timestamp: block.timestamp, blockNumber: block.number });
    expect(await inbox.lastTickBlock()).toBe(block.number);
    const d = await inbox.delayedMessage(0n);
    expect(d).toEqual({
      messageKeccak: keccakHex(t.message),
      timestamp: block.timestamp,
      blockNumber: block.number,
    });
    const t2 = await inbox.connect(third).tick(); // anyone, next block
    gas.tick = t2.gasUsed;
    expect(t2.index).toBe(1n);
    expect(decodeTick(t2.message)?.blockNumber).toBe(t.receipt.blockNumber + 1n);
    const b = await seq.postBatch(encodeTxList([]));
    expect([b.firstPosition, b.position]).toEqual([0n, 2n]);
    const msgs = [t.message, t2.message, batchMessage(0, encodeTxList([]))];
    expect(await inbox.accumulator(3n)).toBe(accumulators(msgs)[2]);
    const read = await inbox.readMessages(0n, 3n);
    expect(read.map((m) => bytesToHex(m.data))).toEqual(msgs.map((m) => bytesToHex(m)));
    expect(read.map((m) => m.source)).toEqual(['delayed', 'delayed', 'batch']);
  });

  it('at most one tick per L1 block: TickTooSoon (negative); the message kind is not a batch kind', async () => {
    const { inbox, seq, usr } = await fresh();
    const t = await usr.tick();
    const n = t.receipt.blockNumber;
    // an eth_call in the tick's own block (its state, its block.number) reverts with the typed error
    const e = await reverts(
      l1.publicClient
        .simulateContract({
          address: inbox.address,
          abi: await inboxAbi(),
          functionName: 'tick',
          account: third.account,
          blockNumber: n,
        })
        .catch((x: unknown) => {
          throw toSettlementError(x, 'Inbox', 'Inbox.tick');
        }),
      'TickTooSoon',
      [n],
    );
    expect(e.code).toBe('INBOX_TICK_TOO_SOON');
    // two tick transactions mined in one block: the second reverts, one message is queued
    await l1.testClient.setAutomine(false);
    try {
      const data = encodeFunctionData({ abi: await inboxAbi(), functionName: 'tick' });
      const h1 = await user.sendTransaction({ to: inbox.address, data, gas: 200_000n });
      const h2 = await third.sendTransaction({ to: inbox.address, data, gas: 200_000n });
      await l1.testClient.mine({ blocks: 1 });
      const [r1, r2] = await Promise.all(
        [h1, h2].map((hash) => l1.publicClient.waitForTransactionReceipt({ hash })),
      );
      expect(r1.blockNumber).toBe(r2.blockNumber);
      expect([r1.status, r2.status]).toEqual(['success', 'reverted']);
      expect(await inbox.delayedCount()).toBe(2n);
      expect(await inbox.lastTickBlock()).toBe(r1.blockNumber);
    } finally {
      await l1.testClient.setAutomine(true);
    }
    // only the inbox writes kind 0x05: a batch of kind 5 is refused like a deposit's kind 1
    await reverts(
      seq.postBatch(tickMessage(1n, 1n).subarray(1), { kind: MESSAGE_KIND.tick }),
      'UnsupportedBatchKind',
      [5],
    );
    expect(BATCH_KINDS).not.toContain(MESSAGE_KIND.tick);
  });
});

describe('Inbox: every revert path', () => {
  it('postBatch: sender, sequence number, kind, delayedRead', async () => {
    const { inbox, seq, usr } = await fresh();
    await reverts(usr.postBatch(Uint8Array.of(1)), 'NotSequencer', [user.account.address]);
    await seq.postBatch(Uint8Array.of(1));
    await reverts(seq.postBatch(Uint8Array.of(1), { sequenceNumber: 0n }), 'BatchAlreadyPosted', [0n, 1n]);
    await reverts(seq.postBatch(Uint8Array.of(1), { sequenceNumber: 2n }), 'SequenceNumberGap', [2n, 1n]);
    await reverts(seq.postBatch(Uint8Array.of(1), { kind: 1 }), 'UnsupportedBatchKind', [1]);
    await reverts(seq.postBatch(Uint8Array.of(1), { kind: 2 }), 'BlobBatchPayloadNotEmpty', [1n]);
    await reverts(seq.postBatch(new Uint8Array(0), { kind: 2 }), 'NoBlobs');
    // kind 0x03 needs a registered certificate verifier (§5.3)
    await reverts(seq.postBatch(Uint8Array.of(1), { kind: 3 }), 'UnsupportedBatchKind', [3]);
    await reverts(seq.postBatch(Uint8Array.of(1), { kind: 5 }), 'UnsupportedBatchKind', [5]);
    await reverts(seq.postBatch(Uint8Array.of(1), { kind: 255 }), 'UnsupportedBatchKind', [255]);
    await reverts(seq.postBatch(Uint8Array.of(1), { delayedRead: 1n }), 'DelayedReadBeyondCount', [1n, 0n]);
    const e = await reverts(usr.postBatch(Uint8Array.of(1)), 'NotSequencer');
    expect(e.code).toBe('INBOX_NOT_SEQUENCER');
    expect(e.message).toMatch(/sequencer account/);
    expect(await inbox.batchCount()).toBe(1n);
  });

  it('postBatch: only as a top-level call from an account without code', async () => {
    const caller = await deploy(l1, await getArtifact('TestCaller'));
    const d = await deployInbox(l1, { sequencer: caller.address, maxDelaySeconds: MAX_DELAY });
    const abi = await inboxAbi();
    const data = encodeFunctionData({ abi, functionName: 'postBatch', args: [0n, 0n, 0, '0x01'] });
    const callerAbi = [...caller.contract.abi, ...abi.filter((x) => x.type === 'error')];
    await reverts(
      sendContractTx(l1, 'Inbox', {
        address: caller.address,
        abi: callerAbi,
        functionName: 'forward',
        args: [d.address, data],
      }),
      'NotDirectCall',
      [getAddress(caller.address), l1.accounts[0].address],
    );

    // an EIP-7702-delegated sequencer EOA has code: its transaction could be a call into other code
    const delegated = walletFor(l1, l1.accounts[4].account);
    const d2 = await deployInbox(l1, { sequencer: delegated.account.address, maxDelaySeconds: MAX_DELAY });
    const authorization = await delegated.signAuthorization({
      contractAddress: caller.address,
      executor: 'self',
    });
    const h = await delegated.sendTransaction({
      to: l1.accounts[5].address,
      authorizationList: [authorization],
    });
    await l1.publicClient.waitForTransactionReceipt({ hash: h });
    expect((await l1.publicClient.getCode({ address: delegated.account.address }))?.length).toBe(2 + 46);
    const seq2 = (await InboxClient.attach(l1, d2.address)).connect(delegated);
    await reverts(seq2.postBatch(Uint8Array.of(1)), 'NotDirectCall');
  });

  it('includeDelayed: sender and range', async () => {
    const { seq, usr } = await fresh();
    await reverts(usr.includeDelayed(0n), 'NotSequencer');
    await reverts(seq.includeDelayed(0n), 'NothingToInclude', [0n]);
    await usr.sendMessage(encodeTxList([]));
    await reverts(seq.includeDelayed(2n), 'DelayedReadBeyondCount', [2n, 1n]);
    await seq.includeDelayed(1n);
    await reverts(seq.includeDelayed(0n), 'DelayedReadBehind', [0n, 1n]);
  });

  it('sendMessage: size cap', async () => {
    const { usr, inbox } = await fresh();
    await reverts(usr.sendMessage(new Uint8Array(MAX_DELAYED_TX_LIST_BYTES + 1)), 'MessageTooLarge', [
      BigInt(MAX_DELAYED_TX_LIST_BYTES + 1),
      BigInt(MAX_DELAYED_TX_LIST_BYTES),
    ]);
    const ok = await usr.sendMessage(new Uint8Array(MAX_DELAYED_TX_LIST_BYTES).fill(1));
    expect(ok.index).toBe(0n);
    const [m] = await inbox.readDelayed(0n, 1n);
    expect(m.data.length).toBe(MAX_DELAYED_TX_LIST_BYTES + 1);
  });

  it('forceInclusion: range', async () => {
    const { inbox } = await fresh();
    await reverts(inbox.forceInclusion(0n), 'NothingToInclude', [0n]);
    await reverts(inbox.forceInclusion(1n), 'DelayedReadBeyondCount', [1n, 0n]);
  });

  it('views: delayedMessage out of range', async () => {
    const { inbox } = await fresh();
    await reverts(inbox.delayedMessage(0n), 'DelayedIndexOutOfRange', [0n, 0n]);
  });

  it('bridge registration and enqueueDeposit', async () => {
    const d = await deployInbox(l1, { sequencer: sequencer.account.address, maxDelaySeconds: MAX_DELAY });
    const abi = await inboxAbi();
    const call = (w: L1WalletClient, functionName: string, args: readonly unknown[]) =>
      sendContractTx({ publicClient: l1.publicClient, walletClient: w }, 'Inbox', {
        address: d.address,
        abi,
        functionName,
        args,
      });
    // before the bridge is set, nobody (not even the deployer) can enqueue a deposit
    await reverts(call(l1.walletClient, 'enqueueDeposit', [user.account.address, 1n]), 'NotBridge');
    await reverts(call(user, 'initializeBridge', [user.account.address]), 'NotDeployer', [
      user.account.address,
    ]);
    await reverts(call(l1.walletClient, 'initializeBridge', ['0x'.padEnd(42, '0')]), 'ZeroAddress');
    await call(l1.walletClient, 'initializeBridge', [third.account.address]);
    // the certificate verifier (§5.3): deployer only, non-zero, once
    await reverts(call(user, 'initializeCertificateVerifier', [user.account.address, 60n]), 'NotDeployer');
    await reverts(
      call(l1.walletClient, 'initializeCertificateVerifier', ['0x'.padEnd(42, '0'), 60n]),
      'ZeroAddress',
    );
    // a zero minimum lifetime would let a certificate expire right after it is posted (issue 19, 4)
    await reverts(
      call(l1.walletClient, 'initializeCertificateVerifier', [third.account.address, 0n]),
      'ZeroCertificateLifetime',
    );
    await call(l1.walletClient, 'initializeCertificateVerifier', [third.account.address, 60n]);
    await reverts(
      call(l1.walletClient, 'initializeCertificateVerifier', [user.account.address, 60n]),
      'CertificateVerifierAlreadyInitialized',
      [third.account.address],
    );
    await reverts(
      call(l1.walletClient, 'initializeBridge', [user.account.address]),
      'BridgeAlreadyInitialized',
      [third.account.address],
    );
    await reverts(call(user, 'enqueueDeposit', [user.account.address, 1n]), 'NotBridge', [
      user.account.address,
    ]);
    // the registered bridge (here an EOA) can
    await call(third, 'enqueueDeposit', [user.account.address, 5n]);
    const inbox = await InboxClient.attach(l1, d.address, { fromBlock: d.deployBlock });
    expect(await inbox.bridge()).toBe(third.account.address);
    const [m] = await inbox.readDelayed(0n, 1n);
    expect(bytesToHex(m.data)).toBe(bytesToHex(depositMessage(user.account.address, 5n)));
  });

  it('constructor: zero sequencer', async () => {
    const e = await deployInbox(l1, { sequencer: '0x'.padEnd(42, '0') as Address, maxDelaySeconds: 1 }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(InboxRevertError);
    expect((e as InboxRevertError).code).toBe('INBOX_ZERO_ADDRESS');
    expect((e as InboxRevertError).cause).toBeInstanceOf(DeployError);
  });
});
