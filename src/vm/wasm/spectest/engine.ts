/**
 * The engine interface of the spectest runner. An engine executes already-validated modules;
 * the runner does everything else (reading the script, parsing and validating with our own
 * validator, deciding what is skipped, comparing results). To add an engine, implement
 * {@link SpecEngine} and list it in `engines.ts`.
 *
 * Values crossing this interface are unsigned bigints: i32 in 0..2^32-1, i64 in 0..2^64-1 (the
 * same encoding as the JSON scripts' decimal strings). Only i32/i64 values ever cross it: the
 * runner skips commands with other value types.
 */
import type { ValidatedModule } from '../module.ts';

/** A module the runner has parsed and validated (imports resolved against the `spectest` host). */
export interface SpecModule {
  /** the module binary as in the script */
  bytes: Uint8Array;
  /** its decoded, validated form */
  module: ValidatedModule;
  /**
   * per entry of `module.imports`: the registered test-module instance and export it is linked
   * to, or undefined for an import of the `spectest` host (docs/machine.md §9 "Linking")
   */
  links?: readonly (SpecLink | undefined)[];
}

/** An import linked to another test module's export. */
export interface SpecLink {
  /** the instance, as this engine returned it */
  instance: SpecInstance;
  /** the export's name in that instance */
  name: string;
}

/** The outcome of invoking an export. `message` is for humans only; it is never compared. */
export type SpecOutcome =
  | { kind: 'ok'; values: bigint[] }
  | { kind: 'trap'; message: string }
  | { kind: 'exhaustion'; message: string };

/** The outcome of instantiating: a trap (or exhaustion) in the start function or in segment initialisation. */
export type InstantiateOutcome =
  | { kind: 'ok'; instance: SpecInstance }
  | { kind: 'trap'; message: string }
  | { kind: 'exhaustion'; message: string }
  /** an import could not be resolved by the engine (the runner already checked them; should not happen) */
  | { kind: 'unlinkable'; message: string }
  /** the engine cannot run a module the validator accepted (an engine or validator bug) */
  | { kind: 'error'; message: string }
  /** the engine cannot link this module to the instances it imports from (the runner skips it) */
  | { kind: 'unsupported'; message: string };

export interface SpecInstance {
  /** Calls the exported function `field` with `args` (one per parameter). Never throws for traps. */
  invoke(field: string, args: bigint[]): SpecOutcome;
  /** Reads the exported global `field`. */
  getGlobal(field: string): bigint;
  /** The current size of the exported memory (pages) or table (elements) `field`. */
  size(field: string): number;
}

export interface SpecEngine {
  /** short name, as given to `modex wasm spectest --engine` */
  readonly name: string;
  /**
   * Called at the start of every script. Engines that keep state shared by a script's modules
   * (the `spectest` host instance: its memory and table) start afresh here.
   */
  reset?(): void;
  /**
   * Instantiates a module (running its active segments and start function). Its imports are
   * from the `spectest` host module (see `spectest-host.ts` for the definitions) and, through
   * `links`, exports of earlier instances of this engine (the runner has checked their types
   * and limits). An engine that cannot link them says `unsupported`.
   */
  instantiate(module: SpecModule): InstantiateOutcome;
}
