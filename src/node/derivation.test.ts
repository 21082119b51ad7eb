/**
 * Derivation on anvil with the token STF and the settlement contracts: a follower that never talks to
 * the sequencer reaches the global states the sequencer's executor computed (a bridge deposit
 * included by the batcher's delayedRead, transfers, a transaction list with a malformed transaction,
 * an undecodable payload); an L1 reorg (anvil snapshot / revert) makes it rewind to the last matching
 * accumulator and end on the new chain's states; and the derivation rate. Then, without L1, the
 * pointer paths (an invalid pointer is executed as is, unavailable data stalls) and executor failures.
 */
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenApp } from '../../test/node-utils.ts';
import { loadApp, type WasmApp } from '../apps/sdk/app-runtime.ts';
import { Receipt } from '../apps/sdk/run-app.ts';
import { balanceQuery, TOKEN_CHAIN_ID, transfer } from '../apps/token/client.ts';
import type { DataAvailability } from '../core/da.ts';
import { DaUnavailableError } from '../da/errors.ts';
import { encodeBlobs } from '../da/l1-blob/blob-codec.ts';
import { L1CalldataDa } from '../da/l1-calldata/l1-calldata.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { moduleFieldsHex } from '../proof/fraud/claim.ts';
import { deploySettlement, type SettlementDeployment } from '../settlement/ethereum/deploy-settlement.ts';
import { toSolState } from '../settlement/ethereum/dispute-hash.ts';
import { type InboxClient, type InboxEntry, walletFor } from '../settlement/ethereum/inbox.ts';
import { accumulate, batchMessage, batchMessageOf, encodeTxList } from '../settlement/ethereum/message.ts';
import type { GlobalState } from '../vm/wasm/machine.ts';
import { AppChain } from './app-chain.ts';
import { Batcher, type SealedBlock } from './batcher.ts';
import { Derivation, type DerivationEvent } from './derivation.ts';

/** a token chain with its own preimage store (nothing shared with another) */
const newChain = (): AppChain => {
  const t = tokenApp();
  return new AppChain({ app: loadApp(t.bytes, t.name), chainId: TOKEN_CHAIN_ID });
};
const balanceOf = (c: AppChain, a: Hex): bigint =>
  c.query(balanceQuery(a)).result.reduce((x, y) => (x << 8n) | BigInt(y), 0n);

const ETH = 10n ** 18n;
let l1: L1;
let s: SettlementDeployment;
let app: WasmApp;
let user: ReturnType<typeof privateKeyToAccount>;
const bob = privateKeyToAccount(`0x${'b0'.repeat(32)}`);
const DEPOSIT = 5n * ETH;

const show = (g: GlobalState) => `${g.bytes32.map((b) => bytesToHex(b)).join(',')};${g.u64.join(',')}`;

/** The sequencer side for these tests: executes what it seals (delayed messages first), then hands blocks to the batcher. */
class TestSequencer {
  readonly exec = newChain();
  delayedRead = 0n;
  constructor(readonly inbox: InboxClient) {}

  /** includes the delayed messages sent so far, then seals `payload` as the next block */
  async seal(payload: Uint8Array): Promise<SealedBlock> {
    const count = await this.inbox.delayedCount();
    for (const d of await this.inbox.readDelayed(this.delayedRead, count)) this.exec.execute(d.data);
    this.delayedRead = count;
    const message = batchMessage(0, payload);
    const position = BigInt(this.exec.length);
    this.exec.execute(message);
    return { position, message, delayedRead: this.delayedRead };
  }
}

let seq: TestSequencer;
let nonce = 0n;
const transfers = async (n: number, amount = 1000n) => {
  const txs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) txs.push(await transfer(user, bob.address, amount, { nonce: nonce++ }));
  return encodeTxList(txs);
};

beforeAll(async () => {
  l1 = await startAnvil();
  app = loadApp(tokenApp().bytes, 'token');
  s = await deploySettlement(l1, {
    sequencer: l1.accounts[0].address,
    maxDelaySeconds: 3600,
    moduleFields: moduleFieldsHex(app.program),
    genesis: toSolState(app.genesis(TOKEN_CHAIN_ID)),
  });
  user = l1.accounts[2].account;
  seq = new TestSequencer(s.inbox);
}, 120_000);

afterAll(async () => {
  await l1?.stop();
});

function expectSameStates(d: Derivation, exec: AppChain) {
  expect(d.head).toBe(BigInt(exec.length));
  for (let n = 0; n <= exec.length; n++)
    expect(show(d.stateAt(n)), `state after ${n}`).toBe(show(exec.stateAt(n)));
}

describe('Derivation on anvil', () => {
  let follower: Derivation;
  let fexec: AppChain;
  let tokenFollower: Derivation;
  const events: DerivationEvent[] = [];

  it('a follower rebuilds the sequencer states from L1 alone: deposit, transfers, malformed and undecodable blocks', async () => {
    const batcher = new Batcher({ inbox: s.inbox });
    await s.bridge.connect(walletFor(l1, user)).depositEth(user.address, DEPOSIT);
    const blocks = [
      await seq.seal(await transfers(2, ETH)), // includes the deposit (delayedRead 1) at position 0
      await seq.seal(Uint8Array.of(0, 0, 0, 9, 1, 2)), // does not decode as a transaction list
      await seq.seal(
        encodeTxList([new Uint8Array(70).fill(7), await transfer(user, bob.address, 5n, { nonce: nonce++ })]),
      ),
      await seq.seal(encodeTxList([])),
    ];
    expect(blocks.map((b) => [b.position, b.delayedRead])).toEqual([
      [1n, 1n],
      [2n, 1n],
      [3n, 1n],
      [4n, 1n],
    ]);
    const typical = await seq.seal(await transfers(10));
    blocks.push(typical);
    const posted = await batcher.postAll(blocks);
    console.log(
      `derivation: postBatch gas for a block of 10 token transfers (${typical.message.length} bytes): ${posted[4].tx?.gasUsed}`,
    );

    fexec = newChain(); // its own preimage store: nothing shared with the sequencer
    follower = new Derivation({ inbox: s.inbox, executor: fexec });
    follower.subscribe((e) => events.push(e));
    const r = await follower.sync();
    expect(r).toMatchObject({ derived: 6, head: 6n, l1MessageCount: 6n, error: undefined });
    expectSameStates(follower, seq.exec);
    expect(events.filter((e) => e.type === 'position').length).toBe(6);
    expect(follower.entry(0)).toMatchObject({ source: 'delayed', sourceIndex: 0n });
    expect(follower.entry(1)).toMatchObject({ source: 'batch', sourceIndex: 0n });
    expect(follower.accumulatorAt(6)).toBe(await s.inbox.accumulator(6n));

    expect(fexec.receipts(0)).toEqual({ message: Receipt.OK, txs: [] });
    expect(fexec.receipts(1)).toEqual({ message: Receipt.OK, txs: [Receipt.OK, Receipt.OK] });
    expect(fexec.receipts(2)?.message).toBe(Receipt.UNDECODABLE);
    expect(fexec.receipts(3)).toEqual({ message: Receipt.OK, txs: [Receipt.MALFORMED, Receipt.OK] });
    expect(fexec.receipts(4)).toEqual({ message: Receipt.OK, txs: [] });
    expect(fexec.receipts(5)?.txs).toEqual(new Array(10).fill(Receipt.OK));
    const paid = 2n * ETH + 5n + 10n * 1000n;
    expect(balanceOf(fexec, bob.address)).toBe(paid);
    expect(balanceOf(fexec, user.address)).toBe(DEPOSIT - paid);

    // a second follower (its own store) agrees
    tokenFollower = new Derivation({ inbox: s.inbox, executor: newChain() });
    await tokenFollower.sync();
    expectSameStates(tokenFollower, seq.exec);

    // nothing new: a poll derives nothing and does not rewind
    expect(await follower.poll()).toMatchObject({ derived: 0, rewound: undefined, head: 6n });
  });

  it('an L1 reorg: the follower rewinds to the last matching accumulator and ends on the new chain', async () => {
    const base = seq.exec.length; // 6
    const baseNonce = nonce;
    const snap = await l1.testClient.snapshot();

    // chain A: two blocks, derived
    const batcher = new Batcher({ inbox: s.inbox });
    await batcher.postAll([
      await seq.seal(await transfers(1, 111n)),
      await seq.seal(await transfers(2, 222n)),
    ]);
    await follower.sync();
    await tokenFollower.sync();
    expect(follower.head).toBe(BigInt(base + 2));
    const stateA = show(follower.stateAt());

    // the reorg: L1 goes back; the sequencer re-executes from L1 and seals other blocks (chain B)
    await l1.testClient.revert({ id: snap });
    expect(await s.inbox.messageCount()).toBe(BigInt(base));
    seq.exec.truncate(base);
    nonce = baseNonce;
    const b = [
      await seq.seal(await transfers(3, 333n)),
      await seq.seal(await transfers(1, 444n)),
      await seq.seal(await transfers(1, 555n)),
    ];
    await new Batcher({ inbox: s.inbox }).postAll(b);

    const reorgs: DerivationEvent[] = [];
    const unsub = follower.subscribe((e) => e.type === 'reorg' && reorgs.push(e));
    const r = await follower.sync();
    unsub();
    expect(r.rewound).toEqual({ from: BigInt(base + 2), to: BigInt(base) });
    expect(reorgs).toEqual([{ type: 'reorg', from: BigInt(base + 2), to: BigInt(base) }]);
    expect(r.head).toBe(BigInt(base + 3));
    expectSameStates(follower, seq.exec);
    expect(show(follower.stateAt())).not.toBe(stateA);
    expect(fexec.receipts(base)?.txs).toEqual([Receipt.OK, Receipt.OK, Receipt.OK]);

    const t = await tokenFollower.sync();
    expect(t.rewound).toEqual({ from: BigInt(base + 2), to: BigInt(base) });
    expectSameStates(tokenFollower, seq.exec);
  });

  it('a reorg that only shortens the inbox rewinds to the new end; one deep in the history is found by binary search', async () => {
    const base = seq.exec.length;
    const baseNonce = nonce;
    const snap = await l1.testClient.snapshot();
    await new Batcher({ inbox: s.inbox }).postAll([await seq.seal(await transfers(1))]);
    await follower.sync();
    expect(follower.head).toBe(BigInt(base + 1));
    await l1.testClient.revert({ id: snap });
    seq.exec.truncate(base);
    nonce = baseNonce;
    expect(await follower.poll()).toMatchObject({
      derived: 0,
      rewound: { from: BigInt(base + 1), to: BigInt(base) },
    });
    expectSameStates(follower, seq.exec);

    // deep: snapshot, 6 blocks, derive; revert, 7 other blocks: the common prefix is `base`
    const snap2 = await l1.testClient.snapshot();
    const a: SealedBlock[] = [];
    for (let i = 0; i < 6; i++) a.push(await seq.seal(await transfers(1, 7n)));
    await new Batcher({ inbox: s.inbox }).postAll(a);
    await follower.sync();
    await l1.testClient.revert({ id: snap2 });
    seq.exec.truncate(base);
    nonce = baseNonce;
    const bb: SealedBlock[] = [];
    for (let i = 0; i < 7; i++) bb.push(await seq.seal(await transfers(1, 8n)));
    await new Batcher({ inbox: s.inbox }).postAll(bb);
    const r = await follower.sync();
    expect(r.rewound).toEqual({ from: BigInt(base + 6), to: BigInt(base) });
    expectSameStates(follower, seq.exec);
  });

  it('derivation rate (native STF, anvil RPC)', async () => {
    /** posts `blocks`, then times the follower (synced up to them) deriving them */
    async function rate(blocks: SealedBlock[], what: string) {
      await new Batcher({ inbox: s.inbox }).postAll(blocks);
      const from = blocks[0].position;
      expect(follower.head).toBe(from);
      const t0 = performance.now();
      const r = await follower.sync();
      const ms = performance.now() - t0;
      expectSameStates(follower, seq.exec);
      const runs = fexec.runs.slice(Number(from));
      const stf = runs.reduce((a, x) => a + x.nativeMs, 0);
      const txs = runs.reduce((a, x) => a + (x.receipts?.txs.length ?? 0), 0);
      const per = (n: number, t: number) => ((n * 1000) / t).toFixed(0);
      console.log(
        `derivation of ${r.derived} ${what}: ${ms.toFixed(0)} ms end to end = ${per(r.derived, ms)} messages/s, ` +
          `${per(txs, ms)} tx/s; STF alone ${stf.toFixed(0)} ms = ${per(r.derived, stf)} messages/s, ${per(txs, stf)} tx/s`,
      );
    }
    await follower.sync();
    const full: SealedBlock[] = [];
    for (let i = 0; i < 40; i++) full.push(await seq.seal(await transfers(50, 1n)));
    await rate(full, 'blocks of 50 transfers');
    const empty: SealedBlock[] = [];
    for (let i = 0; i < 100; i++) empty.push(await seq.seal(encodeTxList([])));
    await rate(empty, 'empty blocks');
  });
});

/** An inbox in memory: the reader parts derivation uses. */
function fakeInbox(messages: Uint8Array[]): InboxClient {
  const accs = [`0x${'00'.repeat(32)}` as Hex];
  const entries = messages.map((data, i): InboxEntry => {
    accs.push(accumulate(accs[i], data));
    return {
      position: BigInt(i),
      source: 'batch',
      sourceIndex: BigInt(i),
      data,
      l1BlockNumber: 1n,
      l1Timestamp: 1n,
      sender: '0x0000000000000000000000000000000000000001',
      accumulator: accs[i + 1],
      messageKeccak: '0x',
      txHash: '0x',
    };
  });
  return {
    messageCount: async () => BigInt(messages.length),
    accumulator: async (n: bigint) => accs[Number(n)],
    readMessages: async (from: bigint, to: bigint) => entries.slice(Number(from), Number(to)),
  } as unknown as InboxClient;
}

describe('Derivation without L1', () => {
  it('an invalid pointer is executed as is (an empty block); unavailable DA data stalls derivation, never skips', async () => {
    const messages = [
      batchMessage(0, encodeTxList([])),
      Uint8Array.of(0x02, 1, 2, 3),
      batchMessage(0, encodeTxList([])),
    ];
    const events: DerivationEvent[] = [];
    const d = new Derivation({ inbox: fakeInbox(messages), executor: newChain() });
    d.subscribe((e) => events.push(e));
    expect(await d.sync()).toMatchObject({ head: 3n, error: undefined });
    expect(events.find((e) => e.type === 'invalid-pointer')).toMatchObject({ position: 1n });
    // the STF's rule for a blob message that is not 1 + 32k bytes (docs/stf.md)
    expect((d.executor as AppChain).receipts(1)?.message).toBe(Receipt.UNDECODABLE);

    // a blob batch whose blobs are not served yet: derivation waits, then executes it with the blobs
    const blobs = encodeBlobs(encodeTxList([]));
    const vh = `0x01${'ab'.repeat(31)}` as Hex;
    const withBlob = [messages[0], batchMessageOf(2, new Uint8Array(0), [vh]) as Uint8Array, messages[2]];
    let available = false;
    const calldata = new L1CalldataDa();
    const flaky: DataAvailability = {
      name: 'l1-blob',
      maxBatchBytes: calldata.maxBatchBytes,
      store: (x) => calldata.store(x),
      posting: (x, o) => calldata.posting(x, o),
      carries: (m, x) => calldata.carries(m, x),
      checkPointer: (p) => calldata.checkPointer(p),
      encodePointer: (p) => calldata.encodePointer(p),
      decodePointer: () => ({ kind: 'blob', versionedHashes: [vh] }),
      retrieve: (p) => calldata.retrieve(p),
      resolve: async (b) => {
        if (b.message[0] !== 0x02) return calldata.resolve(b);
        if (!available) throw new DaUnavailableError('blob not served yet');
        return {
          data: encodeTxList([]),
          preimages: blobs.map((bytes) => ({ kind: 1, hash: hexToBytes(vh), bytes })),
        };
      },
    };
    const d2 = new Derivation({ inbox: fakeInbox(withBlob), da: flaky, executor: newChain() });
    const r = await d2.poll();
    expect(r.head).toBe(1n);
    expect((r.error as DaUnavailableError).code).toBe('DA_UNAVAILABLE');
    available = true;
    expect((await d2.poll()).head).toBe(3n);
    expect((d2.executor as AppChain).receipts(1)?.message).toBe(Receipt.OK);
    // the same state as the same (empty) transaction list posted as calldata
    const inline = [messages[0], batchMessage(0, encodeTxList([])), messages[2]];
    const d3 = new Derivation({ inbox: fakeInbox(inline), executor: newChain() });
    await d3.sync();
    expect(show(d2.stateAt())).toBe(show(d3.stateAt()));
  });

  it('an executor failure stalls at that position and is reported; start/stop polls in the background', async () => {
    const messages = [batchMessage(0, encodeTxList([])), batchMessage(0, encodeTxList([]))];
    let fail = true;
    const inner = newChain();
    const exec = {
      get length() {
        return inner.length;
      },
      stateAt: (n: number) => inner.stateAt(n),
      truncate: (n: number) => inner.truncate(n),
      execute: (m: Uint8Array) => {
        if (fail && inner.length === 1) throw new Error('out of memory');
        return inner.execute(m);
      },
    };
    const d = new Derivation({ inbox: fakeInbox(messages), executor: exec });
    const errors: DerivationEvent[] = [];
    d.subscribe((e) => e.type === 'error' && errors.push(e));
    expect((await d.poll()).head).toBe(1n);
    expect(errors).toMatchObject([{ type: 'error', position: 1n }]);
    fail = false;
    d.start(5);
    await new Promise((r) => setTimeout(r, 100));
    await d.stop();
    expect(d.head).toBe(2n);
    expect(() => new Derivation({ inbox: fakeInbox([]), executor: inner })).toThrow(/must start empty/);
  });
});
