/**
 * Errors of the sovereign settlement and its light client (docs/sovereign.md §4.2): one class per
 * way a fraud proof (a block's witness) can be bad, each with a stable code, so that a caller (and
 * a test) can tell them apart by name.
 */
import { ModexError } from '../../core/errors.ts';

/** The kinds of bad proof (docs/sovereign.md §4.2), as the code's suffix. */
export type BadProofKind =
  | 'MALFORMED'
  | 'WRONG_INPUTS'
  | 'WRONG_PRE_STATE'
  | 'FORGED_PREIMAGE'
  | 'MISSING_PREIMAGE';

/** A fraud proof that fails a check of docs/sovereign.md §4.2; `code` is `SOVEREIGN_PROOF_<kind>`. */
export class BadProofError extends ModexError {
  constructor(
    readonly kind: BadProofKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`SOVEREIGN_PROOF_${kind}`, message, options);
  }
}

/** A peer's answer that is not what the protocol says (docs/sovereign.md §3): not JSON-RPC, wrong shape. */
export class PeerProtocolError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SOVEREIGN_PEER_PROTOCOL', message, options);
  }
}

/** Nothing the light client follows can decide a block (no peer served a valid witness). */
export class NoValidProofError extends ModexError {
  constructor(message: string) {
    super('SOVEREIGN_NO_VALID_PROOF', message);
  }
}
