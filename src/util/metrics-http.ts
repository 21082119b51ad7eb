/**
 * Prometheus exposition over HTTP (docs/node.md §8): `GET /metrics` answered from a prom-client
 * `Registry`, either as one branch of a server a role already runs (the sequencer's JSON-RPC
 * server, a DA committee member) or from a small server of its own (a validator's `--metrics-port`).
 * Shared by the node's roles and the DA server (src/util: owned by no layer).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { listen } from './listen.ts';

/** The path every role serves its metrics at. */
export const METRICS_PATH = '/metrics';

/** What an HTTP server needs of a registry to serve it. */
export type MetricsSource = Pick<Registry, 'metrics' | 'contentType'>;

/** true when `req` is `GET /metrics` (a query string is allowed). */
export function isMetricsRequest(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '';
  return url === METRICS_PATH || url.startsWith(`${METRICS_PATH}?`);
}

/** Answers a `GET /metrics` with the registry's text exposition (500 when a collector throws). */
export function serveMetrics(source: MetricsSource, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  source.metrics().then(
    (text) => {
      res.writeHead(200, {
        'content-type': source.contentType,
        'content-length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    (e: unknown) => {
      const text = `metrics collection failed: ${(e as Error)?.message ?? e}\n`;
      res.writeHead(500, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    },
  );
}

export interface MetricsServer {
  /** `http://host:port/metrics` */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** A server of its own that answers `GET /metrics` (404 for anything else), for roles with no HTTP server. */
export async function startMetricsServer(
  source: MetricsSource,
  opts: { port?: number; host?: string } = {},
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (isMetricsRequest(req)) return serveMetrics(source, req, res);
    req.resume();
    const text = `no endpoint ${req.method} ${req.url}: use GET ${METRICS_PATH}\n`;
    res.writeHead(404, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  const { port, base } = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  return {
    url: `${base}${METRICS_PATH}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
