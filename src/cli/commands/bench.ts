/** `modex bench …`: benchmarks. */
import type { Command } from 'commander';
import { benchMachine, formatBench } from '../../vm/wasm/bench.ts';
import { benchOsp, formatOspBench } from '../../vm/wasm/osp-bench.ts';

export function register(program: Command): void {
  const bench = program.command('bench').description('benchmarks');
  bench
    .command('machine')
    .description(
      'wasm machine: interpreter steps/second (with and without commitments), native V8 time, largest one-step proof',
    )
    .option('--json', 'print one JSON object instead of a table', false)
    .action(async (opts: { json: boolean }) => {
      const r = await benchMachine();
      console.log(opts.json ? JSON.stringify(r) : formatBench(r));
    });
  bench
    .command('osp')
    .description(
      'one-step prover: L1 gas per proven machine step (by instruction class) on the embedded anvil, each proof checked against the interpreter',
    )
    .option(
      '--json',
      'print one JSON object instead of a table (gas.median, gas.max, opcodes_covered, classes, opcodes)',
      false,
    )
    .option('--per-opcode <n>', 'proofs sampled per opcode', '25')
    .addHelpText('after', '\nExample:\n  npx modex bench osp --json | jq .gas\n')
    .action(async (opts: { json: boolean; perOpcode: string }) => {
      const r = await benchOsp({
        perOpcode: Number(opts.perOpcode),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(opts.json ? JSON.stringify(r) : formatOspBench(r));
    });
}
