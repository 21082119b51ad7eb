/**
 * `modex devnet` end to end with real processes (slow: tens of seconds each): the demo workload
 * settles and its withdrawal is paid on L1; the fraud scenario ends with the honest validator
 * winning the dispute on L1, on a kv chain and on the EVM chain (examples/evm.config.json: its
 * workload over eth_*, a withdrawal through 0x64 paid on L1); with `--da committee` (a local
 * committee whose certificates the inbox checks on L1) and `--da l1-blob` the chain settles the
 * same way. `--warp` speeds up L1 time on the embedded anvil; without it the devnet still moves the
 * idle anvil's clock (an empty block a round).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../l1/contracts.ts';
import type { DevnetResult } from '../../node/devnet-run.ts';
import { runCli } from '../run-cli.test-helper.ts';

function lastJson(stdout: string): DevnetResult {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as DevnetResult;
}

describe('modex devnet --until-confirmed (slow)', () => {
  it('demo: deposit, transfers and a withdrawal paid on L1 after confirmation', {
    timeout: 240_000,
  }, async () => {
    const r = await runCli(['devnet', '--until-confirmed', '--json', '--warp', '5', '--timeout', '200']).done;
    expect(r.code).toBe(0);
    const j = lastJson(r.stdout);
    expect(j.result).toBe('confirmed');
    expect(j.withdrawal_paid).toBe(true);
    expect(j.l2_blocks).toBeGreaterThanOrEqual(2);
    expect(j.batches).toBeGreaterThanOrEqual(1);
    expect(j.confirmed_assertions).toBeGreaterThanOrEqual(2);
    expect(j.first_block_s).toBeGreaterThan(0); // reported; its speed is measured by `modex bench e2e`, not asserted
    expect(r.stderr).toMatch(/withdrawal 0 paid on L1/);
  });

  it('without --warp the embedded L1 still keeps time: a 5 s challenge period confirms', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modex-devnet-nowarp-'));
    const config = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/devnet.config.json'), 'utf8'));
    config.proof.challengePeriodSeconds = 5;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    try {
      const r = await runCli([
        'devnet',
        '--until-confirmed',
        '--json',
        '--config',
        join(dir, 'config.json'),
        '--timeout',
        '90',
      ]).done;
      expect(r.code).toBe(0);
      const j = lastJson(r.stdout);
      expect(j.result).toBe('confirmed');
      expect(j.withdrawal_paid).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // kv, a 10 s challenge period and --warp 5: before the warp waited for quiet validators
  // (Validator.quiet), the liar's dissections ran its timers past 10 s and it won by timer
  it('fraud (kv, 10 s challenge period, --warp 5): the honest validator wins on L1 and takes the liar stake', {
    timeout: 300_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modex-devnet-fraud-'));
    const config = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/devnet.config.json'), 'utf8'));
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
      expect(j.dispute_moves).toBeGreaterThan(5);
      expect(r.stderr).toMatch(/\[validator-1\] one-step-proof/);
      expect(r.stderr).toMatch(/\[validator-1\] took the stake of/);
      expect(r.stderr).not.toMatch(/\[validator-2 \(lying\)\] confirm-/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // the EVM chain (issue 20): its demo workload over eth_* (an ERC-20 deployed and transferred with
  // viem, 0.1 ETH withdrawn through 0x64) runs while validator-2 lies; the honest one wins the dispute
  // (a one-step proof of the EVM guest's wasm on L1) and the devnet pays the withdrawal on L1
  it('fraud on the EVM chain (examples/evm.config.json, 10 s challenge period, --warp 5): honest-won, the 0x64 withdrawal paid', {
    timeout: 300_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modex-devnet-evm-'));
    const config = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/evm.config.json'), 'utf8'));
    expect(config.vm.app).toBe('evm');
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
      expect(j.withdrawal_paid).toBe(true);
      // the ready screen: the Ethereum JSON-RPC and the dev account (anvil's account 4) with its key
      expect(r.stderr).toContain(`Ethereum JSON-RPC ${j.rpc_url}`);
      expect(r.stderr).toMatch(/address {6}0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65\n/);
      expect(r.stderr).toMatch(
        /private key {2}0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a\n/,
      );
      expect(r.stderr).toMatch(/workload: ERC-20 deployed at 0x[0-9a-f]{40}/);
      expect(r.stderr).toMatch(/workload: 5 ERC-20 transfers executed, their Transfer events read back/);
      expect(r.stderr).toMatch(/withdrawal 0 of 100000000000000000 wei through 0x64 executed on L2/);
      expect(r.stderr).toMatch(
        /withdrawal 0 paid on L1: 100000000000000000 wei to 0x90F79bf6EB2c4f870365E785982E1f101E93b906/,
      );
      // the workload's own transactions (reported by hash: an EVM transaction has no SDK envelope)
      // are not the user's
      expect(r.stderr).not.toMatch(/your transaction 0x/);
      expect(r.stderr).toMatch(/\[validator-1\] one-step-proof/);
      expect(r.stderr).toMatch(/\[validator-1\] took the stake of/);
      // the liar lies about a block of the workload's EVM transactions (not the deposit's block 0),
      // so the dispute bisects through the EVM interpreter executing them
      const lie = /\[validator-2 \(lying\)\] lies about L2 block (\d+) \((\d+) transactions\)/.exec(r.stderr);
      expect(lie, 'the liar names the block it lies about').not.toBeNull();
      expect(Number(lie?.[1])).toBeGreaterThanOrEqual(1);
      expect(Number(lie?.[2])).toBeGreaterThanOrEqual(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [da, pointer] of [
    ['committee', 'certificate'],
    ['l1-blob', 'blob'],
  ] as const) {
    it(`--da ${da}: batches go through ${da}, derivation reads them back, the withdrawal is paid`, {
      timeout: 240_000,
    }, async () => {
      const r = await runCli([
        'devnet',
        '--da',
        da,
        '--until-confirmed',
        '--json',
        '--warp',
        '5',
        '--timeout',
        '200',
      ]).done;
      expect(r.code).toBe(0);
      const j = lastJson(r.stdout);
      expect(j.result).toBe('confirmed');
      expect(j.withdrawal_paid).toBe(true);
      expect(j.da.module).toBe(da);
      expect(j.da.batches[pointer]).toBeGreaterThanOrEqual(1);
      expect(Object.keys(j.da.batches)).toEqual([pointer]);
    });
  }
});
