/**
 * The batcher in its worker thread, on anvil: blocks posted in order with events and state mirrored
 * on this side, typed errors rebuilt across the thread (out of order, position mismatch, an inbox
 * revert), a start against an unreachable L1, blob DA built from the config inside the worker, and
 * ticks (`tickSeconds`) sent from the thread, their events (and a failed tick's error) on this side.
 */
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaConfig } from '../config/types.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { deployInbox, InboxClient } from '../settlement/ethereum/inbox.ts';
import { batchMessage, encodeTxList, messageTxList } from '../settlement/ethereum/message.ts';
import { BatcherError, type BatcherEvent, BatchPositionMismatchError, type SealedBlock } from './batcher.ts';
import { BatcherWorker, type BatcherWorkerOptions } from './batcher-worker.ts';

let l1: L1;
let inbox: InboxClient;
const workers: BatcherWorker[] = [];

beforeAll(async () => {
  l1 = await startAnvil();
  const d = await deployInbox(l1, { sequencer: l1.accounts[0].address, maxDelaySeconds: 60 });
  inbox = await InboxClient.attach(l1, d.address, { fromBlock: d.deployBlock });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await l1?.stop();
});

const calldata: DaConfig = { module: 'l1-calldata' } as DaConfig;

function worker(o: Partial<BatcherWorkerOptions> = {}): BatcherWorker {
  const w = new BatcherWorker({
    rpcUrl: l1.rpcUrl,
    privateKey: l1.accounts[0].privateKey,
    pollingIntervalMs: 20,
    inbox: inbox.address,
    fromBlock: inbox.fromBlock,
    da: calldata,
    ...o,
  });
  workers.push(w);
  return w;
}

let n = 0;
function block(position: bigint, size = 40): SealedBlock {
  const tx = new Uint8Array(size).fill(++n & 0xff);
  return { position, message: batchMessage(0, encodeTxList([tx])), delayedRead: 0n };
}

describe('BatcherWorker', () => {
  it('posts blocks from its thread, in order; events and state reach this side', async () => {
    const events: BatcherEvent[] = [];
    const w = worker({ onEvent: (e) => events.push(e) });
    expect(w.l1).toBeUndefined();
    expect(await w.start()).toEqual({ batchCount: 0n, messageCount: 0n, delayedIncluded: 0n });
    const blocks = [block(0n), block(1n), block(2n)];
    const posted = await Promise.all(blocks.map((b) => w.submit(b)));
    expect(posted.map((p) => [p.position, p.sequenceNumber, p.alreadyPosted])).toEqual([
      [0n, 0n, false],
      [1n, 1n, false],
      [2n, 2n, false],
    ]);
    expect(posted[1].block).toBe(blocks[1]);
    expect(posted[0].tx?.receipt.status).toBe('success');
    expect(posted[0].da).toMatchObject({ pointer: 'calldata', usedFallback: false });
    expect(w.l1).toEqual({ batchCount: 3n, messageCount: 3n, delayedIncluded: 0n });
    expect(w.nextSequenceNumber).toBe(3n);
    expect(w.pending).toBe(0);
    expect(events.map((e) => e.type)).toEqual(['started', 'posted', 'posted', 'posted']);
    const onL1 = await inbox.readMessages(0n, 3n);
    expect(onL1.map((m) => messageTxList(m.data))).toEqual(blocks.map((b) => messageTxList(b.message)));
  }, 60_000);

  it('rebuilds typed errors: out of order, a position mismatch, halted; start() clears them', async () => {
    const events: BatcherEvent[] = [];
    const w = worker({ onEvent: (e) => events.push(e) });
    await w.start();
    // L1 holds other batches at 0..2: this block is not one of them
    const err = await w.submit(block(1n)).catch((e) => e);
    expect(err).toBeInstanceOf(BatchPositionMismatchError);
    expect(err.code).toBe('BATCHER_POSITION_MISMATCH');
    expect(err.expected).toBe(1n);
    expect(err.l1).toEqual({ batchCount: 3n, messageCount: 3n, delayedIncluded: 0n });
    expect(events.at(-1)?.type).toBe('mismatch');
    const halted = await w.submit(block(3n)).catch((e) => e);
    expect(halted).toBeInstanceOf(BatchPositionMismatchError);

    await w.start();
    const posted = await w.submit(block(3n));
    expect(posted.position).toBe(3n);
    const ooo = await w.submit(block(3n)).catch((e) => e);
    expect(ooo).toBeInstanceOf(BatcherError);
    expect(ooo.code).toBe('BATCHER_OUT_OF_ORDER');
    expect(ooo.message).toMatch(/submitted after position 3/);
  }, 60_000);

  it('an inbox revert keeps its code and Solidity error name across the thread', async () => {
    // signed by a key that is not the inbox's sequencer
    const w = worker({ privateKey: l1.accounts[1].privateKey, attempts: 1 });
    await w.start();
    const err = await w.submit(block(4n)).catch((e) => e);
    expect(err).toBeInstanceOf(BatcherError);
    expect(err.code).toBe('INBOX_NOT_SEQUENCER');
    expect(err.name).toBe('InboxRevertError');
    expect(err.errorName).toBe('NotSequencer');
    expect(err.contract).toBe('Inbox');
    expect(await inbox.batchCount()).toBe(4n);
  }, 60_000);

  it('a worker that cannot reach L1 rejects with BATCHER_WORKER', async () => {
    const w = worker({ rpcUrl: 'http://127.0.0.1:9' });
    const err = await w.start().catch((e) => e);
    expect(err).toBeInstanceOf(BatcherError);
    expect(err.code).toBe('BATCHER_WORKER');
    expect(err.message).toMatch(/no JSON-RPC answer from http:\/\/127\.0\.0\.1:9/);
    await expect(w.submit(block(9n))).rejects.toMatchObject({ code: 'BATCHER_WORKER' });
  }, 30_000);

  it('builds the config DA module in the worker: an l1-blob batch posted as blobs', async () => {
    const w = worker({ da: { module: 'l1-blob' } as DaConfig });
    await w.start();
    const b = block(4n, 2000);
    const posted = await w.submit(b);
    expect(posted.da?.pointer).toBe('blob');
    const [m] = await inbox.readMessages(4n, 5n);
    expect(m.data[0]).toBe(0x02);
  }, 60_000);

  it('ticks from its thread (tickSeconds): the tick event on this side; a failed tick arrives as an error event', async () => {
    const events: BatcherEvent[] = [];
    const w = worker({ tickSeconds: 3_600, onEvent: (e) => events.push(e) });
    const before = await inbox.delayedCount();
    await w.start();
    await w.flush(); // the tick queued at start
    expect(await inbox.delayedCount()).toBe(before + 1n);
    const tick = events.find((e) => e.type === 'tick');
    expect(tick).toMatchObject({ type: 'tick', index: before });
    expect(tick?.type === 'tick' && tick.gasUsed > 0n).toBe(true);
    expect(await inbox.lastTickBlock()).toBe(tick?.type === 'tick' ? tick.blockNumber : -1n);
    await w.close();

    // an account without ETH cannot pay for the tick: an event, not a failed start
    const failed: BatcherEvent[] = [];
    const poor = worker({ tickSeconds: 1, privateKey: generatePrivateKey(), onEvent: (e) => failed.push(e) });
    // the tick above is younger than an hour but older than a second
    await new Promise((r) => setTimeout(r, 1_100));
    await poor.start();
    await poor.flush();
    const f = failed.find((e) => e.type === 'tick-failed');
    expect(f?.type === 'tick-failed' && f.error).toBeInstanceOf(BatcherError);
    expect(await inbox.delayedCount()).toBe(before + 1n);
  }, 60_000);
});
