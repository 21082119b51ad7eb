/**
 * The dispute agent (docs/dispute.md §7): posts a claim as an assertion and defends it. Each
 * `advance()` makes every move that is due: the level-0 edge once a rival assertion exists, a
 * dissection of each of its rivaled edges, the next level's top edge for rivaled single-block and
 * single-range edges, padding and one-step proofs at the bottom; then it updates its timers
 * bottom-up and confirms in one multicall, and confirms the assertion. The same agent with a
 * `LyingClaim` plays a dishonest validator (its proofs fail; it keeps going where it can).
 */
import { bytesToHex, type Hex } from 'viem';
import { ModexError } from '../../core/errors.ts';
import {
  type AssertionData,
  type EdgeRef,
  edgeId,
  edgeKey,
  toSolState,
  ZERO32,
} from '../../settlement/ethereum/dispute-hash.ts';
import type { L1Clients, TxResult } from '../../settlement/ethereum/inbox.ts';
import type { PreimageOracleClient } from '../../settlement/ethereum/preimage-oracle.ts';
import type { ChallengeClient, RollupClient } from '../../settlement/ethereum/rollup.ts';
import type { Claim, PreimagePart } from './claim.ts';
import { strideLog2 } from './claim.ts';
import type { History } from './history.ts';

export const INF = (1n << 64n) - 1n;

export type MoveKind =
  | 'assertion'
  | 'layer-zero-edge'
  | 'dissect'
  | 'subchallenge'
  | 'merkleize'
  | 'preimage'
  | 'one-step-proof'
  | 'padding'
  | 'confirm-edge'
  | 'confirm-assertion'
  | 'collect';

export interface MoveRecord {
  kind: MoveKind;
  level?: number;
  start?: bigint;
  w?: number;
  gasUsed: bigint;
  txHash: Hex;
  detail?: string;
}

/** What the agent needs of the inbox: making a message's machine commitment available (§4.3 one-step proofs). */
export interface InboxMerkleizer {
  merkleize(position: bigint): Promise<{ tx?: TxResult }>;
}

export interface AgentOptions {
  name: string;
  rollup: RollupClient;
  challenges: ChallengeClient;
  inbox: InboxMerkleizer;
  /** loads the preimage part a one-step proof reads (`ensurePart`: idempotent) */
  oracle: Pick<PreimageOracleClient, 'ensurePart'>;
  claim: Claim;
  /** the assertion the claim follows */
  prev: AssertionData;
  log?: (line: string) => void;
}

interface Tracked {
  ref: EdgeRef;
  id: Hex;
  history: History;
  /** block index (levels ≥ 1) */
  block: number;
  /** first machine step of the range (levels ≥ 1) */
  base: number;
  children?: { boundaries: Hex[]; inners: Hex[] };
  sub?: Tracked;
}

const hex = (w: Uint8Array): Hex => bytesToHex(w);

/**
 * Makes the preimage part a `preimage_read` step reads available on L1 before its one-step proof
 * (machine.md §7.5: the prover reads the chunk from the oracle): the whole keccak preimage or its
 * 32-byte part at the offset (hashed on chain in parts when the preimage is too large for one
 * transaction), or the blob's field element with its KZG proof. Returns the (last) loading
 * transaction, or undefined when the part was already there.
 */
export async function ensurePreimagePart(
  oracle: Pick<PreimageOracleClient, 'ensurePart'>,
  clients: Pick<L1Clients, 'publicClient'>,
  part: PreimagePart,
  /** progress of a keccak preimage too large for one transaction, loaded in parts (docs/blob.md §4.1) */
  log?: (line: string) => void,
): Promise<TxResult | undefined> {
  const txHash = await oracle.ensurePart(part.kind, part.hash, part.offset, part.preimage, { log });
  if (!txHash) return undefined;
  const receipt = await clients.publicClient.getTransactionReceipt({ hash: txHash });
  return { txHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt };
}

export class DisputeAgent {
  readonly name: string;
  readonly moves: MoveRecord[] = [];
  assertion?: AssertionData;
  assertionId?: Hex;
  private readonly tracked = new Map<Hex, Tracked>();
  private readonly finished = new Set<Hex>();
  private readonly heights: number[];
  private lastWhyNot?: string;

  constructor(private readonly o: AgentOptions) {
    this.name = o.name;
    this.heights = o.claim.ctx.heights;
  }

  private log(line: string): void {
    this.o.log?.(`[${this.name}] ${line}`);
  }

  private record(kind: MoveKind, tx: TxResult, e?: EdgeRef, detail?: string): MoveRecord {
    const m: MoveRecord = { kind, gasUsed: tx.gasUsed, txHash: tx.txHash, detail };
    if (e) Object.assign(m, { level: e.level, start: e.start, w: e.w });
    this.moves.push(m);
    const where = e ? ` level ${e.level} [${e.start}, +2^${e.w})` : '';
    this.log(`${kind}${where}${detail ? ` ${detail}` : ''} (gas ${tx.gasUsed})`);
    return m;
  }

  /** The assertion this claim makes (dispute.md §2.2), posted with the bond if not staked yet. */
  async postAssertion(): Promise<Hex> {
    const { claim, rollup, prev } = this.o;
    const l0 = claim.level0();
    const end = toSolState(claim.endState());
    const me = rollup.clients.walletClient.account.address;
    const staked = (await rollup.latestStaked(me)) !== ZERO32;
    const value = staked ? 0n : await rollup.assertionBond();
    const r = await rollup.createAssertion(prev, end, hex(l0.inner(0, l0.h)), value);
    this.assertion = r.data;
    this.assertionId = r.id;
    this.record('assertion', r, undefined, `${r.id.slice(0, 10)} (${claim.blockCount} blocks)`);
    return r.id;
  }

  /** Adopts an assertion already on chain (after a restart) instead of posting it. */
  adopt(a: AssertionData, id: Hex): void {
    this.assertion = a;
    this.assertionId = id;
  }

  private layerZeroRef(): EdgeRef {
    const a = this.required();
    return {
      level: 0,
      origin: a.prevId,
      start: 0n,
      w: this.heights[0],
      startState: a.prevStateHash,
      root: a.historyRoot,
    };
  }

  private required(): AssertionData {
    if (!this.assertion) throw new Error(`${this.name}: post or adopt an assertion first`);
    return this.assertion;
  }

  private track(t: Omit<Tracked, 'id'>): Tracked {
    const id = edgeId(t.ref);
    const known = this.tracked.get(id);
    if (known) return known;
    const full = { ...t, id };
    this.tracked.set(id, full);
    return full;
  }

  /** true once the assertion is confirmed */
  async isConfirmed(): Promise<boolean> {
    return (await this.o.rollup.status(this.assertionId ?? ZERO32)) === 'confirmed';
  }

  /** Makes every move that is due now; returns them. */
  async advance(): Promise<MoveRecord[]> {
    const before = this.moves.length;
    const a = this.required();
    const { rollup, challenges } = this.o;
    if (await this.isConfirmed()) return [];
    if (!(await rollup.hasRival(a.prevId))) {
      await this.tryConfirmAssertion();
      return this.moves.slice(before);
    }
    const l0 = this.layerZeroRef();
    const top = this.track({ ref: l0, history: this.o.claim.level0(), block: -1, base: 0 });
    if (!(await challenges.edgeStatus(l0)).exists) {
      const tx = await challenges.createLayerZeroEdge(a, await challenges.edgeBond());
      this.record('layer-zero-edge', tx, l0);
    }
    const queue = [top, ...this.tracked.values()];
    const seen = new Set<Hex>();
    while (queue.length > 0) {
      const t = queue.shift() as Tracked;
      if (seen.has(t.id) || this.finished.has(t.id)) continue;
      seen.add(t.id);
      const s = await challenges.edgeStatus(t.ref);
      if (!s.exists || !s.rivaled) continue;
      if (t.ref.w > 0) queue.push(...(await this.dissect(t, s.dissected)));
      else if (t.ref.level === 0 && t.ref.start >= a.blockCount) await this.padding(t, s.total);
      else if (t.ref.level + 1 < this.heights.length) queue.push(await this.openNextLevel(t));
      else await this.oneStep(t, s.total);
    }
    await this.tryConfirmEdge();
    await this.tryConfirmAssertion();
    return this.moves.slice(before);
  }

  private async dissect(t: Tracked, alreadyDissected: boolean): Promise<Tracked[]> {
    const start = Number(t.ref.start);
    const d = t.history.dissection(start, t.ref.w);
    const boundaries = d.boundaries.map(hex);
    const inners = d.inners.map(hex);
    if (!alreadyDissected) {
      const tx = await this.o.challenges.dissect(t.ref, boundaries, inners);
      this.record('dissect', tx, t.ref);
    }
    t.children = { boundaries, inners };
    const childW = t.ref.w - Math.log2(d.children.length);
    return d.children.map((root, j) =>
      this.track({
        ref: {
          level: t.ref.level,
          origin: t.ref.origin,
          start: t.ref.start + (BigInt(j) << BigInt(childW)),
          w: childW,
          startState: boundaries[j],
          root: hex(root),
        },
        history: t.history,
        block: t.block,
        base: t.base,
      }),
    );
  }

  private async padding(t: Tracked, total: bigint): Promise<void> {
    if (total < INF) {
      try {
        const tx = await this.o.challenges.confirmEdgeByPadding(t.ref);
        this.record('padding', tx, t.ref);
      } catch (e) {
        this.log(`cannot prove padding at block ${t.ref.start}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    this.finished.add(t.id);
  }

  /** The top edge of the next level claiming the single-block or single-range edge `t` (§4.1). */
  private async openNextLevel(t: Tracked): Promise<Tracked> {
    if (t.sub) return t.sub;
    const { claim, challenges } = this.o;
    const level = t.ref.level + 1;
    const block = t.ref.level === 0 ? Number(t.ref.start) : t.block;
    const base =
      t.ref.level === 0 ? 0 : t.base + Number(t.ref.start) * 2 ** strideLog2(this.heights, t.ref.level);
    const history = claim.stepHistory(block, level, base);
    const ref: EdgeRef = {
      level,
      origin: edgeKey(t.ref),
      start: 0n,
      w: this.heights[level],
      startState: hex(history.state(0)),
      root: hex(history.root()),
    };
    const sub = this.track({ ref, history, block, base });
    t.sub = sub;
    if (!(await challenges.edgeStatus(ref)).exists) {
      const claimedEnd = hex(t.history.state(Number(t.ref.start) + 1));
      const inner = hex(history.inner(0, history.h));
      const bond = await challenges.edgeBond();
      const tx =
        t.ref.level === 0
          ? await challenges.createBlockStepEdge(
              t.ref,
              toSolState(claim.blockState(block)),
              claimedEnd,
              claim.endMachineWords(block),
              inner,
              bond,
            )
          : await challenges.createStepSubEdge(t.ref, claimedEnd, inner, bond);
      this.record('subchallenge', tx, ref, `block ${block}, from step ${base}`);
    }
    return sub;
  }

  private async oneStep(t: Tracked, total: bigint): Promise<void> {
    this.finished.add(t.id);
    if (total >= INF) return;
    const step = t.base + Number(t.ref.start);
    const { proof, needs } = this.o.claim.proveStep(t.block, step);
    try {
      if (needs.inboxPosition !== undefined) {
        const r = await this.o.inbox.merkleize(needs.inboxPosition);
        if (r.tx) this.record('merkleize', r.tx, undefined, `inbox position ${needs.inboxPosition}`);
      }
      if (needs.preimage) await this.loadPreimagePart(needs.preimage);
      const tx = await this.o.challenges.confirmEdgeByOneStepProof(t.ref, hex(proof));
      this.record('one-step-proof', tx, t.ref, `block ${t.block}, step ${step}`);
    } catch (e) {
      this.log(
        `one-step proof of block ${t.block} step ${step} failed: ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }

  private async loadPreimagePart(part: PreimagePart): Promise<void> {
    const tx = await ensurePreimagePart(this.o.oracle, this.o.challenges.clients, part, (l) => this.log(l));
    if (tx) {
      const { kind, hash, offset } = part;
      this.record('preimage', tx, undefined, `kind ${kind} ${hash.slice(0, 10)} offset ${offset}`);
    }
  }

  /** Timer updates of every tracked edge, deepest first (§4.3), then confirm the level-0 edge. */
  confirmCalls(): Hex[] {
    const c = this.o.challenges;
    const ordered = [...this.tracked.values()].sort((x, y) => y.ref.level - x.ref.level || x.ref.w - y.ref.w);
    const calls: Hex[] = [];
    for (const t of ordered) {
      if (t.sub) calls.push(c.encode('updateTimerCacheByClaim', [t.ref, t.sub.ref]));
      if (t.children) {
        calls.push(c.encode('updateTimerCacheByChildren', [t.ref, t.children.boundaries, t.children.inners]));
      }
    }
    calls.push(c.encode('confirmEdgeByTime', [this.layerZeroRef()]));
    return calls;
  }

  private async tryConfirmEdge(): Promise<void> {
    const l0 = this.layerZeroRef();
    const c = this.o.challenges;
    if ((await c.edgeStatus(l0)).confirmed) return;
    const calls = this.confirmCalls();
    const why = await c.whyNot(calls);
    if (why === undefined) {
      this.record('confirm-edge', await c.multicall(calls), l0, `${calls.length - 1} timer updates`);
    } else if (why.split('(')[0] !== this.lastWhyNot) {
      this.lastWhyNot = why.split('(')[0];
      this.log(`level-0 edge not confirmable yet: ${why}`);
    }
  }

  private async tryConfirmAssertion(): Promise<void> {
    const a = this.required();
    const { rollup } = this.o;
    if ((await rollup.latestConfirmed()) !== a.prevId) return;
    if (await rollup.hasRival(a.prevId)) {
      const l0 = this.layerZeroRef();
      if (!(await this.o.challenges.edgeConfirmed(edgeId(l0)))) return;
    } else if (!(await rollup.canConfirmByTime(a))) return;
    let tx: TxResult;
    try {
      tx = await rollup.confirmAssertion(a);
    } catch (e) {
      // a rival was posted since the check above (the dispute goes on), or another party confirmed it
      const code = e instanceof ModexError ? e.code : '';
      if (code === 'ROLLUP_RIVALS_NOT_DECIDED' || code === 'ROLLUP_NOT_PENDING') return;
      throw e;
    }
    this.record('confirm-assertion', tx, undefined, this.assertionId?.slice(0, 10));
  }

  /**
   * After the assertion is confirmed: confirms this agent's top edges (level 0 and every
   * sub-challenge it opened), takes back the bonds it paid for them, and sweeps the bonds of the
   * rival top edges at the same keys, which go to the assertion's asserter whoever paid the edge
   * (docs/dispute.md §4.4). Returns the wei paid to this agent's account.
   */
  async collectBonds(): Promise<bigint> {
    const c = this.o.challenges;
    if (!(await this.isConfirmed())) return 0n;
    const me = c.clients.walletClient.account.address.toLowerCase();
    const bond = await c.edgeBond();
    const asserterIsMe = (await this.o.rollup.asserterOf(this.assertionId ?? ZERO32)).toLowerCase() === me;
    let collected = 0n;
    const tops = [
      this.layerZeroRef(),
      ...[...this.tracked.values()].filter((t) => t.sub).map((t) => t.sub?.ref as EdgeRef),
    ];
    // one log scan for all of them
    const created = await c.topEdges();
    for (const top of tops) {
      const id = edgeId(top);
      const key = edgeKey(top);
      const rivals = created.filter((e) => e.key === key);
      const mine = rivals.find((r) => r.id === id);
      if (!mine) continue;
      try {
        const status = await c.edgeStatus(top);
        if (!status.confirmed) await c.confirmEdgeByTime(top);
        if (mine.payer.toLowerCase() === me && (await c.bondHeld(id))) {
          this.record('collect', await c.refundEdgeBond(top), top, 'own bond back');
          collected += bond;
        }
      } catch (e) {
        this.log(`cannot take back the bond of level ${top.level}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      for (const r of rivals.filter((x) => x.id !== id)) {
        if (!(await c.bondHeld(r.id))) continue; // swept already (by anybody: it goes to the asserter)
        try {
          this.record(
            'collect',
            await c.sweepEdgeBond(r.edge, top),
            top,
            `rival bond of ${r.payer.slice(0, 10)}${asserterIsMe ? '' : ' (to the asserter)'}`,
          );
          if (asserterIsMe) collected += bond;
        } catch (e) {
          this.log(`cannot sweep the bond of ${r.id.slice(0, 10)}: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
    return collected;
  }

  /** Edge refs this agent created or tracks at level 0 (for bond collection). */
  get layerZeroEdge(): EdgeRef {
    return this.layerZeroRef();
  }

  /** Honest moves so far (all transactions of this agent) and their gas. */
  totals(): { moves: number; gas: bigint } {
    return { moves: this.moves.length, gas: this.moves.reduce((s, m) => s + m.gasUsed, 0n) };
  }
}
