/**
 * The proof system layer: why the settlement layer should believe a claimed state. Implementations:
 * fraud (interactive bisection + one-step proof); later validity (zk), attested (honest-minority
 * committee with a dispute fallback), none (sovereign: no on-chain verification at all).
 */
import type { GlobalState, Hash32, Hex, ProofModuleName } from './types.ts';

/** How an assertion becomes final on the settlement layer. */
export type FinalityModel =
  /** Confirmed if unchallenged for the challenge period; disputes decided by one-step proofs. */
  | 'challenge-period'
  /** Confirmed as soon as a succinct proof verifies. */
  | 'validity-proof'
  /** Confirmed by a committee threshold; anyone may still dispute within the challenge period. */
  | 'attestation'
  /** No on-chain finality: nodes decide by re-execution (sovereign chains). */
  | 'social';

/** What a proof system needs about a claim to produce its evidence. */
export interface StateClaim {
  prevAssertionHash: Hash32;
  /** Global state the claim starts from (that of the previous assertion). */
  startState: GlobalState;
  /** Claimed end state. */
  endState: GlobalState;
  blockCount: bigint;
  moduleRoot: Hash32;
}

/** Data posted together with an assertion. */
export type AssertionEvidence =
  | { kind: 'none' }
  /** A succinct proof and its public inputs (validity). */
  | { kind: 'validity'; proof: Hex; publicInputs: Hex }
  /** Committee signatures over the claim's digest (attested). */
  | { kind: 'attestation'; digest: Hash32; signatures: { memberIndex: number; signature: Hex }[] };

/** Outcome of checking someone else's assertion against our own re-execution. */
export type Verdict = { agree: true } | { agree: false; expected: GlobalState; reason: string };

/**
 * One move a dispute made on the settlement layer (fraud: an assertion, a layer-zero edge, a
 * bisection, a one-step proof, a confirmation, …, docs/dispute.md §7).
 */
export interface DisputeMove {
  kind: string;
  /** dispute level (fraud: 0 blocks, 1.. machine steps) */
  level?: number;
  txHash: Hash32;
  gasUsed: bigint;
  detail?: string;
}

/** Our side of one assertion: post it (or adopt it) and defend it until it is confirmed. */
export interface Dispute {
  /** the assertion we defend, once posted or adopted */
  readonly assertionHash: Hash32 | undefined;
  /** every move made so far, in order */
  readonly moves: readonly DisputeMove[];
  /** Posts our claim as a new assertion (with its bond); returns its hash. */
  post(): Promise<Hash32>;
  /** Makes every move that is due now; returns the moves made (none when nothing is due). */
  advance(): Promise<DisputeMove[]>;
  /** True once our assertion is confirmed. */
  isConfirmed(): Promise<boolean>;
  /**
   * Once our assertion is confirmed: the bonds the dispute left on the settlement layer (ours back,
   * the losers' to us); returns the amount collected (0 when nothing is due). Absent for proof
   * systems without bonds.
   */
  collectBonds?(): Promise<bigint>;
}

/** The proof system module. */
export interface ProofSystem<Claim = unknown> {
  readonly name: ProofModuleName;
  readonly finality: FinalityModel;
  /** True when the module needs an on-chain verifier (and thus a settlement layer with contracts). */
  readonly needsSettlementContracts: boolean;
  /** Evidence to post with a new assertion for `claim` (fraud and none: `{ kind: 'none' }`). */
  evidence(claim: StateClaim): Promise<AssertionEvidence>;
  /** Compare a claimed state with our locally derived one. Never throws for a merely wrong claim. */
  verify(claimed: GlobalState, local: GlobalState): Verdict;
  /**
   * Our side of an assertion about `claim` (fraud: the dispute agent over the module's re-execution
   * of the claimed blocks; the `Claim` type is the module's). Modules without disputes (validity,
   * none) throw a ModexError with code PROOF_NO_DISPUTES.
   */
  dispute(claim: Claim): Dispute;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Re-execution's verdict on a claimed global state: agree, or the first differing field as the
 * reason (what every proof module's `verify` answers).
 */
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
