/**
 * The token app (guest/apps/token): deposits, transfers, withdrawals through the outbox (send root =
 * depth-32 Merkle root, each withdrawal provable with a Merkle proof), rejections by rule. Every run
 * goes natively and through the interpreter (App.run).
 */
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { GlobalState } from '../../vm/wasm/machine.ts';
import { kvSet } from '../kv/client.ts';
import { runGenesis } from '../sdk/app-entry.ts';
import { encodeBatch, signTx } from '../sdk/client-common.ts';
import { outboxProof, outboxRoot, verifyWithdrawal, type Withdrawal, withdrawalLeaf } from '../sdk/outbox.ts';
import { toHex } from '../sdk/preimage-store.ts';
import { App, Receipt } from '../sdk/run-app.ts';
import {
  balanceOf,
  depositMessage,
  nonceOf,
  TOKEN_CHAIN_ID,
  transfer,
  transferBody,
  withdraw,
} from './client.ts';

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const l1 = '0x00000000000000000000000000000000000000aa' as const;
const MAX = (1n << 256n) - 1n;

const app = new App('token');
const genesis = () => runGenesis(app, TOKEN_CHAIN_ID);

function step(gs: GlobalState, msg: Uint8Array) {
  const r = app.run(gs, msg);
  expect(r.globalState.u64).toEqual([gs.u64[0] + 1n, 0n]);
  return r;
}

describe('token app', () => {
  it('deposits, transfers, withdrawals; the send root proves each withdrawal', async () => {
    let gs = genesis();
    let r = step(gs, depositMessage(alice.address, 1000n));
    expect(r.receipts).toEqual({ message: Receipt.OK, txs: [] });
    gs = r.globalState;
    expect(balanceOf(app.tree(gs), alice.address)).toBe(1000n);

    r = step(
      gs,
      encodeBatch([
        await transfer(alice, bob.address, 300n, { nonce: 0n }),
        await transfer(bob, alice.address, 100n, { nonce: 0n }),
        await transfer(alice, alice.address, 50n, { nonce: 1n }), // to oneself
        await withdraw(bob, l1, 150n, { nonce: 1n }),
        await withdraw(alice, bob.address, 7n, { nonce: 2n }),
      ]),
    );
    expect(r.receipts?.txs).toEqual([0, 0, 0, 0, 0]);
    gs = r.globalState;
    let t = app.tree(gs);
    expect(balanceOf(t, alice.address)).toBe(1000n - 300n + 100n - 7n);
    expect(balanceOf(t, bob.address)).toBe(300n - 100n - 150n);
    expect(nonceOf(t, alice.address)).toBe(3n);
    const ws: Withdrawal[] = [
      { index: 0n, from: bob.address, to: l1, amount: 150n },
      { index: 1n, from: alice.address, to: bob.address, amount: 7n },
    ];
    expect(toHex(gs.bytes32[1])).toBe(toHex(outboxRoot(ws.map(withdrawalLeaf))));

    // more withdrawals across messages: the frontier persists in the state
    for (let i = 0; i < 3; i++) {
      gs = step(
        gs,
        encodeBatch([await withdraw(alice, l1, BigInt(i + 1), { nonce: 3n + BigInt(i) })]),
      ).globalState;
      ws.push({ index: BigInt(ws.length), from: alice.address, to: l1, amount: BigInt(i + 1) });
    }
    const leaves = ws.map(withdrawalLeaf);
    expect(toHex(gs.bytes32[1])).toBe(toHex(outboxRoot(leaves)));
    for (const w of ws)
      expect(verifyWithdrawal(gs.bytes32[1], w, outboxProof(leaves, Number(w.index)))).toBe(true);
    expect(verifyWithdrawal(gs.bytes32[1], { ...ws[0], amount: 151n }, outboxProof(leaves, 0))).toBe(false);
    t = app.tree(gs);
    expect(balanceOf(t, alice.address)).toBe(793n - 6n);
  });

  it('rejections: unaffordable, overflow, replay, wrong chain, wrong app, bad signature, malformed', async () => {
    let gs = step(genesis(), depositMessage(alice.address, 100n)).globalState;
    gs = step(gs, depositMessage(bob.address, MAX)).globalState;
    const root = app.tree(gs);
    const before = [balanceOf(root, alice.address), balanceOf(root, bob.address)];
    const sendRoot = toHex(gs.bytes32[1]);
    const good = await transfer(alice, l1, 1n, { nonce: 0n });
    const badV = good.slice();
    badV[badV.length - 1] = 0;
    const short = good.subarray(0, 60);
    // a well-signed body whose args are one byte short
    const badArgs = await signTx(alice, transferBody(bob.address, 1n, { nonce: 0n }).subarray(0, 18 + 51));
    const r = step(
      gs,
      encodeBatch([
        await transfer(alice, bob.address, 101n, { nonce: 0n }), // unaffordable
        await withdraw(alice, l1, 101n, { nonce: 0n }), // unaffordable
        await transfer(alice, bob.address, 1n, { nonce: 0n, chainId: 7n }),
        await kvSet(alice, Uint8Array.of(1), Uint8Array.of(2), { nonce: 0n }),
        badV,
        short,
        badArgs,
        await transfer(bob, alice.address, MAX, { nonce: 0n }), // alice's balance would overflow
        await transfer(alice, bob.address, 1n, { nonce: 1n }), // nonce from the future
      ]),
    );
    expect(r.receipts?.txs).toEqual([
      Receipt.INSUFFICIENT_BALANCE,
      Receipt.INSUFFICIENT_BALANCE,
      Receipt.WRONG_CHAIN,
      Receipt.WRONG_APP,
      Receipt.BAD_SIGNATURE,
      Receipt.MALFORMED,
      Receipt.MALFORMED,
      Receipt.OVERFLOW,
      Receipt.BAD_NONCE,
    ]);
    const t = app.tree(r.globalState);
    expect([balanceOf(t, alice.address), balanceOf(t, bob.address)]).toEqual(before);
    expect([nonceOf(t, alice.address), nonceOf(t, bob.address)]).toEqual([0n, 0n]);
    expect(toHex(r.globalState.bytes32[1])).toBe(sendRoot);
    // a deposit that would overflow is refused
    const o = step(gs, depositMessage(bob.address, 1n));
    expect(o.receipts).toEqual({ message: Receipt.OVERFLOW, txs: [] });
    expect(balanceOf(app.tree(o.globalState), bob.address)).toBe(MAX);
    // replay: the good tx once, then again
    const g = step(gs, encodeBatch([good, good]));
    expect(g.receipts?.txs).toEqual([Receipt.OK, Receipt.BAD_NONCE]);
    expect(balanceOf(app.tree(g.globalState), alice.address)).toBe(99n);
  });

  it('cost: steps per transfer (interpreter) and native throughput', async () => {
    const gs = step(genesis(), depositMessage(alice.address, 10n ** 18n)).globalState;
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) txs.push(await transfer(alice, bob.address, 1n, { nonce: BigInt(i) }));
    const r = step(gs, encodeBatch(txs));
    expect(r.receipts?.txs).toEqual(Array(30).fill(0));
    const empty = step(gs, encodeBatch([]));
    let ms = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++)
      ms = Math.min(ms, app.run(gs, encodeBatch(txs), { interpret: false }).nativeMs);
    const w = step(gs, encodeBatch([await withdraw(alice, l1, 1n, { nonce: 0n })]));
    console.log(
      `token transfer: ${Math.round((r.steps - empty.steps) / 30)} interpreter steps/tx, native ${Math.round((30 / ms) * 1000)} tx/s; withdraw: ${w.steps - empty.steps} steps`,
    );
  });
});
