/** `modex new NAME [--lang as|c|rust]`: scaffold an app (docs/build.md "Scaffold"). */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { runAction } from '../action.ts';

export function register(program: Command): void {
  program
    .command('new')
    .description(
      'scaffold an app: NAME/ with a counter app on the modex SDK (main.ts, main.c or main.rs), modex.app.json, test vectors, a chain config (modex.config.json), a JSON-RPC client (client.mjs), README',
    )
    .argument('<name>', 'app name (also the directory name)')
    .option('--dir <parent>', 'create NAME/ inside this directory', '.')
    .option(
      '--lang <lang>',
      'as (AssemblyScript, the default), c (clang + lld: apt-get install clang lld) or rust (Debian rustc: apt-get install rustc libstd-rust-dev-wasm32 lld)',
      'as',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx modex new my-app && npx modex test my-app\n  $ npx modex new my-c-app --lang c && npx modex test my-c-app\n  $ npx modex new my-rust-app --lang rust && npx modex test my-rust-app\n\nRefuses to overwrite an existing directory.',
    )
    .action(runAction(create));
}

async function create(name: string, opts: { dir: string; lang: string }): Promise<void> {
  const { scaffoldApp } = await import('../../build/scaffold.ts'); // loaded when the command runs
  const { dir, files } = scaffoldApp(name, opts.dir, opts.lang as Parameters<typeof scaffoldApp>[2]);
  const rel = relative(process.cwd(), dir) || '.';
  console.log(`created ${rel}/: ${files.join(', ')}`);
  console.log(`next: npx modex build ${rel} && npx modex test ${rel}`);
  console.log(
    `then: npx modex devnet --config ${rel}/modex.config.json, and node ${rel}/client.mjs NODE_URL`,
  );
}
