import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, type Hex, hexToBytes, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAccount, fastTransfer, rpcCall, rpcPost, startSequencerProcess } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { compileApp } from '../apps/sdk/run-app.ts';
import { balanceQuery, depositMessage, TOKEN_CHAIN_ID } from '../apps/token/client.ts';
import type { Withdrawal } from '../core/app.ts';
import { AppChain } from './app-chain.ts';
import { InvalidTransactionError } from './errors.ts';
import { MAX_QUERY_BYTES, MAX_WITHDRAWALS, type RpcBackend, type RpcServer, startRpcServer } from './rpc.ts';
import { Sequencer } from './sequencer.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'modex-rpc-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const alice = fastAccount(1);
const bob = fastAccount(2);

type Res = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string } };

async function raw(
  url: string,
  body: string,
  method = 'POST',
): Promise<{ status: number; json?: Res | Res[] }> {
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : body,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

/** The RPC's view of a node, in memory: 2 stored blocks, a token-like balance query, 2 withdrawals. */
class FakeBackend implements RpcBackend {
  readonly chainId = 412_346n;
  readonly receiptNames = [
    'ok',
    'malformed',
    'wrong_app',
    'wrong_chain',
    'bad_signature',
    'bad_nonce',
    '',
    'insufficient_balance',
  ];
  head = 1;
  readonly txs = new Map<Hex, { block: number; index: number; code?: number }>();
  readonly ws: Withdrawal[] = [
    { index: 0n, from: ALICE, to: BOB, amount: 10n ** 18n },
    { index: 1n, from: BOB, to: ALICE, amount: 5n },
  ];
  calls: unknown[][] = [];
  async submit(raw: Uint8Array) {
    if (raw[0] === 0xee) throw Object.assign(new Error('refused'), { reason: 'bad_nonce', receiptCode: 5 });
    if (raw[0] === 0xef)
      throw Object.assign(new InvalidTransactionError('refused by the app: wrong_chain (receipt code 3)'), {
        reason: 'wrong_chain',
        receiptCode: 3,
      });
    if (raw[0] === 0xdd) throw new Error('boom');
    const hash = keccak256(raw);
    const c = { hash, block: 2, index: this.txs.size };
    this.txs.set(hash, c);
    return c;
  }
  receipt(hash: Hex) {
    const t = this.txs.get(hash);
    if (!t) return null;
    if (t.code === undefined) return { status: 'pending' as const, block: t.block, index: t.index };
    return { status: 'x', code: t.code, block: t.block, index: t.index, stateRoot: ROOT };
  }
  block(n: number) {
    return n <= this.head ? { number: n, stateRoot: ROOT } : null;
  }
  stateRoot(n = this.head) {
    return n <= this.head ? ROOT : undefined;
  }
  async nonceOf(a: Hex, tag: 'latest' | 'pending') {
    this.calls.push(['nonceOf', a, tag]);
    return tag === 'pending' ? 3n : 2n;
  }
  async query(data: Uint8Array, block?: number) {
    this.calls.push(['query', bytesToHex(data), block]);
    if (data[0] !== 0x10) return { status: 6, result: new Uint8Array() };
    return { status: 0, result: hexToBytes(`0x${(block ?? 99).toString(16).padStart(64, '0')}`) };
  }
  async withdrawals(from?: bigint, block?: number) {
    this.calls.push(['withdrawals', from, block]);
    return this.ws.filter((w) => w.index >= (from ?? 0n));
  }
  async withdrawalProof(index: bigint, block?: number) {
    this.calls.push(['withdrawalProof', index, block]);
    return { withdrawal: this.ws[Number(index)], proof: [ROOT, ROOT], sendRoot: ROOT };
  }
  status() {
    return { head: this.head };
  }
}

const ALICE = '0x00000000000000000000000000000000000000a1' as Hex;
const BOB = '0x00000000000000000000000000000000000000b0' as Hex;
const ROOT = `0x${'ab'.repeat(32)}` as Hex;

describe('JSON-RPC methods (in-test backend)', () => {
  let be: FakeBackend;
  let srv: RpcServer;
  beforeAll(async () => {
    be = new FakeBackend();
    srv = await startRpcServer(be);
    return () => srv.close();
  });
  const call = <T = unknown>(method: string, params: unknown[] = []) => rpcCall<T>(srv.url, method, params);
  const err = async (method: string, params: unknown[]) => {
    const r = (await rpcPost(srv.url, { jsonrpc: '2.0', id: 1, method, params })) as Res;
    expect(r.result).toBeUndefined();
    return r.error!;
  };

  it('chain id, receipt names, block number, nonce', async () => {
    expect(await call('modex_chainId')).toBe(412_346);
    expect(await call('modex_receiptNames')).toEqual(be.receiptNames);
    expect(await call('modex_blockNumber')).toBe(1);
    expect(await call('modex_getNonce', [ALICE])).toBe(2);
    expect(await call('modex_getNonce', [ALICE, 'pending'])).toBe(3);
    expect(await call('modex_getNonce', [ALICE.toUpperCase().replace('0X', '0x'), 'latest'])).toBe(2);
    expect(be.calls.at(-1)).toEqual(['nonceOf', ALICE, 'latest']);
  });

  it('sendRawTransaction and receipts: pending, executed with the app’s names, unknown', async () => {
    const c = await call<{ hash: Hex; block: number; index: number }>('modex_sendRawTransaction', ['0x0102']);
    expect(c).toEqual({ hash: keccak256('0x0102'), block: 2, index: 0 });
    expect(await call('modex_getTransactionReceipt', [c.hash])).toEqual({
      status: 'pending',
      block: 2,
      index: 0,
    });
    be.txs.get(c.hash)!.code = 7;
    expect(await call('modex_getTransactionReceipt', [c.hash.toUpperCase().replace('0X', '0x')])).toEqual({
      status: 'insufficient_balance',
      code: 7,
      block: 2,
      index: 0,
      stateRoot: ROOT,
    });
    be.txs.get(c.hash)!.code = 6; // unnamed ('')
    expect(await call('modex_getTransactionReceipt', [c.hash])).toMatchObject({
      status: 'status_6',
      code: 6,
    });
    be.txs.get(c.hash)!.code = 42; // beyond the names
    expect(await call('modex_getTransactionReceipt', [c.hash])).toMatchObject({
      status: 'status_42',
      code: 42,
    });
    expect(await call('modex_getTransactionReceipt', [`0x${'00'.repeat(32)}`])).toBeNull();
  });

  it('an admission refusal is −32602 with the app’s reason name; other failures −32603', async () => {
    expect(await err('modex_sendRawTransaction', ['0xee01'])).toEqual({
      code: -32602,
      message: 'transaction refused: bad_nonce',
      data: { reason: 'bad_nonce', code: 5 },
    });
    expect(await err('modex_sendRawTransaction', ['0xef01'])).toEqual({
      code: -32602,
      message: 'transaction refused: wrong_chain',
      data: { reason: 'wrong_chain', code: 3 },
    });
    expect(await err('modex_sendRawTransaction', ['0xdd01'])).toEqual({
      code: -32603,
      message: 'internal error: boom',
    });
  });

  it('query: latest or a stored block; the status named, the result hex', async () => {
    const addr = `0x10${ALICE.slice(2)}`;
    expect(await call('modex_query', [addr])).toEqual({
      status: 'ok',
      code: 0,
      result: `0x${'63'.padStart(64, '0')}`,
    });
    expect(be.calls.at(-1)).toEqual(['query', addr, undefined]);
    expect(await call('modex_query', [addr, 'latest'])).toMatchObject({ code: 0 });
    expect(await call('modex_query', [addr, 1])).toEqual({
      status: 'ok',
      code: 0,
      result: `0x${'1'.padStart(64, '0')}`,
    });
    expect(await call('modex_query', [addr, '0x0'])).toMatchObject({ result: `0x${'0'.repeat(64)}` });
    expect(await call('modex_query', ['0x42'])).toEqual({ status: 'status_6', code: 6, result: '0x' });
  });

  it('withdrawals and their proofs (amounts as decimal strings); an unknown index is null', async () => {
    const w0 = { index: 0, from: ALICE, to: BOB, amount: '1000000000000000000' };
    const w1 = { index: 1, from: BOB, to: ALICE, amount: '5' };
    expect(await call('modex_getWithdrawals')).toEqual([w0, w1]);
    expect(await call('modex_getWithdrawals', [1])).toEqual([w1]);
    expect(await call('modex_getWithdrawals', [null, 1])).toEqual([w0, w1]);
    expect(be.calls.at(-1)).toEqual(['withdrawals', undefined, 1]);
    expect(await call('modex_getWithdrawals', [5, 'latest'])).toEqual([]);
    expect(await call('modex_getWithdrawalProof', [1, 0])).toEqual({
      withdrawal: w1,
      proof: [ROOT, ROOT],
      sendRoot: ROOT,
    });
    expect(be.calls.at(-1)).toEqual(['withdrawalProof', 1n, 0]);
    expect(await call('modex_getWithdrawalProof', [2])).toBeNull();
    // at most MAX_WITHDRAWALS per call: the client pages with `from`
    const many = Array.from({ length: MAX_WITHDRAWALS + 5 }, (_, i) => ({ ...be.ws[0], index: BigInt(i) }));
    const saved = be.ws.splice(0, be.ws.length, ...many);
    try {
      const page = await call<{ index: number }[]>('modex_getWithdrawals', [3]);
      expect(page.length).toBe(MAX_WITHDRAWALS);
      expect(page[0].index).toBe(3);
      expect(await call<unknown[]>('modex_getWithdrawals', [MAX_WITHDRAWALS + 3])).toHaveLength(2);
    } finally {
      be.ws.splice(0, be.ws.length, ...saved);
    }
  });

  it('bad params: −32602 with a clear message', async () => {
    const cases: [string, unknown[], string][] = [
      ['modex_chainId', [1], 'invalid params: expected 0 params, got 1'],
      ['modex_receiptNames', [1], 'invalid params: expected 0 params, got 1'],
      ['modex_sendRawTransaction', [], 'invalid params: expected 1 param, got 0'],
      ['modex_sendRawTransaction', ['0x1', 2], 'invalid params: expected 1 param, got 2'],
      ['modex_sendRawTransaction', ['0xzz'], 'invalid params: transaction must be 0x-prefixed hex bytes'],
      ['modex_sendRawTransaction', ['0x123'], 'invalid params: transaction must be 0x-prefixed hex bytes'],
      ['modex_sendRawTransaction', [12], 'invalid params: transaction must be 0x-prefixed hex bytes'],
      ['modex_getTransactionReceipt', ['0x12'], 'invalid params: hash must be 0x-prefixed 32-byte hex'],
      ['modex_query', [], 'invalid params: expected 1 to 2 params, got 0'],
      ['modex_query', ['0x10', 1, 2], 'invalid params: expected 1 to 2 params, got 3'],
      ['modex_query', ['10'], 'invalid params: query data must be 0x-prefixed hex bytes'],
      ['modex_query', ['0x'], 'invalid params: query data must not be empty (its first byte is the kind)'],
      [
        'modex_query',
        [`0x${'00'.repeat(MAX_QUERY_BYTES + 1)}`],
        `invalid params: query data of ${MAX_QUERY_BYTES + 1} bytes > ${MAX_QUERY_BYTES}`,
      ],
      ['modex_query', ['0x10', 2], 'invalid params: block 2 is not stored yet (head 1)'],
      [
        'modex_query',
        ['0x10', -1],
        'invalid params: block must be a non-negative integer, a 0x quantity or "latest"',
      ],
      [
        'modex_query',
        ['0x10', 'pending'],
        'invalid params: block must be a non-negative integer, a 0x quantity or "latest"',
      ],
      ['modex_getNonce', ['0x1234'], 'invalid params: address must be 0x-prefixed 20-byte hex'],
      ['modex_getNonce', [ALICE, 'earliest'], 'invalid params: tag must be "latest" or "pending"'],
      ['modex_getWithdrawals', [-1], 'invalid params: from must be a non-negative integer'],
      ['modex_getWithdrawals', [0, 7], 'invalid params: block 7 is not stored yet (head 1)'],
      ['modex_getWithdrawals', [0, 1, 2], 'invalid params: expected 0 to 2 params, got 3'],
      ['modex_getWithdrawalProof', [], 'invalid params: expected 1 to 2 params, got 0'],
      ['modex_getWithdrawalProof', [1.5], 'invalid params: index must be a non-negative integer'],
      ['modex_getWithdrawalProof', [0, '0x10'], 'invalid params: block 16 is not stored yet (head 1)'],
      [
        'modex_getBlock',
        [-1],
        'invalid params: block must be a non-negative integer, a 0x quantity or "latest"',
      ],
      ['modex_getBlock', [1, 'yes'], 'invalid params: withMessage must be a boolean'],
    ];
    for (const [m, params, message] of cases)
      expect(await err(m, params), m).toEqual({ code: -32602, message });
    // the removed token-specific method
    expect((await err('modex_getBalance', [ALICE])).code).toBe(-32601);
  });
});

describe('JSON-RPC batches: the responses are bounded (maxBatchResponseBytes)', () => {
  it('answers past the bound with −32005 "response too large"; small answers (acknowledgments) always stay', async () => {
    const be = new (class extends FakeBackend {
      override block(n: number) {
        return { number: n, stateRoot: `0x${'ab'.repeat(1000)}` as Hex }; // ~2 KB of JSON each
      }
    })();
    const srv = await startRpcServer(be, { maxBatchResponseBytes: 10_000 });
    try {
      const batch: unknown[] = Array.from({ length: 20 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'modex_getBlock',
        params: [1],
      }));
      batch.push({ jsonrpc: '2.0', id: 20, method: 'modex_sendRawTransaction', params: ['0x0102'] });
      const text = await (await fetch(srv.url, { method: 'POST', body: JSON.stringify(batch) })).text();
      const out = JSON.parse(text) as Res[];
      expect(out).toHaveLength(21);
      const ok = out.filter((r) => r.result !== undefined && r.id !== 20);
      expect(ok.length).toBe(4); // 4 × ~2 KB fit in 10,000 bytes, the 5th does not
      expect(out.slice(0, 4).every((r) => r.result !== undefined)).toBe(true);
      for (const r of out.slice(4, 20)) {
        expect(r.error?.code).toBe(-32005);
        expect(r.error?.message).toMatch(/response too large.*10000 bytes.*fewer items/);
      }
      // the transaction's acknowledgment is small: it stays, and the transaction was submitted
      expect(out[20].result).toMatchObject({ block: 2 });
      expect(be.txs.size).toBe(1);
      expect(text.length).toBeLessThan(10_000 + 16 * 200);
    } finally {
      await srv.close();
    }
  });
});

describe('JSON-RPC server', () => {
  let seq: Sequencer;
  let srv: RpcServer;
  beforeAll(async () => {
    seq = await Sequencer.open({
      dataDir: tmp(),
      executor: new AppChain({ app: loadApp(compileApp('token'), 'token'), chainId: TOKEN_CHAIN_ID }),
      maxBlockAgeMs: 60_000,
      mempoolLimit: 2,
      delayed: () => [{ index: 0, data: depositMessage(alice.address, 100n) }],
      onError: () => {},
    });
    srv = await startRpcServer(seq, { maxBodyBytes: 64 * 1024, maxBatch: 50 });
    return async () => {
      await srv.close();
      await seq.close();
    };
  });

  it('answers every malformed request with the right JSON-RPC error and keeps serving', async () => {
    const url = srv.url;
    const code = async (body: string) => ((await raw(url, body)).json as Res).error?.code;
    expect(await code('{"jsonrpc":"2.0","id":1,"method":')).toBe(-32700);
    expect(await code('')).toBe(-32700);
    expect(await code('1')).toBe(-32600);
    expect(await code('[]')).toBe(-32600);
    expect(await code('{"jsonrpc":"1.0","id":1,"method":"modex_status"}')).toBe(-32600);
    expect(await code('{"id":1,"method":"modex_status"}')).toBe(-32600);
    expect(await code('{"jsonrpc":"2.0","id":1,"method":7}')).toBe(-32600);
    expect(await code('{"jsonrpc":"2.0","id":{},"method":"modex_status"}')).toBe(-32600);
    expect(await code('{"jsonrpc":"2.0","id":1,"method":"eth_call"}')).toBe(-32601);
    expect(await code('{"jsonrpc":"2.0","id":1,"method":"toString"}')).toBe(-32601);
    const call = (method: string, params: unknown) =>
      code(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    expect(await call('modex_status', { a: 1 })).toBe(-32602);
    expect(await call('modex_status', [1])).toBe(-32602);
    expect(await call('modex_sendRawTransaction', [])).toBe(-32602);
    expect(await call('modex_sendRawTransaction', ['0xzz'])).toBe(-32602);
    expect(await call('modex_sendRawTransaction', ['0x0102'])).toBe(-32602);
    expect(await call('modex_getTransactionReceipt', ['0x12'])).toBe(-32602);
    expect(await call('modex_query', ['0x1234', 99])).toBe(-32602);
    expect(await call('modex_getBlock', [-1])).toBe(-32602);
    expect(await call('modex_getBlock', [1.5])).toBe(-32602);
    expect(await call('modex_getNonce', [alice.address, 'earliest'])).toBe(-32602);
    expect(await call('modex_getWithdrawals', [0, 99])).toBe(-32602);
    // a body over the limit: HTTP 413 with a JSON-RPC error, the connection closed
    const huge = await raw(
      url,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'modex_status', params: ['x'.repeat(100_000)] }),
    );
    expect(huge.status).toBe(413);
    expect((huge.json as Res).error?.code).toBe(-32600);
    expect((await raw(url, '', 'GET')).status).toBe(405);
    const tooMany = JSON.stringify(
      Array.from({ length: 51 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'modex_blockNumber' })),
    );
    expect(await code(tooMany)).toBe(-32600);
    // a batch: one response per request with an id, errors in place; notifications get none
    const batch = (await rpcPost(url, [
      { jsonrpc: '2.0', id: 'a', method: 'modex_blockNumber' },
      { jsonrpc: '2.0', method: 'modex_blockNumber' },
      { jsonrpc: '2.0', id: 'b', method: 'nope' },
      5,
    ])) as Res[];
    expect(batch).toEqual([
      { jsonrpc: '2.0', id: 'a', result: 0 },
      { jsonrpc: '2.0', id: 'b', error: { code: -32601, message: 'method not found: nope' } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: not an object' } },
    ]);
    expect(await rpcPost(url, { jsonrpc: '2.0', method: 'modex_blockNumber' })).toBeUndefined();
    // still serving
    expect(await rpcCall(url, 'modex_blockNumber')).toBe(0);
  });

  it('serves the methods of docs/node.md §2; duplicate −32003, busy −32005', async () => {
    const url = srv.url;
    const t0 = hex(fastTransfer(alice, bob.address, 7n, 0n));
    const c = await rpcCall<{ hash: string; block: number; index: number }>(url, 'modex_sendRawTransaction', [
      t0,
    ]);
    expect(c).toMatchObject({ block: 1, index: 0 });
    await expect(rpcCall(url, 'modex_sendRawTransaction', [t0])).rejects.toMatchObject({ code: -32003 });
    await rpcCall(url, 'modex_sendRawTransaction', [hex(fastTransfer(alice, bob.address, 1n, 1n))]);
    await expect(
      rpcCall(url, 'modex_sendRawTransaction', [hex(fastTransfer(alice, bob.address, 1n, 2n))]),
    ).rejects.toMatchObject({ code: -32005 });
    expect(await rpcCall(url, 'modex_getTransactionReceipt', [c.hash])).toEqual({
      status: 'pending',
      block: 1,
      index: 0,
    });
    expect(await rpcCall(url, 'modex_getTransactionReceipt', [`0x${'00'.repeat(32)}`])).toBeNull();
    expect(await rpcCall(url, 'modex_getNonce', [alice.address, 'pending'])).toBe(2);
    seq.sealNow();
    await seq.idle();
    expect(await rpcCall(url, 'modex_getTransactionReceipt', [c.hash])).toMatchObject({
      status: 'ok',
      code: 0,
      block: 1,
      index: 0,
    });
    expect(await rpcCall(url, 'modex_blockNumber')).toBe(1);
    const balance = `0x${(8).toString(16).padStart(64, '0')}`;
    expect(await rpcCall(url, 'modex_query', [hex(balanceQuery(bob.address))])).toEqual({
      status: 'ok',
      code: 0,
      result: balance,
    });
    expect(await rpcCall(url, 'modex_query', [hex(balanceQuery(bob.address)), '0x0'])).toMatchObject({
      result: `0x${'00'.repeat(32)}`,
    });
    expect(await rpcCall(url, 'modex_chainId')).toBe(TOKEN_CHAIN_ID.toString()); // beyond 2^53: a decimal string
    expect(await rpcCall(url, 'modex_receiptNames')).toEqual(expect.arrayContaining(['ok', 'bad_nonce']));
    // a replayed nonce: the app's admission refuses it, with its name
    await expect(
      rpcCall(url, 'modex_sendRawTransaction', [hex(fastTransfer(alice, bob.address, 1n, 0n))]),
    ).rejects.toMatchObject({ code: -32602, message: 'transaction refused: bad_nonce' });
    expect(await rpcCall(url, 'modex_getNonce', [alice.address])).toBe(2);
    const b = await rpcCall<{ number: number; txHashes: string[]; stateRoot: string; message: string }>(
      url,
      'modex_getBlock',
      [1, true],
    );
    expect(b).toMatchObject({ number: 1, kind: 'batch', txCount: 2, receipts: [0, 0] });
    expect(b.txHashes[0]).toBe(c.hash);
    expect(b.message.startsWith('0x0000000002')).toBe(true);
    expect(await rpcCall(url, 'modex_stateRoot')).toBe(b.stateRoot);
    expect(await rpcCall(url, 'modex_stateRoot', [9])).toBeNull();
    expect(await rpcCall(url, 'modex_getBlock', ['latest'])).toMatchObject({ number: 1 });
    expect(await rpcCall(url, 'modex_status')).toMatchObject({ head: 1, mempool: 0, delayedIncluded: 1 });
  });
});

/** POSTs with a keep-alive agent; resolves with the parsed body and the time from socket assignment to the end. */
function post(agent: Agent, url: URL, body: string): Promise<{ json: Res | Res[]; ms: number }> {
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ json: JSON.parse(Buffer.concat(chunks).toString()), ms: performance.now() - t0 }),
        );
        res.on('error', reject);
      },
    );
    req.on('socket', () => {
      t0 = performance.now();
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];

describe('JSON-RPC flood (sequencer in a child process)', () => {
  it('20,000 concurrent transactions: shed with −32005 or queued; every acknowledged one ends in a block', async () => {
    const senders = Array.from({ length: 200 }, (_, i) => fastAccount(1000 + i));
    const to = fastAccount(5).address;
    const PER = 100;
    const txs: string[] = [];
    for (let n = 0; n < PER; n++) for (const a of senders) txs.push(hex(fastTransfer(a, to, 1n, BigInt(n))));
    const p = await startSequencerProcess({
      dataDir: tmp(),
      deposits: senders.map((a) => [a.address, '1000000']),
      maxBlockAgeMs: 200,
      mempoolLimit: 1_000,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    try {
      const url = new URL(p.url);
      const t0 = performance.now();
      const results = await Promise.all(
        txs.map((t, i) =>
          post(
            agent,
            url,
            JSON.stringify({ jsonrpc: '2.0', id: i, method: 'modex_sendRawTransaction', params: [t] }),
          ),
        ),
      );
      const wall = performance.now() - t0;
      const acked = results.filter((r) => (r.json as Res).result !== undefined);
      const errors = results.filter((r) => (r.json as Res).error).map((r) => (r.json as Res).error!.code);
      expect(errors.every((c) => c === -32005)).toBe(true);
      expect(acked.length + errors.length).toBe(txs.length);
      expect(acked.length).toBeGreaterThanOrEqual(1_000);
      const lat = acked.map((r) => r.ms).sort((a, b) => a - b);
      // every acknowledged transaction ends in a block
      const hashes = acked.map((r) => ((r.json as Res).result as { hash: string }).hash);
      const end = Date.now() + 120_000;
      while ((await rpcCall<{ mempool: number }>(p.url, 'modex_status')).mempool > 0 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 100));
      const drained = performance.now() - t0;
      const status = await rpcCall<{
        head: number;
        wal: { fsyncs: number; records: number; fsyncMsTotal: number; fsyncMsMax: number };
      }>(p.url, 'modex_status');
      let ok = 0;
      for (let i = 0; i < hashes.length; i += 50) {
        const rs = (await rpcPost(
          p.url,
          hashes
            .slice(i, i + 50)
            .map((h, j) => ({ jsonrpc: '2.0', id: j, method: 'modex_getTransactionReceipt', params: [h] })),
        )) as Res[];
        for (const r of rs) {
          const x = r.result as { status: string; stateRoot?: string };
          expect(x.stateRoot).toBeDefined();
          if (x.status === 'ok') ok++;
        }
      }
      console.log(
        `flood: ${txs.length} sendRawTransaction over HTTP (256 connections): ${acked.length} acknowledged, ` +
          `${errors.length} busy, in ${wall.toFixed(0)} ms (${((acked.length / wall) * 1000).toFixed(0)} acks/s, ` +
          `${((txs.length / wall) * 1000).toFixed(0)} requests/s); soft-confirmation latency p50 ${pct(lat, 0.5).toFixed(1)} ms ` +
          `p99 ${pct(lat, 0.99).toFixed(1)} ms; all executed after ${drained.toFixed(0)} ms ` +
          `(${((acked.length / drained) * 1000).toFixed(0)} tx/s end to end), ${ok} ok; head ${status.head}; ` +
          `WAL ${status.wal.records} records in ${status.wal.fsyncs} fsyncs (mean ${(status.wal.fsyncMsTotal / status.wal.fsyncs).toFixed(2)} ms, max ${status.wal.fsyncMsMax.toFixed(1)} ms)`,
      );
      const q = await rpcCall<{ result: string }>(p.url, 'modex_query', [hex(balanceQuery(to))]);
      expect(BigInt(q.result)).toBe(BigInt(ok));
    } finally {
      agent.destroy();
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, 240_000);
});
