/**
 * What a module is to the registry (src/modules.ts): a name in one layer, a config check and a
 * factory. Generic over the config and the context so that src/core imports nothing outside it;
 * the registry instantiates them with the chain config (src/config/types.ts) and each layer's
 * context (src/module-types.ts).
 */

/** The five layers a chain is assembled from, one module each (docs/config.md). */
export type Layer = 'vm' | 'proof' | 'da' | 'settlement' | 'sequencing';

/** `implemented`: accepted by the config and created by the node; `planned`: refused, "not implemented yet". */
export type ModuleStatus = 'implemented' | 'planned';

/** One thing wrong with a config, at a dotted path (`da.committee.members[0].url`). */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** A module the node can create. */
export interface ModuleDefinition<L extends Layer, Config, Context, Instance> {
  readonly layer: L;
  readonly name: string;
  readonly status: 'implemented';
  /** one line: what it is (README "Layers and modules", `modex config check`) */
  readonly summary: string;
  /** Module-specific problems of a config that selects this module (empty when fine). */
  check(config: Config): ConfigProblem[];
  /** The module instance for a checked config. */
  create(context: Context): Instance;
}

/** A module the config names but this version cannot run yet. */
export interface PlannedModule<L extends Layer> {
  readonly layer: L;
  readonly name: string;
  readonly status: 'planned';
  readonly summary: string;
}
