/**
 * `modex devnet --config examples/attested.config.json` end to end (slow: tens of seconds each):
 * 100 validators registered on L1, committees of 20 with 2 assumed honest. The demo's assertions
 * are confirmed by attestation within a few L1 blocks of their creation and the withdrawal is paid;
 * in the fraud scenario the committee of the epoch of the lie, but 2 members, signs the liar's
 * root, one signature short of a quorum: the dispute decides, the honest side wins, and the 18
 * colluders are slashed on L1 (docs/attested.md §5, docs/node.md §6).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../l1/contracts.ts';
import type { DevnetResult } from '../../node/devnet-run.ts';
import { runCli } from '../run-cli.test-helper.ts';

const CONFIG = join(REPO_ROOT, 'examples/attested.config.json');

function lastJson(stdout: string): DevnetResult {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as DevnetResult;
}

describe('modex devnet, attested (slow)', () => {
  it('demo: 100 validators, assertions confirmed by attestation, the withdrawal paid', {
    timeout: 240_000,
  }, async () => {
    const r = await runCli(['devnet', '--config', CONFIG, '--until-confirmed', '--json', '--timeout', '200'])
      .done;
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j.result).toBe('confirmed');
    expect(j.withdrawal_paid).toBe(true);
    expect(j.attested).toBeGreaterThanOrEqual(1);
    expect(j.fallbacks).toBe(0);
    expect(j.slashed).toBe(0);
    expect(j.epochs).toBeGreaterThanOrEqual(1);
    expect(j.contracts.committee).toMatch(/^0x[0-9a-f]{40}$/);
    // confirmed a few L1 blocks after the assertion (every transaction is a block on the embedded
    // anvil: seals, the other validator's assertion), not after the 60 s challenge period (≥ 120
    // blocks: the devnet mines one every 0.5 s round)
    expect(j.attestation_l1_blocks?.from_assertion.max).toBeLessThanOrEqual(10);
    expect(r.stderr).toContain('100/100 validators registered');
    expect(r.stderr).toMatch(/epoch \d+: 20 active members, quorum 19; 20 of them run here/);
    // the fast path creates and confirms in one transaction; the plain path confirms an assertion
    // another validator created (docs/node.md §5.1): either line names a quorum of the epoch
    expect(r.stderr).toMatch(
      /confirmed 0x[0-9a-f]+ (by attestation|\(\d+ blocks\) in one transaction at L1 block \d+): (19|20) signers of epoch \d+/,
    );
  });

  it('fraud (kv, 10 s challenge period, --warp 5): no quorum for the lie, honest-won, 18 colluders slashed', {
    timeout: 300_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modex-devnet-attested-'));
    const config = JSON.parse(readFileSync(CONFIG, 'utf8'));
    config.vm.app = 'kv';
    config.proof.challengePeriodSeconds = 10;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    try {
      const r = await runCli([
        'devnet',
        '--config',
        join(dir, 'config.json'),
        '--scenario',
        'fraud',
        '--until-confirmed',
        '--json',
        '--warp',
        '5',
        '--timeout',
        '280',
      ]).done;
      expect(r.code).toBe(0);
      const j = lastJson(r.stdout);
      expect(j.result).toBe('honest-won');
      expect(j.slashed).toBe(18);
      expect(j.fallbacks).toBeGreaterThanOrEqual(1);
      expect(r.stderr).toMatch(/refuses to sign 0x[0-9a-f]+: end state root/);
      expect(r.stderr).toMatch(/18 member\(s\) of epoch \d+ signed/);
      expect(r.stderr).toMatch(/has a rival: the dispute decides/);
      expect(r.stderr).toMatch(/\[validator-1\] took the stake of/);
      expect(r.stderr).toMatch(/slashed 18 validator\(s\) for signing the losing 0x[0-9a-f]+ in epoch \d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
