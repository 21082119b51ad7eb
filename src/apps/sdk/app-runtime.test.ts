/**
 * The node's view of an app (app-runtime.ts, docs/app-abi.md): the built-in token and kv wasm,
 * loaded as any app is; genesis with a chain id, admission, queries, receipts and receipt names,
 * withdrawals read from the state and proven against the send root.
 */
import { readFileSync } from 'node:fs';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { takeRecoveries } from '../../crypto/ecrecover.ts';
import { kvSet } from '../kv/client.ts';
import { balanceQuery, depositMessage, transfer, withdraw } from '../token/client.ts';
import { AppAbiMissingError } from './abi-check.ts';
import { appSourceOf, loadApp } from './app-runtime.ts';
import { builtinAppPath } from './builtin-apps.ts';
import { encodeBatch } from './client-common.ts';
import { verifyWithdrawal } from './outbox.ts';
import { compileGuest, Receipt } from './run-app.ts';

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const CHAIN = 31_337n;
const big = (b: Uint8Array) => b.reduce((x, y) => (x << 8n) | BigInt(y), 0n);

describe('loadApp over the built-in token wasm', () => {
  const token = loadApp(new Uint8Array(readFileSync(builtinAppPath('token'))), 'token');

  it('module root, receipt names (the SDK codes, then the app), genesis with the chain id', () => {
    expect(token.moduleRoot).toMatch(/^0x[0-9a-f]{64}$/);
    expect(token.receiptNames.slice(0, 6)).toEqual([
      'ok',
      'malformed',
      'wrong_app',
      'wrong_chain',
      'bad_signature',
      'bad_nonce',
    ]);
    expect(token.receiptName(3)).toBe('wrong_chain');
    expect(token.receiptName(200)).toBe('status_200');
    const g = token.genesis(CHAIN);
    expect(g.u64).toEqual([0n, 0n]);
    expect(big(token.query(g.bytes32[0], Uint8Array.of(0x02)).result)).toBe(CHAIN);
    expect(token.genesis(CHAIN + 1n).bytes32[0]).not.toEqual(g.bytes32[0]);
  });

  it('admission: sender and nonce; wrong chain, bad signature and stale nonce refused by name', async () => {
    const g = token.genesis(CHAIN);
    const gs = token.run(g, depositMessage(alice.address, 1000n), { interpret: false }).globalState;
    const raw = await transfer(alice, bob.address, 1n, { nonce: 0n, chainId: CHAIN });
    takeRecoveries();
    const ok = token.admit(raw, gs.bytes32[0]);
    expect(ok).toMatchObject({ ok: true, sender: alice.address.toLowerCase(), nonce: 0n });
    // the recovery is remembered for the block's run (the block worker gets it through takeRecoveries)
    expect(takeRecoveries().length).toBe(1);
    const wrong = token.admit(
      await transfer(alice, bob.address, 1n, { nonce: 0n, chainId: 5n }),
      gs.bytes32[0],
    );
    expect(wrong).toMatchObject({ ok: false, code: Receipt.WRONG_CHAIN, reason: 'wrong_chain' });
    const bad = raw.slice();
    bad[bad.length - 1] = 30;
    expect(token.admit(bad, gs.bytes32[0])).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(token.admit(raw.subarray(0, 10), gs.bytes32[0])).toMatchObject({ ok: false, reason: 'malformed' });
    const run = token.run(gs, encodeBatch([raw]), { interpret: false });
    expect(run.receipts?.txs).toEqual([Receipt.OK]);
    expect(token.admit(raw, run.globalState.bytes32[0])).toMatchObject({ ok: false, reason: 'bad_nonce' });
    expect(token.nonceOf(run.globalState.bytes32[0], alice.address)).toBe(1n);
    expect(big(token.query(run.globalState.bytes32[0], balanceQuery(bob.address)).result)).toBe(1n);
    expect(token.query(run.globalState.bytes32[0], Uint8Array.of(0x03)).status).toBe(Receipt.UNKNOWN_OP);
  });

  it('withdrawals are read from the state and proven against the send root', async () => {
    let gs = token.genesis(CHAIN);
    gs = token.run(gs, depositMessage(alice.address, 1000n), { interpret: false }).globalState;
    expect(token.withdrawals(gs.bytes32[0])).toEqual([]);
    const txs = [
      await withdraw(alice, bob.address, 10n, { nonce: 0n, chainId: CHAIN }),
      await transfer(alice, bob.address, 5n, { nonce: 1n, chainId: CHAIN }),
      await withdraw(alice, alice.address, 20n, { nonce: 2n, chainId: CHAIN }),
      await withdraw(alice, alice.address, 10_000n, { nonce: 3n, chainId: CHAIN }), // insufficient: no leaf
    ];
    const run = token.run(gs, encodeBatch(txs));
    expect(run.receipts?.txs).toEqual([Receipt.OK, Receipt.OK, Receipt.OK, Receipt.INSUFFICIENT_BALANCE]);
    gs = run.globalState;
    const ws = token.withdrawals(gs.bytes32[0]);
    expect(ws).toEqual([
      { index: 0n, from: alice.address, to: bob.address, amount: 10n },
      { index: 1n, from: alice.address, to: alice.address, amount: 20n },
    ]);
    expect(token.withdrawals(gs.bytes32[0], 1n)).toEqual([ws[1]]);
    for (const i of [0n, 1n]) {
      const p = token.withdrawalProof(gs, i);
      expect(verifyWithdrawal(gs.bytes32[1], p.withdrawal, p.proof)).toBe(true);
    }
    expect(() => token.withdrawalProof(gs, 2n)).toThrow(RangeError);
  });
});

describe('loadApp: any app', () => {
  it('the kv app: its own receipts, no deposits (unsupported)', async () => {
    const kv = loadApp(appSourceOf({ app: 'kv' }).bytes, 'kv');
    let gs = kv.genesis(7n);
    const dep = kv.run(gs, depositMessage(alice.address, 1n), { interpret: false });
    expect(dep.receipts?.message).toBe(Receipt.UNSUPPORTED);
    gs = dep.globalState;
    const raw = await kvSet(alice, Uint8Array.of(1), Uint8Array.of(2), { nonce: 0n, chainId: 7n });
    expect(kv.admit(raw, gs.bytes32[0])).toMatchObject({ ok: true, nonce: 0n });
    expect(kv.run(gs, encodeBatch([raw]), { interpret: false }).receipts?.txs).toEqual([Receipt.OK]);
  });

  it('a module without the ABI is refused with APP_ABI_MISSING', () => {
    const plain = compileGuest('sdk/test/state_ops.ts');
    expect(() => loadApp(plain, 'state_ops')).toThrow(AppAbiMissingError);
  });
});
