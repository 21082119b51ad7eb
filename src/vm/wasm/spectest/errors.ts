import { ModexError } from '../../../core/errors.ts';

/** A spectest script (JSON) is malformed or uses something the runner does not know. Code `SPECTEST_BAD_SCRIPT`. */
export class SpecScriptError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SPECTEST_BAD_SCRIPT', message, options);
  }
}

/** An unknown or unavailable engine was asked for. Code `SPECTEST_UNKNOWN_ENGINE`. */
export class SpecEngineError extends ModexError {
  constructor(message: string) {
    super('SPECTEST_UNKNOWN_ENGINE', message);
  }
}

/**
 * The interpreter engine cannot link a group of test-module instances into one module (e.g. they
 * have two memories; docs/machine.md §9). Code `SPECTEST_LINK_UNSUPPORTED`.
 */
export class SpecLinkError extends ModexError {
  constructor(message: string) {
    super('SPECTEST_LINK_UNSUPPORTED', message);
  }
}
