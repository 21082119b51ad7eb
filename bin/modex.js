#!/usr/bin/env node
// Entry point of the `modex` CLI. It runs the compiled JavaScript in dist/ (`npm run build`, which
// `npm install` runs in a clone through `prepare`, and which the npm package ships), so a command
// starts without compiling TypeScript. In a clone (src/ is here) dist/ runs only if it was built
// from the sources as they are now (bin/dist-state.mjs); otherwise the sources run through tsx, a
// dev dependency, and never an old build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const clone = existsSync(new URL('../src/cli/main.ts', import.meta.url));

let stale;
if (clone) {
  const { distProblem } = await import('./dist-state.mjs');
  stale = distProblem(root);
} else if (!existsSync(compiled)) {
  stale = 'dist/ is missing';
}

if (stale === undefined) {
  const { main } = await import(compiled.href);
  await main(process.argv);
} else if (clone) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error(
      `error [DIST_STALE]: ${stale} and tsx (a dev dependency) is not installed: run npm run build`,
    );
    process.exit(1);
  }
  if (process.stderr.isTTY)
    console.error(`modex: ${stale}; running the sources through tsx (npm run build to start fast)`);
  register();
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv);
} else {
  console.error(`error [DIST_MISSING]: ${stale} in ${root}: reinstall the modex package`);
  process.exit(1);
}
