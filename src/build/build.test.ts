/**
 * `modex new` / `modex build` / `modex test` through the CLI (child processes): the scaffold builds
 * and passes its own vectors; a wrong expectation fails; `new` refuses an existing dir.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAppAbi } from '../apps/sdk/abi-check.ts';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { buildApp } from './build.ts';
import { SCAFFOLD_CHAIN_ID, scaffoldApp } from './scaffold.ts';
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

  it('scaffolds main.ts, modex.app.json, modex.config.json, client.mjs, test vectors, README', () => {
    const cfg = JSON.parse(readFileSync(join(dir, 'modex.app.json'), 'utf8'));
    expect(cfg).toEqual({ name: 'counter', entry: 'main.ts', testVectors: 'test-vectors.json' });
    const main = readFileSync(join(dir, 'main.ts'), 'utf8');
    expect(main).toContain('defineApp(APP_ID, onTx).queries(onQuery)');
    expect(main).toContain('from "modex/sdk/abi"');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('modex test');
    const chain = JSON.parse(readFileSync(join(dir, 'modex.config.json'), 'utf8'));
    expect(chain.vm).toEqual({ module: 'wasm', stf: 'build/app.wasm' });
    expect(chain.chain).toEqual({ name: 'counter', chainId: SCAFFOLD_CHAIN_ID });
    const client = readFileSync(join(dir, 'client.mjs'), 'utf8');
    for (const m of [
      'modex_sendRawTransaction',
      'modex_getTransactionReceipt',
      'modex_query',
      'modex_chainId',
    ])
      expect(client).toContain(m);
    expect(client).toContain('const APP_ID = 0x10;');
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
    expect(r.stdout).toContain('app ABI      v1 (usable as vm.stf)');

    const j = await runCli(['build', dir, '--json']).done;
    expect(j.code, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out).toEqual({
      moduleRoot: root,
      wasmBytes: expect.any(Number),
      codeLength: expect.any(Number),
      output: join(dir, 'build', 'app.wasm'),
      appAbiMissing: [],
    });
    expect(readFileSync(out.output).length).toBe(out.wasmBytes);
    checkAppAbi(readFileSync(out.output), out.output);
    // the scaffold's chain config points at the build and passes modex config check
    const c = await runCli(['config', 'check', join(dir, 'modex.config.json')]).done;
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('wasm VM with stf');
  });

  it('modex test runs the vectors natively and interpreted, and they pass', async () => {
    const r = await runCli(['test', dir]).done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`module root ${root}`);
    expect(r.stdout).toMatch(/PASS increments: 5, then 2/);
    expect(r.stdout).toMatch(/3 vector\(s\) passed, native and interpreter agree/);
    expect(r.stdout).not.toContain('FAIL');
  });

  it('a wrong expected answer or root fails the vector', async () => {
    const file = join(dir, 'test-vectors.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.vectors[1].expect.queries[0].result = '0x0000000000000004';
    doc.vectors[2].expect = { stateRoot: `0x${'11'.repeat(32)}` };
    writeFileSync(file, JSON.stringify(doc));
    const b = await buildApp(dir); // sources unchanged: not recompiled
    expect(b.cached).toBe(true);
    const res = runVectors(b.bytes, b.program, file);
    expect(res.map((v) => v.ok)).toEqual([true, false, false]);
    expect(res[1].problem).toMatch(/query 0x10.*: answer 0x0000000000000003, expected 0x0000000000000004/);
    expect(res[2].problem).toMatch(/state root mismatch: expected 0x1111.*, got 0x/);
    delete doc.vectors[2].expect;
    writeFileSync(file, JSON.stringify(doc));
    expect(runVectors(b.bytes, b.program, file)[2].problem).toMatch(/no expect.stateRoot; got 0x/);
    const r = await runCli(['test', dir]).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL rejections change nothing');
    expect(r.stderr).toContain('error [TEST_FAILED]: 2 of 3 test vector(s) failed');
  });

  it('modex new refuses an existing directory', async () => {
    const r = await runCli(['new', 'counter', '--dir', parent]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[NEW_DIR_EXISTS\]: .*counter already exists/);
    expect(() => scaffoldApp('counter', parent)).toThrow(/already exists/);
  });
});
