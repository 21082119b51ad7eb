/**
 * Compiles an app's validity circuit (docs/validity.md §8): circom2 runs in a WASI sandbox that
 * cannot include through `..`, so the circuit must lie under the directory it runs in, beside
 * modex's node_modules (circomlib). The app's circuit files (the main file and everything it
 * includes from the app directory) are therefore staged, at their paths relative to the app, into a
 * directory of the zk cache named by their content hash, and compiled there by `compileCircuit`
 * (src/zk, cached by content hash). circom's messages name the app's own files.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { cacheDir, contentHash, writeAtomically } from '../zk/cache.ts';
import { circuitFiles } from '../zk/compile.ts';
import { CircuitCompileError, type CompiledCircuit, compileCircuit, ZkInputError } from '../zk/index.ts';
import { type AppValidity, AppValidityError, checkValidityFiles } from './validity-manifest.ts';

const inside = (dir: string, f: string): boolean => {
  const r = relative(dir, f);
  return r !== '' && !r.startsWith('..') && !r.startsWith(sep);
};

/** Compiles (or finds in the cache) the circuit of an app's validity section. */
export async function compileAppCircuit(
  v: AppValidity,
  o: { log?: (line: string) => void; cacheDir?: string } = {},
): Promise<CompiledCircuit> {
  checkValidityFiles(v);
  const libs = [...v.include, join(PACKAGE_ROOT, 'node_modules')];
  let files: string[];
  try {
    files = circuitFiles(v.circuit, libs);
  } catch (e) {
    if (e instanceof ZkInputError) throw compileFailed(v, e.message, e);
    throw e;
  }
  const own = files.filter((f) => inside(v.appDir, f));
  const foreign = files.filter((f) => !inside(v.appDir, f) && !inside(join(PACKAGE_ROOT, 'node_modules'), f));
  if (foreign.length > 0)
    throw compileFailed(
      v,
      `the circuit includes files outside the app directory ${v.appDir} and modex's node_modules: ${foreign.join(', ')}; copy them into the app`,
    );
  const hash = contentHash('modex-app-circuit-v1', [
    ...own.flatMap((f) => [relative(v.appDir, f).split(sep).join('/'), readFileSync(f)]),
    ...v.include.map((d) => relative(v.appDir, d).split(sep).join('/')),
  ]).slice(0, 32);
  // under the package root whatever o.cacheDir is: circom2 must reach it without '..'
  const stage = join(cacheDir(), `app-src-${hash}`);
  if (!existsSync(stage))
    await writeAtomically(stage, async (tmp) => {
      for (const f of own) {
        const to = join(tmp, relative(v.appDir, f));
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(f, to);
      }
    });
  const rel = (p: string) => relative(PACKAGE_ROOT, p).split(sep).join('/');
  const staged = (p: string) => join(stage, relative(v.appDir, p));
  try {
    return await compileCircuit(rel(staged(v.circuit)), {
      libs: [...v.include.map((d) => rel(staged(d))), 'node_modules'],
      cacheDir: o.cacheDir,
      log: o.log && ((l) => o.log?.(l.replaceAll(rel(stage), relative(process.cwd(), v.appDir) || '.'))),
    });
  } catch (e) {
    if (e instanceof CircuitCompileError || e instanceof ZkInputError)
      throw compileFailed(v, e.message.replaceAll(`${rel(stage)}/`, `${v.appDir}/`), e);
    throw e;
  }
}

function compileFailed(v: AppValidity, message: string, cause?: unknown): AppValidityError {
  return new AppValidityError(
    'VALIDITY_CIRCUIT_COMPILE_FAILED',
    `the circuit of ${v.manifest} ("validity.circuit") does not compile:\n${message}`,
    cause === undefined ? undefined : { cause },
  );
}
