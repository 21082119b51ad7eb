#!/usr/bin/env node
/**
 * A `solc` for Foundry without a download: `forge build|create --use test/evm-clients/solc.mjs
 * --offline` runs the npm `solc` (solc-js, the compiler the project builds its contracts with).
 * Forge asks `solc --version` and then compiles through `--standard-json` (the input on stdin, the
 * sources inline); the other arguments it passes (`--allow-paths`, `--base-path`, ...) are for
 * reading files, which solc-js in standard-JSON mode does not do: they are ignored.
 */
import { createRequire } from 'node:module';

const solc = createRequire(import.meta.url)('solc');
const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes('--standard-json')) {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (c) => {
    input += c;
  });
  process.stdin.on('end', () => process.stdout.write(solc.compile(input)));
} else {
  process.stderr.write(
    `solc.mjs: only --version and --standard-json are supported (got: ${args.join(' ')})\n`,
  );
  process.exit(2);
}
