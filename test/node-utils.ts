/**
 * Test helpers for the node: fast transaction signing (libsecp256k1 through the `secp256k1`
 * package, ≈ 80 µs a signature, vs ≈ 1 ms with viem's JS signer), JSON-RPC calls, and a sequencer
 * child process (sequencer-process.ts) that tests can kill.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, type Hex } from 'viem';
import { builtinAppBytes } from '../src/apps/sdk/builtin-apps.ts';
import { balanceQuery, TOKEN_CHAIN_ID, transferBody } from '../src/apps/token/client.ts';
import { WorkerExecutor } from '../src/node/block-worker.ts';

interface Secp256k1 {
  ecdsaSign(msg32: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(key: Uint8Array, compressed: boolean): Uint8Array;
}
const secp = createRequire(import.meta.url)('secp256k1') as Secp256k1;
const PREFIX = new TextEncoder().encode('\x19Ethereum Signed Message:\n32');

export interface FastAccount {
  key: Uint8Array;
  address: Hex;
}

/** A deterministic account from `seed`. */
export function fastAccount(seed: number): FastAccount {
  const key = keccak_256(new TextEncoder().encode(`modex test account ${seed}`));
  const pub = secp.publicKeyCreate(key, false);
  return { key, address: bytesToHex(keccak_256(pub.subarray(1)).subarray(12)) };
}

/** body ‖ r ‖ s ‖ v, as `signTx` of src/apps/sdk/client-common.ts makes it. */
export function fastSign(a: FastAccount, body: Uint8Array): Uint8Array {
  const signed = new Uint8Array(PREFIX.length + 32);
  signed.set(PREFIX);
  signed.set(keccak_256(body), PREFIX.length);
  const { signature, recid } = secp.ecdsaSign(keccak_256(signed), a.key);
  const out = new Uint8Array(body.length + 65);
  out.set(body);
  out.set(signature, body.length);
  out[body.length + 64] = 27 + recid;
  return out;
}

/** a token transfer (signed for `chainId`, default TOKEN_CHAIN_ID) */
export const fastTransfer = (
  a: FastAccount,
  to: Hex,
  amount: bigint,
  nonce: bigint,
  chainId?: bigint,
): Uint8Array => fastSign(a, transferBody(to, amount, { nonce, chainId }));

/** POSTs a JSON-RPC body (object or batch); returns the parsed response (undefined for 204). */
export async function rpcPost(url: string, body: unknown): Promise<unknown> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (r.status === 204) return undefined;
  return r.json();
}

/** One call; returns its `result` or throws an Error carrying the JSON-RPC `code`. */
export async function rpcCall<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = (await rpcPost(url, { jsonrpc: '2.0', id: 1, method, params })) as {
    result?: T;
    error?: { code: number; message: string };
  };
  if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as T;
}

export interface SequencerProcess {
  url: string;
  child: ChildProcess;
  /** the process's stderr so far */
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts sequencer-process.ts with `args`; resolves once it serves. */
export function startSequencerProcess(args: Record<string, unknown>): Promise<SequencerProcess> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'sequencer-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', process.env.MODEX_SEQ_DEBUG ? 'inherit' : 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c) => {
    err += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => {
      try {
        const { url } = JSON.parse(l) as { url: string };
        resolve({ url, child, stderr: () => err, exited });
      } catch (e) {
        reject(e);
      }
    });
    void exited.then((code) => reject(new Error(`sequencer process exited (${code}): ${err}`)));
  });
}

/** The built-in token app as the node loads it (a test fixture: the node itself knows no app). */
export const tokenApp = (): { name: string; bytes: Uint8Array } => ({
  name: 'token',
  bytes: builtinAppBytes('token'),
});

/** A block worker over the token app, at the tests' chain id (TOKEN_CHAIN_ID: what `transfer` signs for). */
export const tokenWorker = (): WorkerExecutor =>
  new WorkerExecutor({ app: tokenApp(), chainId: TOKEN_CHAIN_ID });

const big = (b: Uint8Array) => b.reduce((x, y) => (x << 8n) | BigInt(y), 0n);

/** A token balance through the node's generic query (token's query 0x10 ‖ address). */
export async function tokenBalance(
  node: { query(data: Uint8Array, block?: number): Promise<{ status: number; result: Uint8Array }> },
  a: Hex,
  block?: number,
): Promise<bigint> {
  const r = await node.query(balanceQuery(a), block);
  if (r.status !== 0) throw new Error(`balance query: status ${r.status}`);
  return big(r.result);
}
