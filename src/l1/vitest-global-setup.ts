/**
 * vitest globalSetup: gives the test run a PID directory (MODEX_ANVIL_PID_DIR, inherited by the
 * workers and by CLI processes they spawn) where every started anvil is recorded, and kills any
 * that is still alive at teardown, even when a test or a worker crashed without stopping its anvil.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killRecorded } from './process-registry.ts';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'modex-anvil-pids-'));
  process.env.MODEX_ANVIL_PID_DIR = dir;
  return () => {
    const killed = killRecorded(dir);
    if (killed.length > 0)
      console.warn(`modex: killed ${killed.length} leftover anvil process(es): ${killed.join(', ')}`);
    rmSync(dir, { recursive: true, force: true });
  };
}
