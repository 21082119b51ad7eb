import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Hex, keccak256, recoverMessageAddress, toBytes, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBody, signTx } from '../apps/sdk/client-common.ts';
import { ModexError } from '../core/errors.ts';
import {
  createModexClient,
  encodeTransactionBody,
  HttpRequestError,
  InvalidParamsRpcError,
  type ModexTransport,
  ReadOnlyNodeRpcError,
  RpcRequestError,
  SequencerBusyRpcError,
  signTransaction,
  TransactionKnownError,
  TransactionRefusedError,
  WaitForTransactionReceiptTimeoutError,
} from './index.ts';

const account = privateKeyToAccount(`0x${'11'.repeat(32)}`);

describe('signTransaction: the SDK envelope', () => {
  it('body = app ‖ op ‖ chainId u64 ‖ nonce u64 ‖ args, signed as the SDK clients sign it', async () => {
    const args = Uint8Array.of(1, 2, 3);
    const body = encodeTransactionBody({ app: 2, op: 1, chainId: 412_346n, nonce: 7, args });
    expect(toHex(body)).toBe('0x0201' + '0000000000064aba' + '0000000000000007' + '010203');
    const raw = await signTransaction({
      account,
      app: 2,
      op: 1,
      chainId: 412_346,
      nonce: 7n,
      args: toHex(args),
    });
    // identical to src/apps/sdk/client-common.ts (RFC 6979 signatures are deterministic)
    expect(raw).toBe(
      toHex(await signTx(account, encodeBody({ app: 2, op: 1, chainId: 412_346n, nonce: 7n }, args))),
    );
    const bytes = toBytes(raw);
    expect(bytes.length).toBe(body.length + 65);
    expect([27, 28]).toContain(bytes.at(-1));
    const signer = await recoverMessageAddress({
      message: { raw: keccak256(body) },
      signature: toHex(bytes.subarray(body.length)),
    });
    expect(signer).toBe(account.address);
  });

  it('refuses fields out of range', async () => {
    const sign = (f: object) => signTransaction({ account, app: 2, op: 1, chainId: 1n, nonce: 0n, ...f });
    await expect(sign({ app: 256 })).rejects.toMatchObject({
      code: 'CLIENT_INVALID_TX',
      message: 'invalid transaction: app 256 is not a byte',
    });
    await expect(sign({ op: -1 })).rejects.toThrow('op -1 is not a byte');
    await expect(sign({ nonce: 1n << 64n })).rejects.toThrow('nonce 18446744073709551616 is not a u64');
    await expect(sign({ chainId: -1n })).rejects.toThrow('chainId -1 is not a u64');
  });
});

/** A node stand-in: answers each method with a canned JSON-RPC body (or raw HTTP). */
describe('http transport and typed errors', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        const error = (code: number, message: string, data?: unknown) =>
          res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message, data } }));
        switch (method) {
          case 'refused':
            return error(-32602, 'transaction refused: bad_nonce', { reason: 'bad_nonce', code: 5 });
          case 'params':
            return error(-32602, 'invalid params: hash must be 0x-prefixed 32-byte hex');
          case 'known':
            return error(-32003, 'transaction 0x… already known');
          case 'follower':
            return error(
              -32004,
              'this node is a follower (read-only): send transactions to the sequencer at …',
            );
          case 'busy':
            return error(-32005, 'sequencer busy');
          case 'stopped':
            return error(-32000, 'sequencer unavailable: stopped');
          case 'http500':
            res.statusCode = 500;
            return res.end('oops');
          case 'slow':
            return setTimeout(() => res.end('{}'), 2_000);
          default:
            return res.end(JSON.stringify({ jsonrpc: '2.0', id, result: 412_346 }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('maps JSON-RPC errors to ModexError subclasses carrying the JSON-RPC code', async () => {
    const c = createModexClient({ url });
    expect(await c.getChainId()).toBe(412_346n);
    const fail = (method: string) => c.request({ method }).catch((e: unknown) => e);
    const refused = await fail('refused');
    expect(refused).toBeInstanceOf(TransactionRefusedError);
    expect(refused).toBeInstanceOf(InvalidParamsRpcError);
    expect(refused).toBeInstanceOf(ModexError);
    expect(refused).toMatchObject({
      rpcCode: -32602,
      reason: 'bad_nonce',
      receiptCode: 5,
      code: 'CLIENT_TX_REFUSED',
    });
    expect((refused as Error).message).toBe('refused: transaction refused: bad_nonce (JSON-RPC -32602)');
    const params = await fail('params');
    expect(params).toBeInstanceOf(InvalidParamsRpcError);
    expect(params).not.toBeInstanceOf(TransactionRefusedError);
    expect(params).toMatchObject({ rpcCode: -32602, code: 'CLIENT_INVALID_PARAMS' });
    expect(await fail('known')).toBeInstanceOf(TransactionKnownError);
    expect(await fail('busy')).toBeInstanceOf(SequencerBusyRpcError);
    expect(await fail('follower')).toMatchObject({ rpcCode: -32004, code: 'CLIENT_READ_ONLY' });
    expect(await fail('follower')).toBeInstanceOf(ReadOnlyNodeRpcError);
    const stopped = await fail('stopped');
    expect(stopped).toBeInstanceOf(RpcRequestError);
    expect(stopped).toMatchObject({
      rpcCode: -32000,
      code: 'CLIENT_RPC',
      rpcMessage: 'sequencer unavailable: stopped',
    });
    expect(await fail('http500')).toMatchObject({ code: 'CLIENT_HTTP', status: 500 });
  });

  it('a timeout and an unreachable node are HttpRequestErrors', async () => {
    const slow = createModexClient({
      transport: (await import('./transport.ts')).http(url, { timeout: 200 }),
    });
    const e = await slow.request({ method: 'slow' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpRequestError);
    expect((e as Error).message).toContain('no answer to slow within 200 ms');
    const down = createModexClient({ url: 'http://127.0.0.1:9/' });
    await expect(down.getBlockNumber()).rejects.toMatchObject({ code: 'CLIENT_HTTP' });
  });
});

describe('waitForTransactionReceipt', () => {
  const hash = `0x${'ab'.repeat(32)}` as Hex;
  /** answers `answers` in turn (the last one forever) */
  const scripted = (answers: unknown[]): ModexTransport & { calls: number } => {
    const t = {
      calls: 0,
      async request<T>({ method, params }: { method: string; params?: readonly unknown[] }) {
        expect(method).toBe('modex_getTransactionReceipt');
        expect(params).toEqual([hash]);
        return answers[Math.min(t.calls++, answers.length - 1)] as T;
      },
    };
    return t;
  };

  it('polls until executed and returns the receipt', async () => {
    const receipt = { status: 'bad_nonce', code: 5, block: 3, index: 0, stateRoot: hash };
    const t = scripted([null, { status: 'pending', block: 3, index: 0 }, receipt]);
    const c = createModexClient({ transport: t, pollingInterval: 5 });
    expect(await c.waitForTransactionReceipt({ hash })).toEqual(receipt);
    expect(t.calls).toBe(3);
  });

  it('times out with what the node said last', async () => {
    const c = createModexClient({ transport: scripted([{ status: 'pending', block: 9, index: 2 }]) });
    const e = await c
      .waitForTransactionReceipt({ hash, timeout: 60, pollingInterval: 10 })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WaitForTransactionReceiptTimeoutError);
    expect(e).toMatchObject({ code: 'CLIENT_TIMEOUT', last: { status: 'pending', block: 9, index: 2 } });
    expect((e as Error).message).toBe(
      `transaction ${hash} not executed after 60 ms: pending at block 9, index 2`,
    );
    const unknown = createModexClient({ transport: scripted([null]) });
    await expect(
      unknown.waitForTransactionReceipt({ hash, timeout: 30, pollingInterval: 10 }),
    ).rejects.toThrow('the node does not know it');
  });
});
