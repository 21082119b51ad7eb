/**
 * Errors of float lowering (docs/softfloat.md §6). Codes:
 * - `SOFTFLOAT_UNSUPPORTED`: a float construct the lowering does not handle yet (it names the place);
 * - `SOFTFLOAT_LIBRARY`: the embedded library is not what the lowering expects (regenerate it with
 *   `node scripts/gen-softfloat.mjs`).
 */
import { ModexError } from '../../../core/errors.ts';

export class SoftfloatError extends ModexError {}
