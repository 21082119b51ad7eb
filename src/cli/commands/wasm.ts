/** `modex wasm …`: tools for the wasm execution VM. */
import type { Command } from 'commander';
import { DEFAULT_ENGINE, ENGINE_CHOICES } from '../../vm/wasm/spectest/engine-names.ts';
import { runAction } from '../action.ts';

export function register(program: Command): void {
  const wasm = program.command('wasm').description('tools for the deterministic wasm execution VM');

  wasm
    .command('spectest')
    .description(
      'run WebAssembly spec test scripts (wast2json .json output) against the wasm engines; ' +
        'modules the machine rejects on purpose (SIMD, …) are counted as skipped; modules importing from a registered test module are linked to it; float modules run lowered to integer code (docs/softfloat.md)',
    )
    .argument('<files...>', 'spec test scripts (NAME.json; module files are read from the same directory)')
    .option('--engine <engine>', `engine to run: ${ENGINE_CHOICES.join(' | ')}`, DEFAULT_ENGINE)
    .option('--verbose', 'list every failure with its command line number in the .wast script', false)
    .addHelpText(
      'after',
      '\nExample:\n  $ npx modex wasm spectest ../shared/conformance/wasm-spec/json/*.json --engine native --verbose\n\n' +
        'Prints one line per file and engine, then the totals. Exits with code 1 if any command failed.\n' +
        'assert_invalid / assert_malformed pass only with the invalid / malformed verdict (not "unsupported").\n' +
        'assert_trap passes only with the trap message the spec gives (docs/machine.md §3.6).\n' +
        'A module importing from a registered test module is linked to that instance (docs/machine.md §9):\n' +
        'natively by V8; in the interpreter, instances sharing state run as one merged module. An instance\n' +
        'the interpreter cannot link (two memories in one group) is skipped, and so are later results of\n' +
        'the instances it imports from.',
    )
    .action(runAction(spectest));
}

async function spectest(files: string[], opts: { engine: string; verbose: boolean }): Promise<void> {
  // loaded when the command runs, so `modex --help` and other commands start fast
  const { selectEngines } = await import('../../vm/wasm/spectest/engines.ts');
  const { formatFileResult, formatTotals, totals } = await import('../../vm/wasm/spectest/report.ts');
  const { runSpecFile } = await import('../../vm/wasm/spectest/runner.ts');
  const engines = selectEngines(opts.engine);
  const results = [];
  for (const file of files) {
    for (const engine of engines) {
      const r = runSpecFile(file, engine);
      results.push(r);
      console.log(formatFileResult(r, { verbose: opts.verbose, showEngine: engines.length > 1 }));
    }
  }
  const t = totals(results);
  console.log(formatTotals(t));
  if (t.failed > 0) process.exitCode = 1;
}
