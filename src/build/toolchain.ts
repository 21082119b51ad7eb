/**
 * The C and Rust toolchains of `modex build` (docs/build.md "C apps", "Rust apps"): Debian's clang
 * and lld, Debian's rustc with the wasm32 standard library. When one is missing the error says
 * exactly what to install (BUILD_TOOLCHAIN_MISSING).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ModexError } from '../core/errors.ts';

export class ToolchainError extends ModexError {}

export const C_INSTALL = 'apt-get install clang lld';
export const RUST_INSTALL = 'apt-get install rustc libstd-rust-dev-wasm32 lld';

/** `name` on PATH (an absolute path), or undefined. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const d of path.split(delimiter)) {
    if (!d) continue;
    const f = join(d, name);
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** The first line of `cmd --version`, or undefined when it does not run. */
function version(cmd: string): string | undefined {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split('\n')[0].trim();
}

function missing(what: string, install: string, detail: string): ToolchainError {
  return new ToolchainError(
    'BUILD_TOOLCHAIN_MISSING',
    `${what}: ${detail}. Install it (Debian/Ubuntu, as root): ${install}`,
  );
}

export interface CToolchain {
  clang: string;
  wasmLd: string;
  version: string;
}

/** clang (env CLANG, else `clang` on PATH) and wasm-ld (env WASM_LD, else lld's `wasm-ld` on PATH). */
export function findClang(env: NodeJS.ProcessEnv = process.env): CToolchain {
  const what = 'building a C app needs clang and wasm-ld (lld)';
  const clang = env.CLANG || onPath('clang', env.PATH);
  const v = clang ? version(clang) : undefined;
  if (!clang || !v) throw missing(what, C_INSTALL, clang ? `${clang} does not run` : 'clang is not on PATH');
  const wasmLd = env.WASM_LD || onPath('wasm-ld', env.PATH);
  if (!wasmLd) throw missing(what, C_INSTALL, 'wasm-ld is not on PATH');
  return { clang, wasmLd, version: v };
}

export interface RustToolchain {
  rustc: string;
  version: string;
}

/**
 * rustc: env RUSTC, else Debian's /usr/bin/rustc when it exists, else `rustc` on PATH (a rustup
 * rustc in ~/.cargo/bin is used only when there is no /usr/bin/rustc). It must have the
 * wasm32-unknown-unknown standard library (`libstd-rust-dev-wasm32`) and a linker for it
 * (`rust-lld`, a link to lld's binary in Debian).
 */
export function findRustc(env: NodeJS.ProcessEnv = process.env): RustToolchain {
  const what = 'building a Rust app needs rustc with the wasm32-unknown-unknown standard library';
  const rustc = env.RUSTC || (existsSync('/usr/bin/rustc') ? '/usr/bin/rustc' : onPath('rustc', env.PATH));
  const v = rustc ? version(rustc) : undefined;
  if (!rustc || !v)
    throw missing(what, RUST_INSTALL, rustc ? `${rustc} does not run` : 'rustc is not on PATH');
  const sysroot = spawnSync(rustc, ['--print', 'sysroot'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (!existsSync(join(sysroot, 'lib', 'rustlib', 'wasm32-unknown-unknown', 'lib'))) {
    throw missing(what, RUST_INSTALL, `${rustc} (${v}) has no wasm32-unknown-unknown standard library`);
  }
  if (rustc.startsWith('/usr/bin/') && !linkerPresent(join(sysroot, 'bin', 'rust-lld'), env.PATH)) {
    throw missing(what, RUST_INSTALL, 'rust-lld (lld) is missing');
  }
  return { rustc, version: v };
}

/** Debian's rust-lld is a symbolic link to lld's binary: present only with lld installed. */
function linkerPresent(lld: string, path: string | undefined): boolean {
  for (const f of [lld, onPath('rust-lld', path)]) {
    if (!f) continue;
    try {
      if (existsSync(realpathSync(f))) return true;
    } catch {
      // a dangling link
    }
  }
  return false;
}
