/**
 * The `committee` DA module for the registry (src/modules.ts): the AnyTrust-style committee of
 * `da.committee.members`, falling back to `da.committee.fallback` (calldata or blobs, created by the
 * registry through the context) when it cannot certify in time; it reads the fallback's batches
 * through the same module.
 */
import { hexToBytes } from 'viem';
import type { ChainConfig, DaConfig } from '../../config/types.ts';
import type { DataAvailability } from '../../core/da.ts';
import type { ConfigProblem, ModuleDefinition } from '../../core/module.ts';
import type { DaModuleContext } from '../context.ts';
import type { Keyset } from './certificate.ts';
import { CommitteeDa, type CommitteeDaEvent } from './committee-da.ts';
import { DaCommitteeConfigError } from './committee-errors.ts';

/** Seconds committee members are asked to keep a batch: the certificate's expiry is now + this. */
export const COMMITTEE_RETENTION_SECONDS = 7 * 24 * 3600;

/** The committee's keyset as the config describes it (members in config order). */
export function keysetOf(da: Pick<DaConfig, 'committee'>): Keyset {
  const c = da.committee;
  if (!c) throw new DaCommitteeConfigError('da.committee is required for da.module "committee"');
  return { assumedHonest: c.assumedHonest, publicKeys: c.members.map((m) => hexToBytes(m.publicKey)) };
}

function check(config: Pick<ChainConfig, 'da'>): ConfigProblem[] {
  return config.da.committee
    ? []
    : [{ path: 'da.committee', message: 'required for da.module "committee": its members and fallback' }];
}

export const committeeModule = {
  layer: 'da',
  name: 'committee',
  status: 'implemented',
  summary: 'AnyTrust-style BLS committee, certificates checked on L1 with EIP-2537, falls back to L1',
  check,
  create: (ctx: DaModuleContext) => {
    const c = ctx.config.da.committee;
    if (!c) throw new DaCommitteeConfigError('da.committee is required for da.module "committee"');
    return new CommitteeDa({
      members: c.members.map((m) => ({ url: m.url, publicKey: hexToBytes(m.publicKey) })),
      keyset: keysetOf(ctx.config.da),
      timeoutMs: c.timeoutMs,
      retentionSeconds: COMMITTEE_RETENTION_SECONDS,
      fallback: ctx.da(c.fallback),
      onEvent: ctx.onEvent as ((e: CommitteeDaEvent) => void) | undefined,
      // the node retrieves only certificates the inbox verified: fetch by data hash, whatever keyset
      // signed them (readers keep working across a rotation that keeps some members)
      certificatesVerifiedOnL1: true,
    });
  },
} as const satisfies ModuleDefinition<'da', ChainConfig, DaModuleContext, DataAvailability>;
