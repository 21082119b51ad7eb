/**
 * Groth16 proving and verification with snarkjs (docs/validity.md §1): the witness from circom's
 * WebAssembly generator, the proof from a .zkey, verification against the verification key.
 */
import { type Groth16Proof, groth16, type VerificationKey } from 'snarkjs';
import { ZkProveError } from './errors.ts';

export type { Groth16Proof, VerificationKey };

export interface ProveResult {
  proof: Groth16Proof;
  /** decimal strings: the circuit's outputs, then its public inputs */
  publicSignals: string[];
  ms: number;
}

/** A proof for `input` (signal name → value(s)); throws ZkProveError when the input does not satisfy the circuit. */
export async function prove(
  wasm: string,
  zkey: string,
  input: Record<string, unknown>,
): Promise<ProveResult> {
  const t0 = performance.now();
  try {
    const { proof, publicSignals } = await groth16.fullProve(input, wasm, zkey);
    return { proof, publicSignals, ms: performance.now() - t0 };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ZkProveError(
      `no proof for this input: ${why.split('\n')[0]} (an assertion failing means the input does not satisfy the circuit)`,
      { cause: e },
    );
  }
}

/** True when `proof` proves `publicSignals` under `vkey` (false for any malformed proof or signal). */
export async function verify(
  vkey: VerificationKey,
  publicSignals: (string | bigint)[],
  proof: Groth16Proof,
): Promise<boolean> {
  if (publicSignals.length !== vkey.nPublic) return false;
  try {
    return await groth16.verify(vkey, publicSignals.map(String), proof, silent);
  } catch {
    return false;
  }
}

const silent = { info() {}, debug() {}, warn() {}, error() {} };
