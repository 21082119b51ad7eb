/**
 * The kv app (guest/apps/kv): every run goes natively and through the interpreter (App.run checks
 * they agree on status, global state and hinted preimages). Rejection paths leave the app state
 * unchanged: the post-state root equals the pre-state with only the receipt added.
 */
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { GlobalState } from '../../vm/wasm/machine.ts';
import { runGenesis } from '../sdk/app-entry.ts';
import { concat, encodeBatch, encodeBody, signTx, u16 } from '../sdk/client-common.ts';
import { toHex } from '../sdk/preimage-store.ts';
import { App, Receipt, receiptKey } from '../sdk/run-app.ts';
import { StateTree } from '../sdk/state-tree.ts';
import { transfer } from '../token/client.ts';
import { KV_APP, KV_CHAIN_ID, kvDelete, kvGet, kvSet, kvSetBody, nonceOf } from './client.ts';

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const enc = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const app = new App('kv');
const genesis = () => runGenesis(app, KV_CHAIN_ID);

/** the receipt value as the guest writes it */
const receiptValue = (message: number, txs: number[]) => {
  const v = new Uint8Array(5 + txs.length);
  v[0] = message;
  new DataView(v.buffer).setUint32(1, txs.length);
  v.set(txs, 5);
  return v;
};

/** runs `msg`, checks that only the receipt changed the state, returns the post state */
function expectRejected(gs: GlobalState, msg: Uint8Array, message: number, txs: number[]): GlobalState {
  const r = app.run(gs, msg);
  expect(r.receipts).toEqual({ message, txs });
  const ref = new StateTree(app.store, gs.bytes32[0]);
  ref.set(receiptKey(gs.u64[0]), receiptValue(message, txs));
  expect(toHex(r.globalState.bytes32[0])).toBe(toHex(ref.root));
  expect(r.globalState.u64).toEqual([gs.u64[0] + 1n, 0n]);
  expect(toHex(r.globalState.bytes32[1])).toBe(toHex(gs.bytes32[1]));
  return r.globalState;
}

/** alice has set "a" = "1" (nonce 1) */
async function seeded(): Promise<GlobalState> {
  const r = app.run(genesis(), encodeBatch([await kvSet(alice, enc('a'), enc('1'), { nonce: 0n })]));
  expect(r.receipts?.txs).toEqual([Receipt.OK]);
  return r.globalState;
}

describe('kv app', () => {
  it('set, overwrite, delete; several senders and txs per batch; nonces', async () => {
    let gs = genesis();
    let r = app.run(
      gs,
      encodeBatch([
        await kvSet(alice, enc('hello'), enc('world'), { nonce: 0n }),
        await kvSet(bob, enc('hello'), enc('bob'), { nonce: 0n }),
        await kvSet(alice, enc('x'), new Uint8Array(300).fill(7), { nonce: 1n }),
        await kvSet(alice, enc('hello'), enc('again'), { nonce: 2n }),
      ]),
    );
    expect(r.receipts).toEqual({ message: Receipt.OK, txs: [0, 0, 0, 0] });
    gs = r.globalState;
    expect(gs.u64).toEqual([1n, 0n]);
    let t = app.tree(gs);
    expect(str(kvGet(t, alice.address, enc('hello')))).toBe('again');
    expect(str(kvGet(t, bob.address, enc('hello')))).toBe('bob');
    expect(kvGet(t, alice.address, enc('x'))).toEqual(new Uint8Array(300).fill(7));
    expect(nonceOf(t, alice.address)).toBe(3n);
    expect(nonceOf(t, bob.address)).toBe(1n);

    r = app.run(gs, encodeBatch([await kvDelete(alice, enc('hello'), { nonce: 3n })]));
    expect(r.receipts).toEqual({ message: Receipt.OK, txs: [0] });
    t = app.tree(r.globalState);
    expect(kvGet(t, alice.address, enc('hello'))).toBeUndefined();
    expect(str(kvGet(t, bob.address, enc('hello')))).toBe('bob');
    expect(nonceOf(t, alice.address)).toBe(4n);
    // the receipts of both messages stay readable
    expect(app.run(r.globalState, encodeBatch([])).receipts).toEqual({ message: 0, txs: [] });
  });

  it('a replayed nonce is rejected', async () => {
    const tx = await kvSet(alice, enc('a'), enc('1'), { nonce: 0n });
    const gs = app.run(genesis(), encodeBatch([tx])).globalState;
    expectRejected(gs, encodeBatch([tx]), 0, [Receipt.BAD_NONCE]);
    // a nonce from the future too
    expectRejected(gs, encodeBatch([await kvSet(alice, enc('b'), enc('2'), { nonce: 5n })]), 0, [
      Receipt.BAD_NONCE,
    ]);
    // the same tx twice in one batch: the second is a replay
    const r = app.run(genesis(), encodeBatch([tx, tx]));
    expect(r.receipts?.txs).toEqual([Receipt.OK, Receipt.BAD_NONCE]);
    expect(toHex(r.globalState.bytes32[0])).not.toBe(toHex(gs.bytes32[0])); // receipts differ
    expect(nonceOf(app.tree(r.globalState), alice.address)).toBe(1n);
  });

  it('wrong chain id, wrong app, unknown op', async () => {
    const gs = await seeded();
    expectRejected(gs, encodeBatch([await kvSet(alice, enc('a'), enc('2'), { nonce: 1n, chainId: 1n })]), 0, [
      Receipt.WRONG_CHAIN,
    ]);
    expectRejected(gs, encodeBatch([await transfer(alice, bob.address, 1n, { nonce: 1n })]), 0, [
      Receipt.WRONG_APP,
    ]);
    const unknownOp = await signTx(
      alice,
      encodeBody({ app: KV_APP, op: 7, chainId: KV_CHAIN_ID, nonce: 1n }, u16(0)),
    );
    expectRejected(gs, encodeBatch([unknownOp]), 0, [Receipt.UNKNOWN_OP]);
  });

  it('malformed transactions', async () => {
    const gs = await seeded();
    const h = { app: KV_APP, chainId: KV_CHAIN_ID, nonce: 1n };
    const bad = [
      new Uint8Array(0),
      new Uint8Array(82), // shorter than header + signature
      await signTx(alice, encodeBody({ ...h, op: 1 }, concat(u16(5), enc('ab')))), // key runs past the end
      await signTx(alice, encodeBody({ ...h, op: 1 }, concat(u16(1), enc('a'), u16(3), enc('1')))), // value too
      await signTx(alice, encodeBody({ ...h, op: 1 }, concat(u16(1), enc('a'), u16(1), enc('1'), enc('!')))), // trailing
      await signTx(alice, encodeBody({ ...h, op: 1 }, new Uint8Array(1))),
      await signTx(alice, encodeBody({ ...h, op: 2 }, concat(u16(2), enc('a')))),
    ];
    expectRejected(gs, encodeBatch(bad), 0, Array(bad.length).fill(Receipt.MALFORMED));
  });

  it('bad signatures: v not 27/28, r = 0, high s, another signer', async () => {
    const gs = await seeded();
    const good = await kvSet(alice, enc('a'), enc('2'), { nonce: 1n });
    const sigAt = good.length - 65;
    const withV = (v: number) => {
      const t = good.slice();
      t[t.length - 1] = v;
      return t;
    };
    const zeroR = good.slice();
    zeroR.fill(0, sigAt, sigAt + 32);
    // the same signature with s' = n - s and the other v recovers alice too: rejected (malleability)
    const highS = good.slice();
    const s = BigInt(`0x${toHex(good.subarray(sigAt + 32, sigAt + 64))}`);
    highS.set(Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex'), sigAt + 32);
    highS[highS.length - 1] = good[good.length - 1] === 27 ? 28 : 27;
    expectRejected(
      gs,
      encodeBatch([withV(0), withV(29), withV(1), zeroR, highS]),
      0,
      Array(5).fill(Receipt.BAD_SIGNATURE),
    );
    // a tampered body recovers someone else, whose nonce is 0: alice's state is untouched
    const tampered = good.slice();
    tampered[sigAt - 1] ^= 1; // the last value byte
    expectRejected(gs, encodeBatch([tampered]), 0, [Receipt.BAD_NONCE]);
    // and the good one still goes through
    const r = app.run(gs, encodeBatch([good]));
    expect(r.receipts?.txs).toEqual([Receipt.OK]);
    expect(str(kvGet(app.tree(r.globalState), alice.address, enc('a')))).toBe('2');
  });

  it('undecodable messages are empty batches; unknown kinds and deposits are ignored', async () => {
    const gs = await seeded();
    const good = await kvSet(alice, enc('a'), enc('2'), { nonce: 1n });
    const batch = encodeBatch([good]);
    const tooMany = batch.slice();
    tooMany[4] = 2; // count 2, one tx
    const hugeCount = batch.slice();
    hugeCount.set([0xff, 0xff, 0xff, 0xff], 1);
    const hugeLen = batch.slice();
    hugeLen.set([0x7f, 0xff, 0xff, 0xff], 5);
    const trailing = concat(batch, Uint8Array.of(0));
    for (const m of [
      new Uint8Array(0),
      Uint8Array.of(0),
      Uint8Array.of(0, 0, 0),
      tooMany,
      hugeCount,
      hugeLen,
      trailing,
      batch.subarray(0, 40),
    ])
      expectRejected(gs, m, Receipt.UNDECODABLE, []);
    expectRejected(gs, concat(Uint8Array.of(5), batch.subarray(1)), Receipt.UNKNOWN_KIND, []);
    expectRejected(gs, Uint8Array.of(0xff), Receipt.UNKNOWN_KIND, []);
    expectRejected(gs, concat(Uint8Array.of(1), new Uint8Array(52)), Receipt.UNSUPPORTED, []);
    expectRejected(gs, concat(Uint8Array.of(1), new Uint8Array(10)), Receipt.UNDECODABLE, []);
  });

  it('cost: steps per tx (interpreter) and native throughput', async () => {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 40; i++)
      txs.push(await kvSet(alice, enc(`key${i}`), enc(`value${i}`), { nonce: BigInt(i) }));
    const one = app.run(genesis(), encodeBatch(txs.slice(0, 1)));
    const gs = one.globalState;
    const r = app.run(gs, encodeBatch(txs.slice(1)));
    expect(r.receipts?.txs).toEqual(Array(39).fill(0));
    const empty = app.run(gs, encodeBatch([]));
    const perTx = (r.steps - empty.steps) / 39;
    // scratch memory is released after each tx: memory does not grow with the batch
    expect(r.memoryBytes).toBe(one.memoryBytes);
    // native: best of 3
    let ms = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++)
      ms = Math.min(ms, app.run(gs, encodeBatch(txs.slice(1)), { interpret: false }).nativeMs);
    console.log(
      `kv set: ${Math.round(perTx)} interpreter steps/tx (empty batch ${empty.steps}, memory ${r.memoryBytes / 65536} pages), native ${Math.round((39 / ms) * 1000)} tx/s`,
    );
    expect(perTx).toBeLessThan(2_000_000);
    expect(kvSetBody(enc('k'), enc('v'), { nonce: 0n }).length).toBe(18 + 2 + 1 + 2 + 1);
  });
});
