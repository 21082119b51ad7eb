/**
 * Fuzzing (docs/fuzzing.md): random and mutated JSON-RPC bodies against a running server over a real
 * sequencer (the token app on an in-process AppChain, as rpc.test.ts sets one up): random JSON
 * values, requests with wrong types, huge and odd numbers, deep nesting, prototype names, batches
 * mixing good and bad requests and notifications, byte-level mutations of valid bodies (also invalid
 * UTF-8). Properties, per body: an HTTP answer (200, 204 for notifications only, 413 past the body
 * limit) within the request's deadline (no hang); a valid JSON-RPC 2.0 response (or a batch of
 * them: one per request that is not a notification, in order, with its id); error codes only from
 * docs/node.md §2 and never −32603 (internal) or −32000 (stopped); and the server keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzRng, fuzz, fuzzTimeout, mutate } from '../../test/fuzz/fuzz.ts';
import { fastAccount, fastTransfer, rpcCall } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { builtinAppBytes } from '../apps/sdk/builtin-apps.ts';
import { balanceQuery, depositMessage, TOKEN_CHAIN_ID } from '../apps/token/client.ts';
import { AppChain } from './app-chain.ts';
import { METHODS, type RpcServer, startRpcServer } from './rpc.ts';
import { Sequencer } from './sequencer.ts';

const alice = fastAccount(1);
const bob = fastAccount(2);
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
/** the codes of docs/node.md §2 a fuzzed request may get (−32603 and −32000 would be bugs here) */
const DOCUMENTED = new Set([-32700, -32600, -32601, -32602, -32003, -32005]);
const METHOD_NAMES = Object.keys(METHODS);
const ODD_METHODS = [
  '',
  'eth_call',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'modex_',
  'MODEX_CHAINID',
];
const NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '1.5',
  '1e3',
  '1e400',
  '-1e400',
  '9007199254740991',
  '9007199254740993',
  '18446744073709551616',
  '123456789012345678901234567890123456789',
  '4294967295',
  '2147483648',
  '0.0000001',
  '1E-400',
];
const STRINGS = [
  '',
  'latest',
  'pending',
  'earliest',
  '0x',
  '0x0',
  '0x00',
  '0xzz',
  '0x1',
  '0xffffffffffffffffffffffff',
  alice.address,
  `0x${'00'.repeat(32)}`,
  `0x${'ff'.repeat(32)}`,
  '\u0000',
  '\ud800',
  '💥',
  '__proto__',
];

/** random JSON text (as text, so numbers can be any literal) */
function value(rng: FuzzRng, depth = 0): string {
  const k = rng.int(depth > 3 ? 4 : 7);
  switch (k) {
    case 0:
      return rng.pick(NUMBERS);
    case 1:
      return JSON.stringify(
        rng.chance(0.6)
          ? rng.pick(STRINGS)
          : rng.chance(0.5)
            ? hex(rng.bytes(rng.int(80)))
            : 'x'.repeat(rng.int(3000)),
      );
    case 2:
      return rng.pick(['true', 'false', 'null']);
    case 3:
      return String(rng.int(5));
    case 4:
    case 5:
      return `[${Array.from({ length: rng.int(5) }, () => value(rng, depth + 1)).join(',')}]`;
    default:
      return `{${Array.from(
        { length: rng.int(4) },
        () =>
          `${JSON.stringify(rng.pick(['a', 'id', 'jsonrpc', 'method', 'params', '__proto__', 'constructor']))}:${value(rng, depth + 1)}`,
      ).join(',')}}`;
  }
}

/** a deeply nested value (arrays or objects), up to `max` levels */
function deep(rng: FuzzRng, max: number): string {
  const n = 1 + rng.int(max);
  return rng.chance(0.5) ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
}

let nonce = 0n;
/** a request that should work (or be refused by the app for a reason) */
function goodRequest(rng: FuzzRng, id: string): string {
  const calls: [string, unknown[]][] = [
    ['modex_chainId', []],
    ['modex_blockNumber', []],
    ['modex_getBlock', [0, rng.chance(0.5)]],
    ['modex_stateRoot', []],
    ['modex_getNonce', [alice.address, rng.pick(['latest', 'pending'])]],
    ['modex_query', [hex(balanceQuery(alice.address))]],
    ['modex_receiptNames', []],
    ['modex_getWithdrawals', [0]],
    ['modex_getWithdrawalProof', [0]],
    ['modex_status', []],
    ['modex_getTransactionReceipt', [`0x${'ab'.repeat(32)}`]],
    ['modex_sendRawTransaction', [hex(fastTransfer(alice, bob.address, 1n, nonce++))]],
  ];
  const [method, params] = rng.pick(calls);
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

/** a request with random pieces */
function oddRequest(rng: FuzzRng, id: string): string {
  const parts: string[] = [];
  if (rng.chance(0.9)) parts.push(`"jsonrpc":${rng.chance(0.85) ? '"2.0"' : value(rng, 3)}`);
  if (rng.chance(0.9)) parts.push(`"id":${rng.chance(0.7) ? id : value(rng, 3)}`);
  if (rng.chance(0.95))
    parts.push(
      `"method":${rng.chance(0.9) ? JSON.stringify(rng.chance(0.8) ? rng.pick(METHOD_NAMES) : rng.pick(ODD_METHODS)) : value(rng, 3)}`,
    );
  if (rng.chance(0.9))
    parts.push(
      `"params":${rng.chance(0.8) ? `[${Array.from({ length: rng.int(4) }, () => value(rng, 1)).join(',')}]` : rng.chance(0.5) ? deep(rng, 5000) : value(rng, 1)}`,
    );
  return `{${parts.join(',')}}`;
}

function body(rng: FuzzRng): string {
  const id = () => (rng.chance(0.5) ? String(rng.int(1000)) : JSON.stringify(`id-${rng.int(1000)}`));
  const req = () => (rng.chance(0.3) ? goodRequest(rng, `g${rng.int(1000)}`) : oddRequest(rng, id()));
  switch (rng.int(7)) {
    case 0:
      return req();
    case 1:
    case 2:
      return `[${Array.from({ length: 1 + rng.int(20) }, () => (rng.chance(0.85) ? req() : value(rng, 2))).join(',')}]`;
    case 3:
      return value(rng);
    case 4:
      return deep(rng, 300_000);
    default: {
      // byte-level mutation of a valid body (invalid JSON, invalid UTF-8, changed tokens)
      const valid = rng.chance(0.5)
        ? goodRequest(rng, '1')
        : `[${goodRequest(rng, '1')},${oddRequest(rng, '2')}]`;
      return Buffer.from(mutate(rng, new Uint8Array(Buffer.from(valid)))).toString('latin1');
    }
  }
}

type Res = {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
};

const isRequestObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const validId = (id: unknown) =>
  id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

/** a valid request without an id gets no response; an invalid one gets an error with id null (JSON-RPC 2.0 §5) */
const isNotification = (x: unknown): boolean =>
  isRequestObject(x) && !('id' in x) && x.jsonrpc === '2.0' && typeof x.method === 'string';

function checkResponse(r: Res, expectId?: unknown): string {
  expect(r.jsonrpc).toBe('2.0');
  expect('result' in r !== 'error' in r, 'exactly one of result and error').toBe(true);
  if (expectId !== undefined) expect(JSON.stringify(r.id)).toBe(JSON.stringify(expectId));
  if (r.error) {
    expect(typeof r.error.message).toBe('string');
    if (!DOCUMENTED.has(r.error.code as number))
      throw new Error(`error code ${r.error.code} (${r.error.message}) is not one a fuzzed request may get`);
    return String(r.error.code);
  }
  return 'result';
}

describe('fuzz: JSON-RPC server over a real sequencer', () => {
  const dirs: string[] = [];
  let seq: Sequencer;
  let srv: RpcServer;
  beforeAll(async () => {
    dirs.push(mkdtempSync(join(tmpdir(), 'modex-fuzz-rpc-')));
    seq = await Sequencer.open({
      dataDir: dirs[0],
      executor: new AppChain({ app: loadApp(builtinAppBytes('token'), 'token'), chainId: TOKEN_CHAIN_ID }),
      maxBlockAgeMs: 200,
      delayed: () => [{ index: 0, data: depositMessage(alice.address, 10n ** 20n) }],
      onError: () => {},
    });
    srv = await startRpcServer(seq);
  });
  afterAll(async () => {
    await srv?.close();
    await seq?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(
    'every body gets a valid JSON-RPC answer with a documented code; the server keeps serving',
    async () => {
      await fuzz('json-rpc', 800, async (rng, i, show) => {
        const text = body(rng);
        show(new Uint8Array(Buffer.from(text, 'latin1')));
        const r = await fetch(srv.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(text, 'latin1'),
          signal: AbortSignal.timeout(30_000),
        });
        const answer = await r.text();
        let outcome: string;
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.from(text, 'latin1').toString('utf8'));
        } catch {
          parsed = undefined;
        }
        if (r.status === 204) {
          expect(answer).toBe('');
          expect(Array.isArray(parsed) || isRequestObject(parsed), 'only notifications get no answer').toBe(
            true,
          );
          outcome = '204';
        } else {
          expect([200, 413], answer.slice(0, 200)).toContain(r.status);
          const json = JSON.parse(answer) as Res | Res[];
          if (Array.isArray(json)) {
            expect(Array.isArray(parsed)).toBe(true);
            const expected = (parsed as unknown[]).filter((x) => !isNotification(x));
            expect(json.length).toBe(expected.length);
            const codes = json.map((x, j) =>
              checkResponse(
                x,
                isRequestObject(expected[j]) && validId(expected[j].id) ? expected[j].id : null,
              ),
            );
            outcome = `batch (${[...new Set(codes)].sort().join(' ')})`;
          } else {
            outcome = checkResponse(json);
            if (parsed === undefined) expect(json.error?.code).toBe(-32700);
          }
        }
        if (i % 25 === 0) expect(await rpcCall(srv.url, 'modex_chainId')).toBeDefined();
        return outcome;
      });
      expect(await rpcCall(srv.url, 'modex_blockNumber')).toBeGreaterThanOrEqual(0);
    },
    fuzzTimeout(120_000),
  );
});
