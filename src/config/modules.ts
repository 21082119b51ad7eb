/** Which modules this version of modex can run, and which are only planned (refused by the config). */
export type ModuleStatus = 'implemented' | 'planned';

/** Layer -> module -> status. `implemented` means accepted by the config and wired into the node. */
export const MODULE_STATUS = {
  vm: { wasm: 'implemented', evm: 'planned', mips: 'planned' },
  proof: { fraud: 'implemented', validity: 'planned', attested: 'planned', none: 'planned' },
  da: { 'l1-calldata': 'implemented', 'l1-blob': 'implemented', committee: 'implemented' },
  settlement: { ethereum: 'implemented', sovereign: 'planned', modex: 'planned' },
  sequencing: { single: 'implemented', 'committee-rotation': 'planned' },
} as const satisfies Record<string, Record<string, ModuleStatus>>;

export type Layer = keyof typeof MODULE_STATUS;

export function modulesWithStatus(layer: Layer, status: ModuleStatus): string[] {
  return Object.entries(MODULE_STATUS[layer])
    .filter(([, s]) => s === status)
    .map(([name]) => name);
}
