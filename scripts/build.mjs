// `npm run build` (also `prepare`, so `npm install` in a clone and `npm pack` run it): compiles the
// TypeScript into dist/ (JavaScript and .d.ts, tsconfig.build.json), copies what the code reads
// beside itself at run time (src/**/*.mjs, the scaffold's templates: every non-.ts file of src/),
// compiles the Solidity contracts into artifacts/ (shipped in the package), and writes
// dist/sources.json: bin/modex.js runs dist/ only while that manifest matches the sources
// (bin/dist-state.mjs), so a failed or stale build never runs. The build is made in dist.build/ and
// renamed to dist/ when complete.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MANIFEST, sourcesManifest } from '../bin/dist-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const out = join(root, 'dist.build');
const t0 = performance.now();

// taken before tsc reads the sources: an edit made during the build leaves dist/ stale, not fresh
const manifest = sourcesManifest(root);
rmSync(out, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], {
  stdio: 'inherit',
});
// tsc exits 2 when it found type errors but wrote every file: that JavaScript is what tsx would run
// from the same sources, so a clone's `npm install` still gets a fast CLI; a package must type-check
const strict = process.argv.includes('--strict') || ['pack', 'publish'].includes(process.env.npm_command);
if (r.status !== 0 && (r.status !== 2 || strict)) {
  console.error('modex build: tsc failed; dist/ is left as it was');
  rmSync(out, { recursive: true, force: true });
  process.exit(r.status || 1);
}
if (r.status === 2) console.error('modex build: type errors above (npx tsc --noEmit); dist/ written anyway');

for (const rel of readdirSync(join(root, 'src'), { recursive: true })) {
  const file = join(root, 'src', String(rel));
  if (file.endsWith('.ts') || !statSync(file).isFile()) continue;
  mkdirSync(dirname(join(out, 'src', String(rel))), { recursive: true });
  cpSync(file, join(out, 'src', String(rel)));
}

const { buildContracts } = await import(pathToFileURL(join(out, 'src/l1/contracts.js')).href);
const contracts = await buildContracts();

writeFileSync(join(out, MANIFEST), `${JSON.stringify(manifest)}\n`);
rmSync(dist, { recursive: true, force: true });
renameSync(out, dist);
const seconds = ((performance.now() - t0) / 1000).toFixed(1);
console.error(
  `modex build: dist/ from ${Object.keys(manifest.files).length} sources, artifacts/ ` +
    `(${contracts.contracts.length} contracts, ${contracts.compiled ? 'compiled' : 'cached'}) in ${seconds} s`,
);
