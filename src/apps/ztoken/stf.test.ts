/**
 * The ztoken wasm STF (guest/apps/ztoken, docs/validity.md §2) agrees with the JS model
 * (model.ts) on random batches: opens, deposits, transfers, withdrawals, and bad signatures,
 * overdrafts, bad nonces, unknown accounts, taken indices, bad keys, wrong chains, malformed
 * bytes. Per message: the receipts, the account root (key 0x20) and the outbox (records at
 * 0x06 ‖ index, the send root). Natively for the random batches; one batch also in the step
 * interpreter (App.run checks that both engines agree). Admission (modex_admit) and queries too.
 */
import { describe, expect, it } from 'vitest';
import type { GlobalState } from '../../vm/wasm/machine.ts';
import { runAdmit, runGenesis, runQuery } from '../sdk/app-entry.ts';
import { encodeBatch } from '../sdk/client-common.ts';
import { outboxRoot, withdrawalLeaf } from '../sdk/outbox.ts';
import { toHex } from '../sdk/preimage-store.ts';
import { App } from '../sdk/run-app.ts';
import { zkCrypto } from './crypto.ts';
import { ZReceipt, ZTokenState } from './model.ts';
import { accountAddress, encodeTx, readBE, signTx, writeBE, ZOP, type ZTx } from './tx.ts';

const z = await zkCrypto();
const CHAIN = 412n;
const app = new App('ztoken');

/** deterministic xorshift32 */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

interface User {
  prv: Uint8Array;
  key: readonly [bigint, bigint];
  index: number;
}

const users: User[] = Array.from({ length: 5 }, (_, i) => {
  const prv = Uint8Array.from({ length: 32 }, (_, j) => (i * 37 + j + 1) & 0xff);
  // indices 0, 1 share a leaf pair; 65535 the last leaf
  return { prv, key: z.publicKey(prv), index: [0, 1, 7, 4242, 65535][i] };
});

const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  writeBE(b, 0, v, 8);
  return b;
};

const sign = (u: User, tx: ZTx) => encodeTx(signTx(z, u.prv, tx));

function depositMessage(to: Uint8Array, amount: bigint): Uint8Array {
  const m = new Uint8Array(53);
  m[0] = 0x01;
  m.set(to, 1);
  writeBE(m, 21, amount, 32);
  return m;
}

/** the STF's view after a message: account root, outbox records, send root */
function stfView(gs: GlobalState) {
  const t = app.tree(gs);
  const root = t.get(Uint8Array.of(0x20));
  const frontier = t.get(Uint8Array.of(0x04));
  const count = frontier ? Number(readBE(frontier, 0, 8)) : 0;
  const outbox = Array.from({ length: count }, (_, i) => {
    const k = new Uint8Array(9);
    k[0] = 0x06;
    writeBE(k, 1, BigInt(i), 8);
    const v = t.get(k);
    if (!v) throw new Error(`withdrawal ${i} missing`);
    return { from: toHex(v.subarray(0, 20)), to: readBE(v, 20, 20), amount: readBE(v, 40, 32) };
  });
  return { root: root ? readBE(root, 0, 32) : undefined, outbox, sendRoot: toHex(gs.bytes32[1]) };
}

function modelView(m: ZTokenState) {
  const outbox = m.outbox.map((w) => ({ from: toHex(w.from), to: w.to, amount: w.amount }));
  const sendRoot =
    m.outbox.length === 0
      ? toHex(new Uint8Array(32))
      : toHex(
          outboxRoot(
            m.outbox.map((w, i) =>
              withdrawalLeaf({
                index: BigInt(i),
                from: `0x${toHex(w.from)}`,
                to: `0x${w.to.toString(16).padStart(40, '0')}`,
                amount: w.amount,
              }),
            ),
          ),
        );
  return { root: m.root, outbox, sendRoot };
}

type Msg = { kind: 'batch'; txs: Uint8Array[] } | { kind: 'deposit'; to: Uint8Array; amount: bigint };

/** a random message against the model's current state (not applied) */
function randomMessage(m: ZTokenState, r: (n: number) => number): Msg {
  const u = () => users[r(users.length)];
  const amount = () => [0n, 1n, 5n, 100n, 1000n, (1n << 128n) - 1n][r(6)];
  if (r(4) === 0) {
    const to = u();
    const addr = accountAddress(z, to.index, to.key);
    const pick = r(5);
    if (pick === 0) addr[19] ^= 1; // the right index, another key's address
    if (pick === 1) return { kind: 'deposit', to: addr, amount: 1n << 128n }; // ≥ 2^128
    return { kind: 'deposit', to: addr, amount: amount() };
  }
  const txs: Uint8Array[] = [];
  const n = 1 + r(4);
  for (let i = 0; i < n; i++) {
    const a = u();
    const acct = m.account(a.index);
    const nonce = acct.nonce + BigInt([0, 0, 0, 1, -1][r(5)]);
    const fault = r(12);
    const chainId = fault === 0 ? CHAIN + 1n : CHAIN;
    const op = [ZOP.transfer, ZOP.transfer, ZOP.withdraw, ZOP.open][r(4)];
    let tx: ZTx;
    if (op === ZOP.open) {
      tx = { op, chainId, nonce: fault === 1 ? 1n : 0n, index: r(3) === 0 ? r(8) : a.index, key: a.key };
      // the identity, a point off the curve: bad_key (on a free index)
      if (fault === 2) tx = { ...tx, index: 100 + r(50), key: [0n, 1n] };
      if (fault === 7) tx = { ...tx, index: 100 + r(50), key: [a.key[0], a.key[1] + 1n] };
    } else if (op === ZOP.transfer) {
      tx = {
        op,
        chainId,
        nonce: nonce < 0n ? 0n : nonce,
        from: a.index,
        to: r(6) === 0 ? 9 : u().index,
        amount: amount(),
      };
    } else {
      tx = {
        op,
        chainId,
        nonce: nonce < 0n ? 0n : nonce,
        from: a.index,
        to: BigInt(0xaa + r(3)),
        amount: amount(),
      };
    }
    // a bad signature: someone else signs
    let raw = sign(fault === 3 ? users[(users.indexOf(a) + 1) % users.length] : a, tx);
    if (fault === 4) raw = raw.subarray(0, raw.length - 1); // malformed
    if (fault === 5) raw = Uint8Array.from(raw, (v, j) => (j === 0 ? 0x02 : v)); // wrong app
    if (fault === 6) raw = Uint8Array.from(raw, (v, j) => (j === 1 ? 0x09 : v)); // unknown op
    txs.push(raw);
  }
  return { kind: 'batch', txs };
}

function applyModel(m: ZTokenState, msg: Msg): { message: number; txs: number[] } {
  if (msg.kind === 'deposit') return { message: m.deposit(msg.to, msg.amount), txs: [] };
  return { message: 0, txs: m.applyBatch(msg.txs) };
}

const encode = (msg: Msg) =>
  msg.kind === 'batch' ? encodeBatch(msg.txs) : depositMessage(msg.to, msg.amount);

describe('ztoken wasm STF against the JS model', () => {
  it('genesis writes the empty tree root at key 0x20', () => {
    const gs = runGenesis(app, CHAIN);
    expect(stfView(gs).root).toBe(new ZTokenState(z, CHAIN).root);
  });

  it('random batches: the same receipts, account root and outbox (native)', () => {
    const r = rng(20261207);
    const m = new ZTokenState(z, CHAIN);
    let gs = runGenesis(app, CHAIN);
    const seen = new Set<number>();
    // open everyone first, fund them
    const setup: Msg[] = [
      {
        kind: 'batch',
        txs: users
          .slice(0, 4)
          .map((u) => sign(u, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: u.index, key: u.key })),
      },
      ...users
        .slice(0, 4)
        .map((u) => ({ kind: 'deposit' as const, to: accountAddress(z, u.index, u.key), amount: 10_000n })),
    ];
    const msgs = [...setup];
    for (let i = 0; i < 40; i++) {
      const msg = i < setup.length ? setup[i] : randomMessage(m, r);
      if (i >= setup.length) msgs.push(msg);
      const want = applyModel(m, msg);
      const run = app.run(gs, encode(msg), { interpret: false });
      gs = run.globalState;
      expect(run.receipts, `message ${i}`).toEqual(want);
      for (const s of [want.message, ...want.txs]) seen.add(s);
      expect(stfView(gs), `message ${i}`).toEqual(modelView(m));
    }
    // the batches exercised every receipt of §2.2
    for (const code of Object.values(ZReceipt)) expect(seen, `receipt ${code}`).toContain(code);
  });

  it('one batch in the step interpreter: the engines agree, and the model too', () => {
    const m = new ZTokenState(z, CHAIN);
    let gs = runGenesis(app, CHAIN);
    const [a, b] = users;
    const msgs: Msg[] = [
      {
        kind: 'batch',
        txs: [a, b].map((u) =>
          sign(u, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: u.index, key: u.key }),
        ),
      },
      { kind: 'deposit', to: accountAddress(z, a.index, a.key), amount: 500n },
      {
        kind: 'batch',
        txs: [
          sign(a, { op: ZOP.transfer, chainId: CHAIN, nonce: 1n, from: a.index, to: b.index, amount: 200n }),
          sign(b, { op: ZOP.withdraw, chainId: CHAIN, nonce: 1n, from: b.index, to: 0xaan, amount: 50n }),
          sign(a, { op: ZOP.transfer, chainId: CHAIN, nonce: 2n, from: a.index, to: b.index, amount: 301n }),
        ],
      },
    ];
    const steps: number[] = [];
    for (const msg of msgs) {
      const want = applyModel(m, msg);
      const run = app.run(gs, encode(msg));
      gs = run.globalState;
      steps.push(run.steps);
      expect(run.receipts).toEqual(want);
      expect(stfView(gs)).toEqual(modelView(m));
    }
    expect(m.outbox).toHaveLength(1);
    console.log(`ztoken interpreted steps per message: ${steps.join(', ')}`);
  });

  it('admission: the replay key is (index, nonce); refusals carry the receipt code', () => {
    const m = new ZTokenState(z, CHAIN);
    let gs = runGenesis(app, CHAIN);
    const [a, b] = users;
    const openA = sign(a, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: a.index, key: a.key });
    expect(runAdmit(app, openA, gs.bytes32[0])).toMatchObject({ verdict: 0, nonce: 0n });
    gs = app.run(gs, encodeBatch([openA]), { interpret: false }).globalState;
    m.applyBatch([openA]);
    const t = (nonce: bigint, u = a) =>
      sign(u, { op: ZOP.transfer, chainId: CHAIN, nonce, from: a.index, to: b.index, amount: 1n });
    const ok = runAdmit(app, t(3n), gs.bytes32[0]);
    expect(ok.verdict).toBe(0);
    expect(ok.nonce).toBe(3n);
    expect(ok.sender).toBe(`0x${a.index.toString(16).padStart(40, '0')}`);
    expect(runAdmit(app, t(0n), gs.bytes32[0]).verdict).toBe(ZReceipt.BAD_NONCE);
    expect(runAdmit(app, t(1n, b), gs.bytes32[0]).verdict).toBe(ZReceipt.BAD_SIGNATURE);
    expect(runAdmit(app, openA, gs.bytes32[0]).verdict).toBe(ZReceipt.ACCOUNT_TAKEN);
    expect(
      runAdmit(
        app,
        Uint8Array.from(openA, (v, j) => (j === 0 ? 2 : v)),
        gs.bytes32[0],
      ).verdict,
    ).toBe(ZReceipt.WRONG_APP);
    // queries: the nonce (the SDK's kind 0 with the replay key's sender), the account, the root
    const sender = Uint8Array.from(Buffer.from(ok.sender?.slice(2) ?? '', 'hex'));
    expect(runQuery(app, gs.bytes32[0], Uint8Array.of(0x00, ...sender))).toEqual({
      status: 0,
      result: u64(1n),
    });
    const stranger = sender.slice();
    stranger[0] = 1;
    expect(runQuery(app, gs.bytes32[0], Uint8Array.of(0x00, ...stranger))).toEqual({
      status: 0,
      result: u64(0n),
    });
    const leaf = runQuery(app, gs.bytes32[0], Uint8Array.of(0x10, 0, a.index));
    expect(leaf.status).toBe(0);
    expect(readBE(leaf.result, 0, 32)).toBe(a.key[0]);
    expect(readBE(leaf.result, 80, 8)).toBe(1n);
    expect(readBE(runQuery(app, gs.bytes32[0], Uint8Array.of(0x11)).result, 0, 32)).toBe(m.root);
    expect(runQuery(app, gs.bytes32[0], Uint8Array.of(0x10, 0)).status).toBe(ZReceipt.MALFORMED);
    const wrongChain = sign(b, { op: ZOP.open, chainId: 1n, nonce: 0n, index: b.index, key: b.key });
    expect(runAdmit(app, wrongChain, gs.bytes32[0]).verdict).toBe(ZReceipt.WRONG_CHAIN);
  });

  it('cost: steps per transfer (interpreter), native time per transfer; within the unit budget', () => {
    let gs = runGenesis(app, CHAIN);
    const [a, b] = users;
    const opens = [a, b].map((u) =>
      sign(u, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: u.index, key: u.key }),
    );
    gs = app.run(gs, encodeBatch(opens), { interpret: false }).globalState;
    gs = app.run(gs, depositMessage(accountAddress(z, a.index, a.key), 1000n), {
      interpret: false,
    }).globalState;
    const transfers = Array.from({ length: 10 }, (_, i) =>
      sign(a, {
        op: ZOP.transfer,
        chainId: CHAIN,
        nonce: 1n + BigInt(i),
        from: a.index,
        to: b.index,
        amount: 1n,
      }),
    );
    const empty = app.run(gs, encodeBatch([]));
    const one = app.run(gs, encodeBatch(transfers.slice(0, 1)));
    expect(one.receipts?.txs).toEqual([0]);
    const perTx = one.steps - empty.steps;
    // the unit budget (guest/apps/ztoken/main.ts UNIT_BUDGET) with room to spare
    expect(perTx).toBeLessThan(100_000_000 / 2);
    let ms = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 3; k++) {
      const r = app.run(gs, encodeBatch(transfers), { interpret: false });
      expect(r.receipts?.txs).toEqual(transfers.map(() => 0));
      ms = Math.min(ms, r.nativeMs);
    }
    console.log(
      `ztoken transfer: ${perTx} interpreter steps (empty batch ${empty.steps}), native ${(ms / transfers.length).toFixed(1)} ms/transfer`,
    );
  });
});
