/**
 * The report's configs without running them: every implemented proof × DA module of the registry
 * (attested with one committee's worth of local validators) and the trust line of each
 * (docs/attested.md §6 for attested rows).
 */
import { describe, expect, it } from 'vitest';
import { withDefaults } from '../config/defaults.ts';
import { reportConfigs, trustAssumption } from './configs.ts';

describe('report configs', () => {
  it('fraud and attested × every DA module; attested registers one committee of local validators', () => {
    const rows = reportConfigs();
    const measured = rows.filter((r) => r.status === 'implemented');
    expect(measured.map((r) => r.name)).toEqual([
      'fraud + l1-calldata',
      'fraud + l1-blob',
      'fraud + committee',
      'attested + l1-calldata',
      'attested + l1-blob',
      'attested + committee',
    ]);
    for (const r of measured.filter((x) => x.proof === 'attested')) {
      const a = r.config?.proof.attested;
      expect(a?.localValidators).toBe(20);
      expect(a?.activeSize).toBe(20);
    }
    // validity is implemented for apps with a circuit and measured by `modex bench validity`
    expect(rows.some((r) => r.proof === 'validity')).toBe(false);
  });

  it('trust line of an attested chain: h of k members honest, else the dispute path with its window', () => {
    const c = withDefaults({ proof: { module: 'attested', attested: { activeSize: 50, assumedHonest: 5 } } });
    expect(trustAssumption(c)).toBe(
      '5 of 50 committee members honest, else the dispute path: 1 honest validator, 7-day window (bond 1 ETH); data on L1',
    );
    const f = withDefaults({ da: { module: 'l1-blob' } });
    expect(trustAssumption(f)).toBe(
      '1 honest validator, 7-day window (bond 1 ETH); data on L1 (blobs: kept ~18 days)',
    );
  });
});
