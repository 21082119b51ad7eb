/**
 * The committee member server on 127.0.0.1: store-then-sign, serving, idempotence, expiry and
 * pruning, restart persistence, malformed requests (4xx JSON, server keeps running), fault injection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, type Hex, hexToBytes, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blsKeyFromSeed, blsVerify, signingMessage } from '../../crypto/bls.ts';
import { DaServerOptionError } from './committee-errors.ts';
import {
  DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS,
  DaServer,
  type DaServerOptions,
  type StoreResponse,
} from './server.ts';

const key = blsKeyFromSeed(new Uint8Array(32).fill(7));
let dir: string;
let clock = 1_000_000;
const now = () => clock;
const servers: DaServer[] = [];

async function start(o: Partial<DaServerOptions> & { name: string }): Promise<DaServer> {
  // short expiries below: these tests lower the minimum retention (8 days by default) to 1 s
  const s = await DaServer.start({
    secretKey: key.secretKey,
    dataDir: join(dir, o.name),
    now,
    minRetentionSeconds: 1,
    ...o,
  });
  servers.push(s);
  return s;
}

function postStore(s: DaServer, data: Uint8Array, expiry: number | string | undefined): Promise<Response> {
  const q = expiry === undefined ? '' : `?expiry=${expiry}`;
  return fetch(`${s.url}/v1/store${q}`, {
    method: 'POST',
    body: data,
    headers: { 'content-type': 'application/octet-stream' },
  });
}

async function store(s: DaServer, data: Uint8Array, expiry: number): Promise<StoreResponse> {
  const r = await postStore(s, data, expiry);
  expect(r.status).toBe(200);
  return (await r.json()) as StoreResponse;
}

async function errorOf(r: Response): Promise<{ status: number; code: string; message: string }> {
  expect(r.headers.get('content-type')).toBe('application/json');
  const j = (await r.json()) as { error: { code: string; message: string } };
  return { status: r.status, ...j.error };
}

const batchUrl = (s: DaServer, h: string) => `${s.url}/v1/batch/${h}`;
const verifies = (a: StoreResponse, h: Hex, expiry: number) =>
  blsVerify(key.publicKey, signingMessage(h, BigInt(expiry)), hexToBytes(a.signature));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modex-da-server-'));
});
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DaServer', () => {
  it('stores, signs signingMessage(keccak256(data), expiry), serves; idempotent', async () => {
    const s = await start({ name: 'basic' });
    const data = new TextEncoder().encode('a batch of L2 blocks');
    const h = keccak256(data);
    const a = await store(s, data, clock + 100);
    expect(a.dataHash).toBe(h);
    expect(a.expiry).toBe(clock + 100);
    expect(a.publicKey).toBe(bytesToHex(key.publicKey));
    expect(verifies(a, h, clock + 100)).toBe(true);
    expect(verifies(a, h, clock + 101)).toBe(false);
    const got = await fetch(batchUrl(s, h));
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(data);
    // upper-case hex is the same batch
    expect((await fetch(batchUrl(s, `0x${h.slice(2).toUpperCase()}`))).status).toBe(200);
    // storing again: same bytes, a later expiry is signed and kept, nothing duplicated
    const b = await store(s, data, clock + 200);
    expect(verifies(b, h, clock + 200)).toBe(true);
    const health = (await (await fetch(`${s.url}/v1/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ publicKey: bytesToHex(key.publicKey), stored: 1, faults: [] });
    // the empty batch is a batch too; the expiry may also come as a header
    const e = await fetch(`${s.url}/v1/store`, {
      method: 'POST',
      body: new Uint8Array(0),
      headers: { 'x-modex-expiry': String(clock + 50) },
    });
    expect(((await e.json()) as StoreResponse).dataHash).toBe(keccak256(new Uint8Array(0)));
    expect(s.stored).toBe(2);
  });

  it('never serves a batch after its expiry; pruning deletes it; a later expiry keeps it', async () => {
    const s = await start({ name: 'expiry' });
    const short = Uint8Array.of(1, 2, 3);
    const long = Uint8Array.of(4, 5, 6);
    const extended = Uint8Array.of(7);
    await store(s, short, clock + 10);
    await store(s, long, clock + 1000);
    await store(s, extended, clock + 10);
    await store(s, extended, clock + 1000);
    clock += 10;
    expect((await fetch(batchUrl(s, keccak256(short)))).status).toBe(200); // until and including expiry
    clock += 1;
    const r = await fetch(batchUrl(s, keccak256(short)));
    expect(await errorOf(r)).toMatchObject({ status: 404, code: 'DA_SERVER_UNKNOWN_BATCH' });
    expect(s.stored).toBe(3); // not pruned yet, but not served either
    expect(await s.prune()).toBe(1); // short only: extended's expiry moved
    expect(s.stored).toBe(2);
    expect((await fetch(batchUrl(s, keccak256(long)))).status).toBe(200);
    expect((await fetch(batchUrl(s, keccak256(extended)))).status).toBe(200);
    expect(await s.prune()).toBe(0);
  });

  it('prunes on its timer', async () => {
    const s = await start({ name: 'timer', pruneIntervalMs: 20 });
    await store(s, Uint8Array.of(9, 9), clock + 1);
    expect(s.stored).toBe(1);
    clock += 2;
    await new Promise((r) => setTimeout(r, 150));
    expect(s.stored).toBe(0);
  });

  it('a restarted member still serves what it stored (same data dir)', async () => {
    const s = await start({ name: 'restart' });
    const data = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    await store(s, data, clock + 100);
    const port = s.port;
    await s.close();
    await expect(fetch(batchUrl(s, keccak256(data)))).rejects.toThrow();
    const again = await start({ name: 'restart', port });
    expect(again.url).toBe(s.url);
    expect(again.stored).toBe(1);
    const r = await fetch(batchUrl(again, keccak256(data)));
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(data);
  });

  it('malformed requests get 4xx JSON errors and the server keeps running', async () => {
    const s = await start({ name: 'bad', maxBytes: 1000, maxRetentionSeconds: 3600 });
    const d = Uint8Array.of(1);
    const cases: [Promise<Response>, number, string, RegExp][] = [
      [postStore(s, d, undefined), 400, 'DA_SERVER_BAD_EXPIRY', /missing expiry/],
      [postStore(s, d, 'soon'), 400, 'DA_SERVER_BAD_EXPIRY', /not a decimal unix time/],
      [postStore(s, d, -5), 400, 'DA_SERVER_BAD_EXPIRY', /not a decimal/],
      [postStore(s, d, clock), 400, 'DA_SERVER_BAD_EXPIRY', /not in the future/],
      [postStore(s, d, clock - 100), 400, 'DA_SERVER_BAD_EXPIRY', /not in the future/],
      [postStore(s, d, clock + 3601), 400, 'DA_SERVER_BAD_EXPIRY', /beyond this member's retention of 3600/],
      [postStore(s, new Uint8Array(1001), clock + 10), 413, 'DA_SERVER_TOO_LARGE', /limit of 1000 bytes/],
      [fetch(batchUrl(s, '0x1234')), 400, 'DA_SERVER_BAD_HASH', /64 hex digits/],
      [fetch(batchUrl(s, `0x${'zz'.repeat(32)}`)), 400, 'DA_SERVER_BAD_HASH', /64 hex digits/],
      [fetch(batchUrl(s, keccak256('0x01'))), 404, 'DA_SERVER_UNKNOWN_BATCH', /no unexpired batch/],
      [fetch(`${s.url}/v1/store?expiry=${clock + 10}`), 405, 'DA_SERVER_BAD_METHOD', /use POST/],
      [fetch(`${s.url}/v1/health`, { method: 'POST', body: 'x' }), 405, 'DA_SERVER_BAD_METHOD', /use GET/],
      [fetch(`${s.url}/v2/nope`), 404, 'DA_SERVER_NOT_FOUND', /POST \/v1\/store/],
    ];
    for (const [req, status, code, message] of cases) {
      const e = await errorOf(await req);
      expect(e.status).toBe(status);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    }
    // oversize without a content-length (a chunked stream) is refused too
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 3; i++) c.enqueue(new Uint8Array(600));
        c.close();
      },
    });
    const chunked = await fetch(`${s.url}/v1/store?expiry=${clock + 10}`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await errorOf(chunked)).toMatchObject({ status: 413, code: 'DA_SERVER_TOO_LARGE' });
    // exactly the limit and the retention are accepted; nothing refused was stored
    expect(s.stored).toBe(0);
    await store(s, new Uint8Array(1000), clock + 3600);
    expect(s.stored).toBe(1);
  });

  it('issue 19 (4): a store whose expiry is shorter than the minimum retention is refused, and nothing is stored', async () => {
    const s = await start({ name: 'min-retention', minRetentionSeconds: undefined });
    expect(s.minRetentionSeconds).toBe(DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS);
    expect(DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS).toBe(8 * 86_400);
    const min = DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS;
    const d = Uint8Array.of(4, 19);
    // the attack: a certificate that expires seconds after it is posted
    for (const expiry of [clock + 1, clock + 60, clock + min - 1]) {
      const e = await errorOf(await postStore(s, d, expiry));
      expect(e).toMatchObject({ status: 400, code: 'DA_SERVER_EXPIRY_TOO_SOON' });
      expect(e.message).toMatch(`minimum retention of ${min} s (earliest ${clock + min})`);
      expect(e.message).toMatch(/da\.committee\.retentionSeconds/);
    }
    expect(s.stored).toBe(0);
    // exactly the minimum is accepted and signed
    const a = await store(s, d, clock + min);
    expect(verifies(a, keccak256(d), clock + min)).toBe(true);
    expect(s.stored).toBe(1);
    const h = (await (await fetch(`${s.url}/v1/health`)).json()) as { minRetentionSeconds: number };
    expect(h.minRetentionSeconds).toBe(min);
    // a minimum above the maximum could accept nothing: refused at start
    await expect(
      start({ name: 'min-above-max', minRetentionSeconds: 100, maxRetentionSeconds: 99 }),
    ).rejects.toThrow(/minRetentionSeconds 100 is above maxRetentionSeconds 99/);
  });

  it('a client that goes away mid-body leaves nothing behind; close() does not hang on it', async () => {
    const s = await start({ name: 'abort' });
    const sock = connect(s.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      `POST /v1/store?expiry=${clock + 10} HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n${'x'.repeat(10)}`,
    );
    await new Promise((r) => setTimeout(r, 50));
    sock.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.stored).toBe(0);
    expect((await fetch(`${s.url}/v1/health`)).status).toBe(200);
    await s.close(); // resolves: the half-sent request does not hold it open (the test would time out)
  });

  it('fault bad-signature: stores and serves, but its signature does not verify', async () => {
    const s = await start({ name: 'badsig', fault: 'bad-signature' });
    const data = Uint8Array.of(1, 2);
    const a = await store(s, data, clock + 100);
    expect(a.dataHash).toBe(keccak256(data));
    expect(hexToBytes(a.signature)).toHaveLength(128);
    expect(verifies(a, keccak256(data), clock + 100)).toBe(false);
    expect((await fetch(batchUrl(s, a.dataHash))).status).toBe(200);
  });

  it('fault withhold: signs correctly but never stores (404)', async () => {
    const s = await start({ name: 'withhold', fault: 'withhold' });
    const data = Uint8Array.of(3, 4);
    const a = await store(s, data, clock + 100);
    expect(verifies(a, keccak256(data), clock + 100)).toBe(true);
    expect((await fetch(batchUrl(s, a.dataHash))).status).toBe(404);
    expect(s.stored).toBe(0);
  });

  it('fault corrupt: signs correctly, serves other bytes', async () => {
    const s = await start({ name: 'corrupt', fault: 'corrupt' });
    const data = Uint8Array.of(5, 6, 7);
    const a = await store(s, data, clock + 100);
    expect(verifies(a, keccak256(data), clock + 100)).toBe(true);
    const got = new Uint8Array(await (await fetch(batchUrl(s, a.dataHash))).arrayBuffer());
    expect(got).toHaveLength(3);
    expect(keccak256(got)).not.toBe(a.dataHash);
  });

  it('fault delay: answers late; close() does not wait for the delay', async () => {
    const s = await start({ name: 'slow', fault: [{ delayMs: 300 }, 'corrupt'] });
    const t0 = performance.now();
    await store(s, Uint8Array.of(8), clock + 100);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290); // a lower bound: load cannot break it
    const health = (await (await fetch(`${s.url}/v1/health`)).json()) as { faults: string[] };
    expect(health.faults).toEqual(['delay:300', 'corrupt']);
    const slow = await start({ name: 'slower', fault: [{ delayMs: 60_000 }] });
    const pending = postStore(slow, Uint8Array.of(9), clock + 100).then(
      (r) => r.status,
      () => 'connection closed',
    );
    await new Promise((r) => setTimeout(r, 50));
    // close() cuts a request's 60 s delay short and answers it (the test's timeout is far shorter)
    await slow.close();
    expect(await pending).toBe(200);
    await s.close();
  });

  it('refuses bad options with DA_SERVER_BAD_OPTION', async () => {
    const base = { secretKey: key.secretKey, dataDir: join(dir, 'opts') };
    const bad: Partial<DaServerOptions>[] = [
      { secretKey: new Uint8Array(31) },
      { maxBytes: 0 },
      { maxRetentionSeconds: 1.5 },
      { port: 70000 },
      { fault: 'explode' as never },
      { fault: { delayMs: -1 } },
    ];
    for (const o of bad) {
      const e = await DaServer.start({ ...base, ...o }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DaServerOptionError);
      expect((e as DaServerOptionError).code).toBe('DA_SERVER_BAD_OPTION');
    }
    const taken = await start({ name: 'taken' });
    const e = await DaServer.start({ ...base, dataDir: join(dir, 'taken2'), port: taken.port }).catch(
      (x: unknown) => x,
    );
    expect((e as Error).message).toMatch(/cannot listen on 127.0.0.1:\d+/);
  });
});
