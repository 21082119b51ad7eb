/**
 * The npm package end to end (slow: a build, an install and a devnet, a few minutes on a loaded
 * machine): `npm pack` of a copy of this checkout (its `prepare` builds dist/ strictly), installed
 * into an empty folder from the npm cache, runs `npx modex devnet --exit-when-ready` there from the
 * compiled JavaScript alone (tsx, a dev dependency, is not installed), and its library entry points
 * (`modex/client`, …) resolve to dist/ with type declarations. The copy keeps the work tree's dist/
 * untouched; node_modules is linked, not copied.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../util/package-root.ts';

/** Runs `cmd args` in `cwd`; resolves with its exit code and output (never rejects). */
function run(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // npm's own variables (npm test sets npm_command, npm_config_*) must not leak into the child npm
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What a clone has, minus what npm install and the build make (node_modules is linked instead). */
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', 'dist.build', '.modex', 'coverage', '.scratch']);

const work = mkdtempSync(join(tmpdir(), 'modex-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package (slow)', () => {
  it('npm pack installs into an empty folder and runs `npx modex devnet` there', {
    timeout: 900_000,
  }, async () => {
    const clone = join(work, 'clone');
    mkdirSync(clone);
    for (const e of readdirSync(PACKAGE_ROOT)) {
      if (NOT_COPIED.has(e) || e.endsWith('.tgz')) continue;
      cpSync(join(PACKAGE_ROOT, e), join(clone, e), { recursive: true });
    }
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');

    const pack = await run('npm', ['pack', '--json', '--pack-destination', work], clone);
    expect(pack.code, pack.stderr).toBe(0);
    const [{ filename, files }] = JSON.parse(pack.stdout) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = files.map((f) => f.path);
    expect(paths).toContain('dist/src/cli/main.js');
    expect(paths).toContain('dist/src/client/index.d.ts');
    expect(paths).toContain('guest/apps/token/token.wasm');
    expect(paths).toContain('artifacts/build-info.json');
    expect(paths.some((p) => p.startsWith('src/'))).toBe(false);

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, filename)],
      app,
    );
    expect(install.code, install.stderr).toBe(0);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);

    const devnet = await run('npx', ['modex', 'devnet', '--exit-when-ready'], app);
    expect(devnet.code, devnet.stderr).toBe(0);
    expect(devnet.stdout).toMatch(/sequencer RPC +http:\/\/127\.0\.0\.1:\d+/);
    expect(devnet.stdout).toContain('exit-when-ready: stopped');

    const lib = await run(
      'node',
      [
        '--input-type=module',
        '-e',
        "const c = await import('modex/client'); const t = await import('modex/apps/token');" +
          "console.log(typeof c.createModexClient, typeof t.transfer, import.meta.resolve('modex/client'))",
      ],
      app,
    );
    expect(lib.code, lib.stderr).toBe(0);
    expect(lib.stdout).toMatch(
      /^function function file:.*\/node_modules\/modex\/dist\/src\/client\/index\.js/,
    );
    expect(existsSync(join(app, 'node_modules', 'modex', 'dist', 'src', 'client', 'index.d.ts'))).toBe(true);
  });
});
