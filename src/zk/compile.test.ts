import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { circuitFiles, compileCircuit } from './compile.ts';
import { CircuitCompileError, ZkInputError } from './errors.ts';
import { readR1cs } from './r1cs.ts';

describe('compileCircuit', () => {
  it('compiles with --O2, reports the constraints, and is cached by content hash', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'modex-zk-compile-'));
    const lines: string[] = [];
    const first = await compileCircuit('test/zk/multiplier-chain.circom', {
      cacheDir: cache,
      log: (l) => lines.push(l),
    });
    expect(first.cached).toBe(false);
    expect(lines[0]).toMatch(/compiling with circom2 .* --O2/);
    expect(lines.join('\n')).toMatch(/non-linear constraints: 65/);
    expect(first.constraints).toBe(65);
    expect(first.publicSignals).toBe(2);
    expect(existsSync(first.wasm)).toBe(true);
    const r1cs = readR1cs(first.r1cs);
    expect(r1cs.constraints).toHaveLength(65);
    expect(r1cs.nPubOut + r1cs.nPubIn).toBe(2);
    const again = await compileCircuit('test/zk/multiplier-chain.circom', { cacheDir: cache });
    expect(again.cached).toBe(true);
    expect(again.r1cs).toBe(first.r1cs);
    // another optimisation level is another cache entry
    const o1 = await compileCircuit('test/zk/multiplier-chain.circom', { cacheDir: cache, optimize: 'O1' });
    expect(o1.cached).toBe(false);
    expect(o1.hash).not.toBe(first.hash);
  });

  it("hashes the circuit's includes, found in its directory and the library paths", () => {
    const files = circuitFiles(join(PACKAGE_ROOT, 'test/zk/poseidon-preimage.circom'), [
      join(PACKAGE_ROOT, 'node_modules'),
    ]);
    expect(files.some((f) => f.endsWith('circomlib/circuits/poseidon.circom'))).toBe(true);
    expect(files.some((f) => f.endsWith('circomlib/circuits/poseidon_constants.circom'))).toBe(true);
  });

  it("refuses a bad circuit with circom's own message", async () => {
    const cache = mkdtempSync(join(tmpdir(), 'modex-zk-compile-'));
    const e = await compileCircuit('test/zk/bad-syntax.circom', { cacheDir: cache }).catch((x) => x);
    expect(e).toBeInstanceOf(CircuitCompileError);
    expect(e.code).toBe('ZK_CIRCUIT_COMPILE_FAILED');
    expect(e.message).toMatch(/illegal expression/);
    expect(e.message).toMatch(/bad-syntax\.circom":3/);
    expect(e.message.includes('\u001b[')).toBe(false);
  });

  it('refuses a missing circuit, a circuit outside the root and a missing include', async () => {
    await expect(compileCircuit('test/zk/nope.circom')).rejects.toThrow(ZkInputError);
    await expect(compileCircuit('/tmp/x.circom')).rejects.toThrow(/outside .*'\.\.'/);
    expect(() => circuitFiles(join(PACKAGE_ROOT, 'test/zk/poseidon-preimage.circom'), [])).toThrow(
      /include "circomlib\/circuits\/poseidon.circom" not found/,
    );
  });
});
