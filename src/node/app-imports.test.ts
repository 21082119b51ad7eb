/**
 * The node knows no app (docs/app-abi.md): nothing that src/node, src/settlement or src/proof
 * import — directly or through other modules, type imports included — is under src/apps/token or
 * src/apps/kv. Tests are exempt (they may use the built-in apps as fixtures); a dynamic `import()`
 * is not followed (src/apps/workloads.ts loads an app's demo workload only when that app runs).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FORBIDDEN = ['src/apps/token/', 'src/apps/kv/'];
const LAYERS = ['src/node', 'src/settlement', 'src/proof'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

/** the modules `file` imports statically (`import … from`, `export … from`, `import '…'`) */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g,
  )) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const p = resolve(dirname(file), spec);
    if (existsSync(p)) out.push(p);
  }
  return out;
}

/** every module reachable from `file`, with the path that reaches it */
function closure(file: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[file, [file]]]);
  const todo = [file];
  while (todo.length > 0) {
    const f = todo.pop() as string;
    for (const g of importsOf(f)) {
      if (seen.has(g)) continue;
      seen.set(g, [...(seen.get(f) as string[]), g]);
      todo.push(g);
    }
  }
  return seen;
}

describe('the node imports no app', () => {
  it('src/node, src/settlement, src/proof reach nothing under src/apps/token or src/apps/kv', () => {
    const bad: string[] = [];
    for (const layer of LAYERS)
      for (const f of sources(join(ROOT, layer)))
        for (const [g, path] of closure(f)) {
          const rel = relative(ROOT, g);
          if (FORBIDDEN.some((x) => rel.startsWith(x)))
            bad.push(path.map((p) => relative(ROOT, p)).join(' -> '));
        }
    expect([...new Set(bad)]).toEqual([]);
  });

  it('the check sees an app import (a test file, which is exempt, imports the token app)', () => {
    const reach = closure(join(ROOT, 'src/node/sequencer.test.ts'));
    expect([...reach.keys()].some((g) => relative(ROOT, g).startsWith('src/apps/token/'))).toBe(true);
  });
});
