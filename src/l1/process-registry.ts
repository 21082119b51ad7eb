/**
 * Keeps track of the anvil processes this Node process started, so none outlives it: they are
 * killed on exit, SIGINT, SIGTERM and uncaught errors. When `MODEX_ANVIL_PID_DIR` is set (by the
 * vitest global setup), each PID is also recorded there so the test run's teardown can kill
 * processes whose owner died without cleaning up.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const running = new Set<ChildProcess>();
let hooked = false;

export function track(child: ChildProcess): void {
  running.add(child);
  hookProcess();
  const dir = process.env.MODEX_ANVIL_PID_DIR;
  if (dir && child.pid) {
    try {
      writeFileSync(join(dir, String(child.pid)), String(process.pid));
    } catch {
      // the directory is best effort; the exit hooks still apply
    }
  }
  child.once('exit', () => untrack(child));
}

export function untrack(child: ChildProcess): void {
  running.delete(child);
  const dir = process.env.MODEX_ANVIL_PID_DIR;
  if (dir && child.pid) rmSync(join(dir, String(child.pid)), { force: true });
}

function killAll(): void {
  for (const child of running) {
    child.kill('SIGKILL');
    untrack(child);
  }
}

function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAll();
      process.off(signal, onSignal);
      // If nobody else handles the signal, restore the default behaviour (terminate).
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Kills every anvil recorded in `dir` that is still alive (used by the test run's teardown). Returns their PIDs. */
export function killRecorded(dir: string): number[] {
  const killed: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return killed;
  }
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (isAnvil(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // already gone
      }
    }
    rmSync(join(dir, name), { force: true });
  }
  return killed;
}

/** True when `pid` is alive and is an anvil (guards against PID reuse). */
export function isAnvil(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('anvil');
  } catch {
    return true; // no /proc (macOS): trust the record
  }
}
