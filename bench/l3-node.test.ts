/**
 * An L3's node on a modex EVM chain (issue 21 item 3, docs/l3.md §1): anvil (L1), a modex EVM chain
 * settling on it (the L2, bench/l3-chain.ts), and a token chain (examples/devnet.config.json, the
 * L3) whose settlement is deployed on the L2 with `deployForConfig` and whose sequencer role
 * (`startSequencerRole`: delayed messages read from the L2, the batcher posting to the L3's inbox
 * on the L2) is given the L2's JSON-RPC URL as its settlement endpoint, as it is given L1's; an
 * L3 validator role derives the L3 from the L2 and posts its assertion there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAppBytes } from '../src/apps/sdk/builtin-apps.ts';
import { loadConfig } from '../src/config/load.ts';
import type { ChainConfig } from '../src/config/types.ts';
import { connectL1 } from '../src/l1/anvil.ts';
import { REPO_ROOT } from '../src/l1/contracts.ts';
import {
  attachChain,
  type ChainClients,
  type DeploymentFile,
  deployForConfig,
  type SequencerRole,
  startSequencerRole,
  startValidatorRole,
} from '../src/node/roles.ts';
import { fastAccount, fastTransfer } from '../test/node-utils.ts';
import { L2_KEYS, type L2OnAnvil, startL2OnAnvil } from './l3-chain.ts';

let c: L2OnAnvil;
let file: DeploymentFile;
let config: ChainConfig;
let l3: ChainClients;
let role: SequencerRole;
let dir: string;
const user = fastAccount(31);
const bob = `0x${'0b'.repeat(20)}` as Hex;

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  c = await startL2OnAnvil();
  dir = mkdtempSync(join(tmpdir(), 'modex-l3-node-'));
  config = loadConfig(join(REPO_ROOT, 'examples/devnet.config.json'));
  config.sequencing.batch = { ...config.sequencing.batch, maxAgeSeconds: 1 };
  file = (await deployForConfig(c.l2, config)).file;
  l3 = await attachChain(c.l2, file);
  role = await startSequencerRole({
    chain: l3,
    app: { name: 'token', bytes: builtinAppBytes('token') },
    chainId: BigInt(config.chain.chainId),
    config,
    rpcUrl: c.l2.rpcUrl,
    sequencerKey: L2_KEYS[0],
    dataDir: join(dir, 'seq'),
    l1CheckMs: 0,
  });
}, 240_000);
afterAll(async () => {
  await role?.close();
  await c?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an L3 node settling on a modex EVM chain (slow)', () => {
  it('a deposit through the L3 bridge on the L2 reaches the L3; its blocks are posted to the L3 inbox on the L2, and on to L1', {
    timeout: 240_000,
  }, async () => {
    const seq = role.seq;
    await l3.bridge.depositEth(user.address as Hex, 10n ** 18n);
    await until('the deposit is in an L3 block', () => seq.status().delayedIncluded >= 1 && seq.head >= 0);
    await until('the deposit is executed on the L3', async () => (await seq.nonceOf(user.address)) === 0n);
    await seq.submit(fastTransfer(user, bob, 1000n, 0n, BigInt(config.chain.chainId)));
    seq.sealNow();
    await seq.idle();
    const head = seq.head;
    await until(
      'every L3 block is in the L3 inbox on the L2',
      async () => (await l3.inbox.messageCount()) >= BigInt(head + 1),
    );
    const entries = await l3.inbox.readMessages(0n, BigInt(head + 1));
    expect(entries.map((e) => e.source)).toContain('delayed');
    expect(entries.map((e) => e.source)).toContain('batch');
    // the L2 blocks holding them are on L1
    const l2Entries = await c.posted();
    for (const e of entries) {
      const l2rc = await c.l2.publicClient.getTransactionReceipt({ hash: e.txHash });
      expect(l2Entries[Number(l2rc.blockNumber) - 1]).toBeDefined();
    }
  });

  it('an L3 validator derives the L3 from the L2 and posts its assertion there; with TIMESTAMP 0 it is never confirmed', {
    timeout: 240_000,
  }, async () => {
    const seq = role.seq;
    const head = seq.head;
    // the validator's staking key: the L2's second account, funded on the L2 for the bond
    await c.l2.fund(c.l2.accounts[1].address, 3n * 10n ** 18n);
    const stake = await connectL1(c.l2.rpcUrl, { privateKeys: [L2_KEYS[1]], pollingIntervalMs: 50 });
    const val = startValidatorRole({
      chain: await attachChain(stake, file),
      app: { name: 'token', bytes: builtinAppBytes('token') },
      chainId: BigInt(config.chain.chainId),
      config,
      name: 'l3-validator',
    });
    await until('the validator derived every L3 block and posted an assertion', async () => {
      await val.tick();
      return val.rpc.head >= head && val.validator.events.some((e) => e.kind === 'assertion');
    });
    for (let n = 0; n <= head; n++) expect(val.rpc.stateRoot(n)).toBe(seq.stateRoot(n));
    const posted = val.validator.events.find((e) => e.kind === 'assertion');
    expect(posted).toMatchObject({ lie: false });
    const id = (posted as { id: Hex }).id;
    expect(await l3.rollup.status(id)).toBe('pending');
    // more L2 blocks, more validator rounds: the challenge period (60 s from createdAt = 0) never ends
    for (let i = 0; i < 3; i++) {
      await c.l2.publicClient.waitForTransactionReceipt({
        hash: await c.l2.walletClient.sendTransaction({ to: bob, value: 1n }),
      });
      await val.tick();
    }
    expect(val.validator.events.filter((e) => e.kind === 'confirmed')).toEqual([]);
    expect(await l3.rollup.status(id)).toBe('pending');
    // why: created at L2 time 0, and the L2's latest block is still at time 0
    const node = (await c.l2.publicClient.readContract({
      address: l3.rollup.address,
      abi: l3.rollup.abi,
      functionName: 'nodes',
      args: [id],
    })) as readonly [number, boolean, number, number, Hex];
    expect(node[2]).toBe(0);
    expect((await c.l2.publicClient.getBlock()).timestamp).toBe(0n);
  });
});
