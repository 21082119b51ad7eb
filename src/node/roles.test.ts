/**
 * The sequencer role on anvil (deployed as `modex deploy` does): a block the sequencer stored just
 * before a crash, whose batch was never posted, is posted after the restart, before the new blocks,
 * at its own position; an L1 endpoint that goes down for longer than the batcher's retries halts
 * the batcher, and the role restarts it once L1 is back, posting what was sealed meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAccount, fastTransfer } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { builtinAppBytes } from '../apps/sdk/builtin-apps.ts';
import { loadConfig } from '../config/load.ts';
import type { ChainConfig } from '../config/types.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { REPO_ROOT } from '../l1/contracts.ts';
import { encodeTxList } from '../settlement/ethereum/message.ts';
import { AppChain } from './app-chain.ts';
import { messageCarries } from './batch-posting.ts';
import { BatchPositionMismatchError } from './batcher.ts';
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
    let up = true;
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (!up) return res.writeHead(503).end('down');
        const r = await fetch(l1.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: Buffer.concat(chunks),
        });
        res
          .writeHead(r.status, { 'content-type': 'application/json' })
          .end(Buffer.from(await r.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const before = await chain.inbox.messageCount();
    const logs: string[] = [];
    const role = await startRole({
      dataDir,
      rpcUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
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
      up = false;
      await block();
      await until('the batcher halted', () => logs.some((l) => l.startsWith('batcher halted')));
      await block(); // sealed while the batcher is halted
      await new Promise((r) => setTimeout(r, 500));
      expect(await chain.inbox.messageCount()).toBe(before + 1n);
      up = true;
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

  it('re-posts the batches an L1 reorg dropped (the mismatch is retried once, no stop)', async () => {
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

  it('stops the sequencer when L1 holds another batch at its next position (no silent acknowledgments)', async () => {
    const dataDir = dirs[0];
    const errors: unknown[] = [];
    const role = await startRole({ dataDir, onError: (e) => errors.push(e) });
    try {
      // a second writer with the sequencer key takes the next position
      const at = await chain.inbox.messageCount();
      await chain.inbox.postBatch(encodeTxList([Uint8Array.of(1, 2, 3)]), { kind: 0 });
      const a = fastAccount(3);
      expect((await role.seq.submit(fastTransfer(a, a.address, 0n, 0n, CHAIN))).block).toBe(Number(at));
      role.seq.sealNow();
      await until('the sequencer stopped', () => errors.length > 0);
      expect(errors[0]).toBeInstanceOf(BatchPositionMismatchError);
      await expect(role.seq.submit(fastTransfer(a, a.address, 0n, 1n, CHAIN))).rejects.toMatchObject({
        message: expect.stringMatching(/stopped after an error/),
      });
      expect(role.batches).toBe(0);
    } finally {
      await role.close();
    }
    // restarted, the role re-checks the positions L1 has and stops again: no silent divergence
    const again: unknown[] = [];
    const role2 = await startRole({ dataDir, onError: (e) => again.push(e) });
    try {
      await until('the restarted sequencer stopped', () => again.length > 0);
      expect(again[0]).toBeInstanceOf(BatchPositionMismatchError);
      expect((again[0] as Error).message).toMatch(/L1 has another batch there/);
      expect(role2.batches).toBe(0);
    } finally {
      await role2.close();
    }
  }, 120_000);
});
