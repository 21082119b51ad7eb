/**
 * The node's Prometheus metrics over real HTTP (docs/node.md §8): the sequencer role on anvil
 * serves `GET /metrics` on its JSON-RPC port; after real transactions — admitted ones and refused
 * ones (the app's reason, a duplicate, a bad request) — and a batch posted to L1, the counters have
 * moved and the exposition parses. A validator role sharing the process's metrics (as in the
 * devnet) shows up under its own name once it derived the chain and asserted it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAccount, fastTransfer, rpcPost } from '../../test/node-utils.ts';
import { type Exposition, scrape } from '../../test/prometheus.ts';
import { builtinAppBytes } from '../apps/sdk/builtin-apps.ts';
import { loadConfig } from '../config/load.ts';
import type { ChainConfig } from '../config/types.ts';
import { connectL1, type L1, startAnvil } from '../l1/anvil.ts';
import { REPO_ROOT } from '../l1/contracts.ts';
import { refusalReason } from './metrics-hooks.ts';
import {
  attachChain,
  type ChainClients,
  type DeploymentFile,
  deployForConfig,
  type SequencerRole,
  startSequencerRole,
  startValidatorRole,
  type ValidatorRole,
} from './roles.ts';

let l1: L1;
let config: ChainConfig;
let chain: ChainClients;
let file: DeploymentFile;
let role: SequencerRole;
let metricsUrl: string;
const dirs: string[] = [];

beforeAll(async () => {
  l1 = await startAnvil();
  config = loadConfig(join(REPO_ROOT, 'examples/devnet.config.json'));
  file = (await deployForConfig(l1, config)).file;
  chain = await attachChain(l1, file);
  const dataDir = mkdtempSync(join(tmpdir(), 'modex-metrics-'));
  dirs.push(dataDir);
  role = await startSequencerRole({
    chain,
    app: { name: 'token', bytes: builtinAppBytes('token') },
    chainId: BigInt(config.chain.chainId),
    config,
    rpcUrl: l1.rpcUrl,
    sequencerKey: l1.accounts[0].privateKey,
    dataDir,
  });
  metricsUrl = new URL('/metrics', role.server.url).href;
}, 120_000);

afterAll(async () => {
  await role?.close();
  await l1?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const send = (raw: Uint8Array | string, id = 1) =>
  rpcPost(role.server.url, {
    jsonrpc: '2.0',
    id,
    method: 'modex_sendRawTransaction',
    params: [typeof raw === 'string' ? raw : bytesToHex(raw)],
  }) as Promise<{ result?: unknown; error?: { code: number; data?: { reason: string } } }>;

const seq = { role: 'sequencer' };

describe('refusalReason', () => {
  it("names the app's reason, else the JSON-RPC code's", () => {
    expect(refusalReason({ code: -32602, data: { reason: 'bad_nonce', code: 3 } })).toBe('bad_nonce');
    expect(refusalReason({ code: -32602 })).toBe('bad_request');
    expect(refusalReason({ code: -32003 })).toBe('duplicate');
    expect(refusalReason({ code: -32005 })).toBe('busy');
    expect(refusalReason({ code: -32000 })).toBe('unavailable');
    expect(refusalReason({ code: -32603 })).toBe('internal');
  });
});

describe('GET /metrics on the sequencer role', () => {
  let before: Exposition;

  it('serves a parsable exposition with every metric family of the node', async () => {
    before = await scrape(metricsUrl);
    for (const [name, type] of [
      ['modex_transactions_admitted_total', 'counter'],
      ['modex_transactions_rejected_total', 'counter'],
      ['modex_soft_confirmation_seconds', 'histogram'],
      ['modex_blocks_total', 'counter'],
      ['modex_block_transactions', 'histogram'],
      ['modex_block_bytes', 'histogram'],
      ['modex_wal_flush_seconds', 'histogram'],
      ['modex_store_put_seconds', 'histogram'],
      ['modex_batches_posted_total', 'counter'],
      ['modex_batch_bytes', 'histogram'],
      ['modex_da_store_seconds', 'histogram'],
      ['modex_da_fallbacks_total', 'counter'],
      ['modex_l1_gas_total', 'counter'],
      ['modex_assertion_lag_blocks', 'gauge'],
      ['modex_disputes_open', 'gauge'],
      ['modex_dispute_moves_total', 'counter'],
      ['modex_head_block', 'gauge'],
      ['modex_mempool_transactions', 'gauge'],
    ])
      expect(before.types.get(name), name).toBe(type);
    expect(before.value('modex_head_block', seq)).toBe(-1);
    expect(before.value('modex_transactions_admitted_total', seq)).toBe(0);
    // JSON-RPC on the same port is untouched
    expect(await rpcPost(role.server.url, { jsonrpc: '2.0', id: 1, method: 'modex_blockNumber' })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: -1,
    });
  });

  it('counts admitted and refused transactions by reason, blocks, WAL, store, batches and L1 gas', async () => {
    const CHAIN = BigInt(config.chain.chainId);
    const a = fastAccount(7);
    const b = fastAccount(8);
    const t0 = fastTransfer(a, b.address, 0n, 0n, CHAIN);
    const t1 = fastTransfer(a, b.address, 0n, 1n, CHAIN);
    expect((await send(t0)).result).toBeDefined();
    expect((await send(t1)).result).toBeDefined();
    // refused: by the app (another chain's id), a duplicate, and a request that is not hex
    const wrongChain = await send(fastTransfer(b, a.address, 0n, 0n, CHAIN + 1n));
    expect(wrongChain.error?.data?.reason).toBe('wrong_chain');
    expect((await send(t0)).error?.code).toBe(-32003);
    expect((await send('0xnothex')).error?.code).toBe(-32602);
    // in a JSON-RPC batch too
    const batch = (await rpcPost(role.server.url, [
      { jsonrpc: '2.0', id: 1, method: 'modex_sendRawTransaction', params: [bytesToHex(t1)] },
      { jsonrpc: '2.0', id: 2, method: 'modex_blockNumber', params: [] },
    ])) as unknown[];
    expect(batch).toHaveLength(2);

    role.seq.sealNow();
    await until('the batch on L1', () => role.batches >= 1);
    const m = await scrape(metricsUrl);

    expect(m.value('modex_transactions_admitted_total', seq)).toBe(2);
    expect(m.value('modex_soft_confirmation_seconds_count', seq)).toBe(2);
    expect(m.value('modex_soft_confirmation_seconds_bucket', { ...seq, le: '+Inf' })).toBe(2);
    expect(m.value('modex_transactions_rejected_total', { ...seq, reason: 'wrong_chain' })).toBe(1);
    expect(m.value('modex_transactions_rejected_total', { ...seq, reason: 'duplicate' })).toBe(2);
    expect(m.value('modex_transactions_rejected_total', { ...seq, reason: 'bad_request' })).toBe(1);

    expect(m.value('modex_blocks_total', { ...seq, kind: 'batch' })).toBe(1);
    expect(m.value('modex_block_transactions_sum', seq)).toBe(2);
    expect(m.value('modex_block_bytes_sum', seq)).toBeGreaterThan(t0.length + t1.length);
    expect(m.value('modex_head_block', seq)).toBe(0);
    expect(m.value('modex_mempool_transactions', seq)).toBe(0);
    expect(m.value('modex_wal_records_total', seq)).toBeGreaterThanOrEqual(2);
    expect(m.value('modex_wal_bytes_total', seq)).toBeGreaterThan(t0.length + t1.length);
    expect(m.value('modex_wal_flush_seconds_count', seq)).toBeGreaterThanOrEqual(1);
    expect(m.value('modex_store_put_seconds_count', seq)).toBe(1);

    const batcher = { role: 'batcher' };
    expect(m.value('modex_batches_posted_total', { ...batcher, da: 'calldata', fallback: 'false' })).toBe(1);
    expect(m.value('modex_batch_bytes_count', { ...batcher, form: 'raw' })).toBe(1);
    expect(m.value('modex_batch_bytes_sum', { ...batcher, form: 'raw' })).toBeGreaterThan(
      t0.length + t1.length,
    );
    expect(m.value('modex_batch_bytes_sum', { ...batcher, form: 'posted' })).toBeGreaterThan(0);
    expect(m.value('modex_da_store_seconds_count', { ...batcher, da: 'calldata', fallback: 'false' })).toBe(
      1,
    );
    expect(m.value('modex_l1_gas_total', { ...batcher, kind: 'batch' })).toBeGreaterThan(21_000);
    expect(m.value('modex_l1_transactions_total', { ...batcher, kind: 'batch' })).toBe(1);
  }, 120_000);

  it('shows a validator sharing the process registry under its name, with its assertion and lag', async () => {
    // the validator stakes with its own key (anvil's second account)
    const stake = await connectL1(l1.rpcUrl, { privateKeys: [l1.accounts[1].privateKey] });
    const v: ValidatorRole = startValidatorRole({
      chain: await attachChain(stake, file),
      app: { name: 'token', bytes: builtinAppBytes('token') },
      chainId: BigInt(config.chain.chainId),
      config,
      name: 'validator-1',
      metrics: role.metrics,
    });
    const name = { role: 'validator-1' };
    await until('the validator posted an assertion', async () => {
      await v.tick();
      return v.validator.events.some((e) => e.kind === 'assertion');
    });
    const m = await scrape(metricsUrl);
    expect(m.value('modex_head_block', name)).toBeGreaterThanOrEqual(0);
    expect(m.value('modex_assertions_total', { ...name, event: 'posted' })).toBe(1);
    expect(m.value('modex_l1_gas_total', { ...name, kind: 'assertion' })).toBeGreaterThan(21_000);
    expect(m.value('modex_assertion_lag_blocks', { ...name, assertion: 'confirmed' })).toBeGreaterThanOrEqual(
      0,
    );
    expect(m.value('modex_disputes_open', name)).toBe(0);
    // the sequencer's series are still there, unchanged by the validator's
    expect(m.value('modex_transactions_admitted_total', seq)).toBe(2);
  }, 120_000);
});
