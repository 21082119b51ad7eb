// Whether dist/ (the compiled JavaScript bin/modex.js runs) was built from the sources as they are
// now, in a clone of the repository. `npm run build` (scripts/build.mjs) writes dist/sources.json:
// every source file that feeds dist/ with its size, mtime and SHA-256. dist/ is fresh when the same
// files exist with the same contents: size and mtime unchanged, or else the same SHA-256 (a file a
// checkout touched without changing it does not count). Plain JavaScript: it runs before anything
// could compile TypeScript.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The manifest's name inside dist/. */
export const MANIFEST = 'sources.json';

/** Sources of dist/, relative to the package root with `/` separators, sorted. */
export function sourceFiles(root) {
  const out = [];
  for (const dir of ['src', 'bench', 'test']) {
    if (!existsSync(join(root, dir))) continue;
    for (const e of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const file = relative(root, join(e.parentPath, e.name)).split(sep).join('/');
      if (/\.test\.ts$|\.test-helper\.ts$/.test(file)) continue;
      // src/ is compiled or copied whole; bench/ and test/ only where src imports their TypeScript
      if (dir !== 'src' && !file.endsWith('.ts')) continue;
      out.push(file);
    }
  }
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) if (existsSync(join(root, f))) out.push(f);
  return out.sort();
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The manifest of the sources as they are now: `{ files: { path: { size, mtimeMs, sha256 } } }`. */
export function sourcesManifest(root) {
  const files = {};
  for (const f of sourceFiles(root)) {
    const s = statSync(join(root, f));
    files[f] = { size: s.size, mtimeMs: s.mtimeMs, sha256: sha256(join(root, f)) };
  }
  return { files };
}

/**
 * Why dist/ cannot run (missing, unfinished or stale build), or undefined when it was built from
 * the current sources.
 */
export function distProblem(root) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, 'dist', MANIFEST), 'utf8'));
  } catch {
    return existsSync(join(root, 'dist')) ? 'dist/ is an unfinished build' : 'dist/ is not built';
  }
  const want = manifest.files ?? {};
  const have = sourceFiles(root);
  const gone = Object.keys(want).find((f) => !have.includes(f));
  if (gone) return `${gone} was removed since the build`;
  for (const f of have) {
    const w = want[f];
    if (!w) return `${f} was added since the build`;
    const s = statSync(join(root, f));
    if (s.size === w.size && s.mtimeMs === w.mtimeMs) continue;
    if (s.size !== w.size || sha256(join(root, f)) !== w.sha256) return `${f} changed since the build`;
  }
  return undefined;
}
