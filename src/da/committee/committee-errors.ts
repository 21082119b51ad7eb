/**
 * Errors of the committee member server (`modex da-server`), its key files and the committee client
 * configuration (docs/da-server.md). Data errors a reader sees (`DA_UNAVAILABLE`, `DA_INVALID_POINTER`)
 * stay those of src/da/errors.ts.
 */
import { ModexError } from '../../core/errors.ts';

/** A request the member server refuses; `status` is the HTTP status it answers with. */
export class DaServerRequestError extends ModexError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** Bad member server options (port, retention, size limit, fault spec). */
export class DaServerOptionError extends ModexError {
  constructor(message: string) {
    super('DA_SERVER_BAD_OPTION', message);
  }
}

/** A member key file that cannot be read, does not parse, or whose public key does not match. */
export class DaKeyFileError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DA_KEY_FILE_INVALID', message, options);
  }
}

/** The committee client's member list does not match its keyset. */
export class DaCommitteeConfigError extends ModexError {
  constructor(message: string) {
    super('DA_COMMITTEE_CONFIG', message);
  }
}
