/**
 * The hybrid challenger (docs/validity.md §6.3; the prover role on a chain with
 * `proof.disputes: "validity"`, the validity devnet's fraud scenario): judges every pending
 * assertion against the node's derived chain (`dishonesty(honestAssertion(...), a)`, the test every
 * validator makes), challenges a wrong one with the assertion bond (no bisection: the asserter must
 * prove it within the prove window), and once that window is over (L1 time) calls `rejectUnproven`,
 * which pays both bonds to the challenger. The honest assertion in the wrong one's place is the
 * prover's work (./validity-prover.ts creates and confirms it with a proof); this file only
 * challenges and rejects.
 *
 * Incremental: each round reads only the AssertionCreated logs of the L1 blocks it has not read
 * yet; an assertion stays in the queue until the node has derived its blocks and judged it, and a
 * challenged one until it is rejected (or decided otherwise).
 */
import type { Hex } from 'viem';
import type { AssertionData } from '../settlement/ethereum/dispute-hash.ts';
import { SettlementRevertError } from '../settlement/ethereum/errors.ts';
import type { RollupClient } from '../settlement/ethereum/rollup.ts';
import { dishonesty, honestAssertion } from './attester.ts';
import type { ChainFollower } from './validator.ts';

/** One L1 transaction of the challenger. */
export interface HybridMove {
  kind: 'challenge' | 'reject-unproven';
  /** the wrong assertion */
  id: Hex;
  txHash: Hex;
  gas: bigint;
}

export interface HybridChallengerOptions {
  name: string;
  rollup: RollupClient;
  follower: ChainFollower;
  /** the challenge manager's level heights (heights[0] bounds an assertion's blocks) */
  heights: number[];
  /** L1 block of the deployment (the first log scan starts there) */
  fromBlock: bigint;
  log?: (line: string) => void;
  /** each move, as it is mined */
  onMove?: (m: HybridMove) => void;
}

const NOBODY = '0x0000000000000000000000000000000000000000';
/** Reverts that mean someone else decided the assertion first (a proof, a confirmation, a rejection). */
const DECIDED = ['NotPending', 'AlreadyChallenged', 'ChallengePeriodOver'];

export class HybridChallenger {
  readonly moves: HybridMove[] = [];
  /** every assertion seen, by id (a judged assertion's parent is looked up here) */
  private readonly known = new Map<Hex, AssertionData>();
  /** assertions not judged yet (their blocks not derived yet) */
  private readonly unjudged = new Set<Hex>();
  /** assertions this node challenged, with the challenge's L1 time: rejected once the window is over */
  private readonly challenged = new Map<Hex, bigint>();
  private nextBlock: bigint;
  private window?: bigint;

  constructor(private readonly o: HybridChallengerOptions) {
    this.nextBlock = o.fromBlock;
  }

  private log(line: string): void {
    this.o.log?.(`${this.o.name}: ${line}`);
  }

  /** Assertions challenged by this node and not rejected yet. */
  get open(): number {
    return this.challenged.size;
  }

  /** One round: reads the new assertions, judges the pending ones, rejects the unproven ones. */
  async tick(): Promise<HybridMove[]> {
    const before = this.moves.length;
    await this.scan();
    for (const id of [...this.unjudged]) await this.judge(id);
    for (const [id, at] of [...this.challenged]) await this.reject(id, at);
    return this.moves.slice(before);
  }

  private async scan(): Promise<void> {
    const { rollup } = this.o;
    const latest = await rollup.clients.publicClient.getBlockNumber();
    if (latest < this.nextBlock) return;
    for (const r of await rollup.assertions(this.nextBlock, latest)) {
      this.known.set(r.id, r.data);
      if (r.prevId !== `0x${'0'.repeat(64)}`) this.unjudged.add(r.id); // not the genesis assertion
    }
    this.nextBlock = latest + 1n;
  }

  private async judge(id: Hex): Promise<void> {
    const { rollup } = this.o;
    const a = this.known.get(id) as AssertionData;
    const prev = this.known.get(a.prevId);
    if (!prev) {
      this.unjudged.delete(id); // its parent is not an assertion of this Rollup
      return;
    }
    // its blocks not derived yet: judged next round (no L1 read until then)
    const honest = honestAssertion(this.o.follower, this.o.heights, prev);
    if (!honest) return;
    if ((await rollup.status(id)) !== 'pending') {
      this.unjudged.delete(id); // confirmed or rejected already: nothing to judge
      return;
    }
    const me = rollup.clients.walletClient.account.address.toLowerCase();
    const c = await rollup.challengeOf(id);
    if (c.challenger !== NOBODY) {
      // challenged before (by this key, before a restart: reject it; by someone else: theirs)
      if (c.challenger.toLowerCase() === me) this.challenged.set(id, c.at);
      this.unjudged.delete(id);
      return;
    }
    this.unjudged.delete(id);
    const why = dishonesty(honest, a);
    if (why === undefined) return; // honest: the prover confirms it with a proof
    let tx: Awaited<ReturnType<RollupClient['challenge']>>;
    try {
      tx = await rollup.challenge(a, await rollup.assertionBond());
    } catch (e) {
      if (e instanceof SettlementRevertError && DECIDED.includes(e.errorName)) {
        this.log(`cannot challenge wrong assertion ${id.slice(0, 10)} (${why}): ${e.errorName}`);
        return;
      }
      this.unjudged.add(id); // judged again next round
      throw e;
    }
    const at = (await rollup.challengeOf(id)).at;
    this.challenged.set(id, at);
    this.window ??= await rollup.proveWindow();
    this.move({ kind: 'challenge', id, txHash: tx.txHash, gas: tx.gasUsed });
    this.log(
      `challenged ${id.slice(0, 10)} (${why}); it must be proven within ${this.window} s, by L1 time ${at + this.window} (gas ${tx.gasUsed})`,
    );
  }

  private async reject(id: Hex, at: bigint): Promise<void> {
    const { rollup } = this.o;
    this.window ??= await rollup.proveWindow();
    // the next block's time: L1 mines no block while nothing is sent, so the wall clock counts too
    const block = await rollup.clients.publicClient.getBlock({ blockTag: 'latest' });
    const now = BigInt(Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000)));
    if (now <= at + this.window) return;
    const a = this.known.get(id) as AssertionData;
    let tx: Awaited<ReturnType<RollupClient['rejectUnproven']>>;
    try {
      tx = await rollup.rejectUnproven(a);
    } catch (e) {
      if (e instanceof SettlementRevertError && e.errorName === 'ProveWindowOpen') return; // clocks apart
      if (e instanceof SettlementRevertError && e.errorName === 'NotPending') {
        this.challenged.delete(id);
        this.log(`${id.slice(0, 10)} was decided before its rejection (${await rollup.status(id)})`);
        return;
      }
      throw e;
    }
    this.challenged.delete(id);
    this.move({ kind: 'reject-unproven', id, txHash: tx.txHash, gas: tx.gasUsed });
    this.log(
      `${id.slice(0, 10)} was not proven in its window: rejected: the challenge bond back and the asserter's stake to the challenger (gas ${tx.gasUsed})`,
    );
  }

  private move(m: HybridMove): void {
    this.moves.push(m);
    this.o.onMove?.(m);
  }
}
