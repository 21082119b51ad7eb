/**
 * `proof.module: "none"` (sovereign chains only, docs/sovereign.md): nothing is proven to a
 * settlement layer. Full nodes decide by re-execution and light clients by fraud proofs taken from
 * the network (src/settlement/sovereign/); there are no assertions, so no evidence and no disputes.
 */
import type { ChainConfig } from '../../config/types.ts';
import { ModexError } from '../../core/errors.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import {
  type AssertionEvidence,
  compareStates,
  type Dispute,
  type ProofSystem,
  type Verdict,
} from '../../core/proof.ts';
import type { GlobalState } from '../../core/types.ts';

/** A dispute asked of a proof system that has none. */
export class NoDisputesError extends ModexError {
  constructor() {
    super(
      'PROOF_NO_DISPUTES',
      'proof.module "none" has no disputes: a sovereign chain posts no assertions; its light clients check fraud proofs from full nodes (docs/sovereign.md §4, §5)',
    );
  }
}

export class NoProofSystem implements ProofSystem<unknown> {
  readonly name = 'none' as const;
  readonly finality = 'social' as const;
  readonly needsSettlementContracts = false;

  async evidence(): Promise<AssertionEvidence> {
    return { kind: 'none' };
  }

  verify(claimed: GlobalState, local: GlobalState): Verdict {
    return compareStates(claimed, local);
  }

  dispute(): Dispute {
    throw new NoDisputesError();
  }
}

export const noneProofModule = {
  layer: 'proof',
  name: 'none',
  status: 'implemented',
  summary: 'no proofs to a settlement layer (sovereign): nodes re-execute, light clients take fraud proofs',
  check: () => [],
  create: () => new NoProofSystem(),
} as const satisfies ModuleDefinition<'proof', ChainConfig, unknown, NoProofSystem>;
