/**
 * `modex build` errors: floats, asc diagnostics, no main, missing entry; the `modex/…` import path.
 * (Split from build.test.ts so the two files run in parallel.)
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { parseModule } from '../vm/wasm/parse.ts';
import { usesFloats } from '../vm/wasm/softfloat/lower-floats.ts';
import { buildApp, GUEST_DIR } from './build.ts';
import { buildError } from './build-error.test-helper.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'modex-build-'));

/** An app dir holding only `main.ts` with `source`. */
function app(source: string): string {
  const dir = join(tmp(), 'app');
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.ts'), source);
  return dir;
}

const HOST = `
@external("modex", "get_global_u64") declare function get_global_u64(index: i32): u64;
@external("modex", "set_global_u64") declare function set_global_u64(index: i32, value: u64): void;
`;

describe('modex build errors', () => {
  it('a float is not refused: it is lowered to integer code (docs/softfloat.md)', async () => {
    const dir = app(`${HOST}
export function main(): void {
  const x = <f64>get_global_u64(0);
  set_global_u64(1, <u64>(x * 1.5));
}
`);
    const b = await buildApp(dir);
    expect(usesFloats(parseModule(b.bytes))).toBe(false);
  });

  it('an AssemblyScript syntax error shows asc diagnostics', async () => {
    const e = await buildError(app('export function main(): void {\n  let x = 1 +;\n}\n'));
    expect(e.code).toBe('BUILD_COMPILE_FAILED');
    expect(e.message).toContain('TS1109: Expression expected');
    expect(e.message).toContain('main.ts(2,');
  });

  it('a missing main export is refused', async () => {
    const e = await buildError(app('export function run(): void {}\n'));
    expect(e.code).toBe('BUILD_NO_MAIN');
    expect(e.message).toContain('no exported function "main"');
  });

  it('a missing entry file is a clear error (also through modex.app.json and the CLI)', async () => {
    const dir = join(tmp(), 'empty');
    mkdirSync(dir);
    let e = await buildError(dir);
    expect(e.code).toBe('BUILD_ENTRY_MISSING');
    expect(e.message).toContain(`entry file ${join(dir, 'main.ts')} not found`);
    writeFileSync(join(dir, 'modex.app.json'), JSON.stringify({ entry: 'src/stf.ts' }));
    e = await buildError(dir);
    expect(e.message).toContain(`entry file ${join(dir, 'src', 'stf.ts')} not found (the "entry" of`);
    const r = await runCli(['build', join(dir, 'nope')]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[BUILD_ENTRY_MISSING\]: app directory .*nope does not exist/);
  });

  it("the entry of modex.app.json is compiled, and modex/sdk/… resolves to the package's guest/sdk/", async () => {
    const dir = app('');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'modex.app.json'), JSON.stringify({ entry: 'src/stf.ts' }));
    writeFileSync(
      join(dir, 'src', 'stf.ts'),
      'import { get_global_u64, set_global_u64 } from "modex/sdk/host";\n' +
        'export function main(): void { set_global_u64(0, get_global_u64(0) + 1); }\n',
    );
    const r = await buildApp(dir);
    expect(r.moduleRoot).toMatch(/^0x[0-9a-f]{64}$/);
    expect(r.output).toBe(join(dir, 'build', 'app.wasm'));
    // the manifest records the SDK file, so editing the SDK triggers a rebuild
    const manifest = JSON.parse(readFileSync(join(dir, 'build', 'app.build.json'), 'utf8'));
    expect(Object.keys(manifest.inputs)).toContain(join(GUEST_DIR, 'sdk', 'host.ts'));
  });
});
