/**
 * The sequencer's JSON-RPC 2.0 API over HTTP (docs/node.md §2): `POST /` with one request or a
 * batch (an array). Every malformed request gets a JSON-RPC error, never a crash:
 *
 * | code   | when                                                                          |
 * | ------ | ----------------------------------------------------------------------------- |
 * | −32700 | the body is not JSON                                                          |
 * | −32600 | not a request object (jsonrpc ≠ "2.0", no method, bad id), empty or too large a batch, body over the size limit (HTTP 413) |
 * | −32601 | unknown method                                                                |
 * | −32602 | wrong params; a transaction that does not decode or whose signature fails    |
 * | −32003 | the transaction is already known (pending or in a block)                      |
 * | −32005 | the sequencer is busy (mempool full): retry later                             |
 * | −32000 | the sequencer is closed or stopped after an error                             |
 * | −32603 | anything else (internal error)                                                |
 *
 * Quantities: block numbers and nonces are JSON numbers, balances decimal strings, bytes and
 * hashes 0x-hex.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Hex, hexToBytes, isAddress } from 'viem';
import { InvalidParamsError, RPC_ERROR, rpcErrorCode } from './errors.ts';
import type { Sequencer } from './sequencer.ts';

export interface RpcServerOptions {
  /** default 0 (any free port) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** largest request body accepted (default 1 MiB) */
  maxBodyBytes?: number;
  /** most requests in one batch (default 1,000) */
  maxBatch?: number;
}

export interface RpcServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

type Id = string | number | null;

interface RpcResponse {
  jsonrpc: '2.0';
  id: Id;
  result?: unknown;
  error?: { code: number; message: string };
}

type Method = (seq: Sequencer, params: unknown[]) => unknown;

/** Parses 0x-prefixed hex bytes; throws InvalidParamsError. */
export function hexBytes(x: unknown, what: string): Uint8Array {
  if (typeof x !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(x))
    throw new InvalidParamsError(`${what} must be 0x-prefixed hex bytes`);
  return hexToBytes(x as Hex);
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

function arity(params: unknown[], min: number, max: number): void {
  if (params.length < min || params.length > max)
    throw new InvalidParamsError(
      `expected ${min === max ? min : `${min} to ${max}`} param${max === 1 ? '' : 's'}, got ${params.length}`,
    );
}

/** The methods of docs/node.md §2. */
export const METHODS: Record<string, Method> = {
  modex_sendRawTransaction: (s, p) => {
    arity(p, 1, 1);
    return s.submit(hexBytes(p[0], 'transaction'));
  },
  modex_getTransactionReceipt: (s, p) => {
    arity(p, 1, 1);
    return s.receipt(hash32(p[0]));
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
  modex_getBalance: async (s, p) => {
    arity(p, 1, 2);
    return (await s.balanceOf(address(p[0]), blockNumber(p[1]))).toString();
  },
  modex_getNonce: async (s, p) => {
    arity(p, 1, 2);
    const tag = p[1] ?? 'latest';
    if (tag !== 'latest' && tag !== 'pending')
      throw new InvalidParamsError('tag must be "latest" or "pending"');
    return Number(await s.nonceOf(address(p[0]), tag));
  },
  modex_status: (s, p) => {
    arity(p, 0, 0);
    return s.status();
  },
};

const errorResponse = (id: Id, code: number, message: string): RpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
});

const validId = (id: unknown): id is Id =>
  id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

/** Handles one request object; undefined for a notification (no id). */
async function handleOne(seq: Sequencer, req: unknown): Promise<RpcResponse | undefined> {
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
  const method = Object.hasOwn(METHODS, r.method) ? METHODS[r.method] : undefined;
  let res: RpcResponse;
  if (!method) res = errorResponse(id, RPC_ERROR.methodNotFound, `method not found: ${r.method}`);
  else if (r.params !== undefined && !Array.isArray(r.params))
    res = errorResponse(id, RPC_ERROR.invalidParams, 'invalid params: params must be an array');
  else {
    try {
      res = { jsonrpc: '2.0', id, result: (await method(seq, (r.params as unknown[]) ?? [])) ?? null };
    } catch (e) {
      const code = rpcErrorCode(e);
      const message =
        code === RPC_ERROR.internal ? `internal error: ${(e as Error)?.message ?? e}` : (e as Error).message;
      res = errorResponse(id, code, message);
    }
  }
  return isNotification ? undefined : res;
}

/**
 * Handles a request body (one request or a batch); returns the response to send (undefined: only
 * notifications, nothing to send).
 */
export async function handleRpcBody(
  seq: Sequencer,
  body: string,
  maxBatch = 1_000,
): Promise<RpcResponse | RpcResponse[] | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return errorResponse(null, RPC_ERROR.parseError, 'parse error: the body is not JSON');
  }
  if (!Array.isArray(parsed)) return handleOne(seq, parsed);
  if (parsed.length === 0)
    return errorResponse(null, RPC_ERROR.invalidRequest, 'invalid request: empty batch');
  if (parsed.length > maxBatch)
    return errorResponse(
      null,
      RPC_ERROR.invalidRequest,
      `invalid request: batch of ${parsed.length} > ${maxBatch}`,
    );
  const out = (await Promise.all(parsed.map((r) => handleOne(seq, r)))).filter(
    (r): r is RpcResponse => r !== undefined,
  );
  return out.length > 0 ? out : undefined;
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

/** Starts the JSON-RPC server for `seq`. */
export async function startRpcServer(seq: Sequencer, opts: RpcServerOptions = {}): Promise<RpcServer> {
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const maxBatch = opts.maxBatch ?? 1_000;
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
      handleRpcBody(seq, Buffer.concat(chunks).toString('utf8'), maxBatch)
        .then((out) => send(res, 200, out))
        .catch((e) => send(res, 500, errorResponse(null, RPC_ERROR.internal, `internal error: ${e}`)));
    });
  });
  // keep idle keep-alive connections longer than Node's 5 s default: a client reusing a connection
  // the server is closing at that moment gets ECONNRESET (seen under load by bench e2e's clients)
  server.keepAliveTimeout = 30_000;
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
