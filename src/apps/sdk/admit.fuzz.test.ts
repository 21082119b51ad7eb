/**
 * Fuzzing (docs/fuzzing.md): mutated signed transactions of the built-in apps (token transfers and
 * withdrawals, kv sets and deletes) through the app's admission (`WasmApp.admit`, docs/app-abi.md §3)
 * and through `modex_sendRawTransaction` of a running sequencer with its JSON-RPC server.
 * Properties: admission never throws and never traps; a refusal names one of the app's receipt
 * names; an admitted transaction's hash is keccak256 of its bytes and its sender is the address the
 * signature recovers to over its body (recovered here independently, with noble) — a mutation never
 * changes who sent a transaction; the JSON-RPC answer is the same decision (an acknowledgment, or
 * −32602 with `data.reason`, or −32003 for a transaction already known).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz, fuzzTimeout, mutate, toHexString } from '../../../test/fuzz/fuzz.ts';
import { fastAccount, fastSign, rpcPost } from '../../../test/node-utils.ts';
import { recoverNoble } from '../../crypto/ecrecover.ts';
import { AppChain } from '../../node/app-chain.ts';
import { type RpcServer, startRpcServer } from '../../node/rpc.ts';
import { Sequencer } from '../../node/sequencer.ts';
import { KV_CHAIN_ID, kvDeleteBody, kvSetBody } from '../kv/client.ts';
import { depositMessage, TOKEN_CHAIN_ID, transferBody, withdrawBody } from '../token/client.ts';
import { loadApp, type WasmApp } from './app-runtime.ts';
import { builtinAppBytes } from './builtin-apps.ts';

const alice = fastAccount(1);
const bob = fastAccount(2);
const PREFIX = new TextEncoder().encode('\x19Ethereum Signed Message:\n32');

/** the sender the signature of `raw` (body ‖ r ‖ s ‖ v) gives, or undefined */
function signer(raw: Uint8Array): string | undefined {
  if (raw.length < 65) return undefined;
  const body = raw.subarray(0, raw.length - 65);
  const v = raw[raw.length - 1];
  if (v !== 27 && v !== 28) return undefined;
  const digest = new Uint8Array(PREFIX.length + 32);
  digest.set(PREFIX);
  digest.set(keccak_256(body), PREFIX.length);
  const pub = recoverNoble(keccak_256(digest), raw.subarray(raw.length - 65, raw.length - 1), v - 27);
  return pub ? bytesToHex(keccak_256(pub.subarray(1)).subarray(12)) : undefined;
}

const seedsOf = {
  token: (): Uint8Array[] => [
    fastSign(alice, transferBody(bob.address, 7n, { nonce: 0n })),
    fastSign(alice, transferBody(bob.address, 10n ** 30n, { nonce: 3n })),
    fastSign(bob, withdrawBody(alice.address, 1n, { nonce: 0n })),
  ],
  kv: (): Uint8Array[] => [
    fastSign(
      alice,
      kvSetBody(new TextEncoder().encode('key'), new TextEncoder().encode('value'), { nonce: 0n }),
    ),
    fastSign(bob, kvSetBody(new Uint8Array(32).fill(7), new Uint8Array(300).fill(9), { nonce: 1n })),
    fastSign(alice, kvDeleteBody(new TextEncoder().encode('key'), { nonce: 0n })),
  ],
};
const chains = { token: TOKEN_CHAIN_ID, kv: KV_CHAIN_ID };

/** checks one admission of `raw`; returns the outcome's label */
function checkAdmission(app: WasmApp, root: Uint8Array, raw: Uint8Array): string {
  const a = app.admit(raw, root);
  const hash = bytesToHex(keccak_256(raw));
  expect(a.hash).toBe(hash);
  if (!a.ok) {
    expect(a.reason, `refusal code ${a.code}`).toMatch(/^[a-z_]+$/);
    expect(app.receiptNames[a.code], `refusal code ${a.code} is one of the app's receipt names`).toBe(
      a.reason,
    );
    expect(a.reason).not.toBe('trapped');
    return a.reason;
  }
  const want = signer(raw);
  if (a.sender.toLowerCase() !== want)
    throw new Error(`admitted with sender ${a.sender}, the signature gives ${want ?? 'nobody'}`);
  return 'admitted';
}

for (const name of ['token', 'kv'] as const) {
  describe(`fuzz: ${name} transactions through admission`, () => {
    const app = loadApp(builtinAppBytes(name), name);
    const g = app.genesis(chains[name]);
    const root =
      name === 'token'
        ? app.run(g, depositMessage(alice.address, 1000n), { interpret: false }).globalState.bytes32[0]
        : g.bytes32[0];
    const seeds = seedsOf[name]();

    it('the seeds are admitted with their signer', () => {
      for (const s of seeds) expect(checkAdmission(app, root, s)).toBe('admitted');
    });

    it(
      'mutated transactions: a refusal with a reason, or the sender the signature gives',
      async () => {
        await fuzz(`admit-${name}`, 2000, (rng, _i, show) => {
          const raw = mutate(rng, rng.pick(seeds), seeds);
          show(raw);
          return checkAdmission(app, root, raw);
        });
      },
      fuzzTimeout(60_000),
    );
  });
}

describe('fuzz: modex_sendRawTransaction', () => {
  const dirs: string[] = [];
  let seq: Sequencer;
  let srv: RpcServer;
  let app: WasmApp;
  let chain: AppChain;
  beforeAll(async () => {
    dirs.push(mkdtempSync(join(tmpdir(), 'modex-fuzz-tx-')));
    app = loadApp(builtinAppBytes('token'), 'token');
    chain = new AppChain({ app, chainId: TOKEN_CHAIN_ID });
    seq = await Sequencer.open({
      dataDir: dirs[0],
      executor: chain,
      maxBlockAgeMs: 3_600_000,
      // the long mode acknowledges more than the default 10,000 in one open block
      mempoolLimit: 10_000_000,
      maxTransactionsPerBlock: 10_000_000,
      maxBlockBytes: 1 << 30,
      delayed: () => [{ index: 0, data: depositMessage(alice.address, 1000n) }],
      onError: () => {},
    });
    srv = await startRpcServer(seq);
  });
  afterAll(async () => {
    await srv?.close();
    await seq?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(
    'answers each mutated transaction as the app decides: acknowledged, or −32602 with the reason',
    async () => {
      const seeds = seedsOf.token();
      // wait until the deposit block is in (the head state admission reads)
      for (let i = 0; i < 200 && seq.head < 0; i++) await new Promise((r) => setTimeout(r, 10));
      await fuzz('send-raw-transaction', 600, async (rng, _i, show) => {
        const raw = mutate(rng, rng.pick(seeds), seeds);
        show(raw);
        const direct = app.admit(raw, chain.stateAt().bytes32[0]);
        const r = (await rpcPost(srv.url, {
          jsonrpc: '2.0',
          id: 1,
          method: 'modex_sendRawTransaction',
          params: [toHexString(raw)],
        })) as {
          result?: { hash: string };
          error?: { code: number; message: string; data?: { reason: string } };
        };
        if (r.result) {
          expect(direct.ok, 'acknowledged, so the app admits it').toBe(true);
          expect(r.result.hash).toBe(bytesToHex(keccak_256(raw)));
          return 'acknowledged';
        }
        const e = r.error!;
        if (e.code === -32003) return 'already known';
        expect(e.code, e.message).toBe(-32602);
        if (!direct.ok) expect(e.data?.reason).toBe(direct.reason);
        else throw new Error(`refused (${e.message}) though the app admits it`);
        return e.data!.reason;
      });
      // still serving
      expect(
        (await rpcPost(srv.url, { jsonrpc: '2.0', id: 1, method: 'modex_blockNumber' })) as object,
      ).toHaveProperty('result');
    },
    fuzzTimeout(60_000),
  );
});
