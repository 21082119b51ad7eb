/**
 * What the explorer shows of L1 (docs/explorer.md), built from the contracts' events
 * (l1-events.ts): batches, the inbox with its delayed messages, assertions with their status, and
 * disputes with their moves, one-step proof and bonds. Quantities are JSON numbers, wei amounts
 * decimal strings, L1 times seconds.
 */
import { type Address, decodeFunctionData, type Hex, hexToBytes, keccak256 } from 'viem';
import type { DisputeParams } from '../settlement/ethereum/deploy-settlement.ts';
import {
  type AssertionData,
  type EdgeRef,
  edgeId,
  edgeKey,
  nodeHex,
} from '../settlement/ethereum/dispute-hash.ts';
import {
  batchMessage,
  decodeDeposit,
  decodeTxList,
  MESSAGE_KIND,
  messageTxList,
} from '../settlement/ethereum/message.ts';
import type { ExplorerContract, L1Event, L1Events } from './l1-events.ts';

const num = (x: unknown): number => Number(x as bigint);
const lower = (a: unknown): Address => String(a).toLowerCase() as Address;

// ---------------------------------------------------------------- batches

export interface BatchView {
  sequenceNumber: number;
  /** inbox position = L2 block number */
  position: number;
  /** postBatch kind: 0 calldata, 2 blobs, 3 certificate, 4 brotli calldata */
  kind: number;
  /** how the data reached L1: calldata, blob or certificate */
  daPath: 'calldata' | 'blob' | 'certificate' | 'unknown';
  /** committee DA: the batch went through the fallback */
  fallback: boolean;
  compression: 'brotli' | 'none';
  /** bytes of the postBatch payload (what L1 stores in calldata; 0 for blobs) */
  payloadBytes: number;
  /** bytes of the transaction list (inflated), when L1 carries it */
  txListBytes: number | null;
  txCount: number | null;
  delayedRead: number;
  l1Block: number;
  l1Time: number;
  txHash: Hex;
  gasUsed: string;
  calldataBytes: number;
  blobHashes: Hex[];
  certificate: {
    keysetHash: Hex;
    dataHash: Hex;
    expiry: number;
    nonSigners: number;
    /** keccak256 of each non-signer's public key (docs/committee.md §3) */
    nonSignerKeys: Hex[];
  } | null;
}

const DA_PATH: Record<number, BatchView['daPath']> = {
  [MESSAGE_KIND.l2Transactions]: 'calldata',
  [MESSAGE_KIND.brotliTransactions]: 'calldata',
  [MESSAGE_KIND.blobBatch]: 'blob',
  [MESSAGE_KIND.certificateBatch]: 'certificate',
};

// ---------------------------------------------------------------- inbox

export interface InboxMessageView {
  position: number;
  source: 'batch' | 'delayed';
  /** batch sequence number, or delayed index */
  sourceIndex: number;
  messageKeccak: Hex;
  l1Block: number;
  l1Time: number;
  txHash: Hex;
  /** appended by `forceInclusion` (anyone, once the sequencer let it wait past maxDelaySeconds) */
  forced: boolean;
}

export interface DelayedView {
  index: number;
  sender: Address;
  /** `deposit` (0x01, from the bridge), `transactions` (0x00, a forced transaction list) or `kind 0x..` */
  kind: string;
  bytes: number;
  deposit: { to: Address; amount: string } | null;
  txCount: number | null;
  sentAt: number;
  l1Block: number;
  txHash: Hex;
  /** L1 time from which anyone may force it in */
  forceableAt: number;
  /** inbox position it was appended at, or null while pending */
  position: number | null;
  forced: boolean;
}

// ---------------------------------------------------------------- assertions

export type AssertionStatusView = 'confirmed' | 'pending' | 'rejected';

export interface AssertionView {
  id: Hex;
  prevId: Hex;
  asserter: Address;
  genesis: boolean;
  /** inbox positions (= L2 blocks) [fromPosition, toPosition) it covers */
  fromPosition: number;
  toPosition: number;
  stateRoot: Hex;
  sendRoot: Hex;
  status: AssertionStatusView;
  /** its predecessor has another child: the assertion is in a dispute */
  disputed: boolean;
  confirmedBy: 'time' | 'challenge' | null;
  /** L1 time after which it can be confirmed without a rival */
  challengeDeadline: number;
  l1Block: number;
  l1Time: number;
  txHash: Hex;
}

// ---------------------------------------------------------------- disputes

export interface DisputeAction {
  kind:
    | 'assertion'
    | 'edge'
    | 'subchallenge'
    | 'dissect'
    | 'rival'
    | 'timers'
    | 'one-step-proof'
    | 'padding-proof'
    | 'confirm-edge'
    | 'bond'
    | 'refund'
    | 'confirm-assertion'
    | 'slash';
  text: string;
  level?: number;
}

export interface DisputeMove {
  txHash: Hex;
  from: Address;
  l1Block: number;
  l1Time: number;
  gasUsed: string;
  actions: DisputeAction[];
}

export interface DisputeView {
  /** the assertion whose children are rivals (origin of the level-0 edges) */
  id: Hex;
  status: 'open' | 'decided';
  /** the rival confirmed, once decided */
  winner: Hex | null;
  rivals: {
    id: Hex;
    asserter: Address;
    status: AssertionStatusView;
    fromPosition: number;
    toPosition: number;
  }[];
  moves: DisputeMove[];
  /** the move that decided it at one machine step, once made */
  oneStepProof: {
    txHash: Hex;
    from: Address;
    l1Time: number;
    /** L2 block (inbox position) whose execution was disputed */
    block: number;
    /** machine step (from the block's initial machine) that L1 executed */
    step: string;
    level: number;
    calldataBytes: number;
    gasUsed: string;
  } | null;
  bonds: {
    kind: 'stake' | 'edge bond';
    from: Address | null;
    to: Address;
    amount: string;
    refund: boolean;
    txHash: Hex;
  }[];
  /** per address: wei won and lost in this dispute (stakes and edge bonds; refunds excluded) */
  parties: { address: Address; won: string; lost: string }[];
}

interface EdgeInfo {
  ref: EdgeRef;
  dispute: Hex;
  payer?: Address;
}

/** Builds the explorer's views from an `L1Events`, caching them per events version. */
export class ExplorerViews {
  private cache = new Map<string, { version: number; value: Promise<unknown> }>();
  private readonly batchCache = new WeakMap<L1Event, Promise<BatchView>>();

  constructor(
    readonly l1: L1Events,
    private readonly o: {
      inbox: ExplorerContract;
      params: DisputeParams;
      /** the config's DA module (a committee chain's calldata or blob batches are fallbacks) */
      daModule: string;
      maxDelaySeconds: () => Promise<bigint>;
    },
  ) {}

  private cached<T>(name: string, build: () => Promise<T>): Promise<T> {
    const c = this.cache.get(name);
    if (c && c.version === this.l1.version) return c.value as Promise<T>;
    const value = build();
    this.cache.set(name, { version: this.l1.version, value });
    value.catch(() => this.cache.delete(name));
    return value;
  }

  private named(...names: string[]): L1Event[] {
    return this.l1.events.filter((e) => names.includes(e.name));
  }

  // ---- batches

  /** Every batch posted (BatchPosted), oldest first; `detail` reads their transactions. */
  batchEvents(): L1Event[] {
    return this.named('BatchPosted');
  }

  /** How a batch's data reached L1 (from its event alone). */
  daPath(e: L1Event): BatchView['daPath'] {
    return DA_PATH[num(e.args.kind)] ?? 'unknown';
  }

  /** A committee chain's batch that did not go through the committee. */
  isFallback(path: BatchView['daPath']): boolean {
    return this.o.daModule === 'committee' && path !== 'certificate';
  }

  batch(e: L1Event): Promise<BatchView> {
    let b = this.batchCache.get(e);
    if (!b) {
      b = this.buildBatch(e);
      b.catch(() => this.batchCache.delete(e));
      this.batchCache.set(e, b);
    }
    return b;
  }

  private async buildBatch(e: L1Event): Promise<BatchView> {
    const a = e.args;
    const kind = num(a.kind);
    const [tx, time] = await Promise.all([this.l1.tx(e.txHash), this.l1.time(e.blockNumber)]);
    let payload: Uint8Array = new Uint8Array(0);
    try {
      const call = decodeFunctionData({ abi: this.o.inbox.abi, data: tx.input });
      if (call.functionName === 'postBatch') payload = hexToBytes((call.args as unknown[])[3] as Hex);
    } catch {
      // not a direct postBatch call: sizes from the event only
    }
    const list = messageTxList(batchMessage(kind, payload));
    const daPath = DA_PATH[kind] ?? 'unknown';
    let certificate: BatchView['certificate'] = null;
    if (kind === MESSAGE_KIND.certificateBatch && payload.length >= 458) {
      const hex = (from: number, to: number) =>
        `0x${Buffer.from(payload.subarray(from, to)).toString('hex')}` as Hex;
      certificate = {
        keysetHash: hex(1, 33),
        dataHash: hex(33, 65),
        expiry: Number(new DataView(payload.buffer, payload.byteOffset + 65, 8).getBigUint64(0)),
        nonSigners: payload[457],
        nonSignerKeys: Array.from({ length: payload[457] }, (_, i) =>
          keccak256(payload.subarray(458 + 256 * i, 458 + 256 * (i + 1))),
        ),
      };
    }
    return {
      sequenceNumber: num(a.sequenceNumber),
      position: num(a.position),
      kind,
      daPath,
      fallback: this.isFallback(daPath),
      compression: kind === MESSAGE_KIND.brotliTransactions ? 'brotli' : 'none',
      payloadBytes: num(a.length),
      txListBytes: list ? list.length : null,
      txCount: list ? (decodeTxList(list)?.length ?? 0) : null,
      delayedRead: num(a.delayedRead),
      l1Block: Number(e.blockNumber),
      l1Time: Number(time),
      txHash: e.txHash,
      gasUsed: tx.gasUsed.toString(),
      calldataBytes: tx.inputBytes,
      blobHashes: tx.blobVersionedHashes,
      certificate,
    };
  }

  // ---- inbox

  inbox(): Promise<{ messages: InboxMessageView[]; delayed: DelayedView[] }> {
    return this.cached('inbox', async () => {
      const forcedTxs = new Set(this.named('ForcedInclusion').map((e) => e.txHash));
      const appended = this.named('MessageAppended');
      const delayedAt = new Map<number, { position: number; forced: boolean }>();
      const messages = await Promise.all(
        appended.map(async (e): Promise<InboxMessageView> => {
          const source = num(e.args.source) === 0 ? 'batch' : 'delayed';
          const forced = source === 'delayed' && forcedTxs.has(e.txHash);
          if (source === 'delayed')
            delayedAt.set(num(e.args.sourceIndex), { position: num(e.args.position), forced });
          return {
            position: num(e.args.position),
            source,
            sourceIndex: num(e.args.sourceIndex),
            messageKeccak: e.args.messageKeccak as Hex,
            l1Block: Number(e.blockNumber),
            l1Time: Number(await this.l1.time(e.blockNumber)),
            txHash: e.txHash,
            forced,
          };
        }),
      );
      const maxDelay = Number(await this.o.maxDelaySeconds());
      const delayed = this.named('DelayedMessageSent').map((e): DelayedView => {
        const m = hexToBytes(e.args.message as Hex);
        const d = decodeDeposit(m);
        const list = m[0] === MESSAGE_KIND.l2Transactions ? messageTxList(m) : undefined;
        const at = delayedAt.get(num(e.args.index));
        return {
          index: num(e.args.index),
          sender: lower(e.args.sender),
          kind: d ? 'deposit' : list ? 'transactions' : `kind 0x${(m[0] ?? 0).toString(16).padStart(2, '0')}`,
          bytes: m.length,
          deposit: d ? { to: lower(d.to), amount: d.amount.toString() } : null,
          txCount: list ? (decodeTxList(list)?.length ?? 0) : null,
          sentAt: num(e.args.timestamp),
          l1Block: Number(e.blockNumber),
          txHash: e.txHash,
          forceableAt: num(e.args.timestamp) + maxDelay,
          position: at?.position ?? null,
          forced: at?.forced ?? false,
        };
      });
      return { messages, delayed };
    });
  }

  // ---- assertions

  assertions(): Promise<AssertionView[]> {
    return this.cached('assertions', async () => {
      const period = Number(this.o.params.challengePeriod);
      const created = this.named('AssertionCreated');
      const confirmed = new Map(this.named('AssertionConfirmed').map((e) => [e.args.id as Hex, e]));
      const children = new Map<Hex, Hex[]>();
      const confirmedChild = new Map<Hex, Hex>();
      for (const e of created) {
        const prev = e.args.prevId as Hex;
        children.set(prev, [...(children.get(prev) ?? []), e.args.id as Hex]);
        if (confirmed.has(e.args.id as Hex)) confirmedChild.set(prev, e.args.id as Hex);
      }
      const status = new Map<Hex, AssertionStatusView>();
      const out: AssertionView[] = [];
      for (const e of created) {
        const id = e.args.id as Hex;
        const prev = e.args.prevId as Hex;
        const data = e.args.data as AssertionData;
        const genesis = lower(e.args.asserter) === '0x0000000000000000000000000000000000000000';
        const won = confirmedChild.get(prev);
        const s: AssertionStatusView = confirmed.has(id)
          ? 'confirmed'
          : status.get(prev) === 'rejected' || (won !== undefined && won !== id)
            ? 'rejected'
            : 'pending';
        status.set(id, s);
        const time = Number(await this.l1.time(e.blockNumber));
        const c = confirmed.get(id);
        const end = Number(data.end.inboxPosition);
        out.push({
          id,
          prevId: prev,
          asserter: lower(e.args.asserter),
          genesis,
          fromPosition: end - Number(data.blockCount),
          toPosition: end,
          stateRoot: data.end.stateRoot,
          sendRoot: data.end.sendRoot,
          status: s,
          disputed: !genesis && (children.get(prev)?.length ?? 0) > 1,
          confirmedBy: c ? (c.args.byChallenge ? 'challenge' : 'time') : null,
          challengeDeadline: time + period,
          l1Block: Number(e.blockNumber),
          l1Time: time,
          txHash: e.txHash,
        });
      }
      return out;
    });
  }

  // ---- disputes

  disputes(): Promise<DisputeView[]> {
    return this.cached('disputes', () => this.buildDisputes());
  }

  private async buildDisputes(): Promise<DisputeView[]> {
    const { heights, edgeBond } = this.o.params;
    const assertions = await this.assertions();
    const byId = new Map(assertions.map((a) => [a.id, a]));
    const rivalsOf = new Map<Hex, AssertionView[]>();
    for (const a of assertions) {
      if (!a.disputed) continue;
      rivalsOf.set(a.prevId, [...(rivalsOf.get(a.prevId) ?? []), a]);
    }
    if (rivalsOf.size === 0) return [];
    /** the dispute an assertion lies in: its nearest ancestor whose parent has rivals */
    const disputeOfAssertion = (id: Hex): Hex | undefined => {
      for (let a = byId.get(id); a && !a.genesis; a = byId.get(a.prevId))
        if (rivalsOf.has(a.prevId)) return a.prevId;
      return undefined;
    };

    const edgesById = new Map<Hex, EdgeInfo>();
    const edgesByKey = new Map<Hex, EdgeInfo>();
    const register = (ref: EdgeRef, dispute: Hex, payer?: Address) => {
      const id = edgeId(ref);
      const info = edgesById.get(id) ?? { ref, dispute, payer };
      if (payer) info.payer = payer;
      edgesById.set(id, info);
      const key = edgeKey(ref);
      if (!edgesByKey.has(key)) edgesByKey.set(key, info);
      return info;
    };
    const span = (r: EdgeRef) => {
      const s = r.start;
      return `[${s}, ${s + (1n << BigInt(r.w))})`;
    };
    const levelName = (l: number) => (l === 0 ? 'blocks' : `steps (level ${l})`);
    const blocks = (d: AssertionData) => {
      const end = Number(d.end.inboxPosition);
      const from = end - Number(d.blockCount);
      return end - from === 1 ? `block ${from}` : `blocks ${from}–${end - 1}`;
    };

    /** machine step of a last-level edge: Σ start_k · 2^(heights[k+1] + …) up its claim chain */
    const locate = (info: EdgeInfo): { block: number; step: bigint } => {
      const starts = new Map<number, bigint>();
      let cur: EdgeInfo | undefined = info;
      for (let guard = 0; cur && guard < 64; guard++) {
        starts.set(cur.ref.level, cur.ref.start);
        if (cur.ref.level === 0) break;
        cur = edgesByKey.get(cur.ref.origin);
      }
      let step = 0n;
      for (let k = 1; k <= info.ref.level; k++) {
        let stride = 0;
        for (let j = k + 1; j <= info.ref.level; j++) stride += heights[j];
        step += (starts.get(k) ?? 0n) << BigInt(stride);
      }
      const top = cur?.ref.level === 0 ? cur : undefined;
      const base = top ? (rivalsOf.get(top.dispute)?.[0]?.fromPosition ?? 0) : 0;
      return { block: base + Number(starts.get(0) ?? 0n), step };
    };

    type Action = DisputeAction & { dispute: Hex; e: L1Event };
    const actions: Action[] = [];
    const bonds: (DisputeView['bonds'][number] & { dispute: Hex })[] = [];
    const proofs: { dispute: Hex; e: L1Event; info: EdgeInfo }[] = [];
    const act = (dispute: Hex | undefined, e: L1Event, a: DisputeAction) => {
      if (dispute) actions.push({ ...a, dispute, e });
    };

    for (const e of this.l1.events) {
      const a = e.args;
      switch (e.name) {
        case 'AssertionCreated': {
          const prev = a.prevId as Hex;
          if (rivalsOf.has(prev))
            act(prev, e, {
              kind: 'assertion',
              text: `posted assertion ${short(a.id as Hex)} over ${blocks(a.data as AssertionData)}`,
            });
          break;
        }
        case 'AssertionConfirmed': {
          const prev = a.prevId as Hex;
          if (rivalsOf.has(prev))
            act(prev, e, {
              kind: 'confirm-assertion',
              text: `assertion ${short(a.id as Hex)} confirmed${a.byChallenge ? ' by the challenge' : ''}`,
            });
          break;
        }
        case 'StakeSlashed': {
          const d = disputeOfAssertion(a.lostAssertion as Hex);
          if (!d) break;
          act(d, e, {
            kind: 'slash',
            text: `stake of ${short(lower(a.staker))} slashed: ${eth(a.amount as bigint)} to ${short(lower(a.winner))}`,
          });
          bonds.push({
            dispute: d,
            kind: 'stake',
            from: lower(a.staker),
            to: lower(a.winner),
            amount: String(a.amount),
            refund: false,
            txHash: e.txHash,
          });
          break;
        }
        case 'EdgeCreated': {
          const ref = edgeRef(a.edge);
          const payer = lower(a.payer);
          if (ref.level === 0) {
            if (!rivalsOf.has(ref.origin)) break;
            register(ref, ref.origin, payer);
            act(ref.origin, e, {
              kind: 'edge',
              level: 0,
              text: `level-0 edge over blocks ${span(ref)} for assertion ${short(a.claimId as Hex)} (bond ${eth(edgeBond)})`,
            });
          } else {
            const claimed = edgesByKey.get(ref.origin);
            if (!claimed) break;
            register(ref, claimed.dispute, payer);
            act(claimed.dispute, e, {
              kind: 'subchallenge',
              level: ref.level,
              text: `opened ${levelName(ref.level)} ${span(ref)} inside ${claimed.ref.level === 0 ? `block ${claimed.ref.start}` : `step ${claimed.ref.start} of level ${claimed.ref.level}`} (bond ${eth(edgeBond)})`,
            });
          }
          break;
        }
        case 'EdgeDissected': {
          const ref = edgeRef(a.edge);
          const parent = edgesById.get(a.id as Hex) ?? edgesByKey.get(a.key as Hex);
          if (!parent) break;
          const B = a.boundaries as Hex[];
          const I = a.inners as Hex[];
          const d = Math.log2(I.length);
          for (let j = 0; j < I.length; j++)
            register(
              {
                level: ref.level,
                origin: ref.origin,
                start: ref.start + BigInt(j) * (1n << BigInt(ref.w - d)),
                w: ref.w - d,
                startState: B[j],
                root: nodeHex(B[j], B[j + 1], I[j]),
              },
              parent.dispute,
            );
          act(parent.dispute, e, {
            kind: 'dissect',
            level: ref.level,
            text: `dissected ${levelName(ref.level)} ${span(ref)} into ${I.length}`,
          });
          break;
        }
        case 'EdgeRivaled': {
          const info = edgesByKey.get(a.key as Hex);
          if (info)
            act(info.dispute, e, {
              kind: 'rival',
              level: info.ref.level,
              text: `the sides now disagree on ${levelName(info.ref.level)} ${span(info.ref)}`,
            });
          break;
        }
        case 'TimerUpdated': {
          const info = edgesById.get(a.id as Hex);
          if (info) act(info.dispute, e, { kind: 'timers', text: 'timer update' });
          break;
        }
        case 'EdgeProved': {
          const info = edgesById.get(a.id as Hex) ?? edgesByKey.get(a.key as Hex);
          if (!info) break;
          if (a.byPadding)
            act(info.dispute, e, {
              kind: 'padding-proof',
              level: info.ref.level,
              text: `proved by padding: blocks ${span(info.ref)}`,
            });
          else {
            act(info.dispute, e, {
              kind: 'one-step-proof',
              level: info.ref.level,
              text: `one-step proof: L1 executed step ${locate(info).step} of block ${locate(info).block} and agreed`,
            });
            proofs.push({ dispute: info.dispute, e, info });
          }
          break;
        }
        case 'EdgeConfirmed': {
          const info = edgesById.get(a.id as Hex) ?? edgesByKey.get(a.key as Hex);
          if (info)
            act(info.dispute, e, {
              kind: 'confirm-edge',
              level: info.ref.level,
              text: `confirmed ${levelName(info.ref.level)} edge ${span(info.ref)}`,
            });
          break;
        }
        case 'BondPaid': {
          const info = edgesById.get(a.id as Hex);
          if (!info) break;
          const swept = a.swept === true;
          act(info.dispute, e, {
            kind: swept ? 'bond' : 'refund',
            text: swept
              ? `edge bond of ${short(info.payer ?? '0x')} swept: ${eth(a.amount as bigint)} to ${short(lower(a.to))}`
              : `edge bond refunded: ${eth(a.amount as bigint)} to ${short(lower(a.to))}`,
          });
          bonds.push({
            dispute: info.dispute,
            kind: 'edge bond',
            from: swept ? (info.payer ?? null) : null,
            to: lower(a.to),
            amount: String(a.amount),
            refund: !swept,
            txHash: e.txHash,
          });
          break;
        }
      }
    }

    const out: DisputeView[] = [];
    for (const [id, rivals] of rivalsOf) {
      const mine = actions.filter((x) => x.dispute === id);
      const byTx = new Map<Hex, Action[]>();
      for (const x of mine) byTx.set(x.e.txHash, [...(byTx.get(x.e.txHash) ?? []), x]);
      const moves = await Promise.all(
        [...byTx].map(async ([hash, xs]): Promise<DisputeMove> => {
          const [tx, time] = await Promise.all([this.l1.tx(hash), this.l1.time(xs[0].e.blockNumber)]);
          return {
            txHash: hash,
            from: tx.from,
            l1Block: Number(xs[0].e.blockNumber),
            l1Time: Number(time),
            gasUsed: tx.gasUsed.toString(),
            actions: ordered(xs.map(({ kind, text, level }) => ({ kind, text, level }))),
          };
        }),
      );
      const p = proofs.find((x) => x.dispute === id);
      let oneStepProof: DisputeView['oneStepProof'] = null;
      if (p) {
        const [tx, time] = await Promise.all([this.l1.tx(p.e.txHash), this.l1.time(p.e.blockNumber)]);
        const at = locate(p.info);
        oneStepProof = {
          txHash: p.e.txHash,
          from: tx.from,
          l1Time: Number(time),
          block: at.block,
          step: at.step.toString(),
          level: p.info.ref.level,
          calldataBytes: tx.inputBytes,
          gasUsed: tx.gasUsed.toString(),
        };
      }
      const mineBonds = bonds.filter((b) => b.dispute === id).map(({ dispute: _, ...b }) => b);
      const tally = new Map<Address, { won: bigint; lost: bigint }>();
      const entry = (x: Address) => {
        let t = tally.get(x);
        if (!t) {
          t = { won: 0n, lost: 0n };
          tally.set(x, t);
        }
        return t;
      };
      for (const r of rivals) entry(r.asserter);
      for (const b of mineBonds) {
        if (b.refund || !b.from) continue;
        entry(b.to).won += BigInt(b.amount);
        entry(b.from).lost += BigInt(b.amount);
      }
      const winner = rivals.find((r) => r.status === 'confirmed')?.id ?? null;
      out.push({
        id,
        status: winner ? 'decided' : 'open',
        winner,
        rivals: rivals.map((r) => ({
          id: r.id,
          asserter: r.asserter,
          status: r.status,
          fromPosition: r.fromPosition,
          toPosition: r.toPosition,
        })),
        moves,
        oneStepProof,
        bonds: mineBonds,
        parties: [...tally].map(([address, t]) => ({
          address,
          won: t.won.toString(),
          lost: t.lost.toString(),
        })),
      });
    }
    return out;
  }
}

function edgeRef(x: unknown): EdgeRef {
  const e = x as EdgeRef;
  return {
    level: Number(e.level),
    origin: e.origin,
    start: BigInt(e.start),
    w: Number(e.w),
    startState: e.startState,
    root: e.root,
  };
}

/** A transaction's actions, what it did first, then the rivalries it made, then its timer updates (as one). */
function ordered(xs: DisputeAction[]): DisputeAction[] {
  const timers = xs.filter((x) => x.kind === 'timers').length;
  const main = xs.filter((x) => x.kind !== 'timers' && x.kind !== 'rival');
  const rivals = xs.filter((x) => x.kind === 'rival');
  const t: DisputeAction[] =
    timers === 0 ? [] : [{ kind: 'timers', text: `${timers} timer update${timers === 1 ? '' : 's'}` }];
  return [...main, ...rivals, ...t];
}

const short = (h: string): string => (h.length > 12 ? `${h.slice(0, 6)}…${h.slice(-4)}` : h);

/** wei as ETH, trimmed */
export function eth(wei: bigint): string {
  const whole = wei / 10n ** 18n;
  const frac = (wei % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '').slice(0, 6);
  return `${whole}${frac ? `.${frac}` : ''} ETH`;
}
