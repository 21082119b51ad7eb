/**
 * ztoken as an app that ships its circuit (docs/validity.md §8), slow: its sources (the wasm STF,
 * the circuit `ztoken_2.circom` with `ztoken.circom`, ZTokenBinding.sol) are copied into a temporary
 * app whose prover module re-exports ztoken's `validityApp` factory. `modex build` compiles the
 * copied circuit (48,800 constraints, as modex's own; the first run compiles it, ≈ 1–2 min on the
 * loaded 2-core machine, then the zk cache holds it by content hash) and finds its keys (the same
 * r1cs, so the cached dev keys of ztoken_2); `modex config check` accepts proof.module "validity"
 * for the built wasm as `vm.stf`; `validityAppFor(vm)` loads it, its setup uses the copied circuit,
 * and its deployL1 deploys the binding compiled from the app's copy, whose code on anvil is the code
 * of modex's ZTokenBinding deployed with the same arguments.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validityAppFor } from '../apps/validity-apps.ts';
import { ztokenCircuit } from '../apps/ztoken/circuit.ts';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { type L1, startAnvil } from '../l1/anvil.ts';
import { getArtifact } from '../l1/contracts.ts';
import { deploy } from '../l1/deploy.ts';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { compileAppCircuit } from './validity-circuit.ts';
import { readAppValidity } from './validity-manifest.ts';

const dir = join(mkdtempSync(join(tmpdir(), 'modex-zapp-')), 'ztoken-copy');
const CHAIN_ID = 412351n;

/** re-exports ztoken's factory: from the sources under tsx, else from the compiled dist/ */
const PROVER = `
const src = ${JSON.stringify(pathToFileURL(join(PACKAGE_ROOT, 'src/apps/ztoken/validity.ts')).href)};
const dist = ${JSON.stringify(pathToFileURL(join(PACKAGE_ROOT, 'dist/src/apps/ztoken/validity.js')).href)};
let m;
try { m = await import(src); } catch { m = await import(dist); }
export const validityApp = m.validityApp;
`;

function copyZtoken(): void {
  const guest = join(PACKAGE_ROOT, 'guest/apps/ztoken');
  mkdirSync(dir, { recursive: true });
  for (const f of ['main.ts', 'tree.ts', 'empty-roots.ts'])
    writeFileSync(
      join(dir, f),
      readFileSync(join(guest, f), 'utf8').replaceAll('"../../sdk/', '"modex/sdk/'),
    );
  cpSync(join(guest, 'circuit'), join(dir, 'circuit'), { recursive: true });
  mkdirSync(join(dir, 'contracts/validity'), { recursive: true });
  cpSync(
    join(PACKAGE_ROOT, 'contracts/validity/ZTokenBinding.sol'),
    join(dir, 'contracts/validity/ZTokenBinding.sol'),
  );
  mkdirSync(join(dir, 'validity'));
  writeFileSync(join(dir, 'validity/prover.mjs'), PROVER);
  writeFileSync(
    join(dir, 'modex.app.json'),
    JSON.stringify({
      name: 'ztoken-copy',
      entry: 'main.ts',
      validity: {
        circuit: 'circuit/ztoken_2.circom',
        prover: 'validity/prover.mjs',
        binding: 'contracts/validity/ZTokenBinding.sol',
      },
    }),
  );
  writeFileSync(
    join(dir, 'modex.config.json'),
    JSON.stringify({
      chain: { name: 'ztoken-copy', chainId: Number(CHAIN_ID) },
      vm: { module: 'wasm', stf: 'build/app.wasm' },
      proof: { module: 'validity', challengePeriodSeconds: 60, bond: '1000000000000000000' },
      da: { module: 'l1-calldata' },
      settlement: { module: 'ethereum', rpcUrl: 'embedded' },
    }),
  );
}

describe('ztoken copied into an app that ships its circuit (slow)', () => {
  let l1: L1;
  let constraints = 0;
  let r1cs = '';

  beforeAll(async () => {
    copyZtoken();
    // modex's own ztoken circuit (cached): the reference the copy's report is checked against
    const own = await ztokenCircuit(2);
    constraints = own.constraints;
    r1cs = own.r1cs;
    l1 = await startAnvil();
  }, 600_000);
  afterAll(async () => {
    await l1?.stop();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('modex build compiles the copied circuit, finds its keys, compiles ZTokenBinding and checks the prover', async () => {
    const r = await runCli(['build', dir, '--json']).done;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.appAbiMissing).toEqual([]);
    expect(out.validity).toMatchObject({
      constraints,
      publicSignals: 15,
      insecure: true,
      binding: 'ZTokenBinding',
      prover: join(dir, 'validity/prover.mjs'),
    });
    expect(constraints).toBe(48_800);
    // the copy compiles to the same r1cs byte for byte, so it shares ztoken_2's cached keys
    const copy = await compileAppCircuit(readAppValidity(dir)!);
    expect(copy.cached).toBe(true);
    expect(copy.r1cs).not.toBe(r1cs);
    expect(readFileSync(copy.r1cs).equals(readFileSync(r1cs))).toBe(true);
  }, 900_000);

  it('modex config check accepts proof.module "validity" for the built wasm (vm.stf)', async () => {
    const r = await runCli(['config', 'check', join(dir, 'modex.config.json')]).done;
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }, 120_000);

  it("validityAppFor(vm) loads ztoken's ValidityApp with the app's circuit and binding", async () => {
    const app = await validityAppFor({ stf: 'build/app.wasm' }, { baseDir: dir });
    expect(app?.name).toBe('ztoken');
    const lines: string[] = [];
    const keys = await app!.setup({ log: (l) => lines.push(l) });
    expect(keys).toMatchObject({ chunkSize: 2, constraints, insecure: true, cached: true });
    // the circuit compiled is the app's copy (modex names it by the app's path), not guest/apps/ztoken's
    expect(lines.join('\n')).toContain(`${relative(process.cwd(), dir)}/circuit/ztoken_2.circom`);
    expect(lines.join('\n')).not.toContain('guest/apps/ztoken');

    const a = await app!.deployL1(l1, { chainId: CHAIN_ID });
    const own = await deploy(l1, await getArtifact('ZTokenBinding'), [2n, CHAIN_ID]);
    const code = (address: `0x${string}`) => l1.publicClient.getCode({ address });
    const bindingCode = await code(a.binding);
    expect(bindingCode).toMatch(/^0x[0-9a-f]{1000,}$/);
    expect(bindingCode).toBe(await code(own.address));
    expect(await code(a.groth16)).toMatch(/^0x[0-9a-f]{1000,}$/);
  }, 600_000);
});
