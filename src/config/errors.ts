import { ModexError } from '../core/errors.ts';

/** One problem found in a config: where, and what is wrong / allowed. */
export interface ConfigIssue {
  /** Dotted field path, e.g. `da.committee.assumedHonest` (`(root)` for the whole document). */
  path: string;
  message: string;
}

/** The config is syntactically valid JSON but violates the format; lists every problem found. */
export class ConfigError extends ModexError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[], source = 'config') {
    const n = issues.length;
    const lines = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
    super('CONFIG_INVALID', `${n} problem${n === 1 ? '' : 's'} in ${source}:\n${lines}`);
    this.issues = issues;
  }
}

/** The config file cannot be read or is not JSON. */
export class ConfigFileError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_UNREADABLE', message, options);
  }
}
