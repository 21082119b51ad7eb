/**
 * Locates the anvil binary shipped by the npm package @foundry-rs/anvil. Its bin.mjs execs a
 * platform package's binary; we spawn that binary directly so signals reach anvil itself.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AnvilNotFoundError } from './errors.ts';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** Absolute path of the anvil executable. `MODEX_ANVIL_BIN` overrides the lookup. */
export function anvilBinary(): string {
  const override = process.env.MODEX_ANVIL_BIN;
  if (override) {
    if (!existsSync(override)) throw new AnvilNotFoundError(`MODEX_ANVIL_BIN=${override} does not exist`);
    return override;
  }
  const arch = ARCH[process.arch];
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch ?? process.arch}`;
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    // Without the optional platform package, @foundry-rs/anvil's postinstall downloads the binary next to bin.mjs.
    const fallback = fallbackBinary(require, exe);
    if (fallback) return fallback;
    throw new AnvilNotFoundError(
      `anvil is not installed for ${process.platform}/${process.arch}: package ${pkg} is missing. ` +
        'Run `npm install` (optional dependencies must not be disabled), or set MODEX_ANVIL_BIN to an anvil binary.',
    );
  }
  const bin = join(dir, 'bin', exe);
  if (!existsSync(bin)) {
    throw new AnvilNotFoundError(
      `${pkg} is installed but ${bin} is missing; reinstall it with \`npm install\``,
    );
  }
  return bin;
}

function fallbackBinary(require: NodeJS.Require, exe: string): string | undefined {
  try {
    const bin = join(dirname(require.resolve('@foundry-rs/anvil/package.json')), exe);
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}
