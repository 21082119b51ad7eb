/**
 * The node's persistent store (docs/node.md §2): a small typed wrapper over an embedded LMDB
 * database (`lmdb`, whose native binary comes prebuilt in the optional package
 * `@lmdb/lmdb-linux-x64` etc., no install script needed), and the block store the sequencer
 * (and later the batcher) keeps in it.
 *
 * - `Store.open(dir)` opens one LMDB environment (one directory per role: `<dataDir>/<role>/store`);
 *   `store.table<V, K>(name)` is a named sub-database with msgpack values (Uint8Array values come
 *   back as Buffers) or raw bytes.
 * - Writes happen inside `store.write(() => { t.put(k, v); … })`: one atomic transaction that
 *   resolves once it is flushed to disk (so whatever the caller deletes afterwards, e.g. WAL
 *   segments, is no longer needed).
 */
import { mkdirSync } from 'node:fs';
import { type Database, open, type RootDatabase } from 'lmdb';
import type { Hex } from 'viem';

export type StoreKey = number | string | Uint8Array | (number | string)[];

export interface TableOptions {
  /** `uint32` for dense non-negative integer keys (block numbers); default ordered-binary */
  keyEncoding?: 'uint32' | 'ordered-binary';
  /** `binary` stores Uint8Array values as they are; default msgpack */
  encoding?: 'msgpack' | 'binary';
}

/** A named sub-database. `put`/`remove` only inside `Store.write`. */
export class Table<K extends StoreKey, V> {
  constructor(private readonly db: Database<V, K>) {}

  get(key: K): V | undefined {
    return this.db.get(key);
  }

  has(key: K): boolean {
    return this.db.doesExist(key);
  }

  put(key: K, value: V): void {
    void this.db.put(key, value);
  }

  remove(key: K): void {
    void this.db.remove(key);
  }

  /** entries with start ≤ key < end, ascending (or descending with `reverse`, then start > key ≥ end) */
  range(
    opts: { start?: K; end?: K; reverse?: boolean; limit?: number } = {},
  ): Iterable<{ key: K; value: V }> {
    return this.db.getRange(opts);
  }

  /** the entry with the largest key */
  last(): { key: K; value: V } | undefined {
    for (const e of this.db.getRange({ reverse: true, limit: 1 })) return e;
    // lmdb-js's reverse range over uint32 keys never yields key 0: a table whose only entry is
    // key 0 (a store with one block) looks empty that way
    for (const e of this.db.getRange({ limit: 1 })) return e;
    return undefined;
  }

  count(): number {
    return this.db.getCount();
  }
}

export class Store {
  private readonly tables = new Map<string, Table<StoreKey, unknown>>();

  private constructor(
    readonly path: string,
    private readonly root: RootDatabase,
  ) {}

  /** Opens (creating) the LMDB environment in directory `path`. */
  static open(path: string, opts: { mapSize?: number } = {}): Store {
    mkdirSync(path, { recursive: true });
    const root = open({ path, maxDbs: 32, compression: false, mapSize: opts.mapSize });
    return new Store(path, root);
  }

  table<V, K extends StoreKey = StoreKey>(name: string, opts: TableOptions = {}): Table<K, V> {
    let t = this.tables.get(name);
    if (!t) {
      const db = this.root.openDB<V, K>({
        name,
        keyEncoding: opts.keyEncoding ?? 'ordered-binary',
        encoding: opts.encoding ?? 'msgpack',
      });
      t = new Table(db) as unknown as Table<StoreKey, unknown>;
      this.tables.set(name, t);
    }
    return t as unknown as Table<K, V>;
  }

  /** Runs `fn` (its puts and removes) as one atomic transaction; resolves once it is on disk. */
  async write<T>(fn: () => T): Promise<T> {
    const out = await this.root.transaction(fn);
    await this.root.flushed;
    return out;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

/** A block as the node stores it (docs/node.md §1: block number = inbox position). */
export interface StoredBlock {
  /** inbox position */
  number: number;
  /** `batch`: a sequencer block (message kind 0x00); `delayed`: a delayed inbox message */
  kind: 'batch' | 'delayed';
  /** keccak256 of the message bytes */
  messageHash: Hex;
  /** global state after the block: state root (bytes32[0]) and send root (bytes32[1]) */
  stateRoot: Hex;
  sendRoot: Hex;
  /** message-level receipt status (docs/stf.md "Receipts"); undefined when the STF writes none */
  status?: number;
  /** one receipt status per transaction of a batch */
  receipts: number[];
  txCount: number;
  /** for a delayed block: its delayed inbox index */
  delayedIndex?: number;
  /** delayed messages included up to and including this block (Inbox.postBatch's delayedRead) */
  delayedRead: number;
  /** when the block was sealed (ms since the epoch) */
  sealedAt: number;
  /**
   * set for a block the sequencer took from L1 in a recovery (docs/node.md §2.2): a delayed message
   * a forced inclusion put there, or another writer's batch; the batcher never posts it
   */
  fromL1?: true;
}

/**
 * A transaction the sequencer acknowledged and a recovery displaced (docs/node.md §2.2): it was
 * at `block`/`index` (its soft confirmation) and is replayed, in order, through the admission.
 */
export interface DisplacedTx {
  raw: Uint8Array;
  hash: Hex;
  block: number;
  index: number;
}

/** An acknowledged transaction a recovery dropped: the app's admission refused it on L1's chain. */
export interface DroppedTx {
  /** where it was acknowledged */
  block: number;
  index: number;
  /** the app's refusal reason (its receipt name, e.g. `bad_nonce`) and code */
  reason: string;
  appCode: number;
  /** the inbox position L1 disagreed from */
  recoveredAt: number;
  /** when it was dropped (ms since the epoch) */
  droppedAt: number;
}

/** A recovery in progress, persisted with the truncation: L1's blocks to execute, the transactions to replay. */
export interface RecoveryRecord {
  /** the first position L1 disagreed with */
  from: number;
  /** L1's messages at `from`, `from + 1`, … (the sequencer's `L1Block`s) */
  l1: { kind: 'batch' | 'delayed'; message: Uint8Array; txs: Uint8Array[]; delayedIndex?: number }[];
  displaced: DisplacedTx[];
}

/** Agreed positions kept (`BlockStore.l1AgreedHistory`). */
export const L1_AGREED_KEPT = 16;

/** A position a check found L1 agreeing with, and L1's accumulator there (docs/node.md §2.2). */
export interface L1Agreed {
  /** positions [0, n) are the store's blocks on L1 */
  n: number;
  /** L1's acc(n) when checked */
  accumulator: Hex;
}

/** Where a transaction is: block and index, and its receipt status once executed. */
export interface StoredTx {
  block: number;
  index: number;
  status?: number;
}

/** Blocks, their messages and transactions, in a Store. */
export class BlockStore {
  private readonly blocks: Table<number, StoredBlock>;
  private readonly messages: Table<number, Uint8Array>;
  private readonly blockTxs: Table<number, Hex[]>;
  private readonly txs: Table<string, [number, number, number | null]>;
  private readonly meta: Table<string, unknown>;
  private readonly droppedTxs: Table<string, DroppedTx>;
  private headCache: number;
  /** called when a block written by `putBlock` is on disk, with the time it took (ms; the node's metrics) */
  onPut?: (ms: number) => void;

  constructor(readonly store: Store) {
    this.blocks = store.table('blocks', { keyEncoding: 'uint32' });
    this.messages = store.table('messages', { keyEncoding: 'uint32', encoding: 'binary' });
    this.blockTxs = store.table('blockTxs', { keyEncoding: 'uint32' });
    this.txs = store.table('txs');
    this.meta = store.table('meta');
    this.droppedTxs = store.table('dropped');
    const last = this.blocks.last();
    this.headCache = last ? last.key + 1 : 0;
  }

  static open(path: string): BlockStore {
    return new BlockStore(Store.open(path));
  }

  /** number of stored blocks = the next block's number (blocks are dense from 0) */
  get head(): number {
    return this.headCache;
  }

  /** delayed messages included by the stored blocks */
  get delayedRead(): number {
    return this.headCache === 0 ? 0 : this.block(this.headCache - 1)!.delayedRead;
  }

  /**
   * Appends block `b` (its number must be `head`) with its message and transaction hashes; `head`
   * moves at once, the promise resolves when the block is on disk. Blocks written one after the
   * other commit in order (so a caller may pipeline them).
   */
  putBlock(b: StoredBlock, message: Uint8Array, txHashes: Hex[]): Promise<void> {
    if (b.number !== this.headCache)
      return Promise.reject(new RangeError(`store: block ${b.number}, expected ${this.headCache}`));
    this.headCache = b.number + 1;
    const t0 = this.onPut ? performance.now() : 0;
    const written = this.store.write(() => {
      this.blocks.put(b.number, b);
      this.messages.put(b.number, message);
      this.blockTxs.put(b.number, txHashes);
      for (const [i, h] of txHashes.entries()) this.txs.put(h, [b.number, i, b.receipts[i] ?? null]);
    });
    const onPut = this.onPut;
    return onPut ? written.then(() => onPut(performance.now() - t0)) : written;
  }

  block(n: number): StoredBlock | undefined {
    return Number.isSafeInteger(n) && n >= 0 && n < 2 ** 32 ? this.blocks.get(n) : undefined;
  }

  message(n: number): Uint8Array | undefined {
    const m = this.messages.get(n);
    return m && new Uint8Array(m);
  }

  txHashes(n: number): Hex[] {
    return this.blockTxs.get(n) ?? [];
  }

  tx(hash: string): StoredTx | undefined {
    const t = this.txs.get(hash.toLowerCase());
    return t && { block: t[0], index: t[1], status: t[2] ?? undefined };
  }

  hasTx(hash: string): boolean {
    return this.txs.has(hash.toLowerCase());
  }

  /**
   * Drops the blocks from `n` on (their messages, transaction hashes and index entries) and records
   * `recovery` (the transactions to replay), in one transaction; `head` is `n` at once. No block
   * write may be in flight.
   */
  truncate(n: number, recovery: RecoveryRecord): Promise<void> {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.headCache)
      return Promise.reject(new RangeError(`store: cannot truncate to ${n} (head ${this.headCache})`));
    const head = this.headCache;
    this.headCache = n;
    return this.store.write(() => {
      for (let b = n; b < head; b++) {
        for (const h of this.blockTxs.get(b) ?? []) {
          const t = this.txs.get(h);
          if (t && t[0] === b) this.txs.remove(h);
        }
        this.blocks.remove(b);
        this.messages.remove(b);
        this.blockTxs.remove(b);
      }
      this.meta.put('recovery', recovery);
      // an agreed position above `n` described blocks that are gone
      const agreed = this.l1AgreedHistory.filter((x) => x.n <= n);
      this.meta.put('l1Agreed', agreed);
    });
  }

  /** the recovery in progress (its displaced transactions not all replayed yet), if any */
  get recovery(): RecoveryRecord | undefined {
    const r = this.meta.get('recovery') as RecoveryRecord | undefined;
    return (
      r && {
        ...r,
        l1: (r.l1 ?? []).map((b) => ({
          ...b,
          message: new Uint8Array(b.message),
          txs: b.txs.map((t) => new Uint8Array(t)),
        })),
        displaced: r.displaced.map((d) => ({ ...d, raw: new Uint8Array(d.raw) })),
      }
    );
  }

  /** Records the transactions a recovery dropped and ends it (its `recovery` record is removed). */
  endRecovery(dropped: [Hex, DroppedTx][]): Promise<void> {
    return this.store.write(() => {
      for (const [h, d] of dropped) this.droppedTxs.put(h.toLowerCase(), d);
      this.meta.remove('recovery');
    });
  }

  /** an acknowledged transaction a recovery dropped, with the reason */
  dropped(hash: string): DroppedTx | undefined {
    return this.droppedTxs.get(hash.toLowerCase());
  }

  /** the last position a check found L1 agreeing with (undefined when never checked) */
  get l1Agreed(): L1Agreed | undefined {
    return this.l1AgreedHistory.at(-1);
  }

  /**
   * The last {@link L1_AGREED_KEPT} agreed positions, ascending: a reorg below the last one is
   * checked from the newest one L1 still agrees with, not from genesis.
   */
  get l1AgreedHistory(): L1Agreed[] {
    const v = this.meta.get('l1Agreed');
    return Array.isArray(v) ? (v as L1Agreed[]) : [];
  }

  /** Records an agreed position (dropping those at or above it: they are superseded). */
  setL1Agreed(a: L1Agreed): Promise<void> {
    const kept = this.l1AgreedHistory.filter((x) => x.n < a.n);
    return this.setMeta('l1Agreed', [...kept, a].slice(-L1_AGREED_KEPT));
  }

  getMeta<T>(key: string): T | undefined {
    return this.meta.get(key) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.store.write(() => this.meta.put(key, value));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
