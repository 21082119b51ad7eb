/**
 * One member of an AnyTrust-style data availability committee (`modex da-server`, docs/da-server.md):
 * it stores batches durably in LMDB keyed by keccak256, signs `signingMessage(dataHash, expiry)`
 * (docs/committee.md §1.3) with its BLS key once the bytes are on disk, and serves them until the expiry.
 *
 * HTTP API (JSON answers; errors are `{ error: { code, message } }` with a 4xx/5xx status):
 *
 * | request                           | answer                                                                   |
 * | --------------------------------- | ------------------------------------------------------------------------ |
 * | `POST /v1/store?expiry=S` + bytes | `{ dataHash, expiry, signature, publicKey }` (expiry also as header `x-modex-expiry`) |
 * | `GET /v1/batch/0x<dataHash>`      | the bytes (`application/octet-stream`); 404 unknown or expired           |
 * | `GET /v1/health`                  | `{ publicKey, stored, min/maxRetentionSeconds, maxBytes, now, faults }`  |
 * | `GET /metrics`                    | Prometheus text (server-metrics.ts, docs/node.md §8)                     |
 *
 * Fault injection (`fault` option, hidden `--fault` CLI flag) exists ONLY for chaos tests and demos:
 * a member with faults is a misbehaving member on purpose (docs/da-server.md §5).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bytesToHex, concat, type Hex, keccak256 } from 'viem';
import { blsPublicKey, blsSign, signingMessage } from '../../crypto/bls.ts';
import { Store, type Table } from '../../node/store.ts';
import { isMetricsRequest, serveMetrics } from '../../util/metrics-http.ts';
import { DaServerOptionError, DaServerRequestError } from './committee-errors.ts';
import {
  DA_SERVER_DEFAULT_MAX_BYTES,
  DA_SERVER_DEFAULT_MAX_RETENTION_SECONDS,
  DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS,
} from './server-defaults.ts';
import { type DaEndpoint, DaServerMetrics } from './server-metrics.ts';

export {
  DA_SERVER_DEFAULT_MAX_BYTES,
  DA_SERVER_DEFAULT_MAX_RETENTION_SECONDS,
  DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS,
};

/**
 * A deliberate misbehaviour, for chaos tests and demos only:
 * - `{ delayMs }`: answer every store and batch request `delayMs` late (a slow member);
 * - `'bad-signature'`: store, but sign other bytes than the batch (the signature does not verify);
 * - `'withhold'`: sign without storing, and serve nothing (404), not even what was stored before;
 * - `'corrupt'`: store and sign correctly, but serve different bytes.
 * A member that is down is just a stopped server.
 */
export type DaFault = { delayMs: number } | 'bad-signature' | 'withhold' | 'corrupt';

export interface DaServerOptions {
  /** the member's BLS secret key (32 bytes; see `modex da keygen`) */
  secretKey: Uint8Array;
  /** LMDB directory (created); a restarted member serves what it stored before */
  dataDir: string;
  /** default 0 (any free port) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** longest `expiry - now` accepted (default 15 days) */
  maxRetentionSeconds?: number;
  /**
   * shortest `expiry - now` accepted (default 8 days): a member refuses to sign a promise that could
   * end before validators fetched the batch (docs/committee.md §5); at most maxRetentionSeconds
   */
  minRetentionSeconds?: number;
  /** largest batch accepted (default 1 MiB; larger bodies get 413) */
  maxBytes?: number;
  /** ms between pruning rounds of expired batches (default 60,000) */
  pruneIntervalMs?: number;
  /** deliberate misbehaviour for chaos tests (see DaFault); default none */
  fault?: DaFault | DaFault[];
  /** the clock, unix seconds (default the system clock); tests move it */
  now?: () => number;
}

/** What `POST /v1/store` answers. */
export interface StoreResponse {
  dataHash: Hex;
  expiry: number;
  signature: Hex;
  publicKey: Hex;
}

/** What `GET /v1/health` answers. */
export interface HealthResponse {
  publicKey: Hex;
  stored: number;
  minRetentionSeconds: number;
  maxRetentionSeconds: number;
  maxBytes: number;
  now: number;
  faults: string[];
}

const HASH_PATH = /^\/v1\/batch\/(0x[0-9a-fA-F]{64})$/;

function positiveInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0)
    throw new DaServerOptionError(`${name} ${v} is not a positive integer`);
  return v;
}

/** Parses the `expiry` query parameter or `x-modex-expiry` header (decimal unix seconds). */
function expiryOf(req: IncomingMessage, url: URL): number {
  const q = url.searchParams.get('expiry');
  const h = req.headers['x-modex-expiry'];
  const raw = q ?? (Array.isArray(h) ? h[0] : h);
  if (raw === undefined)
    throw new DaServerRequestError(
      400,
      'DA_SERVER_BAD_EXPIRY',
      'missing expiry: pass ?expiry=<unix seconds> or the x-modex-expiry header',
    );
  if (!/^[0-9]{1,15}$/.test(raw))
    throw new DaServerRequestError(
      400,
      'DA_SERVER_BAD_EXPIRY',
      `expiry "${raw.slice(0, 40)}" is not a decimal unix time in seconds`,
    );
  return Number(raw);
}

export class DaServer {
  readonly publicKey: Uint8Array;
  readonly maxBytes: number;
  readonly maxRetentionSeconds: number;
  readonly minRetentionSeconds: number;
  /** its Prometheus metrics (`GET /metrics`) */
  readonly metrics = new DaServerMetrics();
  private readonly faults: DaFault[];
  private readonly delayMs: number;
  private readonly now: () => number;
  private readonly batches: Table<string, Uint8Array>;
  private readonly expiries: Table<string, number>;
  private readonly byExpiry: Table<[number, string], number>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private pruneTimer: NodeJS.Timeout | undefined;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly opts: DaServerOptions,
    private readonly store: Store,
    private readonly server: Server,
    readonly url: string,
  ) {
    this.publicKey = blsPublicKey(opts.secretKey);
    this.maxBytes = opts.maxBytes ?? DA_SERVER_DEFAULT_MAX_BYTES;
    this.maxRetentionSeconds = opts.maxRetentionSeconds ?? DA_SERVER_DEFAULT_MAX_RETENTION_SECONDS;
    this.minRetentionSeconds = opts.minRetentionSeconds ?? DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS;
    this.faults = opts.fault === undefined ? [] : Array.isArray(opts.fault) ? opts.fault : [opts.fault];
    this.delayMs = this.faults.reduce((d, f) => (typeof f === 'object' ? d + f.delayMs : d), 0);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.batches = store.table('batches', { encoding: 'binary' });
    this.expiries = store.table('expiries');
    this.byExpiry = store.table('byExpiry');
    this.metrics.onCollect(() => this.metrics.batches.set(this.stored));
  }

  /** Opens the store, listens, and starts the pruning timer. */
  static async start(opts: DaServerOptions): Promise<DaServer> {
    if (!(opts.secretKey instanceof Uint8Array) || opts.secretKey.length !== 32)
      throw new DaServerOptionError('the secret key must be 32 bytes');
    positiveInt('maxBytes', opts.maxBytes ?? 1);
    positiveInt('maxRetentionSeconds', opts.maxRetentionSeconds ?? 1);
    positiveInt('minRetentionSeconds', opts.minRetentionSeconds ?? 1);
    const minRetention = opts.minRetentionSeconds ?? DA_SERVER_DEFAULT_MIN_RETENTION_SECONDS;
    const maxRetention = opts.maxRetentionSeconds ?? DA_SERVER_DEFAULT_MAX_RETENTION_SECONDS;
    if (minRetention > maxRetention)
      throw new DaServerOptionError(
        `minRetentionSeconds ${minRetention} is above maxRetentionSeconds ${maxRetention}: no expiry could be accepted`,
      );
    positiveInt('pruneIntervalMs', opts.pruneIntervalMs ?? 1);
    const port = opts.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new DaServerOptionError(`port ${port} is not in 0..65535`);
    for (const f of [opts.fault ?? []].flat()) {
      const ok =
        f === 'bad-signature' ||
        f === 'withhold' ||
        f === 'corrupt' ||
        (typeof f === 'object' && Number.isSafeInteger(f.delayMs) && f.delayMs >= 0);
      if (!ok) throw new DaServerOptionError(`unknown fault ${JSON.stringify(f)}`);
    }
    const store = Store.open(opts.dataDir);
    const server = createServer();
    const host = opts.host ?? '127.0.0.1';
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      await store.close();
      throw new DaServerOptionError(`cannot listen on ${host}:${port}: ${(e as Error).message}`);
    }
    const a = server.address() as AddressInfo;
    const urlHost = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    const s = new DaServer(opts, store, server, `http://${urlHost}:${a.port}`);
    server.on('request', (req, res) => s.track(s.handle(req, res)));
    s.pruneTimer = setInterval(() => void s.prune().catch(() => {}), opts.pruneIntervalMs ?? 60_000);
    s.pruneTimer.unref();
    void s.prune().catch(() => {});
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** number of (unexpired or not yet pruned) batches held */
  get stored(): number {
    return this.expiries.count();
  }

  /** Deletes every batch whose expiry has passed; returns how many. Runs on a timer. */
  async prune(): Promise<number> {
    const now = this.now();
    const dead = [...this.byExpiry.range({ end: [now, ''] })].map((e) => e.key);
    if (dead.length === 0) return 0;
    await this.store.write(() => {
      for (const [expiry, h] of dead) {
        this.byExpiry.remove([expiry, h]);
        if (this.expiries.get(h) === expiry) {
          this.expiries.remove(h);
          this.batches.remove(h);
        }
      }
    });
    return dead.length;
  }

  /** Stops listening, lets running requests finish (cutting fault delays short), closes the store. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      clearInterval(this.pruneTimer);
      this.closing.abort();
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      await Promise.allSettled([...this.inFlight]);
      this.server.closeAllConnections();
      await stopped;
      await this.store.close();
    })();
    return this.closed;
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    // handle() answers its own errors; a rejection here must not become an unhandled one
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const endpoint = endpointOf(req.url);
    res.once('finish', () =>
      this.metrics.answered(endpoint, res.statusCode, (performance.now() - t0) / 1000),
    );
    if (endpoint === 'metrics' && isMetricsRequest(req)) return serveMetrics(this.metrics, req, res);
    try {
      const url = new URL(req.url ?? '/', 'http://member');
      if (this.closed) {
        req.resume();
        throw new DaServerRequestError(503, 'DA_SERVER_CLOSING', 'the member is shutting down');
      }
      if (url.pathname === '/v1/health') {
        req.resume();
        this.method(req, 'GET');
        return send(res, 200, this.health());
      }
      if (url.pathname === '/v1/store') {
        this.method(req, 'POST');
        const answer = await this.storeRequest(req, url);
        await this.delay();
        return send(res, 200, answer);
      }
      const m = HASH_PATH.exec(url.pathname);
      if (m) {
        req.resume();
        this.method(req, 'GET');
        const bytes = this.batch(m[1].toLowerCase() as Hex);
        await this.delay();
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
        res.end(bytes);
        return;
      }
      req.resume();
      if (url.pathname.startsWith('/v1/batch/'))
        throw new DaServerRequestError(
          400,
          'DA_SERVER_BAD_HASH',
          'the batch hash must be 0x followed by 64 hex digits (keccak256 of the bytes)',
        );
      throw new DaServerRequestError(
        404,
        'DA_SERVER_NOT_FOUND',
        `no endpoint ${url.pathname}: use POST /v1/store, GET /v1/batch/0x<hash>, GET /v1/health, GET /metrics`,
      );
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof DaServerRequestError)
        return send(res, e.status, { error: { code: e.code, message: e.message } });
      send(res, 500, { error: { code: 'DA_SERVER_INTERNAL', message: (e as Error).message } });
    }
  }

  private method(req: IncomingMessage, want: string): void {
    if (req.method !== want)
      throw new DaServerRequestError(
        405,
        'DA_SERVER_BAD_METHOD',
        `${req.method} is not allowed here; use ${want}`,
      );
  }

  private delay(): Promise<void> {
    if (this.delayMs === 0) return Promise.resolve();
    const signal = this.closing.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, this.delayMs);
      signal.addEventListener('abort', done);
    });
  }

  private health(): HealthResponse {
    return {
      publicKey: bytesToHex(this.publicKey),
      stored: this.stored,
      minRetentionSeconds: this.minRetentionSeconds,
      maxRetentionSeconds: this.maxRetentionSeconds,
      maxBytes: this.maxBytes,
      now: this.now(),
      faults: this.faults.map((f) => (typeof f === 'object' ? `delay:${f.delayMs}` : f)),
    };
  }

  /** Validates the expiry, reads the body, stores it (on disk before signing), signs. */
  private async storeRequest(req: IncomingMessage, url: URL): Promise<StoreResponse> {
    let expiry: number;
    try {
      expiry = expiryOf(req, url);
      const now = this.now();
      if (expiry <= now)
        throw new DaServerRequestError(
          400,
          'DA_SERVER_BAD_EXPIRY',
          `expiry ${expiry} is not in the future (now ${now})`,
        );
      if (expiry < now + this.minRetentionSeconds)
        throw new DaServerRequestError(
          400,
          'DA_SERVER_EXPIRY_TOO_SOON',
          `expiry ${expiry} is sooner than this member's minimum retention of ${this.minRetentionSeconds} s (earliest ${now + this.minRetentionSeconds}): ` +
            'a shorter promise could end before validators fetch the batch; ask for a longer retention (da.committee.retentionSeconds)',
        );
      if (expiry > now + this.maxRetentionSeconds)
        throw new DaServerRequestError(
          400,
          'DA_SERVER_BAD_EXPIRY',
          `expiry ${expiry} is beyond this member's retention of ${this.maxRetentionSeconds} s (latest ${now + this.maxRetentionSeconds})`,
        );
    } catch (e) {
      req.resume();
      throw e;
    }
    const data = await readBody(req, this.maxBytes);
    const dataHash = keccak256(data);
    if (!this.faults.includes('withhold')) await this.put(dataHash, data, expiry);
    this.metrics.storedBytes.inc(data.length);
    const signed = this.faults.includes('bad-signature') ? keccak256(concat([data, '0xbad0'])) : dataHash;
    const signature = blsSign(this.opts.secretKey, signingMessage(signed, BigInt(expiry)));
    return { dataHash, expiry, signature: bytesToHex(signature), publicKey: bytesToHex(this.publicKey) };
  }

  /** Idempotent: a batch stored again keeps its bytes and the later of the two expiries. */
  private put(h: Hex, data: Uint8Array, expiry: number): Promise<void> {
    return this.store.write(() => {
      const old = this.expiries.get(h);
      if (old === undefined) this.batches.put(h, data);
      if (old === undefined || expiry > old) {
        if (old !== undefined) this.byExpiry.remove([old, h]);
        this.expiries.put(h, expiry);
        this.byExpiry.put([expiry, h], 1);
      }
    });
  }

  /** The bytes of an unexpired batch (a pruning round may not have run yet: expiry is checked here). */
  private batch(h: Hex): Uint8Array {
    const expiry = this.expiries.get(h);
    const live = expiry !== undefined && this.now() <= expiry && !this.faults.includes('withhold');
    const bytes = live ? this.batches.get(h) : undefined;
    if (!bytes)
      throw new DaServerRequestError(404, 'DA_SERVER_UNKNOWN_BATCH', `no unexpired batch ${h} here`);
    if (!this.faults.includes('corrupt')) return bytes;
    const bad = bytes.length === 0 ? Uint8Array.of(0) : Uint8Array.from(bytes);
    bad[0] ^= 0xff;
    return bad;
  }
}

function endpointOf(url = '/'): DaEndpoint {
  const path = url.split('?', 1)[0];
  if (path === '/v1/store') return 'store';
  if (path.startsWith('/v1/batch/')) return 'batch';
  if (path === '/v1/health') return 'health';
  if (path === '/metrics') return 'metrics';
  return 'other';
}

/** Reads the whole body; over `max` bytes → 413 (the rest is drained so the client reads the answer). */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new DaServerRequestError(
      413,
      'DA_SERVER_TOO_LARGE',
      `the batch is over this member's limit of ${max} bytes`,
    );
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    let ended = false;
    req.on('end', () => {
      ended = true;
      if (size > max) reject(tooLarge());
      else resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    req.on('error', reject);
    // a client that goes away mid-body: nothing to store, nobody to answer
    req.on('close', () => {
      if (!ended) reject(new DaServerRequestError(400, 'DA_SERVER_ABORTED', 'the client closed the request'));
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
