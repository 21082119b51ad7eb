/** `modex contracts …`: build the Solidity contracts of the settlement layer. */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { buildContracts, getArtifact } from '../../l1/contracts.ts';
import { runAction } from '../action.ts';

export function register(program: Command): void {
  const contracts = program
    .command('contracts')
    .description('Solidity contracts under contracts/ (settlement layer)');
  contracts
    .command('build')
    .description(
      'compile every contracts/**/*.sol with solc-js (optimizer on, 200 runs, evm prague) into artifacts/; ' +
        'cached by a hash of the sources and settings',
    )
    .option('--force', 'compile even if the cache is up to date', false)
    .addHelpText('after', '\nExample:\n  $ npx modex contracts build\n  $ npx modex contracts build --force')
    .action(
      runAction(async (opts: { force: boolean }) => {
        const started = Date.now();
        const r = await buildContracts({ force: opts.force });
        const out = relative(process.cwd(), r.outDir) || '.';
        const what = `${r.contracts.length} contract(s) from ${r.sources.length} source(s)`;
        console.log(
          r.compiled
            ? `compiled ${what} with solc ${r.solcVersion} into ${out}/ in ${Date.now() - started} ms`
            : `up to date: ${what} in ${out}/ (cache hit, nothing compiled)`,
        );
        for (const q of r.contracts) {
          const a = await getArtifact(q);
          const size = (a.deployedBytecode.length - 2) / 2;
          console.log(`  ${a.contractName.padEnd(24)} ${a.sourceName.padEnd(40)} ${size} bytes deployed`);
        }
      }),
    );
}
