/**
 * viem bindings of the settlement inbox (contracts/settlement/Inbox.sol, docs/inbox.md inbox v1):
 * deployment, the sequencer's batches, the delayed inbox and forced inclusion, and derivation's
 * reader (`readMessages`: the exact bytes at each position, batches from their transactions'
 * calldata, delayed messages from their events; §10).
 */
import {
  type Abi,
  type Address,
  bytesToHex,
  createWalletClient,
  decodeFunctionData,
  type Hex,
  hexToBytes,
  http,
  type Log,
  type PrivateKeyAccount,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import type { L1, L1PublicClient, L1WalletClient } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { InboxReadError, type SettlementContract, SettlementTxError, toSettlementError } from './errors.ts';
import { batchMessageOf, keccakHex, MESSAGE_KIND, type MessageSource } from './message.ts';

/** What the bindings need of an L1: a public client and a wallet (L1 has both). */
export interface L1Clients {
  publicClient: L1PublicClient;
  walletClient: L1WalletClient;
}

/** A wallet client of the L1's chain signing with `account` (e.g. `l1.accounts[1].account`). */
export function walletFor(l1: L1, account: PrivateKeyAccount): L1WalletClient {
  return createWalletClient({
    chain: l1.chain,
    transport: http(l1.rpcUrl, { retryCount: 0 }),
    account,
    pollingInterval: l1.walletClient.pollingInterval,
  });
}

/** A mined, successful settlement transaction. */
export interface TxResult {
  txHash: Hex;
  blockNumber: bigint;
  gasUsed: bigint;
  receipt: TransactionReceipt;
}

export interface InboxDeployment {
  address: Address;
  /** L1 block of the deployment: readers scan logs from here. */
  deployBlock: bigint;
}

/** Deploys Inbox(sequencer, maxDelaySeconds) from `from` (default the L1's first account), the inbox's deployer. */
export async function deployInbox(
  l1: L1,
  p: { sequencer: Address; maxDelaySeconds: bigint | number },
  opts: { from?: L1WalletClient } = {},
): Promise<InboxDeployment> {
  const artifact = await getArtifact('Inbox');
  let d: Awaited<ReturnType<typeof deploy>>;
  try {
    d = await deploy(l1, artifact, [p.sequencer, BigInt(p.maxDelaySeconds)], opts);
  } catch (e) {
    throw toSettlementError(e, 'Inbox', 'deploying Inbox', artifact.abi);
  }
  return { address: d.address, deployBlock: d.receipt.blockNumber };
}

let abiCache: Promise<Abi> | undefined;
/**
 * The inbox ABI (from the compiled artifact), with the errors of the committee's certificate
 * verifier (CommitteeKeysets, docs/committee.md §4) that postBatch of kind 0x03 bubbles up.
 */
export function inboxAbi(): Promise<Abi> {
  abiCache ??= (async () => {
    const [inbox, verifier] = await Promise.all([
      getArtifact('Inbox').then((a) => a.abi),
      getArtifact('CommitteeKeysets').then((a) => a.abi),
    ]);
    const names = new Set(inbox.filter((x) => x.type === 'error').map((x) => (x as { name: string }).name));
    const extra = verifier.filter((x) => x.type === 'error' && !names.has((x as { name: string }).name));
    return [...inbox, ...extra] as Abi;
  })();
  return abiCache;
}

/** Reads a contract view, mapping reverts to typed errors. */
export async function readContractTx<T>(
  c: L1Clients,
  contract: SettlementContract,
  call: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[] },
): Promise<T> {
  try {
    return (await c.publicClient.readContract({ ...call, args: call.args ?? [] })) as T;
  } catch (e) {
    throw toSettlementError(e, contract, `${contract}.${call.functionName}`);
  }
}

/** Sends a contract call, waits for it and maps reverts to typed errors. */
export async function sendContractTx(
  c: L1Clients,
  contract: SettlementContract,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint },
  /** extra transaction fields, e.g. an EIP-4844 transaction's `blobs`, `kzg`, `maxFeePerBlobGas` */
  extra?: Record<string, unknown>,
): Promise<TxResult> {
  const what = `${contract}.${call.functionName}`;
  let hash: Hex;
  try {
    hash = await c.walletClient.writeContract({
      address: call.address,
      abi: call.abi,
      functionName: call.functionName,
      args: call.args,
      value: call.value,
      ...extra,
    } as Parameters<L1WalletClient['writeContract']>[0]);
  } catch (e) {
    throw toSettlementError(e, contract, what);
  }
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    throw new SettlementTxError(
      `${what} reverted in block ${receipt.blockNumber} (tx ${hash}) after gas estimation passed; ` +
        'the state changed in between (another transaction came first); read the state and retry',
    );
  }
  return { txHash: hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt };
}

/** A delayed-inbox message (docs/inbox.md §6), from its DelayedMessageSent event. */
export interface DelayedMessage {
  index: bigint;
  /** the L1 account that sent it (the bridge contract for deposits) */
  sender: Address;
  /** the full message bytes, kind byte first */
  data: Uint8Array;
  messageKeccak: Hex;
  /** L1 time and block at which it was sent (the forced-inclusion clock starts here) */
  timestamp: bigint;
  blockNumber: bigint;
  txHash: Hex;
}

/** One inbox position as derivation sees it (docs/inbox.md §10). */
export interface InboxEntry {
  position: bigint;
  source: MessageSource;
  /** batch sequence number, or delayed index */
  sourceIndex: bigint;
  /** the exact message bytes the STF reads at this position (kind byte first) */
  data: Uint8Array;
  /** batches: the postBatch kind and payload (a certificate's DA pointer is `0x03 ‖ payload`, §5.3) */
  batch?: { kind: number; payload: Uint8Array };
  /** L1 block and time at which the message was appended to the inbox */
  l1BlockNumber: bigint;
  l1Timestamp: bigint;
  /** the sequencer for batches; the delayed message's sender for delayed messages */
  sender: Address;
  /** acc(position + 1) */
  accumulator: Hex;
  messageKeccak: Hex;
  /** the L1 transaction that appended it */
  txHash: Hex;
}

export interface PostBatchResult extends TxResult {
  sequenceNumber: bigint;
  /** position of the batch message (after the delayed messages it included) */
  position: bigint;
  /** first position this transaction appended (= position when no delayed message was included) */
  firstPosition: bigint;
  delayedRead: bigint;
}

export interface IncludeResult extends TxResult {
  /** positions [firstPosition, endPosition) were appended */
  firstPosition: bigint;
  endPosition: bigint;
}

/** What the sequencer should include next (docs/inbox.md §6). */
export interface PendingDelayed {
  delayedIncluded: bigint;
  delayedCount: bigint;
  /** delayed messages [delayedIncluded, delayedCount), each with the L1 time from which anyone may force it */
  messages: (DelayedMessage & { forceableAt: bigint })[];
}

/** The logs' position range per query when filtering by indexed topics (an OR list). */
const TOPIC_BATCH = 128;

type AppendedArgs = {
  position: bigint;
  source: number;
  messageKeccak: Hex;
  accumulator: Hex;
  sourceIndex: bigint;
};
type DelayedArgs = { index: bigint; sender: Address; message: Hex; timestamp: bigint };

/** Client of one deployed inbox. Writes are signed by `walletClient` (see `connect`). */
export class InboxClient {
  readonly address: Address;
  readonly abi: Abi;
  /** L1 block from which logs are scanned (the deployment block when known) */
  readonly fromBlock: bigint;
  private readonly c: L1Clients;

  private constructor(c: L1Clients, address: Address, abi: Abi, fromBlock: bigint) {
    this.c = c;
    this.address = address;
    this.abi = abi;
    this.fromBlock = fromBlock;
  }

  /** Binds to the inbox at `address`; `fromBlock` (default 0) bounds the log scans of the readers. */
  static async attach(
    l1: L1Clients,
    address: Address,
    opts: { fromBlock?: bigint; wallet?: L1WalletClient } = {},
  ): Promise<InboxClient> {
    const c = opts.wallet ? { publicClient: l1.publicClient, walletClient: opts.wallet } : l1;
    return new InboxClient(c, address, await inboxAbi(), opts.fromBlock ?? 0n);
  }

  /** the client reads go through */
  get publicClient(): L1PublicClient {
    return this.c.publicClient;
  }

  /** The same inbox, with writes signed by `wallet`. */
  connect(wallet: L1WalletClient): InboxClient {
    return new InboxClient(
      { publicClient: this.c.publicClient, walletClient: wallet },
      this.address,
      this.abi,
      this.fromBlock,
    );
  }

  private read<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    return readContractTx(this.c, 'Inbox', { address: this.address, abi: this.abi, functionName, args });
  }

  private write(
    functionName: string,
    args: readonly unknown[],
    extra?: Record<string, unknown>,
  ): Promise<TxResult> {
    return sendContractTx(
      this.c,
      'Inbox',
      { address: this.address, abi: this.abi, functionName, args },
      extra,
    );
  }

  private appended(r: TxResult): AppendedArgs[] {
    return parseEventLogs({ abi: this.abi, logs: r.receipt.logs, eventName: 'MessageAppended' })
      .filter((l) => l.address.toLowerCase() === this.address.toLowerCase())
      .map((l) => (l as unknown as { args: AppendedArgs }).args);
  }

  // ---- views

  sequencer = (): Promise<Address> => this.read('sequencer');
  bridge = (): Promise<Address> => this.read('bridge');
  maxDelaySeconds = (): Promise<bigint> => this.read('maxDelaySeconds');
  messageCount = (): Promise<bigint> => this.read('messageCount');
  batchCount = (): Promise<bigint> => this.read('batchCount');
  delayedCount = (): Promise<bigint> => this.read('delayedCount');
  delayedIncluded = (): Promise<bigint> => this.read('delayedIncluded');
  /** §6.4: the L1 block number of the last tick (0: none yet) */
  lastTickBlock = (): Promise<bigint> => this.read('lastTickBlock');
  /** §3: acc(n), the accumulator after the first n messages */
  accumulator = (n: bigint): Promise<Hex> => this.read('accumulator', [n]);
  /** §4: the stored machine §6.2 commitment (0x0…0 past the end; InboxRevertError MESSAGE_NOT_MERKLEIZED before merkleize) */
  messageHash = (position: bigint): Promise<Hex> => this.read('messageHash', [position]);
  isMerkleized = (position: bigint): Promise<boolean> => this.read('isMerkleized', [position]);
  /** §4: the Solidity machine §6.2 hash of any bytes (a pure function; for tests and tools) */
  chunkHash = (message: Uint8Array): Promise<Hex> => this.read('chunkHash', [bytesToHex(message)]);
  async delayedMessage(
    index: bigint,
  ): Promise<{ messageKeccak: Hex; timestamp: bigint; blockNumber: bigint }> {
    const [messageKeccak, timestamp, blockNumber] = await this.read<[Hex, bigint, bigint]>('delayedMessage', [
      index,
    ]);
    return { messageKeccak, timestamp, blockNumber };
  }

  // ---- sequencer (§5)

  /**
   * Posts `payload` as the next batch (sequence number = batchCount, read now), after the delayed
   * messages below `delayedRead` (default: all sent so far). Only the sequencer's wallet.
   */
  async postBatch(
    payload: Uint8Array,
    opts: {
      kind?: number;
      delayedRead?: bigint;
      sequenceNumber?: bigint;
      /** §5.2: the type-3 transaction fields of a blob batch (src/da/l1-blob/blob-tx.ts) */
      blobTx?: Record<string, unknown>;
    } = {},
  ): Promise<PostBatchResult> {
    const [sequenceNumber, delayedRead] = await Promise.all([
      opts.sequenceNumber ?? this.batchCount(),
      opts.delayedRead ?? this.delayedCount(),
    ]);
    const kind = opts.kind ?? MESSAGE_KIND.l2Transactions;
    const r = await this.write(
      'postBatch',
      [sequenceNumber, delayedRead, kind, bytesToHex(payload)],
      opts.blobTx,
    );
    const appended = this.appended(r);
    const batch = appended[appended.length - 1];
    return {
      ...r,
      sequenceNumber,
      delayedRead,
      position: batch.position,
      firstPosition: appended[0].position,
    };
  }

  /**
   * §5.3: registers the committee's certificate verifier and the shortest lifetime (seconds, > 0) a
   * certificate must have left when posted (once; the inbox's deployer only).
   */
  async initializeCertificateVerifier(
    verifier: Address,
    minLifetimeSeconds: bigint | number,
  ): Promise<TxResult> {
    return this.write('initializeCertificateVerifier', [verifier, BigInt(minLifetimeSeconds)]);
  }

  /** §5.3: the shortest certificate lifetime the inbox accepts, in seconds (0: no verifier registered). */
  async certificateMinLifetime(): Promise<bigint> {
    return this.read<bigint>('certificateMinLifetime');
  }

  /** §5: appends the delayed messages below `delayedRead` (default: all) without a batch. Sequencer only. */
  async includeDelayed(delayedRead?: bigint): Promise<IncludeResult> {
    const r = await this.write('includeDelayed', [delayedRead ?? (await this.delayedCount())]);
    return this.includeResult(r);
  }

  private includeResult(r: TxResult): IncludeResult {
    const a = this.appended(r);
    return { ...r, firstPosition: a[0].position, endPosition: a[a.length - 1].position + 1n };
  }

  // ---- delayed inbox (§6)

  /** §6.1: queues `0x00 ‖ txList` in the delayed inbox (anyone); returns its delayed index. */
  async sendMessage(txList: Uint8Array): Promise<TxResult & { index: bigint }> {
    const r = await this.write('sendMessage', [bytesToHex(txList)]);
    const [ev] = parseEventLogs({ abi: this.abi, logs: r.receipt.logs, eventName: 'DelayedMessageSent' });
    return { ...r, index: (ev as unknown as { args: DelayedArgs }).args.index };
  }

  /**
   * §6.4: queues the L1-time tick `0x05 ‖ timestamp ‖ blockNumber` of the including L1 block (anyone;
   * at most one per L1 block, else TickTooSoon); returns its delayed index and the message.
   */
  async tick(): Promise<TxResult & { index: bigint; message: Uint8Array }> {
    const r = await this.write('tick', []);
    const [ev] = parseEventLogs({ abi: this.abi, logs: r.receipt.logs, eventName: 'DelayedMessageSent' });
    const args = (ev as unknown as { args: DelayedArgs }).args;
    return { ...r, index: args.index, message: hexToBytes(args.message) };
  }

  /** §6.3: anyone appends the delayed messages below `delayedRead` once the last of them is overdue. */
  async forceInclusion(delayedRead: bigint): Promise<IncludeResult> {
    return this.includeResult(await this.write('forceInclusion', [delayedRead]));
  }

  /** §6: the delayed messages not yet in the inbox, oldest first, with the time each becomes forceable. */
  async pendingDelayed(): Promise<PendingDelayed> {
    const [delayedIncluded, delayedCount, maxDelay] = await Promise.all([
      this.delayedIncluded(),
      this.delayedCount(),
      this.maxDelaySeconds(),
    ]);
    const messages = (await this.readDelayed(delayedIncluded, delayedCount)).map((m) => ({
      ...m,
      forceableAt: m.timestamp + maxDelay,
    }));
    return { delayedIncluded, delayedCount, messages };
  }

  /** Delayed messages [from, to) from their DelayedMessageSent events (checked against the stored keccak). */
  async readDelayed(from: bigint, to: bigint): Promise<DelayedMessage[]> {
    if (to <= from) return [];
    const logs = await this.logs('DelayedMessageSent', 'index', from, to);
    const byIndex = new Map<bigint, DelayedMessage>();
    for (const l of logs) {
      const a = (l as unknown as { args: DelayedArgs }).args;
      if (a.index < from || a.index >= to) continue;
      const data = hexToBytes(a.message);
      byIndex.set(a.index, {
        index: a.index,
        sender: a.sender,
        data,
        messageKeccak: keccakHex(data),
        timestamp: a.timestamp,
        blockNumber: l.blockNumber as bigint,
        txHash: l.transactionHash as Hex,
      });
    }
    const out: DelayedMessage[] = [];
    for (let i = from; i < to; i++) {
      const m = byIndex.get(i);
      if (!m) {
        throw new InboxReadError(
          `no DelayedMessageSent event for delayed message ${i} at ${this.address} from block ${this.fromBlock}; ` +
            'is fromBlock at or before the inbox deployment, and does the RPC serve logs that far back?',
        );
      }
      out.push(m);
    }
    return out;
  }

  /**
   * §10: the inbox messages at positions [from, to) (`to` clamped to messageCount), each with the exact
   * bytes the STF reads: batches from the calldata of their postBatch transaction, delayed messages
   * from their events; every message is checked against the keccak in its MessageAppended event.
   */
  async readMessages(from: bigint, to: bigint): Promise<InboxEntry[]> {
    const count = await this.messageCount();
    const end = to < count ? to : count;
    if (end <= from) return [];
    const logs = await this.logs('MessageAppended', 'position', from, end);
    const byPos = new Map<bigint, { a: AppendedArgs; log: Log }>();
    for (const log of logs) {
      const a = (log as unknown as { args: AppendedArgs }).args;
      if (a.position >= from && a.position < end) byPos.set(a.position, { a, log });
    }
    const appended: { a: AppendedArgs; log: Log }[] = [];
    for (let p = from; p < end; p++) {
      const e = byPos.get(p);
      if (!e) {
        throw new InboxReadError(
          `no MessageAppended event for inbox position ${p} at ${this.address} from block ${this.fromBlock}; ` +
            'is fromBlock at or before the inbox deployment?',
        );
      }
      appended.push(e);
    }

    const delayedIdx = appended.filter((e) => e.a.source === 1).map((e) => e.a.sourceIndex);
    const delayed = new Map<bigint, DelayedMessage>();
    if (delayedIdx.length > 0) {
      // delayed messages enter the inbox in index order
      const [lo, hi] = [delayedIdx[0], delayedIdx[delayedIdx.length - 1]];
      for (const m of await this.readDelayed(lo, hi + 1n)) delayed.set(m.index, m);
    }

    const txs = new Map<
      Hex,
      Promise<{ from: Address; to: Address | null; input: Hex; blobVersionedHashes?: readonly Hex[] }>
    >();
    const blocks = new Map<bigint, Promise<bigint>>();
    const timeOf = (n: bigint) => {
      let b = blocks.get(n);
      if (!b) {
        b = this.c.publicClient.getBlock({ blockNumber: n }).then((x) => x.timestamp);
        blocks.set(n, b);
      }
      return b;
    };

    return Promise.all(
      appended.map(async ({ a, log }): Promise<InboxEntry> => {
        const txHash = log.transactionHash as Hex;
        const l1BlockNumber = log.blockNumber as bigint;
        let data: Uint8Array;
        let sender: Address;
        let batch: InboxEntry['batch'];
        if (a.source === 0) {
          let tx = txs.get(txHash);
          if (!tx) {
            tx = this.c.publicClient.getTransaction({ hash: txHash });
            txs.set(txHash, tx);
          }
          const t = await tx;
          ({ data, batch } = this.batchFromCalldata(t, a.position, txHash));
          sender = t.from;
        } else {
          const m = delayed.get(a.sourceIndex);
          if (!m) throw new InboxReadError(`delayed message ${a.sourceIndex} missing`);
          data = m.data;
          sender = m.sender;
        }
        const messageKeccak = keccakHex(data);
        if (messageKeccak !== a.messageKeccak) {
          throw new InboxReadError(
            `the bytes read for inbox position ${a.position} hash to ${messageKeccak}, but the inbox accumulated ` +
              `${a.messageKeccak} (tx ${txHash}); the RPC returned inconsistent data`,
          );
        }
        return {
          position: a.position,
          source: a.source === 0 ? 'batch' : 'delayed',
          sourceIndex: a.sourceIndex,
          data,
          ...(batch ? { batch } : {}),
          l1BlockNumber,
          l1Timestamp: await timeOf(l1BlockNumber),
          sender,
          accumulator: a.accumulator,
          messageKeccak,
          txHash,
        };
      }),
    );
  }

  /**
   * §10: the message of the postBatch call that is the transaction itself (NotDirectCall guarantees
   * it): `kind ‖ payload`, or for blob and certificate batches the message the inbox built (§5.2, §5.3).
   */
  private batchFromCalldata(
    t: { to: Address | null; input: Hex; blobVersionedHashes?: readonly Hex[] },
    position: bigint,
    txHash: Hex,
  ): { data: Uint8Array; batch: { kind: number; payload: Uint8Array } } {
    if (t.to?.toLowerCase() !== this.address.toLowerCase()) {
      throw new InboxReadError(
        `batch at inbox position ${position}: transaction ${txHash} is not addressed to the inbox`,
      );
    }
    const call = decodeFunctionData({ abi: this.abi, data: t.input });
    if (call.functionName !== 'postBatch') {
      throw new InboxReadError(
        `batch at inbox position ${position}: transaction ${txHash} is not a postBatch`,
      );
    }
    const [, , kind, payloadHex] = call.args as [bigint, bigint, number, Hex];
    const payload = hexToBytes(payloadHex);
    const data = batchMessageOf(kind, payload, t.blobVersionedHashes ?? []);
    if (!data) {
      throw new InboxReadError(
        `batch at inbox position ${position}: transaction ${txHash} posts kind ${kind} with a payload ` +
          'the inbox cannot have accepted; the RPC returned inconsistent data',
      );
    }
    return { data, batch: { kind, payload } };
  }

  /** Logs of `eventName` whose indexed `key` is in [from, to): topic-filtered when the range is small. */
  private async logs(eventName: string, key: string, from: bigint, to: bigint): Promise<Log[]> {
    const base = { address: this.address, abi: this.abi, eventName, fromBlock: this.fromBlock } as const;
    const get = (args?: Record<string, bigint[]>) =>
      this.c.publicClient.getContractEvents({ ...base, args } as Parameters<
        L1PublicClient['getContractEvents']
      >[0]) as Promise<Log[]>;
    if (to - from > BigInt(TOPIC_BATCH) * 4n) return get();
    const out: Log[] = [];
    for (let lo = from; lo < to; lo += BigInt(TOPIC_BATCH)) {
      const hi = lo + BigInt(TOPIC_BATCH) < to ? lo + BigInt(TOPIC_BATCH) : to;
      const keys: bigint[] = [];
      for (let i = lo; i < hi; i++) keys.push(i);
      out.push(...(await get({ [key]: keys })));
    }
    return out;
  }

  // ---- merkleization (§4)

  /**
   * §4: computes and stores the machine §6.2 commitment of the message at `position` (reads the message, then
   * calls merkleizeMessage); a no-op when it is already stored. Returns the commitment.
   */
  async merkleize(position: bigint): Promise<{ messageHash: Hex; tx?: TxResult }> {
    if (await this.isMerkleized(position)) return { messageHash: await this.messageHash(position) };
    const [m] = await this.readMessages(position, position + 1n);
    if (!m) {
      // let the contract say why (PositionOutOfRange)
      await this.write('merkleizeMessage', [position, '0x']);
      throw new InboxReadError(`inbox position ${position} does not exist`);
    }
    const tx = await this.write('merkleizeMessage', [position, bytesToHex(m.data)]);
    return { messageHash: await this.messageHash(position), tx };
  }
}
