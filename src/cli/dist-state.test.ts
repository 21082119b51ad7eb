/**
 * bin/dist-state.mjs: when bin/modex.js may run dist/ in a clone. dist/ runs only while its
 * manifest matches the sources; a touched but unchanged file keeps it fresh, an edit, a new or a
 * removed source makes it stale, and so does a missing manifest (an unfinished build).
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { distProblem, MANIFEST, sourceFiles, sourcesManifest } from '../../bin/dist-state.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A clone in miniature, built: sources and dist/ with the manifest of those sources. */
function builtClone(): string {
  const root = mkdtempSync(join(tmpdir(), 'modex-dist-state-'));
  dirs.push(root);
  const files: Record<string, string> = {
    'src/cli/main.ts': 'export const x = 1;\n',
    'src/cli/main.test.ts': 'test\n',
    'src/build/templates/counter/main.ts.template': 'template\n',
    'bench/e2e.ts': 'bench\n',
    'bench/RESULTS.md': 'results\n',
    'test/fixture.ts': 'fixture\n',
    'tsconfig.json': '{}\n',
  };
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist', MANIFEST), JSON.stringify(sourcesManifest(root)));
  return root;
}

describe('dist-state', () => {
  it('lists what feeds dist/: src/ but its tests, the TypeScript of bench/ and test/, the tsconfigs', () => {
    expect(sourceFiles(builtClone())).toEqual([
      'bench/e2e.ts',
      'src/build/templates/counter/main.ts.template',
      'src/cli/main.ts',
      'test/fixture.ts',
      'tsconfig.json',
    ]);
  });

  it('a fresh build runs; a touched but unchanged file keeps it fresh', () => {
    const root = builtClone();
    expect(distProblem(root)).toBeUndefined();
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src/cli/main.ts'), later, later);
    expect(distProblem(root)).toBeUndefined();
  });

  it('an edit, a new source or a removed one makes dist/ stale', () => {
    const edited = builtClone();
    writeFileSync(join(edited, 'src/cli/main.ts'), 'export const x = 2;\n');
    expect(distProblem(edited)).toBe('src/cli/main.ts changed since the build');

    const added = builtClone();
    writeFileSync(join(added, 'src/cli/other.ts'), 'export {};\n');
    expect(distProblem(added)).toBe('src/cli/other.ts was added since the build');

    const removed = builtClone();
    unlinkSync(join(removed, 'bench/e2e.ts'));
    expect(distProblem(removed)).toBe('bench/e2e.ts was removed since the build');

    // files outside what dist/ is built from do not count
    const other = builtClone();
    writeFileSync(join(other, 'bench/RESULTS.md'), 'new results\n');
    writeFileSync(join(other, 'src/cli/main.test.ts'), 'new test\n');
    expect(distProblem(other)).toBeUndefined();
  });

  it('without a manifest dist/ is an unfinished build, or not built at all', () => {
    const root = builtClone();
    unlinkSync(join(root, 'dist', MANIFEST));
    expect(distProblem(root)).toBe('dist/ is an unfinished build');
    rmSync(join(root, 'dist'), { recursive: true });
    expect(distProblem(root)).toBe('dist/ is not built');
  });
});
