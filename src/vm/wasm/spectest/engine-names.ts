/**
 * The spectest engines' names (engines.ts maps each to its factory). No imports, so `modex --help`
 * lists them without loading the engines.
 */
export const ENGINE_NAMES = ['native', 'interp'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** The engine selection `modex wasm spectest` uses when `--engine` is not given. */
export const DEFAULT_ENGINE = 'all';

/** Engine names accepted by `--engine`, including `all`. */
export const ENGINE_CHOICES: readonly string[] = [...ENGINE_NAMES, 'all'];
