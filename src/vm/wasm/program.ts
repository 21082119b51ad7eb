/**
 * From wasm bytes to a runnable machine: parse, validate (deterministic subset), lower.
 */
import { commitModule } from './commit.ts';
import { toHex } from './hash.ts';
import type { MachineLimits } from './limits.ts';
import { type LowerOptions, lower, type Program } from './lower.ts';
import { emptyGlobalState, type GlobalState, type HostData, Machine, NO_HOST_DATA } from './machine.ts';
import { parseModule } from './parse.ts';
import { type ValidateOptions, validateModule } from './validate.ts';

export interface CompileOptions extends LowerOptions {
  validate?: ValidateOptions;
  limits?: Partial<MachineLimits>;
}

/** Parses, validates and lowers a module. Throws WasmParseError / WasmValidationError / WasmUnsupportedError / LoweringError. */
export function compileProgram(bytes: Uint8Array, opts: CompileOptions = {}): Program {
  const validated = validateModule(parseModule(bytes), opts.validate);
  return lower(validated, opts);
}

/** The module root (0x-hex) that identifies a program on L1 (docs/machine.md §4.3). */
export function moduleRootHex(prog: Program): `0x${string}` {
  return toHex(commitModule(prog).moduleRoot);
}

/** A fresh machine at step 0 for a program. */
export function newMachine(
  prog: Program,
  gs: GlobalState = emptyGlobalState(),
  host: HostData = NO_HOST_DATA,
): Machine {
  return new Machine(prog, gs, host);
}
