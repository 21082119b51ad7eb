/**
 * `proof.module: "none"` (sovereign chains only, docs/sovereign.md): nothing is proven to a
 * settlement layer. Full nodes decide by re-execution and light clients by fraud proofs taken from
 * the network (src/settlement/sovereign/); there are no assertions, so no evidence and no disputes.
 */
import type { ChainConfig } from '../../config/types.ts';
import { ModexError } from '../../core/errors.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { AssertionEvidence, Dispute, ProofSystem, Verdict } from '../../core/proof.ts';
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

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class NoProofSystem implements ProofSystem<unknown> {
  readonly name = 'none' as const;
  readonly finality = 'social' as const;
  readonly needsSettlementContracts = false;

  async evidence(): Promise<AssertionEvidence> {
    return { kind: 'none' };
  }

  verify(claimed: GlobalState, local: GlobalState): Verdict {
    const same =
      hex(claimed.bytes32[0]) === hex(local.bytes32[0]) &&
      hex(claimed.bytes32[1]) === hex(local.bytes32[1]) &&
      claimed.u64[0] === local.u64[0] &&
      claimed.u64[1] === local.u64[1];
    return same
      ? { agree: true }
      : { agree: false, expected: local, reason: 'the claimed state is not the one re-execution gives' };
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
