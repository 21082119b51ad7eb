/**
 * A follower's read-only JSON-RPC (docs/node.md §2.1): the `RpcBackend` of a node that derives the
 * chain from L1 (a validator role: `Derivation` over an `AppChain`) rather than sequencing it. It
 * answers the sequencer's read methods from the derived chain, with the same block numbers (block n
 * = inbox position n, one block per inbox message) and the same `modex_getBlock` shape, and refuses
 * `modex_sendRawTransaction` (`FollowerReadOnlyError`, JSON-RPC −32004).
 *
 * What a follower cannot give as the sequencer does:
 * - only what L1 holds: no pending transactions, no open block (`modex_getNonce` "pending" is
 *   "latest", a receipt is never `pending`), and a block shows once its batch is on L1 and derived;
 * - `sealedAt` is the L1 block time of the message's inclusion (ms), not the sequencer's seal time;
 *   a block also carries `l1BlockNumber` and `l1TxHash`;
 * - transactions of delayed messages (an L1 user's transaction list) are not listed by hash, as on
 *   the sequencer (`txHashes: []`, their receipts by code in `receipts`).
 *
 * ```ts
 * const rpc = new FollowerRpc({ chain: appChain, sequencerUrl });
 * // derivation executes through rpc.executor, which records what DA resolved for each batch
 * const derivation = new Derivation({ inbox, executor: rpc.executor, da });
 * rpc.attach(derivation);
 * await startRpcServer(rpc, { port });   // startValidatorRole + startFollowerRpc do all this
 * ```
 */
import { bytesToHex, type Hex } from 'viem';
import type { WasmApp } from '../apps/sdk/app-runtime.ts';
import type { Withdrawal } from '../core/app.ts';
import { keccak256Hex } from '../crypto/keccak.ts';
import { batchMessage, decodeTxList, MESSAGE_KIND, messageTxList } from '../settlement/ethereum/message.ts';
import type { GlobalState } from '../vm/wasm/machine.ts';
import type { AppChain } from './app-chain.ts';
import type { AttestationSink } from './attestation-gossip.ts';
import type { DerivationExecutor, DerivedPosition, ExecuteContext } from './derivation.ts';
import { FollowerReadOnlyError, InvalidParamsError } from './errors.ts';
import type { Method, RpcBackend } from './rpc.ts';
import { withdrawalProofOf } from './sequencer.ts';
import type { StoredBlock } from './store.ts';

/**
 * The attested validator's transport method (docs/attested.md §7.1), served on its follower
 * JSON-RPC: `modex_submitAttestations([attestation, …])` → `{ added, known }`. Each signature goes
 * through the node's pool (registered key, signature over the pool's own digest); a refused one is
 * a −32602 error naming it, the others of the batch being kept.
 */
export function attestationMethods(sink: AttestationSink): Record<string, Method> {
  return {
    modex_submitAttestations: (_s, p) => {
      if (p.length !== 1)
        throw new InvalidParamsError(`expected 1 parameter (an array of attestations), got ${p.length}`);
      return sink.receive(p[0]);
    },
  };
}

/** What the follower needs of derivation: its derived positions (`Derivation` is one). */
export interface DerivedSource {
  /** positions derived */
  readonly head: bigint;
  entry(position: bigint | number): DerivedPosition | undefined;
}

/** A follower's block: the sequencer's `modex_getBlock` shape, plus where L1 carried it. */
export type FollowerBlock = StoredBlock & {
  txHashes: Hex[];
  message?: Hex;
  /** the L1 block and transaction that appended the message to the inbox */
  l1BlockNumber: number;
  l1TxHash: Hex;
};

export interface FollowerStatus {
  role: 'follower';
  /** the latest derived block (−1: none) */
  head: number;
  /** delayed messages among the derived blocks */
  delayedIncluded: number;
  /** transactions indexed by hash */
  transactions: number;
  /** where transactions go (null: not given to this node) */
  sequencer: string | null;
}

/** Per derived position: what the STF ran, as the sequencer's block shows it. */
interface PositionInfo {
  txHashes: Hex[];
  /** the sequencer's message of the block: `0x00 ‖ list` for a batch resolved through DA */
  message: Uint8Array;
  /** delayed messages at positions ≤ this one */
  delayedRead: number;
}

/**
 * The `RpcBackend` over a follower's derived chain. Give `executor` to `Derivation` (it executes on
 * `chain` and records what DA resolved for each batch), then `attach` the derivation: the derived
 * positions are indexed (transactions by hash) lazily, when a request needs them.
 */
export class FollowerRpc implements RpcBackend {
  readonly chain: AppChain;
  /** the executor to give `Derivation`: `chain`, recording each batch's resolved transaction list */
  readonly executor: DerivationExecutor;
  private derivation: DerivedSource | undefined;
  private readonly sequencerUrl: string | undefined;
  /** resolved[p]: the DA data behind the batch at position p (set on execute) */
  private readonly resolved: (Uint8Array | undefined)[] = [];
  /** info[p] for the positions indexed so far (a prefix of the derived ones) */
  private readonly info: PositionInfo[] = [];
  private readonly txs = new Map<Hex, { block: number; index: number }>();

  constructor(o: { chain: AppChain; derivation?: DerivedSource; sequencerUrl?: string }) {
    this.chain = o.chain;
    this.derivation = o.derivation;
    this.sequencerUrl = o.sequencerUrl;
    const chain = o.chain;
    this.executor = {
      get length() {
        return chain.length;
      },
      stateAt: (n: number): GlobalState => chain.stateAt(n),
      execute: (message: Uint8Array, ctx: ExecuteContext) => {
        this.resolved[chain.length] = ctx.resolved;
        return chain.execute(message, ctx);
      },
      truncate: (n: number) => {
        chain.truncate(n);
        this.dropFrom(n);
      },
    };
  }

  /** the derivation whose positions it serves (when not given to the constructor) */
  attach(derivation: DerivedSource): void {
    this.derivation = derivation;
  }

  get app(): WasmApp {
    return this.chain.app;
  }

  get chainId(): bigint {
    return this.chain.chainId;
  }

  get receiptNames(): readonly string[] {
    return this.app.receiptNames;
  }

  /** the latest derived block (−1 before the first) */
  get head(): number {
    return this.derived() - 1;
  }

  /** Refused: a follower sequences nothing. */
  async submit(_raw: Uint8Array): Promise<{ hash: Hex; block: number; index: number }> {
    throw new FollowerReadOnlyError(this.sequencerUrl);
  }

  /** An executed transaction's receipt (never pending: a follower sees only what L1 holds), or null. */
  receipt(hash: Hex): { status: string; code: number; block: number; index: number; stateRoot: Hex } | null {
    this.index();
    const t = this.txs.get(hash.toLowerCase() as Hex);
    if (!t) return null;
    const r = this.chain.runs[t.block]?.receipts;
    const code = r?.txs[t.index] ?? r?.message ?? 0;
    return {
      status: this.app.receiptName(code),
      code,
      block: t.block,
      index: t.index,
      stateRoot: this.stateRoot(t.block) as Hex,
    };
  }

  /** Derived block `n` in the sequencer's shape (null when not derived yet). */
  block(n: number, withMessage = false): FollowerBlock | null {
    if (!Number.isSafeInteger(n) || n < 0 || n >= this.derived()) return null;
    this.index();
    const e = this.derivation?.entry(n);
    const i = this.info[n];
    if (!e || !i) return null;
    const gs = this.chain.stateAt(n + 1);
    const r = this.chain.runs[n]?.receipts;
    const out: FollowerBlock = {
      number: n,
      kind: e.source === 'delayed' ? 'delayed' : 'batch',
      messageHash: keccak256Hex(i.message),
      stateRoot: bytesToHex(gs.bytes32[0]),
      sendRoot: bytesToHex(gs.bytes32[1]),
      receipts: r?.txs ?? [],
      txCount: i.txHashes.length,
      delayedRead: i.delayedRead,
      sealedAt: Number(e.l1Timestamp) * 1000,
      txHashes: [...i.txHashes],
      l1BlockNumber: Number(e.l1BlockNumber),
      l1TxHash: e.txHash,
    };
    if (r) out.status = r.message;
    if (e.source === 'delayed') out.delayedIndex = Number(e.sourceIndex);
    if (withMessage) out.message = bytesToHex(i.message);
    return out;
  }

  /** The state root after block `n` (default: the head; −1: genesis); undefined for a block not derived. */
  stateRoot(n = this.head): Hex | undefined {
    if (!Number.isSafeInteger(n) || n < -1 || n >= this.derived()) return undefined;
    return bytesToHex(this.chain.stateAt(n + 1).bytes32[0]);
  }

  /** `a`'s next nonce after the latest derived block ("pending" is the same: a follower has no mempool). */
  async nonceOf(a: Hex, _tag: 'latest' | 'pending' = 'latest'): Promise<bigint> {
    return this.app.nonceOf(this.rootAfter(undefined), a);
  }

  async query(data: Uint8Array, block?: number): Promise<{ status: number; result: Uint8Array }> {
    return this.app.query(this.rootAfter(block), data);
  }

  async withdrawals(from = 0n, block?: number): Promise<Withdrawal[]> {
    return this.app.withdrawals(this.rootAfter(block), from);
  }

  async withdrawalProof(
    index: bigint,
    block?: number,
  ): Promise<{ withdrawal: Withdrawal; proof: Hex[]; sendRoot: Hex }> {
    return withdrawalProofOf(this.app, this.chain.stateAt(this.positionAfter(block)), index);
  }

  status(): FollowerStatus {
    this.index();
    const n = this.derived();
    return {
      role: 'follower',
      head: n - 1,
      delayedIncluded: n === 0 ? 0 : (this.info[n - 1]?.delayedRead ?? 0),
      transactions: this.txs.size,
      sequencer: this.sequencerUrl ?? null,
    };
  }

  // -------------------------------------------------------------------------------------------

  /** positions derived and executed (derivation records an entry after executing it) */
  private derived(): number {
    const d = this.derivation;
    if (!d) return 0;
    return Math.min(Number(d.head), this.chain.length);
  }

  private positionAfter(n: number | undefined): number {
    const derived = this.derived();
    if (n === undefined) return derived;
    if (!Number.isSafeInteger(n) || n < -1 || n + 1 > derived)
      throw new InvalidParamsError(`block ${n} is not derived yet (head ${derived - 1})`);
    return n + 1;
  }

  private rootAfter(n: number | undefined): Uint8Array {
    return this.chain.stateAt(this.positionAfter(n)).bytes32[0];
  }

  /** Indexes the derived positions not indexed yet: their transactions by hash. */
  private index(): void {
    const d = this.derivation;
    if (!d) return;
    const to = this.derived();
    for (let p = this.info.length; p < to; p++) {
      const e = d.entry(p);
      if (!e) break;
      const before = p === 0 ? 0 : this.info[p - 1].delayedRead;
      if (e.source === 'delayed') {
        this.info.push({ txHashes: [], message: e.message, delayedRead: before + 1 });
        continue;
      }
      const resolved = this.resolved[p];
      // the sequencer's block message is `0x00 ‖ list`; what DA resolves is that list
      const message = resolved ? batchMessage(MESSAGE_KIND.l2Transactions, resolved) : e.message;
      const list = resolved ?? messageTxList(e.message);
      const raws = (list && decodeTxList(list)) ?? [];
      const txHashes = raws.map((raw) => keccak256Hex(raw));
      txHashes.forEach((h, index) => {
        if (!this.txs.has(h)) this.txs.set(h, { block: p, index });
      });
      this.resolved[p] = undefined; // kept in `message`
      this.info.push({ txHashes, message, delayedRead: before });
    }
  }

  /** Forgets positions ≥ n (an L1 reorg rewound derivation). */
  private dropFrom(n: number): void {
    this.resolved.length = Math.min(this.resolved.length, n);
    if (this.info.length <= n) return;
    for (const [h, t] of this.txs) if (t.block >= n) this.txs.delete(h);
    this.info.length = n;
  }
}
