/**
 * The client against a real node: a sequencer with the token app (and one with the kv app), its
 * JSON-RPC server, and signed transactions sent, awaited and read back through `modex/client` and
 * the app actions, as a user would.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hexToBigInt, hexToBytes, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as kv from '../apps/kv/actions.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { verifyWithdrawal } from '../apps/sdk/outbox.ts';
import { compileApp } from '../apps/sdk/run-app.ts';
import { getBalance, transfer, withdraw } from '../apps/token/actions.ts';
import { depositMessage } from '../apps/token/client.ts';
import { buildApp, PACKAGE_ROOT } from '../build/build.ts';
import { SCAFFOLD_CHAIN_ID, scaffoldApp } from '../build/scaffold.ts';
import { AppChain } from '../node/app-chain.ts';
import { startRpcServer } from '../node/rpc.ts';
import { Sequencer } from '../node/sequencer.ts';
import { createModexClient, signTransaction, TransactionRefusedError } from './index.ts';

const CHAIN_ID = 412_346n;
const alice = privateKeyToAccount(`0x${'a1'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'b0'.repeat(32)}`).address;
const l1Recipient = '0x00000000000000000000000000000000000000e1';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function node(appName: 'token' | 'kv', delayed: Uint8Array[] = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'modex-client-'));
  dirs.push(dataDir);
  const app = loadApp(compileApp(appName), appName);
  const seq = await Sequencer.open({
    dataDir,
    executor: new AppChain({ app, chainId: CHAIN_ID }),
    maxBlockAgeMs: 20,
    delayed: () => delayed.map((data, index) => ({ index, data })),
    onError: () => {},
  });
  const srv = await startRpcServer(seq);
  return {
    client: createModexClient({ url: srv.url, pollingInterval: 10 }),
    close: async () => {
      await srv.close();
      await seq.close();
    },
  };
}

describe('modex/client against a token-app sequencer', () => {
  let n: Awaited<ReturnType<typeof node>>;
  beforeAll(async () => {
    n = await node('token', [depositMessage(alice.address, 1_000n)]);
    return () => n.close();
  }, 120_000);

  it('chain id, receipt names, the deposit block', async () => {
    const c = n.client;
    expect(await c.getChainId()).toBe(CHAIN_ID);
    const names = await c.getReceiptNames();
    expect(names.slice(0, 8)).toEqual([
      'ok',
      'malformed',
      'wrong_app',
      'wrong_chain',
      'bad_signature',
      'bad_nonce',
      'unknown_op',
      'insufficient_balance',
    ]);
    const deadline = Date.now() + 10_000;
    while ((await c.getBlockNumber()) < 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await c.getBlock({ block: 0 })).toMatchObject({ number: 0, kind: 'delayed', status: 0 });
    expect(await getBalance(c, { address: alice.address })).toBe(1_000n);
  });

  it('a signed transfer: soft confirmation, receipt, balances at the head and before', async () => {
    const c = n.client;
    const ack = await transfer(c, { account: alice, to: bob, amount: 7n });
    expect(ack.block).toBeGreaterThan(0);
    expect(ack.index).toBe(0);
    const r = await c.waitForTransactionReceipt({ hash: ack.hash, timeout: 10_000 });
    expect(r).toMatchObject({ status: 'ok', code: 0, block: ack.block, index: 0 });
    expect(r.stateRoot).toBe(await c.getStateRoot({ block: ack.block }));
    expect(await getBalance(c, { address: bob })).toBe(7n);
    expect(await getBalance(c, { address: alice.address })).toBe(993n);
    expect(await getBalance(c, { address: bob, block: 0 })).toBe(0n);
    expect(await c.getNonce({ address: alice.address })).toBe(1n);
    // a transfer the STF refuses in its receipt: more than the balance
    const poor = await transfer(c, { account: alice, to: bob, amount: 10n ** 30n });
    expect(await c.waitForTransactionReceipt({ hash: poor.hash })).toMatchObject({
      status: 'insufficient_balance',
      code: 7,
    });
    // an unknown query kind is an answer with its status, not an error
    expect(await c.query({ data: '0x42' })).toEqual({ status: 'unknown_op', code: 6, result: '0x' });
  });

  it('the app’s admission refuses a replayed nonce and another chain’s transaction, with their names', async () => {
    const c = n.client;
    const replay = await transfer(c, { account: alice, to: bob, amount: 1n, nonce: 0n }).catch(
      (e: unknown) => e,
    );
    expect(replay).toBeInstanceOf(TransactionRefusedError);
    expect(replay).toMatchObject({ rpcCode: -32602, reason: 'bad_nonce', receiptCode: 5 });
    const other = await transfer(c, { account: alice, to: bob, amount: 1n, chainId: 1n }).catch(
      (e: unknown) => e,
    );
    expect(other).toMatchObject({ reason: 'wrong_chain', receiptCode: 3 });
    // a generic transaction of another app
    const raw = await signTransaction({ account: alice, app: 0x09, op: 1, chainId: CHAIN_ID, nonce: 2n });
    await expect(c.sendRawTransaction({ serializedTransaction: raw })).rejects.toMatchObject({
      reason: 'wrong_app',
    });
  });

  it('a withdrawal: listed from the state, proven against the send root', async () => {
    const c = n.client;
    const ack = await withdraw(c, { account: alice, to: l1Recipient, amount: 5n });
    await c.waitForTransactionReceipt({ hash: ack.hash });
    const ws = await c.getWithdrawals();
    expect(ws).toEqual([{ index: 0n, from: alice.address.toLowerCase(), to: l1Recipient, amount: 5n }]);
    expect(await c.getWithdrawals({ block: ack.block - 1 })).toEqual([]);
    const p = await c.getWithdrawalProof({ index: 0, block: ack.block });
    expect(p).not.toBeNull();
    expect(p!.sendRoot).toBe((await c.getBlock({ block: ack.block }))!.sendRoot);
    expect(
      verifyWithdrawal(
        hexToBytes(p!.sendRoot),
        p!.withdrawal,
        p!.proof.map((x) => hexToBytes(x)),
      ),
    ).toBe(true);
    expect(await c.getWithdrawalProof({ index: 1 })).toBeNull();
  });
});

describe('modex/client against a kv-app sequencer', () => {
  it('set, get, delete', async () => {
    const n = await node('kv');
    try {
      const c = n.client;
      const key = toHex('greeting');
      const set = await kv.set(c, { account: alice, key, value: toHex('hello') });
      expect(await c.waitForTransactionReceipt({ hash: set.hash })).toMatchObject({ status: 'ok' });
      expect(await kv.get(c, { owner: alice.address, key })).toBe(toHex('hello'));
      expect(await kv.get(c, { owner: bob, key })).toBeUndefined();
      const del = await kv.delete(c, { account: alice, key });
      await c.waitForTransactionReceipt({ hash: del.hash });
      expect(await kv.get(c, { owner: alice.address, key })).toBeUndefined();
      expect(await kv.get(c, { owner: alice.address, key, block: set.block })).toBe(toHex('hello'));
    } finally {
      await n.close();
    }
  }, 120_000);
});

describe('the scaffold of `modex new` against a node (docs/guide.md §5)', () => {
  it('its client.mjs sends an increment, gets the receipt and reads the counter; modex/client reads it too', async () => {
    // under the package, so that client.mjs finds viem in modex's node_modules, as in the guide
    const cache = join(PACKAGE_ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const parent = mkdtempSync(join(cache, 'modex-guide-'));
    dirs.push(parent);
    const { dir } = scaffoldApp('my-app', parent);
    const { output } = await buildApp(dir);
    const app = loadApp(new Uint8Array(readFileSync(output)), 'my-app');
    const seqDir = mkdtempSync(join(tmpdir(), 'modex-client-'));
    dirs.push(seqDir);
    const seq = await Sequencer.open({
      dataDir: seqDir,
      executor: new AppChain({ app, chainId: BigInt(SCAFFOLD_CHAIN_ID) }),
      maxBlockAgeMs: 20,
      onError: () => {},
    });
    const srv = await startRpcServer(seq);
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(dir, 'client.mjs'), srv.url, '5'],
        {
          env: { ...process.env, PRIVATE_KEY: `0x${'c1'.repeat(32)}` },
          timeout: 60_000,
        },
      );
      const who = privateKeyToAccount(`0x${'c1'.repeat(32)}`).address;
      expect(stdout).toContain(`increment by 5 from ${who} (nonce 0, chain ${SCAFFOLD_CHAIN_ID})`);
      expect(stdout).toContain('receipt: {"status":"ok","code":0,');
      expect(stdout).toContain(`counter of ${who}: 5`);
      const c = createModexClient({ url: srv.url });
      const q = await c.query({ data: `0x10${who.slice(2)}` });
      expect(hexToBigInt(q.result)).toBe(5n);
      expect(await c.getNonce({ address: who })).toBe(1n);
    } finally {
      await srv.close();
      await seq.close();
    }
  }, 180_000);
});
