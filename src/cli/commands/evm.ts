/** `modex evm …`: the EVM guest's tools (docs/evm.md). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ModexError } from '../../core/errors.ts';
import { runAction } from '../action.ts';

const ENGINE_CHOICES = ['native', 'interp'];

function regex(v: string): RegExp {
  try {
    return new RegExp(v);
  } catch (e) {
    throw new InvalidArgumentError(`not a regular expression: ${(e as Error).message}`);
  }
}

export function register(program: Command): void {
  const evm = program.command('evm').description('tools for the EVM guest app (docs/evm.md)');

  evm
    .command('statetest')
    .description(
      "run Ethereum's GeneralStateTests (post.Cancun cases) on the EVM guest: each case's transaction through " +
        'evm_run_tx, then the post-state trie root and the logs hash compared with the fixture',
    )
    .argument('<paths...>', 'state-test .json files or folders (searched recursively for .json files)')
    .addOption(
      new Option('--engine <engine>', 'run natively (V8) or in the step interpreter')
        .choices(ENGINE_CHOICES)
        .default('native'),
    )
    .option('--filter <regex>', 'only the tests whose name matches', regex)
    .option(
      '--json',
      'print one JSON object (totals, then every file and case) instead of the text report',
      false,
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ npx modex evm statetest ../shared/conformance/ethereum-tests/GeneralStateTests\n' +
        '  $ npx modex evm statetest ../shared/conformance/ethereum-tests/GeneralStateTests/stExample --engine interp\n' +
        '  $ npx modex evm statetest stSStoreTest/ --filter "^sstore_0to"\n\n' +
        'Prints one line per file, "ok|FAIL|skip PATH passed/failed/skipped" (cases), the details of each\n' +
        'failed case (expected and actual state root and logs hash, or the refusal) and the reason of each\n' +
        'skip under it, then a last line "statetest: P passed, F failed, S skipped". Progress goes to stderr\n' +
        'every 100 files. A case with expectException passes only when the transaction is refused. A file\n' +
        'that is not a state test counts as one failure. Exits with code 1 if any case failed.\n' +
        'The guest is compiled from guest/apps/evm (cached); the first run takes about half a minute.',
    )
    .action(runAction(statetest));
}

interface StatetestOptions {
  engine: 'native' | 'interp';
  filter?: RegExp;
  json: boolean;
}

async function statetest(paths: string[], opts: StatetestOptions): Promise<void> {
  // loaded when the command runs, so that `modex --help` and other commands start fast
  const { fixtureFiles } = await import('../../apps/evm/fixture.ts');
  const { StateTestRunner } = await import('../../apps/evm/runner.ts');
  const { formatFile, formatTotals, toJson, totalsOf } = await import('../../apps/evm/report.ts');
  const files = fixtureFiles(paths);
  if (files.length === 0) throw new StatetestError(`no .json file under ${paths.join(', ')}`);
  const runner = new StateTestRunner({ engine: opts.engine, filter: opts.filter });
  const results = [];
  for (const [i, file] of files.entries()) {
    let r: import('../../apps/evm/runner.ts').FileResult & { error?: string };
    try {
      r = runner.runFile(file);
    } catch (e) {
      if (!(e instanceof ModexError)) throw e;
      r = { file, passed: 0, failed: 1, skipped: 0, cases: [], error: `error [${e.code}]: ${e.message}` };
    }
    results.push(r);
    if (!opts.json) console.log(formatFile(r));
    if ((i + 1) % 100 === 0 && i + 1 < files.length)
      console.error(
        `statetest: ${i + 1}/${files.length} files, ${formatTotals(totalsOf(results)).slice(11)}`,
      );
  }
  const t = totalsOf(results);
  console.log(opts.json ? JSON.stringify(toJson(results)) : formatTotals(t));
  if (t.failed > 0) process.exitCode = 1;
}

class StatetestError extends ModexError {
  constructor(message: string) {
    super('EVM_STATETEST', message);
  }
}
