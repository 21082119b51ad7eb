/**
 * Compiles a circom circuit with circom2 (the Circom 2 compiler as WebAssembly) into its R1CS and its
 * witness generator (docs/validity.md §1). circom2 runs from `root` (default: the package root) with
 * `-l node_modules`, because includes through `..` fail under its WASI sandbox; the circuit must lie
 * under `root`. Cached by the content hash of the circuit, every file it includes, the compiler's
 * version and the flags (docs/validity.md §4).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { cacheDir, contentHash, writeAtomically } from './cache.ts';
import { CircuitCompileError, ZkInputError } from './errors.ts';
import { readR1csHeader } from './r1cs.ts';

export interface CompileOptions {
  /** the directory circom2 runs in and include paths are relative to (default: the package root) */
  root?: string;
  /** library directories for includes, relative to root (default ['node_modules']) */
  libs?: string[];
  /** circom's simplification level (default 'O2': about half the constraints of O1) */
  optimize?: 'O0' | 'O1' | 'O2';
  /** cache directory (default node_modules/.cache/modex-zk) */
  cacheDir?: string;
  /** progress lines */
  log?: (line: string) => void;
}

export interface CompiledCircuit {
  /** path of the .r1cs file */
  r1cs: string;
  /** path of the witness generator (.wasm) */
  wasm: string;
  constraints: number;
  /** wires, the constant 1 included */
  wires: number;
  /** public signals: outputs, then public inputs */
  publicSignals: number;
  /** the cache key */
  hash: string;
  cached: boolean;
  /** wall-clock milliseconds of this call */
  ms: number;
}

const CIRCOM2 = dirname(createRequire(import.meta.url).resolve('circom2/package.json'));
const CIRCOM2_VERSION = (
  JSON.parse(readFileSync(join(CIRCOM2, 'package.json'), 'utf8')) as { version: string }
).version;

export async function compileCircuit(path: string, opts: CompileOptions = {}): Promise<CompiledCircuit> {
  const t0 = performance.now();
  const root = resolve(opts.root ?? PACKAGE_ROOT);
  const libs = opts.libs ?? ['node_modules'];
  const optimize = opts.optimize ?? 'O2';
  const file = resolve(root, path);
  const rel = relative(root, file);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new ZkInputError(
      `circuit ${path} is outside ${root}: circom2 cannot include through '..'; move it under the project root or pass opts.root`,
    );
  if (!existsSync(file)) throw new ZkInputError(`circuit ${file} does not exist`);
  const files = circuitFiles(
    file,
    libs.map((l) => resolve(root, l)),
  );
  const hash = contentHash('modex-zk-circuit-v1', [
    CIRCOM2_VERSION,
    optimize,
    libs.join(','),
    ...files.flatMap((f) => [relative(root, f), readFileSync(f)]),
  ]).slice(0, 32);
  const name = basename(file, '.circom');
  const dir = join(cacheDir(opts.cacheDir), `circuit-${name}-${hash}`);
  const out = { r1cs: join(dir, `${name}.r1cs`), wasm: join(dir, `${name}_js`, `${name}.wasm`) };
  const cached = existsSync(out.r1cs) && existsSync(out.wasm);
  if (cached) opts.log?.(`circuit ${rel}: cached (${hash.slice(0, 12)})`);
  else {
    opts.log?.(
      `circuit ${rel}: compiling with circom2 ${CIRCOM2_VERSION} --${optimize} (${files.length} files)…`,
    );
    await writeAtomically(dir, async (tmp) => {
      mkdirSync(tmp, { recursive: true });
      const output = await runCircom(root, [
        rel.split(sep).join('/'),
        '--r1cs',
        '--wasm',
        `--${optimize}`,
        ...libs.flatMap((l) => ['-l', l]),
        '-o',
        tmp,
      ]);
      const stats = /non-linear constraints: \d+[\s\S]*?wires: \d+/.exec(output);
      if (stats) opts.log?.(`  ${stats[0].replace(/\n/g, ', ')}`);
    });
  }
  const h = readR1csHeader(new Uint8Array(readFileSync(out.r1cs)));
  return {
    ...out,
    constraints: h.nConstraints,
    wires: h.nWires,
    publicSignals: h.nPubOut + h.nPubIn,
    hash,
    cached,
    ms: performance.now() - t0,
  };
}

function runCircom(cwd: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [join(CIRCOM2, 'cli.js'), ...args],
      { cwd, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const text = stripAnsi(`${stdout}${stderr}`);
        if (err) {
          const message = text.trim() || String(err);
          fail(new CircuitCompileError(`circom2 refused ${args[0]}:\n${message}`, text));
        } else done(text);
      },
    );
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: circom colours its output with ANSI escapes
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

/** The circuit and every file it includes (recursively), sorted; includes resolve against the
 * including file's directory, then each library directory, as circom does. */
export function circuitFiles(file: string, libs: string[]): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    const src = readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const m of src.matchAll(/\binclude\s+"([^"]+)"/g)) {
      const found = [dirname(f), ...libs].map((d) => resolve(d, m[1])).find((c) => existsSync(c));
      if (!found)
        throw new ZkInputError(
          `${f}: include "${m[1]}" not found (searched its directory and ${libs.join(', ')})`,
        );
      visit(found);
    }
  };
  visit(file);
  return [...seen].sort();
}
