/** The `single` sequencing module for the registry (src/modules.ts). */

import type { ChainConfig } from '../../config/types.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { Sequencing } from '../../core/sequencing.ts';
import type { Address } from '../../core/types.ts';
import { SingleSequencing } from './single.ts';

export interface SingleSequencingContext {
  config: Pick<ChainConfig, 'sequencing' | 'vm'>;
  /** the sequencer's L1 address (default the zero address: a node that only follows) */
  sequencer?: Address;
}

export const singleSequencingModule = {
  layer: 'sequencing',
  name: 'single',
  status: 'implemented',
  summary: 'one sequencer + forced inclusion via the L1 delayed inbox',
  check: () => [],
  create: (ctx: SingleSequencingContext) =>
    new SingleSequencing({
      sequencer: ctx.sequencer ?? `0x${'00'.repeat(20)}`,
      maxDelaySeconds: ctx.config.sequencing.maxDelaySeconds,
      maxBlockBytes: ctx.config.sequencing.batch.maxBytes,
      maxAgeSeconds: ctx.config.sequencing.batch.maxAgeSeconds,
      maxTransactionsPerBlock: ctx.config.vm.limits.maxTransactionsPerBlock,
    }),
} as const satisfies ModuleDefinition<'sequencing', ChainConfig, SingleSequencingContext, Sequencing>;
