/**
 * The sequencer role on anvil (deployed as `modex deploy` does): a block the sequencer stored just
 * before a crash, whose batch was never posted, is posted after the restart, before the new blocks,
 * at its own position; an L1 endpoint that goes down for longer than the batcher's retries halts
 * the batcher, and the role restarts it once L1 is back, posting what was sealed meanwhile. When L1
 * holds other messages at the sequencer's positions (another writer, a forced inclusion, a reorg
 * under a posted batch) the sequencer re-executes from L1 and keeps serving (issue 19, fix 5;
 * docs/node.md §2.2). The tests share one anvil and one data dir (dirs[0]), in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAccount, fastTransfer, rpcCall } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { builtinAppBytes } from '../apps/sdk/builtin-apps.ts';
import { loadConfig } from '../config/load.ts';
import type { ChainConfig } from '../config/types.ts';
import { keccak256Hex } from '../crypto/keccak.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { REPO_ROOT } from '../l1/contracts.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import { encodeTxList } from '../settlement/ethereum/message.ts';
import { AppChain } from './app-chain.ts';
import { messageCarries } from './batch-posting.ts';
import {
  attachChain,
  type ChainClients,
  type DeploymentFile,
  deployForConfig,
  readDeploymentFile,
  startSequencerRole,
  writeDeploymentFile,
} from './roles.ts';
import { Sequencer } from './sequencer.ts';

let l1: L1;
let config: ChainConfig;
let CHAIN: bigint;
let file: DeploymentFile;
let chain: ChainClients;
const dirs: string[] = [];

beforeAll(async () => {
  l1 = await startAnvil();
  config = loadConfig(join(REPO_ROOT, 'examples/devnet.config.json'));
  CHAIN = BigInt(config.chain.chainId);
  file = (await deployForConfig(l1, config)).file;
  chain = await attachChain(l1, file);
}, 120_000);

afterAll(async () => {
  await l1?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** the sequencer role on this chain, signing with the deployment's sequencer key */
function startRole(o: Partial<Parameters<typeof startSequencerRole>[0]> & { dataDir: string }) {
  return startSequencerRole({
    chain,
    app: { name: 'token', bytes: builtinAppBytes('token') },
    chainId: BigInt(config.chain.chainId),
    config,
    rpcUrl: l1.rpcUrl,
    sequencerKey: l1.accounts[0].privateKey,
    ...o,
  });
}

/** A proxy to L1 the test can take down (the batcher reaches L1 through it). */
async function l1Proxy() {
  const state = { up: true };
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (!state.up) return res.writeHead(503).end('down');
      const r = await fetch(l1.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      });
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    state,
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => proxy.close(),
  };
}

async function until(what: string, f: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('deployment files', () => {
  it('are written into a directory that does not exist yet (`modex devnet --data-dir NEW`)', () => {
    // its own directory, not in `dirs` (the sequencer tests below share dirs[0])
    const dir = mkdtempSync(join(tmpdir(), 'modex-deployment-'));
    try {
      const path = join(dir, 'new', 'nested', 'deployment.json');
      writeDeploymentFile(path, file);
      expect(readDeploymentFile(path)).toEqual(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('startSequencerRole', () => {
  it('posts a block stored before a crash (never posted) after the restart, before new blocks', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modex-roles-'));
    dirs.push(dataDir);
    const a = fastAccount(1);
    const errors: unknown[] = [];
    // 1. a sequencer stores block 0, then stops before any batcher posted it (the crash)
    const first = await Sequencer.open({
      dataDir,
      executor: new AppChain({
        app: loadApp(builtinAppBytes('token'), 'token'),
        chainId: BigInt(config.chain.chainId),
      }),
      config,
    });
    await first.submit(fastTransfer(a, a.address, 0n, 0n, CHAIN));
    first.sealNow();
    await first.idle();
    await first.close();
    expect(await chain.inbox.messageCount()).toBe(0n);

    // 2. the role restarts on the same data dir: block 0 goes to L1 first, then the new block 1
    const role = await startRole({ dataDir, onError: (e) => errors.push(e) });
    try {
      await until('block 0 posted', () => role.batches === 1);
      const ack = await role.seq.submit(fastTransfer(a, a.address, 0n, 1n, CHAIN));
      expect(ack.block).toBe(1);
      role.seq.sealNow();
      await until('block 1 posted', () => role.batches === 2);
      const onL1 = await chain.inbox.readMessages(0n, await chain.inbox.messageCount());
      expect(onL1.map((m) => [m.position, m.source, m.sourceIndex])).toEqual([
        [0n, 'batch', 0n],
        [1n, 'batch', 1n],
      ]);
      for (const [n, m] of onL1.entries()) {
        const stored = role.seq.block(n, true);
        const list = Buffer.from(stored?.message?.slice(4) ?? '', 'hex');
        expect(await messageCarries(m.data, list), `block ${n}`).toBe(true);
      }
      expect(errors).toEqual([]);
    } finally {
      await role.close();
    }
  }, 120_000);

  it('restarts a batcher halted by an L1 outage and posts what was sealed meanwhile', async () => {
    // the same data dir: the sequencer goes on from the first test's blocks (block number = inbox position)
    const dataDir = dirs[0];
    // the batcher reaches L1 through a proxy this test can take down
    const proxy = await l1Proxy();
    const before = await chain.inbox.messageCount();
    const logs: string[] = [];
    const role = await startRole({
      dataDir,
      rpcUrl: proxy.url,
      log: (l) => logs.push(l),
      batcherRetry: { attempts: 2, retryDelayMs: 50, retryMs: 200, maxRetryMs: 400 },
    });
    const a = fastAccount(2);
    let nonce = 0n;
    const block = async () => {
      await role.seq.submit(fastTransfer(a, a.address, 0n, nonce++, CHAIN));
      role.seq.sealNow();
    };
    try {
      await block();
      await until('the first block posted', () => role.batches === 1);
      proxy.state.up = false;
      await block();
      await until('the batcher halted', () => logs.some((l) => l.startsWith('batcher halted')));
      await block(); // sealed while the batcher is halted
      await new Promise((r) => setTimeout(r, 500));
      expect(await chain.inbox.messageCount()).toBe(before + 1n);
      proxy.state.up = true;
      await until('all three blocks on L1', () => role.batches === 3);
      const onL1 = await chain.inbox.readMessages(before, before + 3n);
      expect(onL1.map((m) => m.source)).toEqual(['batch', 'batch', 'batch']);
      expect(onL1.map((m) => m.position)).toEqual([before, before + 1n, before + 2n]);
      expect(await role.seq.submit(fastTransfer(a, a.address, 0n, nonce++, CHAIN))).toMatchObject({
        block: Number(before) + 3,
      });
    } finally {
      await role.close();
      proxy.close();
    }
  }, 120_000);

  it('re-posts the batches an L1 reorg dropped (the mismatch resyncs at once; nothing differs, nothing re-executed)', async () => {
    const dataDir = dirs[0];
    const logs: string[] = [];
    const errors: unknown[] = [];
    const role = await startRole({ dataDir, log: (l) => logs.push(l), onError: (e) => errors.push(e) });
    const a = fastAccount(4);
    let nonce = 0n;
    const block = async () => {
      await role.seq.submit(fastTransfer(a, a.address, 0n, nonce++, CHAIN));
      role.seq.sealNow();
    };
    try {
      const before = await chain.inbox.messageCount();
      const snapshot = await l1.testClient.snapshot();
      await block();
      await until('the first batch posted', () => role.batches === 1);
      await block();
      await until('the second batch posted', () => role.batches === 2);
      // the reorg: L1 forgets both batches
      await l1.testClient.revert({ id: snapshot });
      expect(await chain.inbox.messageCount()).toBe(before);
      await block();
      await until('the dropped batches and the new one posted', () => role.batches === 5);
      const onL1 = await chain.inbox.readMessages(before, await chain.inbox.messageCount());
      expect(onL1.map((m) => [m.position, m.source])).toEqual([
        [before, 'batch'],
        [before + 1n, 'batch'],
        [before + 2n, 'batch'],
      ]);
      expect(
        logs.some((l) => /BATCHER|predicted at inbox position/.test(l) && /restarting it in 0 ms/.test(l)),
      ).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await role.close();
    }
  }, 120_000);

  it('another batch at its next position (a second writer): the sequencer re-executes from L1, replays its transaction after it and keeps serving', async () => {
    const dataDir = dirs[0];
    const errors: unknown[] = [];
    const logs: string[] = [];
    const role = await startRole({ dataDir, log: (l) => logs.push(l), onError: (e) => errors.push(e) });
    const a = fastAccount(3);
    try {
      // a second writer with the sequencer key takes the next position
      const at = Number(await chain.inbox.messageCount());
      const other = Uint8Array.of(1, 2, 3);
      await chain.inbox.postBatch(encodeTxList([other]), { kind: 0 });
      const ack = await role.seq.submit(fastTransfer(a, a.address, 0n, 0n, CHAIN));
      expect(ack.block).toBe(at);
      role.seq.sealNow();
      await until('re-executed and posted', () => role.batches === 1);
      // L1's batch is block `at`; the acknowledged transaction was replayed into the next block
      expect(role.seq.block(at)).toMatchObject({
        kind: 'batch',
        fromL1: true,
        txHashes: [keccak256Hex(other)],
      });
      expect(role.seq.receipt(ack.hash)).toMatchObject({ status: 'ok', block: at + 1, index: 0 });
      const onL1 = await chain.inbox.readMessages(BigInt(at), await chain.inbox.messageCount());
      expect(onL1.map((m) => [m.position, m.source])).toEqual([
        [BigInt(at), 'batch'],
        [BigInt(at + 1), 'batch'],
      ]);
      expect(await messageCarries(onL1[1].data, role.seq.sealedBlock(at + 1)!.message.subarray(1))).toBe(
        true,
      );
      expect(
        logs.some((l) =>
          /from position \d+: re-executed from L1 \(1 L1 blocks taken in, 1 transactions replayed/.test(l),
        ),
      ).toBe(true);
      expect(await role.seq.submit(fastTransfer(a, a.address, 0n, 1n, CHAIN))).toMatchObject({
        block: at + 2,
      });
      expect(errors).toEqual([]);
    } finally {
      await role.close();
    }
    // restarted, the role checks L1 from the last agreed position: nothing differs, nothing re-posted
    const again: unknown[] = [];
    const logs2: string[] = [];
    const role2 = await startRole({ dataDir, log: (l) => logs2.push(l), onError: (e) => again.push(e) });
    try {
      expect(role2.seq.status().recoveries).toBe(0);
      const ack = await role2.seq.submit(fastTransfer(a, a.address, 0n, 2n, CHAIN));
      role2.seq.sealNow();
      await until('the block after the restart posted', () => role2.batches >= 1);
      expect(role2.seq.receipt(ack.hash)).toMatchObject({ status: 'ok' });
      expect(logs2.some((l) => /re-executed from L1/.test(l))).toBe(false);
      expect(again).toEqual([]);
    } finally {
      await role2.close();
    }
  }, 120_000);

  it('issue 19 (5): a forced inclusion under its unposted blocks: re-executes from L1, replays the valid transactions, drops the invalid one with its reason, keeps serving', async () => {
    const dataDir = dirs[0];
    const proxy = await l1Proxy();
    const errors: unknown[] = [];
    const logs: string[] = [];
    const role = await startRole({
      dataDir,
      rpcUrl: proxy.url,
      log: (l) => logs.push(l),
      onError: (e) => errors.push(e),
      batcherRetry: { attempts: 2, retryDelayMs: 50, retryMs: 200, maxRetryMs: 400 },
    });
    const a = fastAccount(7);
    const b = fastAccount(8);
    try {
      // the batcher cannot reach L1: the sequencer's block is stored, not posted
      proxy.state.up = false;
      const at = Number(await chain.inbox.messageCount());
      const a0 = await role.seq.submit(fastTransfer(a, a.address, 0n, 0n, CHAIN));
      const a1 = await role.seq.submit(fastTransfer(a, a.address, 0n, 1n, CHAIN));
      const b0 = await role.seq.submit(fastTransfer(b, b.address, 0n, 0n, CHAIN));
      expect([a0.block, a1.block, b0.block]).toEqual([at, at, at]);
      role.seq.sealNow();
      await until('the block stored', () => role.seq.head >= at);
      // an L1 user forces another transaction of a's with nonce 0 in, at the sequencer's position
      const user = chain.inbox.connect(walletFor(l1, l1.accounts[2].account));
      const f0 = fastTransfer(a, b.address, 0n, 0n, CHAIN);
      const sent = await user.sendMessage(encodeTxList([f0]));
      await l1.testClient.increaseTime({ seconds: config.sequencing.maxDelaySeconds + 1 });
      await l1.testClient.mine({ blocks: 1 });
      if ((await chain.inbox.delayedIncluded()) <= sent.index) await user.forceInclusion(sent.index + 1n);
      const [forced] = await chain.inbox.readMessages(BigInt(at), BigInt(at + 1));
      expect([forced.source, forced.sourceIndex]).toEqual(['delayed', sent.index]);
      proxy.state.up = true;
      await until('re-executed from L1', () => logs.some((l) => /re-executed from L1/.test(l)));
      // a0 is dropped with the app's reason; a1 and b0 replayed after the forced message
      expect(role.seq.receipt(a0.hash)).toMatchObject({
        status: 'dropped',
        reason: 'bad_nonce',
        block: at,
        index: 0,
      });
      await until('the replayed transactions executed and posted', () => {
        const r = role.seq.receipt(b0.hash);
        return r?.status === 'ok' && role.batches >= 1;
      });
      expect(role.seq.receipt(a1.hash)).toMatchObject({ status: 'ok', block: at + 1, index: 0 });
      expect(role.seq.receipt(b0.hash)).toMatchObject({ status: 'ok', block: at + 1, index: 1 });
      expect(role.seq.receipt(keccak256Hex(f0))).toMatchObject({ status: 'ok', block: at });
      expect(role.seq.block(at)).toMatchObject({ kind: 'delayed', delayedIndex: Number(sent.index) });
      // over JSON-RPC too
      expect(await rpcCall(role.server.url, 'modex_getTransactionReceipt', [a0.hash])).toMatchObject({
        status: 'dropped',
        reason: 'bad_nonce',
      });
      const onL1 = await chain.inbox.readMessages(BigInt(at), BigInt(at + 2));
      expect(onL1.map((m) => m.source)).toEqual(['delayed', 'batch']);
      expect(await messageCarries(onL1[1].data, role.seq.sealedBlock(at + 1)!.message.subarray(1))).toBe(
        true,
      );
      expect(await role.seq.submit(fastTransfer(a, a.address, 0n, 2n, CHAIN))).toMatchObject({
        block: at + 2,
      });
      expect(errors).toEqual([]);
    } finally {
      await role.close();
      proxy.close();
    }
  }, 120_000);

  it('issue 19 (5): an L1 reorg puts another batch under a posted one: the periodic check re-executes from L1 and the transaction is posted again', async () => {
    const dataDir = dirs[0];
    const errors: unknown[] = [];
    const logs: string[] = [];
    const role = await startRole({
      dataDir,
      l1CheckMs: 300,
      log: (l) => logs.push(l),
      onError: (e) => errors.push(e),
    });
    const c = fastAccount(9);
    try {
      const at = Number(await chain.inbox.messageCount());
      const snapshot = await l1.testClient.snapshot();
      const c0 = await role.seq.submit(fastTransfer(c, c.address, 0n, 0n, CHAIN));
      role.seq.sealNow();
      await until('posted', () => role.batches === 1);
      await until('a check agreed past it', () => role.seq.store.l1Agreed?.n === at + 1);
      // the reorg: L1 forgets the batch, and another writer's batch lands at its position
      await l1.testClient.revert({ id: snapshot });
      const other = Uint8Array.of(7, 7, 7);
      await chain.inbox.postBatch(encodeTxList([other]), { kind: 0 });
      await until('re-executed from L1', () => logs.some((l) => /re-executed from L1/.test(l)));
      await until('posted again', () => role.batches === 2);
      expect(role.seq.receipt(c0.hash)).toMatchObject({ status: 'ok', block: at + 1, index: c0.index });
      expect(role.seq.block(at)).toMatchObject({ fromL1: true, txHashes: [keccak256Hex(other)] });
      const onL1 = await chain.inbox.readMessages(BigInt(at), await chain.inbox.messageCount());
      expect(onL1.length).toBe(2);
      expect(await messageCarries(onL1[1].data, role.seq.sealedBlock(at + 1)!.message.subarray(1))).toBe(
        true,
      );
      expect(errors).toEqual([]);
    } finally {
      await role.close();
    }
  }, 120_000);

  it("issue 19 (5): a restart re-checks L1 from the last agreed position, however deep: a batch replaced 70 positions below L1's count is found and re-executed", async () => {
    const dataDir = dirs[0];
    const c = fastAccount(10);
    // the periodic check is off: the restart's check finds it
    const role = await startRole({ dataDir, l1CheckMs: 0 });
    const at = Number(await chain.inbox.messageCount());
    let c0: Awaited<ReturnType<Sequencer['submit']>>;
    const snapshot = await l1.testClient.snapshot();
    try {
      c0 = await role.seq.submit(fastTransfer(c, c.address, 0n, 0n, CHAIN));
      role.seq.sealNow();
      await until('posted', () => role.batches === 1);
    } finally {
      await role.close();
    }
    // while it is down: a reorg drops its batch and another writer posts 70 batches from there
    await l1.testClient.revert({ id: snapshot });
    for (let i = 0; i < 70; i++)
      await chain.inbox.postBatch(encodeTxList([Uint8Array.of(0xee, i)]), { kind: 0 });
    const logs: string[] = [];
    const errors: unknown[] = [];
    const role2 = await startRole({
      dataDir,
      l1CheckMs: 0,
      log: (l) => logs.push(l),
      onError: (e) => errors.push(e),
    });
    try {
      // the check ran before startSequencerRole returned
      expect(
        logs.some((l) => l.includes(`from position ${at}: re-executed from L1 (70 L1 blocks taken in`)),
      ).toBe(true);
      expect(role2.seq.block(at)).toMatchObject({ fromL1: true });
      expect(role2.seq.block(at + 69)).toMatchObject({ fromL1: true });
      await until("posted again after L1's batches", () => role2.batches === 1);
      expect(role2.seq.receipt(c0.hash)).toMatchObject({ status: 'ok', block: at + 70 });
      expect(await chain.inbox.messageCount()).toBe(BigInt(at + 71));
      expect(errors).toEqual([]);
    } finally {
      await role2.close();
    }
  }, 120_000);
});
