/** `modex build [DIR]` and `modex test [DIR]`: compile an app's AssemblyScript, C or Rust STF, run its test vectors (docs/build.md). */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { BuildResult } from '../../build/build.ts';
import { ModexError } from '../../core/errors.ts';
import { runAction } from '../action.ts';

export function register(program: Command): void {
  program
    .command('build')
    .description(
      'compile an app (DIR/main.ts, main.c or main.rs, or the "entry" of DIR/modex.app.json) to ' +
        'DIR/build/app.wasm with AssemblyScript, clang + wasm-ld (C) or rustc (Rust), check it with the ' +
        'machine validator and print its module root',
    )
    .argument('[dir]', 'app directory', '.')
    .option(
      '--json',
      'print { moduleRoot, wasmBytes, codeLength, output, appAbiMissing } (and validity, for an app with a circuit) as JSON',
      false,
    )
    .option('--force', 'recompile even if no source changed', false)
    .option(
      '--ptau <file>',
      'an app with a validity circuit: derive its keys from this ceremony file (default: INSECURE development keys)',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ npx modex build my-app\n\n' +
        'Prints the module root (the STF id on L1), the wasm size and the machine code size. Floats, ' +
        'imports other than the modex host functions and a missing `export function main(): void` are errors.\n\n' +
        'The language is the "lang" of modex.app.json (as, c, rust), else the entry\'s extension. C needs ' +
        "Debian's clang and lld (apt-get install clang lld), Rust Debian's rustc with the wasm32 standard " +
        'library (apt-get install rustc libstd-rust-dev-wasm32 lld; RUSTC overrides /usr/bin/rustc); ' +
        'without them the error BUILD_TOOLCHAIN_MISSING says what to install (docs/build.md).\n\n' +
        'An app whose modex.app.json has a "validity" section { "circuit", "prover", "include"?, "binding"? } ' +
        'also gets its circuit compiled, its Groth16 keys prepared (INSECURE development keys unless --ptau; ' +
        'both cached in node_modules/.cache/modex-zk), its binding compiled and its prover module checked: ' +
        'a chain running it (vm.stf) may use proof.module "validity" (docs/validity.md §8).',
    )
    .action(runAction(build));

  program
    .command('test')
    .description(
      'build an app, then run its test vectors (DIR/test-vectors.json) natively and in the step ' +
        'interpreter; fail if they differ or the final state root is not the expected one',
    )
    .argument('[dir]', 'app directory', '.')
    .option('--force', 'recompile even if no source changed', false)
    .addHelpText(
      'after',
      '\nExample:\n  $ npx modex test my-app\n\nPrints one line per vector. Exits with code 1 if any failed.',
    )
    .action(runAction(test));
}

const kib = (n: number): string => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

function summary(r: BuildResult): string {
  return [
    `module root  ${r.moduleRoot}`,
    `wasm         ${kib(r.wasmBytes)} (${r.wasmBytes} bytes) → ${relative(process.cwd(), r.output) || r.output}`,
    `machine code ${r.codeLength} instructions`,
    `time         ${Math.round(r.ms)} ms${r.cached ? ' (sources unchanged, not recompiled)' : ''}`,
    r.appAbiMissing.length === 0
      ? 'app ABI      v1 (usable as vm.stf)'
      : `app ABI      missing ${r.appAbiMissing.join(', ')}: not an app, \`npx modex config check\` refuses it as vm.stf (docs/app-abi.md)`,
    ...(r.validity ? validityLines(r.validity) : []),
  ].join('\n');
}

function validityLines(v: NonNullable<BuildResult['validity']>): string[] {
  return [
    `circuit      ${relative(process.cwd(), v.circuit) || v.circuit}: ${v.constraints.toLocaleString('en-US')} constraints, ${v.publicSignals} public signals${v.circuitCached ? ' (cached)' : ''}`,
    `keys         ${v.insecure ? 'INSECURE development keys (anyone can forge proofs: devnets and tests only)' : 'from the ceremony file'}, 2^${v.power}${v.keysCached ? ' (cached)' : `, made in ${(v.setupMs / 1000).toFixed(1)} s`}`,
    `binding      ${v.binding ?? "none named (the prover's ValidityApp deploys its own)"}`,
    `prover       ${relative(process.cwd(), v.prover) || v.prover} (validity mode: proof.module "validity", docs/validity.md §8)`,
  ];
}

async function build(dir: string, opts: { json: boolean; force: boolean; ptau?: string }): Promise<void> {
  // loaded when the command runs, so `modex --help` and other commands start fast
  const { buildApp } = await import('../../build/build.ts');
  const r = await buildApp(dir, {
    force: opts.force,
    ptau: opts.ptau === undefined ? undefined : resolve(opts.ptau),
    log: opts.json ? undefined : (l) => console.error(l),
  });
  if (opts.json) {
    const { moduleRoot, wasmBytes, codeLength, output, appAbiMissing, validity } = r;
    console.log(JSON.stringify({ moduleRoot, wasmBytes, codeLength, output, appAbiMissing, validity }));
  } else {
    console.log(summary(r));
  }
}

async function test(dir: string, opts: { force: boolean }): Promise<void> {
  const { buildApp } = await import('../../build/build.ts');
  const { runVectors, vectorsPath } = await import('../../build/vectors.ts');
  // the vectors test the STF; the validity side is `modex build`'s
  const r = await buildApp(dir, { force: opts.force, validity: false, log: (l) => console.error(l) });
  console.log(`module root ${r.moduleRoot}`);
  const file = vectorsPath(dir);
  const results = runVectors(r.bytes, r.program, file);
  for (const v of results) {
    console.log(`${v.ok ? 'PASS' : 'FAIL'} ${v.name} (${v.steps} steps)${v.ok ? '' : `\n  ${v.problem}`}`);
  }
  const failed = results.filter((v) => !v.ok).length;
  if (failed > 0) {
    throw new ModexError(
      'TEST_FAILED',
      `${failed} of ${results.length} test vector(s) failed in ${relative(process.cwd(), file) || file}`,
    );
  }
  console.log(`${results.length} vector(s) passed, native and interpreter agree`);
}
