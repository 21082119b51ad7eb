import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseCurve } from './curve.ts';
import { DEV_SECRET_LABEL, devSetup, domainPower } from './dev-setup.ts';
import { ZkProveError } from './errors.ts';
import { prove, verify } from './prove.ts';
import { multiplierChain, poseidonPreimage } from './test-circuits.test-helper.ts';

afterAll(releaseCurve);

describe('devSetup (INSECURE development keys)', () => {
  it('gives keys snarkjs proves and verifies with, named and flagged INSECURE', async () => {
    const { circuit, keys } = await poseidonPreimage();
    expect(keys.insecure).toBe(true);
    expect(basename(keys.zkey)).toMatch(/^INSECURE-dev-poseidon-preimage-[0-9a-f]{32}\.zkey$/);
    expect(keys.power).toBe(domainPower(circuit.constraints, 2));
    const p = await prove(circuit.wasm, keys.zkey, { x: 1, y: 2, nonce: 3 });
    expect(p.publicSignals[1]).toBe('3');
    expect(await verify(keys.vkey, p.publicSignals, p.proof)).toBe(true);
  });

  it('refuses a proof with other public signals, a tampered proof and a proof for another circuit', async () => {
    const pos = await poseidonPreimage();
    const mul = await multiplierChain();
    const p = await prove(pos.circuit.wasm, pos.keys.zkey, { x: 5, y: 6, nonce: 7 });
    expect(await verify(pos.keys.vkey, p.publicSignals, p.proof)).toBe(true);
    expect(await verify(pos.keys.vkey, [p.publicSignals[0], '8'], p.proof)).toBe(false);
    expect(await verify(pos.keys.vkey, [`${BigInt(p.publicSignals[0]) + 1n}`, '7'], p.proof)).toBe(false);
    expect(await verify(pos.keys.vkey, p.publicSignals.slice(0, 1), p.proof)).toBe(false);
    expect(await verify(pos.keys.vkey, p.publicSignals, { ...p.proof, pi_a: p.proof.pi_c })).toBe(false);
    const q = await prove(mul.circuit.wasm, mul.keys.zkey, { a: 2, b: 3, c: 4 });
    expect(await verify(mul.keys.vkey, q.publicSignals, q.proof)).toBe(true);
    expect(await verify(pos.keys.vkey, q.publicSignals, q.proof)).toBe(false);
    expect(await verify(mul.keys.vkey, p.publicSignals, p.proof)).toBe(false);
  });

  it('is deterministic from the label, and another label gives other keys', async () => {
    const { circuit, keys } = await poseidonPreimage();
    const cache = mkdtempSync(join(tmpdir(), 'modex-zk-dev-'));
    const lines: string[] = [];
    const again = await devSetup(circuit.r1cs, { cacheDir: cache, log: (l) => lines.push(l) });
    expect(again.cached).toBe(false);
    expect(lines.join('\n')).toMatch(
      /INSECURE dev keys .*public label "modex INSECURE development setup v1"/,
    );
    expect(lines.join('\n')).toMatch(/INSECURE dev setup: \d+% of \d+ points/);
    expect(readFileSync(again.zkey).equals(readFileSync(keys.zkey))).toBe(true);
    expect((await devSetup(circuit.r1cs, { cacheDir: cache })).cached).toBe(true);
    const other = await devSetup(circuit.r1cs, { cacheDir: cache, label: `${DEV_SECRET_LABEL} (other)` });
    expect(other.vkey.vk_alpha_1).not.toEqual(keys.vkey.vk_alpha_1);
    const p = await prove(circuit.wasm, other.zkey, { x: 1, y: 1, nonce: 1 });
    expect(await verify(other.vkey, p.publicSignals, p.proof)).toBe(true);
    expect(await verify(keys.vkey, p.publicSignals, p.proof)).toBe(false);
  });

  it('refuses to prove an input that does not satisfy the circuit', async () => {
    const { circuit, keys } = await multiplierChain();
    const e = await prove(circuit.wasm, keys.zkey, { a: 2, b: 3, c: 5 }).catch((x) => x);
    expect(e).toBeInstanceOf(ZkProveError);
    expect(e.code).toBe('ZK_PROVE_FAILED');
    expect(e.message).toMatch(/does not satisfy|Assert Failed/);
  });

  it('sizes the domain as snarkjs does', () => {
    expect(domainPower(261, 2)).toBe(9);
    expect(domainPower(40_001, 2)).toBe(16);
    expect(domainPower(65_533, 2)).toBe(16);
    expect(domainPower(65_534, 2)).toBe(17);
  });
});
