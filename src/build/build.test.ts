/**
 * `modex new` / `modex build` / `modex test` through the CLI (child processes): the scaffold builds
 * and passes its own vectors; a wrong expectation fails; `new` refuses an existing dir.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { buildApp } from './build.ts';
import { scaffoldApp } from './scaffold.ts';
import { runVectors } from './vectors.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'modex-build-'));

describe('modex new + build + test (CLI)', () => {
  const parent = tmp();
  const dir = join(parent, 'counter');
  let root = '';

  beforeAll(async () => {
    const r = await runCli(['new', 'counter', '--dir', parent]).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created');
  });

  it('scaffolds main.ts, modex.app.json, test vectors, README', () => {
    const cfg = JSON.parse(readFileSync(join(dir, 'modex.app.json'), 'utf8'));
    expect(cfg).toEqual({ name: 'counter', entry: 'main.ts', testVectors: 'test-vectors.json' });
    expect(readFileSync(join(dir, 'main.ts'), 'utf8')).toContain('export function main(): void');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('modex test');
  });

  it('modex build prints the module root, sizes and time; --json the same as JSON', async () => {
    const r = await runCli(['build', dir]).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('compiling');
    const m = r.stdout.match(/module root {2}(0x[0-9a-f]{64})/);
    expect(m).not.toBeNull();
    root = m![1];
    expect(r.stdout).toMatch(/wasm {9}\d+/);
    expect(r.stdout).toMatch(/machine code \d+ instructions/);
    expect(r.stdout).toMatch(/time {9}\d+ ms/);

    const j = await runCli(['build', dir, '--json']).done;
    expect(j.code, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out).toEqual({
      moduleRoot: root,
      wasmBytes: expect.any(Number),
      codeLength: expect.any(Number),
      output: join(dir, 'build', 'app.wasm'),
    });
    expect(readFileSync(out.output).length).toBe(out.wasmBytes);
  });

  it('modex test runs the vectors natively and interpreted, and they pass', async () => {
    const r = await runCli(['test', dir]).done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`module root ${root}`);
    expect(r.stdout).toMatch(/PASS three messages/);
    expect(r.stdout).toMatch(/4 vector\(s\) passed, native and interpreter agree/);
    expect(r.stdout).not.toContain('FAIL');
  });

  it('a wrong expected root fails the vector', async () => {
    const file = join(dir, 'test-vectors.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.vectors[1].expect.stateRoot = `0x${'11'.repeat(32)}`;
    delete doc.vectors[2].expect;
    writeFileSync(file, JSON.stringify(doc));
    const b = await buildApp(dir); // sources unchanged: not recompiled
    expect(b.cached).toBe(true);
    const res = runVectors(b.bytes, b.program, file);
    expect(res.map((v) => v.ok)).toEqual([true, false, false, true]);
    expect(res[1].problem).toMatch(/state root mismatch: expected 0x1111.*, got 0x/);
    expect(res[2].problem).toMatch(/no expect.stateRoot; got 0x/);
    const r = await runCli(['test', dir]).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL three messages');
    expect(r.stderr).toContain('error [TEST_FAILED]: 2 of 4 test vector(s) failed');
  });

  it('modex new refuses an existing directory', async () => {
    const r = await runCli(['new', 'counter', '--dir', parent]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[NEW_DIR_EXISTS\]: .*counter already exists/);
    expect(() => scaffoldApp('counter', parent)).toThrow(/already exists/);
  });
});
