/** `modex config …`: check chain configuration files. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { summarizeConfig } from '../../config/summary.ts';
import { runAction } from '../action.ts';

export function register(program: Command): void {
  const config = program
    .command('config')
    .description('work with chain configuration files (modex.config.json)');
  config
    .command('check')
    .description(
      'validate a chain config: prints OK and a one-line summary, or every problem found (exit code 1)',
    )
    .argument('<file>', 'path to the config file (JSON); see docs/config.md')
    .addHelpText(
      'after',
      '\nExample:\n  $ modex config check examples/devnet.config.json\n  OK examples/devnet.config.json: modex-devnet (chain id 412346): wasm VM with app token, ...',
    )
    .action(
      runAction((file: string) => {
        const c = loadConfig(file);
        console.log(`OK ${file}: ${summarizeConfig(c)}`);
      }),
    );
}
