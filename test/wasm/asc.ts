/**
 * Compiles an AssemblyScript source file to wasm bytes with the project's `asc` (devDependency),
 * for tests and benchmarks. Flags: `--runtime stub -O3 --noAssert --use abort=` (no GC, no
 * `env.abort` import). The result is checked against our validator (so no floats, no foreign
 * imports) and cached by source hash under `node_modules/.cache/modex-asc/`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASC_FLAGS } from '../../src/build/asc-flags.ts';
import { parseModule } from '../../src/vm/wasm/parse.ts';
import { validateModule } from '../../src/vm/wasm/validate.ts';

export { ASC_FLAGS };

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'modex-asc');

function ascBin(): { path: string; version: string } {
  const req = createRequire(import.meta.url);
  const pkgPath = req.resolve('assemblyscript/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string };
  return { path: join(dirname(pkgPath), 'bin', 'asc.js'), version: pkg.version };
}

/** `guest/test-modules/<name>.ts`, resolved from the repo root. */
export function testModulePath(name: string): string {
  return join(REPO_ROOT, 'guest', 'test-modules', name.endsWith('.ts') ? name : `${name}.ts`);
}

/**
 * Compiles `file` (an AssemblyScript source) to wasm. Throws if asc fails or if the output does not
 * pass the deterministic-subset validator (e.g. it contains float instructions).
 */
export function compileAssemblyScript(file: string, extraFlags: string[] = []): Uint8Array {
  const source = readFileSync(file);
  const asc = ascBin();
  const key = createHash('sha256')
    .update(asc.version)
    .update('\0')
    .update([...ASC_FLAGS, ...extraFlags].join(' '))
    .update('\0')
    .update(source)
    .digest('hex')
    .slice(0, 32);
  const cached = join(CACHE_DIR, `${key}.wasm`);
  if (existsSync(cached)) return new Uint8Array(readFileSync(cached));

  const dir = mkdtempSync(join(tmpdir(), 'modex-asc-'));
  try {
    const src = join(dir, 'input.ts');
    const out = join(dir, 'out.wasm');
    writeFileSync(src, source);
    try {
      execFileSync(process.execPath, [asc.path, src, ...ASC_FLAGS, ...extraFlags, '-o', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as { stderr?: Buffer; stdout?: Buffer };
      throw new Error(
        `asc failed for ${file}:\n${err.stderr?.toString() ?? ''}${err.stdout?.toString() ?? ''}`,
      );
    }
    const bytes = new Uint8Array(readFileSync(out));
    // the deterministic subset: rejects floats, SIMD, foreign imports (throws a typed error)
    validateModule(parseModule(bytes));
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, cached);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compiles `guest/test-modules/<name>.ts`. */
export function compileTestModule(name: string): Uint8Array {
  return compileAssemblyScript(testModulePath(name));
}
