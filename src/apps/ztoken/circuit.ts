/**
 * The ztoken chunk circuit (guest/apps/ztoken/circuit, docs/validity.md §3): compiled and cached by
 * the zk toolchain (`compileCircuit`, docs/validity.md §1, §4: circom2 `--O2`), its witness computed
 * by the generated witness calculator, which fails when a constraint does not hold. Its public
 * signals, in this order: preRoot, postRoot, recordWords[k] (k = ceil(160·T / 31)), acceptedMask,
 * chainId (no outputs).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ModexError } from '../../core/errors.ts';
import { compileCircuit } from '../../zk/index.ts';
import { recordWordCount } from './records.ts';
import type { CircuitInput } from './witness.ts';

const CIRCUIT_DIR = 'guest/apps/ztoken/circuit';
const require = createRequire(import.meta.url);

/** The inputs do not satisfy the circuit. */
export class ZTokenCircuitError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ZTOKEN_WITNESS_FAILED', message, options);
  }
}

export interface ZTokenCircuit {
  /** records per chunk (T) */
  slots: number;
  r1cs: string;
  wasm: string;
  /** constraints after --O2 */
  constraints: number;
  /** the witness (signal values, the constant 1 first); throws ZTokenCircuitError if unsatisfied */
  witness(input: CircuitInput): Promise<bigint[]>;
}

/**
 * The circuit's public signals for a chunk of `slots` records, in their order (snarkjs's
 * `publicSignals`, the Solidity verifier's inputs): `recordWords[i]` stands for word i.
 */
export function publicSignalNames(slots: number): string[] {
  const words = Array.from({ length: recordWordCount(slots) }, (_, i) => `recordWords[${i}]`);
  return ['preRoot', 'postRoot', ...words, 'acceptedMask', 'chainId'];
}

/** The public signals' values in the circuit's order (`publicSignalNames`). */
export function publicSignalValues(s: {
  preRoot: bigint;
  postRoot: bigint;
  recordWords: readonly bigint[];
  acceptedMask: bigint | number;
  chainId: bigint;
}): bigint[] {
  return [s.preRoot, s.postRoot, ...s.recordWords, BigInt(s.acceptedMask), s.chainId];
}

/** Compiles (or finds in the cache) the circuit for a chunk of `slots` records (a `ztoken_<slots>.circom`). */
export async function ztokenCircuit(slots = 2): Promise<ZTokenCircuit> {
  const c = await compileCircuit(join(CIRCUIT_DIR, `ztoken_${slots}.circom`));
  const calc = readFileSync(c.wasm);
  const builder = require(join(dirname(c.wasm), 'witness_calculator.js')) as (
    code: Uint8Array,
  ) => Promise<{ calculateWitness(input: unknown, sanity: boolean): Promise<bigint[]> }>;
  return {
    slots,
    r1cs: c.r1cs,
    wasm: c.wasm,
    constraints: c.constraints,
    async witness(input) {
      // a fresh instance per witness: a failed assertion leaves the old one unusable
      const wc = await builder(calc);
      try {
        return await wc.calculateWitness(input, true);
      } catch (e) {
        throw new ZTokenCircuitError(`the inputs do not satisfy the circuit: ${String(e)}`, { cause: e });
      }
    },
  };
}
