/**
 * The settlement-layer (L1) harness: an embedded anvil on a free loopback port, or an existing
 * JSON-RPC endpoint, behind one interface with viem clients, funded accounts and `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import {
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PrivateKeyAccount,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { accountsFromKeys, type DevAccount, devAccounts } from './accounts.ts';
import { anvilBinary } from './anvil-binary.ts';
import { AnvilStartError, L1UnreachableError } from './errors.ts';
import { track } from './process-registry.ts';

export type L1PublicClient = PublicClient<Transport, Chain>;
export type L1WalletClient = WalletClient<Transport, Chain, PrivateKeyAccount>;
export type L1TestClient = TestClient<'anvil', Transport, Chain>;

export interface L1 {
  rpcUrl: string;
  chainId: number;
  chain: Chain;
  /** True when this harness started the anvil process (and `stop()` kills it). */
  embedded: boolean;
  /** PID of the embedded anvil. */
  pid?: number;
  publicClient: L1PublicClient;
  /** Signs with accounts[0]. */
  walletClient: L1WalletClient;
  /** anvil cheat methods (setBalance, mine, snapshot...); only for anvil endpoints. */
  testClient: L1TestClient;
  /** Funded accounts: anvil's dev accounts, or the given private keys for an external RPC. */
  accounts: DevAccount[];
  /** Add `wei` to `address`'s balance (anvil: setBalance; otherwise a transfer from accounts[0]). */
  fund(address: Hex, wei: bigint): Promise<void>;
  /** Stops the embedded anvil (no-op for external endpoints). Idempotent. */
  stop(): Promise<void>;
}

export interface StartAnvilOptions {
  /** Chain id of the anvil chain (default 31337). */
  chainId?: number;
  /** Seconds between blocks; default: mine one block per transaction, instantly. */
  blockTime?: number;
  /** Extra command-line flags. */
  args?: string[];
  /** anvil's `--hardfork` (default prague: EIP-2537 BLS precompiles, EIP-4844 blobs) */
  hardfork?: string;
  /** How long to wait for anvil to answer (ms, default 20000). */
  timeoutMs?: number;
}

/** Starts anvil on 127.0.0.1 at a free port and waits until it answers `eth_chainId`. */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<L1> {
  const bin = anvilBinary();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--quiet',
      '--hardfork',
      opts.hardfork ?? 'prague',
      '--chain-id',
      String(opts.chainId ?? 31_337),
      '--disable-code-size-limit',
      '--gas-limit',
      '100000000',
      ...(opts.blockTime ? ['--block-time', String(opts.blockTime)] : []),
      ...(opts.args ?? []),
    ];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const output = captureOutput(child);
    const rpcUrl = `http://127.0.0.1:${port}`;
    try {
      const chainId = await waitForRpc(rpcUrl, child, opts.timeoutMs ?? 20_000);
      return makeL1({ rpcUrl, chainId, child, accounts: devAccounts() });
    } catch (e) {
      const out = output().trim();
      lastError =
        out && e instanceof AnvilStartError ? new AnvilStartError(`${e.message}; anvil said: ${out}`) : e;
      await killChild(child);
      if (!/address already in use/i.test(output())) break;
    }
  }
  throw lastError;
}

/** Connects to an existing JSON-RPC endpoint. Accounts: the given keys, else anvil's dev accounts. */
export async function connectL1(
  rpcUrl: string,
  opts: {
    privateKeys?: Hex[];
    timeoutMs?: number;
    /** how often viem polls (receipts, blocks); default 500 ms */
    pollingIntervalMs?: number;
  } = {},
): Promise<L1> {
  let chainId: number;
  try {
    chainId = await rpcChainId(rpcUrl, AbortSignal.timeout(opts.timeoutMs ?? 5_000));
  } catch (e) {
    throw new L1UnreachableError(
      `no JSON-RPC answer from ${rpcUrl} (eth_chainId): ${(e as Error).message}. Is the node running? ` +
        'Omit --rpc to start an embedded anvil instead.',
      { cause: e },
    );
  }
  const accounts = opts.privateKeys?.length ? accountsFromKeys(opts.privateKeys) : devAccounts();
  return makeL1({ rpcUrl, chainId, accounts, pollingInterval: opts.pollingIntervalMs });
}

/** `embedded` starts anvil; anything else is an RPC URL to connect to. */
export function openL1(rpcUrl: string | 'embedded' = 'embedded', opts: StartAnvilOptions = {}): Promise<L1> {
  return rpcUrl === 'embedded' ? startAnvil(opts) : connectL1(rpcUrl);
}

function makeL1(p: {
  rpcUrl: string;
  chainId: number;
  child?: ChildProcess;
  accounts: DevAccount[];
  pollingInterval?: number;
}): L1 {
  const { rpcUrl, chainId, child, accounts } = p;
  const chain = defineChain({
    id: chainId,
    name: child ? 'anvil (embedded)' : `settlement ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl, { retryCount: 0 });
  const pollingInterval = p.pollingInterval ?? (child ? 20 : 500);
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  const walletClient = createWalletClient({
    chain,
    transport,
    account: accounts[0].account,
    pollingInterval,
  });
  const testClient = createTestClient({ chain, transport, mode: 'anvil', pollingInterval });
  let stopped = false;
  return {
    rpcUrl,
    chainId,
    chain,
    embedded: child !== undefined,
    pid: child?.pid,
    publicClient,
    walletClient,
    testClient,
    accounts,
    async fund(address, wei) {
      if (child) {
        const balance = await publicClient.getBalance({ address });
        await testClient.setBalance({ address, value: balance + wei });
        return;
      }
      const hash = await walletClient.sendTransaction({ to: address, value: wei });
      await publicClient.waitForTransactionReceipt({ hash });
    },
    async stop() {
      if (stopped || !child) return;
      stopped = true;
      await killChild(child);
    },
  };
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. */
async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

async function waitForRpc(rpcUrl: string, child: ChildProcess, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once('error', (e) => {
    exit = `failed to spawn: ${e.message}`;
  });
  while (Date.now() < deadline) {
    if (exit) throw new AnvilStartError(`anvil ${exit} before answering on ${rpcUrl}`);
    try {
      return await rpcChainId(rpcUrl, AbortSignal.timeout(1_000));
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new AnvilStartError(`anvil did not answer eth_chainId on ${rpcUrl} within ${timeoutMs} ms`);
}

async function rpcChainId(rpcUrl: string, signal: AbortSignal): Promise<number> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal,
  });
  const body = (await res.json()) as { result?: string; error?: { message: string } };
  if (typeof body.result !== 'string') throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return Number(BigInt(body.result));
}

/** Keeps the last few KiB of the child's output (for error messages) and keeps its pipes drained. */
function captureOutput(child: ChildProcess): () => string {
  let buf = '';
  const onData = (d: Buffer) => {
    buf = (buf + d.toString()).slice(-4096);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => buf;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
