/**
 * The shipped built-in apps (guest/apps/<name>/<name>.wasm) are what their sources build to, and
 * pass the app ABI check. After changing the SDK or an app:
 * `UPDATE_BUILTIN_APPS=1 npx vitest run src/apps/sdk/builtin-apps.test.ts`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAppAbi } from './abi-check.ts';
import { BUILTIN_APP_NAMES, builtinAppBytes, builtinAppPath } from './builtin-apps.ts';
import { toHex } from './preimage-store.ts';
import { compileApp } from './run-app.ts';

describe('built-in apps', () => {
  for (const name of BUILTIN_APP_NAMES) {
    it(`${name}: the shipped wasm is the build of guest/apps/${name}, and speaks the app ABI`, () => {
      const built = compileApp(name);
      if (process.env.UPDATE_BUILTIN_APPS === '1') writeFileSync(builtinAppPath(name), built);
      expect(existsSync(builtinAppPath(name)), `${builtinAppPath(name)} is missing`).toBe(true);
      const shipped = builtinAppBytes(name);
      expect(
        toHex(shipped) === toHex(built),
        `${builtinAppPath(name)} differs from a build of guest/apps/${name}: run UPDATE_BUILTIN_APPS=1 npx vitest run src/apps/sdk/builtin-apps.test.ts`,
      ).toBe(true);
      checkAppAbi(shipped, builtinAppPath(name));
    });
  }
});
