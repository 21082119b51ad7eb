/**
 * The standard configs `modex report` measures, from the module registry (src/modules.ts): every
 * implemented proof system × every implemented DA module, on the defaults (docs/config.md: a 7-day
 * challenge period, a 1 ETH bond, 10 s block age), and one "not implemented" row per planned proof
 * system — so a proof system appears in the report the day its registry line turns implemented.
 */

import { withDefaults } from '../config/defaults.ts';
import { formatSeconds, formatWei } from '../config/summary.ts';
import type { ChainConfig, DaConfig } from '../config/types.ts';
import { REGISTRY } from '../modules.ts';

/** A config the report measures, or a planned one it lists. */
export interface ReportConfig {
  /** e.g. `fraud + l1-blob` */
  name: string;
  proof: string;
  da: string;
  status: 'implemented' | 'planned';
  /** what the registry says of a planned module */
  summary?: string;
  /** the chain config (implemented rows) */
  config?: ChainConfig;
}

/** Local DA committee the report starts for `committee` (like `modex devnet --da committee`). */
export const REPORT_COMMITTEE = { members: 5, assumedHonest: 2 } as const;

function daConfig(module: string): DaConfig {
  if (module === 'committee')
    return {
      module,
      committee: {
        members: [],
        assumedHonest: REPORT_COMMITTEE.assumedHonest,
        fallback: 'l1-calldata',
        // generous: on a loaded machine 2 s (the devnet's) can miss, and the report is about the
        // committee path (a fallback still shows in the row)
        timeoutMs: 10_000,
      },
    };
  return { module: module as DaConfig['module'] };
}

/**
 * The report's rows: implemented proof × implemented DA, then the planned proof systems.
 *
 * Attested rows register one committee's worth of local validators (`activeSize`, 20) instead of
 * the default `localValidators` (100): every one is then in every epoch's committee, all run by the
 * honest validator, and registering 100 (one BLS proof-of-possession check each) would add time to
 * every chain without changing what a confirmation costs (docs/attested.md §4: the check barely
 * depends on n). Sealing an epoch reads every registered validator (about 3,600 gas each, §2.2), so
 * the seals measured are cheaper than with 100 registered.
 */
export function reportConfigs(): ReportConfig[] {
  const proofs = Object.values(REGISTRY.proof) as { name: string; status: string; summary?: string }[];
  const das = (Object.values(REGISTRY.da) as { name: string; status: string }[]).filter(
    (d) => d.status === 'implemented',
  );
  const rows: ReportConfig[] = [];
  for (const p of proofs) {
    // `none` is the sovereign chain's (no proofs, no bridge, docs/sovereign.md): nothing to compare
    // on cost or disputes, and it runs on settlement "sovereign" only; `validity` needs an app with a
    // circuit (ztoken) and calldata DA, not the report's default app: `modex bench validity` measures it
    if (p.status !== 'implemented' || p.name === 'none' || p.name === 'validity') continue;
    for (const d of das) {
      const config = withDefaults({ proof: { module: p.name as ChainConfig['proof']['module'] } });
      config.da = daConfig(d.name);
      if (config.proof.attested) config.proof.attested.localValidators = config.proof.attested.activeSize;
      rows.push({ name: `${p.name} + ${d.name}`, proof: p.name, da: d.name, status: 'implemented', config });
    }
  }
  for (const p of proofs) {
    if (p.status === 'implemented' || p.name === 'none') continue;
    rows.push({ name: p.name, proof: p.name, da: '—', status: 'planned', summary: p.summary });
  }
  return rows;
}

const days = (s: number) => (s % 86_400 === 0 && s > 0 ? `${s / 86_400}-day` : formatSeconds(s));

/**
 * The trust assumption of a config in one line, e.g. "1 honest validator, 7-day window; data on L1",
 * "1 honest validator, 7-day window; 2 of 5 DA members honest (else L1 calldata)" or (attested)
 * "2 of 20 committee members honest, else the dispute path: 1 honest validator, 7-day window …".
 */
export function trustAssumption(c: ChainConfig, committeeSize?: number): string {
  const proof =
    c.proof.module === 'fraud'
      ? `1 honest validator, ${days(c.proof.challengePeriodSeconds)} window (bond ${formatWei(c.proof.bond)})`
      : c.proof.module === 'validity'
        ? 'the proof system is sound'
        : c.proof.module === 'attested' && c.proof.attested
          ? // docs/attested.md §6: h honest members of each committee keep a wrong root from a quorum;
            // without a quorum the assertion takes the dispute path
            `${c.proof.attested.assumedHonest} of ${c.proof.attested.activeSize} committee members honest, ` +
            `else the dispute path: 1 honest validator, ${days(c.proof.challengePeriodSeconds)} window (bond ${formatWei(c.proof.bond)})`
          : 'full nodes re-execute (no bridge)';
  let da: string;
  if (c.da.module === 'committee' && c.da.committee) {
    const n = c.da.committee.members.length || committeeSize || REPORT_COMMITTEE.members;
    const fb = c.da.committee.fallback === 'l1-blob' ? 'L1 blobs' : 'L1 calldata';
    da = `${c.da.committee.assumedHonest} of ${n} DA members honest (else ${fb})`;
  } else if (c.da.module === 'l1-blob') {
    da = 'data on L1 (blobs: kept ~18 days)';
  } else {
    da = 'data on L1';
  }
  return `${proof}; ${da}`;
}
