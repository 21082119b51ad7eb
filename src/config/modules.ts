/**
 * Which modules this version of modex can run, and which are only planned (refused by the config):
 * read from the module registry (src/modules.ts), the one place that maps config names to modules.
 */

import type { Layer, ModuleStatus } from '../core/module.ts';
import { LAYERS, modulesWithStatus, REGISTRY } from '../modules.ts';

export type { Layer, ModuleStatus };
export { modulesWithStatus };

/** Layer -> module -> status. `implemented` means accepted by the config and created by the node. */
export const MODULE_STATUS = Object.fromEntries(
  LAYERS.map((layer) => [
    layer,
    Object.fromEntries(Object.entries(REGISTRY[layer]).map(([name, m]) => [name, m.status])),
  ]),
) as Record<Layer, Record<string, ModuleStatus>>;
