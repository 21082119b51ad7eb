/**
 * The node's view of an app (app-runtime.ts, docs/app-abi.md): the built-in token and kv wasm,
 * loaded as any app is; genesis with a chain id, admission, queries, receipts and receipt names,
 * withdrawals read from the state and proven against the send root.
 */
import { readFileSync } from 'node:fs';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { takeRecoveries } from '../../crypto/ecrecover.ts';
import { runNative, validateStf } from '../../vm/wasm/native.ts';
import { kvSet } from '../kv/client.ts';
import { balanceQuery, depositMessage, transfer, withdraw } from '../token/client.ts';
import { AppAbiMissingError } from './abi-check.ts';
import { appSourceOf, loadApp } from './app-runtime.ts';
import { builtinAppPath } from './builtin-apps.ts';
import { encodeBatch } from './client-common.ts';
import { verifyWithdrawal } from './outbox.ts';
import { type PreimageStore, toHex } from './preimage-store.ts';
import { compileGuest, Receipt } from './run-app.ts';

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const CHAIN = 31_337n;
/** the SDK's receipt code of an entry point that trapped or ran out of steps (app-runtime.ts) */
const TRAPPED = 13;
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

describe('admission and queries on one reused instance (native.ts createNativeSession)', () => {
  it('many admissions and queries in a row, other state roots and garbage between: a fresh instance’s results', async () => {
    const bytes = new Uint8Array(readFileSync(builtinAppPath('token')));
    const token = loadApp(bytes, 'token');
    const g = token.genesis(CHAIN);
    const s1 = token.run(g, depositMessage(alice.address, 1000n), { interpret: false }).globalState;
    const t0 = await transfer(alice, bob.address, 1n, { nonce: 0n, chainId: CHAIN });
    const s2 = token.run(s1, encodeBatch([t0]), { interpret: false }).globalState;
    const roots = [g.bytes32[0], s1.bytes32[0], s2.bytes32[0]];
    const txs = [
      t0,
      await transfer(alice, bob.address, 2n, { nonce: 1n, chainId: CHAIN }),
      await transfer(alice, bob.address, 2n, { nonce: 1n, chainId: CHAIN + 1n }),
      await withdraw(alice, bob.address, 3n, { nonce: 5n, chainId: CHAIN }),
      await transfer(bob, alice.address, 1n, { nonce: 0n, chainId: CHAIN }),
      t0.subarray(0, 7),
      new Uint8Array(0),
      new Uint8Array(3000).fill(0xff),
      t0.map((b, i) => (i % 5 === 0 ? b ^ 0x5a : b)),
    ];
    const queries = [
      Uint8Array.of(0x02),
      balanceQuery(alice.address),
      balanceQuery(bob.address),
      Uint8Array.of(0x00, ...new Uint8Array(20).fill(0x11)),
      Uint8Array.of(0x03),
      Uint8Array.of(0x01, 0x05),
      new Uint8Array(0),
      new Uint8Array(70_000).fill(0x10),
    ];
    // a second copy of the app over the same store: runNative, a fresh instance per run
    const store = (token as unknown as { store: PreimageStore }).store;
    const validated = validateStf(bytes);
    const fresh = (entry: string, msg: Uint8Array, root: Uint8Array) => {
      const r = runNative(
        { bytes, module: validated },
        {
          inbox: msg,
          preimages: (k, h) => store.get(h, k),
          preimageStore: store,
          globalState: { bytes32: [root.slice(), new Uint8Array(32)], u64: [0n, 0n] },
        },
        { entry },
      );
      return r.status === 'finished' ? r.globalState : undefined;
    };
    const rng = (i: number) => (i * 2654435761) >>> 0;
    for (let i = 0; i < 120; i++) {
      const root = roots[rng(i) % roots.length];
      if (rng(i + 7) % 3 === 0) {
        const q = queries[rng(i + 3) % queries.length];
        const want = fresh('modex_query', q, root);
        const got = token.query(root, q);
        expect(got.status).toBe(want ? Number(want.u64[1]) : TRAPPED);
        if (want && got.status === 0) expect(toHex(got.result)).toBe(toHex(store.get(want.bytes32[1])!));
      } else {
        const raw = txs[rng(i + 5) % txs.length];
        const want = fresh('modex_admit', raw, root);
        const got = token.admit(raw, root);
        const code = want ? Number(want.u64[1]) : TRAPPED;
        expect(got).toMatchObject(
          code === 0
            ? { ok: true, sender: `0x${toHex(want!.bytes32[1].subarray(12))}`, nonce: want!.u64[0] }
            : { ok: false, code },
        );
      }
    }
  });

  it('the step cap (vm.limits.maxStepsPerMessage): an admission out of steps is refused, the next one is fine', async () => {
    const bytes = new Uint8Array(readFileSync(builtinAppPath('token')));
    const token = loadApp(bytes, 'token');
    const gs = token.run(token.genesis(CHAIN), depositMessage(alice.address, 1000n), { interpret: false });
    const raw = await transfer(alice, bob.address, 1n, { nonce: 0n, chainId: CHAIN });
    const root = gs.globalState.bytes32[0];
    const ok = token.admit(raw, root);
    expect(ok.ok).toBe(true);
    const capped = loadApp(bytes, 'token', { limits: { maxSteps: 20_000n } });
    expect(capped.admit(raw, root)).toMatchObject({ ok: false, code: TRAPPED, reason: 'trapped' });
    expect(capped.admit(raw, root)).toMatchObject({ ok: false, code: TRAPPED });
    expect(token.admit(raw, root)).toEqual(ok);
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
