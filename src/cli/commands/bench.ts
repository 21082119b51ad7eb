/** `modex bench …`: benchmarks. */
import type { Command } from 'commander';
import { benchMachine, formatBench } from '../../vm/wasm/bench.ts';

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
}
