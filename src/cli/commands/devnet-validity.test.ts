/**
 * `modex devnet` with validity proofs (docs/validity.md §7; issue 17 item 5), slow: the first run
 * compiles the ztoken circuit and makes its INSECURE development keys (cached by content hash in
 * node_modules/.cache/modex-zk), then every assertion is proved.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.test-helper.ts';

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string);

describe('modex devnet, validity configs (slow)', () => {
  it('zk-rollup: --until-confirmed --json ends "confirmed": every assertion proven, the withdrawal paid', {
    timeout: 1_500_000,
  }, async () => {
    const r = await runCli([
      'devnet',
      '--config',
      'examples/validity.config.json',
      '--until-confirmed',
      '--json',
    ]).done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ result: 'confirmed', proof: 'validity', withdrawal_paid: true });
    expect(j.proofs).toBeGreaterThanOrEqual(j.assertions);
    expect(j.records_proved).toBeGreaterThanOrEqual(7); // 2 opens, a deposit, 3 transfers, a withdrawal
    expect(j.finality_s).toBeGreaterThan(0);
    expect(j.circuit).toMatchObject({ chunk_size: 2, insecure: true });
    expect(r.stderr).toMatch(
      /created and confirmed 0x[0-9a-f]{8} \(\d+ blocks, \d+ proofs\) in one transaction/,
    );
    expect(r.stderr).toMatch(/withdrawal 0 paid on L1/);
  });

  it('hybrid: --scenario fraud ends "honest-won": the liar is challenged, rejected unproven, the right assertion proven', {
    timeout: 1_500_000,
  }, async () => {
    const r = await runCli([
      'devnet',
      '--config',
      'examples/hybrid.config.json',
      '--scenario',
      'fraud',
      '--until-confirmed',
      '--json',
    ]).done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const j = lastJson(r.stdout);
    expect(j).toMatchObject({ result: 'honest-won', proof: 'fraud+validity', scenario: 'fraud' });
    expect(j.honest_moves.map((m: { kind: string }) => m.kind)).toEqual([
      'challenge',
      'reject-unproven',
      'prove-and-confirm',
    ]);
    expect(BigInt(j.hybrid_dispute_gas)).toBeGreaterThan(0n);
    expect(r.stderr).toMatch(/was not proven in its window: rejected/);
  });

  it('refuses --scenario fraud on a zk-rollup (nothing to dispute) and --da', async () => {
    const fraud = await runCli([
      'devnet',
      '--config',
      'examples/validity.config.json',
      '--scenario',
      'fraud',
      '--until-confirmed',
    ]).done;
    expect(fraud.code).not.toBe(0);
    expect(fraud.stderr).toMatch(/has no disputes to lose/);
    const da = await runCli(['devnet', '--config', 'examples/validity.config.json', '--da', 'l1-blob']).done;
    expect(da.code).not.toBe(0);
    expect(da.stderr).toMatch(/--da does not apply to a validity chain/);
  });
});
