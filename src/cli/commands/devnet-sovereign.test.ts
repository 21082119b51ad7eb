import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.test-helper.ts';

describe('modex devnet, sovereign config', () => {
  it('--scenario fraud --until-confirmed --json ends with "honest-won" (issue 21, item 5)', {
    timeout: 180_000,
  }, async () => {
    const r = await runCli([
      'devnet',
      '--config',
      'examples/sovereign.config.json',
      '--scenario',
      'fraud',
      '--until-confirmed',
      '--json',
    ]).done;
    expect(r.code).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
    expect(last).toMatchObject({ result: 'honest-won', scenario: 'fraud', settlement: 'sovereign' });
    expect(r.stderr).toMatch(/light client: full-node-2 is dishonest \(wrong-root at block 2\)/);
  });
});
