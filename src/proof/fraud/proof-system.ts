/**
 * The `fraud` proof system (`proof.module: "fraud"`, docs/dispute.md) as the registry's module
 * (src/modules.ts): assertions confirmed after the challenge period unless disputed; disputes are
 * BOLD-style bisections down to a one-step proof checked on the settlement layer. A thin object over
 * the existing pieces: a claim is a {@link Claim} (claim.ts: the blocks re-executed in the wasm
 * machine), and `dispute` is the {@link DisputeAgent} (challenger.ts) defending it through the
 * settlement contracts' clients the context gives.
 */

import type { ChainConfig } from '../../config/types.ts';
import { ModexError } from '../../core/errors.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { AssertionEvidence, Dispute, DisputeMove, ProofSystem, Verdict } from '../../core/proof.ts';
import type { GlobalState, Hash32 } from '../../core/types.ts';
import type { AssertionData } from '../../settlement/ethereum/dispute-hash.ts';
import { type AgentOptions, DisputeAgent } from './challenger.ts';
import type { Claim } from './claim.ts';

/** What a fraud dispute needs of the settlement layer: AgentOptions without the claim. */
export type FraudSettlement = Omit<AgentOptions, 'claim' | 'prev' | 'name'>;

/** A claim to defend: the re-executed blocks and the assertion they follow. */
export interface FraudClaim {
  claim: Claim;
  prev: AssertionData;
  /** a name for the agent's log lines (default "fraud") */
  name?: string;
}

export interface FraudContext {
  config: Pick<ChainConfig, 'proof'>;
  /** the settlement contracts' clients (rollup, challenge manager, inbox, preimage oracle); needed by `dispute` */
  settlement?: FraudSettlement;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The global states differ (the first differing field is the reason). */
export function compareStates(claimed: GlobalState, local: GlobalState): Verdict {
  const names = ['stateRoot', 'sendRoot'] as const;
  for (let i = 0; i < 2; i++) {
    if (hex(claimed.bytes32[i]) !== hex(local.bytes32[i]))
      return {
        agree: false,
        expected: local,
        reason: `${names[i]} 0x${hex(claimed.bytes32[i])} is not ours 0x${hex(local.bytes32[i])}`,
      };
  }
  const pos = ['inboxPosition', 'positionInMessage'] as const;
  for (let i = 0; i < 2; i++) {
    if (claimed.u64[i] !== local.u64[i])
      return {
        agree: false,
        expected: local,
        reason: `${pos[i]} ${claimed.u64[i]} is not ours ${local.u64[i]}`,
      };
  }
  return { agree: true };
}

class FraudDispute implements Dispute {
  constructor(readonly agent: DisputeAgent) {}
  get assertionHash(): Hash32 | undefined {
    return this.agent.assertionId;
  }
  post(): Promise<Hash32> {
    return this.agent.postAssertion();
  }
  async advance(): Promise<DisputeMove[]> {
    const before = this.agent.moves.length;
    await this.agent.advance();
    return this.agent.moves.slice(before).map((m) => ({
      kind: m.kind,
      level: m.level,
      txHash: m.txHash,
      gasUsed: m.gasUsed,
      detail: m.detail,
    }));
  }
  isConfirmed(): Promise<boolean> {
    return this.agent.isConfirmed();
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
    return new FraudDispute(
      new DisputeAgent({ ...this.settlement, claim: c.claim, prev: c.prev, name: c.name ?? 'fraud' }),
    );
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
