/**
 * `modex evm statetest` (docs/evm.md "The state-test runner") as a process, on a small folder made
 * from conformance fixtures: a passing file, the same file with a wrong expected state root, a
 * corrupt file; the exit codes, the per-file lines, the failure details, the last line, --json,
 * --engine interp, and a bad path's error.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformancePath, hasConformance } from '../../../test/conformance.ts';
import { compileApp } from '../../apps/sdk/run-app.ts';
import { runCli } from '../run-cli.test-helper.ts';

const SUITE = 'ethereum-tests/GeneralStateTests';
const have = hasConformance(SUITE);

describe.runIf(have)('modex evm statetest', { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    compileApp('evm'); // the CLI reuses the cached build
    dir = mkdtempSync(join(tmpdir(), 'modex-statetest-'));
    const add11 = conformancePath(SUITE, 'stExample', 'add11.json');
    copyFileSync(add11, join(dir, 'a_add11.json'));
    const json = JSON.parse(readFileSync(add11, 'utf8'));
    const name = Object.keys(json)[0];
    const c = json[name].post.Cancun[0];
    c.hash = `0x${'ab'.repeat(32)}`;
    writeFileSync(join(dir, 'b_wrong_root.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'c_corrupt.json'), '{"t": {"env": 1}}');
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a folder: one line per file, the failure details, the last line, exit code 1', async () => {
    const r = await runCli(['evm', 'statetest', dir]).done;
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`ok ${join(dir, 'a_add11.json')} 1/0/0`);
    expect(lines).toContain(`FAIL ${join(dir, 'b_wrong_root.json')} 0/1/0`);
    expect(r.stdout).toMatch(/ {2}FAIL add11 case 0 \(data 0, gas 0, value 0\): state root differ/);
    expect(r.stdout).toContain(`state root: expected 0x${'ab'.repeat(32)}, got 0x`);
    expect(r.stdout).toContain(`FAIL ${join(dir, 'c_corrupt.json')} 0/1/0`);
    expect(r.stdout).toMatch(
      /error \[EVM_FIXTURE_INVALID\]: .*c_corrupt\.json: test t: missing or malformed "env"/,
    );
    expect(lines.at(-1)).toBe('statetest: 1 passed, 2 failed, 0 skipped');
  });

  it('a passing file: exit code 0; --json gives the totals and cases; --engine interp agrees', async () => {
    const file = join(dir, 'a_add11.json');
    const r = await runCli(['evm', 'statetest', file, '--json']).done;
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout.trim());
    expect(j).toMatchObject({ passed: 1, failed: 0, skipped: 0 });
    expect(j.files[0].cases[0]).toMatchObject({ test: 'add11', status: 'pass' });
    const i = await runCli(['evm', 'statetest', file, '--engine', 'interp']).done;
    expect(i.code, i.stderr).toBe(0);
    expect(i.stdout.trim().split('\n').at(-1)).toBe('statetest: 1 passed, 0 failed, 0 skipped');
  });

  it('--filter: a file whose tests all miss the filter is a skip with its reason', async () => {
    const r = await runCli(['evm', 'statetest', join(dir, 'a_add11.json'), '--filter', '^nomatch$']).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`skip ${join(dir, 'a_add11.json')} 0/0/0 (no test matches the filter)`);
  });
});

describe('modex evm statetest: bad arguments', () => {
  it('a path that does not exist: a clear error, exit code 1', async () => {
    const r = await runCli(['evm', 'statetest', '/nonexistent/statetests']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error [EVM_FIXTURE_PATH]: /nonexistent/statetests: no such file or folder');
  });
  it('an unknown engine is refused by the option parser', async () => {
    const r = await runCli(['evm', 'statetest', '.', '--engine', 'fast']).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--engine.*fast.*native, interp/s);
  });
});
