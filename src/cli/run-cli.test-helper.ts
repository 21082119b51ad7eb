/** Runs the real `modex` CLI (bin/modex.js) as a child process, for CLI tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/modex.js', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process exits, with everything it printed. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string): Promise<string>;
}

export function runCli(args: string[], opts: { cwd?: string } = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: (s: string) => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.filter((w) => stdout.includes(w.text))) w.resolve(stdout);
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    done,
    waitFor: (text) =>
      stdout.includes(text)
        ? Promise.resolve(stdout)
        : new Promise((resolve) => waiters.push({ text, resolve })),
  };
}
