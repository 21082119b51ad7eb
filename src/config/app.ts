/**
 * The app a chain config runs (docs/config.md `vm`): a built-in app's shipped wasm (`vm.app`) or a
 * built `.wasm` (`vm.stf`), checked against the app ABI (docs/app-abi.md §1) when the config loads.
 */
import { readFileSync } from 'node:fs';
import { checkAppAbi } from '../apps/sdk/abi-check.ts';
import { builtinAppPath } from '../apps/sdk/builtin-apps.ts';
import { ConfigError } from './errors.ts';
import type { VmConfig } from './types.ts';

/** The wasm file of the config's app: `vm.stf` as resolved by loadConfig, or the built-in's shipped file. */
export function appWasmPath(vm: Pick<VmConfig, 'app' | 'stf'>): string {
  if (vm.stf !== undefined) return vm.stf;
  if (vm.app !== undefined) return builtinAppPath(vm.app);
  throw new ConfigError([
    { path: 'vm', message: 'set vm.app (a built-in app) or vm.stf (a path to your .wasm)' },
  ]);
}

/**
 * Reads the config's app and checks the app ABI: throws APP_ABI_MISSING naming the missing exports
 * (and the wasm's own parse or validation error for a module the machine does not accept).
 */
export function checkConfigApp(vm: Pick<VmConfig, 'app' | 'stf'>): { path: string; bytes: Uint8Array } {
  const path = appWasmPath(vm);
  const bytes = new Uint8Array(readFileSync(path));
  checkAppAbi(bytes, vm.stf !== undefined ? `vm.stf ${path}` : `built-in app ${vm.app} (${path})`);
  return { path, bytes };
}
