/**
 * `modex deploy` and `modex node` as separate processes against one L1 (anvil started by the test):
 * the sequencer role serves JSON-RPC and batches to L1; a validator role in another process derives
 * the chain from L1, asserts it and confirms it once the challenge period has passed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transfer } from '../../guest/clients/token.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { attachChain, readDeploymentFile } from '../../node/roles.ts';
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
    expect(role.stderr).toContain('error [NODE_BAD_OPTION]: --role miner: use sequencer or validator');
  });

  it('a sequencer and a validator process run the chain; the validator confirms what it derived', {
    timeout: 180_000,
  }, async () => {
    const out = join(dir, 'deployment.json');
    const [seqKey, valKey] = [l1.accounts[0].privateKey, l1.accounts[1].privateKey];
    const dep = await runCli(['deploy', '--rpc', l1.rpcUrl, '--key', seqKey, '--out', out]).done;
    expect(dep.stderr).toBe('');
    expect(dep.code).toBe(0);
    const d = readDeploymentFile(out);
    const sequencer = runCli([
      'node',
      '--role',
      'sequencer',
      '--deployment',
      out,
      '--rpc',
      l1.rpcUrl,
      '--key',
      seqKey,
      '--data-dir',
      join(dir, 'seq'),
      '--port',
      '0',
    ]);
    const validator = runCli([
      'node',
      '--role',
      'validator',
      '--deployment',
      out,
      '--rpc',
      l1.rpcUrl,
      '--key',
      valKey,
      '--data-dir',
      join(dir, 'val'),
      '--interval',
      '300',
    ]);
    try {
      const started = await sequencer.waitFor('JSON-RPC at ');
      const url = /JSON-RPC at (\S+)/.exec(started)?.[1] as string;
      // a user deposits on L1 and transfers on L2 through the sequencer's RPC
      const user = l1.accounts[3].account;
      const clients = { publicClient: l1.publicClient, walletClient: walletFor(l1, user) };
      const chain = await attachChain(clients, d);
      await chain.bridge.depositEth(user.address, 10n ** 18n);
      let nonce: number | undefined;
      for (let i = 0; i < 100 && nonce === undefined; i++) {
        const st = (await rpc(url, 'modex_status', [])).result as { delayedIncluded: number };
        if (st.delayedIncluded >= 1) nonce = 0;
        else await new Promise((r) => setTimeout(r, 200));
      }
      const raw = await transfer(user, `0x${'0b'.repeat(20)}`, 1000n, { nonce: 0n });
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
    } finally {
      sequencer.child.kill('SIGINT');
      validator.child.kill('SIGINT');
    }
    const [s, v] = await Promise.all([sequencer.done, validator.done]);
    expect(s.code).toBe(0);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/assertion 0x[0-9a-f]{8}/);
    expect(v.stdout).toMatch(/confirmed 0x[0-9a-f]{8}/);
    expect(s.stdout).toMatch(/batch for block \d+ posted/);
  });
});
