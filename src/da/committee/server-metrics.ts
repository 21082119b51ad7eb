/**
 * A DA committee member's Prometheus metrics (`GET /metrics` of `modex da-server`, docs/node.md §8,
 * docs/da-server.md): a registry per member (several members run in one process in the devnet and
 * the tests), every series labelled `role="da-server"`.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSource } from '../../util/metrics-http.ts';

/** What a request was for (the `endpoint` label). */
export type DaEndpoint = 'store' | 'batch' | 'health' | 'metrics' | 'other';

export class DaServerMetrics implements MetricsSource {
  readonly registry = new Registry();
  readonly requests: Counter<'endpoint' | 'status'>;
  readonly sign: Histogram;
  readonly storedBytes: Counter;
  readonly batches: Gauge;
  private collector?: () => void;

  constructor() {
    this.registry.setDefaultLabels({ role: 'da-server' });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'modex_da_server_requests_total',
      help: 'HTTP requests answered, by endpoint (store, batch, health, metrics, other) and status code',
      labelNames: ['endpoint', 'status'],
      registers,
    });
    this.sign = new Histogram({
      name: 'modex_da_server_sign_seconds',
      help: 'POST /v1/store answered with a signature: body read, batch on disk, BLS signature (the member side of the committee signature latency)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.storedBytes = new Counter({
      name: 'modex_da_server_stored_bytes_total',
      help: 'bytes of the batches signed (stored before signing)',
      registers,
    });
    this.batches = new Gauge({
      name: 'modex_da_server_batches',
      help: 'batches held (unexpired, or expired and not pruned yet)',
      registers,
    });
  }

  /** Sets the gauges from the member's state before each scrape. */
  onCollect(fn: () => void): void {
    this.collector = fn;
  }

  /** One request answered with `status` after `seconds`. */
  answered(endpoint: DaEndpoint, status: number, seconds: number): void {
    this.requests.inc({ endpoint, status: String(status) });
    if (endpoint === 'store' && status === 200) this.sign.observe(seconds);
  }

  get contentType(): Registry['contentType'] {
    return this.registry.contentType;
  }

  async metrics(): Promise<string> {
    try {
      this.collector?.();
    } catch {
      // the store closed under the scrape: the gauge keeps its last value
    }
    return this.registry.metrics();
  }
}
