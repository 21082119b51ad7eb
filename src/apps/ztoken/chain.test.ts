/**
 * ztoken on a node (docs/validity.md §2.3): the sequencer admits raw EdDSA transactions through the
 * app (modex_admit, docs/app-abi.md §10), refuses a bad one with the app's reason, executes the
 * blocks (natively) and an L1 deposit; receipts carry the app's names; the nonce query and the
 * account query answer from the executed state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppChain } from '../../node/app-chain.ts';
import { Sequencer } from '../../node/sequencer.ts';
import { loadApp } from '../sdk/app-runtime.ts';
import { builtinAppBytes } from '../sdk/builtin-apps.ts';
import { zkCrypto } from './crypto.ts';
import { accountAddress, encodeTx, indexAddress, readBE, signTx, writeBE, ZOP, type ZTx } from './tx.ts';

const z = await zkCrypto();
const CHAIN = 412_346n;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const prv = (n: number) => Uint8Array.from({ length: 32 }, () => n);
const alice = { prv: prv(1), key: z.publicKey(prv(1)), index: 3 };
const bob = { prv: prv(2), key: z.publicKey(prv(2)), index: 900 };
const sign = (u: typeof alice, tx: ZTx) => encodeTx(signTx(z, u.prv, tx));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as const;

describe('ztoken on a node', () => {
  it('admits, executes, deposits; receipts, nonces and accounts from the state', async () => {
    dirs.push(mkdtempSync(join(tmpdir(), 'modex-ztoken-')));
    const app = loadApp(builtinAppBytes('ztoken'), 'ztoken');
    const chain = new AppChain({ app, chainId: CHAIN });
    const deposit = new Uint8Array(53);
    deposit[0] = 0x01;
    deposit.set(accountAddress(z, alice.index, alice.key), 1);
    writeBE(deposit, 21, 1000n, 32);
    let delivered = false;
    const seq = await Sequencer.open({
      dataDir: dirs[0],
      executor: chain,
      maxBlockAgeMs: 3_600_000,
      delayed: () => (delivered ? [{ index: 0, data: deposit }] : []),
      onError: () => {},
    });
    try {
      const opens = [alice, bob].map((u) =>
        sign(u, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: u.index, key: u.key }),
      );
      const confs = [];
      for (const o of opens) confs.push(await seq.submit(o));
      seq.sealNow();
      await seq.idle();
      for (const c of confs) expect(seq.receipt(c.hash)).toMatchObject({ status: 'ok' });
      // the deposit arrives from L1 once alice's account is open
      delivered = true;
      await seq.pollDelayed();
      await seq.idle();
      const t1 = sign(alice, {
        op: ZOP.transfer,
        chainId: CHAIN,
        nonce: 1n,
        from: alice.index,
        to: bob.index,
        amount: 300n,
      });
      const c1 = await seq.submit(t1);
      // a transfer signed by bob for alice's account: refused with the app's reason
      const forged = sign(bob, {
        op: ZOP.transfer,
        chainId: CHAIN,
        nonce: 2n,
        from: alice.index,
        to: bob.index,
        amount: 1n,
      });
      await expect(seq.submit(forged)).rejects.toThrow(/bad_signature/);
      const over = sign(alice, {
        op: ZOP.transfer,
        chainId: CHAIN,
        nonce: 2n,
        from: alice.index,
        to: bob.index,
        amount: 10_000n,
      });
      const c2 = await seq.submit(over);
      expect(await seq.nonceOf(hex(indexAddress(alice.index)), 'pending')).toBe(3n);
      seq.sealNow();
      await seq.idle();
      expect(seq.receipt(c1.hash)).toMatchObject({ status: 'ok' });
      expect(seq.receipt(c2.hash)).toMatchObject({ status: 'insufficient_balance' });
      expect(await seq.nonceOf(hex(indexAddress(alice.index)))).toBe(2n);
      const acct = await seq.query(Uint8Array.of(0x10, (bob.index >> 8) & 0xff, bob.index & 0xff));
      expect(acct.status).toBe(0);
      expect(readBE(acct.result, 64, 16)).toBe(300n);
      const a2 = await seq.query(Uint8Array.of(0x10, 0, alice.index));
      expect(readBE(a2.result, 64, 16)).toBe(700n);
    } finally {
      await seq.close();
    }
  });
});
