/**
 * `modex build`: compiles an app's AssemblyScript STF to wasm with the flags the deterministic
 * machine accepts, then parses, validates and lowers it with our own front end and reports the
 * module root (docs/build.md).
 *
 * The compiler runs as `assemblyscript/asc` `main()` in a child node process (asc-runner.mjs), with
 * file I/O routed through hooks so that (a) `import … from "modex/sdk/…"` resolves to this package's `guest/sdk/`, and
 * (b) every file asc looks at (found or not) is recorded; a rebuild is skipped when none of them
 * changed (`build/app.build.json`).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ABI_VERSION, abiVersionOf, missingAbiExports } from '../apps/sdk/abi-check.ts';
import { ModexError } from '../core/errors.ts';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { WasmUnsupportedError } from '../vm/wasm/errors.ts';
import type { Program } from '../vm/wasm/lower.ts';
import type { FuncType } from '../vm/wasm/module.ts';
import { funcTypeOf, validateStf } from '../vm/wasm/native.ts';
import { parseModule } from '../vm/wasm/parse.ts';
import { compileProgram, moduleRootHex } from '../vm/wasm/program.ts';
import { lowerFloats, usesFloats } from '../vm/wasm/softfloat/lower-floats.ts';
import { validateModule } from '../vm/wasm/validate.ts';
import { C_FLAGS, C_LINK_FLAGS, compileC, compileRust, nativeSources, RUST_FLAGS } from './compile-native.ts';
import { DEFAULT_ENTRIES, detectLang, isLang, LANGS, type Lang } from './lang.ts';
import { findClang, findRustc } from './toolchain.ts';
import type { ValidityBuildResult } from './validity-app.ts';
import { checkValidityFiles, readAppValidity } from './validity-manifest.ts';

/**
 * asc flags for an STF (docs/build.md "Compiler flags"): the stub runtime (bump allocator, no GC,
 * no float code in the allocator), -O3, assertions compiled out, `abort` aliased away (no
 * `env.abort` import), the float-only nontrapping-f2i feature off, plain stderr output.
 */
export const ASC_BUILD_FLAGS = [
  '--runtime',
  'stub',
  '-O3',
  '--noAssert',
  '--use',
  'abort=',
  '--disable',
  'nontrapping-f2i',
  '--noColors',
] as const;

/** The modex package root (holds `guest/`). */
export { PACKAGE_ROOT };
/** Where `modex/sdk/…` imports resolve: `import { x } from "modex/sdk/foo"` reads `GUEST_DIR/sdk/foo.ts`. */
export const GUEST_DIR = join(PACKAGE_ROOT, 'guest');
/**
 * A directory that does not exist, passed to asc as `--path`: asc looks for package `modex` at
 * `VIRTUAL_PATH/modex/…`, and asc-runner.mjs maps that to `GUEST_DIR/…`.
 */
const VIRTUAL_PATH = join(GUEST_DIR, '.asc-path');
const VIRTUAL_PKG = join(VIRTUAL_PATH, 'modex') + sep;

export const APP_CONFIG_FILE = 'modex.app.json';
export const DEFAULT_ENTRY = 'main.ts';
export const OUTPUT_FILE = join('build', 'app.wasm');
const MANIFEST_FILE = join('build', 'app.build.json');

/** `DIR/modex.app.json`; every field optional. */
export interface AppConfig {
  name?: string;
  /** the source language (default: from the entry's extension, else the default entry that exists) */
  lang?: Lang;
  /** the entry file, relative to the app dir; default `main.ts` (as), `main.c` (c), `main.rs` (rust) */
  entry?: string;
  /** test vectors for `modex test`, relative to the app dir; default `test-vectors.json` */
  testVectors?: string;
  /** the app ships a validity circuit (docs/validity.md §8; read by validity-manifest.ts) */
  validity?: unknown;
}

export class BuildError extends ModexError {}

export interface BuildOptions {
  /** rebuild even if no input changed */
  force?: boolean;
  /** progress lines (compiling…, cached…) */
  log?: (line: string) => void;
  /**
   * prepare the validity side when modex.app.json has a `validity` section (docs/validity.md §8):
   * compile the circuit, make its keys, compile the binding, check the prover (default true)
   */
  validity?: boolean;
  /** a ceremony's .ptau for the circuit's keys (default: INSECURE development keys) */
  ptau?: string;
}

export interface BuildResult {
  moduleRoot: `0x${string}`;
  wasmBytes: number;
  /** number of machine instructions after lowering */
  codeLength: number;
  /** absolute path of the written wasm */
  output: string;
  /** milliseconds for the whole build (compile + validate + lower + commit) */
  ms: number;
  /** true when asc was skipped because no input changed */
  cached: boolean;
  bytes: Uint8Array;
  program: Program;
  /**
   * What the module lacks of the app ABI (docs/app-abi.md §1): [] for an app (`modex config check`
   * accepts it as `vm.stf`), else the missing exports (or `modex_abi_version (returns N)`).
   */
  appAbiMissing: string[];
  /** the validity side (docs/validity.md §8), when modex.app.json has a `validity` section */
  validity?: ValidityBuildResult;
}

/** Reads `DIR/modex.app.json` if present. Throws BUILD_CONFIG_INVALID on bad JSON or field types. */
export function loadAppConfig(dir: string): AppConfig {
  const file = join(dir, APP_CONFIG_FILE);
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BuildError('BUILD_CONFIG_INVALID', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BuildError('BUILD_CONFIG_INVALID', `${file} must hold a JSON object`);
  }
  const cfg = raw as Record<string, unknown>;
  for (const k of ['name', 'entry', 'testVectors'] as const) {
    if (cfg[k] !== undefined && (typeof cfg[k] !== 'string' || cfg[k] === '')) {
      throw new BuildError('BUILD_CONFIG_INVALID', `${file}: "${k}" must be a non-empty string`);
    }
  }
  if (cfg.lang !== undefined && !isLang(cfg.lang)) {
    throw new BuildError(
      'BUILD_CONFIG_INVALID',
      `${file}: "lang" must be one of ${LANGS.map((l) => `"${l}"`).join(', ')}`,
    );
  }
  return cfg as AppConfig;
}

/** The entry file of the app in `dir` (absolute). Throws BUILD_ENTRY_MISSING if it does not exist. */
export function resolveEntry(dir: string, cfg: AppConfig = loadAppConfig(dir)): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new BuildError('BUILD_ENTRY_MISSING', `app directory ${dir} does not exist`);
  }
  const entry = resolve(dir, cfg.entry ?? DEFAULT_ENTRIES[detectLang(dir, cfg)]);
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    const why = cfg.entry
      ? `the "entry" of ${join(dir, APP_CONFIG_FILE)}`
      : `the default entry (no "entry" in ${APP_CONFIG_FILE})`;
    throw new BuildError(
      'BUILD_ENTRY_MISSING',
      `entry file ${entry} not found (${why}); create it or run \`npx modex new NAME\` for a starting point`,
    );
  }
  return entry;
}

interface Manifest {
  key: string;
  /** absolute path → sha256 of the content, or null if asc probed it and it did not exist */
  inputs: Record<string, string | null>;
  wasmSha256: string;
}

const sha256 = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');

function ascInfo(): { version: string } {
  const req = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(req.resolve('assemblyscript/package.json'), 'utf8')) as {
    version: string;
  };
  return { version: pkg.version };
}

const RUNNER = fileURLToPath(new URL('./asc-runner.mjs', import.meta.url));

/**
 * Runs asc on `entry` in a child `node` process (asc-runner.mjs: loading asc through tsx is slow).
 * Returns the wasm bytes and every file asc read or probed (with content hashes). Throws
 * BUILD_COMPILE_FAILED with asc's diagnostics.
 */
export async function compileWithAsc(
  entry: string,
  extraFlags: string[] = [],
): Promise<{ bytes: Uint8Array; inputs: Record<string, string | null> }> {
  const request = JSON.stringify({
    entry,
    baseDir: dirname(entry),
    flags: [...ASC_BUILD_FLAGS, ...extraFlags, '--path', VIRTUAL_PATH],
    virtualPkg: VIRTUAL_PKG,
    guestDir: GUEST_DIR,
  });
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done, fail) => {
      const child = spawn(process.execPath, [RUNNER], { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.once('error', fail);
      child.once('close', (c) => done({ code: c, stdout: out, stderr: err }));
      child.stdin.end(request);
    },
  );
  let res: { ok: boolean; wasm: string | null; inputs: Record<string, string | null>; diagnostics: string };
  try {
    res = JSON.parse(stdout);
  } catch {
    throw new BuildError(
      'BUILD_COMPILE_FAILED',
      `the AssemblyScript compiler crashed compiling ${entry} (exit code ${code}):\n${stderr.trim() || stdout.trim()}`,
    );
  }
  if (!res.ok || res.wasm === null) {
    throw new BuildError(
      'BUILD_COMPILE_FAILED',
      `AssemblyScript compilation of ${entry} failed:\n${res.diagnostics || 'no output'}`,
    );
  }
  return { bytes: new Uint8Array(Buffer.from(res.wasm, 'base64')), inputs: res.inputs };
}

/** A WASM_UNSUPPORTED_FEATURE error of a source, with a hint where one helps. */
function unsupportedError(e: WasmUnsupportedError, source: string, lang: Lang = 'as'): BuildError {
  // floats never get here: they are lowered to integer code first (lowerFloatsChecked)
  const imp = e.item?.startsWith('import') ?? false;
  const hint = imp
    ? '\nhint: an STF may import only the `modex` host functions (docs/machine.md §6); ' +
      (lang === 'as'
        ? 'avoid console, Math.random, Date and other APIs that need a JS host'
        : 'call no libc or std function that needs an operating system')
    : '';
  return new BuildError(e.code, `${source} compiles to wasm the machine does not run: ${e.message}${hint}`, {
    cause: e,
  });
}

/**
 * Checks STF bytes: the `main: () -> ()` export, then parse, validate and lower. Machine rejections
 * (WASM_UNSUPPORTED_FEATURE) are re-thrown with the source file and a hint; the release build has
 * no function names, so `withNames` (a `--debug` build of the same source) is used, when given, to
 * name the offending function.
 */
export async function checkStf(
  bytes: Uint8Array,
  source: string,
  withNames?: () => Promise<Uint8Array>,
  lang: Lang = 'as',
): Promise<Program> {
  const mod = parseModule(bytes);
  const main = mod.exports.find((x) => x.name === 'main');
  if (main?.kind !== 'func') {
    throw new BuildError(
      'BUILD_NO_MAIN',
      `${source} has no exported function "main"; an STF must \`export function main(): void\`` +
        (lang === 'as' ? '' : ' (the C and Rust SDKs export it: docs/build.md)'),
    );
  }
  const t = funcTypeOf(mod, main.index);
  if (t.params.length > 0 || t.results.length > 0) {
    throw new BuildError(
      'BUILD_NO_MAIN',
      `${source}: "main" must have type () -> () (\`export function main(): void\`), has ${formatFuncType(t)}`,
    );
  }
  try {
    return compileProgram(bytes);
  } catch (e) {
    if (!(e instanceof WasmUnsupportedError)) throw e;
    if (e.funcIndex !== undefined && e.funcName === undefined && withNames) {
      try {
        compileProgram(await withNames());
      } catch (named) {
        if (named instanceof WasmUnsupportedError && named.funcName !== undefined) {
          throw unsupportedError(named, source, lang);
        }
      }
    }
    throw unsupportedError(e, source, lang);
  }
}

/**
 * A module with float instructions, type-checked as it is, then lowered to integer code and the
 * soft-float library (docs/softfloat.md §6); any other module as it is. A module that is invalid
 * or uses another unsupported feature gets checkStf's error, which names the place.
 */
async function lowerFloatsChecked(
  bytes: Uint8Array,
  source: string,
  withNames: (() => Promise<Uint8Array>) | undefined,
  lang: Lang,
  log: (line: string) => void,
): Promise<Uint8Array> {
  const mod = parseModule(bytes);
  if (!usesFloats(mod)) return bytes;
  try {
    validateModule(mod, { allowFloats: true });
  } catch (e) {
    if (!(e instanceof WasmUnsupportedError)) throw e;
    // name the function: the build with names (AS --debug) says where
    if (e.funcIndex !== undefined && e.funcName === undefined && withNames) {
      try {
        validateModule(parseModule(await withNames()), { allowFloats: true });
      } catch (named) {
        if (named instanceof WasmUnsupportedError && named.funcName !== undefined)
          throw unsupportedError(named, source, lang);
      }
    }
    throw unsupportedError(e, source, lang);
  }
  const lowered = lowerFloats(bytes);
  log(
    `lowered float instructions to integer code (${bytes.length} → ${lowered.length} bytes; docs/softfloat.md)`,
  );
  return lowered;
}

const VAL_NAMES: Record<number, string> = { 127: 'i32', 126: 'i64', 125: 'f32', 124: 'f64' };
const formatFuncType = (t: FuncType): string => {
  const list = (v: number[]): string => v.map((x) => VAL_NAMES[x] ?? `0x${x.toString(16)}`).join(', ');
  return `(${list(t.params)}) -> (${list(t.results)})`;
};

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function upToDate(m: Manifest, key: string, outFile: string): Uint8Array | undefined {
  if (m.key !== key || !existsSync(outFile)) return undefined;
  for (const [file, hash] of Object.entries(m.inputs)) {
    let now: string | null;
    try {
      now = sha256(readFileSync(file, 'utf8'));
    } catch {
      now = null;
    }
    if (now !== hash) return undefined;
  }
  const bytes = new Uint8Array(readFileSync(outFile));
  return sha256(bytes) === m.wasmSha256 ? bytes : undefined;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Builds the app in `dir`: `DIR/build/app.wasm`, checked and lowered. */
export async function buildApp(dir: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const start = performance.now();
  const log = opts.log ?? (() => {});
  const appDir = resolve(dir);
  const cfg = loadAppConfig(appDir);
  const entry = resolveEntry(appDir, cfg);
  // a malformed validity section or a missing file fails before the (slow) compile
  const validity = opts.validity === false ? undefined : readAppValidity(appDir);
  if (validity) checkValidityFiles(validity);
  const lang = detectLang(appDir, cfg);
  const output = join(appDir, OUTPUT_FILE);
  const compiler = compilerFor(lang, appDir, entry);
  const manifest = opts.force ? undefined : readManifest(appDir);
  let bytes = manifest ? upToDate(manifest, compiler.key, output) : undefined;
  const cached = bytes !== undefined;
  const rel = relative(process.cwd(), entry) || entry;
  if (bytes) {
    log(`${rel}: unchanged since the last build, reusing ${relative(process.cwd(), output) || output}`);
  } else {
    log(`compiling ${rel} with ${compiler.describe}`);
    const t = performance.now();
    const compiled = await compiler.compile();
    bytes = compiled.bytes;
    log(`compiled in ${Math.round(performance.now() - t)} ms; validating and lowering`);
    bytes = await lowerFloatsChecked(bytes, rel, compiler.withNames, lang, log);
    // check before writing: a rejected module never lands in build/
    await checkStf(bytes, rel, compiler.withNames, lang);
    writeAtomic(output, bytes);
    const m: Manifest = { key: compiler.key, inputs: compiled.inputs, wasmSha256: sha256(bytes) };
    writeAtomic(join(appDir, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
  }
  const program = await checkStf(bytes, rel, undefined, lang);
  const moduleRoot = moduleRootHex(program);
  const appAbiMissing = abiMissing(bytes);
  let validityResult: ValidityBuildResult | undefined;
  if (validity) {
    log(
      `validity: ${relative(process.cwd(), validity.manifest) || validity.manifest} has a "validity" section`,
    );
    const { buildAppValidity } = await import('./validity-app.ts');
    validityResult = await buildAppValidity(validity, { ptau: opts.ptau, log });
  }
  return {
    moduleRoot,
    wasmBytes: bytes.length,
    codeLength: program.ops.length,
    output,
    ms: performance.now() - start,
    cached,
    bytes,
    program,
    appAbiMissing,
    validity: validityResult,
  };
}

interface Compiler {
  /** the cache key: compiler, flags, entry, SDK (and for C and Rust the list of source files) */
  key: string;
  describe: string;
  compile: () => Promise<{ bytes: Uint8Array; inputs: Record<string, string | null> }>;
  /** a build with function names, for error messages (AS: --debug; C and Rust keep the names section) */
  withNames?: () => Promise<Uint8Array>;
}

function compilerFor(lang: Lang, appDir: string, entry: string): Compiler {
  if (lang === 'c') {
    const tc = findClang();
    return {
      key: sha256(
        JSON.stringify({
          lang,
          tool: tc.version,
          flags: [...C_FLAGS, ...C_LINK_FLAGS],
          entry,
          files: nativeSources('c', appDir),
        }),
      ),
      describe: `${tc.version} (clang ${C_FLAGS.join(' ')}; wasm-ld ${C_LINK_FLAGS.join(' ')}) and the C SDK`,
      compile: () => compileC(appDir, entry, tc),
    };
  }
  if (lang === 'rust') {
    const tc = findRustc();
    return {
      key: sha256(
        JSON.stringify({
          lang,
          tool: tc.version,
          flags: RUST_FLAGS,
          entry,
          files: nativeSources('rust', appDir),
        }),
      ),
      describe: `${tc.rustc} (${tc.version}; ${RUST_FLAGS.join(' ')}) and the Rust SDK`,
      compile: () => compileRust(appDir, entry, tc),
    };
  }
  return {
    key: sha256(JSON.stringify({ asc: ascInfo().version, flags: ASC_BUILD_FLAGS, entry, guest: GUEST_DIR })),
    describe: `AssemblyScript ${ascInfo().version} (${ASC_BUILD_FLAGS.join(' ')})`,
    compile: () => compileWithAsc(entry),
    withNames: async () => (await compileWithAsc(entry, ['--debug'])).bytes,
  };
}

/** The app ABI exports `bytes` lacks ([] for an app), its version when it is not ABI_VERSION. */
function abiMissing(bytes: Uint8Array): string[] {
  const mod = validateStf(bytes);
  const missing = missingAbiExports(mod);
  if (missing.length > 0) return missing;
  const v = abiVersionOf(bytes, mod);
  return v === ABI_VERSION ? [] : [`modex_abi_version (${v === undefined ? 'traps' : `returns ${v}`})`];
}
