/**
 * The apps that ship a validity circuit (docs/validity.md §6, §8): a chain running one of them may
 * use `proof.module: "validity"` (zk-rollup mode) or `proof.disputes: "validity"` (hybrid). An app
 * ships, next to its wasm, a circom circuit proving the STF's transition, its witness generator and
 * its L1 binding contract: a built-in app (`vm.app`) listed here, or a built app (`vm.stf`) whose
 * modex.app.json has a `validity` section (§8, src/build/validity-manifest.ts).
 */
import { resolve } from 'node:path';
import { type AppValidity, validityOfWasm } from '../build/validity-manifest.ts';
import type { ValidityApp } from '../proof/validity/prover-app.ts';

const VALIDITY_APPS: Record<string, () => Promise<ValidityApp>> = {
  ztoken: async () => (await import('./ztoken/validity.ts')).ztokenValidity(),
};

export const VALIDITY_APP_NAMES: readonly string[] = Object.keys(VALIDITY_APPS);

/** The app a chain config runs: `vm.app` (built-in) or `vm.stf` (a built wasm). */
export interface VmApp {
  app?: string;
  stf?: string;
}

/**
 * The validity prover of a chain's app: by built-in name (`validityAppFor(config.vm.app)`), or for a
 * config's `vm` (`validityAppFor(config.vm)`: also a `vm.stf` app whose manifest has `validity`;
 * a relative `vm.stf` resolves against `baseDir`, default the working directory). Undefined when
 * the app ships no circuit. Imported only when a chain runs it.
 */
export async function validityAppFor(
  app: string | VmApp | undefined,
  o: { baseDir?: string } = {},
): Promise<ValidityApp | undefined> {
  const vm: VmApp = typeof app === 'object' ? app : { app };
  if (vm.stf !== undefined) {
    const v = appValidityOf(vm, o.baseDir);
    if (v === undefined) return undefined;
    const { appValidityApp } = await import('../build/validity-app.ts');
    return appValidityApp(v);
  }
  return vm.app !== undefined && Object.hasOwn(VALIDITY_APPS, vm.app) ? VALIDITY_APPS[vm.app]() : undefined;
}

/** The validity section of a `vm.stf` app's modex.app.json (undefined: none; throws if malformed). */
export function appValidityOf(vm: VmApp, baseDir?: string): AppValidity | undefined {
  return vm.stf === undefined ? undefined : validityOfWasm(resolve(baseDir ?? process.cwd(), vm.stf));
}

/**
 * Why the config's app cannot use validity proofs, or undefined when it ships a circuit (a built-in
 * listed here, or a `vm.stf` whose modex.app.json has a `validity` section).
 */
export function whyNoValidityCircuit(vm: VmApp, baseDir?: string): string | undefined {
  const builtins = VALIDITY_APP_NAMES.map((n) => `"${n}"`).join(', ');
  if (vm.stf === undefined)
    return vm.app !== undefined && VALIDITY_APP_NAMES.includes(vm.app)
      ? undefined
      : `built-in app ${vm.app === undefined ? '(none)' : `"${vm.app}"`} ships no validity circuit (built-in apps with one: ${builtins})`;
  const stf = resolve(baseDir ?? process.cwd(), vm.stf);
  try {
    if (appValidityOf(vm, baseDir) !== undefined) return undefined;
  } catch (e) {
    return (e as Error).message;
  }
  return `vm.stf ${stf} ships no validity circuit: its app's modex.app.json (beside the wasm or above its build/ directory) needs a "validity" section { "circuit", "prover" } (docs/validity.md §8), or use a built-in app with one (${builtins})`;
}

/** True when the config's app ships a validity circuit. */
export function hasValidityCircuit(vm: VmApp, baseDir?: string): boolean {
  return whyNoValidityCircuit(vm, baseDir) === undefined;
}
