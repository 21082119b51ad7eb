/**
 * An app that ships its circuit (docs/validity.md §8) with a small circuit: `modex build` compiles
 * the circuit staged from the app (a relative include), makes its INSECURE keys, compiles the
 * binding (importing modex's contracts) and checks the prover module; `modex config check` accepts
 * `proof.module: "validity"` for the built wasm and refuses it for an app without the section;
 * `validityAppFor(vm)` loads the app's ValidityApp, whose context holds the app's own circuit (a
 * proof with the build's keys verifies). Every error of the section, build and loading is typed.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasValidityCircuit, validityAppFor, whyNoValidityCircuit } from '../apps/validity-apps.ts';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { ModexError } from '../core/errors.ts';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { getCurve } from '../zk/curve.ts';
import { compileCircuit, devSetup, prove, verify } from '../zk/index.ts';
import { buildApp } from './build.ts';
import { scaffoldApp } from './scaffold.ts';
import { appValidityApp, buildAppValidity } from './validity-app.ts';
import { appDirOfWasm, readAppValidity } from './validity-manifest.ts';

const parent = mkdtempSync(join(tmpdir(), 'modex-validity-app-'));

const PREIMAGE = readFileSync(join(PACKAGE_ROOT, 'test/zk/poseidon-preimage.circom'), 'utf8');
/** the test circuit split in two: main.circom includes lib/preimage.circom (a relative include) */
const LIB = PREIMAGE.replace(/component main[^\n]*\n/, '');
const MAIN = `pragma circom 2.1.0;\ninclude "lib/preimage.circom";\ncomponent main {public [nonce]} = PoseidonPreimage();\n`;

/** A ValidityApp fixture: setup reads the circuit and binding modex compiled (deployL1 and prove are not exercised here). */
const PROVER = `
export function validityApp(ctx) {
  let circuit, binding;
  return {
    name: 'probe',
    ctx,
    async setup({ log }) {
      circuit = await ctx.circuit({ log });
      binding = await ctx.binding({ log });
      return { chunkSize: 1, constraints: circuit.constraints, insecure: true, setupMs: 0, cached: true };
    },
    get compiled() { return { circuit, binding }; },
    async deployL1() { throw new Error('not part of this test'); },
    async prove() { throw new Error('not part of this test'); },
  };
}
`;

const BINDING = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;
import {IValidityBinding} from "./IValidityBinding.sol";
contract Probe {
    function id() external pure returns (bytes4) { return type(IValidityBinding).interfaceId; }
}
`;

const SECTION = {
  circuit: 'circuit/main.circom',
  prover: 'validity/prover.mjs',
  binding: 'contracts/validity/Probe.sol',
};

/** Writes the validity files into `dir` and sets the manifest's section (`section` overrides). */
function addValidity(dir: string, section: Record<string, unknown> = SECTION): void {
  mkdirSync(join(dir, 'circuit', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'circuit', 'main.circom'), MAIN);
  writeFileSync(join(dir, 'circuit', 'lib', 'preimage.circom'), LIB);
  mkdirSync(join(dir, 'validity'), { recursive: true });
  writeFileSync(join(dir, 'validity', 'prover.mjs'), PROVER);
  mkdirSync(join(dir, 'contracts', 'validity'), { recursive: true });
  writeFileSync(join(dir, 'contracts', 'validity', 'Probe.sol'), BINDING);
  const file = join(dir, 'modex.app.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...m, validity: section }, null, 2));
}

function chainConfig(dir: string, proof: Record<string, unknown>): string {
  const file = join(dir, 'validity.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      chain: { name: 'zapp', chainId: 412350 },
      vm: { module: 'wasm', stf: 'build/app.wasm' },
      proof,
      da: { module: 'l1-calldata' },
      settlement: { module: 'ethereum', rpcUrl: 'embedded' },
    }),
  );
  return file;
}

/** the error a promise rejects with, or a function throws */
async function errorOf(f: () => unknown): Promise<ModexError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModexError);
    return e as ModexError;
  }
  throw new Error('expected an error');
}

describe('an app that ships its circuit: modex build, config check, validityAppFor', () => {
  const dir = scaffoldApp('zapp', parent).dir;
  const plain = scaffoldApp('plain', parent).dir;
  let constraints = 0;

  beforeAll(async () => {
    addValidity(dir);
    // the same circuit compiled directly: the reference the build's report is checked against
    constraints = (await compileCircuit('test/zk/poseidon-preimage.circom')).constraints;
  });

  it('modex build compiles the circuit, makes INSECURE keys, compiles the binding and checks the prover', async () => {
    const r = await runCli(['build', dir]).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('has a "validity" section');
    expect(r.stderr).toMatch(/circuit .*circuit\/main\.circom/);
    expect(r.stdout).toContain(`${constraints.toLocaleString('en-US')} constraints, 2 public signals`);
    expect(r.stdout).toMatch(/keys {9}INSECURE development keys/);
    expect(r.stdout).toMatch(/binding {6}Probe/);
    expect(r.stdout).toMatch(/prover {7}.*validity\/prover\.mjs/);

    const j = await runCli(['build', dir, '--json']).done;
    expect(j.code, j.stderr).toBe(0);
    const v = JSON.parse(j.stdout).validity;
    expect(v).toMatchObject({
      constraints,
      publicSignals: 2,
      insecure: true,
      circuitCached: true,
      keysCached: true,
      binding: 'Probe',
    });
    const artifact = JSON.parse(readFileSync(join(dir, 'build', 'validity', 'Probe.json'), 'utf8')).artifact;
    expect(artifact.bytecode).toMatch(/^0x[0-9a-f]{100,}$/);
  }, 300_000);

  it('modex config check accepts proof.module "validity" for the built wasm, and refuses an app without the section', async () => {
    const ok = await runCli(['config', 'check', chainConfig(dir, { module: 'validity' })]).done;
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    const hybrid = chainConfig(dir, { module: 'fraud', disputes: 'validity', challengePeriodSeconds: 60 });
    expect((await runCli(['config', 'check', hybrid]).done).code).toBe(0);

    await buildApp(plain, { log: () => {} });
    const bad = await runCli(['config', 'check', chainConfig(plain, { module: 'validity' })]).done;
    expect(bad.code).not.toBe(0);
    expect(bad.stderr + bad.stdout).toContain('vm.stf');
    expect(bad.stderr + bad.stdout).toMatch(/modex\.app\.json .*needs a "validity" section/);
    expect(hasValidityCircuit({ stf: 'build/app.wasm' }, plain)).toBe(false);
    expect(hasValidityCircuit({ stf: 'build/app.wasm' }, dir)).toBe(true);
    expect(whyNoValidityCircuit({ app: 'token' })).toMatch(/"token" ships no validity circuit/);
    expect(hasValidityCircuit({ app: 'ztoken' })).toBe(true);
  }, 120_000);

  it("validityAppFor(vm) loads the app's ValidityApp; its context holds the app's circuit and binding", async () => {
    expect(appDirOfWasm(join(dir, 'build', 'app.wasm'))).toBe(dir);
    expect(await validityAppFor({ stf: join(plain, 'build', 'app.wasm') })).toBeUndefined();
    expect(await validityAppFor('token')).toBeUndefined();
    const app = await validityAppFor({ stf: 'build/app.wasm' }, { baseDir: dir });
    expect(app?.name).toBe('probe');
    const keys = await app!.setup({});
    expect(keys.constraints).toBe(constraints);
    const { circuit, binding } = (
      app as unknown as {
        compiled: { circuit: { r1cs: string; wasm: string }; binding: { contractName: string } };
      }
    ).compiled;
    expect(binding.contractName).toBe('Probe');
    // a proof with the circuit the context gives and the keys modex build made verifies
    const k = await devSetup(circuit.r1cs);
    expect(k.cached).toBe(true);
    const p = await prove(circuit.wasm, k.zkey, { x: 3, y: 4, nonce: 5 });
    expect(await verify(k.vkey, p.publicSignals, p.proof)).toBe(true);
    expect(await verify(k.vkey, [p.publicSignals[0], '6'], p.proof)).toBe(false);
  });

  it('--ptau: keys from a ceremony file instead of the INSECURE ones', async () => {
    // a stand-in for a ceremony's file (as src/zk/ptau-setup.test.ts): new, a beacon, prepare phase2
    const { powersOfTau } = await import('snarkjs');
    const curve = await getCurve();
    const p = (i: number) => join(parent, `p7-${i}.ptau`);
    await powersOfTau.newAccumulator(curve, 7, p(0));
    await powersOfTau.beacon(p(0), p(1), 'test', '07'.repeat(16), 10);
    await powersOfTau.preparePhase2(p(1), p(2));
    // the 65-constraint multiplier chain fits 2^7
    const d = join(parent, 'ceremony');
    mkdirSync(join(d, 'circuit'), { recursive: true });
    cpSync(join(PACKAGE_ROOT, 'test/zk/multiplier-chain.circom'), join(d, 'circuit', 'main.circom'));
    writeFileSync(join(d, 'modex.app.json'), JSON.stringify({ name: 'ceremony' }));
    addValidity(d, { circuit: 'circuit/main.circom', prover: 'validity/prover.mjs' });
    cpSync(join(PACKAGE_ROOT, 'test/zk/multiplier-chain.circom'), join(d, 'circuit', 'main.circom'));
    const r = await buildAppValidity(readAppValidity(d)!, { ptau: p(2), log: () => {} });
    expect(r).toMatchObject({ insecure: false, power: 7, binding: undefined });
    expect(r.zkey).toMatch(/ceremony-main-[0-9a-f]+\.zkey$/);
    const dev = await buildAppValidity(readAppValidity(d)!, { log: () => {} });
    expect(dev.insecure).toBe(true);
    expect(dev.zkey).not.toBe(r.zkey);
    // the CLI passes --ptau through (a missing file is refused by the key setup, naming it)
    const cli = await runCli(['build', dir, '--ptau', join(parent, 'none.ptau')]).done;
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/ZK_BAD_INPUT.*none\.ptau does not exist/);
  }, 300_000);

  describe('errors', () => {
    let n = 0;
    /** an app dir with a manifest only (buildAppValidity needs no wasm) */
    const app = (section: Record<string, unknown>, edit?: (d: string) => void) => {
      const d = join(parent, `bad-${n++}`);
      mkdirSync(d);
      writeFileSync(join(d, 'modex.app.json'), JSON.stringify({ name: 'bad' }));
      addValidity(d, section);
      edit?.(d);
      return d;
    };
    const build = (d: string) => buildAppValidity(readAppValidity(d)!, { log: () => {} });

    it('a malformed section: BUILD_CONFIG_INVALID naming the key', async () => {
      for (const [section, what] of [
        [{ prover: 'validity/prover.mjs' }, /"validity"\.circuit must be/],
        [{ circuit: 'circuit/main.circom' }, /"validity"\.prover must be/],
        [{ ...SECTION, circuit: 'circuit/main.txt' }, /must name a \.circom file/],
        [{ ...SECTION, include: 'lib' }, /\.include must be a list/],
        [{ ...SECTION, extra: 1 }, /unknown key "extra"/],
      ] as const) {
        const e = await errorOf(() => readAppValidity(app(section)));
        expect(e.code).toBe('BUILD_CONFIG_INVALID');
        expect(e.message).toMatch(what);
      }
    });

    it('the circuit missing: VALIDITY_CIRCUIT_MISSING (also from modex build, before compiling)', async () => {
      const d = app({ ...SECTION, circuit: 'circuit/none.circom' });
      const e = await errorOf(() => build(d));
      expect(e.code).toBe('VALIDITY_CIRCUIT_MISSING');
      expect(e.message).toContain('"validity.circuit"');
      const scaffolded = scaffoldApp('nocircuit', parent).dir;
      addValidity(scaffolded, { ...SECTION, circuit: 'circuit/none.circom' });
      const r = await runCli(['build', scaffolded]).done;
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('VALIDITY_CIRCUIT_MISSING');
      expect(r.stderr).not.toContain('compiling');
    });

    it("circom refuses the circuit: VALIDITY_CIRCUIT_COMPILE_FAILED with circom's message on the app's file", async () => {
      const d = app(SECTION, (x) =>
        cpSync(join(PACKAGE_ROOT, 'test/zk/bad-syntax.circom'), join(x, 'circuit', 'main.circom')),
      );
      const e = await errorOf(() => build(d));
      expect(e.code).toBe('VALIDITY_CIRCUIT_COMPILE_FAILED');
      expect(e.message).toMatch(/error|Parse/i);
      expect(e.message).toContain(join(d, 'circuit', 'main.circom'));
      const inc = app(SECTION, (x) =>
        writeFileSync(join(x, 'circuit', 'main.circom'), 'include "lib/none.circom";\n'),
      );
      const e2 = await errorOf(() => build(inc));
      expect(e2.code).toBe('VALIDITY_CIRCUIT_COMPILE_FAILED');
      expect(e2.message).toContain('include "lib/none.circom" not found');
      const out = app(SECTION, (x) =>
        writeFileSync(
          join(x, 'circuit', 'main.circom'),
          `include "${join(PACKAGE_ROOT, 'test/zk/poseidon-preimage.circom')}";\n`,
        ),
      );
      expect((await errorOf(() => build(out))).message).toMatch(/outside the app directory/);
    });

    it('the prover missing, not loading, or not exporting the factory: VALIDITY_PROVER_MISSING / _INVALID', async () => {
      const missing = await errorOf(() => build(app({ ...SECTION, prover: 'validity/none.mjs' })));
      expect(missing.code).toBe('VALIDITY_PROVER_MISSING');
      expect(missing.message).toContain('must export validityApp(ctx)');
      const noExport = app(SECTION, (d) =>
        writeFileSync(join(d, 'validity', 'prover.mjs'), 'export function other() {}\n'),
      );
      const e = await errorOf(() => build(noExport));
      expect(e.code).toBe('VALIDITY_PROVER_INVALID');
      expect(e.message).toMatch(/must export validityApp\(ctx\).*its exports: other/);
      const broken = app(SECTION, (d) =>
        writeFileSync(join(d, 'validity', 'prover.mjs'), 'throw new Error("boom at load");\n'),
      );
      const b = await errorOf(() => build(broken));
      expect(b.code).toBe('VALIDITY_PROVER_INVALID');
      expect(b.message).toMatch(/does not load: boom at load/);
      const notApp = app(SECTION, (d) =>
        writeFileSync(
          join(d, 'validity', 'prover.mjs'),
          'export const validityApp = () => ({ name: "x" });\n',
        ),
      );
      const na = await errorOf(() => appValidityApp(readAppValidity(notApp)!));
      expect(na.code).toBe('VALIDITY_PROVER_INVALID');
      expect(na.message).toMatch(/returned no ValidityApp \(it lacks setup\(\)/);
    });

    it('the binding missing or refused by solc: VALIDITY_BINDING_MISSING / _COMPILE_FAILED', async () => {
      const missing = await errorOf(() => build(app({ ...SECTION, binding: 'contracts/None.sol' })));
      expect(missing.code).toBe('VALIDITY_BINDING_MISSING');
      const bad = app(SECTION, (d) =>
        writeFileSync(
          join(d, 'contracts', 'validity', 'Probe.sol'),
          BINDING.replace('pure returns', 'pure retrns'),
        ),
      );
      const e = await errorOf(() => build(bad));
      expect(e.code).toBe('VALIDITY_BINDING_COMPILE_FAILED');
      expect(e.message).toMatch(/Error: .*\n --> contracts\/validity\/Probe\.sol:5:/);
      const misnamed = app(SECTION, (d) =>
        writeFileSync(
          join(d, 'contracts', 'validity', 'Probe.sol'),
          BINDING.replace('contract Probe', 'contract Other'),
        ),
      );
      expect((await errorOf(() => build(misnamed))).message).toMatch(/defines no contract Probe/);
    });
  });

  it('cleans up', () => {
    rmSync(parent, { recursive: true, force: true });
  });
});
