/**
 * A validator (docs/node.md §5): follows the chain derived from L1, posts assertions
 * (docs/dispute.md §2.2) on top of the newest one it agrees with, confirms them after the challenge
 * period, and when a rival assertion disagrees with its own execution it posts the correct one and
 * plays the dispute until it ends; then it takes the loser's stake. Claims are checked (`verify`)
 * and defended (`dispute`) through the chain's proof system (`ProofSystem`, src/core/proof.ts: the
 * roles create it through the registry from `proof.module`); what a claim is made of and how a
 * dispute is played stay in the proof module (src/proof/fraud). It keeps
 * no state of its own: every `tick()` reads the contracts' events, so a restarted validator picks
 * up where the last one stopped (a running dispute included).
 */
import type { Address, Hex } from 'viem';
import { ModexError } from '../core/errors.ts';
import type { Dispute, DisputeMove, ProofSystem } from '../core/proof.ts';
import type { InboxMerkleizer } from '../proof/fraud/challenger.ts';
import type { ExecutionContext } from '../proof/fraud/claim.ts';
import { type FraudBlocks, type FraudClaim, FraudProofSystem } from '../proof/fraud/proof-system.ts';
import { fromSolState, nextBlockCount } from '../settlement/ethereum/dispute-hash.ts';
import { SettlementRevertError } from '../settlement/ethereum/errors.ts';
import type {
  AssertionRecord,
  ChallengeClient,
  PreimageOracleClient,
  RollupClient,
} from '../settlement/ethereum/rollup.ts';
import type { GlobalState } from '../vm/wasm/machine.ts';
import { AssertionLog } from './assertion-log.ts';

/** What a validator needs of the chain it follows (derivation over an AppChain). */
export interface ChainFollower {
  /** inbox messages executed so far */
  readonly length: number;
  /** the global state after the first n messages */
  stateAt(n: number): GlobalState;
  executionContext(heights: number[]): ExecutionContext;
  /** how many transactions the batch at `position` carried (0 for a delayed message); optional */
  txCount?(position: number): number;
}

export interface ValidatorOptions {
  name: string;
  /** the rollup contract: assertions scanned, confirmed, stakes taken */
  rollup: RollupClient;
  /**
   * The chain's proof system (the roles create it through the registry, `proof.module`): verifies
   * the assertions against the follower and plays the disputes. Default: fraud proofs over the
   * clients below.
   */
  proof?: ProofSystem<FraudClaim>;
  /** without `proof`: the contracts' clients the fraud proof system disputes through */
  challenges?: ChallengeClient;
  inbox?: InboxMerkleizer;
  oracle?: PreimageOracleClient;
  follower: ChainFollower;
  /** the challenge manager's level heights (docs/dispute.md §1) */
  heights: number[];
  /** L1 block of the deployment (event scans start there) */
  fromBlock: bigint;
  /** dishonest mode (the devnet's fraud scenario, tests): its assertions lie about their last block */
  lie?: boolean;
  /** dishonest mode: stop posting after this many lies (default: no limit) */
  maxLies?: number;
  /**
   * dishonest mode: post only a claim whose blocks include a batch with transactions, and lie about
   * the last such block (the dispute then bisects through the app executing them; needs
   * `follower.txCount`). Default: every claim, lying about its last block.
   */
  lieAboutTransactions?: boolean;
  /**
   * Attested chains, a validator that runs no committee member: it posts a plain assertion only
   * once the claim has been ready for this many L1 blocks, so the committee's fast path (one
   * transaction creating and confirming it) goes first (docs/attested.md §7). Default 0.
   */
  yieldBlocks?: number;
  log?: (line: string) => void;
}

/** What happened in a tick (the devnet's summary counts these). */
export type ValidatorEvent =
  /** `gas`: L1 gas of the transactions that posted it */
  | { kind: 'assertion'; id: Hex; blocks: number; lie: boolean; gas?: bigint }
  /** `gas`: of the confirmation, when this validator sent it outside a dispute */
  | { kind: 'confirmed'; id: Hex; byChallenge: boolean; gas?: bigint }
  | { kind: 'disagree'; id: Hex; asserter: Address }
  | { kind: 'move'; move: string; gas: bigint }
  | { kind: 'slashed'; staker: Address; assertion: Hex; gas?: bigint };

/** A dispute of one of our assertions (it has a rival): open until it or a rival is confirmed. */
export type DisputeOutcome = 'open' | 'won' | 'lost';

export class Validator {
  readonly name: string;
  readonly address: Address;
  readonly events: ValidatorEvent[] = [];
  /** our assertions that have a rival, and how each dispute ended (the node's metrics) */
  readonly disputes = new Map<Hex, DisputeOutcome>();
  /** inbox positions at the end of the newest assertion of our path and of the latest confirmed one (last round) */
  assertedPosition?: number;
  confirmedPosition?: number;
  /** the proof system claims are verified and disputed through */
  readonly proof: ProofSystem<FraudClaim>;
  private readonly agents = new Map<Hex, Dispute>();
  private readonly slashed = new Set<Hex>();
  private readonly bondsCollected = new Set<Hex>();
  /** AssertionCreated records scanned so far, in creation order, and the last L1 block scanned */
  private readonly assertionLog: AssertionLog;
  /** assertions known to be confirmed (a final status) */
  private readonly confirmed = new Set<Hex>();
  /** the head of its first scan: assertions of its wallet created after it are its own */
  private startedAt?: bigint;
  /** the ids of its 'assertion' events */
  private readonly own = new Set<Hex>();
  private blockedLogged?: Hex;
  /** `yieldBlocks`: the L1 block at which a claim after each tip was first ready */
  private readonly readySince = new Map<Hex, bigint>();
  /** events before the current round, and whether this round met something it could not do yet */
  private eventsBefore = 0;
  private waiting = false;

  constructor(private readonly o: ValidatorOptions) {
    this.name = o.name;
    this.address = o.rollup.clients.walletClient.account.address;
    this.proof = o.proof ?? defaultProof(o);
    this.assertionLog = new AssertionLog(o.rollup, o.fromBlock);
  }

  private log(line: string): void {
    this.o.log?.(`[${this.name}] ${line}`);
  }

  private emit(e: ValidatorEvent): void {
    if (e.kind === 'assertion') this.own.add(e.id);
    this.events.push(e);
  }

  /**
   * Assertions its wallet created since it started without its own `post` (the attester's fast
   * path, docs/attested.md §7: created and confirmed in one transaction) are its own: an
   * 'assertion' event each (without gas: the attester counts it).
   */
  private adoptOwn(records: AssertionRecord[]): void {
    if (this.startedAt === undefined) return;
    for (const r of records) {
      if (r.asserter !== this.address || r.blockNumber <= this.startedAt || this.own.has(r.id)) continue;
      this.emit({ kind: 'assertion', id: r.id, blocks: Number(r.data.blockCount), lie: this.o.lie === true });
    }
  }

  /**
   * The last round left this validator nothing to do: it acted on nothing (no assertion, move,
   * confirmation or slash), judged every assertion it has seen (its follower had derived them all),
   * and had every block a dispute of its needs. Only then may a devnet fast-forward L1 time
   * (`--warp`): a warp while a validator still has to answer would spend the challenge period's
   * time that BoLD's timers give the honest side (docs/dispute.md §4), and a liar could win by
   * timer (docs/node.md §5).
   */
  get quiet(): boolean {
    return (
      this.assertionLog.scannedTo !== undefined && !this.waiting && this.events.length === this.eventsBefore
    );
  }

  /** true when `r`'s end state is what the follower computed (undefined: not derived that far yet) */
  private agrees(r: AssertionRecord): boolean | undefined {
    const pos = Number(r.data.end.inboxPosition);
    if (r.data.prevId === `0x${'00'.repeat(32)}`) return true;
    if (pos > this.o.follower.length) return undefined;
    return this.proof.verify(fromSolState(r.data.end), this.o.follower.stateAt(pos)).agree;
  }

  /** The assertions created so far (AssertionLog: incremental, reorg-safe); adopts its wallet's. */
  private async scanAssertions(): Promise<AssertionRecord[]> {
    const { fresh, head } = await this.assertionLog.scan();
    this.startedAt ??= head;
    this.adoptOwn(fresh);
    return this.assertionLog.records;
  }

  /** One round: post, confirm, dispute, collect. */
  async tick(): Promise<void> {
    this.eventsBefore = this.events.length;
    this.waiting = false;
    const { rollup } = this.o;
    const records = await this.scanAssertions();
    if (records.some((r) => this.agrees(r) === undefined)) this.waiting = true;
    const byId = new Map(records.map((r) => [r.id, r]));
    const children = new Map<Hex, AssertionRecord[]>();
    for (const r of records) children.set(r.data.prevId, [...(children.get(r.data.prevId) ?? []), r]);
    const latestConfirmed = await rollup.latestConfirmed();
    const confirmedRecord = byId.get(latestConfirmed);
    if (!confirmedRecord) {
      this.waiting = true;
      return;
    }
    this.confirmedPosition = Number(confirmedRecord.data.end.inboxPosition);

    // the newest assertion we agree with, along the chain from the latest confirmed one
    let tip = confirmedRecord;
    const path: AssertionRecord[] = [tip];
    for (;;) {
      const next = (children.get(tip.id) ?? []).find(
        (c) => this.agrees(c) === true && (!this.o.lie || c.asserter === this.address),
      );
      if (!next) break;
      tip = next;
      path.push(next);
    }
    this.assertedPosition = Number(tip.data.end.inboxPosition);
    for (const r of records) {
      if (this.agrees(r) !== false || this.o.lie || this.agents.has(r.id) || this.confirmed.has(r.id))
        continue;
      const status = await rollup.status(r.id);
      if (status === 'confirmed') this.confirmed.add(r.id); // final: not asked again
      if (status === 'pending') {
        if (!this.events.some((e) => e.kind === 'disagree' && e.id === r.id)) {
          this.emit({ kind: 'disagree', id: r.id, asserter: r.asserter });
          this.log(`disagrees with assertion ${r.id.slice(0, 10)} by ${r.asserter.slice(0, 10)}`);
        }
      }
    }
    await this.maybePost(tip, children);
    await this.playDisputes(path, children);
    await this.confirmReady(path);
    for (const id of this.agents.keys()) {
      if (!this.bondsCollected.has(id) && (await this.o.rollup.status(id)) === 'confirmed')
        await this.collectBonds(id);
    }
    await this.collect(records);
    await this.settleDisputes(byId);
  }

  /** Open disputes of ours: won once our assertion is confirmed, lost once a rival is. */
  private async settleDisputes(byId: Map<Hex, AssertionRecord>): Promise<void> {
    for (const [id, outcome] of this.disputes) {
      const r = byId.get(id);
      if (outcome !== 'open' || !r) continue;
      if ((await this.o.rollup.status(id)) === 'confirmed') this.disputes.set(id, 'won');
      else {
        const winner = await this.o.rollup.confirmedChild(r.data.prevId);
        if (winner !== `0x${'00'.repeat(32)}` && winner !== id) this.disputes.set(id, 'lost');
      }
    }
  }

  /** The blocks after `prev` an assertion covers, once the follower has derived them all. */
  private claimFor(prev: AssertionRecord, lie: boolean): FraudBlocks | undefined {
    const { follower, heights } = this.o;
    const start = Number(prev.data.end.inboxPosition);
    const blocks = nextBlockCount(prev.data, heights[0]);
    if (follower.length < start + blocks) return undefined;
    if (!lie) return { chain: follower, heights, start, blocks };
    let lieAt = blocks - 1;
    if (this.o.lieAboutTransactions) {
      while (lieAt >= 0 && (follower.txCount?.(start + lieAt) ?? 0) === 0) lieAt--;
      if (lieAt < 0) return undefined; // no transactions to lie about yet: wait for a later claim
    }
    return { chain: follower, heights, start, blocks, lie: `${this.name} lies`, lieAt };
  }

  /** Our side of an assertion after `prev` (already posted as `posted`, or to post). */
  private disputeFor(prev: AssertionRecord, claim: FraudBlocks, posted?: AssertionRecord): Dispute {
    return this.proof.dispute({
      claim,
      prev: prev.data,
      ...(posted ? { posted: { assertion: posted.data, id: posted.id } } : {}),
      name: this.name,
      log: (l) => this.o.log?.(l),
    });
  }

  /** `yieldBlocks`: whether the claim after `tip` has been ready for fewer L1 blocks than that. */
  private async yielding(tip: Hex): Promise<boolean> {
    const wait = BigInt(this.o.yieldBlocks ?? 0);
    if (wait === 0n) return false;
    const now = await this.o.rollup.clients.publicClient.getBlockNumber({ cacheTime: 0 });
    const since = this.readySince.get(tip) ?? now;
    this.readySince.set(tip, since);
    return now - since < wait;
  }

  private async maybePost(tip: AssertionRecord, children: Map<Hex, AssertionRecord[]>): Promise<void> {
    const mine = (children.get(tip.id) ?? []).some((c) => c.asserter === this.address);
    if (mine) return;
    const posted = this.events.filter((e) => e.kind === 'assertion').length;
    if (this.o.lie && posted >= (this.o.maxLies ?? Number.POSITIVE_INFINITY)) return;
    const claim = this.claimFor(tip, this.o.lie === true);
    if (!claim) return;
    if (await this.yielding(tip.id)) return;
    const latest = await this.o.rollup.latestStaked(this.address);
    if (
      latest !== `0x${'00'.repeat(32)}` &&
      latest !== tip.id &&
      (await this.o.rollup.status(latest)) !== 'confirmed'
    ) {
      if (this.blockedLogged !== latest)
        this.log(`waits: its stake is on ${latest.slice(0, 10)}, not confirmed yet`);
      this.blockedLogged = latest;
      return;
    }
    const dispute = this.disputeFor(tip, claim);
    if (claim.lie !== undefined) {
      const at = claim.start + (claim.lieAt ?? claim.blocks - 1);
      const txs = this.o.follower.txCount?.(at);
      this.log(`lies about L2 block ${at}${txs === undefined ? '' : ` (${txs} transactions)`}`);
    }
    try {
      const before = dispute.moves.length;
      const id = await dispute.post();
      this.agents.set(id, dispute);
      const gas = dispute.moves.slice(before).reduce((g, m) => g + m.gasUsed, 0n);
      this.emit({ kind: 'assertion', id, blocks: claim.blocks, lie: this.o.lie === true, gas });
    } catch (e) {
      // another validator posted the same assertion first: nothing to do
      if (!/AssertionExists/.test((e as Error).message)) throw e;
    }
  }

  /** Plays every dispute about the children of the assertions on our path. */
  private async playDisputes(path: AssertionRecord[], children: Map<Hex, AssertionRecord[]>): Promise<void> {
    for (const prev of path) {
      const kids = children.get(prev.id) ?? [];
      if (kids.length < 2) continue;
      const ours = kids.find((c) => (this.o.lie ? c.asserter === this.address : this.agrees(c) === true));
      if (!ours) continue;
      if (!this.disputes.has(ours.id)) this.disputes.set(ours.id, 'open');
      if ((await this.o.rollup.status(ours.id)) !== 'pending') continue;
      let agent = this.agents.get(ours.id);
      if (!agent) {
        const claim = this.claimFor(prev, this.o.lie === true);
        if (!claim) {
          this.waiting = true;
          continue;
        }
        agent = this.disputeFor(prev, claim, ours);
        this.agents.set(ours.id, agent);
      }
      for (const m of await agent.advance()) {
        this.emit({ kind: 'move', move: describeMove(m), gas: m.gasUsed });
        if (m.kind === 'confirm-assertion') this.emit({ kind: 'confirmed', id: ours.id, byChallenge: true });
      }
    }
  }

  /** Once a disputed assertion of ours is confirmed: our edge bonds back, the rivals' swept to us. */
  private async collectBonds(id: Hex): Promise<void> {
    const agent = this.agents.get(id);
    this.bondsCollected.add(id);
    if (
      !agent ||
      this.o.lie ||
      agent.moves.every((m) => m.kind !== 'confirm-edge' && m.kind !== 'layer-zero-edge')
    )
      return;
    const before = agent.moves.length;
    const wei = (await agent.collectBonds?.()) ?? 0n;
    for (const m of agent.moves.slice(before))
      this.emit({ kind: 'move', move: describeMove(m), gas: m.gasUsed });
    if (wei > 0n) this.log(`collected ${wei} wei of edge bonds`);
  }

  /** Confirms unrivaled assertions of our path past their challenge period. */
  private async confirmReady(path: AssertionRecord[]): Promise<void> {
    const { rollup } = this.o;
    for (let i = 1; i < path.length; i++) {
      const r = path[i];
      if ((await rollup.latestConfirmed()) !== r.data.prevId) return;
      if (await rollup.hasRival(r.data.prevId)) return;
      if (!(await rollup.canConfirmByTime(r.data))) return;
      try {
        const tx = await rollup.confirmAssertion(r.data);
        this.emit({ kind: 'confirmed', id: r.id, byChallenge: false, gas: tx.gasUsed });
        this.log(`confirmed ${r.id.slice(0, 10)} (gas ${tx.gasUsed})`);
      } catch (e) {
        // another validator confirmed it first, or a rival was posted since the check above (the
        // next round plays the dispute instead)
        const name = e instanceof SettlementRevertError ? e.errorName : '';
        if (name !== 'NotPending' && name !== 'RivalsNotDecided') throw e;
      }
    }
  }

  /**
   * Takes the stake of every staker whose latest assertion lies on a rejected branch: it, or one of
   * its ancestors, lost to a confirmed sibling (docs/dispute.md §2.4).
   */
  private async collect(records: AssertionRecord[]): Promise<void> {
    if (this.o.lie) return;
    const { rollup } = this.o;
    const byId = new Map(records.map((r) => [r.id, r]));
    const zero = `0x${'00'.repeat(32)}`;
    for (const staker of new Set(records.map((r) => r.asserter))) {
      if (staker === this.address) continue;
      const latest = await rollup.latestStaked(staker);
      if (latest === zero || this.slashed.has(latest)) continue;
      const chain: AssertionRecord[] = [];
      for (let cur = byId.get(latest); cur; cur = byId.get(cur.data.prevId)) {
        if ((await rollup.status(cur.id)) === 'confirmed') break;
        chain.push(cur);
        const winner = await rollup.confirmedChild(cur.data.prevId);
        if (winner === zero) continue;
        if (winner === cur.id) break;
        this.slashed.add(latest);
        const tx = await rollup.slash(
          staker,
          chain.map((r) => r.data),
        );
        this.emit({ kind: 'slashed', staker, assertion: cur.id, gas: tx.gasUsed });
        this.log(`took the stake of ${staker.slice(0, 10)} (lost ${cur.id.slice(0, 10)}; gas ${tx.gasUsed})`);
        break;
      }
    }
  }
}

/** `kind level n [start, +2^w) detail` (the fraud module puts a move's range first in its detail). */
function describeMove(m: DisputeMove): string {
  const where = m.level === undefined ? '' : ` level ${m.level}`;
  return `${m.kind}${where}${m.detail ? ` ${m.detail}` : ''}`;
}

/** Fraud proofs over the contracts' clients of the options (a validator built without a proof system). */
function defaultProof(o: ValidatorOptions): ProofSystem<FraudClaim> {
  const { rollup, challenges, inbox, oracle } = o;
  if (!challenges || !inbox || !oracle)
    throw new ModexError(
      'NODE_VALIDATOR_NO_PROOF',
      'validator: give a proof system, or the challenge manager, inbox and oracle clients',
    );
  return new FraudProofSystem({ rollup, challenges, inbox, oracle });
}
