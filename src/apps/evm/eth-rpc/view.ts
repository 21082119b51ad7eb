/**
 * The Ethereum view of the modex EVM chain (docs/evm-rpc.md §3): Ethereum block `n ≥ 1` is modex
 * block `n − 1` (inbox position); block 0 is the genesis. A block's transactions are the applied
 * ones of its message (receipt status 0), each with the guest's result record; refused ones are
 * left out. Views are cached by number, each checked against its modex block's state root, so a
 * block a recovery rewrote is rebuilt (with every block above it).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type Hex, hexToBytes, parseTransaction, type TransactionSerialized } from 'viem';
import type { RpcBackend } from '../../../node/rpc.ts';
import { decodeTxList, messageTxList } from '../../../settlement/ethereum/message.ts';
import { EvmGuestError } from '../guest.ts';
import { EMPTY_TRIE_ROOT, trieRoot } from '../mpt.ts';
import { rlpEncode, uintBytes } from '../rlp.ts';
import { type EthHeader, headerHash, logsBloom, receiptEncoding } from './header.ts';
import { hex } from './params.ts';
import { parseTime, parseTxRecord, recordQuery, type TxRecord, timeQuery } from './records.ts';

export type ParsedTx = ReturnType<typeof parseTransaction>;

export interface TxView {
  hash: Hex;
  raw: Uint8Array;
  /** index among the block's applied transactions (Ethereum's transactionIndex) */
  index: number;
  /** index in the modex batch (the receipt's) */
  batchIndex: number;
  /** EIP-2718 type (0 legacy) */
  type: number;
  tx: ParsedTx;
  record: TxRecord;
  cumulativeGasUsed: bigint;
  /** the block-wide index of the transaction's first log */
  firstLogIndex: number;
  /** what the sender paid per gas: the legacy gas price, else min(maxFee, baseFee 0 + tip) */
  effectiveGasPrice: bigint;
}

export interface BlockView {
  number: number;
  hash: Hex;
  header: EthHeader;
  txs: TxView[];
  /** bytes of the block's RLP (header, transactions, no ommers, no withdrawals) */
  size: number;
  /** its modex block's state root (the cache's key) */
  key: string;
}

interface StoredBlockLike {
  stateRoot: Hex;
  receipts: number[];
  message?: Hex;
}

/** how many full views are kept (the chain of hashes is kept whole) */
const MAX_VIEWS = 1_024;

export class BlockViews {
  /** per Ethereum number: its hash and key (valid up to `chain.length − 1`) */
  private readonly chain: { hash: Hex; key: string }[] = [];
  private readonly views = new Map<number, BlockView>();
  private readonly byHash = new Map<Hex, number>();

  constructor(private readonly backend: RpcBackend) {}

  /** the latest Ethereum block number (the modex head + 1) */
  get head(): number {
    return this.backend.head + 1;
  }

  /**
   * the key of Ethereum block `n` now (undefined: not stored): its modex block's state root, which
   * commits to the block's result records (keyed by position) and the senders' nonces, so a block a
   * recovery rewrote has another (one read of the stored block, not its transaction hashes)
   */
  private keyOf(n: number): string | undefined {
    return this.backend.stateRoot(n - 1);
  }

  /** Ethereum block `n`, or null past the head. Builds are serialized (one chain of hashes). */
  block(n: number): Promise<BlockView | null> {
    const run = this.lock.then(() => this.blockNow(n));
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private lock: Promise<void> = Promise.resolve();

  private async blockNow(n: number): Promise<BlockView | null> {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.head) return null;
    // the highest block whose cached hash is still that of its modex block (a recovery may rewrite)
    let m = n;
    while (m >= 0 && !(this.chain[m] && this.chain[m].key === this.keyOf(m))) m--;
    if (m < this.chain.length - 1) this.truncate(m + 1);
    if (m === n) {
      const cached = this.views.get(n);
      if (cached) {
        this.remember(cached);
        return cached;
      }
      const v = await this.build(n);
      if (v) this.remember(v);
      return v;
    }
    let view: BlockView | null = null;
    for (let k = m + 1; k <= n; k++) {
      view = await this.build(k);
      if (!view) return null;
      this.chain[k] = { hash: view.hash, key: view.key };
      this.byHash.set(view.hash, k);
      this.remember(view);
    }
    return view;
  }

  /** The block with hash `h`, or null (unknown). */
  async blockByHash(h: Hex): Promise<BlockView | null> {
    let n = this.byHash.get(h);
    if (n === undefined) {
      // not seen yet: build the chain to the head, then look again
      await this.block(this.head);
      n = this.byHash.get(h);
    }
    if (n === undefined) return null;
    const v = await this.block(n);
    return v && v.hash === h ? v : null;
  }

  private truncate(from: number): void {
    for (let k = from; k < this.chain.length; k++) {
      this.byHash.delete(this.chain[k].hash);
      this.views.delete(k);
    }
    this.chain.length = from;
  }

  private remember(v: BlockView): void {
    this.views.delete(v.number);
    this.views.set(v.number, v);
    while (this.views.size > MAX_VIEWS) this.views.delete(this.views.keys().next().value as number);
  }

  private async build(n: number): Promise<BlockView | null> {
    if (n === 0) {
      const root = this.backend.stateRoot(-1);
      if (!root) return null;
      return assembleBlock(0, root, new Uint8Array(32), hexToBytes(root), []);
    }
    const p = n - 1;
    const b = this.backend.block(p, true) as StoredBlockLike | null;
    if (!b?.message) return null;
    const list = messageTxList(hexToBytes(b.message));
    const raws = (list && decodeTxList(list)) ?? [];
    const txs: TxView[] = [];
    let gas = 0n;
    let logIndex = 0;
    for (let i = 0; i < raws.length; i++) {
      if ((b.receipts[i] ?? -1) !== 0) continue;
      const r = await this.backend.query(recordQuery(p, i), p);
      if (r.status !== 0 || r.result.length === 0)
        throw new EvmGuestError(
          `no result record for transaction ${i} of modex block ${p} (the app is not the EVM guest's chain path v1, docs/evm.md §4)`,
        );
      const record = parseTxRecord(r.result);
      const raw = raws[i].slice();
      const tx = parseTransaction(hex(raw) as TransactionSerialized);
      gas += record.gasUsed;
      const price =
        tx.gasPrice !== undefined && tx.maxFeePerGas === undefined
          ? tx.gasPrice
          : min(tx.maxFeePerGas ?? 0n, tx.maxPriorityFeePerGas ?? 0n);
      txs.push({
        hash: hex(keccak_256(raw)),
        raw,
        index: txs.length,
        batchIndex: i,
        type: raw[0] < 0x7f ? raw[0] : 0,
        tx,
        record,
        cumulativeGasUsed: gas,
        firstLogIndex: logIndex,
        effectiveGasPrice: price,
      });
      logIndex += record.logs.length;
    }
    const parent = this.chain[n - 1];
    if (!parent) throw new EvmGuestError(`eth-rpc: block ${n} built before its parent`);
    // the time the block's transactions ran with (a tick block: the time it set)
    const t = await this.backend.query(timeQuery(), p);
    const timestamp = t.status === 0 ? parseTime(t.result) : 0n;
    return assembleBlock(n, b.stateRoot, hexToBytes(parent.hash), hexToBytes(b.stateRoot), txs, timestamp);
  }
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** A block view from its transactions (their records parsed, cumulative gas and first log index set). */
export function assembleBlock(
  n: number,
  key: string,
  parentHash: Uint8Array,
  stateRoot: Uint8Array,
  txs: TxView[],
  /** the chain's time in the block's state (docs/evm.md §4) */
  timestamp = 0n,
): BlockView {
  const bloom = new Uint8Array(256);
  const receipts: [Uint8Array, Uint8Array][] = [];
  for (const t of txs) {
    const b = logsBloom(t.record.logs);
    for (let i = 0; i < 256; i++) bloom[i] |= b[i];
    receipts.push([
      rlpEncode(uintBytes(BigInt(t.index))),
      receiptEncoding(t.type, t.record.success, t.cumulativeGasUsed, b, t.record.logs),
    ]);
  }
  const header: EthHeader = {
    parentHash,
    stateRoot,
    transactionsRoot: txs.length
      ? trieRoot(txs.map((t) => [rlpEncode(uintBytes(BigInt(t.index))), t.raw]))
      : EMPTY_TRIE_ROOT,
    receiptsRoot: txs.length ? trieRoot(receipts) : EMPTY_TRIE_ROOT,
    logsBloom: bloom,
    number: BigInt(n),
    gasUsed: txs.length ? txs[txs.length - 1].cumulativeGasUsed : 0n,
    timestamp,
  };
  const { hash, rlp } = headerHash(header);
  const size = rlpEncode([
    { raw: rlp },
    txs.map((t) => (t.type === 0 ? { raw: t.raw } : t.raw)),
    [],
    [],
  ]).length;
  return { number: n, hash: hex(hash), header, txs, size, key };
}
