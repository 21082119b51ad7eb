/** Errors of the attestation formats (docs/attested.md §3). */
import { ModexError } from '../core/errors.ts';

/**
 * Attestation bytes that do not follow docs/attested.md §3.2 (`ATTEST_MALFORMED`), or an
 * attestation that cannot be built (`ATTEST_TOO_FEW_SIGNERS`, `ATTEST_BAD_INPUT`).
 */
export class AttestationError extends ModexError {}
