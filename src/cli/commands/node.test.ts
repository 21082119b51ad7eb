/**
 * `modex deploy` and `modex node` as separate processes against one L1 (anvil started by the test):
 * the sequencer role serves JSON-RPC and batches to L1; a validator role in another process derives
 * the chain from L1, asserts it and confirms it once the challenge period has passed; the same with
 * committee DA, its members being `modex da-server` processes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrape } from '../../../test/prometheus.ts';
import { transfer } from '../../apps/token/client.ts';
import { loadConfig } from '../../config/load.ts';
import { writeMemberKeyFile } from '../../da/committee/key-file.ts';
import { CommitteeKeysetsClient } from '../../da/committee/keysets.ts';
import { localMemberKey } from '../../da/committee/local-committee.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { REPO_ROOT } from '../../l1/contracts.ts';
import { attachChain, deployForConfig, readDeploymentFile, writeDeploymentFile } from '../../node/roles.ts';
import { walletFor } from '../../settlement/ethereum/inbox.ts';
import { runCli } from '../run-cli.test-helper.ts';

let l1: L1;
let dir: string;
beforeAll(async () => {
  l1 = await startAnvil();
  dir = mkdtempSync(join(tmpdir(), 'modex-node-test-'));
});
afterAll(async () => {
  await l1?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function rpc(
  url: string,
  method: string,
  params: unknown[],
): Promise<{ result?: unknown; error?: { code: number } }> {
  const r = await fetch(url, {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await r.json()) as { result?: unknown; error?: { code: number } };
}

/**
 * `modex deploy`, then a sequencer and a validator process (with `config`, if given); a user deposits
 * and transfers; the validator must confirm an assertion. The validator serves its read-only
 * JSON-RPC (`--rpc-port 0`, the same port as `--metrics-port 0`: one server): the explorer at `GET /`,
 * the transfer's receipt and the state root as the sequencer's, transactions refused (−32004).
 * Returns both processes' output.
 */
async function runChain(name: string, config?: string): Promise<{ seq: string; val: string }> {
  const cfg = config ? ['--config', config] : [];
  const out = join(dir, `${name}-deployment.json`);
  const [seqKey, valKey] = [l1.accounts[0].privateKey, l1.accounts[1].privateKey];
  const dep = await runCli(['deploy', ...cfg, '--rpc', l1.rpcUrl, '--key', seqKey, '--out', out]).done;
  expect(dep.stderr).toBe('');
  expect(dep.code).toBe(0);
  const d = readDeploymentFile(out);
  const role = (r: string, key: string, extra: string[]) =>
    runCli(['node', '--role', r, ...cfg, '--deployment', out, '--rpc', l1.rpcUrl, '--key', key, ...extra]);
  const sequencer = role('sequencer', seqKey, ['--data-dir', join(dir, `${name}-seq`), '--port', '0']);
  const validator = role('validator', valKey, [
    '--data-dir',
    join(dir, `${name}-val`),
    '--interval',
    '300',
    '--metrics-port',
    '0',
    '--rpc-port',
    '0',
  ]);
  try {
    const started = await sequencer.waitFor('JSON-RPC at ');
    const url = /JSON-RPC at (\S+)/.exec(started)?.[1] as string;
    // a user deposits on L1 and transfers on L2 through the sequencer's RPC
    const user = l1.accounts[3].account;
    const clients = { publicClient: l1.publicClient, walletClient: walletFor(l1, user) };
    const chain = await attachChain(clients, d);
    const nonce = await chain.bridge.depositEth(user.address, 10n ** 18n).then(async () => {
      for (let i = 0; i < 100; i++) {
        const st = (await rpc(url, 'modex_status', [])).result as { delayedIncluded: number };
        if (st.delayedIncluded >= 1) return 0n;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the deposit never reached the sequencer');
    });
    // signed for the chain's own id (the deployment's appChainId): another one is refused at admission
    const raw = await transfer(user, `0x${'0b'.repeat(20)}`, 1000n, { nonce, chainId: BigInt(d.appChainId) });
    const ack = await rpc(url, 'modex_sendRawTransaction', [bytesToHex(raw)]);
    expect(ack.error).toBeUndefined();
    // the validator (another process) asserts from L1 data and confirms after the challenge period
    const genesis = await chain.rollup.latestConfirmed();
    let confirmed = genesis;
    for (let i = 0; i < 200 && confirmed === genesis; i++) {
      await l1.testClient.increaseTime({ seconds: 20 });
      await l1.testClient.mine({ blocks: 1 });
      await new Promise((r) => setTimeout(r, 300));
      confirmed = await chain.rollup.latestConfirmed();
    }
    expect(confirmed).not.toBe(genesis);
    const bad = await rpc(url, 'modex_sendRawTransaction', ['0x1234']);
    expect(bad.error?.code).toBe(-32602);
    // the validator's read-only JSON-RPC: what it derived, as the sequencer serves it
    const follower = /read-only JSON-RPC at (\S+)/.exec(
      await validator.waitFor('read-only JSON-RPC at '),
    )?.[1] as string;
    const page = await fetch(follower);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    expect((await rpc(follower, 'modex_sendRawTransaction', [bytesToHex(raw)])).error?.code).toBe(-32004);
    const seqHead = (await rpc(url, 'modex_blockNumber', [])).result as number;
    for (let i = 0; i < 100; i++) {
      if (((await rpc(follower, 'modex_blockNumber', [])).result as number) >= seqHead) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const txHash = (ack.result as { hash: Hex }).hash;
    const receipt = (await rpc(url, 'modex_getTransactionReceipt', [txHash])).result;
    expect(receipt).toMatchObject({ status: 'ok' });
    expect((await rpc(follower, 'modex_getTransactionReceipt', [txHash])).result).toEqual(receipt);
    expect((await rpc(follower, 'modex_stateRoot', [seqHead])).result).toBe(
      (await rpc(url, 'modex_stateRoot', [seqHead])).result,
    );
    // Prometheus metrics (docs/node.md §8): the sequencer's on its JSON-RPC port, the validator's on --metrics-port
    const seqMetrics = await scrape(new URL('/metrics', url).href);
    expect(seqMetrics.value('modex_transactions_admitted_total', { role: 'sequencer' })).toBe(1);
    // the refused one ('0x1234': the app's admission names its reason)
    expect(seqMetrics.sum('modex_transactions_rejected_total', { role: 'sequencer' })).toBe(1);
    expect(seqMetrics.sum('modex_batches_posted_total', { role: 'batcher' })).toBeGreaterThanOrEqual(1);
    const valUrl = /metrics at (\S+)/.exec(await validator.waitFor('metrics at '))?.[1] as string;
    expect(valUrl).toBe(new URL('/metrics', follower).href); // one server for both
    // (its confirmation is counted once the transaction's receipt is back: poll a little)
    let valMetrics = await scrape(valUrl);
    for (let i = 0; i < 50 && !valMetrics.sum('modex_assertions_total', { event: 'confirmed' }); i++) {
      await new Promise((r) => setTimeout(r, 200));
      valMetrics = await scrape(valUrl);
    }
    expect(valMetrics.sum('modex_assertions_total', { event: 'posted' })).toBeGreaterThanOrEqual(1);
    expect(valMetrics.sum('modex_assertions_total', { event: 'confirmed' })).toBeGreaterThanOrEqual(1);
    expect(valMetrics.sum('modex_l1_gas_total', { kind: 'assertion' })).toBeGreaterThan(21_000);
  } finally {
    sequencer.child.kill('SIGINT');
    validator.child.kill('SIGINT');
  }
  const [s, v] = await Promise.all([sequencer.done, validator.done]);
  expect(s.code).toBe(0);
  expect(v.code).toBe(0);
  expect(v.stdout).toMatch(/assertion 0x[0-9a-f]{8}/);
  expect(v.stdout).toMatch(/confirmed 0x[0-9a-f]{8}/);
  return { seq: s.stdout, val: v.stdout };
}

describe('modex deploy + modex node (separate processes)', () => {
  it('refuses to run without a key or with a wrong role', async () => {
    const noKey = await runCli([
      'node',
      '--role',
      'validator',
      '--deployment',
      'nope.json',
      '--rpc',
      l1.rpcUrl,
    ]).done;
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(
      /error \[NODE_DEPLOYMENT_INVALID\]: cannot read deployment file nope.json|error \[NODE_BAD_OPTION\]/,
    );
    const role = await runCli(['node', '--role', 'miner', '--deployment', 'x.json']).done;
    expect(role.stderr).toContain(
      'error [NODE_BAD_OPTION]: --role miner: use sequencer, validator or prover',
    );
  });

  it('--member-key is refused on a chain without a validator committee; --attest-peer needs --member-key', async () => {
    const out = join(dir, 'plain-deployment.json');
    const config = loadConfig(join(REPO_ROOT, 'examples/devnet.config.json'));
    writeDeploymentFile(out, (await deployForConfig(l1, config)).file);
    const validator = (extra: string[]) =>
      runCli([
        'node',
        '--role',
        'validator',
        '--deployment',
        out,
        '--rpc',
        l1.rpcUrl,
        '--key',
        l1.accounts[1].privateKey,
        '--data-dir',
        join(dir, 'plain-val'),
        ...extra,
      ]).done;
    const [keys, peers] = await Promise.all([
      validator(['--member-key', join(dir, 'member.json')]),
      validator(['--attest-peer', 'http://127.0.0.1:8548/']),
    ]);
    expect(keys.code).toBe(1);
    expect(keys.stderr).toContain('error [NODE_BAD_OPTION]: --member-key: the chain is not attested');
    expect(peers.code).toBe(1);
    expect(peers.stderr).toContain('error [NODE_BAD_OPTION]: --attest-peer needs --member-key');
  });

  it('a sequencer and a validator process run the chain; the validator confirms what it derived', {
    timeout: 180_000,
  }, async () => {
    const { seq } = await runChain('calldata');
    expect(seq).toMatch(/batch for block \d+ posted as calldata/);
  });

  it('committee DA with three `modex da-server` processes: certified batches, the validator confirms; `modex da rotate`', {
    timeout: 180_000,
  }, async () => {
    const members = [0, 1, 2].map((i) => {
      const key = localMemberKey(i, 'node-test');
      const file = join(dir, `member${i}.json`);
      writeMemberKeyFile(file, key);
      const run = runCli([
        'da-server',
        '--key-file',
        file,
        '--data-dir',
        join(dir, `member${i}`),
        '--port',
        '0',
      ]);
      return { key, run };
    });
    try {
      const urls = await Promise.all(
        members.map(
          async (m) => /listening at (\S+)/.exec(await m.run.waitFor('listening at '))?.[1] as string,
        ),
      );
      const config = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/devnet.config.json'), 'utf8'));
      config.settlement.rpcUrl = l1.rpcUrl;
      config.da = {
        module: 'committee',
        committee: {
          members: members.map((m, i) => ({
            url: urls[i],
            publicKey: bytesToHex(m.key.publicKey),
            proofOfPossession: bytesToHex(m.key.proofOfPossession),
          })),
          assumedHonest: 2,
          fallback: 'l1-calldata',
          timeoutMs: 5_000,
        },
      };
      const file = join(dir, 'committee.config.json');
      writeFileSync(file, JSON.stringify(config));
      const { seq } = await runChain('committee', file);
      expect(seq).toMatch(/batch for block \d+ posted as certificate \(/);
      expect(seq).not.toMatch(/fallback/);

      // key rotation: a committee of members 0, 1 and a new member 3 replaces the old keyset on L1
      const out = join(dir, 'committee-deployment.json');
      const old = readDeploymentFile(out).committee?.keysetHash as Hex;
      const fresh = localMemberKey(3, 'node-test');
      config.da.committee.members[2] = {
        url: 'http://127.0.0.1:1',
        publicKey: bytesToHex(fresh.publicKey),
        proofOfPossession: bytesToHex(fresh.proofOfPossession),
      };
      writeFileSync(file, JSON.stringify(config));
      const rotate = () =>
        runCli([
          'da',
          'rotate',
          '--config',
          file,
          '--deployment',
          out,
          '--rpc',
          l1.rpcUrl,
          '--key',
          l1.accounts[0].privateKey,
        ]).done;
      const r = await rotate();
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/registered keyset 0x[0-9a-f]{64} \(3 members\)/);
      const d = readDeploymentFile(out);
      expect(d.committee?.keysetHash).not.toBe(old);
      const keysets = await CommitteeKeysetsClient.attach(l1, d.committee?.keysets as Hex);
      expect(await keysets.keysetInfo(old)).toMatchObject({ registered: true, invalidated: true });
      expect(await keysets.keysetInfo(d.committee?.keysetHash as Hex)).toMatchObject({
        registered: true,
        invalidated: false,
      });
      // the same committee again: nothing to rotate
      const again = await rotate();
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('error [DA_COMMITTEE_CONFIG]');
    } finally {
      for (const m of members) m.run.child.kill('SIGTERM');
    }
    for (const m of members) expect((await m.run.done).code).toBe(0);
  });
});
