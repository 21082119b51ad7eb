/**
 * `modex report` for real (slow: a few minutes): every standard config (fraud and attested proofs ×
 * calldata, blob and committee DA) measured, each on a fresh embedded anvil, with a reduced workload
 * (20 transfers; one dispute), the numbers checked for sanity and the rendered page for its structure.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown, renderSvg } from './render.ts';
import { runReport } from './report.ts';

describe('modex report (slow)', () => {
  it('measures every implemented config in one run; the numbers are sane', { timeout: 600_000 }, async () => {
    const r = await runReport({ txs: 20, disputes: 1, disputeTxs: 3 });
    const byName = Object.fromEntries(r.rows.map((x) => [x.name, x]));
    const measured = r.rows.filter((x) => x.status === 'measured');
    expect(measured.map((x) => x.name)).toEqual([
      'fraud + l1-calldata',
      'fraud + l1-blob',
      'fraud + committee',
      'attested + l1-calldata',
      'attested + l1-blob',
      'attested + committee',
    ]);
    // validity proofs need an app with a circuit: `modex bench validity` measures them (configs.ts)
    expect(byName.validity).toBeUndefined();
    expect(byName.attested).toBeUndefined();

    const calldata = byName['fraud + l1-calldata'].workload!;
    const blob = byName['fraud + l1-blob'].workload!;
    const committee = byName['fraud + committee'].workload!;
    for (const w of [calldata, blob, committee]) {
      expect(w.finality.by).toBe('challenge-period');
      expect(w.attestation).toBeUndefined();
      expect(w.txs).toBe(20);
      expect(w.batches).toBeGreaterThanOrEqual(1);
      expect(w.l1_gas_per_tx).toBeGreaterThan(0);
      expect(w.soft_confirmation_ms.p50).toBeGreaterThan(0);
      expect(w.l1_inclusion_s).toBeGreaterThan(0);
      // finality = the challenge period (7 days, warped) + the measured wall time
      expect(w.finality.challenge_period_s).toBe(7 * 86_400);
      expect(w.finality.s).toBeGreaterThan(w.finality.challenge_period_s);
      expect(w.finality.wall_s).toBeGreaterThanOrEqual(w.l1_inclusion_s);
      expect(w.assertion_gas).toBeGreaterThan(50_000);
    }
    // blobs move the data out of calldata; a certificate replaces it
    expect(blob.calldata_bytes_per_tx).toBeLessThan(calldata.calldata_bytes_per_tx);
    expect(blob.blob_bytes_per_tx).toBeGreaterThan(0);
    expect(blob.blob_gas_per_tx).toBeGreaterThan(0);
    expect(calldata.blob_bytes_per_tx).toBe(0);
    expect(committee.da_paths).toEqual({ certificate: committee.batches });
    expect(committee.calldata_bytes_per_tx).toBeLessThan(calldata.calldata_bytes_per_tx);

    // attested: measured on the same workload, final by the committee's attestation (no challenge
    // period, no warp): far below the fraud rows' 7 days; the committee's L1 gas next to the batches'
    for (const da of ['l1-calldata', 'l1-blob', 'committee']) {
      const row = byName[`attested + ${da}`];
      const w = row.workload!;
      const fraud = byName[`fraud + ${da}`].workload!;
      expect(w.txs).toBe(20);
      expect(w.batches).toBeGreaterThanOrEqual(1);
      expect(w.finality).toMatchObject({ by: 'attestation', challenge_period_s: 0, warped: false });
      expect(w.finality.s).toBe(w.finality.wall_s);
      expect(w.finality.s).toBeGreaterThanOrEqual(w.l1_inclusion_s);
      expect(w.finality.s).toBeLessThan(fraud.finality.s / 1000);
      const a = w.attestation!;
      expect(a.validators).toBe(20);
      expect(a.confirmations).toBeGreaterThanOrEqual(1);
      expect(a.created_confirmed).toBeLessThanOrEqual(a.confirmations);
      // a confirmation checks a BLS aggregate on L1 (docs/attested.md §4: > 100,000 gas)
      expect(a.confirm_gas_per_tx * w.txs).toBeGreaterThan(100_000 * a.confirmations);
      expect(a.seals).toBeGreaterThanOrEqual(1);
      expect(a.seal_gas_per_tx).toBeGreaterThan(0);
      // the batches go through the row's DA module
      const path = { 'l1-calldata': 'calldata', 'l1-blob': 'blob', committee: 'certificate' }[da]!;
      expect(w.da_paths[path]).toBeGreaterThanOrEqual(1);
      expect(row.trust).toContain(
        '2 of 20 committee members honest, else the dispute path: 1 honest validator, 7-day window',
      );
    }
    expect(byName['attested + committee'].trust).toContain('2 of 5 DA members honest');

    // the dispute: the liar loses its assertion bond (and edge bonds) to the honest side
    const d = byName['fraud + l1-calldata'].dispute!;
    const bond = 10n ** 18n;
    expect(BigInt(d.liar.bonds_wei)).toBeLessThanOrEqual(-bond);
    expect(BigInt(d.honest.bonds_wei)).toBe(-BigInt(d.liar.bonds_wei));
    expect(d.honest.gas).toBeGreaterThan(d.liar.gas / 2);
    expect(d.honest.txs).toBeGreaterThan(5);
    expect(d.l1_seconds).toBeGreaterThanOrEqual(7 * 86_400);
    expect(byName['fraud + l1-blob'].dispute).toBeUndefined();

    expect(byName['fraud + l1-calldata'].trust).toBe(
      '1 honest validator, 7-day window (bond 1 ETH); data on L1',
    );
    expect(byName['fraud + committee'].trust).toContain('2 of 5 DA members honest');

    const md = renderMarkdown(r);
    expect(md).toMatch(/^# modex report/);
    for (const x of r.rows) expect(md).toContain(`| ${x.name} `);
    expect(md).toMatch(/\| attested \+ l1-calldata +\| [\d,]+ +\| [\d,]+ \(confirm [\d,]+, seals [\d,]+\)/);
    expect(md).toContain(' (attested) ');
    expect(md).toContain('![L1 cost per transaction');
    const svg = renderSvg(r);
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.match(/<rect /g)?.length).toBeGreaterThan(6);
  });
});
