/**
 * The `attested` proof system (`proof.module: "attested"`, docs/attested.md) as the registry's
 * module (src/modules.ts): an assertion signed by a quorum of the current epoch's active committee
 * is confirmed at once (`Rollup.confirmAttested`, §4); one without a quorum takes the fallback path,
 * the fraud proof system's challenge period and disputes. This object is the module's face to the
 * node's validator: `verify` and `dispute` are the fallback's (it gets it through its context, as
 * the committee DA gets its L1 fallback, so this folder imports no other module), and `evidence`
 * is the attestation signatures the pool holds for a claim. Signing, aggregation, confirmation and
 * slashing are the node's attester (src/node/attester.ts, §7).
 */

import type { ChainConfig } from '../../config/types.ts';
import { ModexError } from '../../core/errors.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { AssertionEvidence, Dispute, ProofSystem, StateClaim, Verdict } from '../../core/proof.ts';
import type { GlobalState, Hash32, Hex } from '../../core/types.ts';

/** The proof module an attested chain falls back to without a quorum (validity proofs once they exist). */
export const ATTESTED_FALLBACK = 'fraud';

/** Signatures of committee members on one assertion (docs/attested.md §3.1), as the pool holds them. */
export interface PooledSignatures {
  /** the signed digest (§3.1) */
  digest: Hash32;
  /** the validator index of each signer and its signature (G1, 128 bytes) */
  signatures: { memberIndex: number; signature: Hex }[];
}

/** Where the module reads attestation signatures: the node's pool (src/node/attester.ts). */
export interface AttestationSource {
  /** the signatures held on the assertion after `prevId` that ends in `end` after `blockCount` blocks */
  signaturesFor(prevId: Hash32, end: GlobalState, blockCount: bigint): PooledSignatures | undefined;
}

export interface AttestedContext<C = unknown> {
  config: Pick<ChainConfig, 'proof'>;
  /** creates another proof module by name through the registry: the fallback */
  proof?: (name: string) => ProofSystem<C>;
  /** the attestation pool `evidence` reads (none: no signatures are known) */
  attestations?: AttestationSource;
}

export class AttestedProofSystem<C = unknown> implements ProofSystem<C> {
  readonly name = 'attested' as const;
  readonly finality = 'attestation' as const;
  readonly needsSettlementContracts = true;

  constructor(
    /** the fallback proof system: verifies claims and plays disputes without a quorum */
    readonly fallback: ProofSystem<C>,
    private readonly attestations?: AttestationSource,
  ) {}

  /** The signatures the pool holds on the claim's assertion (none yet: `{ kind: 'none' }`). */
  async evidence(claim: StateClaim): Promise<AssertionEvidence> {
    const held = this.attestations?.signaturesFor(claim.prevAssertionHash, claim.endState, claim.blockCount);
    if (!held || held.signatures.length === 0) return { kind: 'none' };
    return { kind: 'attestation', digest: held.digest, signatures: held.signatures };
  }

  /** The fallback's verdict: members sign only what a node derives itself (§7). */
  verify(claimed: GlobalState, local: GlobalState): Verdict {
    return this.fallback.verify(claimed, local);
  }

  /** Without a quorum (or with a rival) an assertion is defended by the fallback's dispute (§4). */
  dispute(claim: C): Dispute {
    return this.fallback.dispute(claim);
  }
}

export const attestedProofModule = {
  layer: 'proof',
  name: 'attested',
  status: 'implemented',
  summary: 'an honest-minority validator committee confirms at once; without a quorum, fraud disputes',
  check: (config: ChainConfig) =>
    config.proof.attested
      ? []
      : [
          {
            path: 'proof.attested',
            message: 'required for proof.module "attested": the validator committee',
          },
        ],
  create: (ctx: AttestedContext) => {
    if (!ctx.proof)
      throw new ModexError(
        'PROOF_NO_FALLBACK',
        `attested proofs: the context must create the fallback proof module ("${ATTESTED_FALLBACK}"): use createProof (src/modules.ts)`,
      );
    return new AttestedProofSystem(ctx.proof(ATTESTED_FALLBACK), ctx.attestations);
  },
} as const satisfies ModuleDefinition<'proof', ChainConfig, AttestedContext, ProofSystem>;
