/**
 * The built-in apps (`vm.app` in a chain config, docs/config.md): wasm files modex ships, built from
 * `guest/apps/<name>/main.ts` with the SDK (docs/app-abi.md) by the same compile path as every guest
 * (compileGuest, run-app.ts). `builtin-apps.test.ts` rebuilds them from source and requires the same
 * bytes, so they never drift; `UPDATE_BUILTIN_APPS=1 npx vitest run src/apps/sdk/builtin-apps.test.ts`
 * writes them after a change to the SDK or an app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../util/package-root.ts';

/** The built-in apps' names (`evm`: the EVM chain, docs/evm.md §4; `ztoken`: the validity-provable token, docs/validity.md §2). */
export const BUILTIN_APP_NAMES = ['token', 'kv', 'evm', 'ztoken'] as const;
export type BuiltinAppName = (typeof BUILTIN_APP_NAMES)[number];

const GUEST_APPS = join(PACKAGE_ROOT, 'guest', 'apps');

export const isBuiltinApp = (name: string): name is BuiltinAppName =>
  (BUILTIN_APP_NAMES as readonly string[]).includes(name);

/** The shipped wasm of built-in app `name`: `guest/apps/<name>/<name>.wasm` (absolute). */
export function builtinAppPath(name: BuiltinAppName): string {
  if (!isBuiltinApp(name))
    throw new RangeError(`no built-in app ${JSON.stringify(name)} (${BUILTIN_APP_NAMES.join(', ')})`);
  return join(GUEST_APPS, name, `${name}.wasm`);
}

/** The shipped wasm bytes of built-in app `name`. */
export function builtinAppBytes(name: BuiltinAppName): Uint8Array {
  return new Uint8Array(readFileSync(builtinAppPath(name)));
}
