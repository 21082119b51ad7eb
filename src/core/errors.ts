/**
 * Base class of every error modex throws on purpose. `code` is a stable, machine-readable name
 * (e.g. `CONFIG_INVALID`, `WASM_UNSUPPORTED_FEATURE`); `message` says what went wrong and what to do.
 * Imports nothing, so every layer can use it.
 */
export class ModexError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
