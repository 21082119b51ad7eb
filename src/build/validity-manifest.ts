/**
 * The `validity` section of an app's `modex.app.json` (docs/validity.md §8, docs/build.md
 * "Validity circuits"): the app ships a circom circuit, a prover module exporting a `ValidityApp`
 * factory and, optionally, its L1 binding's Solidity. Light on purpose (fs and path only): the
 * config rules read it to gate `proof.module: "validity"` for a `vm.stf` app.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ModexError } from '../core/errors.ts';

export const APP_MANIFEST_FILE = 'modex.app.json';
/** the prover module's export: `(ctx: ValidityContext) => ValidityApp | Promise<ValidityApp>` */
export const VALIDITY_FACTORY_EXPORT = 'validityApp';

/** The `validity` section as written (paths relative to the app directory). */
export interface ValiditySection {
  /** the circom main component's file */
  circuit: string;
  /** include directories besides modex's node_modules (circomlib), like circom's `-l` */
  include?: string[];
  /** a JS/TS module exporting `validityApp` (VALIDITY_FACTORY_EXPORT) */
  prover: string;
  /** the L1 binding's Solidity (contract named like the file), compiled by `modex build` */
  binding?: string;
}

/** The section with absolute paths. */
export interface AppValidity {
  appDir: string;
  manifest: string;
  circuit: string;
  include: string[];
  prover: string;
  binding?: string;
}

/** An app's validity section is missing, malformed, or names files that are missing or broken. */
export class AppValidityError extends ModexError {}

function fail(code: string, message: string, cause?: unknown): never {
  throw new AppValidityError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * The validity section of `appDir/modex.app.json`, paths resolved; undefined when the file or the
 * section is absent. Throws BUILD_CONFIG_INVALID for a malformed one (it does not check that the
 * files exist: `checkValidityFiles` does).
 */
export function readAppValidity(appDir: string): AppValidity | undefined {
  const manifest = join(appDir, APP_MANIFEST_FILE);
  if (!existsSync(manifest)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (e) {
    fail('BUILD_CONFIG_INVALID', `${manifest} is not valid JSON: ${(e as Error).message}`);
  }
  const v = (raw as Record<string, unknown> | null)?.validity;
  if (v === undefined) return undefined;
  const where = `${manifest}: "validity"`;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(
      'BUILD_CONFIG_INVALID',
      `${where} must be an object { "circuit", "prover", "include"?, "binding"? }`,
    );
  const s = v as Record<string, unknown>;
  for (const k of Object.keys(s))
    if (!['circuit', 'prover', 'include', 'binding'].includes(k))
      fail('BUILD_CONFIG_INVALID', `${where}: unknown key "${k}" (known: circuit, prover, include, binding)`);
  const str = (k: string, required: boolean): string | undefined => {
    const x = s[k];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || x === '')
      fail('BUILD_CONFIG_INVALID', `${where}.${k} must be a non-empty path relative to ${appDir}`);
    return x;
  };
  const circuit = str('circuit', true) as string;
  const prover = str('prover', true) as string;
  const binding = str('binding', false);
  if (!circuit.endsWith('.circom'))
    fail('BUILD_CONFIG_INVALID', `${where}.circuit must name a .circom file (got "${circuit}")`);
  if (binding !== undefined && !binding.endsWith('.sol'))
    fail('BUILD_CONFIG_INVALID', `${where}.binding must name a .sol file (got "${binding}")`);
  const include = s.include ?? [];
  if (!Array.isArray(include) || include.some((i) => typeof i !== 'string' || i === ''))
    fail('BUILD_CONFIG_INVALID', `${where}.include must be a list of directories relative to ${appDir}`);
  return {
    appDir: resolve(appDir),
    manifest,
    circuit: resolve(appDir, circuit),
    include: (include as string[]).map((i) => resolve(appDir, i)),
    prover: resolve(appDir, prover),
    binding: binding === undefined ? undefined : resolve(appDir, binding),
  };
}

/** Throws a typed error for the first file of the section that is missing. */
export function checkValidityFiles(v: AppValidity): void {
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  if (!isFile(v.circuit))
    fail(
      'VALIDITY_CIRCUIT_MISSING',
      `circuit ${v.circuit} not found ("validity.circuit" of ${v.manifest}): create it or fix the path`,
    );
  for (const d of v.include)
    if (!existsSync(d) || !statSync(d).isDirectory())
      fail(
        'VALIDITY_CIRCUIT_MISSING',
        `include directory ${d} not found ("validity.include" of ${v.manifest})`,
      );
  if (!isFile(v.prover))
    fail(
      'VALIDITY_PROVER_MISSING',
      `prover module ${v.prover} not found ("validity.prover" of ${v.manifest}): it must export ${VALIDITY_FACTORY_EXPORT}(ctx), a ValidityApp factory`,
    );
  if (v.binding !== undefined && !isFile(v.binding))
    fail('VALIDITY_BINDING_MISSING', `binding ${v.binding} not found ("validity.binding" of ${v.manifest})`);
}

/**
 * The app directory of a built wasm: the directory holding `modex.app.json` next to the wasm, or
 * above its `build/` directory (`modex build` writes `DIR/build/app.wasm`, docs/build.md).
 */
export function appDirOfWasm(wasm: string): string | undefined {
  const dir = dirname(resolve(wasm));
  if (existsSync(join(dir, APP_MANIFEST_FILE))) return dir;
  if (basename(dir) === 'build' && existsSync(join(dirname(dir), APP_MANIFEST_FILE))) return dirname(dir);
  return undefined;
}

/** The validity section of the app a `vm.stf` wasm was built from (undefined: none). */
export function validityOfWasm(wasm: string): AppValidity | undefined {
  const dir = appDirOfWasm(wasm);
  return dir === undefined ? undefined : readAppValidity(dir);
}
