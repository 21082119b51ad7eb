/**
 * Foundry from npm (`@foundry-rs/forge`, `@foundry-rs/cast`, devDependencies) for the client tests:
 * the binaries ship in the platform packages (`@foundry-rs/forge-linux-amd64/bin/forge`, …), as
 * anvil's do (src/l1/anvil-binary.ts), so nothing is downloaded. `forge` compiles offline with the
 * npm solc through `solc.mjs` (`--use`), with the Foundry project in `foundry/` copied to a temporary
 * directory (its `out/` and `cache/` stay out of the repository).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** the solc Foundry runs: the npm solc behind a standard-JSON wrapper */
export const SOLC_WRAPPER = join(HERE, 'solc.mjs');
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** Absolute path of `forge` or `cast` from its npm platform package. */
export function foundryBinary(tool: 'forge' | 'cast'): string {
  const pkg = `@foundry-rs/${tool}-${process.platform}-${ARCH[process.arch] ?? process.arch}`;
  const dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  const bin = join(dir, 'bin', process.platform === 'win32' ? `${tool}.exe` : tool);
  if (!existsSync(bin)) throw new Error(`${pkg} is installed but ${bin} is missing: run npm install`);
  return bin;
}

/** Runs a Foundry tool; resolves with its stdout, rejects with its stderr when it exits non-zero. */
export function foundry(tool: 'forge' | 'cast', args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      foundryBinary(tool),
      args,
      // no colours, no update nags; HOME is left alone (forge reads no global config it needs)
      { cwd, env: { ...process.env, NO_COLOR: '1', FOUNDRY_DISABLE_NIGHTLY_WARNING: '1' }, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err)
          reject(Object.assign(new Error(`${tool} ${args.join(' ')}: ${stderr || err.message}`), { stderr }));
        else resolve(stdout);
      },
    ),
  );
}

/** A copy of the Foundry project `foundry/` in a fresh temporary directory. */
export function foundryProject(): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'modex-foundry-'));
  cpSync(join(HERE, 'foundry'), root, { recursive: true });
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The JSON object a `--json` run printed last (forge prints its compiler's progress before it). */
export function lastJsonObject<T>(stdout: string): T {
  const start = stdout.lastIndexOf('\n{');
  return JSON.parse(start >= 0 ? stdout.slice(start + 1) : stdout.slice(stdout.indexOf('{'))) as T;
}
