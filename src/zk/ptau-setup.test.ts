import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { powersOfTau } from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCircuit } from './compile.ts';
import { getCurve, releaseCurve } from './curve.ts';
import { ZkInputError, ZkSetupError } from './errors.ts';
import { setupKeys } from './index.ts';
import { prove, verify } from './prove.ts';

let dir: string;
let ptau: string;
let ptauSmall: string;
let alpha1: string[];
beforeAll(async () => {
  // a stand-in for a ceremony's file: snarkjs powersoftau new, a beacon contribution, prepare phase2
  dir = mkdtempSync(join(tmpdir(), 'modex-zk-ptau-'));
  const curve = await getCurve();
  const make = async (power: number, name: string) => {
    await powersOfTau.newAccumulator(curve, power, join(dir, `${name}-0.ptau`));
    await powersOfTau.beacon(
      join(dir, `${name}-0.ptau`),
      join(dir, `${name}-1.ptau`),
      'test',
      `0${power}`.repeat(16),
      10,
    );
    await powersOfTau.preparePhase2(join(dir, `${name}-1.ptau`), join(dir, `${name}.ptau`));
    return join(dir, `${name}.ptau`);
  };
  ptau = await make(7, 'p7');
  ptauSmall = await make(5, 'p5');
  // the ceremony's α·G1: the first point of the .ptau's section 4 (alphaTauG1), LEM affine
  const bytes = new Uint8Array(readFileSync(ptau));
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  let at = 12;
  while (dv.getUint32(at, true) !== 4) at += 12 + Number(dv.getBigUint64(at + 4, true));
  const point = curve.G1.fromRprLEM(bytes, at + 12);
  alpha1 = curve.G1.toObject(curve.G1.toAffine(point)).map(String);
});
afterAll(releaseCurve);

describe('ptauSetup (keys from a ceremony file)', () => {
  it("uses the given .ptau: the key's α is the ceremony's, and it proves and verifies", async () => {
    const circuit = await compileCircuit('test/zk/multiplier-chain.circom');
    const lines: string[] = [];
    const keys = await setupKeys(circuit.r1cs, { ptau, cacheDir: dir, log: (l) => lines.push(l) });
    expect(keys.insecure).toBe(false);
    expect(keys.zkey).toMatch(/ceremony-multiplier-chain-[0-9a-f]{32}\.zkey$/);
    expect(lines.join('\n')).toMatch(/from the ceremony file .*p7\.ptau/);
    expect(keys.vkey.vk_alpha_1.slice(0, 2)).toEqual(alpha1.slice(0, 2));
    const p = await prove(circuit.wasm, keys.zkey, { a: 2, b: 3, c: 4 });
    expect(await verify(keys.vkey, p.publicSignals, p.proof)).toBe(true);
    expect(await verify(keys.vkey, [p.publicSignals[0], '5'], p.proof)).toBe(false);
    expect((await setupKeys(circuit.r1cs, { ptau, cacheDir: dir })).cached).toBe(true);
    // without a ptau: the INSECURE development keys, another α
    const dev = await setupKeys(circuit.r1cs, { cacheDir: dir });
    expect(dev.insecure).toBe(true);
    expect(dev.vkey.vk_alpha_1).not.toEqual(keys.vkey.vk_alpha_1);
  });

  it('refuses a ceremony file too small for the circuit, a missing one and a non-ptau file', async () => {
    const circuit = await compileCircuit('test/zk/multiplier-chain.circom');
    const e = await setupKeys(circuit.r1cs, { ptau: ptauSmall, cacheDir: dir }).catch((x) => x);
    expect(e).toBeInstanceOf(ZkSetupError);
    expect(e.message).toMatch(/circuit too big for this power of tau/);
    await expect(setupKeys(circuit.r1cs, { ptau: join(dir, 'none.ptau') })).rejects.toThrow(ZkInputError);
    writeFileSync(join(dir, 'bad.ptau'), 'not a ptau');
    await expect(setupKeys(circuit.r1cs, { ptau: join(dir, 'bad.ptau') })).rejects.toThrow(
      /not a \.ptau file/,
    );
    expect(existsSync(join(dir, 'bad.ptau'))).toBe(true);
  });
});
