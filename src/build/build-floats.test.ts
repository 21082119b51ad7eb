/**
 * `modex build` lowers an app's float instructions to integer code (docs/softfloat.md §6): a
 * scaffolded counter whose transaction handler computes with f64 (Math.sin) builds, its output
 * has no float left, and its vectors pass natively and interpreted.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { parseModule } from '../vm/wasm/parse.ts';
import { usesFloats } from '../vm/wasm/softfloat/lower-floats.ts';
import { scaffoldApp } from './scaffold.ts';

describe('modex build with floats', () => {
  it('lowers them: the app builds, no float is left, the vectors pass on both engines', async () => {
    const { dir } = scaffoldApp('floaty', mkdtempSync(join(tmpdir(), 'modex-floats-')));
    const main = join(dir, 'main.ts');
    const src = readFileSync(main, 'utf8');
    const anchor = 'const n = readU64BE(tx.args);';
    expect(src).toContain(anchor);
    // never true (n/2 ≥ 0, sin ≥ −1), but the compiler cannot know: the float code stays
    writeFileSync(
      main,
      src.replace(anchor, `${anchor}\n  if (<f64>n * 0.5 + Math.sin(<f64>n) < -2.0) unreachable();`),
    );
    const b = await runCli(['build', dir]).done;
    expect(b.code, b.stdout + b.stderr).toBe(0);
    expect(b.stdout + b.stderr).toMatch(/lowered float instructions to integer code/);
    expect(usesFloats(parseModule(readFileSync(join(dir, 'build', 'app.wasm'))))).toBe(false);
    const t = await runCli(['test', dir]).done;
    expect(t.code, t.stdout + t.stderr).toBe(0);
    expect(t.stdout).toMatch(/3 vector\(s\) passed, native and interpreter agree/);
  });
});
