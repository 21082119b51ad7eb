/**
 * The attestation transport (docs/attested.md §7.1) on anvil: two validator roles in one process,
 * each running half the members of a committee of 4 (a quorum is 3) with its own GossipPool, and
 * serving `modex_submitAttestations` on its follower JSON-RPC. Unpeered, neither confirms anything;
 * peered, an assertion is confirmed by attestation. A forged signature, and a signature under a key
 * that is not the validator's registered one, are refused by name, the rest of the batch kept.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transfer } from '../apps/token/client.ts';
import { withDefaults } from '../config/defaults.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { REPO_ROOT } from '../l1/contracts.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import { encodeTxList } from '../settlement/ethereum/message.ts';
import { attestationToJson, GossipPool } from './attestation-gossip.ts';
import type { PoolEntry } from './attester.ts';
import { registerLocalValidators } from './local-validators.ts';
import {
  appOfDeployment,
  attachChain,
  deployForConfig,
  startFollowerRpc,
  startValidatorRole,
  type ValidatorRole,
} from './roles.ts';
import type { RpcServer } from './rpc.ts';

const ETH = 10n ** 18n;
const raw = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/attested.config.json'), 'utf8'));
raw.settlement = { module: 'ethereum' };
raw.proof.challengePeriodSeconds = 3600; // never confirmed by time here
raw.proof.attested = {
  ...raw.proof.attested,
  activeSize: 4,
  assumedHonest: 2,
  epochBlocks: 4,
  withdrawalDelayEpochs: 200,
  localValidators: 4,
};
const config = withDefaults(raw);
const user = privateKeyToAccount(`0x${'43'.repeat(32)}`);

let l1: L1;
const servers: RpcServer[] = [];
const pools: GossipPool[] = [];
beforeAll(async () => {
  l1 = await startAnvil();
}, 60_000);
afterAll(async () => {
  for (const p of pools) p.close();
  for (const s of servers) await s.close();
  await l1?.stop();
});

async function rpc(url: string, method: string, params: unknown[]) {
  const r = await fetch(url, {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await r.json()) as { result?: unknown; error?: { code: number; message: string } };
}

describe('attestation gossip between validator nodes (docs/attested.md §7.1)', () => {
  it('two nodes with half the committee each confirm by attestation only when peered; forgeries are refused', async () => {
    const { settlement: s, file } = await deployForConfig(l1, config);
    const keys = await registerLocalValidators(l1, s, config, { owner: l1.accounts[5], count: 4 });
    const committee = s.committee;
    if (!committee) throw new Error('no committee deployed');
    const { source, chainId } = appOfDeployment(file);
    const registeredKey = async (v: number) => (await committee.publicKeys([v]))[0];
    const domain = { chainId: BigInt(l1.chainId), committee: committee.address };

    const nodes: { role: ValidatorRole; pool: GossipPool; server: RpcServer }[] = [];
    for (const [n, account] of [
      [0, 1],
      [1, 2],
    ]) {
      const chain = await attachChain(
        { publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[account].account) },
        file,
        config,
      );
      const pool = new GossipPool(domain, { registeredKey, retryMs: 100 });
      pools.push(pool);
      const role = startValidatorRole({
        chain,
        app: source,
        chainId,
        config,
        name: `node-${n}`,
        attest: { keys: keys.slice(2 * n, 2 * n + 2), pool },
      });
      const server = await startFollowerRpc(role, { chain, config, attestations: pool });
      servers.push(server);
      nodes.push({ role, pool, server });
    }
    const attested = () =>
      nodes.flatMap((x) => x.role.attester?.events.filter((e) => e.kind === 'attested') ?? []);
    const round = async () => {
      for (const x of nodes) await x.role.tick();
      await Promise.all(nodes.map((x) => x.pool.idle()));
    };

    // traffic: a deposit and a transfer in a batch
    await s.bridge.depositEth(user.address, 10n * ETH);
    await s.inbox.postBatch(
      encodeTxList([await transfer(user, `0x${'0c'.repeat(20)}`, 1000n, { nonce: 0n })]),
    );

    // unpeered: each node's 2 signatures are short of the quorum of 3
    for (let i = 0; i < 4; i++) await round();
    expect(attested()).toHaveLength(0);
    const signed = nodes.map((x) => x.pool.assertions().length);
    expect(signed.every((n) => n > 0)).toBe(true);
    for (const x of nodes)
      for (const id of x.pool.assertions())
        expect(new Set(x.pool.onAssertion(id).map((e) => e.validator)).size).toBeLessThanOrEqual(2);

    // peered over their follower JSON-RPC
    nodes[0].pool.addPeer(nodes[1].server.url);
    nodes[1].pool.addPeer(nodes[0].server.url);
    for (let i = 0; i < 8 && attested().length === 0; i++) await round();
    const done = attested();
    expect(done.length).toBeGreaterThan(0);
    const first = done[0] as Extract<(typeof done)[number], { kind: 'attested' }>;
    expect(first.signers).toBeGreaterThanOrEqual(3);
    expect(await s.rollup.status(first.id)).toBe('confirmed');
    expect(nodes[0].pool.pushed + nodes[1].pool.pushed).toBeGreaterThan(0);

    // a forged signature (validator 2's signature presented for another epoch: not over that
    // digest) and a key squat (validator 0 claimed with validator 2's key, whose signature verifies
    // under that key) are refused by name
    const entries = nodes[1].pool.onAssertion(first.id) as PoolEntry[];
    const [a, b] = [entries.find((e) => e.validator === 2), entries.find((e) => e.validator === 3)];
    if (!a || !b) throw new Error('node 1 holds no signatures of validators 2 and 3');
    const forged = { ...attestationToJson(a), epoch: (a.epoch + 7n).toString() };
    const squat = { ...attestationToJson(a), validator: 0 };
    const r = await rpc(nodes[0].server.url, 'modex_submitAttestations', [[forged, squat]]);
    expect(r.error?.code).toBe(-32602);
    expect(r.error?.message).toContain('#0: ');
    expect(r.error?.message).toContain('does not verify');
    expect(r.error?.message).toContain("#1: publicKey is not validator 0's registered key");

    // nothing else in the batch lost: a fresh pool keeps the good one beside a forged one
    const fresh = new GossipPool(domain, { registeredKey });
    await expect(fresh.receive([forged, attestationToJson(b)])).rejects.toThrow(
      /1 of 2 attestation\(s\) refused \(1 new kept\): #0/,
    );
    expect(fresh.signatures(b.digest).has(3)).toBe(true);
    expect(fresh.signatures(b.digest).has(2)).toBe(false);
    // already held: known, not added
    expect(await fresh.receive([attestationToJson(b)])).toEqual({ added: 0, known: 1 });
    // malformed params
    const bad = await rpc(nodes[0].server.url, 'modex_submitAttestations', [[{ validator: 1 }]]);
    expect(bad.error?.code).toBe(-32602);
    expect(bad.error?.message).toContain('#0: assertion must be an object');
  }, 180_000);
});
