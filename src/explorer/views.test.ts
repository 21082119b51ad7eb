/**
 * The explorer's views of L1 on anvil (one per file), through its JSON-RPC methods: batches with
 * their DA path and compression, the delayed inbox with a censored message forced in by a third
 * party, the genesis assertion, and an L1 reorg under what was read (the view reads again). The
 * views of a dispute on real moves: explorer-browser.test.ts.
 */
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DisputeFixture, setupDisputeFixture } from '../../test/dispute-fixture.ts';
import { DISPUTE_TEST_PARAMS, disputeTestGenesis, disputeTestProgram } from '../../test/test-stf.ts';
import { withDefaults } from '../config/defaults.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import { encodeTxList, MESSAGE_KIND } from '../settlement/ethereum/message.ts';
import { createExplorer, type Explorer } from './index.ts';
import type { AssertionView, BatchView, DelayedView, InboxMessageView } from './views.ts';

let l1: L1;
let f: DisputeFixture;
let x: Explorer;
beforeAll(async () => {
  l1 = await startAnvil();
  f = await setupDisputeFixture(l1, {
    prog: disputeTestProgram(),
    params: DISPUTE_TEST_PARAMS,
    genesis: disputeTestGenesis(),
  });
  x = createExplorer({ contracts: f.settlement, config: withDefaults({}), syncIntervalMs: 0 });
});
afterAll(async () => {
  await l1?.stop();
});

type Page<T> = { total: number; from: number; items: T[] };
const call = async <T>(method: string, params: unknown[] = []) =>
  (await x.methods[method](undefined, params)) as T;
const tx = (n: number) => new Uint8Array(120).fill(n);

describe('the explorer views of L1', () => {
  it('batches: DA path, payload and transaction-list sizes, brotli compression, L1 transaction', async () => {
    const list = encodeTxList([tx(1), tx(1), tx(2)]);
    await f.settlement.inbox.postBatch(list);
    await f.settlement.inbox.postBatch(new Uint8Array(brotliCompressSync(list)), {
      kind: MESSAGE_KIND.brotliTransactions,
    });
    const b = await call<Page<BatchView>>('modex_getBatches');
    expect(b.total).toBe(2);
    expect(b.items[0]).toMatchObject({
      sequenceNumber: 0,
      position: 0,
      daPath: 'calldata',
      fallback: false,
      compression: 'none',
      payloadBytes: list.length,
      txListBytes: list.length,
      txCount: 3,
      certificate: null,
      blobHashes: [],
    });
    expect(b.items[1]).toMatchObject({
      sequenceNumber: 1,
      compression: 'brotli',
      txListBytes: list.length,
      txCount: 3,
    });
    expect(b.items[1].payloadBytes).toBeLessThan(list.length);
    expect(Number(b.items[1].gasUsed)).toBeGreaterThan(21_000);
    expect(
      (await call<Page<BatchView>>('modex_getBatches', [1, 5])).items.map((i) => i.sequenceNumber),
    ).toEqual([1]);
  });

  it('the delayed inbox: a censored message is pending, then forced in by a third party', async () => {
    const user = f.settlement.inbox.connect(walletFor(l1, l1.accounts[3].account));
    await user.sendMessage(encodeTxList([tx(9)]));
    type Inbox = Page<InboxMessageView> & {
      delayed: { total: number; pending: number; items: DelayedView[] };
    };
    let inbox = await call<Inbox>('modex_getInbox');
    expect(inbox.delayed).toMatchObject({ total: 1, pending: 1 });
    const d = inbox.delayed.items[0];
    expect(d).toMatchObject({ index: 0, kind: 'transactions', txCount: 1, position: null, forced: false });
    expect(d.sender).toBe(l1.accounts[3].address.toLowerCase());
    expect(d.forceableAt - d.sentAt).toBe(3600);

    await f.elapse(3601);
    await f.settlement.inbox.connect(walletFor(l1, l1.accounts[4].account)).forceInclusion(1n);
    inbox = await call<Inbox>('modex_getInbox');
    expect(inbox.delayed).toMatchObject({ total: 1, pending: 0 });
    expect(inbox.delayed.items[0]).toMatchObject({ position: 2, forced: true });
    expect(inbox.items.map((m) => [m.position, m.source, m.forced])).toEqual([
      [0, 'batch', false],
      [1, 'batch', false],
      [2, 'delayed', true],
    ]);
  });

  it('assertions, disputes, committee and settlement before any assertion', async () => {
    const a = await call<Page<AssertionView>>('modex_getAssertions');
    expect(a.items).toHaveLength(1);
    expect(a.items[0]).toMatchObject({ genesis: true, status: 'confirmed', disputed: false });
    expect(await call('modex_getDisputes')).toEqual({ total: 0, from: 0, items: [] });
    expect(await call('modex_getCommittee')).toMatchObject({
      module: 'l1-calldata',
      members: [],
      batches: { total: 2, certificate: 0, fallback: 0 },
    });
    expect(await call('modex_getSettlement')).toMatchObject({
      l1ChainId: l1.chainId,
      modules: { da: 'l1-calldata', proof: 'fraud' },
      params: { heights: DISPUTE_TEST_PARAMS.heights, maxDelaySeconds: 3600 },
    });
  });

  it('an L1 reorg under what was read: the view reads L1 again', async () => {
    const snap = await l1.testClient.snapshot();
    await f.settlement.inbox.postBatch(encodeTxList([tx(3)]));
    expect((await call<Page<BatchView>>('modex_getBatches')).total).toBe(3);
    await l1.testClient.revert({ id: snap });
    await l1.testClient.mine({ blocks: 3 }); // the same height, other blocks
    expect((await call<Page<BatchView>>('modex_getBatches')).total).toBe(2);
    expect((await call<Page<InboxMessageView>>('modex_getInbox')).total).toBe(3);
  });
});
