import { describe, expect, it } from 'vitest';
import { duration, renderMarkdown, renderSvg, renderText, tableRows } from './render.ts';
import type { ReportResult } from './report.ts';

const workload = (calldata: number, blob: number) => ({
  txs: 20,
  batches: 1,
  da_paths: { calldata: 1 },
  l1_gas_per_tx: 4350.25,
  blob_gas_per_tx: blob ? 6553.6 : 0,
  calldata_bytes_per_tx: calldata,
  blob_bytes_per_tx: blob,
  soft_confirmation_ms: { p50: 14.36, p99: 236.2 },
  l1_inclusion_s: 10.43,
  finality: {
    s: 604_812.02,
    challenge_period_s: 604_800,
    wall_s: 12.02,
    warped: true,
    by: 'challenge-period' as const,
  },
  assertion_gas: 113_599,
});

const RESULT: ReportResult = {
  generated: '2026-12-07T00:08:45.022Z',
  machine: '2 × AMD EPYC, Node 20.20.2',
  workload: { txs: 20, dispute_block_txs: 5 },
  settlement: 'ethereum (embedded anvil, prague)',
  elapsed_s: 140.3,
  rows: [
    {
      name: 'fraud + l1-calldata',
      proof: 'fraud',
      da: 'l1-calldata',
      status: 'measured',
      trust: '1 honest validator, 7-day window (bond 1 ETH); data on L1',
      workload: workload(80.2, 0),
      dispute: {
        honest: { txs: 31, gas: 8_341_033, bonds_wei: '1400000000000000000' },
        liar: { txs: 16, gas: 5_364_112, bonds_wei: '-1400000000000000000' },
        block_txs: 5,
        l1_seconds: 801_435,
        wall_s: 75.2,
      },
    },
    {
      name: 'fraud + l1-blob',
      proof: 'fraud',
      da: 'l1-blob',
      status: 'measured',
      trust: '1 honest validator, 7-day window (bond 1 ETH); data on L1 (blobs: kept ~18 days)',
      workload: workload(9.1, 6553.6),
    },
    {
      name: 'attested + l1-calldata',
      proof: 'attested',
      da: 'l1-calldata',
      status: 'measured',
      trust:
        '2 of 20 committee members honest, else the dispute path: 1 honest validator, 7-day window (bond 1 ETH); data on L1',
      workload: {
        ...workload(80.2, 0),
        finality: { s: 14.5, challenge_period_s: 0, wall_s: 14.5, warped: false, by: 'attestation' },
        attestation: {
          confirmations: 2,
          created_confirmed: 1,
          confirm_gas_per_tx: 22_500.5,
          seals: 6,
          seal_gas_per_tx: 90_000,
          l1_blocks: 40,
          validators: 20,
        },
      },
    },
    {
      name: 'validity',
      proof: 'validity',
      da: '—',
      status: 'not implemented',
      summary: 'zk validity proofs',
    },
  ],
};

describe('report rendering', () => {
  it('formats durations with the challenge period first', () => {
    expect(duration(604_812.02)).toBe('7 d + 12 s');
    expect(duration(3_603)).toBe('1 h + 3.0 s');
    expect(duration(4.26)).toBe('4.3 s');
    expect(duration(86_400)).toBe('1 d');
    expect(duration(7 * 86_400 + 16 * 3600 + 3049)).toBe('7 d + 16 h + 51 min');
  });

  it('one table row per config: measured numbers, dispute cost by side, planned rows', () => {
    const rows = tableRows(RESULT);
    expect(rows[0]).toEqual([
      'fraud + l1-calldata',
      '4,350',
      '—',
      '0',
      '80.2',
      '0',
      '14.4 ms (236 ms)',
      '10.4 s',
      '7 d + 12 s *',
      '8.34M gas (31 txs), bonds +1.4 ETH',
      '5.36M gas (16 txs), bonds −1.4 ETH',
      '1 honest validator, 7-day window (bond 1 ETH); data on L1',
    ]);
    expect(rows[1][9]).toBe('not measured');
    // attested: the committee's gas next to the batches', finality by attestation (no warp)
    expect(rows[2][2]).toBe('112,501 (confirm 22,501, seals 90,000)');
    expect(rows[2][8]).toBe('15 s (attested)');
    expect(rows[3][1]).toBe('not implemented');
    expect(rows[3][11]).toBe('planned: zk validity proofs');
  });

  it('markdown page: title, table, chart link, the warp explained', () => {
    const md = renderMarkdown(RESULT);
    expect(md).toMatch(/^# modex report/);
    expect(md).toMatch(/\| fraud \+ l1-calldata +\| 4,350 +\| — +\| 0 /);
    expect(md).toMatch(/\| attested \+ l1-calldata \| 4,350 +\| 112,501 \(confirm 22,501, seals 90,000\) \|/);
    expect(md).toContain('| validity ');
    expect(md).toContain('![L1 cost per transaction and dispute cost per config](report.svg)');
    expect(md).toContain('warps L1 time by the challenge period');
    expect(md).toContain('(2 confirmations, of which 1 `createAttestedAssertion`');
    expect(md).toContain('6 seals in 40 L1 blocks). 20 local validators');
    expect(md).toContain(
      '- **attested + l1-calldata** against **fraud + l1-calldata**: the committee adds 112,501 L1 gas per transaction (22,501 confirmations, 90,000 seals) and the workload is final on L1 in 15 s instead of 7 d + 12 s.',
    );
    expect(md).toContain('- **fraud + l1-blob** against **fraud + l1-calldata**: 1.0× more L1 execution gas');
    expect(renderText(RESULT).split('\n')).toHaveLength(5);
  });

  it('SVG chart: a bar per measured number, escaped labels, no external resources', () => {
    const svg = renderSvg(RESULT);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // gas: 3 batch bars + 1 attestation, bytes: 3 calldata + 1 blob, dispute: 2; plus the background
    expect(svg.match(/<rect /g)).toHaveLength(1 + 4 + 4 + 2);
    expect(svg).toContain('attested + l1-calldata attestation');
    expect(svg).toContain('fraud + l1-blob blob');
    expect(svg).not.toMatch(/href=|<script/);
  });
});
