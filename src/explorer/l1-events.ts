/**
 * The explorer's view of L1 (docs/explorer.md): every event of a chain's inbox, rollup and
 * challenge manager since the deployment block, read incrementally through the settlement clients
 * the node already has, decoded with the contracts' ABIs, plus the L1 blocks' times and the
 * transactions (sender, input size, gas, blob hashes) the explorer shows. Nothing here writes.
 *
 * A sync reads the logs of the blocks since the last one. When the last block read has another
 * hash now (an L1 reorg), everything is read again from the deployment block. Syncs are coalesced:
 * callers within `minIntervalMs` of the last one share it.
 */
import { type Abi, type Address, decodeEventLog, type Hex, type Log } from 'viem';
import type { L1PublicClient } from '../l1/anvil.ts';

/** The contracts whose events the explorer reads. */
export interface ExplorerContract {
  address: Address;
  abi: Abi;
}

export type ContractName = 'inbox' | 'rollup' | 'challenges';

/** One decoded event. */
export interface L1Event {
  contract: ContractName;
  name: string;
  args: Record<string, unknown>;
  blockNumber: bigint;
  logIndex: number;
  txHash: Hex;
}

/** What the explorer shows of an L1 transaction. */
export interface L1Tx {
  from: Address;
  /** calldata bytes */
  inputBytes: number;
  input: Hex;
  gasUsed: bigint;
  blobVersionedHashes: Hex[];
}

export interface L1EventsOptions {
  publicClient: L1PublicClient;
  contracts: Record<ContractName, ExplorerContract>;
  deployBlock: bigint;
  /** callers within this many ms of the last sync share it (default 400) */
  minIntervalMs?: number;
  /** most blocks per getLogs (default 5,000) */
  maxRange?: bigint;
}

export class L1Events {
  /** every event read, in L1 order */
  events: L1Event[] = [];
  /** bumps whenever `events` changes (views cache on it) */
  version = 0;
  /** the latest L1 block read */
  head = -1n;
  private headHash: Hex | undefined;
  private readonly times = new Map<bigint, Promise<bigint>>();
  private readonly txs = new Map<Hex, Promise<L1Tx>>();
  private syncing: Promise<void> | undefined;
  private lastSync = 0;
  private readonly byAddress: Map<string, { name: ContractName; abi: Abi }>;

  constructor(private readonly o: L1EventsOptions) {
    this.byAddress = new Map(
      (Object.entries(o.contracts) as [ContractName, ExplorerContract][]).map(([name, c]) => [
        c.address.toLowerCase(),
        { name, abi: c.abi },
      ]),
    );
  }

  /** Reads the events of the L1 blocks since the last sync (shared by callers close in time). */
  sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    if (Date.now() - this.lastSync < (this.o.minIntervalMs ?? 400)) return Promise.resolve();
    this.syncing = this.syncNow().finally(() => {
      this.lastSync = Date.now();
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    const pc = this.o.publicClient;
    // not viem's cached block number (its polling interval): a block mined just now must be read
    const latest = await pc.getBlockNumber({ cacheTime: 0 });
    if (this.headHash !== undefined) {
      const b = await pc.getBlock({ blockNumber: this.head }).catch(() => undefined);
      if (b?.hash !== this.headHash) {
        // L1 reorganised under what was read: read everything again
        this.events = [];
        this.head = -1n;
        this.headHash = undefined;
        this.times.clear();
        this.txs.clear();
        this.version++;
      }
    }
    let from = this.head < this.o.deployBlock ? this.o.deployBlock : this.head + 1n;
    if (from > latest) return;
    const range = this.o.maxRange ?? 5_000n;
    const added: L1Event[] = [];
    while (from <= latest) {
      const to = from + range - 1n < latest ? from + range - 1n : latest;
      const logs = await pc.getLogs({
        address: [...this.byAddress.keys()] as Address[],
        fromBlock: from,
        toBlock: to,
      });
      for (const log of logs) {
        const e = this.decode(log);
        if (e) added.push(e);
      }
      from = to + 1n;
    }
    const last = await pc.getBlock({ blockNumber: latest });
    this.head = latest;
    this.headHash = last.hash ?? undefined;
    if (added.length > 0) {
      added.sort((a, b) =>
        a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
      );
      this.events = this.events.concat(added);
      this.version++;
    }
  }

  private decode(log: Log): L1Event | undefined {
    const c = this.byAddress.get(log.address.toLowerCase());
    if (!c || log.blockNumber === null || log.transactionHash === null || log.logIndex === null) return;
    try {
      const d = decodeEventLog({ abi: c.abi, data: log.data, topics: log.topics });
      return {
        contract: c.name,
        name: String(d.eventName),
        args: (d.args ?? {}) as Record<string, unknown>,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
        txHash: log.transactionHash,
      };
    } catch {
      return undefined; // an event of another ABI (a library's): not the explorer's
    }
  }

  /** The time (seconds) of L1 block `n` (cached). */
  time(n: bigint): Promise<bigint> {
    let t = this.times.get(n);
    if (!t) {
      t = this.o.publicClient.getBlock({ blockNumber: n }).then((b) => b.timestamp);
      t.catch(() => this.times.delete(n));
      this.times.set(n, t);
    }
    return t;
  }

  /** Sender, calldata, gas and blob hashes of an L1 transaction (cached). */
  tx(hash: Hex): Promise<L1Tx> {
    let t = this.txs.get(hash);
    if (!t) {
      const pc = this.o.publicClient;
      t = Promise.all([pc.getTransaction({ hash }), pc.getTransactionReceipt({ hash })]).then(([tx, r]) => ({
        from: tx.from.toLowerCase() as Address,
        input: tx.input,
        inputBytes: (tx.input.length - 2) / 2,
        gasUsed: r.gasUsed,
        blobVersionedHashes: [...(tx.blobVersionedHashes ?? [])],
      }));
      t.catch(() => this.txs.delete(hash));
      this.txs.set(hash, t);
    }
    return t;
  }
}
