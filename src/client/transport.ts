/**
 * Transports: how a client reaches a node. `http(url)` sends JSON-RPC 2.0 over HTTP POST
 * (docs/node.md §2); any object with `request({ method, params })` is a transport too (e.g. one
 * that calls a node in process, or records calls in a test).
 */
import { HttpRequestError, rpcError } from './errors.ts';

export interface RequestArgs {
  method: string;
  params?: readonly unknown[];
}

export interface ModexTransport {
  /** where requests go (for error messages) */
  readonly url?: string;
  /** sends one JSON-RPC request; resolves with its `result`, rejects with a typed client error */
  request<T = unknown>(args: RequestArgs): Promise<T>;
}

export interface HttpTransportOptions {
  /** per request, in ms (default 10,000) */
  timeout?: number;
  /** extra headers */
  headers?: Record<string, string>;
}

/** A JSON-RPC-over-HTTP transport to `url`. */
export function http(url: string, opts: HttpTransportOptions = {}): ModexTransport {
  const timeout = opts.timeout ?? 10_000;
  let nextId = 1;
  return {
    url,
    async request<T>({ method, params = [] }: RequestArgs): Promise<T> {
      const id = nextId++;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...opts.headers },
          body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
          signal: AbortSignal.timeout(timeout),
        });
      } catch (e) {
        const why =
          (e as Error)?.name === 'TimeoutError'
            ? `no answer to ${method} within ${timeout} ms`
            : `${method} failed: ${(e as Error)?.cause ?? (e as Error)?.message ?? e}`;
        throw new HttpRequestError(url, why, undefined, { cause: e });
      }
      const text = await res.text();
      let body: { result?: unknown; error?: { code: number; message: string; data?: unknown } } | undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      if (body?.error && typeof body.error.code === 'number') throw rpcError(method, body.error);
      if (!res.ok || body === undefined || !('result' in body))
        throw new HttpRequestError(
          url,
          `${method}: HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
          res.status,
        );
      return body.result as T;
    },
  };
}
