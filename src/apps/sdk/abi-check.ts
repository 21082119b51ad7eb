/**
 * The load-time check of the app ABI (docs/app-abi.md §1): a module is an app when it parses and
 * validates as an STF, exports `main: () -> ()`, `modex_abi_version: () -> i32` returning 1 and the
 * four other entry points `() -> ()`. Refusals are `APP_ABI_MISSING` naming what is missing (parse
 * and validation errors keep their own codes). Used by `modex config check`, `modex build` and the
 * built-in apps' tests.
 */
import { ModexError } from '../../core/errors.ts';
import type { ValidatedModule } from '../../vm/wasm/module.ts';
import { funcTypeOf, instantiateNative, invokeNative, validateStf } from '../../vm/wasm/native.ts';

/** The app ABI version this check accepts. */
export const ABI_VERSION = 1;

/** The entry points an app exports (docs/app-abi.md §1), with their wasm types. */
export const ABI_ENTRY_POINTS: readonly { name: string; results: number[] }[] = [
  { name: 'main', results: [] },
  { name: 'modex_abi_version', results: [0x7f] },
  { name: 'modex_genesis', results: [] },
  { name: 'modex_admit', results: [] },
  { name: 'modex_query', results: [] },
  { name: 'modex_receipt_names', results: [] },
];

/** The module does not speak the app ABI. Code `APP_ABI_MISSING`. */
export class AppAbiMissingError extends ModexError {
  constructor(
    message: string,
    /** the entry points missing or of the wrong type */
    readonly missing: string[] = [],
  ) {
    super('APP_ABI_MISSING', message);
  }
}

const TYPE_TEXT: Record<string, string> = { '': '() -> ()', '127': '() -> i32' };

/** The ABI entry points `mod` lacks, or exports with another type (`name (want T)`). */
export function missingAbiExports(mod: ValidatedModule): string[] {
  const out: string[] = [];
  for (const e of ABI_ENTRY_POINTS) {
    const exp = mod.exports.find((x) => x.name === e.name);
    if (exp?.kind !== 'func') {
      out.push(e.name);
      continue;
    }
    const t = funcTypeOf(mod, exp.index);
    if (t.params.length > 0 || t.results.join(',') !== e.results.join(',')) {
      out.push(`${e.name} (must be ${TYPE_TEXT[e.results.join(',')]})`);
    }
  }
  return out;
}

/**
 * Runs `modex_abi_version` natively (instantiation, start function included, then the export) with
 * host functions that trap: it needs no input. Returns its value, or undefined when it traps.
 */
export function abiVersionOf(
  bytes: Uint8Array,
  mod: ValidatedModule = validateStf(bytes),
): number | undefined {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of mod.imports) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = () => {
      throw new Error(`modex_abi_version calls the host function ${imp.name}`);
    };
  }
  try {
    const out = invokeNative(instantiateNative(bytes, mod, imports), 'modex_abi_version', []);
    return out.kind === 'ok' ? Number(out.values[0]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks that `bytes` is an app of ABI version 1; `source` names it in errors. Throws parse and
 * validation errors as they are, and `APP_ABI_MISSING` for a module without the ABI.
 */
export function checkAppAbi(bytes: Uint8Array, source: string): ValidatedModule {
  const mod = validateStf(bytes);
  const missing = missingAbiExports(mod);
  if (missing.length > 0) {
    throw new AppAbiMissingError(
      `${source} is not a modex app: it lacks the app ABI export${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
        '(docs/app-abi.md §1; an app built with the modex SDK declares itself with defineApp and re-exports ' +
        'main, modex_abi_version, modex_genesis, modex_admit, modex_query, modex_receipt_names from "modex/sdk/abi")',
      missing,
    );
  }
  const version = abiVersionOf(bytes, mod);
  if (version !== ABI_VERSION) {
    throw new AppAbiMissingError(
      `${source}: modex_abi_version ${version === undefined ? 'traps' : `returns ${version}`}; modex speaks app-abi v${ABI_VERSION}`,
      ['modex_abi_version'],
    );
  }
  return mod;
}
