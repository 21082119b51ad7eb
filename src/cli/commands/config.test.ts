import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGuest } from '../../apps/sdk/run-app.ts';
import { runCli } from '../run-cli.test-helper.ts';

function tmpFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'modex-cli-')), 'c.json');
  writeFileSync(file, text);
  return file;
}

describe('modex config check', () => {
  it('prints OK and a summary for the example config', async () => {
    const r = await runCli(['config', 'check', 'examples/devnet.config.json']).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK examples\/devnet\.config\.json: modex-devnet \(chain id 412346\): wasm VM/);
  });

  it('prints every problem with its field and exits 1, without a stack trace', async () => {
    const file = tmpFile(JSON.stringify({ chain: { chainId: 'x' }, da: { module: 'dac' } }));
    const r = await runCli(['config', 'check', file]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error [CONFIG_INVALID]: 2 problems in ${file}:`);
    expect(r.stderr).toContain('  - chain.chainId: got "x"; expected an integer from 1 to');
    expect(r.stderr).toContain('  - da.module: got "dac"; allowed: "l1-calldata", "l1-blob", "committee"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an STF without the app ABI with APP_ABI_MISSING, naming the missing exports', async () => {
    const file = tmpFile(JSON.stringify({ vm: { stf: 'fib.wasm' } }));
    writeFileSync(join(dirname(file), 'fib.wasm'), compileGuest('test-modules/fib.ts'));
    const r = await runCli(['config', 'check', file]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error \[APP_ABI_MISSING\]: vm\.stf .*fib\.wasm is not a modex app: it lacks the app ABI exports modex_abi_version, modex_genesis, modex_admit, modex_query, modex_receipt_names/,
    );
    const kv = await runCli(['config', 'check', tmpFile(JSON.stringify({ vm: { app: 'kv' } }))]).done;
    expect(kv.code).toBe(0);
    expect(kv.stdout).toContain('wasm VM with app kv');
  });

  it('issue 19 (4): refuses a committee retention below the challenge period + the 1-day margin', async () => {
    const member = (i: number) => ({
      url: `http://127.0.0.1:900${i}`,
      publicKey: `0x${String(i).repeat(512)}`,
      proofOfPossession: `0x${'33'.repeat(128)}`,
    });
    const da = (c: Record<string, number>) => ({
      module: 'committee',
      committee: { members: [member(1), member(2)], ...c },
    });
    const file = tmpFile(
      JSON.stringify({ proof: { challengePeriodSeconds: 3600 }, da: da({ retentionSeconds: 3600 }) }),
    );
    const r = await runCli(['config', 'check', file]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '  - da.committee.retentionSeconds: got 3600; must be at least da.committee.minLifetimeSeconds (90000, itself at least proof.challengePeriodSeconds + 1 day) + 3600 s for signing and posting = 93600',
    );
    const ok = tmpFile(
      JSON.stringify({ proof: { challengePeriodSeconds: 3600 }, da: da({ retentionSeconds: 93_600 }) }),
    );
    expect((await runCli(['config', 'check', ok]).done).code).toBe(0);
  });

  it('reports invalid JSON', async () => {
    const r = await runCli(['config', 'check', tmpFile('{ "chain": ')]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[CONFIG_UNREADABLE\]: .* is not valid JSON/);
  });

  it('has help with an example', async () => {
    const r = await runCli(['config', 'check', '--help']).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('$ npx modex config check examples/devnet.config.json');
  });
});
