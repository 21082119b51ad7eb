/**
 * The built-in apps that ship a validity circuit (docs/validity.md §6): a chain running one of them
 * may use `proof.module: "validity"` (zk-rollup mode) or `proof.disputes: "validity"` (hybrid).
 * An app here ships, next to its wasm, a circom circuit proving the STF's transition, its witness
 * generator and its L1 binding contract.
 */
import type { ValidityApp } from '../proof/validity/prover-app.ts';

const VALIDITY_APPS: Record<string, () => Promise<ValidityApp>> = {
  ztoken: async () => (await import('./ztoken/validity.ts')).ztokenValidity(),
};

export const VALIDITY_APP_NAMES: readonly string[] = Object.keys(VALIDITY_APPS);

/** The validity prover of built-in app `app` (imported only when a chain runs it). */
export async function validityAppFor(app: string | undefined): Promise<ValidityApp | undefined> {
  return app !== undefined && Object.hasOwn(VALIDITY_APPS, app) ? VALIDITY_APPS[app]() : undefined;
}

/** True when the config's app ships a validity circuit. */
export function hasValidityCircuit(vm: { app?: string; stf?: string }): boolean {
  return vm.stf === undefined && vm.app !== undefined && VALIDITY_APP_NAMES.includes(vm.app);
}
