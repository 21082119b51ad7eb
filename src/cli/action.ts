/** Shared error handling for command actions. */
import { ModexError } from '../core/errors.ts';

/** Formats a ModexError the way every command prints it: `error [CODE]: message`. */
export function formatError(e: ModexError): string {
  return `error [${e.code}]: ${e.message}`;
}

/**
 * Wraps a command action: a ModexError is printed as `error [CODE]: message` (no stack trace)
 * and the process exits with code 1; anything else is a bug and propagates with its stack. When the
 * action is done, the zk curve's worker threads (src/zk/curve.ts, started by key setup or proving:
 * `modex build`, `modex deploy`) are stopped, or they would keep the process alive.
 */
export function runAction<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
      await releaseZkWorkers();
    } catch (e) {
      if (e instanceof ModexError) {
        console.error(formatError(e));
        process.exit(1);
      }
      throw e;
    }
  };
}

/** Stops snarkjs's curve workers if a command started them (without loading snarkjs otherwise). */
async function releaseZkWorkers(): Promise<void> {
  if ((globalThis as { curve_bn128?: unknown }).curve_bn128)
    await (await import('../zk/curve.ts')).releaseCurve();
}
