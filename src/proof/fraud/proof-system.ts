/**
 * The `fraud` proof system (`proof.module: "fraud"`, docs/dispute.md) as the registry's module
 * (src/modules.ts): assertions confirmed after the challenge period unless disputed; disputes are
 * BOLD-style bisections down to a one-step proof checked on the settlement layer. A thin object over
 * the existing pieces: a claim is a {@link Claim} (claim.ts: the blocks re-executed in the wasm
 * machine; built here from the chain the node derived, {@link FraudBlocks}), and `dispute` is the
 * {@link DisputeAgent} (challenger.ts) defending it through the settlement contracts' clients the
 * context gives. The node's validator sees only `ProofSystem` (src/core/proof.ts).
 */

import type { ChainConfig } from '../../config/types.ts';
import { ModexError } from '../../core/errors.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import {
  type AssertionEvidence,
  compareStates,
  type Dispute,
  type DisputeMove,
  type ProofSystem,
  type Verdict,
} from '../../core/proof.ts';
import type { GlobalState, Hash32 } from '../../core/types.ts';
import type { AssertionData } from '../../settlement/ethereum/dispute-hash.ts';
import { type AgentOptions, DisputeAgent, type MoveRecord } from './challenger.ts';
import { type Claim, type ExecutionContext, HonestClaim, LyingClaim } from './claim.ts';

/** What a fraud dispute needs of the settlement layer: AgentOptions without the claim. */
export type FraudSettlement = Omit<AgentOptions, 'claim' | 'prev' | 'name'>;

/**
 * The blocks of a claim, as the node derived them: the fraud module re-executes them in the
 * machine (HonestClaim), or, for a dishonest node (tests, the devnet's fraud scenario), lies about
 * the last one (LyingClaim).
 */
export interface FraudBlocks {
  /** the derived chain: global state after the first n messages, and the dispute's execution context */
  chain: { stateAt(n: number): GlobalState; executionContext(heights: number[]): ExecutionContext };
  /** the challenge manager's level heights (docs/dispute.md §1) */
  heights: number[];
  /** the inbox position the claim starts at (the previous assertion's end) */
  start: number;
  /** blocks (inbox messages) the claim covers */
  blocks: number;
  /** dishonest: a claim whose last block is wrong, tagged with this text */
  lie?: string;
  /** dishonest: the block (0-based, within the claim) whose result is wrong; default the last */
  lieAt?: number;
}

/** A claim to defend: the re-executed blocks and the assertion they follow. */
export interface FraudClaim {
  /** a built Claim (claim.ts), or the derived blocks to build it from */
  claim: Claim | FraudBlocks;
  prev: AssertionData;
  /** our assertion, already on the settlement layer (found after a restart): defended, not posted */
  posted?: { assertion: AssertionData; id: Hash32 };
  /** a name for the agent's log lines (default "fraud") */
  name?: string;
  log?: (line: string) => void;
}

/** The Claim of derived blocks. */
function claimOf(b: FraudBlocks): Claim {
  const known: GlobalState[] = [];
  for (let i = 1; i <= b.blocks; i++) known.push(b.chain.stateAt(b.start + i));
  const honest = new HonestClaim(
    b.chain.executionContext(b.heights),
    b.chain.stateAt(b.start),
    b.blocks,
    known,
  );
  return b.lie === undefined ? honest : new LyingClaim(honest, b.lieAt ?? b.blocks - 1, b.lie);
}

export interface FraudContext {
  config: Pick<ChainConfig, 'proof'>;
  /** the settlement contracts' clients (rollup, challenge manager, inbox, preimage oracle); needed by `dispute` */
  settlement?: FraudSettlement;
}

/** An agent's move as a core DisputeMove: its range (`[start, +2^w)`, levels ≥ 0) leads the detail. */
function moveOf(m: MoveRecord): DisputeMove {
  const range = m.level === undefined || m.start === undefined ? undefined : `[${m.start}, +2^${m.w})`;
  const detail = [range, m.detail].filter((x) => x).join(' ');
  return {
    kind: m.kind,
    level: m.level,
    txHash: m.txHash,
    gasUsed: m.gasUsed,
    ...(detail ? { detail } : {}),
  };
}

class FraudDispute implements Dispute {
  constructor(readonly agent: DisputeAgent) {}
  get assertionHash(): Hash32 | undefined {
    return this.agent.assertionId;
  }
  get moves(): DisputeMove[] {
    return this.agent.moves.map(moveOf);
  }
  post(): Promise<Hash32> {
    return this.agent.postAssertion();
  }
  async advance(): Promise<DisputeMove[]> {
    const before = this.agent.moves.length;
    await this.agent.advance();
    return this.agent.moves.slice(before).map(moveOf);
  }
  isConfirmed(): Promise<boolean> {
    return this.agent.isConfirmed();
  }
  /** Our edge bonds back and the rivals' swept to us, once our assertion is confirmed (wei). */
  collectBonds(): Promise<bigint> {
    return this.agent.collectBonds();
  }
}

export class FraudProofSystem implements ProofSystem<FraudClaim> {
  readonly name = 'fraud' as const;
  readonly finality = 'challenge-period' as const;
  readonly needsSettlementContracts = true;

  constructor(private readonly settlement?: FraudSettlement) {}

  /** Fraud proofs post nothing with an assertion: the challenge period is the evidence. */
  async evidence(): Promise<AssertionEvidence> {
    return { kind: 'none' };
  }

  verify(claimed: GlobalState, local: GlobalState): Verdict {
    return compareStates(claimed, local);
  }

  dispute(c: FraudClaim): Dispute {
    if (!this.settlement)
      throw new ModexError(
        'PROOF_NO_SETTLEMENT',
        "fraud proofs: dispute() needs the settlement contracts' clients (FraudContext.settlement)",
      );
    const claim = 'chain' in c.claim ? claimOf(c.claim) : c.claim;
    const agent = new DisputeAgent({
      ...this.settlement,
      claim,
      prev: c.prev,
      name: c.name ?? 'fraud',
      ...(c.log ? { log: c.log } : {}),
    });
    if (c.posted) agent.adopt(c.posted.assertion, c.posted.id);
    return new FraudDispute(agent);
  }
}

export const fraudProofModule = {
  layer: 'proof',
  name: 'fraud',
  status: 'implemented',
  summary: 'interactive bisection + one-step proof (BOLD-style challenges, 16-ary dissection)',
  check: () => [],
  create: (ctx: FraudContext) => new FraudProofSystem(ctx.settlement),
} as const satisfies ModuleDefinition<'proof', ChainConfig, FraudContext, ProofSystem<FraudClaim>>;
