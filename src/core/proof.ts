/**
 * The proof system layer: why the settlement layer should believe a claimed state. Implementations:
 * fraud (interactive bisection + one-step proof); later validity (zk), attested (honest-minority
 * committee with a dispute fallback), none (sovereign: no on-chain verification at all).
 */
import type { Address, Assertion, GlobalState, Hash32, Hex, ProofModuleName } from './types.ts';

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

/** One move in an interactive dispute. */
export type DisputeMove =
  /** Split a disputed range [start, end] of blocks or steps at `mid`, committing to the middle state. */
  | {
      kind: 'bisect';
      level: 'block' | 'step';
      start: bigint;
      end: bigint;
      midHash: Hash32;
      historyRoot: Hash32;
    }
  /** Settle a single step on-chain with a one-step proof. */
  | { kind: 'one-step'; step: bigint; preHash: Hash32; proof: Hex }
  /** Claim victory because the opponent's time ran out. */
  | { kind: 'timeout' };

/** Handle on a running dispute. */
export interface Dispute {
  readonly id: Hash32;
  readonly assertionHash: Hash32;
  readonly opponent: Address;
  /** 'ongoing' until one side wins; the loser's bond is taken. */
  status(): Promise<'ongoing' | 'won' | 'lost'>;
  /** Computes and submits our next move, if it is our turn. Returns the move made, if any. */
  advance(): Promise<DisputeMove | undefined>;
}

/** The proof system module. */
export interface ProofSystem {
  readonly name: ProofModuleName;
  readonly finality: FinalityModel;
  /** True when the module needs an on-chain verifier (and thus a settlement layer with contracts). */
  readonly needsSettlementContracts: boolean;
  /** Evidence to post with a new assertion for `claim` (fraud and none: `{ kind: 'none' }`). */
  evidence(claim: StateClaim): Promise<AssertionEvidence>;
  /** Compare a posted assertion with our locally derived state. Never throws for a merely wrong assertion. */
  verify(assertion: Assertion, localState: GlobalState): Promise<Verdict>;
  /**
   * Open a dispute against a wrong assertion (fraud and attested's fallback). Modules without
   * disputes (validity, none) throw a ModexError with code PROOF_NO_DISPUTES.
   */
  dispute(assertion: Assertion, localState: GlobalState): Promise<Dispute>;
}
