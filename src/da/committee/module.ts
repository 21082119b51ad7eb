/**
 * The `committee` DA module for the registry (src/modules.ts): the AnyTrust-style committee of
 * `da.committee.members`, falling back to `da.committee.fallback` (calldata or blobs, created by the
 * registry through the context) when it cannot certify in time; it reads the fallback's batches
 * through the same module.
 */
import { hexToBytes } from 'viem';
import { DEFAULTS } from '../../config/defaults.ts';
import type { ChainConfig, DaConfig } from '../../config/types.ts';
import type { DataAvailability } from '../../core/da.ts';
import type { ConfigProblem, ModuleDefinition } from '../../core/module.ts';
import type { DaModuleContext } from '../context.ts';
import type { Keyset } from './certificate.ts';
import { CommitteeDa, type CommitteeDaEvent } from './committee-da.ts';
import { DaCommitteeConfigError } from './committee-errors.ts';

/**
 * Default seconds committee members are asked to keep a batch (`da.committee.retentionSeconds`, 14
 * days): the certificate's expiry is now + this. Within the members' default window (8 to 15 days,
 * `modex da-server --min-retention/--max-retention`) and above the inbox's default minimum (the
 * 7-day challenge period + 1 day), with 6 days to spare for posting (docs/committee.md §5).
 */
export const COMMITTEE_RETENTION_SECONDS: number = DEFAULTS.committee.retentionSeconds;

/** The margin a certificate must outlive the challenge period by (1 day; docs/committee.md §5). */
export const COMMITTEE_LIFETIME_MARGIN_SECONDS: number = DEFAULTS.committee.lifetimeMarginSeconds;

/** What the batcher asks the members for: `da.committee.retentionSeconds`, else the default. */
export function committeeRetention(da: Pick<DaConfig, 'committee'>): number {
  return da.committee?.retentionSeconds ?? COMMITTEE_RETENTION_SECONDS;
}

/**
 * The inbox's shortest certificate lifetime for this chain (fixed at deployment):
 * `da.committee.minLifetimeSeconds`, else `proof.challengePeriodSeconds` + 1 day.
 */
export function committeeMinLifetime(config: {
  da: Pick<DaConfig, 'committee'>;
  proof: Pick<ChainConfig['proof'], 'challengePeriodSeconds'>;
}): number {
  return (
    config.da.committee?.minLifetimeSeconds ??
    config.proof.challengePeriodSeconds + COMMITTEE_LIFETIME_MARGIN_SECONDS
  );
}

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
      retentionSeconds: committeeRetention(ctx.config.da),
      fallback: ctx.da(c.fallback),
      onEvent: ctx.onEvent as ((e: CommitteeDaEvent) => void) | undefined,
      // the node retrieves only certificates the inbox verified: fetch by data hash, whatever keyset
      // signed them (readers keep working across a rotation that keeps some members)
      certificatesVerifiedOnL1: true,
    });
  },
} as const satisfies ModuleDefinition<'da', ChainConfig, DaModuleContext, DataAvailability>;
