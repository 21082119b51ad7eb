/**
 * Validity proofs benchmark (issue 17 item 6; docs/validity.md §3.1, §5.6, §6): runs the two
 * validity devnets end to end on the embedded anvil and reports the issue's figures:
 *
 * - `prove_ms_per_tx`: the zk-rollup devnet's proving time (witness and Groth16, all its proofs)
 *   over the records proved, and `chunk_size` (records per proof);
 * - `verify_gas`: L1 gas of each confirming transaction (the Groth16 verification, the binding and
 *   the Rollup), per proof;
 * - `constraints` and `constraints_per_record` of the circuit;
 * - `setup_s`: the INSECURE development keys (0 when they were cached; `--fresh` has no effect on
 *   the cache: delete node_modules/.cache/modex-zk to measure a first run);
 * - `finality_s` (withdrawal executed on L2 → paid on L1) against `challenge_period_s` of a fraud
 *   chain (examples/devnet.config.json's);
 * - `hybrid_dispute_gas`, the honest side's total in the hybrid fraud scenario, and its moves.
 *
 * Run: `npx modex bench validity [--json]` (or `npx tsx bench/validity.ts [--json]`).
 */
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { REPO_ROOT } from '../src/l1/contracts.ts';
import { ValidityDevnet, type ValidityDevnetResult } from '../src/node/validity-devnet.ts';

export interface ValidityBench {
  chunk_size: number;
  constraints: number;
  constraints_per_record: number;
  setup_s: number;
  keys_cached: boolean;
  records_proved: number;
  proofs: number;
  prove_ms_per_tx: number;
  verify_gas: string[];
  finality_s: number | null;
  challenge_period_s: number;
  hybrid_dispute_gas: string;
  honest_moves: number;
  zk: ValidityDevnetResult;
  hybrid: ValidityDevnetResult;
}

export async function benchValidity(
  o: { log?: (line: string) => void; timeoutMs?: number } = {},
): Promise<ValidityBench> {
  const log = o.log ?? (() => {});
  const timeoutMs = o.timeoutMs ?? 1_800_000;
  const run = (file: string, scenario: 'demo' | 'fraud') =>
    new ValidityDevnet({
      config: loadConfig(join(REPO_ROOT, 'examples', file)),
      scenario,
      untilConfirmed: true,
      timeoutMs,
      log,
    }).run();
  const zk = await run('validity.config.json', 'demo');
  const hybrid = await run('hybrid.config.json', 'fraud');
  const fraud = loadConfig(join(REPO_ROOT, 'examples', 'devnet.config.json'));
  if (zk.result !== 'confirmed') throw new Error(`the zk-rollup devnet ended ${zk.result}`);
  if (hybrid.result !== 'honest-won') throw new Error(`the hybrid devnet ended ${hybrid.result}`);
  const proveMs = zk.prove_ms.reduce((a, b) => a + b, 0);
  return {
    chunk_size: zk.circuit.chunk_size,
    constraints: zk.circuit.constraints,
    constraints_per_record: Math.round(zk.circuit.constraints / zk.circuit.chunk_size),
    setup_s: zk.circuit.setup_s,
    keys_cached: zk.circuit.cached,
    records_proved: zk.records_proved,
    proofs: zk.proofs,
    prove_ms_per_tx: Math.round(proveMs / Math.max(1, zk.records_proved)),
    verify_gas: zk.confirm_gas,
    finality_s: zk.finality_s,
    challenge_period_s: fraud.proof.challengePeriodSeconds,
    hybrid_dispute_gas: hybrid.hybrid_dispute_gas ?? '0',
    honest_moves: hybrid.honest_moves?.length ?? 0,
    zk,
    hybrid,
  };
}

export function formatValidityBench(b: ValidityBench): string {
  return [
    '| figure | value |',
    '| --- | ---: |',
    `| records per proof (chunk) | ${b.chunk_size} |`,
    `| constraints (per record) | ${b.constraints.toLocaleString('en-US')} (${b.constraints_per_record.toLocaleString('en-US')}) |`,
    `| dev key setup | ${b.keys_cached ? 'cached' : `${b.setup_s} s`} |`,
    `| records proved, proofs | ${b.records_proved}, ${b.proofs} |`,
    `| prove_ms_per_tx | ${b.prove_ms_per_tx.toLocaleString('en-US')} |`,
    `| confirming transactions' gas | ${b.verify_gas.join(', ')} |`,
    `| finality_s (withdrawal executed → paid) | ${b.finality_s ?? '—'} against a ${b.challenge_period_s} s challenge period |`,
    `| hybrid_dispute_gas (honest moves) | ${b.hybrid_dispute_gas} (${b.honest_moves}) |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const json = process.argv.includes('--json');
  const b = await benchValidity({ log: (l) => process.stderr.write(`${l}\n`) });
  console.log(json ? JSON.stringify(b) : formatValidityBench(b));
  process.exit(0);
}
