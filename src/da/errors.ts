/**
 * Errors of the data availability modules (src/core/da.ts): a pointer read from L1 that is malformed
 * or fails verification (`DA_INVALID_POINTER`: derivation executes the message as is, which the STF
 * treats as an empty block), data that cannot be obtained now (`DA_UNAVAILABLE`: derivation waits and
 * retries, it never skips), and a batch over the module's size limit (`DA_BATCH_TOO_LARGE`).
 */
import { ModexError } from '../core/errors.ts';

/** A pointer that does not decode, has an unknown kind, or does not match its data. */
export class DaInvalidPointerError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DA_INVALID_POINTER', message, options);
  }
}

/** The data behind a valid pointer cannot be obtained (yet): retry later, do not skip the batch. */
export class DaUnavailableError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DA_UNAVAILABLE', message, options);
  }
}

/** `store` was given more bytes than the module's `maxBatchBytes`. */
export class DaBatchTooLargeError extends ModexError {
  readonly size: number;
  readonly max: number;
  constructor(size: number, max: number, module: string) {
    super(
      'DA_BATCH_TOO_LARGE',
      `a batch of ${size} bytes is over the ${module} limit of ${max} bytes; the sequencer must seal ` +
        'smaller blocks (sequencing.batch.maxBytes)',
    );
    this.size = size;
    this.max = max;
  }
}
