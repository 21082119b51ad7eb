/**
 * `proof.module: "validity"` (zk-rollup mode, docs/validity.md §6): an assertion is created with a
 * validity proof and confirmed in the same transaction (the ValidityVerifier in the Rollup's
 * committee slot, §5); there is no challenge period and no dispute. This object is the module's face
 * to the node: `verify` compares a claimed state with re-execution, as every module does. The proofs
 * are made by the prover role (src/node/validity-prover.ts) with the app's circuit
 * (`ValidityApp`, ./prover-app.ts), which the node loads by the app's name.
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

/** A dispute asked of zk-rollup mode, which has none. */
export class NoValidityDisputesError extends ModexError {
  constructor() {
    super(
      'PROOF_NO_DISPUTES',
      'proof.module "validity" has no disputes: every assertion is created with its proof and confirmed at once (docs/validity.md §6); for challenges decided by a proof use proof.module "fraud" with proof.disputes "validity"',
    );
  }
}

export class ValidityProofSystem implements ProofSystem<unknown> {
  readonly name = 'validity' as const;
  readonly finality = 'validity-proof' as const;
  readonly needsSettlementContracts = true;

  /** The proof is made by the prover role, not from a claim alone. */
  async evidence(): Promise<AssertionEvidence> {
    return { kind: 'none' };
  }

  verify(claimed: GlobalState, local: GlobalState): Verdict {
    return compareStates(claimed, local);
  }

  dispute(): Dispute {
    throw new NoValidityDisputesError();
  }
}

export const validityProofModule = {
  layer: 'proof',
  name: 'validity',
  status: 'implemented',
  summary:
    'zk-rollup: each assertion is created with a Groth16 proof and confirmed at once (no challenge period)',
  check: (config: ChainConfig) =>
    config.settlement.module === 'sovereign'
      ? [{ path: 'settlement.module', message: 'validity proofs are verified by settlement contracts' }]
      : [],
  create: () => new ValidityProofSystem(),
} as const satisfies ModuleDefinition<'proof', ChainConfig, unknown, ValidityProofSystem>;
