/**
 * `modex bench attested` (docs/attested.md): what an honest-minority validator committee costs on
 * L1 and what it buys in finality.
 *
 * 1. Gas (bench/attested-gas.ts): for committees of 20, 50 and 100 active members out of 100
 *    registered validators, the attestation check (`verifyAttestation`: execution, and the whole
 *    call) with every member signing and with h − 1 missing, `Rollup.confirmAttested` as mined, a
 *    plain `confirmAssertion` by time, and `sealEpoch`.
 * 2. Finality (bench/finality.ts): the devnet (examples/attested.config.json: 100 validators, 20
 *    active, epochs of 4 L1 blocks) runs the token demo; for every batch, the L1 blocks and seconds
 *    from the batch to the confirmation of the first assertion covering it. Then the same chain with
 *    `proof.module: "fraud"` (confirmation after the 60 s challenge period), no time warp.
 */
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import type { ChainConfig } from '../src/config/types.ts';
import { startAnvil } from '../src/l1/anvil.ts';
import { REPO_ROOT } from '../src/l1/contracts.ts';
import { DevnetRun } from '../src/node/devnet-run.ts';
import { machineLine } from '../src/util/bench-stats.ts';
import { type AttestedGas, gasValidatorKeys, measureAttestedGas } from './attested-gas.ts';
import { type BatchFinality, batchFinality } from './finality.ts';

// the package root, not this file's folder: compiled, this file runs from dist/bench/
const EXAMPLE = join(REPO_ROOT, 'examples', 'attested.config.json');

export interface FinalityRow {
  proof: 'attested' | 'fraud';
  batches: number;
  /** medians over the batches */
  finality_s: number;
  finality_blocks: number;
  max_blocks: number;
  /** covering assertions confirmed by attestation, by the challenge period, by a dispute */
  by: Record<BatchFinality['by'], number>;
  wall_s: number;
}

export interface AttestedBenchResult {
  machine: string;
  /** committee size -> gas */
  gas: {
    active: number;
    assumed_honest: number;
    validators: number;
    /** the check's own execution gas, every member signing (the issue's attestation_gas) */
    attestation_gas: number;
    /** the same with assumedHonest − 1 members missing */
    attestation_gas_missing: number;
    /** eth_estimateGas of a verifyAttestation transaction (21k and calldata included) */
    verify_tx_gas: number;
    confirm_attested_gas: number;
    confirm_by_time_gas: number;
    seal_epoch_gas: number;
  }[];
  finality: FinalityRow[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)];
};

function gasRow(g: AttestedGas): AttestedBenchResult['gas'][number] {
  const [all, missing] = g.verify;
  return {
    active: g.k,
    assumed_honest: g.h,
    validators: g.n,
    attestation_gas: Number(all.execution),
    attestation_gas_missing: Number(missing.execution),
    verify_tx_gas: Number(all.total),
    confirm_attested_gas: Number(all.confirm),
    confirm_by_time_gas: Number(g.confirmByTime),
    seal_epoch_gas: Number(g.seal),
  };
}

/** The token demo on the devnet with `config` until its workload is done; finality per batch. */
async function finalityOf(
  config: ChainConfig,
  proof: FinalityRow['proof'],
  log: (line: string) => void,
  runs = 1,
): Promise<FinalityRow> {
  const t0 = Date.now();
  // the run stops its anvil when it returns: L1 is read at its end
  const rows: BatchFinality[] = [];
  for (let i = 0; i < runs; i++) {
    const run = new DevnetRun({
      config,
      scenario: 'demo',
      untilConfirmed: true,
      timeoutMs: 300_000,
      onEnd: async (s) => {
        rows.push(...(await batchFinality(s)));
      },
      log: (line) => log(`  [${proof}${runs > 1 ? ` ${i + 1}/${runs}` : ''}] ${line}`),
    });
    const result = await run.run();
    if (result.result !== 'confirmed') throw new Error(`the ${proof} devnet ended "${result.result}"`);
  }
  if (rows.length === 0) throw new Error(`the ${proof} devnet confirmed no batch`);
  const by = { attestation: 0, 'challenge-period': 0, dispute: 0 };
  for (const r of rows) by[r.by]++;
  return {
    proof,
    batches: rows.length,
    finality_s: median(rows.map((r) => r.seconds)),
    finality_blocks: median(rows.map((r) => r.blocks)),
    max_blocks: Math.max(...rows.map((r) => r.blocks)),
    by,
    wall_s: Math.round((Date.now() - t0) / 100) / 10,
  };
}

export async function benchAttested(o: {
  sizes?: number[];
  finality?: boolean;
  /** devnet runs of the attested chain (their batches pooled; the fraud chain runs once) */
  runs?: number;
  log?: (line: string) => void;
}): Promise<AttestedBenchResult> {
  const log = o.log ?? (() => {});
  const sizes = o.sizes ?? [20, 50, 100];
  const gas: AttestedBenchResult['gas'] = [];
  log(
    `gas: ${sizes.join(', ')} active of 100 registered validators (keys and proofs of possession first)...`,
  );
  const { keys, pops } = gasValidatorKeys(100);
  const l1 = await startAnvil();
  try {
    for (const k of sizes) {
      const h = Math.max(1, Math.floor(k / 10));
      log(`  ${k} active, ${h} assumed honest`);
      gas.push(gasRow(await measureAttestedGas(l1, { k, h, keys, pops })));
    }
  } finally {
    await l1.stop();
  }
  const finality: FinalityRow[] = [];
  if (o.finality !== false) {
    const attested = loadConfig(EXAMPLE);
    log(`finality: the attested devnet (${EXAMPLE})...`);
    finality.push(await finalityOf(attested, 'attested', log, o.runs ?? 3));
    const fraud = loadConfig(EXAMPLE);
    fraud.proof.module = 'fraud';
    delete fraud.proof.attested;
    log(
      `finality: the same chain with fraud proofs only (challenge period ${fraud.proof.challengePeriodSeconds} s)...`,
    );
    finality.push(await finalityOf(fraud, 'fraud', log));
  }
  return { machine: machineLine(), gas, finality };
}

export function formatAttestedBench(r: AttestedBenchResult): string {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const lines = [
    `modex bench attested — ${r.machine}`,
    '',
    'gas per assertion (100 registered validators)',
    `${pad('active', 7)} ${pad('h', 3)} ${pad('attestation', 12)} ${pad('h-1 missing', 12)} ${pad('verify tx', 10)} ${pad('confirmAttested', 16)} ${pad('confirm by time', 16)} ${pad('sealEpoch', 10)}`,
    ...r.gas.map(
      (g) =>
        `${pad(g.active, 7)} ${pad(g.assumed_honest, 3)} ${pad(g.attestation_gas, 12)} ${pad(g.attestation_gas_missing, 12)} ${pad(g.verify_tx_gas, 10)} ${pad(g.confirm_attested_gas, 16)} ${pad(g.confirm_by_time_gas, 16)} ${pad(g.seal_epoch_gas, 10)}`,
    ),
  ];
  if (r.finality.length > 0)
    lines.push(
      '',
      'finality: batch on L1 → confirmation of the assertion covering it (medians)',
      `${pad('proof', 9)} ${pad('batches', 8)} ${pad('finality_s', 11)} ${pad('L1 blocks', 10)} ${pad('max blocks', 11)}  confirmed by`,
      ...r.finality.map(
        (f) =>
          `${pad(f.proof, 9)} ${pad(f.batches, 8)} ${pad(f.finality_s, 11)} ${pad(f.finality_blocks, 10)} ${pad(f.max_blocks, 11)}  ${Object.entries(
            f.by,
          )
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}`,
      ),
    );
  return lines.join('\n');
}
