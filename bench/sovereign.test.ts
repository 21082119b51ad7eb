import { describe, expect, it } from 'vitest';
import { benchSovereign, formatSovereignBench } from './sovereign.ts';

describe('bench sovereign', () => {
  it('checks a proof per block size natively and interpreted, the proof growing with the block', async () => {
    const rows = await benchSovereign({ sizes: [1, 4], interpMax: 1, prefill: 8, runs: 1, interpRuns: 1 });
    expect(rows.map((r) => r.txs)).toEqual([1, 4]);
    expect(rows[1].preimages).toBeGreaterThan(rows[0].preimages);
    expect(rows[1].proof_bytes).toBeGreaterThan(rows[0].proof_bytes);
    expect(rows[0].check_interp_ms).toBeDefined();
    expect(rows[1].check_interp_ms).toBeUndefined();
    expect(formatSovereignBench(rows)).toContain('| 4 |');
  });
});
