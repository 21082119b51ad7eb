/**
 * The batcher on anvil: blocks posted in order with the delayed messages they include, a restart
 * (and a lost receipt, and a racing second batcher) that posts nothing twice, a block over the DA
 * limit, and a forced inclusion that moves positions under the sequencer. Ticks (`tickSeconds`):
 * L1-time ticks between the posts, no over-ticking after a restart, and a failing tick that does not
 * stop the posts.
 */
import { bytesToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaBatchTooLargeError } from '../da/errors.ts';
import { L1CalldataDa } from '../da/l1-calldata/l1-calldata.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { InboxRevertError, SettlementTxError } from '../settlement/ethereum/errors.ts';
import { deployInbox, InboxClient, walletFor } from '../settlement/ethereum/inbox.ts';
import {
  batchMessage,
  decodeTick,
  encodeTxList,
  MESSAGE_KIND,
  messageTxList,
} from '../settlement/ethereum/message.ts';
import {
  Batcher,
  BatcherError,
  type BatcherEvent,
  BatchPositionMismatchError,
  type SealedBlock,
} from './batcher.ts';

const MAX_DELAY = 60;
let l1: L1;
let inbox: InboxClient;
/** a user's client (sends delayed messages, forces inclusion) */
let user: InboxClient;

beforeAll(async () => {
  l1 = await startAnvil();
  const d = await deployInbox(l1, { sequencer: l1.accounts[0].address, maxDelaySeconds: MAX_DELAY });
  inbox = await InboxClient.attach(l1, d.address, { fromBlock: d.deployBlock });
  user = inbox.connect(walletFor(l1, l1.accounts[2].account));
}, 60_000);

afterAll(async () => {
  await l1?.stop();
});

/**
 * The sequencer's view for these tests: the next position and delayed messages it included. A block
 * includes the delayed messages below `delayedRead` first (each at its own position).
 */
const seq = { position: 0n, delayedRead: 0n, n: 0 };
function seal(opts: { include?: bigint; size?: number } = {}): SealedBlock {
  const delayedRead = opts.include ?? seq.delayedRead;
  seq.position += delayedRead - seq.delayedRead;
  seq.delayedRead = delayedRead;
  const tx = new Uint8Array(opts.size ?? 40).fill(++seq.n & 0xff);
  const block = { position: seq.position, message: batchMessage(0, encodeTxList([tx])), delayedRead };
  seq.position++;
  return block;
}

async function onL1(b: SealedBlock) {
  const [m] = await inbox.readMessages(b.position, b.position + 1n);
  return m;
}

describe('Batcher', () => {
  const blocks: SealedBlock[] = [];

  it('posts sealed blocks in order, each at its predicted position, with the delayed messages before it', async () => {
    const events: BatcherEvent[] = [];
    const b = new Batcher({ inbox, onEvent: (e) => events.push(e) });
    expect(await b.start()).toEqual({ batchCount: 0n, messageCount: 0n, delayedIncluded: 0n });
    blocks.push(seal());
    const sent = await user.sendMessage(encodeTxList([Uint8Array.of(0xde, 0x1a)]));
    expect(sent.index).toBe(0n);
    blocks.push(seal({ include: 1n }), seal());
    expect(blocks.map((x) => x.position)).toEqual([0n, 2n, 3n]);

    const posted = await b.postAll(blocks);
    expect(posted.map((p) => [p.position, p.sequenceNumber, p.alreadyPosted])).toEqual([
      [0n, 0n, false],
      [2n, 1n, false],
      [3n, 2n, false],
    ]);
    expect(b.l1).toEqual({ batchCount: 3n, messageCount: 4n, delayedIncluded: 1n });
    const all = await inbox.readMessages(0n, 4n);
    expect(all.map((m) => m.source)).toEqual(['batch', 'delayed', 'batch', 'batch']);
    // each block's list is on L1, compressed (0x04) when that is smaller (these lists repeat bytes)
    for (const x of blocks) {
      const m = (await onL1(x)).data;
      expect(m[0]).toBe(4);
      expect(bytesToHex(messageTxList(m) as Uint8Array)).toBe(bytesToHex(x.message.subarray(1)));
    }
    expect(events.map((e) => e.type)).toEqual(['started', 'posted', 'posted', 'posted']);
    console.log(
      `batcher: postBatch gas for a ${blocks[2].message.length}-byte block: ${posted[2].tx?.gasUsed}`,
    );
  });

  it('a restarted batcher skips what L1 has (checking it is the same block) and posts the rest once', async () => {
    const more = [seal(), seal()];
    const events: BatcherEvent[] = [];
    const b = new Batcher({ inbox, onEvent: (e) => events.push(e) });
    // the sequencer re-feeds everything it is not sure about
    const posted = await b.postAll([...blocks, ...more]);
    expect(posted.map((p) => p.alreadyPosted)).toEqual([true, true, true, false, false]);
    expect(posted.map((p) => p.sequenceNumber)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(events.map((e) => e.type)).toEqual([
      'started',
      'skipped',
      'skipped',
      'skipped',
      'posted',
      'posted',
    ]);
    expect(await inbox.batchCount()).toBe(5n);
    expect(await inbox.messageCount()).toBe(6n);
    blocks.push(...more);

    // the sequencer's positions for blocks L1 has differently: a mismatch, nothing posted
    const wrong = { ...blocks[3], message: batchMessage(0, encodeTxList([Uint8Array.of(1)])) };
    const e = await new Batcher({ inbox }).submit(wrong).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BatchPositionMismatchError);
    expect((e as BatchPositionMismatchError).code).toBe('BATCHER_POSITION_MISMATCH');
    expect((e as Error).message).toMatch(/another batch there \(sequence number 3\)/);
    const e2 = await new Batcher({ inbox }).submit(blocks[0]).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e2).toBeUndefined(); // the same block: skipped
    expect(
      await new Batcher({ inbox }).submit({ ...blocks[1], position: 1n }).catch((x) => x),
    ).toBeInstanceOf(BatchPositionMismatchError); // position 1 is the delayed message
  });

  it('a lost receipt and a racing batcher do not double-post: the sequence number makes resubmission idempotent', async () => {
    // a transaction that lands but whose receipt the batcher never sees
    let lost = 0;
    const flaky = Object.create(inbox) as InboxClient;
    flaky.postBatch = async (payload, opts) => {
      const r = await inbox.postBatch(payload, opts);
      if (lost++ === 0) throw new SettlementTxError(`receipt lost for ${r.txHash}`);
      return r;
    };
    const events: BatcherEvent[] = [];
    const b = new Batcher({ inbox: flaky, retryDelayMs: 10, onEvent: (e) => events.push(e) });
    await b.start();
    const x = seal();
    const r = await b.submit(x);
    expect(r).toMatchObject({ position: x.position, sequenceNumber: 5n, alreadyPosted: true });
    expect(events.map((e) => e.type)).toEqual(['started', 'retry', 'skipped']);
    expect(await inbox.batchCount()).toBe(6n);

    // a second batcher with a stale view races the first one on the same block
    const stale = new Batcher({ inbox });
    await stale.start();
    const y = seal();
    const fresh = new Batcher({ inbox });
    expect((await fresh.submit(y)).alreadyPosted).toBe(false);
    const again = await stale.submit(y); // BatchAlreadyPosted on L1 → found there
    expect(again).toMatchObject({ position: y.position, sequenceNumber: 6n, alreadyPosted: true });
    expect(await inbox.batchCount()).toBe(7n);
    expect(await inbox.messageCount()).toBe(y.position + 1n);
    blocks.push(x, y);
  });

  it('refuses a block over the DA limit and blocks out of order', async () => {
    const b = new Batcher({ inbox, da: new L1CalldataDa({ maxBatchBytes: 1_000 }) });
    const big = seal({ size: 2_000 });
    seq.position--; // not posted
    seq.n--;
    await expect(b.submit(big)).rejects.toBeInstanceOf(DaBatchTooLargeError);
    expect(await inbox.messageCount()).toBe(big.position);
    const next = seal();
    // the queue halted at the refused block (the next positions assumed it) until start()
    await expect(b.submit(next)).rejects.toMatchObject({ code: 'BATCHER_HALTED' });
    await b.start();
    await b.submit(next);
    const e = await b.submit(blocks[0]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BatcherError);
    expect((e as BatcherError).code).toBe('BATCHER_OUT_OF_ORDER');
    await expect(b.submit({ ...seal(), message: Uint8Array.of(1, 2) })).rejects.toMatchObject({
      code: 'BATCHER_UNSUPPORTED_KIND',
    });
    seq.position--;
    blocks.push(next);
  });

  it('a forced inclusion that moves positions is reported (BATCHER_POSITION_MISMATCH), nothing is posted; after start() the re-sealed block posts', async () => {
    const b = new Batcher({ inbox });
    await b.start();
    // a user forces a delayed message in while the sequencer ignores it
    const sent = await user.sendMessage(encodeTxList([Uint8Array.of(0xf0)]));
    expect(sent.index).toBe(1n);
    await l1.testClient.increaseTime({ seconds: MAX_DELAY });
    await l1.testClient.mine({ blocks: 1 });
    await user.forceInclusion(2n);
    const countAfterForce = await inbox.messageCount();

    const stale = seal(); // the sequencer did not include delayed message 1
    const events: BatcherEvent[] = [];
    const b2 = new Batcher({ inbox, onEvent: (e) => events.push(e) });
    await b2.start();
    const e = await b.submit(stale).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BatchPositionMismatchError);
    const m = e as BatchPositionMismatchError;
    expect(m.expected).toBe(stale.position);
    expect(m.l1).toMatchObject({ messageCount: countAfterForce, delayedIncluded: 2n });
    expect(m.message).toMatch(/forced inclusion/);
    // the freshly started batcher predicts the mismatch before sending anything
    const e2 = await b2.submit(stale).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(BatchPositionMismatchError);
    expect(events.map((x) => x.type)).toEqual(['started', 'mismatch']);
    expect(await inbox.messageCount()).toBe(countAfterForce);
    // further blocks are refused until the sequencer re-executes and restarts the batcher
    await expect(b.submit(seal())).rejects.toBe(e);

    // the sequencer re-executes: the forced message is at the old position, its block after it
    seq.position = countAfterForce;
    seq.delayedRead = 2n;
    const resealed = seal();
    expect(resealed.position).toBe(stale.position + 1n);
    await b.start();
    expect((await b.submit(resealed)).position).toBe(resealed.position);
  });

  it('a forced inclusion of messages the block includes anyway does not move it', async () => {
    const b = new Batcher({ inbox });
    await b.start();
    const sent = await user.sendMessage(encodeTxList([Uint8Array.of(0xf1)]));
    const block = seal({ include: sent.index + 1n }); // the sequencer includes it
    await l1.testClient.increaseTime({ seconds: MAX_DELAY });
    await l1.testClient.mine({ blocks: 1 });
    await user.forceInclusion(sent.index + 1n); // someone forced it first (the batcher's view is stale)
    const r = await b.submit(block);
    expect([r.position, r.alreadyPosted]).toEqual([block.position, false]);
    const [m] = await inbox.readMessages(block.position - 1n, block.position);
    expect([m.source, m.sourceIndex]).toEqual(['delayed', sent.index]);
  });

  it('an L1 reorg that drops posted batches: the next block is a mismatch; after start() the dropped blocks are posted again', async () => {
    const b = new Batcher({ inbox });
    await b.start();
    const snap = await l1.testClient.snapshot();
    const dropped = [seal(), seal()];
    await b.postAll(dropped);
    await l1.testClient.revert({ id: snap });
    const next = seal();
    const e = await b.submit(next).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BatchPositionMismatchError);
    expect((e as Error).message).toMatch(/SequenceNumberGap/);
    expect((e as BatchPositionMismatchError).l1.messageCount).toBe(dropped[0].position);
    // the delayed inbox did not change: the same blocks are still valid at the same positions
    await b.start();
    const r = await b.postAll([...dropped, next]);
    expect(r.map((x) => [x.position, x.alreadyPosted])).toEqual([
      [dropped[0].position, false],
      [dropped[1].position, false],
      [next.position, false],
    ]);
    for (const x of [...dropped, next]) {
      expect(bytesToHex(messageTxList((await onL1(x)).data) as Uint8Array)).toBe(
        bytesToHex(x.message.subarray(1)),
      );
    }
  });
});

describe('Batcher ticks (tickSeconds, docs/node.md §3 "Ticks")', () => {
  /** a fresh inbox, so that the delayed inbox holds only what these tests put there */
  async function freshInbox(): Promise<InboxClient> {
    const d = await deployInbox(l1, { sequencer: l1.accounts[0].address, maxDelaySeconds: MAX_DELAY });
    return InboxClient.attach(l1, d.address, { fromBlock: d.deployBlock });
  }
  const until = async (what: () => Promise<boolean>, label: string): Promise<void> => {
    for (let i = 0; i < 300; i++) {
      if (await what()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${label}`);
  };
  /** a one-transaction block at `position` including the delayed messages below `delayedRead` */
  const blockAt = (position: bigint, delayedRead: bigint, n: number): SealedBlock => ({
    position,
    message: batchMessage(0, encodeTxList([new Uint8Array(40).fill(n)])),
    delayedRead,
  });

  it('ticks at start and every tickSeconds between the posts; the blocks include the ticks at the right positions', async () => {
    const ib = await freshInbox();
    const events: BatcherEvent[] = [];
    const b = new Batcher({ inbox: ib, tickSeconds: 1, onEvent: (e) => events.push(e) });
    expect(await ib.lastTickBlock()).toBe(0n);
    await b.start();
    // the sequencer's part: each time a tick arrives, a block that includes it (as a deposit would be)
    let position = 0n;
    let delayedRead = 0n;
    const posted = [];
    for (let round = 1; round <= 3; round++) {
      await until(async () => (await ib.delayedCount()) > delayedRead, `tick ${round}`);
      const count = await ib.delayedCount();
      position += count - delayedRead;
      delayedRead = count;
      const r = await b.submit(blockAt(position, delayedRead, round));
      expect([r.position, r.alreadyPosted]).toEqual([position, false]);
      expect(r.tx?.delayedRead).toBe(delayedRead);
      posted.push(r);
      position++;
    }
    await b.close();
    const ticks = events.filter((e) => e.type === 'tick');
    expect(events.filter((e) => e.type === 'tick-failed')).toEqual([]);
    expect(ticks.length).toBe(Number(delayedRead));
    // every delayed message is a tick (kind 0x05) of the L1 block that carried it, in order
    const delayed = await ib.readDelayed(0n, delayedRead);
    expect(delayed.map((m) => m.data[0])).toEqual(delayed.map(() => MESSAGE_KIND.tick));
    for (const [i, m] of delayed.entries()) {
      const t = decodeTick(m.data);
      expect(t).toEqual({ timestamp: m.timestamp, blockNumber: m.blockNumber });
      if (ticks[i]?.type === 'tick')
        expect([ticks[i].index, ticks[i].blockNumber]).toEqual([m.index, m.blockNumber]);
      // at least tickSeconds of L1 time between two ticks
      if (i > 0) expect(m.timestamp - delayed[i - 1].timestamp).toBeGreaterThanOrEqual(1n);
    }
    expect(await ib.lastTickBlock()).toBe(delayed.at(-1)?.blockNumber);
    // the inbox: the ticks at their positions, each block after the ticks it includes
    const all = await ib.readMessages(0n, await ib.messageCount());
    expect(all.length).toBe(Number(position));
    expect(all.filter((m) => m.source === 'batch').map((m) => m.position)).toEqual(
      posted.map((p) => p.position),
    );
    expect(all.filter((m) => m.source === 'delayed').every((m) => m.data[0] === MESSAGE_KIND.tick)).toBe(
      true,
    );
    // closed: no more ticks (a tick would land within a second)
    const count = await ib.delayedCount();
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await ib.delayedCount()).toBe(count);
    const gas = ticks.map((e) => (e.type === 'tick' ? e.gasUsed : 0n));
    console.log(`tick gas: ${gas.join(', ')}; batch gas: ${posted.map((p) => p.tx?.gasUsed).join(', ')}`);
  });

  it('a restarted (or second) batcher does not tick while the last tick is younger than tickSeconds', async () => {
    const ib = await freshInbox();
    const first = new Batcher({ inbox: ib, tickSeconds: 3_600 });
    await first.start();
    await first.flush(); // the first tick of an inbox
    await first.close();
    expect(await ib.delayedCount()).toBe(1n);
    const events: BatcherEvent[] = [];
    const second = new Batcher({ inbox: ib, tickSeconds: 3_600, onEvent: (e) => events.push(e) });
    await second.start();
    await second.flush();
    await second.close();
    expect(await ib.delayedCount()).toBe(1n);
    expect(events.map((e) => e.type)).toEqual(['started']);
    // once L1's time passed tickSeconds since the last tick, a start ticks again
    await l1.testClient.increaseTime({ seconds: 3_600 });
    await l1.testClient.mine({ blocks: 1 });
    const third = new Batcher({ inbox: ib, tickSeconds: 3_600, onEvent: (e) => events.push(e) });
    await third.start();
    await third.flush();
    await third.close();
    expect(await ib.delayedCount()).toBe(2n);
    expect(events.map((e) => e.type)).toEqual(['started', 'started', 'tick']);
  });

  it('a failing tick is an event, retried at the next interval, and never stops the posts', async () => {
    const ib = await freshInbox();
    // the batcher's inbox client whose tick() sends a transaction that reverts on L1
    let tickCalls = 0;
    const failing = Object.create(ib) as InboxClient;
    failing.tick = async () => {
      tickCalls++;
      return (await ib.forceInclusion(1_000n)) as never; // reverts DelayedReadBeyondCount
    };
    const events: BatcherEvent[] = [];
    const b = new Batcher({ inbox: failing, tickSeconds: 1, onEvent: (e) => events.push(e) });
    await b.start();
    await until(async () => events.filter((e) => e.type === 'tick-failed').length >= 2, 'two failed ticks');
    const blocks = [blockAt(0n, 0n, 1), blockAt(1n, 0n, 2)];
    const r = await b.postAll(blocks);
    expect(r.map((x) => [x.position, x.alreadyPosted])).toEqual([
      [0n, false],
      [1n, false],
    ]);
    await b.close();
    const failed = events.filter((e) => e.type === 'tick-failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(tickCalls).toBe(failed.length);
    for (const e of failed) {
      expect((e as { error: unknown }).error).toBeInstanceOf(InboxRevertError);
      expect(((e as { error: unknown }).error as InboxRevertError).errorName).toBe('DelayedReadBeyondCount');
    }
    expect(events.filter((e) => e.type === 'tick')).toEqual([]);
    expect(await ib.messageCount()).toBe(2n);
    expect(await ib.delayedCount()).toBe(0n);
  });

  it('refuses a tickSeconds that is not a positive integer', () => {
    for (const t of [0, -1, 1.5]) {
      expect(() => new Batcher({ inbox, tickSeconds: t })).toThrow(/tickSeconds must be a positive integer/);
    }
  });
});
