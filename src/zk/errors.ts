import { ModexError } from '../core/errors.ts';

/** circom refused a circuit (its own message, colours stripped, is in `message` and `compilerOutput`). */
export class CircuitCompileError extends ModexError {
  readonly compilerOutput: string;
  constructor(message: string, compilerOutput: string) {
    super('ZK_CIRCUIT_COMPILE_FAILED', message);
    this.compilerOutput = compilerOutput;
  }
}

/** A circuit file, an include, an r1cs, a .ptau or a .zkey is missing or not in the expected format. */
export class ZkInputError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ZK_BAD_INPUT', message, options);
  }
}

/** The key setup could not be done (circuit too large for the ceremony file, a snarkjs failure). */
export class ZkSetupError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ZK_SETUP_FAILED', message, options);
  }
}

/** A witness or proof could not be produced (the inputs do not satisfy the circuit, a bad key). */
export class ZkProveError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ZK_PROVE_FAILED', message, options);
  }
}
