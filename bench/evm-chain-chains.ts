/**
 * The two chains `modex bench evm-chain` sends its ERC-20 workload to, behind one interface:
 *
 * - **modex**: a Sequencer running the EVM app (the built-in `evm` app, or the guest compiled from
 *   `guest/apps/evm/main.ts` while it is not shipped) with its block worker, and its JSON-RPC server
 *   (docs/node.md §2) in this process, no L1 (like `modex bench e2e --no-devnet`, without the
 *   batcher): accounts are funded by deposit messages (docs/evm.md chain path: kind `0x01 ‖ to ‖
 *   amount`) through the sequencer's delayed path. Transactions go in by `eth_sendRawTransaction`
 *   when the Ethereum JSON-RPC (docs/evm-rpc.md) is served, else `modex_sendRawTransaction` (the
 *   same raw bytes, the same soft confirmation). A transaction's outcome is its stf receipt plus the
 *   per-transaction result record (state key `0x12 ‖ position u64 ‖ index u32`); balances are the
 *   token's storage slots (query `0x11`).
 * - **anvil** (`src/l1/anvil.ts`): the same signed transactions through its `eth_sendRawTransaction`
 *   (automine), accounts funded by `anvil_setBalance`, outcomes from `eth_getTransactionReceipt`,
 *   balances by `eth_getStorageAt`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bytesToHex,
  concat,
  type Hex,
  hexToBigInt,
  hexToBytes,
  keccak256,
  numberToHex,
  pad,
  toHex,
} from 'viem';
import { evmGuestBytes } from '../src/apps/evm/guest.ts';
import { builtinAppBytes, isBuiltinApp } from '../src/apps/sdk/builtin-apps.ts';
import { ModexError } from '../src/core/errors.ts';
import { startAnvil } from '../src/l1/anvil.ts';
import { WorkerExecutor } from '../src/node/block-worker.ts';
import { type Method, type RpcServer, startRpcServer } from '../src/node/rpc.ts';
import { type DelayedMessageIn, Sequencer } from '../src/node/sequencer.ts';
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
  /** not applied: the chain refused it (modex receipt name, or anvil's missing receipt) */
  | { status: 'refused'; reason: string };

export interface BenchChain {
  readonly name: 'modex' | 'anvil';
  readonly url: string;
  /** the JSON-RPC method the load generator sends raw transactions with */
  readonly sendMethod: string;
  /** credits `wei` to each address (modex: deposits through the delayed path; anvil: setBalance) */
  fund(addresses: Hex[], wei: bigint): Promise<void>;
  /** waits until every transaction in `last` (each lane's last) and all before it are executed; returns that time (ms) */
  settled(last: Hex[]): Promise<number>;
  /** the outcome of each (after `settled`) */
  outcomes(hashes: Hex[]): Promise<TxOutcome[]>;
  /** the 32-byte word at `slot` of `contract`'s storage, after everything executed */
  storageAt(contract: Hex, slot: Hex): Promise<bigint>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Solidity `mapping(address => …)` entry's slot: keccak256(pad32(key) ‖ pad32(slot)). */
export const mappingSlot = (key: Hex, slot: bigint): Hex =>
  keccak256(concat([pad(key, { size: 32 }), pad(toHex(slot), { size: 32 })]));

// ---------------------------------------------------------------------------------------------

/** The EVM app's wasm: the shipped built-in `evm` app, else the guest compiled from source. */
export function evmAppBytes(): { bytes: Uint8Array; from: string } {
  const name: string = 'evm';
  if (isBuiltinApp(name)) return { bytes: builtinAppBytes(name), from: 'built-in app evm' };
  return { bytes: evmGuestBytes(), from: 'guest/apps/evm/main.ts (compiled)' };
}

/**
 * The Ethereum JSON-RPC methods for `backend`, when the EVM app's RPC extension exists
 * (src/apps/rpc-extensions.ts, docs/evm-rpc.md); undefined before it lands.
 */
async function ethMethodsFor(seq: Sequencer): Promise<Record<string, Method> | undefined> {
  const path = '../src/apps/evm/eth-rpc/index.ts';
  let mod: { ethRpcMethods?: (b: Sequencer) => Record<string, Method> };
  try {
    mod = await import(path);
  } catch {
    return undefined;
  }
  return mod.ethRpcMethods?.(seq);
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

export class ModexChain implements BenchChain {
  readonly name = 'modex';
  private constructor(
    private readonly seq: Sequencer,
    /** the delayed source's messages (the sequencer polls this array) */
    private readonly deposits: DelayedMessageIn[],
    private readonly server: RpcServer,
    private readonly dataDir: string,
    readonly sendMethod: string,
    /** the first sequencer error (it stops accepting transactions) */
    private readonly failure: { error?: unknown },
  ) {}

  get url(): string {
    return this.server.url;
  }

  static async open(opts: ModexChainOptions): Promise<ModexChain> {
    const log = opts.log ?? (() => {});
    const app = evmAppBytes();
    log(`  modex: the EVM app from ${app.from}`);
    const dataDir = mkdtempSync(join(tmpdir(), 'modex-bench-evm-chain-'));
    const failure: { error?: unknown } = {};
    const deposits: DelayedMessageIn[] = [];
    let seq: Sequencer | undefined;
    try {
      seq = await Sequencer.open({
        dataDir,
        executor: new WorkerExecutor({ app: { name: 'evm', bytes: app.bytes }, chainId: opts.chainId }),
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
      const eth = await ethMethodsFor(seq);
      const server = await startRpcServer(seq, { port: 0, methods: eth, maxBodyBytes: 8 << 20 });
      return new ModexChain(
        seq,
        deposits,
        server,
        dataDir,
        eth?.eth_sendRawTransaction ? 'eth_sendRawTransaction' : 'modex_sendRawTransaction',
        failure,
      );
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
    const first = this.deposits.length;
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
    // every deposit credited (account record, docs/evm.md §1: balance at bytes 28..60)
    for (const a of addresses) {
      const balance = await this.balance(a);
      if (balance < wei)
        throw new EvmChainBenchError(
          `modex: the deposit of ${wei} wei to ${a} left a balance of ${balance} (deposits ${first}…${this.deposits.length - 1}; the EVM app must credit kind 0x01 messages, docs/evm.md chain path)`,
        );
    }
  }

  private async balance(a: Hex): Promise<bigint> {
    const r = await this.seq.query(concat([hexToBytes('0x10'), hexToBytes(a)]) as Uint8Array);
    if (r.status !== 0 || r.result.length === 0) return 0n;
    return hexToBigInt(bytesToHex(r.result.subarray(28, 60)));
  }

  async settled(_last: Hex[]): Promise<number> {
    this.check();
    this.seq.sealNow();
    await this.seq.idle();
    return performance.timeOrigin + performance.now();
  }

  async outcomes(hashes: Hex[]): Promise<TxOutcome[]> {
    await this.settled([]);
    const out: TxOutcome[] = [];
    for (const h of hashes) {
      const r = this.seq.receipt(h);
      if (!r || !('code' in r)) {
        out.push({ status: 'refused', reason: r ? r.status : 'unknown transaction' });
        continue;
      }
      if (r.code !== 0) {
        out.push({ status: 'refused', reason: r.status });
        continue;
      }
      out.push(await this.record(r.block, r.index));
    }
    return out;
  }

  /** The result record (docs/evm.md chain path) of the transaction at `block`/`index`. */
  private async record(block: number, index: number): Promise<TxOutcome> {
    const key = new Uint8Array(13);
    const dv = new DataView(key.buffer);
    key[0] = 0x12;
    dv.setBigUint64(1, BigInt(block));
    dv.setUint32(9, index);
    const q = new Uint8Array(14);
    q[0] = 0x01;
    q.set(key, 1);
    const r = await this.seq.query(q);
    const rec = r.result;
    if (r.status !== 0 || rec.length < 53)
      return {
        status: 'refused',
        reason: `no result record at ${block}/${index} (query status ${r.status})`,
      };
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    const contract = rec.subarray(29, 49);
    return {
      status: rec[0] === 1 ? 'success' : 'failure',
      gasUsed: rv.getBigUint64(1),
      contractAddress: contract.some((b) => b !== 0) ? bytesToHex(contract) : undefined,
    };
  }

  async storageAt(contract: Hex, slot: Hex): Promise<bigint> {
    const r = await this.seq.query(concat([hexToBytes('0x11'), hexToBytes(contract), hexToBytes(slot)]));
    if (r.status !== 0) throw new EvmChainBenchError(`modex: slot query answered status ${r.status}`);
    return r.result.length === 0 ? 0n : hexToBigInt(bytesToHex(r.result));
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

// ---------------------------------------------------------------------------------------------

export class AnvilChain implements BenchChain {
  readonly name = 'anvil';
  readonly sendMethod = 'eth_sendRawTransaction';
  private constructor(
    readonly url: string,
    private readonly stop: () => Promise<void>,
  ) {}

  static async open(opts: { chainId: bigint }): Promise<AnvilChain> {
    const l1 = await startAnvil({ chainId: Number(opts.chainId) });
    return new AnvilChain(l1.rpcUrl, () => l1.stop());
  }

  async fund(addresses: Hex[], wei: bigint): Promise<void> {
    const rs = (await rpcPost(
      this.url,
      addresses.map((a, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'anvil_setBalance',
        params: [a, numberToHex(wei)],
      })),
    )) as { error?: { message: string } }[];
    const bad = rs.find((r) => r.error);
    if (bad) throw new EvmChainBenchError(`anvil_setBalance: ${bad.error?.message}`);
  }

  async settled(last: Hex[]): Promise<number> {
    const end = Date.now() + 60_000;
    for (;;) {
      const rs = (await rpcPost(
        this.url,
        last.map((h, j) => ({ jsonrpc: '2.0', id: j, method: 'eth_getTransactionReceipt', params: [h] })),
      )) as { result?: unknown }[];
      if (rs.every((r) => r.result)) return performance.timeOrigin + performance.now();
      if (Date.now() > end) throw new EvmChainBenchError('anvil: transactions not mined after 60 s');
      await sleep(5);
    }
  }

  async outcomes(hashes: Hex[]): Promise<TxOutcome[]> {
    const out: TxOutcome[] = [];
    for (let i = 0; i < hashes.length; i += 500) {
      const chunk = hashes.slice(i, i + 500);
      let rs: { id: number; result?: Record<string, string> | null }[] = [];
      // automine: mined as sent, but a receipt may trail the acknowledgment by a moment
      for (let tries = 0; tries < 200; tries++) {
        rs = (await rpcPost(
          this.url,
          chunk.map((h, j) => ({ jsonrpc: '2.0', id: j, method: 'eth_getTransactionReceipt', params: [h] })),
        )) as typeof rs;
        if (rs.every((r) => r.result)) break;
        await sleep(50);
      }
      rs.sort((a, b) => a.id - b.id);
      for (const r of rs) {
        const rc = r.result;
        if (!rc) out.push({ status: 'refused', reason: 'no receipt' });
        else
          out.push({
            status: rc.status === '0x1' ? 'success' : 'failure',
            gasUsed: BigInt(rc.gasUsed),
            contractAddress: (rc.contractAddress as Hex | null) ?? undefined,
          });
      }
    }
    return out;
  }

  async storageAt(contract: Hex, slot: Hex): Promise<bigint> {
    return BigInt(await rpcCall<Hex>(this.url, 'eth_getStorageAt', [contract, slot, 'latest']));
  }

  close(): Promise<void> {
    return this.stop();
  }
}
