/**
 * `startMetricsServer` (a role without an HTTP server of its own, e.g. `modex node --role
 * validator`): `GET /metrics` over real HTTP answers the registry's exposition, anything else 404,
 * and two registries in one process stay apart.
 */
import { Counter, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { scrape } from '../../test/prometheus.ts';
import { type MetricsServer, startMetricsServer } from './metrics-http.ts';

const servers: MetricsServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

function registryWith(value: number): Registry {
  const registry = new Registry();
  new Counter({ name: 'modex_test_total', help: 'a test counter', registers: [registry] }).inc(value);
  return registry;
}

describe('startMetricsServer', () => {
  it('serves GET /metrics from its own registry, 404 elsewhere', async () => {
    const a = await startMetricsServer(registryWith(3));
    const b = await startMetricsServer(registryWith(5));
    servers.push(a, b);
    expect(a.url).toBe(`http://127.0.0.1:${a.port}/metrics`);
    expect((await scrape(a.url)).value('modex_test_total')).toBe(3);
    expect((await scrape(b.url)).value('modex_test_total')).toBe(5);
    expect((await fetch(new URL('/', a.url))).status).toBe(404);
    expect((await fetch(a.url, { method: 'POST' })).status).toBe(404);
  });

  it('answers 500 when collecting fails', async () => {
    const s = await startMetricsServer({
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      metrics: () => Promise.reject(new Error('boom')),
    } as unknown as Registry);
    servers.push(s);
    const r = await fetch(s.url);
    expect(r.status).toBe(500);
    expect(await r.text()).toContain('boom');
  });
});
