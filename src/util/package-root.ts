/**
 * The modex package's root directory: where package.json, guest/, contracts/ and artifacts/ live.
 * The code runs from two places, the sources (`src/…`, through tsx in tests and development) and
 * the compiled JavaScript (`dist/src/…`, what bin/modex.js runs and what the npm package ships), so
 * the root is the nearest ancestor of this file that holds a package.json, not a fixed `../..`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModexError } from '../core/errors.ts';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir)
      throw new ModexError(
        'PACKAGE_ROOT_NOT_FOUND',
        `no package.json above ${from}: modex's files are incomplete; reinstall the package`,
      );
  }
}

/** The modex package root (absolute). */
export const PACKAGE_ROOT: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
