/**
 * The ztoken model (docs/validity.md §2): the tree against its definition, deposits to addresses,
 * transfers (to oneself too), withdrawals into the outbox, every rejection with no effect.
 */
import { describe, expect, it } from 'vitest';
import { zkCrypto } from './crypto.ts';
import { ZReceipt, ZTokenState } from './model.ts';
import { AccountTree, DEPTH, emptyRoots, leafHash, rootOf } from './tree.ts';
import { accountAddress, decodeTx, encodeTx, indexAddress, signTx, U128, ZOP, type ZTx } from './tx.ts';

const z = await zkCrypto();
const CHAIN = 412n;
const prv = (n: number) => Uint8Array.from({ length: 32 }, () => n);
const alice = { prv: prv(1), key: z.publicKey(prv(1)), index: 5 };
const bob = { prv: prv(2), key: z.publicKey(prv(2)), index: 40000 };
const carol = { prv: prv(3), key: z.publicKey(prv(3)), index: 6 };

const signed = (who: { prv: Uint8Array }, tx: ZTx) => encodeTx(signTx(z, who.prv, tx));
const open = (who: typeof alice, chainId = CHAIN) =>
  signed(who, { op: ZOP.open, chainId, nonce: 0n, index: who.index, key: who.key });
const transfer = (who: typeof alice, to: number, amount: bigint, nonce: bigint) =>
  signed(who, { op: ZOP.transfer, chainId: CHAIN, nonce, from: who.index, to, amount });

function fresh() {
  const s = new ZTokenState(z, CHAIN);
  expect(s.applyBatch([open(alice), open(bob)])).toEqual([0, 0]);
  return s;
}

describe('ztoken model', () => {
  it('the tree: empty root, paths and roots agree with the definition', () => {
    const t = new AccountTree(z);
    const e = emptyRoots(z);
    expect(t.root).toBe(e[DEPTH]);
    expect(e[0]).toBe(z.poseidon([0n, 0n, 0n, 0n]));
    t.set(3, 7n);
    t.set(65535, 9n);
    expect(rootOf(z, 7n, 3, t.path(3))).toBe(t.root);
    expect(rootOf(z, 9n, 65535, t.path(65535))).toBe(t.root);
    expect(rootOf(z, 8n, 3, t.path(3))).not.toBe(t.root);
    // by hand at the leaf level: 3 is a right child, its sibling 2 is empty
    expect(t.path(3)[0]).toBe(e[0]);
    expect(t.path(2)[0]).toBe(7n);
  });

  it('open, deposit to the address, transfers (to oneself too), withdrawals into the outbox', () => {
    const s = fresh();
    expect(s.account(alice.index)).toEqual({ ax: alice.key[0], ay: alice.key[1], balance: 0n, nonce: 1n });
    const addr = accountAddress(z, alice.index, alice.key);
    expect(s.deposit(addr, 1000n)).toBe(ZReceipt.OK);
    const l1 = 0xaan;
    const r = s.applyBatch([
      transfer(alice, bob.index, 300n, 1n),
      transfer(bob, alice.index, 100n, 1n),
      transfer(alice, alice.index, 50n, 2n), // to oneself: the nonce only
      signed(bob, { op: ZOP.withdraw, chainId: CHAIN, nonce: 2n, from: bob.index, to: l1, amount: 150n }),
    ]);
    expect(r).toEqual([0, 0, 0, 0]);
    expect(s.account(alice.index)).toMatchObject({ balance: 800n, nonce: 3n });
    expect(s.account(bob.index)).toMatchObject({ balance: 50n, nonce: 3n });
    expect(s.outbox).toEqual([{ from: indexAddress(bob.index), to: l1, amount: 150n }]);
    // the root is the tree of exactly these leaves
    const t = new AccountTree(z);
    for (const i of [alice.index, bob.index]) t.set(i, leafHash(z, s.account(i)));
    expect(s.root).toBe(t.root);
  });

  it('rejections change nothing, not even the nonce', () => {
    const s = fresh();
    expect(s.deposit(accountAddress(z, alice.index, alice.key), 100n)).toBe(ZReceipt.OK);
    expect(s.deposit(accountAddress(z, bob.index, bob.key), U128 - 10n)).toBe(ZReceipt.OK);
    // a deposit to an unopened index, to an index under another key, past u128
    expect(s.deposit(accountAddress(z, carol.index, carol.key), 1n)).toBe(ZReceipt.NO_ACCOUNT);
    expect(s.deposit(accountAddress(z, alice.index, bob.key), 1n)).toBe(ZReceipt.NO_ACCOUNT);
    expect(s.deposit(accountAddress(z, bob.index, bob.key), 10n)).toBe(ZReceipt.OVERFLOW);
    const root = s.root;
    const good = transfer(alice, bob.index, 1n, 1n);
    const badSig = good.slice();
    badSig[badSig.length - 1] ^= 1;
    const r = s.applyBatch([
      transfer(alice, bob.index, 101n, 1n), // overdraft
      transfer(alice, bob.index, 10n, 1n), // bob would reach 2^128
      transfer(alice, carol.index, 1n, 1n), // carol has no account
      signed(carol, { op: ZOP.transfer, chainId: CHAIN, nonce: 0n, from: carol.index, to: 5, amount: 0n }),
      signed(alice, {
        op: ZOP.transfer,
        chainId: 7n,
        nonce: 1n,
        from: alice.index,
        to: bob.index,
        amount: 1n,
      }),
      signed(bob, {
        op: ZOP.transfer,
        chainId: CHAIN,
        nonce: 1n,
        from: alice.index,
        to: bob.index,
        amount: 1n,
      }),
      badSig,
      transfer(alice, bob.index, 1n, 2n), // nonce from the future
      transfer(alice, bob.index, 1n, 0n), // nonce from the past
      good.subarray(0, good.length - 1),
      Uint8Array.of(0x02, 0x01, ...good.subarray(2)),
      Uint8Array.of(0x03, 0x09, ...good.subarray(2)),
      signed(bob, {
        op: ZOP.withdraw,
        chainId: CHAIN,
        nonce: 1n,
        from: bob.index,
        to: 1n,
        amount: U128 - 9n,
      }),
      open(alice), // taken
      signed(carol, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: 9, key: [0n, 1n] }), // the identity
      signed(carol, { op: ZOP.open, chainId: CHAIN, nonce: 1n, index: carol.index, key: carol.key }),
      signed(alice, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: carol.index, key: carol.key }), // not carol's signature
    ]);
    expect(r).toEqual([
      ZReceipt.INSUFFICIENT_BALANCE,
      ZReceipt.OVERFLOW,
      ZReceipt.NO_ACCOUNT,
      ZReceipt.NO_ACCOUNT,
      ZReceipt.WRONG_CHAIN,
      ZReceipt.BAD_SIGNATURE,
      ZReceipt.BAD_SIGNATURE,
      ZReceipt.BAD_NONCE,
      ZReceipt.BAD_NONCE,
      ZReceipt.MALFORMED,
      ZReceipt.WRONG_APP,
      ZReceipt.UNKNOWN_OP,
      ZReceipt.INSUFFICIENT_BALANCE,
      ZReceipt.ACCOUNT_TAKEN,
      ZReceipt.BAD_KEY,
      ZReceipt.BAD_NONCE,
      ZReceipt.BAD_SIGNATURE,
    ]);
    expect(s.root).toBe(root);
    expect(s.outbox).toEqual([]);
    expect(s.applyBatch([good])).toEqual([ZReceipt.OK]);
    expect(s.root).not.toBe(root);
  });

  it('encodes and decodes every op; refuses out-of-range fields before signing', () => {
    const txs: ZTx[] = [
      { op: ZOP.transfer, chainId: CHAIN, nonce: 3n, from: 1, to: 65535, amount: U128 - 1n },
      { op: ZOP.withdraw, chainId: CHAIN, nonce: 4n, from: 2, to: (1n << 160n) - 1n, amount: 5n },
      { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: 7, key: alice.key },
    ];
    for (const tx of txs) {
      const s = signTx(z, alice.prv, tx);
      const d = decodeTx(encodeTx(s), z.p);
      expect(d).toEqual({ ok: true, signed: s });
    }
    expect(() => signTx(z, alice.prv, { ...txs[0], amount: U128 } as ZTx)).toThrow(/not a u128/);
    expect(() => signTx(z, alice.prv, { ...txs[0], to: 65536 } as ZTx)).toThrow(/not an account index/);
  });
});
