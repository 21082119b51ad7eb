/**
 * The spectest engines by name. To add one: implement `SpecEngine` (engine.ts), add its name to
 * engine-names.ts and a factory here; `modex wasm spectest --engine <name>` then picks it up, and
 * `all` runs it too.
 */
import type { SpecEngine } from './engine.ts';
import { DEFAULT_ENGINE, ENGINE_CHOICES, type EngineName } from './engine-names.ts';
import { SpecEngineError } from './errors.ts';
import { createInterpEngine } from './interp-engine.ts';
import { createNativeEngine } from './native-engine.ts';

/** Engine factories; a factory that is `undefined` is a known engine that is not available yet. */
export const ENGINES: Readonly<Record<EngineName, (() => SpecEngine) | undefined>> = {
  native: createNativeEngine,
  /** the step interpreter (interp-engine.ts) */
  interp: createInterpEngine,
};

export { DEFAULT_ENGINE, ENGINE_CHOICES };

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
  const factory = ENGINES[choice as EngineName];
  if (!factory) {
    throw new SpecEngineError(
      `engine "${choice}" is not available yet (the step interpreter has not landed); use --engine native`,
    );
  }
  return [factory()];
}
