/**
 * The sequencer (docs/node.md §2): accepts signed transactions, gives each a soft confirmation
 * `{ hash, block, index }` once it is in the write-ahead log and fsynced, orders them into blocks,
 * seals a block by age or size, executes it at the next inbox position with the STF (through a
 * `BlockExecutor`, e.g. an `AppChain`, or the block worker), and persists it in the store. The
 * sequencer never decodes a transaction: the app admits it (`modex_admit`, docs/app-abi.md §3)
 * against the head state and gives its sender and nonce; its hash is keccak256 of the raw bytes.
 *
 * ```ts
 * const seq = await Sequencer.open({ dataDir, executor: new AppChain({ app, chainId }), config,
 *   delayed: async () => (await inbox.pendingDelayed()).messages, onBlockSealed: (b) => batcher.post(b) });
 * const { hash, block, index } = await seq.submit(rawTx);
 * seq.receipt(hash);   // { status: 'pending', … } then { status: 'ok', code: 0, block, index, stateRoot }
 * ```
 *
 * - When to seal a block, whether a transaction fits one, and which delayed messages are forced in
 *   now are the sequencing module's rules (`Sequencing`, src/core/sequencing.ts: the roles create
 *   it through the registry from `sequencing.module`); the sequencer places transactions in arrival
 *   order (single sequencing's order), which is how a soft confirmation's index never changes.
 * - Block numbers are inbox positions. The open block's number is fixed when it opens, so a soft
 *   confirmation never changes: delayed messages (deposits, users' L1 transaction lists) are
 *   included, as blocks of their own and in delayed-inbox order, only while the open block is empty
 *   (right after a block seals, or when the poll finds new ones and no transaction is waiting).
 * - Every position assigned (a transaction's block and index, a delayed message's block) is first
 *   a WAL record: `type u8 ‖ block u64 ‖ index u32 ‖ bytes`. A block executes only once its
 *   records are durable; once it is in the store its WAL segments are deleted.
 * - Restart (`open` on the same data dir): the stored blocks are re-executed to rebuild the
 *   executor (their state roots must match), then the WAL's records past the store are replayed in
 *   order: every acknowledged transaction gets back its block and index.
 * - Recovery (`recover(from, l1Blocks)`, docs/node.md §2.2): when L1 holds other messages from
 *   position `from` on (a forced inclusion, a reorg under a posted batch), the sequencer seals and
 *   stores what it has, truncates its store to `from` (the displaced transactions are persisted with
 *   the truncation), restarts its WAL and its executor there, executes L1's blocks, and replays the
 *   displaced transactions in order through the app's admission: each gets a new block and index,
 *   or is dropped with the app's reason (`receipt(hash)`: `{ status: 'dropped', reason, … }`). A
 *   crash mid-recovery finishes the replay at the next `open`.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToHex, type Hex } from 'viem';
import type { WasmApp } from '../apps/sdk/app-runtime.ts';
import type { Receipts } from '../apps/sdk/run-app.ts';
import type { Withdrawal } from '../core/app.ts';
import type { OpenBlock as SealState, Sequencing } from '../core/sequencing.ts';
import { keccak256Hex } from '../crypto/keccak.ts';
import { EMPTY_BLOCK_BYTES, SingleSequencing, TX_PREFIX_BYTES } from '../sequencing/single/single.ts';
import {
  batchMessage,
  decodeTxList,
  encodeTxList,
  MESSAGE_KIND,
  messageTxList,
} from '../settlement/ethereum/message.ts';
import type { GlobalState } from '../vm/wasm/machine.ts';
import { hostKeccak256Hex } from '../vm/wasm/native.ts';
import {
  DuplicateTransactionError,
  InvalidParamsError,
  InvalidTransactionError,
  NodeStateError,
  SequencerBusyError,
  SequencerUnavailableError,
  TransactionRefusedByAppError,
} from './errors.ts';
import {
  BlockStore,
  type DisplacedTx,
  type DroppedTx,
  type RecoveryRecord,
  type StoredBlock,
} from './store.ts';
import { Wal, type WalReplay, type WalStats } from './wal.ts';

/** What a block's execution gives the sequencer. */
export interface BlockRun {
  globalState: GlobalState;
  receipts: Receipts | undefined;
  /** the message's keccak256, when the executor computed it */
  messageHash?: Hex;
}

/**
 * What the sequencer needs from an STF runner: an `AppChain` (app-chain.ts, on the sequencer's
 * thread) or a `WorkerExecutor` (block-worker.ts: in a worker thread, what the node runs).
 */
export interface BlockExecutor {
  /** messages executed = the next inbox position */
  readonly length: number;
  /** the chain id the app was given at genesis */
  readonly chainId: bigint;
  /**
   * The app, on the sequencer's thread, over a preimage store that holds the state after every
   * executed message: admission, queries, receipt names, withdrawals (docs/app-abi.md).
   */
  readonly app: WasmApp;
  /** Executes `message` at the next position. */
  execute(message: Uint8Array): BlockRun | Promise<BlockRun>;
  /** the global state after the first `n` messages (default all) */
  stateAt(n?: number): GlobalState;
  /** drops the messages from position `n` on (a recovery; without it the sequencer needs `newExecutor`) */
  truncate?(n: number): void | Promise<void>;
  /** called by `Sequencer.close` (e.g. stops the worker) */
  close?(): void | Promise<void>;
}

/** A delayed inbox message (e.g. an entry of `InboxClient.pendingDelayed().messages`). */
export interface DelayedMessageIn {
  /** its delayed inbox index */
  index: bigint | number;
  data: Uint8Array;
  /** L1 time it was sent (seconds): once the sequencing module says it is forced, the open block seals for it */
  l1Timestamp?: bigint;
}

/** Returns the delayed messages not yet included on L1 (those the sequencer already included are skipped by index). */
export type DelayedSource = () => Promise<readonly DelayedMessageIn[]> | readonly DelayedMessageIn[];

export interface SequencerOptions {
  /** the node's data directory; the sequencer uses `<dataDir>/sequencer/{store,wal}` */
  dataDir: string;
  /** a fresh executor (at genesis, nothing executed) */
  executor: BlockExecutor;
  /**
   * Another fresh executor, for a recovery when `executor` cannot truncate (a `WorkerExecutor`):
   * the old one is closed and the stored blocks below the recovery's position are executed again.
   */
  newExecutor?: () => BlockExecutor;
  /**
   * The sequencing module: when a block seals, whether a transaction fits, which delayed messages
   * are forced in (the roles create it through the registry, src/modules.ts). Default: single
   * sequencing over `config` and the overrides below (which apply only then).
   */
  sequencing?: Sequencing;
  /** the chain config's limits: vm.limits.maxTransactionsPerBlock, sequencing.batch.{maxBytes,maxAgeSeconds} */
  config?: {
    vm?: { limits?: { maxTransactionsPerBlock?: number } };
    sequencing?: { maxDelaySeconds?: number; batch?: { maxBytes?: number; maxAgeSeconds?: number } };
  };
  /** override of vm.limits.maxTransactionsPerBlock (default 1,000) */
  maxTransactionsPerBlock?: number;
  /** override of sequencing.batch.maxBytes: largest block message (default 100,000 bytes) */
  maxBlockBytes?: number;
  /** override of sequencing.batch.maxAgeSeconds × 1000: seal a non-empty block this long after its first tx */
  maxBlockAgeMs?: number;
  /** transactions acknowledged (or being acknowledged) but not yet in a stored block; beyond it `submit` is refused busy (default 10,000) */
  mempoolLimit?: number;
  /** pending delayed messages; polled at open and every `delayedPollMs` (default 1,000) */
  delayed?: DelayedSource;
  delayedPollMs?: number;
  /** called with each block once it is executed and persisted, in block order (not awaited) */
  onBlockSealed?: (b: SealedBlock) => void | Promise<void>;
  /** fatal errors (the sequencer stops accepting transactions); default console.error */
  onError?: (e: unknown) => void;
}

export interface SealedBlock extends StoredBlock {
  message: Uint8Array;
  txHashes: Hex[];
}

export interface SoftConfirmation {
  hash: Hex;
  block: number;
  index: number;
}

export type TxReceipt =
  | { status: 'pending'; block: number; index: number }
  | { status: string; code: number; block: number; index: number; stateRoot: Hex }
  /**
   * acknowledged at `block`/`index`, then dropped by a recovery from position `recoveredAt`: the
   * app's admission refused it on L1's chain (`reason`, `appCode`; docs/node.md §2.2)
   */
  | ({ status: 'dropped' } & DroppedTx);

/** One of L1's messages a recovery takes into the sequencer's chain (docs/node.md §2.2). */
export interface L1Block {
  kind: 'batch' | 'delayed';
  /** the message executed at its position (kind byte first): a batch's is `0x00 ‖ list` */
  message: Uint8Array;
  /** a batch's transactions (the list DA resolved), indexed by hash */
  txs: Uint8Array[];
  /** a delayed message's delayed inbox index */
  delayedIndex?: number;
}

/** What a recovery did. */
export interface RecoveryResult {
  /** the first position L1 disagreed with */
  from: number;
  /** L1's blocks executed from `from` on */
  adopted: number;
  /** displaced transactions placed again (new block and index) */
  replayed: number;
  /** displaced transactions dropped (the app refused them), with the reason */
  dropped: { hash: Hex; reason: string }[];
  /** displaced transactions L1 carried itself (in an adopted batch) */
  onL1: number;
}

export interface SequencerStatus {
  /** latest stored block (−1: none) */
  head: number;
  /** number of the open block */
  openBlock: number;
  openTxs: number;
  /** sealed blocks waiting to be executed and stored */
  queuedBlocks: number;
  /** transactions acknowledged (or being acknowledged) and not yet in a stored block */
  mempool: number;
  mempoolLimit: number;
  /** delayed messages included so far (assigned a position) */
  delayedIncluded: number;
  accepted: number;
  rejectedBusy: number;
  /** recoveries from L1 since open, and the transactions they dropped */
  recoveries: number;
  droppedTxs: number;
  wal: WalStats;
  limits: { maxTransactionsPerBlock: number; maxBlockBytes: number; maxBlockAgeMs: number };
}

// ---------------------------------------------------------------------------------------------
// transactions: the app admits them (docs/app-abi.md §3)

/** An admitted transaction. */
export interface AdmittedTx {
  raw: Uint8Array;
  /** keccak256 of the raw transaction bytes */
  hash: Hex;
  /** the replay key the app gave: its sender (lowercase) and nonce (absent for a WAL record the app now refuses) */
  sender?: Hex;
  nonce?: bigint;
}

// ---------------------------------------------------------------------------------------------
// WAL records: type u8 ‖ block u64 ‖ index u32 ‖ bytes

const REC_TX = 0;
const REC_DELAYED = 1;
const REC_HEADER = 13;

function encodeRecord(type: number, block: number, index: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(REC_HEADER + data.length);
  const dv = new DataView(out.buffer);
  out[0] = type;
  dv.setBigUint64(1, BigInt(block));
  dv.setUint32(9, index);
  out.set(data, REC_HEADER);
  return out;
}

function decodeRecord(p: Uint8Array): { type: number; block: number; index: number; data: Uint8Array } {
  if (p.length < REC_HEADER) throw new NodeStateError(`sequencer WAL: record of ${p.length} bytes`);
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return {
    type: p[0],
    block: Number(dv.getBigUint64(1)),
    index: dv.getUint32(9),
    data: p.subarray(REC_HEADER),
  };
}

// ---------------------------------------------------------------------------------------------

interface PendingTx {
  tx: AdmittedTx;
  block: number;
  index: number;
}

interface OpenBlock {
  number: number;
  txs: PendingTx[];
  /** the WAL append of its last transaction */
  durable?: Promise<void>;
  /** size of the block message so far: kind + count + (len + tx)* */
  bytes: number;
  firstAt: number;
}

/** Single sequencing from the options' config and overrides (a `Sequencer.open` without a module). */
function defaultSequencing(opts: SequencerOptions): Sequencing {
  const c = opts.config;
  return new SingleSequencing({
    sequencer: `0x${'00'.repeat(20)}`,
    maxDelaySeconds: c?.sequencing?.maxDelaySeconds ?? 86_400,
    maxTransactionsPerBlock: opts.maxTransactionsPerBlock ?? c?.vm?.limits?.maxTransactionsPerBlock ?? 1_000,
    maxBlockBytes: opts.maxBlockBytes ?? c?.sequencing?.batch?.maxBytes ?? 100_000,
    maxAgeSeconds:
      opts.maxBlockAgeMs === undefined
        ? (c?.sequencing?.batch?.maxAgeSeconds ?? 10)
        : opts.maxBlockAgeMs / 1000,
  });
}

type Job = (
  | { kind: 'batch'; number: number; txs: PendingTx[]; delayedRead: number; sealedAt: number }
  /** a batch of L1's taken in by a recovery (not the sequencer's own: never posted by it) */
  | {
      kind: 'l1';
      number: number;
      message: Uint8Array;
      hashes: Hex[];
      delayedRead: number;
      sealedAt: number;
    }
  | {
      kind: 'delayed';
      number: number;
      message: Uint8Array;
      delayedIndex: number;
      delayedRead: number;
      sealedAt: number;
      /** an L1 delayed message a recovery took in: its transactions' hashes (indexed) */
      hashes?: Hex[];
    }
) & {
  /** resolves when the job's WAL records are durable */
  durable?: Promise<void>;
};

export class Sequencer {
  /** the sequencing module's rules */
  readonly sequencing: Sequencing;
  readonly mempoolLimit: number;

  private open: OpenBlock;
  private readonly pending = new Map<Hex, PendingTx>();
  private readonly pendingNonces = new Map<Hex, { max: bigint; count: number }>();
  private readonly jobs: Job[] = [];
  private draining: Promise<void> | undefined;
  /** the store writes in flight, with what follows each (in block order) */
  private persisting: Promise<unknown> = Promise.resolve();
  /** blocks on disk */
  private storedHead: number;
  private delayedAssigned: number;
  private delayedCache: { index: number; data: Uint8Array; l1Timestamp?: bigint }[] = [];
  private polling: Promise<void> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly listeners = new Set<(b: SealedBlock) => void | Promise<void>>();
  private failed: unknown;
  private closed = false;
  private accepted = 0;
  private rejectedBusy = 0;
  /** set while a recovery runs: submissions wait for it, nothing seals or is included */
  private recovering: Promise<void> | undefined;
  private recoveries = 0;
  private droppedTxs = 0;

  private constructor(
    private readonly opts: SequencerOptions,
    readonly store: BlockStore,
    public wal: Wal,
    public executor: BlockExecutor,
  ) {
    this.sequencing = opts.sequencing ?? defaultSequencing(opts);
    this.mempoolLimit = opts.mempoolLimit ?? 10_000;
    this.open = { number: store.head, txs: [], bytes: EMPTY_BLOCK_BYTES, firstAt: 0 };
    this.storedHead = store.head;
    this.delayedAssigned = store.delayedRead;
    if (opts.onBlockSealed) this.listeners.add(opts.onBlockSealed);
  }

  /**
   * Opens the sequencer on `dataDir`: restores the stored blocks into the executor, replays the
   * WAL (acknowledged transactions not yet in a stored block), polls the delayed messages once,
   * and starts the block timer.
   */
  static async open(opts: SequencerOptions): Promise<Sequencer> {
    const root = join(opts.dataDir, 'sequencer');
    if (opts.executor.length !== 0)
      throw new NodeStateError(
        `sequencer: the executor must be fresh (it executed ${opts.executor.length} messages)`,
      );
    const store = BlockStore.open(join(root, 'store'));
    let wal: Wal | undefined;
    try {
      await reexecute(opts.executor, store, store.head);
      // a recovery cut short by a crash: every WAL record is in its displaced list or stored
      const unfinished = store.recovery;
      if (unfinished) await removeWal(join(root, 'wal'));
      const opened = await Wal.open(join(root, 'wal'));
      wal = opened.wal;
      const seq = new Sequencer(opts, store, opened.wal, opts.executor);
      seq.restore(opened.replay);
      if (unfinished) await seq.resume(unfinished);
      await seq.pollDelayed();
      seq.start();
      return seq;
    } catch (e) {
      await wal?.close();
      await store.close();
      await opts.executor.close?.();
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------
  // submitting

  /**
   * Accepts a signed transaction: checks it, assigns it the next index of the open block, appends
   * it to the WAL and resolves once that is fsynced (the soft confirmation).
   */
  async submit(raw: Uint8Array): Promise<SoftConfirmation> {
    this.checkUsable();
    if (this.recovering) {
      await this.recovering;
      this.checkUsable();
    }
    // shed load before spending a signature recovery on it
    if (this.pending.size >= this.mempoolLimit) {
      this.rejectedBusy++;
      throw new SequencerBusyError(this.mempoolLimit);
    }
    if (!this.sequencing.fits({ bytes: EMPTY_BLOCK_BYTES, transactions: 0, ageSeconds: 0 }, raw.length))
      throw new InvalidTransactionError(
        `${raw.length} bytes do not fit in a block of ${this.sequencing.limits.maxBlockBytes}`,
      );
    const hash = hostKeccak256Hex(raw);
    if (this.pending.has(hash) || this.store.hasTx(hash)) throw new DuplicateTransactionError(hash);
    const a = this.executor.app.admit(raw, this.executor.stateAt().bytes32[0], hash);
    if (!a.ok) throw new TransactionRefusedByAppError(a.reason, a.code);
    const tx: AdmittedTx = { raw, hash, sender: a.sender.toLowerCase() as Hex, nonce: a.nonce };
    if (this.open.txs.length > 0 && !this.sequencing.fits(this.sealState(), raw.length)) this.seal();
    const p = this.place(tx);
    const durable = this.wal.append(encodeRecord(REC_TX, p.block, p.index, raw));
    this.open.durable = durable;
    if (this.sequencing.shouldSeal(this.sealState())) this.seal();
    try {
      await durable;
    } catch (e) {
      this.fail(e);
      throw new SequencerUnavailableError('the write-ahead log failed', { cause: e });
    }
    this.accepted++;
    return { hash: tx.hash, block: p.block, index: p.index };
  }

  /** Seals the open block now (if it has transactions). */
  sealNow(): void {
    this.checkUsable();
    this.seal();
  }

  /** Resolves when every sealed block is executed and stored. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.failed) throw new SequencerUnavailableError('stopped after an error', { cause: this.failed });
  }

  /** Calls `fn` with every block stored from now on; returns the unsubscribe function. */
  subscribe(fn: (b: SealedBlock) => void | Promise<void>): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Polls the delayed source now (also done every `delayedPollMs`). */
  async pollDelayed(): Promise<void> {
    const src = this.opts.delayed;
    if (!src || this.closed || this.recovering) return;
    if (this.polling) return this.polling;
    this.polling = (async () => {
      try {
        const got = await src();
        const known = this.delayedAssigned + this.delayedCache.length;
        const fresh = got
          .map((m) => ({ index: Number(m.index), data: m.data, l1Timestamp: m.l1Timestamp }))
          .filter((m) => m.index >= known)
          .sort((a, b) => a.index - b.index);
        this.delayedCache.push(...fresh);
        this.includeDelayed();
      } catch (e) {
        (this.opts.onError ?? console.error)(e);
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  /** Stops the timers, waits for the sealed blocks to be stored, and closes the WAL and the store. The open block stays in the WAL. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.recovering;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.polling;
    while (this.draining) await this.draining;
    await this.wal.close();
    await this.store.close();
    await this.executor.close?.();
  }

  // -------------------------------------------------------------------------------------------
  // queries

  /** A transaction's receipt: pending (acknowledged, block not stored yet), executed, or null. */
  receipt(hash: string): TxReceipt | null {
    const h = hash.toLowerCase() as Hex;
    const p = this.pending.get(h);
    if (p) return { status: 'pending', block: p.block, index: p.index };
    const t = this.store.tx(h);
    if (!t) {
      const d = this.store.dropped(h);
      return d ? { status: 'dropped', ...d } : null;
    }
    const b = this.store.block(t.block)!;
    const code = t.status ?? b.status ?? 0;
    return {
      status: this.executor.app.receiptName(code),
      code,
      block: t.block,
      index: t.index,
      stateRoot: b.stateRoot,
    };
  }

  /** A stored block with its transaction hashes (and its message bytes with `withMessage`). */
  block(n: number, withMessage = false): (StoredBlock & { txHashes: Hex[]; message?: Hex }) | null {
    const b = n < this.storedHead ? this.store.block(n) : undefined;
    if (!b) return null;
    const out: StoredBlock & { txHashes: Hex[]; message?: Hex } = { ...b, txHashes: this.store.txHashes(n) };
    if (withMessage) out.message = bytesToHex(this.store.message(n)!);
    return out;
  }

  /** Stored block `n` with its message bytes and transaction hashes (what `onBlockSealed` gets), or undefined. */
  sealedBlock(n: number): SealedBlock | undefined {
    const b = n < this.storedHead ? this.store.block(n) : undefined;
    return b && { ...b, message: this.store.message(n)!, txHashes: this.store.txHashes(n) };
  }

  /**
   * Stops the sequencer on `reason` (e.g. its batcher cannot go on): it refuses transactions from
   * now on (−32000 over JSON-RPC), as after any fatal error; `close()` still closes it.
   */
  stop(reason: unknown): void {
    this.fail(reason);
  }

  /**
   * Re-executes from L1 (docs/node.md §2.2): L1 holds `l1Blocks` at positions `from`, `from + 1`, …
   * where the sequencer has other blocks (or none). Seals and stores what it has, truncates the
   * store to `from` (persisting the displaced transactions with it), restarts the WAL and the
   * executor there, executes L1's blocks, then replays the displaced transactions in their order
   * through the app's admission: each admitted one gets a new block and index, each refused one is
   * dropped with the app's reason (`receipt(hash)`). Submissions wait until it is done; a failure
   * stops the sequencer. A crash mid-way finishes the replay at the next `open`.
   */
  async recover(from: number, l1Blocks: readonly L1Block[]): Promise<RecoveryResult> {
    this.checkUsable();
    if (this.recovering) throw new NodeStateError('sequencer: a recovery is already running');
    let done!: () => void;
    this.recovering = new Promise<void>((r) => {
      done = r;
    });
    try {
      return await this.recoverNow(from, l1Blocks);
    } catch (e) {
      this.fail(e);
      throw e;
    } finally {
      this.recovering = undefined;
      done();
    }
  }

  /** The latest stored block's number (−1 before the first). */
  get head(): number {
    return this.storedHead - 1;
  }

  /** The state root after block `n` (default: the head); undefined for a block not stored. */
  stateRoot(n = this.head): Hex | undefined {
    if (n === -1) return bytesToHex(this.executor.stateAt(0).bytes32[0]);
    return n < this.storedHead ? this.store.block(n)?.stateRoot : undefined;
  }

  /** the chain id (given to the app at genesis, docs/app-abi.md §2) */
  get chainId(): bigint {
    return this.executor.chainId;
  }

  /** the app's receipt names, index = code ('' for an unnamed code) */
  get receiptNames(): readonly string[] {
    return this.executor.app.receiptNames;
  }

  /**
   * `a`'s next nonce (the SDK's nonce query, docs/app-abi.md §4): after the latest executed block,
   * or counting its acknowledged transactions (`pending`).
   */
  async nonceOf(a: Hex, tag: 'latest' | 'pending' = 'latest'): Promise<bigint> {
    const p = tag === 'pending' ? this.pendingNonces.get(a.toLowerCase() as Hex) : undefined;
    const n = this.executor.app.nonceOf(this.executor.stateAt().bytes32[0], a);
    return p && p.max + 1n > n ? p.max + 1n : n;
  }

  /** The app's answer to the query `data` (docs/app-abi.md §4) after block `block` (default: the latest executed). */
  async query(data: Uint8Array, block?: number): Promise<{ status: number; result: Uint8Array }> {
    return this.executor.app.query(this.rootAfter(block), data);
  }

  /** The withdrawals recorded in the state after `block` (default: the latest executed), from index `from`. */
  async withdrawals(from = 0n, block?: number): Promise<Withdrawal[]> {
    return this.executor.app.withdrawals(this.rootAfter(block), from);
  }

  /** Withdrawal `index` with its outbox proof against the send root after `block` (default: the latest executed). */
  async withdrawalProof(
    index: bigint,
    block?: number,
  ): Promise<{ withdrawal: Withdrawal; proof: Hex[]; sendRoot: Hex }> {
    return withdrawalProofOf(this.executor.app, this.executor.stateAt(this.positionAfter(block)), index);
  }

  /** the sequencing module's limits: transactions, bytes and age (ms) of a block */
  get limits(): SequencerStatus['limits'] {
    const l = this.sequencing.limits;
    return {
      maxTransactionsPerBlock: l.maxTransactionsPerBlock,
      maxBlockBytes: l.maxBlockBytes,
      maxBlockAgeMs: l.maxAgeSeconds * 1000,
    };
  }

  status(): SequencerStatus {
    return {
      head: this.head,
      openBlock: this.open.number,
      openTxs: this.open.txs.length,
      queuedBlocks: this.jobs.length,
      mempool: this.pending.size,
      mempoolLimit: this.mempoolLimit,
      delayedIncluded: this.delayedAssigned,
      accepted: this.accepted,
      rejectedBusy: this.rejectedBusy,
      recoveries: this.recoveries,
      droppedTxs: this.droppedTxs,
      wal: this.wal.stats,
      limits: this.limits,
    };
  }

  private rootAfter(n: number | undefined): Uint8Array {
    return this.executor.stateAt(this.positionAfter(n)).bytes32[0];
  }

  private positionAfter(n: number | undefined): number {
    if (n === undefined) return this.executor.length;
    if (!Number.isSafeInteger(n) || n < -1 || n + 1 > this.executor.length)
      throw new InvalidParamsError(`block ${n} is not executed (head ${this.executor.length - 1})`);
    return n + 1;
  }

  // -------------------------------------------------------------------------------------------
  // blocks

  private checkUsable(): void {
    if (this.closed) throw new SequencerUnavailableError('closed');
    if (this.failed) throw new SequencerUnavailableError('stopped after an error', { cause: this.failed });
  }

  /** the open block as the sequencing module sees it */
  private sealState(): SealState {
    const o = this.open;
    return {
      bytes: o.bytes,
      transactions: o.txs.length,
      ageSeconds: o.txs.length === 0 ? 0 : (Date.now() - o.firstAt) / 1000,
    };
  }

  private place(tx: AdmittedTx): PendingTx {
    const o = this.open;
    const p: PendingTx = { tx, block: o.number, index: o.txs.length };
    if (o.txs.length === 0) o.firstAt = Date.now();
    o.txs.push(p);
    o.bytes += TX_PREFIX_BYTES + tx.raw.length;
    this.pending.set(tx.hash, p);
    if (tx.sender === undefined || tx.nonce === undefined) return p;
    const n = this.pendingNonces.get(tx.sender);
    if (n) {
      n.count++;
      if (tx.nonce > n.max) n.max = tx.nonce;
    } else this.pendingNonces.set(tx.sender, { max: tx.nonce, count: 1 });
    return p;
  }

  /** Queues the open block for execution and opens the next one (no WAL, no delayed messages). */
  private closeOpen(): void {
    const o = this.open;
    if (o.txs.length === 0) return;
    this.jobs.push({
      kind: 'batch',
      number: o.number,
      txs: o.txs,
      delayedRead: this.delayedAssigned,
      sealedAt: Date.now(),
      durable: o.durable,
    });
    this.open = { number: o.number + 1, txs: [], bytes: EMPTY_BLOCK_BYTES, firstAt: 0 };
  }

  private seal(): void {
    if (this.open.txs.length === 0) return;
    this.closeOpen();
    this.includeDelayed();
    this.wal.rotate(this.open.number);
    void this.drain();
  }

  /** While the open block is empty: gives the cached delayed messages the next positions, in order. */
  private includeDelayed(): void {
    if (this.open.txs.length > 0 || this.failed || this.closed || this.recovering) return;
    let n = 0;
    while (this.delayedCache.length > 0) {
      const m = this.delayedCache[0];
      if (m.index < this.delayedAssigned) {
        this.delayedCache.shift();
        continue;
      }
      if (m.index > this.delayedAssigned) break; // a gap: wait for the source to fill it
      this.delayedCache.shift();
      const number = this.open.number;
      const durable = this.wal.append(encodeRecord(REC_DELAYED, number, m.index, m.data));
      this.delayedAssigned++;
      this.jobs.push({
        kind: 'delayed',
        number,
        message: m.data,
        delayedIndex: m.index,
        delayedRead: this.delayedAssigned,
        sealedAt: Date.now(),
        durable,
      });
      this.open.number++;
      n++;
    }
    if (n > 0) {
      this.wal.rotate(this.open.number);
      void this.drain();
    }
  }

  /** Rebuilds the open block and the queued blocks from the WAL records past the store. */
  private restore(replay: WalReplay): void {
    for (const { payload } of replay.records) {
      const r = decodeRecord(payload);
      if (r.block < this.store.head) continue; // already stored; its segment was not deleted yet
      if (r.type === REC_TX) {
        if (r.block !== this.open.number) this.closeOpen();
        if (r.block !== this.open.number || r.index !== this.open.txs.length)
          throw new NodeStateError(
            `sequencer WAL: transaction at block ${r.block} index ${r.index}, expected block ${this.open.number} index ${this.open.txs.length}`,
          );
        this.place(this.readmit(new Uint8Array(r.data)));
      } else if (r.type === REC_DELAYED) {
        this.closeOpen();
        if (r.block !== this.open.number || r.index !== this.delayedAssigned)
          throw new NodeStateError(
            `sequencer WAL: delayed message ${r.index} at block ${r.block}, expected ${this.delayedAssigned} at ${this.open.number}`,
          );
        this.delayedAssigned++;
        this.jobs.push({
          kind: 'delayed',
          number: r.block,
          message: new Uint8Array(r.data),
          delayedIndex: r.index,
          delayedRead: this.delayedAssigned,
          sealedAt: Date.now(),
        });
        this.open.number++;
      } else throw new NodeStateError(`sequencer WAL: unknown record type ${r.type}`);
    }
    if (this.open.txs.length > 0) this.open.firstAt = Date.now();
    if (this.sequencing.shouldSeal(this.sealState())) this.closeOpen();
    this.wal.rotate(Math.max(this.wal.segment, this.open.number));
    void this.drain();
  }

  private async recoverNow(from: number, l1Blocks: readonly L1Block[]): Promise<RecoveryResult> {
    if (!this.executor.truncate && !this.opts.newExecutor)
      throw new NodeStateError(
        'sequencer: the executor cannot truncate and no newExecutor was given: cannot re-execute from L1',
      );
    // 1. everything acknowledged goes into the store (the open block seals, the queue drains)
    await this.polling;
    this.closeOpen();
    void this.drain();
    while (this.draining) await this.draining;
    if (this.failed) throw this.failed;
    if (!Number.isSafeInteger(from) || from < 0 || from > this.storedHead)
      throw new NodeStateError(`sequencer: cannot recover from position ${from} (head ${this.storedHead})`);
    // 2. the displaced transactions, in their order, less those L1 carries itself
    const onL1 = new Set<Hex>();
    const adopted = l1Blocks.map((b) => ({ ...b, hashes: b.txs.map((t) => keccak256Hex(t)) }));
    for (const b of adopted) for (const h of b.hashes) onL1.add(h);
    const displaced: DisplacedTx[] = [];
    let carried = 0;
    for (let n = from; n < this.storedHead; n++) {
      // every transaction indexed (the sequencer's, or one an earlier recovery took from L1)
      const hashes = this.store.txHashes(n);
      if (hashes.length === 0) continue;
      const raws = decodeTxList(messageTxList(this.store.message(n)!) ?? new Uint8Array()) ?? [];
      for (const [index, hash] of hashes.entries()) {
        const raw = raws[index];
        if (!raw || keccak256Hex(raw) !== hash)
          throw new NodeStateError(
            `sequencer: stored block ${n} does not hold transaction ${hash} at ${index}`,
          );
        if (onL1.has(hash)) carried++;
        else displaced.push({ raw, hash, block: n, index });
      }
    }
    // 3. truncate (with the list, atomically), restart the WAL and the executor at `from`
    await this.store.truncate(from, { from, l1: l1Blocks.map((b) => ({ ...b })), displaced });
    await this.resetWal();
    await this.rewindExecutor(from);
    this.pending.clear();
    this.pendingNonces.clear();
    this.storedHead = from;
    this.delayedAssigned = this.store.delayedRead;
    this.delayedCache = [];
    this.open = { number: from, txs: [], bytes: EMPTY_BLOCK_BYTES, firstAt: 0 };
    this.recoveries++;
    // 4. L1's blocks at their positions
    await this.adopt(l1Blocks);
    // 5. the displaced transactions, in order, through the admission
    const r = await this.replay(displaced, from);
    return { from, adopted: adopted.length, ...r, onL1: carried };
  }

  /** Executes and stores L1's blocks at the next positions (no WAL: L1 has them). */
  private async adopt(l1Blocks: readonly L1Block[]): Promise<void> {
    for (const b of l1Blocks) {
      const number = this.open.number++;
      const hashes = b.txs.map((t) => keccak256Hex(t));
      if (b.kind === 'delayed') {
        if (b.delayedIndex !== this.delayedAssigned)
          throw new NodeStateError(
            `sequencer: L1's delayed message ${b.delayedIndex} at ${number}, expected ${this.delayedAssigned}`,
          );
        this.delayedAssigned++;
        this.jobs.push({
          kind: 'delayed',
          number,
          message: b.message,
          delayedIndex: b.delayedIndex,
          delayedRead: this.delayedAssigned,
          sealedAt: Date.now(),
          hashes,
        });
      } else
        this.jobs.push({
          kind: 'l1',
          number,
          message: b.message,
          hashes,
          delayedRead: this.delayedAssigned,
          sealedAt: Date.now(),
        });
    }
    this.wal.rotate(this.open.number);
    await this.drain();
    if (this.failed) throw this.failed;
  }

  /**
   * Finishes a recovery a crash cut short (its record is in the store; the WAL was deleted): L1's
   * blocks not stored yet, then the replay (skipping what is already placed or stored).
   */
  private async resume(rec: RecoveryRecord): Promise<void> {
    this.recoveries++;
    const stored = this.storedHead - rec.from;
    // the replay starts once every L1 block is stored: fewer stored means none was replayed yet
    if (stored < rec.l1.length) await this.adopt(rec.l1.slice(stored));
    await this.replay(rec.displaced, rec.from);
  }

  /**
   * Places the displaced transactions again, in order, through the app's admission against the
   * state they now follow; records the refused ones as dropped and ends the recovery once every
   * placed one is in the WAL. Skips those already placed or stored (a replay resumed after a crash).
   */
  private async replay(
    displaced: readonly DisplacedTx[],
    from: number,
  ): Promise<{ replayed: number; dropped: { hash: Hex; reason: string }[] }> {
    const dropped: [Hex, DroppedTx][] = [];
    let replayed = 0;
    for (const d of displaced) {
      if (this.pending.has(d.hash) || this.store.hasTx(d.hash)) continue;
      const a = this.executor.app.admit(d.raw, this.executor.stateAt().bytes32[0], d.hash);
      if (!a.ok) {
        dropped.push([
          d.hash,
          {
            block: d.block,
            index: d.index,
            reason: a.reason,
            appCode: a.code,
            recoveredAt: from,
            droppedAt: Date.now(),
          },
        ]);
        continue;
      }
      const tx: AdmittedTx = {
        raw: d.raw,
        hash: d.hash,
        sender: a.sender.toLowerCase() as Hex,
        nonce: a.nonce,
      };
      if (this.open.txs.length > 0 && !this.sequencing.fits(this.sealState(), d.raw.length)) this.seal();
      const p = this.place(tx);
      this.open.durable = this.wal.append(encodeRecord(REC_TX, p.block, p.index, d.raw));
      if (this.sequencing.shouldSeal(this.sealState())) this.seal();
      replayed++;
    }
    await this.wal.sync();
    await this.store.endRecovery(dropped);
    this.droppedTxs += dropped.length;
    return { replayed, dropped: dropped.map(([hash, d]) => ({ hash, reason: d.reason })) };
  }

  /** Deletes the WAL (every record is stored or in the recovery's list) and opens an empty one. */
  private async resetWal(): Promise<void> {
    const dir = join(this.opts.dataDir, 'sequencer', 'wal');
    const onFlush = this.wal.onFlush;
    await this.wal.close();
    await removeWal(dir);
    this.wal = (await Wal.open(dir)).wal;
    this.wal.onFlush = onFlush;
  }

  /** The executor at `n` messages: truncated, or a new one that executes the stored blocks again. */
  private async rewindExecutor(n: number): Promise<void> {
    if (this.executor.truncate) {
      await this.executor.truncate(n);
      return;
    }
    if (!this.opts.newExecutor)
      throw new NodeStateError(
        'sequencer: the executor cannot truncate and no newExecutor was given: cannot re-execute from L1',
      );
    await this.executor.close?.();
    this.executor = this.opts.newExecutor();
    await reexecute(this.executor, this.store, n);
  }

  /**
   * A transaction of the WAL, acknowledged before a restart: placed again whatever the app says
   * now; its replay key when the app still admits it (for the pending nonces).
   */
  private readmit(raw: Uint8Array): AdmittedTx {
    const a = this.executor.app.admit(raw, this.executor.stateAt().bytes32[0]);
    return a.ok
      ? { raw, hash: a.hash, sender: a.sender.toLowerCase() as Hex, nonce: a.nonce }
      : { raw, hash: a.hash };
  }

  private start(): void {
    const tick = Math.min(250, Math.max(5, Math.floor(this.limits.maxBlockAgeMs / 4)));
    this.timers.push(setInterval(() => this.tick(), tick).unref());
    if (this.opts.delayed)
      this.timers.push(setInterval(() => void this.pollDelayed(), this.opts.delayedPollMs ?? 1_000).unref());
  }

  private tick(): void {
    if (this.closed || this.failed || this.recovering) return;
    if (this.open.txs.length === 0) this.includeDelayed();
    else if (this.sequencing.shouldSeal(this.sealState()) || this.forcedWaiting()) this.seal();
  }

  /** A delayed message the sequencing module says must be included now is waiting (its L1 time known). */
  private forcedWaiting(): boolean {
    const timed = this.delayedCache.filter(
      (m): m is typeof m & { l1Timestamp: bigint } => m.l1Timestamp !== undefined,
    );
    if (timed.length === 0) return false;
    const now = BigInt(Math.floor(Date.now() / 1000));
    return this.sequencing.forcedMessages(timed, now).length > 0;
  }

  /**
   * Executes the queued blocks in order. A block executes once its WAL records are durable; its
   * store write is pipelined (the next block executes while it is flushed); once it is on disk its
   * transactions leave the mempool, its WAL segments are deleted and the listeners are called.
   */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      await null; // let `draining` hold this promise before the loop can end
      try {
        for (;;) {
          while (this.jobs.length > 0 && !this.failed) {
            const job = this.jobs[0];
            if (job.durable) await job.durable;
            const { block, message, txHashes } = await this.executeJob(job);
            this.jobs.shift();
            const written = this.store.putBlock(block, message, txHashes);
            this.persisting = Promise.all([this.persisting, written]).then(() =>
              this.afterStored(job, block, message, txHashes),
            );
            this.persisting.catch(() => {}); // handled when awaited below
            // let I/O (RPC requests, WAL and store completions) in between blocks
            await new Promise((r) => setImmediate(r));
          }
          await this.persisting;
          if (this.jobs.length === 0 || this.failed) break;
        }
      } catch (e) {
        this.fail(e);
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  private async executeJob(job: Job): Promise<{ block: StoredBlock; message: Uint8Array; txHashes: Hex[] }> {
    const message =
      job.kind === 'batch'
        ? batchMessage(MESSAGE_KIND.l2Transactions, encodeTxList(job.txs.map((p) => p.tx.raw)))
        : job.message;
    const txHashes = job.kind === 'batch' ? job.txs.map((p) => p.tx.hash) : (job.hashes ?? []);
    if (this.executor.length !== job.number)
      throw new NodeStateError(
        `sequencer: block ${job.number} but the executor is at ${this.executor.length}`,
      );
    const run = await this.executor.execute(message);
    const block: StoredBlock = {
      number: job.number,
      kind: job.kind === 'delayed' ? 'delayed' : 'batch',
      messageHash: run.messageHash ?? keccak256Hex(message),
      stateRoot: bytesToHex(run.globalState.bytes32[0]),
      sendRoot: bytesToHex(run.globalState.bytes32[1]),
      receipts: run.receipts?.txs ?? [],
      txCount: txHashes.length,
      delayedRead: job.delayedRead,
      sealedAt: job.sealedAt,
    };
    if (run.receipts) block.status = run.receipts.message;
    if (job.kind === 'delayed') block.delayedIndex = job.delayedIndex;
    if (job.kind === 'l1') block.fromL1 = true;
    return { block, message, txHashes };
  }

  private async afterStored(job: Job, b: StoredBlock, message: Uint8Array, txHashes: Hex[]): Promise<void> {
    this.storedHead = b.number + 1;
    if (job.kind === 'batch')
      for (const p of job.txs) {
        this.pending.delete(p.tx.hash);
        const sender = p.tx.sender;
        if (sender === undefined) continue;
        const n = this.pendingNonces.get(sender);
        if (n && --n.count === 0) this.pendingNonces.delete(sender);
      }
    this.notify({ ...b, message, txHashes });
    await this.wal.truncate(b.number + 1);
  }

  /** Hands a stored block to the listeners; called in block order, not awaited (a slow consumer, e.g. the batcher, queues on its side). */
  private notify(sealed: SealedBlock): void {
    const onError = this.opts.onError ?? console.error;
    for (const fn of this.listeners) {
      try {
        Promise.resolve(fn(sealed)).catch(onError);
      } catch (e) {
        onError(e);
      }
    }
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = e ?? new Error('unknown failure');
    (this.opts.onError ?? console.error)(e);
  }
}

/** Executes the stored blocks [0, n) on a fresh executor; each state root must match the store's. */
async function reexecute(executor: BlockExecutor, store: BlockStore, n: number): Promise<void> {
  if (executor.length !== 0)
    throw new NodeStateError(
      `sequencer: the executor must be fresh (it executed ${executor.length} messages)`,
    );
  for (let b = 0; b < n; b++) {
    const run = await executor.execute(store.message(b)!);
    const root = bytesToHex(run.globalState.bytes32[0]);
    if (root !== store.block(b)!.stateRoot)
      throw new NodeStateError(
        `sequencer: re-executing stored block ${b} gives state root ${root}, the store says ${store.block(b)!.stateRoot}`,
      );
  }
}

/** Deletes every WAL segment in `dir`, durably (the directory is fsynced). */
async function removeWal(dir: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no WAL yet
  }
  for (const n of names) if (/^\d{16}\.wal$/.test(n)) unlinkSync(join(dir, n));
  const fh = await openFile(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Withdrawal `index` with its outbox proof in the state `gs`, as JSON-RPC answers it (the sequencer's
 * and a follower's `modex_getWithdrawalProof`); an index past the outbox is an invalid parameter.
 */
export function withdrawalProofOf(
  app: WasmApp,
  gs: GlobalState,
  index: bigint,
): { withdrawal: Withdrawal; proof: Hex[]; sendRoot: Hex } {
  let p: ReturnType<WasmApp['withdrawalProof']>;
  try {
    p = app.withdrawalProof(gs, index);
  } catch (e) {
    if (e instanceof RangeError) throw new InvalidParamsError(e.message);
    throw e;
  }
  return {
    withdrawal: p.withdrawal,
    proof: p.proof.map((x) => bytesToHex(x)),
    sendRoot: bytesToHex(p.sendRoot),
  };
}
