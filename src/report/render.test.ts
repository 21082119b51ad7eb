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
  finality: { s: 604_812.02, challenge_period_s: 604_800, wall_s: 12.02, warped: true },
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
    expect(rows[1][8]).toBe('not measured');
    expect(rows[2][1]).toBe('not implemented');
    expect(rows[2][10]).toBe('planned: zk validity proofs');
  });

  it('markdown page: title, table, chart link, the warp explained', () => {
    const md = renderMarkdown(RESULT);
    expect(md).toMatch(/^# modex report/);
    expect(md).toContain('| fraud + l1-calldata | 4,350');
    expect(md).toContain('| validity ');
    expect(md).toContain('![L1 cost per transaction and dispute cost per config](report.svg)');
    expect(md).toContain('warps L1 time by the challenge period');
    expect(renderText(RESULT).split('\n')).toHaveLength(4);
  });

  it('SVG chart: a bar per measured number, escaped labels, no external resources', () => {
    const svg = renderSvg(RESULT);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // gas: 2 bars, bytes: 2 calldata + 1 blob, dispute: 2; plus the background
    expect(svg.match(/<rect /g)).toHaveLength(1 + 2 + 3 + 2);
    expect(svg).toContain('fraud + l1-blob blob');
    expect(svg).not.toMatch(/href=|<script/);
  });
});
