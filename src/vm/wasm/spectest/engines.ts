/**
 * The spectest engines by name. To add one: implement `SpecEngine` (engine.ts) and add a
 * factory here; `modex wasm spectest --engine <name>` then picks it up, and `all` runs it too.
 */
import type { SpecEngine } from './engine.ts';
import { SpecEngineError } from './errors.ts';
import { createInterpEngine } from './interp-engine.ts';
import { createNativeEngine } from './native-engine.ts';

/** Engine factories; a factory that is `undefined` is a known engine that is not available yet. */
export const ENGINES: Readonly<Record<string, (() => SpecEngine) | undefined>> = {
  native: createNativeEngine,
  /** the step interpreter (interp-engine.ts) */
  interp: createInterpEngine,
};

/** The engine selection `modex wasm spectest` uses when `--engine` is not given. */
export const DEFAULT_ENGINE = 'all';

/** Engine names accepted by `--engine`, including `all`. */
export const ENGINE_CHOICES: readonly string[] = [...Object.keys(ENGINES), 'all'];

/** Creates the engines for a `--engine` value: one name, or `all` (every available engine). */
export function selectEngines(choice: string): SpecEngine[] {
  if (choice === 'all') {
    return Object.values(ENGINES)
      .filter((f): f is () => SpecEngine => f !== undefined)
      .map((f) => f());
  }
  if (!Object.hasOwn(ENGINES, choice)) {
    throw new SpecEngineError(`unknown engine "${choice}": expected one of ${ENGINE_CHOICES.join(', ')}`);
  }
  const factory = ENGINES[choice];
  if (!factory) {
    throw new SpecEngineError(
      `engine "${choice}" is not available yet (the step interpreter has not landed); use --engine native`,
    );
  }
  return [factory()];
}
