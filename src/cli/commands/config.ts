/** `modex config …`: check chain configuration files. */
import type { Command } from 'commander';
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
      '\nExample:\n  $ npx modex config check examples/devnet.config.json\n  OK examples/devnet.config.json: modex-devnet (chain id 412346): wasm VM with app token, ...',
    )
    .action(
      runAction(async (file: string) => {
        // loaded when the command runs, so `modex --help` and other commands start fast
        const { loadConfig } = await import('../../config/load.ts');
        const { summarizeConfig } = await import('../../config/summary.ts');
        const c = loadConfig(file);
        console.log(`OK ${file}: ${summarizeConfig(c)}`);
      }),
    );
}
