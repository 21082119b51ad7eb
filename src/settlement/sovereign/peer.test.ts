/**
 * RpcPeer (docs/sovereign.md §4.1): a peer's answers over HTTP, refused when they are not JSON-RPC
 * or larger than a proof may be.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerProtocolError } from './errors.ts';
import { MAX_PROOF_BYTES } from './fraud-proof.ts';
import { PeerRpcError, RpcPeer } from './peer.ts';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      res.setHeader('content-type', 'application/json');
      if (method === 'modex_sovereignFraudProof')
        res.end(JSON.stringify({ jsonrpc: '2.0', id, result: { padding: 'x'.repeat(MAX_PROOF_BYTES) } }));
      else if (method === 'modex_sovereignHeaders') res.end('<html>bad gateway</html>');
      else
        res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: 'method not found' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address() as { port: number };
  url = `http://127.0.0.1:${a.port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('RpcPeer', () => {
  it('refuses an answer over 16 MiB, one that is not JSON-RPC, and passes a JSON-RPC error on with its code', async () => {
    const peer = new RpcPeer(url);
    await expect(peer.proof(0)).rejects.toThrow(/answered more than 16777216 bytes/);
    const e = await peer.headers(0, 1).catch((x) => x);
    expect(e).toBeInstanceOf(PeerProtocolError);
    expect(e).not.toBeInstanceOf(PeerRpcError);
    expect(e.message).toMatch(/answered no JSON-RPC/);
    const h = await peer.head().catch((x) => x);
    expect(h).toBeInstanceOf(PeerRpcError);
    expect((h as PeerRpcError).rpcCode).toBe(-32601);
  });
});
