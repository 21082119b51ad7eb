/**
 * A follower's read-only JSON-RPC on anvil (docs/node.md §2.1): the sequencer role runs a chain (a
 * deposit, a transfer, a withdrawal, an empty-ish block); a validator role derives it from L1 and
 * serves it with `startFollowerRpc`. The follower answers the same blocks, state roots, receipts,
 * queries, nonces and withdrawals (with the same proof) as the sequencer; it refuses transactions
 * with −32004, naming the sequencer; it serves the explorer at `GET /` and the metrics. Without L1:
 * the transactions indexed by hash follow an L1 reorg (the executor truncated, another batch derived).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAccount, fastSign, fastTransfer, rpcCall, rpcPost } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { builtinAppBytes } from '../apps/sdk/builtin-apps.ts';
import { balanceQuery, depositMessage, withdrawBody } from '../apps/token/client.ts';
import { loadConfig } from '../config/load.ts';
import type { ChainConfig } from '../config/types.ts';
import { connectL1, type L1, startAnvil } from '../l1/anvil.ts';
import { REPO_ROOT } from '../l1/contracts.ts';
import { batchMessage, encodeTxList, MESSAGE_KIND } from '../settlement/ethereum/message.ts';
import { AppChain } from './app-chain.ts';
import type { DerivedPosition } from './derivation.ts';
import { FollowerRpc } from './follower-rpc.ts';
import {
  attachChain,
  type ChainClients,
  type DeploymentFile,
  deployForConfig,
  type SequencerRole,
  startFollowerRpc,
  startSequencerRole,
  startValidatorRole,
  type ValidatorRole,
} from './roles.ts';
import type { RpcServer } from './rpc.ts';

let l1: L1;
let config: ChainConfig;
let file: DeploymentFile;
let chain: ChainClients;
let seqRole: SequencerRole;
let val: ValidatorRole;
let follower: RpcServer;
let dir: string;
const CHAIN = () => BigInt(config.chain.chainId);
const user = fastAccount(7);
const bob = `0x${'0b'.repeat(20)}` as Hex;
const hashes: Hex[] = [];

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  l1 = await startAnvil();
  dir = mkdtempSync(join(tmpdir(), 'modex-follower-rpc-'));
  config = loadConfig(join(REPO_ROOT, 'examples/devnet.config.json'));
  config.sequencing.batch = { ...config.sequencing.batch, maxAgeSeconds: 1 };
  file = (await deployForConfig(l1, config)).file;
  chain = await attachChain(l1, file);
  seqRole = await startSequencerRole({
    chain,
    app: { name: 'token', bytes: builtinAppBytes('token') },
    chainId: CHAIN(),
    config,
    rpcUrl: l1.rpcUrl,
    sequencerKey: l1.accounts[0].privateKey,
    dataDir: join(dir, 'seq'),
  });
  const seq = seqRole.seq;
  // a deposit (a delayed block), then a transfer and a withdrawal (batch blocks)
  await chain.bridge.depositEth(user.address, 10n ** 18n);
  await until('the deposit is in a block', () => seq.status().delayedIncluded >= 1 && seq.head >= 0);
  await until('the deposit is executed', async () => (await seq.nonceOf(user.address)) === 0n);
  hashes.push((await seq.submit(fastTransfer(user, bob, 1000n, 0n, CHAIN()))).hash);
  seq.sealNow();
  hashes.push(
    (await seq.submit(fastSign(user, withdrawBody(bob, 500n, { nonce: 1n, chainId: CHAIN() })))).hash,
  );
  seq.sealNow();
  await seq.idle();
  const head = seq.head;
  await until('every block is on L1', async () => (await chain.inbox.messageCount()) >= BigInt(head + 1));
  // the validator (its own staking key) derives the chain from L1 and serves it
  const stake = await connectL1(l1.rpcUrl, { privateKeys: [l1.accounts[1].privateKey] });
  const valChain = await attachChain(stake, file);
  val = startValidatorRole({
    chain: valChain,
    app: { name: 'token', bytes: builtinAppBytes('token') },
    chainId: CHAIN(),
    config,
    name: 'follower',
    sequencerUrl: seqRole.server.url,
  });
  follower = await startFollowerRpc(val, { chain: valChain, config, metrics: val.metrics });
  await until('the follower derived every block', async () => {
    await val.derivation.sync();
    return val.rpc.head >= head;
  });
}, 180_000);

afterAll(async () => {
  await follower?.close();
  await seqRole?.close();
  await l1?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const both = <T>(method: string, params: unknown[] = []): Promise<[T, T]> =>
  Promise.all([rpcCall<T>(seqRole.server.url, method, params), rpcCall<T>(follower.url, method, params)]);

/** a block without what only the sequencer knows (its seal time) or only the follower (where L1 carried it) */
function comparable(b: Record<string, unknown> | null) {
  if (!b) return b;
  const { sealedAt: _s, l1BlockNumber: _n, l1TxHash: _t, ...rest } = b;
  return rest;
}

describe('the follower JSON-RPC (a validator role, startFollowerRpc)', () => {
  it('serves the same blocks, state roots and receipts as the sequencer', async () => {
    const [seqHead, head] = await both<number>('modex_blockNumber');
    expect(head).toBe(seqHead);
    expect(head).toBeGreaterThanOrEqual(2);
    expect(await both('modex_chainId')).toEqual([Number(CHAIN()), Number(CHAIN())]);
    const [names, fnames] = await both<string[]>('modex_receiptNames');
    expect(fnames).toEqual(names);
    const kinds: string[] = [];
    expect(await rpcCall(follower.url, 'modex_stateRoot')).toBe(seqRole.seq.stateRoot());
    for (let n = 0; n <= head; n++) {
      const [r, f] = await both<Hex>('modex_stateRoot', [n]);
      expect(f).toBe(r);
      const [b, fb] = await both<Record<string, unknown>>('modex_getBlock', [n, true]);
      expect(comparable(fb)).toEqual(comparable(b));
      expect(fb.sealedAt).toBeGreaterThan(0);
      expect(fb.l1TxHash).toMatch(/^0x[0-9a-f]{64}$/);
      kinds.push(b.kind as string);
    }
    expect(kinds).toContain('delayed');
    expect(kinds).toContain('batch');
    for (const h of hashes) {
      const [r, f] = await both<Record<string, unknown>>('modex_getTransactionReceipt', [h]);
      expect(r.status).toBe('ok');
      expect(f).toEqual(r);
    }
    expect(await rpcCall(follower.url, 'modex_getTransactionReceipt', [`0x${'11'.repeat(32)}`])).toBeNull();
    // a block not derived yet: null, as the sequencer's
    expect(await both('modex_getBlock', [head + 5])).toEqual([null, null]);
  });

  it('answers the same queries, nonces and withdrawals (with the same proof)', async () => {
    for (const a of [user.address, bob]) {
      const [q, fq] = await both('modex_query', [bytesToHex(balanceQuery(a))]);
      expect(fq).toEqual(q);
      // at an older block too
      const [q0, fq0] = await both('modex_query', [bytesToHex(balanceQuery(a)), 0]);
      expect(fq0).toEqual(q0);
    }
    expect(await both('modex_getNonce', [user.address])).toEqual([2, 2]);
    expect(await rpcCall(follower.url, 'modex_getNonce', [user.address, 'pending'])).toBe(2);
    const [w, fw] = await both<unknown[]>('modex_getWithdrawals', []);
    expect(w).toHaveLength(1);
    expect(fw).toEqual(w);
    const [p, fp] = await both('modex_getWithdrawalProof', [0]);
    expect(fp).toEqual(p);
    expect(await rpcCall(follower.url, 'modex_getWithdrawalProof', [5])).toBeNull();
    const st = await rpcCall<Record<string, unknown>>(follower.url, 'modex_status');
    expect(st).toMatchObject({
      role: 'follower',
      head: seqRole.seq.head,
      delayedIncluded: 1,
      sequencer: seqRole.server.url,
    });
    // a block past the follower's head is refused as on the sequencer
    const r = (await rpcPost(follower.url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'modex_query',
      params: [bytesToHex(balanceQuery(bob)), 99],
    })) as { error: { code: number } };
    expect(r.error.code).toBe(-32602);
  });

  it('refuses transactions with −32004, naming the sequencer', async () => {
    const raw = bytesToHex(fastTransfer(user, bob, 1n, 2n, CHAIN()));
    const r = (await rpcPost(follower.url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'modex_sendRawTransaction',
      params: [raw],
    })) as { error: { code: number; message: string } };
    expect(r.error.code).toBe(-32004);
    expect(r.error.message).toBe(
      `this node is a follower (read-only): send transactions to the sequencer at ${seqRole.server.url}`,
    );
    // nothing reached the sequencer
    expect(await rpcCall(seqRole.server.url, 'modex_getNonce', [user.address, 'pending'])).toBe(2);
  });

  it('serves the explorer at GET / and the metrics at GET /metrics', async () => {
    const page = await fetch(follower.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<html/i);
    // the explorer's methods read L1 through the follower's own clients
    const s = await rpcCall<{ contracts: { inbox: string } }>(follower.url, 'modex_getSettlement');
    expect(s.contracts.inbox.toLowerCase()).toBe(file.addresses.inbox.toLowerCase());
    const m = await fetch(new URL('/metrics', follower.url));
    expect(m.status).toBe(200);
    expect(await m.text()).toContain('modex_');
  });
});

describe('FollowerRpc (no L1: positions handed to its executor as derivation does)', () => {
  it('indexes the transactions DA resolved, and forgets the positions an L1 reorg rewound', async () => {
    const chainId = 5n;
    const rpc = new FollowerRpc({
      chain: new AppChain({ app: loadApp(builtinAppBytes('token'), 'token'), chainId }),
    });
    const entries: DerivedPosition[] = [];
    rpc.attach({
      get head() {
        return BigInt(entries.length);
      },
      entry: (p) => entries[Number(p)],
    });
    const derive = async (message: Uint8Array, source: 'batch' | 'delayed', resolved?: Uint8Array) => {
      const position = BigInt(entries.length);
      await rpc.executor.execute(message, { position, resolved });
      entries.push({
        position,
        source,
        sourceIndex: 0n,
        message,
        l1BlockNumber: 7n,
        l1Timestamp: 100n,
        txHash: `0x${'ab'.repeat(32)}`,
      } as DerivedPosition);
    };
    const batch = async (...txs: Uint8Array[]) => {
      const list = encodeTxList(txs);
      await derive(batchMessage(MESSAGE_KIND.l2Transactions, list), 'batch', list);
    };
    expect(rpc.head).toBe(-1);
    expect(rpc.block(0)).toBeNull();
    await derive(depositMessage(user.address, 10n ** 18n), 'delayed');
    const a = fastTransfer(user, bob, 1n, 0n, chainId);
    const b = fastTransfer(user, bob, 2n, 0n, chainId);
    await batch(a);
    expect(rpc.head).toBe(1);
    const ha = bytesToHex(keccak_256(a));
    expect(rpc.receipt(ha)).toMatchObject({ status: 'ok', code: 0, block: 1, index: 0 });
    expect(rpc.block(0)).toMatchObject({ kind: 'delayed', txHashes: [], delayedRead: 1, sealedAt: 100_000 });
    expect(rpc.block(1)).toMatchObject({
      kind: 'batch',
      txHashes: [ha],
      txCount: 1,
      receipts: [0],
      delayedRead: 1,
    });
    // a reorg: derivation truncates its executor to 1 position and derives another batch there
    await rpc.executor.truncate(1);
    entries.length = 1;
    expect(rpc.receipt(ha)).toBeNull();
    expect(rpc.block(1)).toBeNull();
    await batch(b);
    const hb = bytesToHex(keccak_256(b));
    expect(rpc.receipt(ha)).toBeNull();
    expect(rpc.receipt(hb)).toMatchObject({ status: 'ok', block: 1, index: 0 });
    expect(await rpc.nonceOf(user.address, 'pending')).toBe(1n);
    expect(rpc.status()).toMatchObject({
      role: 'follower',
      head: 1,
      delayedIncluded: 1,
      transactions: 1,
      sequencer: null,
    });
    await expect(rpc.submit(a)).rejects.toMatchObject({ code: 'NODE_READ_ONLY' });
  });
});
