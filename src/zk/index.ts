/**
 * The zk toolchain (docs/validity.md §1, §4): compile a circom circuit, set up Groth16 keys (INSECURE
 * development keys in seconds, or production keys from a ceremony's .ptau), prove, verify, and the
 * Solidity verifier. Everything is cached by content hash in node_modules/.cache/modex-zk.
 */
export { type CompiledCircuit, type CompileOptions, compileCircuit } from './compile.ts';
export { releaseCurve } from './curve.ts';
export { DEV_SECRET_LABEL, devSetup, type Keys, type SetupOptions } from './dev-setup.ts';
export { CircuitCompileError, ZkInputError, ZkProveError, ZkSetupError } from './errors.ts';
export { type Groth16Proof, type ProveResult, prove, type VerificationKey, verify } from './prove.ts';
export { ptauSetup } from './ptau-setup.ts';
export { compileVerifier, proofCalldata, solidityVerifier, type VerifierArtifact } from './solidity.ts';

import type { Keys, SetupOptions } from './dev-setup.ts';
import { devSetup } from './dev-setup.ts';
import { ptauSetup } from './ptau-setup.ts';

/** Keys for a circuit: from the ceremony file `ptau` when given (production), else INSECURE dev keys. */
export function setupKeys(r1cs: string, opts: SetupOptions & { ptau?: string } = {}): Promise<Keys> {
  return opts.ptau ? ptauSetup(r1cs, opts.ptau, opts) : devSetup(r1cs, opts);
}
