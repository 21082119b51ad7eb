/**
 * The guest SDK's app ABI (guest/sdk/abi.ts, docs/app-abi.md): genesis writes the chain id, admission
 * and queries read a state without changing it, receipt names, and the run loop's journal: a failing
 * transaction's writes (sets, deletes, withdrawals) are dropped. Every entry point runs natively and
 * interpreted (app-entry.ts checks they agree).
 */
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { GlobalState } from '../../vm/wasm/machine.ts';
import { KV_CHAIN_ID, kvQuery, kvSet } from '../kv/client.ts';
import { balanceQuery, depositMessage, TOKEN_CHAIN_ID, transfer } from '../token/client.ts';
import { abiVersionOf } from './abi-check.ts';
import { runAdmit, runEntry, runGenesis, runQuery, runReceiptNames } from './app-entry.ts';
import { addr, concat, encodeBatch, encodeBody, signTx, u256 } from './client-common.ts';
import { OUTBOX_DEPTH } from './outbox.ts';
import { toHex } from './preimage-store.ts';
import { App, Receipt, readReceipts } from './run-app.ts';
import { StateTree } from './state-tree.ts';

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const enc = (s: string) => new TextEncoder().encode(s);
const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};
const big = (b: Uint8Array) => b.reduce((x, y) => (x << 8n) | BigInt(y), 0n);

describe('app ABI: token and kv', () => {
  const token = new App('token');
  const kv = new App('kv');

  it('modex_abi_version returns 1; genesis writes the chain id at key 0x05', () => {
    for (const app of [token, kv]) expect(abiVersionOf(app.bytes)).toBe(1);
    const g = runGenesis(token, 77n);
    expect(g.u64).toEqual([0n, 0n]);
    expect(toHex(g.bytes32[1])).toBe('00'.repeat(32));
    expect(new StateTree(token.store, g.bytes32[0]).get(Uint8Array.of(0x05))).toEqual(u64(77n));
    expect(toHex(runGenesis(token, 78n).bytes32[0])).not.toBe(toHex(g.bytes32[0]));
    // the same for any app with the same genesis (no app genesis handler)
    expect(toHex(runGenesis(kv, 77n).bytes32[0])).toBe(toHex(g.bytes32[0]));
  });

  it('the chain id comes from the state: a transaction signed for another chain is wrong_chain', async () => {
    const g = runGenesis(token, 5n);
    let gs = token.run(g, depositMessage(alice.address, 10n)).globalState;
    const r = token.run(
      gs,
      encodeBatch([
        await transfer(alice, bob.address, 1n, { nonce: 0n }), // TOKEN_CHAIN_ID
        await transfer(alice, bob.address, 1n, { nonce: 0n, chainId: 5n }),
      ]),
    );
    expect(r.receipts?.txs).toEqual([Receipt.WRONG_CHAIN, Receipt.OK]);
    gs = r.globalState;
    expect(big(runQuery(token, gs.bytes32[0], balanceQuery(bob.address)).result)).toBe(1n);
  });

  it('modex_admit: sender and nonce, or the receipt code; the state is not changed', async () => {
    const g = runGenesis(token, TOKEN_CHAIN_ID);
    const gs = token.run(g, encodeBatch([await transfer(alice, bob.address, 0n, { nonce: 0n })])).globalState;
    const root = gs.bytes32[0];
    const ok = runAdmit(token, await transfer(alice, bob.address, 1n, { nonce: 1n }), root);
    expect(ok).toMatchObject({ verdict: 0, sender: alice.address.toLowerCase(), nonce: 1n });
    expect(toHex(ok.stateRoot)).toBe(toHex(root));
    // a nonce ahead of the state's is admitted (earlier ones may be pending); one below is not
    expect(runAdmit(token, await transfer(alice, bob.address, 1n, { nonce: 9n }), root)).toMatchObject({
      verdict: 0,
      nonce: 9n,
    });
    expect(runAdmit(token, await transfer(alice, bob.address, 1n, { nonce: 0n }), root).verdict).toBe(
      Receipt.BAD_NONCE,
    );
    expect(
      runAdmit(token, await transfer(alice, bob.address, 1n, { nonce: 1n, chainId: 1n }), root).verdict,
    ).toBe(Receipt.WRONG_CHAIN);
    expect(runAdmit(token, await kvSet(alice, enc('a'), enc('b'), { nonce: 1n }), root).verdict).toBe(
      Receipt.WRONG_APP,
    );
    expect(runAdmit(token, new Uint8Array(50), root).verdict).toBe(Receipt.MALFORMED);
    const badV = await transfer(alice, bob.address, 1n, { nonce: 1n });
    badV[badV.length - 1] = 29;
    expect(runAdmit(token, badV, root).verdict).toBe(Receipt.BAD_SIGNATURE);
  });

  it('modex_query: nonce, raw key, chain id, app kinds; errors', async () => {
    const g = runGenesis(kv, KV_CHAIN_ID);
    const gs = kv.run(
      g,
      encodeBatch([await kvSet(alice, enc('k'), enc('hello'), { nonce: 0n })]),
    ).globalState;
    const root = gs.bytes32[0];
    const q = (d: Uint8Array) => runQuery(kv, root, d);
    expect(q(concat(Uint8Array.of(0x00), addr(alice.address)))).toEqual({ status: 0, result: u64(1n) });
    expect(q(concat(Uint8Array.of(0x00), addr(bob.address)))).toEqual({ status: 0, result: u64(0n) });
    expect(q(Uint8Array.of(0x02))).toEqual({ status: 0, result: u64(KV_CHAIN_ID) });
    expect(q(Uint8Array.of(0x01, 0x05))).toEqual({ status: 0, result: u64(KV_CHAIN_ID) });
    expect(q(Uint8Array.of(0x01, 0x77)).result.length).toBe(0);
    expect(new TextDecoder().decode(q(kvQuery(alice.address, enc('k'))).result)).toBe('hello');
    expect(q(kvQuery(bob.address, enc('k')))).toEqual({ status: 0, result: new Uint8Array(0) });
    expect(q(new Uint8Array(0)).status).toBe(Receipt.MALFORMED);
    expect(q(Uint8Array.of(0x00, 1, 2)).status).toBe(Receipt.MALFORMED);
    expect(q(Uint8Array.of(0x02, 0)).status).toBe(Receipt.MALFORMED);
    expect(q(Uint8Array.of(0x03)).status).toBe(Receipt.UNKNOWN_OP);
    expect(q(Uint8Array.of(0x11)).status).toBe(Receipt.UNKNOWN_OP);
    expect(q(Uint8Array.of(0x10, 1)).status).toBe(Receipt.MALFORMED);
    // token: balances
    const t = token.run(runGenesis(token, TOKEN_CHAIN_ID), depositMessage(alice.address, 1234n)).globalState;
    expect(runQuery(token, t.bytes32[0], balanceQuery(alice.address))).toEqual({
      status: 0,
      result: u256(1234n),
    });
    expect(runQuery(token, t.bytes32[0], balanceQuery(bob.address))).toEqual({ status: 0, result: u256(0n) });
  });

  it('modex_receipt_names: the SDK names 0–15', () => {
    const names = runReceiptNames(token);
    expect(names).toHaveLength(16);
    expect(names.slice(0, 14)).toEqual([
      'ok',
      'malformed',
      'wrong_app',
      'wrong_chain',
      'bad_signature',
      'bad_nonce',
      'unknown_op',
      'insufficient_balance',
      'overflow',
      'unknown_kind',
      'undecodable',
      'unsupported',
      'out_of_steps',
      'trapped',
    ]);
    expect(names.slice(14)).toEqual(['', '']);
  });
});

describe('SDK journal: a failing transaction leaves no writes', () => {
  const app = new App('sdk/test/revert_app.ts');
  const CHAIN = 9n;
  const tx = (op: number, args: Uint8Array, nonce: bigint, who = alice) =>
    signTx(who, encodeBody({ app: 0x7e, op, chainId: CHAIN, nonce }, args));
  const set = (k: string, v: string, fail: number, nonce: bigint) =>
    tx(1, concat(Uint8Array.of(k.length), enc(k), enc(v), Uint8Array.of(fail)), nonce);
  const del = (k: string, fail: number, nonce: bigint) =>
    tx(2, concat(Uint8Array.of(k.length), enc(k), Uint8Array.of(fail)), nonce);
  const wd = (amount: bigint, fail: number, nonce: bigint) =>
    tx(3, concat(addr(bob.address), u256(amount), Uint8Array.of(fail)), nonce);
  const get = (gs: GlobalState, k: string) => {
    const r = runQuery(app, gs.bytes32[0], concat(Uint8Array.of(0x10), enc(k)));
    return r.status === 0 ? new TextDecoder().decode(r.result) : undefined;
  };
  const run = (gs: GlobalState, txs: Uint8Array[]) => {
    const out = app.run(gs, encodeBatch(txs)).globalState;
    return { gs: out, txs: readReceipts(app.store, out.bytes32[0], gs.u64[0])?.txs };
  };

  it('genesis handler, app receipt names', () => {
    const g = runGenesis(app, CHAIN);
    expect(get(g, 'g')).toBe('g');
    const names = runReceiptNames(app);
    expect(names.slice(16)).toEqual(['failed_one', 'failed_two']);
  });

  it('sets, deletes and withdrawals of a failing transaction are dropped; the others stay', async () => {
    const g = runGenesis(app, CHAIN);
    let r = run(g, [
      await set('a', '1', 0, 0n),
      await set('a', '2', 1, 1n), // overwrites a, fails: a stays 1
      await set('b', '3', 2, 1n), // a new key, fails
      await set('c', '4', 0, 1n),
      await del('a', 1, 2n), // fails: a stays
      await wd(5n, 1, 2n), // fails: no withdrawal, send root unchanged
    ]);
    expect(r.txs).toEqual([0, 17, 18, 0, 17, 17]);
    expect([get(r.gs, 'a'), get(r.gs, 'b'), get(r.gs, 'c')]).toEqual(['1', undefined, '4']);
    expect(toHex(r.gs.bytes32[1])).toBe('00'.repeat(32));
    const tree = new StateTree(app.store, r.gs.bytes32[0]);
    expect(tree.get(Uint8Array.of(0x04))).toBeUndefined();
    expect(runQuery(app, r.gs.bytes32[0], concat(Uint8Array.of(0x00), addr(alice.address))).result).toEqual(
      u64(2n),
    );
    // the same state as a batch of the successful transactions only (receipts aside)
    const ref = new StateTree(app.store, g.bytes32[0]);
    for (const [k, v] of [
      ['a', '1'],
      ['c', '4'],
    ])
      ref.set(concat(Uint8Array.of(0x10), enc(k)), enc(v));
    ref.set(concat(Uint8Array.of(0x01), addr(alice.address)), u64(2n));
    ref.set(
      concat(Uint8Array.of(0x00), u64(0n)),
      concat(Uint8Array.of(0), new Uint8Array([0, 0, 0, 6]), Uint8Array.of(0, 17, 18, 0, 17, 17)),
    );
    expect(toHex(r.gs.bytes32[0])).toBe(toHex(ref.root));

    // a withdrawal that succeeds, then one that fails in the same batch: one leaf, recorded at 0x06
    r = run(r.gs, [await wd(5n, 0, 2n), await wd(6n, 2, 3n), await del('a', 0, 3n)]);
    expect(r.txs).toEqual([0, 18, 0]);
    const t2 = new StateTree(app.store, r.gs.bytes32[0]);
    const frontier = t2.get(Uint8Array.of(0x04));
    expect(frontier?.length).toBe(8 + 32 * OUTBOX_DEPTH);
    expect(big(frontier?.subarray(0, 8) ?? new Uint8Array(0))).toBe(1n);
    expect(t2.get(concat(Uint8Array.of(0x06), u64(0n)))).toEqual(
      concat(addr(alice.address), addr(bob.address), u256(5n)),
    );
    expect(t2.get(concat(Uint8Array.of(0x06), u64(1n)))).toBeUndefined();
    expect(toHex(r.gs.bytes32[1])).not.toBe('00'.repeat(32));
    expect(get(r.gs, 'a')).toBeUndefined();
    // a unit reported as trapped (the write buffer re-indexed): its writes go, later ones work
    r = run(r.gs, [await set('t', 'x', 0xff, 4n), await set('u', 'y', 0, 4n), await set('t', 'z', 0, 5n)]);
    expect(r.txs).toEqual([13, 0, 0]); // trapped
    expect([get(r.gs, 't'), get(r.gs, 'u')]).toEqual(['z', 'y']);
    // a failing withdrawal after withdrawals: the send root stays
    const before = toHex(r.gs.bytes32[1]);
    r = run(r.gs, [await wd(1n, 1, 6n)]);
    expect(toHex(r.gs.bytes32[1])).toBe(before);
  });

  it('admission does not need the app; a failing unit runs the same natively and interpreted', async () => {
    const g = runGenesis(app, CHAIN);
    const raw = await set('x', 'y', 1, 0n);
    expect(runAdmit(app, raw, g.bytes32[0])).toMatchObject({ verdict: 0, nonce: 0n });
    const out = runEntry(app, 'main', { ...g, u64: [0n, 0n] }, encodeBatch([raw]));
    expect(out.steps).toBeGreaterThan(0);
  });
});
