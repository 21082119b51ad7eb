/** The app ABI check (abi-check.ts): apps pass, a plain STF is refused with APP_ABI_MISSING naming the exports. */
import { describe, expect, it } from 'vitest';
import { validateStf } from '../../vm/wasm/native.ts';
import { AppAbiMissingError, abiVersionOf, checkAppAbi, missingAbiExports } from './abi-check.ts';
import { builtinAppBytes } from './builtin-apps.ts';
import { compileGuest } from './run-app.ts';

describe('app ABI check', () => {
  it('the built-in apps pass: version 1, every export', () => {
    for (const name of ['token', 'kv'] as const) {
      const bytes = builtinAppBytes(name);
      expect(missingAbiExports(checkAppAbi(bytes, name))).toEqual([]);
      expect(abiVersionOf(bytes)).toBe(1);
    }
  });

  it('a module without the ABI exports is refused with APP_ABI_MISSING naming them', () => {
    const bytes = compileGuest('test-modules/fib.ts');
    expect(missingAbiExports(validateStf(bytes))).toEqual([
      'modex_abi_version',
      'modex_genesis',
      'modex_admit',
      'modex_query',
      'modex_receipt_names',
    ]);
    let err: unknown;
    try {
      checkAppAbi(bytes, 'fib.wasm');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppAbiMissingError);
    expect((err as AppAbiMissingError).code).toBe('APP_ABI_MISSING');
    expect((err as Error).message).toMatch(
      /fib\.wasm .*modex_abi_version, modex_genesis, modex_admit, modex_query, modex_receipt_names/,
    );
  });
});
