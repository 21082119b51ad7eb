/**
 * The explorer on a node's JSON-RPC server, without L1: the page and its files are served at
 * `GET /` and `/explorer/…` (the libraries from their npm packages, nothing from elsewhere),
 * `POST /` stays JSON-RPC, and the explorer's methods refuse wrong params with JSON-RPC errors
 * before reading L1. The same methods on real L1 data: explorer-browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RpcBackend, type RpcServer, startRpcServer } from '../node/rpc.ts';
import { packageRoot, serveExplorer } from './assets.ts';
import type { CommitteeHealth } from './committee.ts';
import { explorerMethods, MAX_PAGE } from './methods.ts';
import type { ExplorerViews } from './views.ts';

/** L1 is never reached: every call below fails its params first. */
const unreachable = () => {
  throw new Error('L1 must not be read for a request with wrong params');
};
const views = {
  l1: { sync: async () => {}, head: 0n, time: async () => 0n },
  batchEvents: () => [],
  batch: unreachable,
  daPath: unreachable,
  isFallback: unreachable,
  inbox: async () => ({ messages: [], delayed: [] }),
  assertions: async () => [],
  disputes: async () => [],
} as unknown as ExplorerViews;
const committee = {
  view: async () => ({ module: 'l1-calldata', members: [] }),
} as unknown as CommitteeHealth;

const backend = { chainId: 7n, receiptNames: ['ok'], head: -1, status: () => ({}) } as unknown as RpcBackend;

let srv: RpcServer;
beforeAll(async () => {
  srv = await startRpcServer(backend, {
    methods: explorerMethods({ views, committee, settlement: async () => ({ l1ChainId: 1 }) }),
    get: serveExplorer,
  });
});
afterAll(() => srv.close());

async function call(method: string, params?: unknown) {
  const r = await fetch(srv.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) }),
  });
  return (await r.json()) as { result?: unknown; error?: { code: number; message: string } };
}

describe('the explorer page', () => {
  it('is served at GET / with its files and libraries, from the package', async () => {
    const page = await fetch(srv.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const body = await page.text();
    expect(body).toContain('./explorer/app.js');
    expect(body).not.toMatch(/https?:\/\//); // no CDN: every file comes from this node
    for (const f of ['app.js', 'style.css', 'vendor/preact.mjs', 'vendor/hooks.mjs', 'vendor/htm.mjs']) {
      const r = await fetch(`${srv.url}explorer/${f}`);
      expect(r.status, f).toBe(200);
      expect(r.headers.get('content-type'), f).toMatch(f.endsWith('.css') ? /text\/css/ : /javascript/);
      expect((await r.text()).length, f).toBeGreaterThan(100);
    }
    const head = await fetch(srv.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 for an unknown explorer file and 405 for other GETs; POST / stays JSON-RPC', async () => {
    expect((await fetch(`${srv.url}explorer/nope.js`)).status).toBe(404);
    expect((await fetch(`${srv.url}other`)).status).toBe(405);
    expect(await call('modex_chainId')).toMatchObject({ result: 7 });
  });

  it('finds its package root from the module (src/ or dist/)', () => {
    expect(packageRoot()).toMatch(/\S/);
  });
});

describe('the explorer JSON-RPC methods', () => {
  it('answer pages of L1 data', async () => {
    expect(await call('modex_getBatches')).toMatchObject({ result: { total: 0, from: 0, items: [] } });
    expect(await call('modex_getBatches', [0, 10])).toMatchObject({ result: { total: 0, items: [] } });
    expect(await call('modex_getInbox', [null, 5])).toMatchObject({
      result: { total: 0, items: [], delayed: { total: 0, pending: 0, items: [] } },
    });
    expect(await call('modex_getAssertions')).toMatchObject({ result: { total: 0 } });
    expect(await call('modex_getDisputes', [])).toMatchObject({ result: { total: 0 } });
    expect(await call('modex_getCommittee')).toMatchObject({ result: { module: 'l1-calldata' } });
    expect(await call('modex_getSettlement')).toMatchObject({ result: { l1ChainId: 1, l1Head: 0 } });
  });

  it.each([
    ['modex_getBatches', [-1]],
    ['modex_getBatches', [1.5]],
    ['modex_getBatches', ['0']],
    ['modex_getBatches', [0, 0]],
    ['modex_getBatches', [0, MAX_PAGE + 1]],
    ['modex_getInbox', [0, 10, 3]],
    ['modex_getAssertions', [{}]],
    ['modex_getDisputes', [0, 'all']],
    ['modex_getCommittee', [1]],
    ['modex_getSettlement', ['x']],
  ])('%s %j: invalid params (−32602)', async (method, params) => {
    const r = await call(method, params);
    expect(r.error?.code).toBe(-32602);
    expect(r.error?.message).toMatch(/invalid params/);
  });

  it('params that are not an array: −32602; an unknown method stays −32601', async () => {
    expect((await call('modex_getBatches', { from: 0 })).error?.code).toBe(-32602);
    expect((await call('modex_getNothing')).error?.code).toBe(-32601);
  });
});
