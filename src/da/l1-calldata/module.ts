/** The `l1-calldata` DA module for the registry (src/modules.ts). */

import type { ChainConfig } from '../../config/types.ts';
import type { DataAvailability } from '../../core/da.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { DaModuleContext } from '../context.ts';
import { L1CalldataDa } from './l1-calldata.ts';

export const l1CalldataModule = {
  layer: 'da',
  name: 'l1-calldata',
  status: 'implemented',
  summary: 'batches posted as L1 calldata, brotli-compressed and inflated inside the STF',
  check: () => [],
  create: (_ctx: DaModuleContext) => new L1CalldataDa(),
} as const satisfies ModuleDefinition<'da', ChainConfig, DaModuleContext, DataAvailability>;
