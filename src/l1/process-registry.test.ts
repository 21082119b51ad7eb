import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anvilBinary } from './anvil-binary.ts';
import { isAnvil, killRecorded } from './process-registry.ts';

const waitExit = (pid: number) =>
  new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (!isAnvil(pid)) {
        clearInterval(t);
        resolve();
      }
    }, 20);
  });

describe('killRecorded', () => {
  it('kills recorded anvil processes but never a non-anvil PID', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modex-pids-'));
    const anvil = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', '0', '--quiet'], {
      stdio: 'ignore',
    });
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, String(anvil.pid)), '');
      writeFileSync(join(dir, String(sleeper.pid)), '');
      expect(isAnvil(anvil.pid!)).toBe(true);
      expect(isAnvil(sleeper.pid!)).toBe(false);
      expect(killRecorded(dir)).toEqual([anvil.pid]);
      await waitExit(anvil.pid!);
      expect(sleeper.exitCode).toBeNull();
      expect(existsSync(join(dir, String(anvil.pid)))).toBe(false);
    } finally {
      anvil.kill('SIGKILL');
      sleeper.kill('SIGKILL');
    }
  });
});
