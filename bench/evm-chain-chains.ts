/**
 * The two chains `modex bench evm-chain` sends its ERC-20 workload to, behind one interface; both
 * are read and written through the Ethereum JSON-RPC only (`eth_sendRawTransaction`,
 * `eth_getTransactionReceipt`, `eth_getStorageAt`, `eth_getBalance`), so the same client code
 * checks both:
 *
 * - **modex**: a Sequencer running the built-in `evm` app with its block worker, and its JSON-RPC
 *   server with the app's Ethereum methods (src/apps/rpc-extensions.ts, docs/evm-rpc.md) in this
 *   process, as the sequencer role serves them, but no L1 (like `modex bench e2e --no-devnet`,
 *   without the batcher): accounts are funded by deposit messages (docs/evm.md §4: kind
 *   `0x01 ‖ to ‖ amount`) through the sequencer's delayed path.
 * - **anvil** (`src/l1/anvil.ts`, interval mining): accounts funded by `anvil_setBalance`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, type Hex, keccak256, numberToHex, pad, toHex } from 'viem';
import { rpcExtensionFor } from '../src/apps/rpc-extensions.ts';
import { builtinAppBytes } from '../src/apps/sdk/builtin-apps.ts';
import { ModexError } from '../src/core/errors.ts';
import { startAnvil } from '../src/l1/anvil.ts';
import { WorkerExecutor } from '../src/node/block-worker.ts';
import { type RpcServer, startRpcServer } from '../src/node/rpc.ts';
import { type DelayedMessageIn, Sequencer } from '../src/node/sequencer.ts';
import type { WalStats } from '../src/node/wal.ts';
import { depositMessage } from '../src/settlement/ethereum/message.ts';
import { rpcCall, rpcPost } from '../test/node-utils.ts';

/** The bench could not set up a chain or a transaction did not do what the workload expects. */
export class EvmChainBenchError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BENCH_EVM_CHAIN_FAILED', message, options);
  }
}

/** What became of one transaction. */
export type TxOutcome =
  | { status: 'success' | 'failure'; gasUsed: bigint; contractAddress?: Hex }
  /** no receipt: the chain did not execute it */
  | { status: 'missing' };

export interface BenchChain {
  readonly name: 'modex' | 'anvil';
  readonly url: string;
  /** credits `wei` to each address (modex: deposits through the delayed path; anvil: setBalance) */
  fund(addresses: Hex[], wei: bigint): Promise<void>;
  /** waits until the transactions of `last` (each lane's last) and all sent before are executed; returns that time (ms) */
  settled(last: Hex[]): Promise<number>;
  /** each transaction's receipt (after `settled`) */
  outcomes(hashes: Hex[]): Promise<TxOutcome[]>;
  /** the 32-byte word at `slot` of `contract`'s storage, after everything executed */
  storageAt(contract: Hex, slot: Hex): Promise<bigint>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

/** A Solidity `mapping(address => …)` entry's slot: keccak256(pad32(key) ‖ pad32(slot)). */
export const mappingSlot = (key: Hex, slot: bigint): Hex =>
  keccak256(concat([pad(key, { size: 32 }), pad(toHex(slot), { size: 32 })]));

type RpcAnswer<T> = { id: number; result?: T; error?: { code: number; message: string } };

/** `method` once per params, in JSON-RPC batches of 500; the results in order (an error throws). */
async function batchCall<T>(url: string, method: string, params: unknown[][]): Promise<(T | null)[]> {
  const out: (T | null)[] = [];
  for (let i = 0; i < params.length; i += 500) {
    const chunk = params.slice(i, i + 500);
    const rs = (await rpcPost(
      url,
      chunk.map((p, j) => ({ jsonrpc: '2.0', id: j, method, params: p })),
    )) as RpcAnswer<T>[];
    rs.sort((x, y) => x.id - y.id);
    for (const r of rs) {
      if (r.error) throw new EvmChainBenchError(`${url} ${method}: ${r.error.message} (${r.error.code})`);
      out.push(r.result ?? null);
    }
  }
  return out;
}

/** Reading a chain through the Ethereum JSON-RPC (the same code for both chains). */
abstract class EthChain {
  abstract readonly url: string;

  async outcomes(hashes: Hex[]): Promise<TxOutcome[]> {
    const rs = await batchCall<Record<string, string>>(
      this.url,
      'eth_getTransactionReceipt',
      hashes.map((h) => [h]),
    );
    return rs.map((rc) =>
      rc
        ? {
            status: rc.status === '0x1' ? 'success' : 'failure',
            gasUsed: BigInt(rc.gasUsed),
            contractAddress: (rc.contractAddress as Hex | null) ?? undefined,
          }
        : { status: 'missing' },
    );
  }

  async storageAt(contract: Hex, slot: Hex): Promise<bigint> {
    return BigInt(await rpcCall<Hex>(this.url, 'eth_getStorageAt', [contract, slot, 'latest']));
  }

  protected async balances(addresses: Hex[]): Promise<bigint[]> {
    return (
      await batchCall<Hex>(
        this.url,
        'eth_getBalance',
        addresses.map((a) => [a, 'latest']),
      )
    ).map((b) => BigInt(b ?? 0));
  }

  /** throws unless every address holds at least `wei` */
  protected async checkFunded(name: string, addresses: Hex[], wei: bigint): Promise<void> {
    const got = await this.balances(addresses);
    const i = got.findIndex((b) => b < wei);
    if (i >= 0)
      throw new EvmChainBenchError(
        `${name}: ${addresses[i]} holds ${got[i]} wei after it was funded with ${wei}`,
      );
  }
}

export interface ModexChainOptions {
  chainId: bigint;
  /** transactions per block (default 1,000) */
  maxTransactionsPerBlock?: number;
  /** largest block message, bytes (default 100,000) */
  maxBlockBytes?: number;
  /** a non-empty block seals this long after its first transaction (default 1,000 ms) */
  maxBlockAgeMs?: number;
  log?: (line: string) => void;
}

export class ModexChain extends EthChain implements BenchChain {
  readonly name = 'modex';
  private constructor(
    private readonly seq: Sequencer,
    /** the delayed source's messages (the sequencer polls this array) */
    private readonly deposits: DelayedMessageIn[],
    private readonly server: RpcServer,
    private readonly dataDir: string,
    /** the first sequencer error (it stops accepting transactions) */
    private readonly failure: { error?: unknown },
  ) {
    super();
  }

  get url(): string {
    return this.server.url;
  }

  static async open(opts: ModexChainOptions): Promise<ModexChain> {
    const log = opts.log ?? (() => {});
    const dataDir = mkdtempSync(join(tmpdir(), 'modex-bench-evm-chain-'));
    const failure: { error?: unknown } = {};
    const deposits: DelayedMessageIn[] = [];
    let seq: Sequencer | undefined;
    try {
      seq = await Sequencer.open({
        dataDir,
        executor: new WorkerExecutor({
          app: { name: 'evm', bytes: builtinAppBytes('evm') },
          chainId: opts.chainId,
        }),
        maxTransactionsPerBlock: opts.maxTransactionsPerBlock ?? 1000,
        maxBlockBytes: opts.maxBlockBytes ?? 100_000,
        maxBlockAgeMs: opts.maxBlockAgeMs ?? 1000,
        mempoolLimit: 100_000,
        delayed: () => deposits,
        delayedPollMs: 50,
        onError: (e) => {
          failure.error ??= e;
          log(`  modex sequencer: ${e}`);
        },
      });
      const eth = await rpcExtensionFor('evm', seq);
      if (!eth?.methods.eth_sendRawTransaction)
        throw new EvmChainBenchError(
          'the evm app has no Ethereum JSON-RPC extension (src/apps/rpc-extensions.ts)',
        );
      const server = await startRpcServer(seq, { port: 0, methods: eth.methods, upgrade: eth.upgrade });
      return new ModexChain(seq, deposits, server, dataDir, failure);
    } catch (e) {
      await seq?.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
  }

  private check(): void {
    if (this.failure.error)
      throw new EvmChainBenchError(`the modex sequencer stopped: ${this.failure.error}`, {
        cause: this.failure.error,
      });
  }

  async fund(addresses: Hex[], wei: bigint): Promise<void> {
    for (const a of addresses)
      this.deposits.push({ index: this.deposits.length, data: depositMessage(a, wei) });
    await this.seq.pollDelayed();
    const end = Date.now() + 120_000;
    while (this.seq.status().delayedIncluded < this.deposits.length) {
      this.check();
      if (Date.now() > end)
        throw new EvmChainBenchError(
          `modex: ${this.deposits.length - this.seq.status().delayedIncluded} deposits not included after 120 s`,
        );
      await sleep(20);
    }
    await this.seq.idle();
    await this.checkFunded('modex', addresses, wei);
  }

  /** the sequencer's write-ahead log counters (docs/node.md) */
  wal(): WalStats {
    return { ...this.seq.status().wal };
  }

  /** seals the open block and waits until every sealed block is executed and stored */
  async settled(_last: Hex[]): Promise<number> {
    this.check();
    this.seq.sealNow();
    await this.seq.idle();
    return now();
  }

  async close(): Promise<void> {
    try {
      await this.server.close();
      await this.seq.close();
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

export class AnvilChain extends EthChain implements BenchChain {
  readonly name = 'anvil';
  private constructor(
    readonly url: string,
    private readonly stop: () => Promise<void>,
  ) {
    super();
  }

  /**
   * Interval mining every `blockTimeS` seconds (the modex sequencer's block age): anvil's automine
   * falls behind under concurrent load (3,000 transfers from 64 clients: all acknowledged, ~200
   * mined, the rest left pending until something mines) and would never settle. Base fee 0, as on
   * the modex chain (docs/evm.md §4), which anvil then keeps constant (with the default 1 gwei and
   * EIP-1559 updates, full blocks raise it past the workload's 2 gwei fee cap).
   */
  static async open(opts: { chainId: bigint; blockTimeS?: number }): Promise<AnvilChain> {
    const l1 = await startAnvil({
      chainId: Number(opts.chainId),
      blockTime: opts.blockTimeS ?? 1,
      args: ['--block-base-fee-per-gas', '0'],
    });
    return new AnvilChain(l1.rpcUrl, () => l1.stop());
  }

  async fund(addresses: Hex[], wei: bigint): Promise<void> {
    await batchCall(
      this.url,
      'anvil_setBalance',
      addresses.map((a) => [a, numberToHex(wei)]),
    );
    await this.checkFunded('anvil', addresses, wei);
  }

  /** each lane's last transaction has a receipt once everything sent before it is mined */
  async settled(last: Hex[]): Promise<number> {
    const end = Date.now() + 60_000;
    for (;;) {
      const rs = await batchCall(
        this.url,
        'eth_getTransactionReceipt',
        last.map((h) => [h]),
      );
      if (rs.every((r) => r)) return now();
      if (Date.now() > end) throw new EvmChainBenchError('anvil: transactions not mined after 60 s');
      await sleep(5);
    }
  }

  close(): Promise<void> {
    return this.stop();
  }
}
