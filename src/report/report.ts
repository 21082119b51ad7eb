/**
 * `modex report` (issue 22 §3): the same token workload, in one run on the embedded anvil (a
 * fresh one per chain), under each standard config (src/report/configs.ts: every implemented proof system × DA module of the
 * registry; planned proof systems listed as not implemented). Per config: L1 gas and bytes per
 * transaction, soft confirmation, L1 inclusion and finality, the cost of a dispute to each side,
 * and the trust assumption. Rendered by src/report/render.ts.
 */
import { type L1, openL1 } from '../l1/anvil.ts';
import { machineLine } from '../util/bench-stats.ts';
import { type ReportConfig, reportConfigs, trustAssumption } from './configs.ts';
import { type DisputeMeasure, measureDispute, measureWorkload, type WorkloadMeasure } from './measure.ts';

export interface ReportOptions {
  /** transfers in the workload (default 500) */
  txs?: number;
  /** transfers in the disputed block (default 5) */
  disputeTxs?: number;
  /** measure a dispute for the first N configs only (default all: each DA module's batch is disputed) */
  disputes?: number;
  /** only these configs (names as in the report, e.g. `fraud + l1-blob`) */
  only?: string[];
  tickMs?: number;
  log?: (line: string) => void;
}

export interface ReportRow {
  name: string;
  proof: string;
  da: string;
  status: 'measured' | 'not implemented';
  /** planned modules: the registry's summary */
  summary?: string;
  trust?: string;
  workload?: WorkloadMeasure;
  dispute?: DisputeMeasure;
  /** wall seconds this config took */
  elapsed_s?: number;
}

export interface ReportResult {
  generated: string;
  machine: string;
  workload: { txs: number; dispute_block_txs: number };
  settlement: string;
  rows: ReportRow[];
  elapsed_s: number;
}

export async function runReport(opts: ReportOptions = {}): Promise<ReportResult> {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const txs = opts.txs ?? 500;
  const disputeTxs = opts.disputeTxs ?? 5;
  const configs = reportConfigs().filter((c) => !opts.only || opts.only.includes(c.name));
  const measured = configs.filter((c) => c.status === 'implemented');
  log(
    `modex report: ${measured.length} configs to measure (${measured.map((c) => c.name).join(', ')}), ` +
      `${txs} token transfers each, each chain on a fresh embedded anvil`,
  );
  const rows: ReportRow[] = [];
  for (const c of configs) rows.push(await measureConfig(c));
  return {
    generated: new Date().toISOString(),
    machine: machineLine(),
    workload: { txs, dispute_block_txs: disputeTxs },
    settlement: 'ethereum (embedded anvil, prague; a fresh one per chain)',
    rows,
    elapsed_s: (Date.now() - t0) / 1000,
  };

  /**
   * Each chain gets an embedded anvil of its own: every measurement starts from the same L1 (time,
   * empty blocks), and the challenge periods warped for one chain do not move another's clock (a
   * committee certificate's expiry is wall-clock time, which L1 checks against its own).
   */
  async function onFreshL1<T>(f: (l1: L1) => Promise<T>): Promise<T> {
    const l1 = await openL1('embedded');
    try {
      return await f(l1);
    } finally {
      await l1.stop();
    }
  }

  async function measureConfig(c: ReportConfig): Promise<ReportRow> {
    if (c.status !== 'implemented' || !c.config)
      return { name: c.name, proof: c.proof, da: c.da, status: 'not implemented', summary: c.summary };
    const t = Date.now();
    const n = measured.indexOf(c) + 1;
    const say = (what: string) => (l: string) => log(`[${n}/${measured.length}] ${c.name} ${what}: ${l}`);
    say('workload')('deploying the contracts and starting the roles');
    const config = c.config;
    const w = await onFreshL1((l1) =>
      measureWorkload(l1, config, { txs, tickMs: opts.tickMs, log: say('workload') }),
    );
    say('workload')(
      `${Math.round(w.l1_gas_per_tx)} L1 gas/tx, ${w.calldata_bytes_per_tx.toFixed(1)} calldata bytes/tx, ` +
        `soft confirmation p50 ${w.soft_confirmation_ms.p50.toFixed(1)} ms`,
    );
    let dispute: DisputeMeasure | undefined;
    if (n - 1 < (opts.disputes ?? Number.POSITIVE_INFINITY)) {
      say('dispute')('deploying a chain where validator-2 lies about the first block');
      dispute = await onFreshL1((l1) =>
        measureDispute(l1, config, { blockTxs: disputeTxs, tickMs: opts.tickMs, log: say('dispute') }),
      );
      say('dispute')(
        `honest ${dispute.honest.gas} gas in ${dispute.honest.txs} txs; liar lost ${dispute.liar.bonds_wei} wei`,
      );
    }
    return {
      name: c.name,
      proof: c.proof,
      da: c.da,
      status: 'measured',
      trust: trustAssumption(c.config, w.committeeSize),
      workload: stripCommittee(w),
      ...(dispute ? { dispute } : {}),
      elapsed_s: (Date.now() - t) / 1000,
    };
  }
}

function stripCommittee(w: WorkloadMeasure & { committeeSize?: number }): WorkloadMeasure {
  const { committeeSize: _, ...rest } = w;
  return rest;
}
