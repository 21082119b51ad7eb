/**
 * The sequencer's JSON-RPC 2.0 API over HTTP (docs/node.md §2): `POST /` with one request or a
 * batch (an array). The API is generic: it knows nothing of any app; what an app answers comes from
 * its wasm through the app ABI (docs/app-abi.md: admission, queries, receipt names, withdrawals).
 * Every malformed request gets a JSON-RPC error, never a crash:
 *
 * | code   | when                                                                          |
 * | ------ | ----------------------------------------------------------------------------- |
 * | −32700 | the body is not JSON                                                          |
 * | −32600 | not a request object (jsonrpc ≠ "2.0", no method, bad id), empty or too large a batch, body over the size limit (HTTP 413) |
 * | −32601 | unknown method                                                                |
 * | −32602 | wrong params (arity, hex, a block not stored yet, data too large); a transaction that does not decode or that the app refuses (`data: { reason, code }`) |
 * | −32003 | the transaction is already known (pending or in a block)                      |
 * | −32004 | `modex_sendRawTransaction` to a follower (read-only; follower-rpc.ts)          |
 * | −32005 | the sequencer is busy (mempool full): retry later; in a batch, a response past the batch's response-size bound (`maxBatchResponseBytes`) |
 * | −32000 | the sequencer is closed or stopped after an error                             |
 * | −32603 | anything else (internal error)                                                |
 * | own    | an error with `answersWithOwnCode`: its `rpcCode` and `rpcData` (docs/evm-rpc.md §6) |
 *
 * Quantities: block numbers, nonces, indices and codes are JSON numbers, amounts decimal strings,
 * bytes and hashes 0x-hex. The server depends on `RpcBackend` (what it calls), which `Sequencer`
 * implements. An app's extension (src/apps/rpc-extensions.ts) adds methods (`methods`) and takes
 * HTTP upgrades (`upgrade`: the EVM chain's WebSocket subscriptions).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { bytesToHex, type Hex, isAddress } from 'viem';
import type { Withdrawal } from '../core/app.ts';
import { listen } from '../util/listen.ts';
import { isMetricsRequest, type MetricsSource, serveMetrics } from '../util/metrics-http.ts';
import { InvalidParamsError, RPC_ERROR, rpcErrorCode } from './errors.ts';

/** What the JSON-RPC server needs of a node (implemented by `Sequencer`, and read-only by `FollowerRpc`). */
export interface RpcBackend {
  /** the chain id (docs/app-abi.md §2) */
  readonly chainId: bigint;
  /** names of the app's receipt codes, index = code ('' or missing: unnamed) */
  readonly receiptNames: readonly string[];
  /** the latest stored block (−1 before the first) */
  readonly head: number;
  /** admits a raw transaction (app admission, WAL) and resolves with its soft confirmation */
  submit(raw: Uint8Array): Promise<{ hash: Hex; block: number; index: number }>;
  receipt(hash: Hex):
    | { status: 'pending'; block: number; index: number }
    | { status: string; code: number; block: number; index: number; stateRoot: Hex }
    /** acknowledged, then dropped by a recovery from L1 (docs/node.md §2.2) */
    | { status: 'dropped'; reason: string; block: number; index: number }
    | null;
  block(n: number, withMessage?: boolean): unknown;
  stateRoot(n?: number): Hex | undefined;
  nonceOf(address: Hex, tag: 'latest' | 'pending'): Promise<bigint>;
  /** the app's answer to `data` at the state after block `block` (default: the latest) */
  query(data: Uint8Array, block?: number): Promise<{ status: number; result: Uint8Array }>;
  /** the withdrawals (outbox leaves) recorded in the state after `block`, from index `from` */
  withdrawals(from?: bigint, block?: number): Promise<Withdrawal[]>;
  /** withdrawal `index` with its outbox proof against the send root after `block` */
  withdrawalProof(
    index: bigint,
    block?: number,
  ): Promise<{ withdrawal: Withdrawal; proof: Hex[]; sendRoot: Hex }>;
  status(): unknown;
}

export interface RpcServerOptions {
  /** default 0 (any free port) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** largest request body accepted (default 1 MiB) */
  maxBodyBytes?: number;
  /** most requests in one batch (default 1,000) */
  maxBatch?: number;
  /**
   * most bytes of a batch's responses (default 5 MiB): the responses past it are replaced by a
   * −32005 "response too large" error (a batch of 1,000 `modex_getBlock` calls would otherwise
   * answer ~8 MB to an 80 KB request)
   */
  maxBatchResponseBytes?: number;
  /** methods served beside `METHODS` (e.g. the explorer's, src/explorer/methods.ts) */
  methods?: Record<string, Method>;
  /** answers a request before the JSON-RPC handling (e.g. the explorer page, `GET /`): true when it did */
  get?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** served at `GET /metrics` (Prometheus text; docs/node.md §8) */
  metrics?: MetricsSource;
  /** called for every `modex_sendRawTransaction` (or an app's `eth_sendRawTransaction`) answered: its error (undefined: acknowledged) and seconds taken */
  onTransaction?: TransactionObserver;
  /** takes HTTP upgrade requests (e.g. the EVM chain's WebSocket subscriptions, docs/evm-rpc.md §5) */
  upgrade?: UpgradeHandler;
}

/** Takes the server's HTTP upgrade requests (`server.on('upgrade')`); closed with the server. */
export interface UpgradeHandler {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

/** Sees each `modex_sendRawTransaction` (or `eth_sendRawTransaction`) answered (the node's metrics, metrics-hooks.ts). */
export type TransactionObserver = (error: RpcResponse['error'] | undefined, seconds: number) => void;

export interface RpcServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

type Id = string | number | null;

export interface RpcResponse {
  jsonrpc: '2.0';
  id: Id;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export type Method = (seq: RpcBackend, params: unknown[]) => unknown;

/** The methods a server serves beside `METHODS`, by backend (`RpcServerOptions.methods`). */
const EXTRA_METHODS = new WeakMap<RpcBackend, Record<string, Method>>();

function methodOf(seq: RpcBackend, name: string): Method | undefined {
  if (Object.hasOwn(METHODS, name)) return METHODS[name];
  const extra = EXTRA_METHODS.get(seq);
  return extra && Object.hasOwn(extra, name) ? extra[name] : undefined;
}

/** Largest `modex_query` data accepted (bytes). */
export const MAX_QUERY_BYTES = 64 * 1024;

/** Most withdrawals one `modex_getWithdrawals` answers (page with `from`). */
export const MAX_WITHDRAWALS = 1_000;

/** Parses 0x-prefixed hex bytes; throws InvalidParamsError. */
export function hexBytes(x: unknown, what: string): Uint8Array {
  // Buffer's hex decoder stops at the first non-hex pair: a shorter result means a bad digit
  // (about 10x faster than a regex plus viem's hexToBytes on a transaction's hex)
  if (typeof x === 'string' && x.length % 2 === 0 && x.charCodeAt(0) === 48 && x.charCodeAt(1) === 120) {
    const b = Buffer.from(x.slice(2), 'hex');
    if (b.length * 2 === x.length - 2) return new Uint8Array(b);
  }
  throw new InvalidParamsError(`${what} must be 0x-prefixed hex bytes`);
}

function hash32(x: unknown): Hex {
  if (typeof x !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(x))
    throw new InvalidParamsError('hash must be 0x-prefixed 32-byte hex');
  return x.toLowerCase() as Hex;
}

function address(x: unknown): Hex {
  if (typeof x !== 'string' || !isAddress(x, { strict: false }))
    throw new InvalidParamsError('address must be 0x-prefixed 20-byte hex');
  return x.toLowerCase() as Hex;
}

/** A block number: a non-negative integer, a 0x quantity, or "latest" (undefined). */
function blockNumber(x: unknown): number | undefined {
  if (x === undefined || x === null || x === 'latest') return undefined;
  if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return x;
  if (typeof x === 'string' && /^0x[0-9a-fA-F]{1,13}$/.test(x)) return Number.parseInt(x.slice(2), 16);
  throw new InvalidParamsError('block must be a non-negative integer, a 0x quantity or "latest"');
}

/** A block whose state the node has: a stored one, or undefined for the latest. */
function storedBlock(s: RpcBackend, x: unknown): number | undefined {
  const n = blockNumber(x);
  if (n !== undefined && n > s.head)
    throw new InvalidParamsError(`block ${n} is not stored yet (head ${s.head})`);
  return n;
}

/** A withdrawal index: a non-negative integer. */
function index(x: unknown, what: string): bigint {
  if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return BigInt(x);
  if (typeof x === 'string' && /^(0|[1-9][0-9]{0,18})$/.test(x)) return BigInt(x);
  throw new InvalidParamsError(`${what} must be a non-negative integer`);
}

function arity(params: unknown[], min: number, max: number): void {
  if (params.length < min || params.length > max)
    throw new InvalidParamsError(
      `expected ${min === max ? min : `${min} to ${max}`} param${max === 1 ? '' : 's'}, got ${params.length}`,
    );
}

/** A JSON number when it is a safe integer, else a decimal string. */
const quantity = (v: bigint): number | string =>
  v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();

const receiptName = (s: RpcBackend, code: number): string => s.receiptNames[code] || `status_${code}`;

const withdrawalJson = (w: Withdrawal) => ({
  index: quantity(w.index),
  from: w.from.toLowerCase(),
  to: w.to.toLowerCase(),
  amount: w.amount.toString(),
});

/** The methods of docs/node.md §2. */
export const METHODS: Record<string, Method> = {
  modex_chainId: (s, p) => {
    arity(p, 0, 0);
    return quantity(s.chainId);
  },
  modex_sendRawTransaction: (s, p) => {
    arity(p, 1, 1);
    return s.submit(hexBytes(p[0], 'transaction'));
  },
  modex_getTransactionReceipt: (s, p) => {
    arity(p, 1, 1);
    const r = s.receipt(hash32(p[0]));
    if (!r || r.status === 'pending' || !('code' in r)) return r;
    return { ...r, status: receiptName(s, r.code) };
  },
  modex_query: async (s, p) => {
    arity(p, 1, 2);
    const data = hexBytes(p[0], 'query data');
    if (data.length === 0)
      throw new InvalidParamsError('query data must not be empty (its first byte is the kind)');
    if (data.length > MAX_QUERY_BYTES)
      throw new InvalidParamsError(`query data of ${data.length} bytes > ${MAX_QUERY_BYTES}`);
    const r = await s.query(data, storedBlock(s, p[1]));
    return { status: receiptName(s, r.status), code: r.status, result: bytesToHex(r.result) };
  },
  modex_getBlock: (s, p) => {
    arity(p, 1, 2);
    if (p[1] !== undefined && typeof p[1] !== 'boolean')
      throw new InvalidParamsError('withMessage must be a boolean');
    return s.block(blockNumber(p[0]) ?? s.head, p[1] === true);
  },
  modex_blockNumber: (s, p) => {
    arity(p, 0, 0);
    return s.head;
  },
  modex_stateRoot: (s, p) => {
    arity(p, 0, 1);
    return s.stateRoot(blockNumber(p[0])) ?? null;
  },
  modex_getNonce: async (s, p) => {
    arity(p, 1, 2);
    const tag = p[1] ?? 'latest';
    if (tag !== 'latest' && tag !== 'pending')
      throw new InvalidParamsError('tag must be "latest" or "pending"');
    return quantity(await s.nonceOf(address(p[0]), tag));
  },
  modex_receiptNames: (s, p) => {
    arity(p, 0, 0);
    return [...s.receiptNames];
  },
  modex_getWithdrawals: async (s, p) => {
    arity(p, 0, 2);
    const from = p[0] === undefined || p[0] === null ? undefined : index(p[0], 'from');
    return (await s.withdrawals(from, storedBlock(s, p[1]))).slice(0, MAX_WITHDRAWALS).map(withdrawalJson);
  },
  modex_getWithdrawalProof: async (s, p) => {
    arity(p, 1, 2);
    const i = index(p[0], 'index');
    const block = storedBlock(s, p[1]);
    // an index the state has no withdrawal for (yet): null, as for an unknown receipt
    if ((await s.withdrawals(i, block)).length === 0) return null;
    const r = await s.withdrawalProof(i, block);
    return { withdrawal: withdrawalJson(r.withdrawal), proof: r.proof, sendRoot: r.sendRoot };
  },
  modex_status: (s, p) => {
    arity(p, 0, 0);
    return s.status();
  },
};

const errorResponse = (id: Id, code: number, message: string, data?: unknown): RpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

/**
 * An admission refusal: an error carrying the app's receipt name (`reason`) and code (`receiptCode`),
 * as the sequencer's `TransactionRefusedByAppError` does (from `AppRuntime.admit`); undefined for
 * any other error.
 */
function refusal(e: unknown): { reason: string; code: number } | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const x = e as { reason?: unknown; receiptCode?: unknown };
  if (typeof x.reason !== 'string' || typeof x.receiptCode !== 'number') return undefined;
  return { reason: x.reason, code: x.receiptCode };
}

/**
 * The code and data of an error made to be answered with them (`answersWithOwnCode`, `rpcCode`,
 * `rpcData`: the EVM chain's Ethereum-style errors, src/apps/evm/eth-rpc/errors.ts), or undefined.
 */
function ownError(e: unknown): { code: number; data?: unknown } | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const x = e as { answersWithOwnCode?: unknown; rpcCode?: unknown; rpcData?: unknown };
  // only errors made to be answered so: a client's error carrying a remote node's code is not
  return x.answersWithOwnCode === true && typeof x.rpcCode === 'number' && Number.isSafeInteger(x.rpcCode)
    ? { code: x.rpcCode, data: x.rpcData }
    : undefined;
}

const validId = (id: unknown): id is Id =>
  id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

/** Handles one request object; undefined for a notification (no id). */
async function handleOne(
  seq: RpcBackend,
  req: unknown,
  onTransaction?: TransactionObserver,
): Promise<RpcResponse | undefined> {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    return errorResponse(null, RPC_ERROR.invalidRequest, 'invalid request: not an object');
  const r = req as { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
  const isNotification = !('id' in r);
  const id: Id = validId(r.id) ? r.id : null;
  if (!isNotification && !validId(r.id))
    return errorResponse(
      null,
      RPC_ERROR.invalidRequest,
      'invalid request: id must be a string, number or null',
    );
  if (r.jsonrpc !== '2.0')
    return errorResponse(id, RPC_ERROR.invalidRequest, 'invalid request: jsonrpc must be "2.0"');
  if (typeof r.method !== 'string')
    return errorResponse(id, RPC_ERROR.invalidRequest, 'invalid request: method must be a string');
  const method = methodOf(seq, r.method);
  let res: RpcResponse;
  if (!method) res = errorResponse(id, RPC_ERROR.methodNotFound, `method not found: ${r.method}`);
  else if (r.params !== undefined && !Array.isArray(r.params))
    res = errorResponse(id, RPC_ERROR.invalidParams, 'invalid params: params must be an array');
  else {
    const t0 =
      onTransaction && (r.method === 'modex_sendRawTransaction' || r.method === 'eth_sendRawTransaction')
        ? performance.now()
        : -1;
    try {
      res = { jsonrpc: '2.0', id, result: (await method(seq, (r.params as unknown[]) ?? [])) ?? null };
    } catch (e) {
      const refused = refusal(e);
      const own = ownError(e);
      if (own) res = errorResponse(id, own.code, (e as Error).message, own.data);
      else if (refused)
        res = errorResponse(id, RPC_ERROR.invalidParams, `transaction refused: ${refused.reason}`, refused);
      else {
        const code = rpcErrorCode(e);
        const message =
          code === RPC_ERROR.internal
            ? `internal error: ${(e as Error)?.message ?? e}`
            : (e as Error).message;
        res = errorResponse(id, code, message);
      }
    }
    if (t0 >= 0) onTransaction?.(res.error, (performance.now() - t0) / 1000);
  }
  return isNotification ? undefined : res;
}

/**
 * Handles a request body (one request or a batch); returns the response to send (undefined: only
 * notifications, nothing to send).
 */
export async function handleRpcBody(
  seq: RpcBackend,
  body: string,
  maxBatch = 1_000,
  onTransaction?: TransactionObserver,
  maxBatchResponseBytes = DEFAULT_MAX_BATCH_RESPONSE_BYTES,
): Promise<RpcResponse | RpcResponse[] | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return errorResponse(null, RPC_ERROR.parseError, 'parse error: the body is not JSON');
  }
  if (!Array.isArray(parsed)) return handleOne(seq, parsed, onTransaction);
  if (parsed.length === 0)
    return errorResponse(null, RPC_ERROR.invalidRequest, 'invalid request: empty batch');
  if (parsed.length > maxBatch)
    return errorResponse(
      null,
      RPC_ERROR.invalidRequest,
      `invalid request: batch of ${parsed.length} > ${maxBatch}`,
    );
  const out = (await Promise.all(parsed.map((r) => handleOne(seq, r, onTransaction)))).filter(
    (r): r is RpcResponse => r !== undefined,
  );
  return out.length > 0 ? boundResponses(out, maxBatchResponseBytes) : undefined;
}

/** Default of `RpcServerOptions.maxBatchResponseBytes`. */
export const DEFAULT_MAX_BATCH_RESPONSE_BYTES = 5 * 1024 * 1024;

/** A response this small is never replaced (an acknowledgment, a nonce: nothing to amplify). */
const SMALL_RESPONSE_BYTES = 256;

/**
 * A batch's responses in order while their JSON fits `maxBytes`; each larger one after is replaced
 * by a −32005 error saying so. Responses of at most {@link SMALL_RESPONSE_BYTES} always stay, so a
 * transaction's acknowledgment is never lost to the bound.
 */
function boundResponses(out: RpcResponse[], maxBytes: number): RpcResponse[] {
  let bytes = 2;
  for (let i = 0; i < out.length; i++) {
    const r = out[i];
    const size = Buffer.byteLength(JSON.stringify(r)) + 1;
    bytes += size;
    if (bytes > maxBytes && size > SMALL_RESPONSE_BYTES) {
      bytes -= size;
      out[i] = errorResponse(
        r.id,
        RPC_ERROR.limitExceeded,
        `response too large: this batch's responses passed ${maxBytes} bytes; ask for fewer items per batch`,
      );
      bytes += Buffer.byteLength(JSON.stringify(out[i]));
    }
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  };
  if (close) headers.connection = 'close';
  res.writeHead(body === undefined ? 204 : status, headers);
  res.end(text);
}

/** Starts the JSON-RPC server for `seq` (a `Sequencer`, or any `RpcBackend`). */
export async function startRpcServer(seq: RpcBackend, opts: RpcServerOptions = {}): Promise<RpcServer> {
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const maxBatch = opts.maxBatch ?? 1_000;
  if (opts.methods) EXTRA_METHODS.set(seq, opts.methods);
  const tooLarge = (res: ServerResponse, req: IncomingMessage) => {
    send(
      res,
      413,
      errorResponse(null, RPC_ERROR.invalidRequest, `invalid request: body larger than ${maxBody} bytes`),
      true,
    );
    res.on('finish', () => req.socket.destroy());
  };
  const server = createServer((req, res) => {
    if (opts.metrics && isMetricsRequest(req)) return serveMetrics(opts.metrics, req, res);
    if (opts.get?.(req, res)) return;
    if (req.method !== 'POST') {
      send(res, 405, errorResponse(null, RPC_ERROR.invalidRequest, 'invalid request: use POST'));
      req.resume();
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > maxBody) return tooLarge(res, req);
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      if (aborted) return;
      size += c.length;
      if (size > maxBody) {
        aborted = true;
        chunks.length = 0;
        tooLarge(res, req);
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      aborted = true;
    });
    req.on('end', () => {
      if (aborted) return;
      handleRpcBody(
        seq,
        Buffer.concat(chunks).toString('utf8'),
        maxBatch,
        opts.onTransaction,
        opts.maxBatchResponseBytes,
      )
        .then((out) => send(res, 200, out))
        .catch((e) => send(res, 500, errorResponse(null, RPC_ERROR.internal, `internal error: ${e}`)));
    });
  });
  // keep idle keep-alive connections longer than Node's 5 s default: a client reusing a connection
  // the server is closing at that moment gets ECONNRESET (seen under load by bench e2e's clients)
  server.keepAliveTimeout = 30_000;
  const upgrade = opts.upgrade;
  if (upgrade) server.on('upgrade', (req, socket, head) => upgrade.handle(req, socket, head));
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  const { base } = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  return {
    url: `${base}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        opts.upgrade?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
