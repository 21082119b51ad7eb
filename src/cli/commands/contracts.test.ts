import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.test-helper.ts';

describe('modex contracts build', () => {
  it('lists the compiled contracts', async () => {
    const r = await runCli(['contracts', 'build']).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(compiled|up to date: )\d+ contract\(s\)|^(compiled \d+|up to date)/);
    expect(r.stdout).toMatch(/\n {2}Counter +contracts\/test\/Counter\.sol +\d+ bytes deployed/);
  });

  it('--force compiles even when cached', async () => {
    const r = await runCli(['contracts', 'build', '--force']).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^compiled \d+ contract\(s\) from \d+ source\(s\) with solc 0\.8\.37/);
  });
});
