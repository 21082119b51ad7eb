/**
 * A committee member's `GET /metrics` over real HTTP (docs/node.md §8): after a batch is stored and
 * signed, fetched, and a bad request refused, the request counters, the signing latency, the bytes
 * stored and the batches held have moved, and the exposition parses. Two members in one process
 * keep their own registries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrape } from '../../../test/prometheus.ts';
import { blsKeyFromSeed } from '../../crypto/bls.ts';
import { DaServer } from './server.ts';

let dir: string;
const servers: DaServer[] = [];
const member = { role: 'da-server' };

async function start(name: string, seed: number): Promise<DaServer> {
  const key = blsKeyFromSeed(new Uint8Array(32).fill(seed));
  const s = await DaServer.start({ secretKey: key.secretKey, dataDir: join(dir, name) });
  servers.push(s);
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modex-da-metrics-'));
});
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DaServer GET /metrics', () => {
  it('counts requests by endpoint and status, signing latency, bytes and batches held', async () => {
    const [a, b] = [await start('a', 1), await start('b', 2)];
    // 10 days: within the member's default retention window (docs/da-server.md §4)
    const expiry = Math.floor(Date.now() / 1000) + 10 * 24 * 3600;
    const data = new Uint8Array(1000).fill(3);
    const r = await fetch(`${a.url}/v1/store?expiry=${expiry}`, { method: 'POST', body: data });
    expect(r.status).toBe(200);
    const { dataHash } = (await r.json()) as { dataHash: string };
    expect((await fetch(`${a.url}/v1/batch/${dataHash}`)).status).toBe(200);
    // refused: no expiry
    expect((await fetch(`${a.url}/v1/store`, { method: 'POST', body: data })).status).toBe(400);

    const m = await scrape(`${a.url}/metrics`);
    expect(m.value('modex_da_server_requests_total', { ...member, endpoint: 'store', status: '200' })).toBe(
      1,
    );
    expect(m.value('modex_da_server_requests_total', { ...member, endpoint: 'store', status: '400' })).toBe(
      1,
    );
    expect(m.value('modex_da_server_requests_total', { ...member, endpoint: 'batch', status: '200' })).toBe(
      1,
    );
    expect(m.value('modex_da_server_sign_seconds_count', member)).toBe(1);
    expect(m.value('modex_da_server_stored_bytes_total', member)).toBe(1000);
    expect(m.value('modex_da_server_batches', member)).toBe(1);

    // the other member's registry is its own
    const mb = await scrape(`${b.url}/metrics`);
    expect(mb.value('modex_da_server_sign_seconds_count', member)).toBe(0);
    expect(mb.value('modex_da_server_batches', member)).toBe(0);
    // the scrape itself is counted (once it was answered)
    const again = await scrape(`${a.url}/metrics`);
    expect(
      again.value('modex_da_server_requests_total', { ...member, endpoint: 'metrics', status: '200' }),
    ).toBe(1);
  });
});
