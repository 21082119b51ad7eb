/**
 * The built-in apps that ship a validity circuit (docs/validity.md §6): a chain running one of them
 * may use `proof.module: "validity"` (zk-rollup mode) or `proof.disputes: "validity"` (hybrid).
 * An app here ships, next to its wasm, a circom circuit proving the STF's transition, its witness
 * generator and its L1 binding contract.
 */
export const VALIDITY_APP_NAMES: readonly string[] = ['ztoken'];

/** True when the config's app ships a validity circuit. */
export function hasValidityCircuit(vm: { app?: string; stf?: string }): boolean {
  return vm.stf === undefined && vm.app !== undefined && VALIDITY_APP_NAMES.includes(vm.app);
}
