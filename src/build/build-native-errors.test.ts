/**
 * `modex build` errors of C and Rust apps: a foreign import is refused with the language's hint,
 * compiler and linker diagnostics are BUILD_COMPILE_FAILED, a bad `lang` is BUILD_CONFIG_INVALID,
 * `modex new --lang` refuses an unknown language, and without `lang` the entry's extension picks
 * the language.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { buildError } from './build-error.test-helper.ts';
import { scaffoldApp } from './scaffold.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'modex-native-'));

/** a directory with these files */
function app(files: Record<string, string>): string {
  const dir = join(tmp(), 'app');
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const C_FOREIGN_IMPORT = `#include "modex.h"
__attribute__((import_module("env"), import_name("seed"))) uint32_t seed(void);
static uint8_t on_tx(const modex_tx *tx, const uint8_t *signer) {
  (void)tx;
  (void)signer;
  return (uint8_t)seed();
}
const modex_app MODEX_APP = {.app_id = 0x10, .on_tx = on_tx};
`;

describe('modex build errors of C and Rust apps', () => {
  it('C: an import from outside modex is WASM_UNSUPPORTED_FEATURE, with the C hint', async () => {
    const e = await buildError(app({ 'main.c': C_FOREIGN_IMPORT }));
    expect(e.code).toBe('WASM_UNSUPPORTED_FEATURE');
    expect(e.message).toMatch(/main\.c compiles to wasm the machine does not run: import 0 "env"\."seed"/);
    expect(e.message).toContain('call no libc or std function that needs an operating system');
  });

  it('C: a compile error is BUILD_COMPILE_FAILED with clang diagnostics', async () => {
    const e = await buildError(app({ 'main.c': 'int f(void) { return 1 +; }\n' }));
    expect(e.code).toBe('BUILD_COMPILE_FAILED');
    expect(e.message).toMatch(
      /C compilation of .*main\.c failed:\nmain\.c:1:\d+: error: expected expression/,
    );
  });

  it('C: an app without MODEX_APP fails to link, naming the symbol', async () => {
    const e = await buildError(app({ 'main.c': 'int unused(void) { return 0; }\n' }));
    expect(e.code).toBe('BUILD_COMPILE_FAILED');
    expect(e.message).toContain('undefined symbol: MODEX_APP');
  });

  it('Rust: a compile error is BUILD_COMPILE_FAILED with rustc diagnostics', async () => {
    const e = await buildError(app({ 'main.rs': '#![no_std]\nfn f() -> u8 { "x" }\n' }));
    expect(e.code).toBe('BUILD_COMPILE_FAILED');
    expect(e.message).toContain('Rust compilation of');
    expect(e.message).toContain('error[E0308]: mismatched types');
  });

  it('an unknown "lang" is BUILD_CONFIG_INVALID; the entry extension picks the language', async () => {
    const bad = app({ 'modex.app.json': JSON.stringify({ lang: 'go' }), 'main.go': '' });
    const e = await buildError(bad);
    expect(e.code).toBe('BUILD_CONFIG_INVALID');
    expect(e.message).toContain('"lang" must be one of "as", "c", "rust"');
    // no lang, entry src/app.c: built as C (a C compile error, not an AssemblyScript one)
    const dir = app({ 'modex.app.json': JSON.stringify({ entry: 'app.c' }), 'app.c': 'int x = ;\n' });
    const c = await buildError(dir);
    expect(c.message).toContain('C compilation of');
  });

  it('modex new --lang refuses an unknown language (NEW_BAD_LANG)', async () => {
    const parent = tmp();
    const r = await runCli(['new', 'x', '--lang', 'go', '--dir', parent]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[NEW_BAD_LANG\]: language "go": use one of as, c, rust/);
    expect(() => scaffoldApp('y', parent, 'cobol' as 'c')).toThrow(/use one of as, c, rust/);
  });
});
