/**
 * Where tests find the team's conformance suites (`../shared/conformance` beside the repo): the one
 * setting is the environment variable `MODEX_CONFORMANCE` (a directory), default
 * `<repo>/../shared/conformance`. When it is absent, tests that need it are skipped with a message
 * that says where it was looked for — except in CI (`CI=true`), which always has it, where a
 * missing suite fails the run instead of passing silently.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The conformance directory (MODEX_CONFORMANCE, or ../shared/conformance beside the repo). */
export const CONFORMANCE_DIR = resolve(
  process.env.MODEX_CONFORMANCE ?? join(REPO_ROOT, '../shared/conformance'),
);

/** `<conformance>/<parts…>`. */
export const conformancePath = (...parts: string[]): string => join(CONFORMANCE_DIR, ...parts);

/**
 * True when `<conformance>/<sub>` exists. When it does not, prints why the tests that need it are
 * skipped (once per directory) and, under CI, throws: CI must run them.
 */
export function hasConformance(sub: string): boolean {
  const dir = conformancePath(sub);
  if (existsSync(dir)) return true;
  const msg =
    `conformance suite not found at ${dir}: the tests that need it are skipped. ` +
    `Put ../shared/conformance beside the repo or set MODEX_CONFORMANCE to its directory.`;
  if (process.env.CI === 'true') throw new Error(msg);
  if (!warned.has(dir)) {
    warned.add(dir);
    console.warn(msg);
  }
  return false;
}
const warned = new Set<string>();
