/** The test circuits of test/zk/ compiled, with INSECURE dev keys (cached: seconds after the first run). */

import type { CompiledCircuit } from './compile.ts';
import { compileCircuit } from './compile.ts';
import { devSetup, type Keys } from './dev-setup.ts';

export interface TestCircuit {
  circuit: CompiledCircuit;
  keys: Keys;
}

/** Poseidon(x, y, nonce) = hash, public: hash (output), nonce; about 260 constraints. */
export async function poseidonPreimage(): Promise<TestCircuit> {
  const circuit = await compileCircuit('test/zk/poseidon-preimage.circom');
  return { circuit, keys: await devSetup(circuit.r1cs) };
}

/** out = a^(2^64)·b with c === b + 1, public: out, c; 65 constraints. */
export async function multiplierChain(): Promise<TestCircuit> {
  const circuit = await compileCircuit('test/zk/multiplier-chain.circom');
  return { circuit, keys: await devSetup(circuit.r1cs) };
}
