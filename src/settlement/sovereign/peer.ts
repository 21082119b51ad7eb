/**
 * A full node as a light client sees it (docs/sovereign.md §3, §4): its headers and its proofs,
 * over JSON-RPC (`RpcPeer`) or in process (any object with the same three methods).
 */
import { PeerProtocolError } from './errors.ts';
import { MAX_PROOF_BYTES } from './fraud-proof.ts';

export interface SovereignPeer {
  /** how the peer is named in reports (its URL) */
  readonly name: string;
  /** `modex_sovereignHead`: the latest header's number, or null before block 0 */
  head(): Promise<{ number: number } | null>;
  /** `modex_sovereignHeaders(from, count)`: raw headers, checked by the light client */
  headers(from: number, count: number): Promise<unknown[]>;
  /** `modex_sovereignFraudProof(n)`: the raw witness of block n */
  proof(n: number): Promise<unknown>;
}

/** A peer's JSON-RPC error (it answered, and said no). */
export class PeerRpcError extends PeerProtocolError {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A full node's JSON-RPC endpoint. */
export class RpcPeer implements SovereignPeer {
  private id = 0;
  constructor(
    readonly name: string,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  private async call(method: string, params: unknown[]): Promise<unknown> {
    const res = await fetch(this.name, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    if (text.length > MAX_PROOF_BYTES)
      throw new PeerProtocolError(`${this.name}: ${method} answered more than ${MAX_PROOF_BYTES} bytes`);
    const body = (() => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    })() as { result?: unknown; error?: { code: number; message: string } } | undefined;
    if (!body || typeof body !== 'object')
      throw new PeerProtocolError(`${this.name}: ${method} answered no JSON-RPC`);
    if (body.error) throw new PeerRpcError(body.error.code, `${this.name}: ${method}: ${body.error.message}`);
    return body.result;
  }

  async head(): Promise<{ number: number } | null> {
    return (await this.call('modex_sovereignHead', [])) as { number: number } | null;
  }

  async headers(from: number, count: number): Promise<unknown[]> {
    const r = await this.call('modex_sovereignHeaders', [from, count]);
    if (!Array.isArray(r))
      throw new PeerProtocolError(`${this.name}: modex_sovereignHeaders did not answer an array`);
    return r;
  }

  proof(n: number): Promise<unknown> {
    return this.call('modex_sovereignFraudProof', [n]);
  }
}
