/**
 * `modex build` for C and Rust apps (docs/build.md "C apps", "Rust apps"): clang + wasm-ld, or
 * rustc for wasm32-unknown-unknown, with the flags the machine accepts, linking the app with the
 * C SDK (guest/sdk-c) or the Rust SDK (guest/sdk-rust). Returns the wasm and every source file
 * read (with content hashes) for the incremental rebuild.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { ModexError } from '../core/errors.ts';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import type { CToolchain, RustToolchain } from './toolchain.ts';

export const SDK_C_DIR = join(PACKAGE_ROOT, 'guest', 'sdk-c');
export const SDK_RUST_DIR = join(PACKAGE_ROOT, 'guest', 'sdk-rust');

/**
 * clang flags (docs/build.md "C apps"): wasm32 without libc, -O2, the MVP feature set plus the
 * three the machine accepts (bulk memory: memcpy/memset become memory.copy/fill; sign-extension;
 * mutable globals); not -ffreestanding, so that clang inlines small fixed-size memcpy/memcmp.
 * Each file is compiled alone (`-c`) and linked with wasm-ld: the clang driver would run a `wasm-opt` found on PATH after linking (binaryen's, e.g. from
 * node_modules/.bin), which drops the body of the metered-call trampoline (called only through
 * the table, by the host).
 */
export const C_FLAGS = [
  '--target=wasm32',
  '-nostdlib',
  '-O2',
  '-mcpu=mvp',
  '-mbulk-memory',
  '-msign-ext',
  '-mmutable-globals',
  '-Wall',
] as const;

/** wasm-ld flags: no entry, unused code dropped, the 64 KiB stack first (an overflow traps instead of overwriting data). */
export const C_LINK_FLAGS = [
  '--no-entry',
  '--gc-sections',
  '--stack-first',
  '-z',
  'stack-size=65536',
] as const;

/**
 * rustc flags (docs/build.md "Rust apps"): wasm32-unknown-unknown (the MVP feature set), edition
 * 2021, opt-level 2, panic=abort, no debug info in the module.
 */
export const RUST_FLAGS = [
  '--edition',
  '2021',
  '--target',
  'wasm32-unknown-unknown',
  '-C',
  'opt-level=2',
  '-C',
  'panic=abort',
  '-C',
  'strip=debuginfo',
] as const;

export interface NativeCompiled {
  bytes: Uint8Array;
  /** absolute path → sha256 of every source file the build read */
  inputs: Record<string, string | null>;
}

/** The source files a build of `lang` reads (the app's and the SDK's): their list is part of the cache key. */
export function nativeSources(lang: 'c' | 'rust', appDir: string): string[] {
  const sdk = lang === 'c' ? SDK_C_DIR : SDK_RUST_DIR;
  if (!existsSync(sdk)) {
    throw new ModexError(
      'BUILD_SDK_MISSING',
      `the modex ${lang === 'c' ? 'C' : 'Rust'} SDK is not at ${sdk}: this modex installation lacks it (a clone of the modex repository has it)`,
    );
  }
  return lang === 'c'
    ? [...sourcesIn(appDir, ['.c', '.h']), ...sourcesIn(SDK_C_DIR, ['.c', '.h'])]
    : [...sourcesIn(appDir, ['.rs']), ...sourcesIn(SDK_RUST_DIR, ['.rs'])];
}

const sha256 = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Files under `dir` (recursively, skipping build/, node_modules/ and dot entries) with these extensions, sorted. */
export function sourcesIn(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || (d === dir && e.name === 'build')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && exts.includes(extname(e.name))) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const hashed = (files: string[]): Record<string, string> =>
  Object.fromEntries(files.map((f) => [f, sha256(readFileSync(f, 'utf8'))]));

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, output }));
  });
}

function failed(lang: string, entry: string, output: string): ModexError {
  return new ModexError(
    'BUILD_COMPILE_FAILED',
    `${lang} compilation of ${entry} failed:\n${output.trim() || 'no output'}`,
  );
}

/** Compiles every .c file of `appDir` and the C SDK's, then links them into one module. */
export async function compileC(appDir: string, entry: string, tc: CToolchain): Promise<NativeCompiled> {
  const appC = sourcesIn(appDir, ['.c']);
  if (!appC.includes(entry)) appC.push(entry);
  const sources = [...appC, ...sourcesIn(SDK_C_DIR, ['.c'])];
  const outDir = join(appDir, 'build', 'c');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const objects: string[] = [];
  for (const [i, src] of sources.entries()) {
    const obj = join(outDir, `${i}-${basename(src, '.c')}.o`);
    const r = await run(
      tc.clang,
      [...C_FLAGS, '-I', SDK_C_DIR, '-c', '-o', obj, relative(appDir, src)],
      appDir,
    );
    if (r.code !== 0) throw failed('C', entry, r.output);
    objects.push(obj);
  }
  const out = join(outDir, 'app.wasm');
  const link = await run(tc.wasmLd, [...C_LINK_FLAGS, '-o', out, ...objects], appDir);
  if (link.code !== 0) throw failed('C (linking with wasm-ld)', entry, link.output);
  const bytes = new Uint8Array(readFileSync(out));
  rmSync(outDir, { recursive: true, force: true });
  return { bytes, inputs: hashed(nativeSources('c', appDir)) };
}

/**
 * Compiles the Rust SDK as an rlib (crate `modex_sdk`, into DIR/build/rust/), then the app's
 * entry as a cdylib against it.
 */
export async function compileRust(appDir: string, entry: string, tc: RustToolchain): Promise<NativeCompiled> {
  const outDir = join(appDir, 'build', 'rust');
  mkdirSync(outDir, { recursive: true });
  const rlib = join(outDir, 'libmodex_sdk.rlib');
  // the SDK's one unstable feature (asm on wasm32, stf.rs) needs RUSTC_BOOTSTRAP with a stable rustc
  const sdk = await run(
    tc.rustc,
    [
      ...RUST_FLAGS,
      '--crate-type',
      'rlib',
      '--crate-name',
      'modex_sdk',
      join(SDK_RUST_DIR, 'lib.rs'),
      '-o',
      rlib,
    ],
    appDir,
    { ...process.env, RUSTC_BOOTSTRAP: '1' },
  );
  if (sdk.code !== 0) throw failed('Rust (the modex SDK, guest/sdk-rust)', entry, sdk.output);
  const out = join(outDir, `app.${process.pid}.wasm`);
  const app = await run(
    tc.rustc,
    [
      ...RUST_FLAGS,
      '--crate-type',
      'cdylib',
      '--extern',
      `modex_sdk=${rlib}`,
      relative(appDir, entry),
      '-o',
      out,
    ],
    appDir,
  );
  if (app.code !== 0) throw failed('Rust', entry, app.output);
  const bytes = new Uint8Array(readFileSync(out));
  rmSync(out, { force: true });
  return { bytes, inputs: hashed(nativeSources('rust', appDir)) };
}
