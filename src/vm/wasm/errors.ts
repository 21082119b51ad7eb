/**
 * Errors of the wasm front end (parse.ts, validate.ts). Three kinds, kept strictly apart:
 * - `WasmParseError` (`WASM_MALFORMED`): the bytes are not a well-formed wasm binary.
 * - `WasmValidationError` (`WASM_INVALID`): well-formed, but not a valid module per the spec.
 * - `WasmUnsupportedError` (`WASM_UNSUPPORTED_FEATURE`): possibly valid wasm, but uses a feature the
 *   deterministic machine does not run (floats, SIMD, threads, reference types, ...), or an import
 *   other than the `modex` host functions.
 */
import { ModexError } from '../../core/errors.ts';

/** Where in the module an error happened; every field is optional. */
export interface WasmErrorContext {
  /** function index (in the function index space, imports first) */
  funcIndex?: number;
  funcName?: string;
  /** byte offset in the module binary */
  offset?: number;
  /** instruction name, e.g. `f32.add` */
  instr?: string;
  /** for module-level errors: which item, e.g. `import 0 "env"."abort"`, `global 2`, `export "main"` */
  item?: string;
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** `function 3 "add_f" at offset 0x2a: f32.add: reason` (parts that are unknown are left out). */
export function formatWasmError(ctx: WasmErrorContext, reason: string): string {
  const parts: string[] = [];
  let where = '';
  if (ctx.funcIndex !== undefined) {
    where = `function ${ctx.funcIndex}`;
    if (ctx.funcName !== undefined) where += ` ${JSON.stringify(ctx.funcName)}`;
  } else if (ctx.item !== undefined) {
    where = ctx.item;
  }
  if (ctx.offset !== undefined) where += `${where ? ' ' : ''}at offset ${hex(ctx.offset)}`;
  if (where) parts.push(where);
  if (ctx.instr !== undefined) parts.push(ctx.instr);
  parts.push(reason);
  return parts.join(': ');
}

abstract class WasmError extends ModexError {
  readonly funcIndex?: number;
  readonly funcName?: string;
  readonly offset?: number;
  readonly instr?: string;
  readonly item?: string;
  /** the bare reason, without the location prefix */
  readonly reason: string;
  constructor(code: string, ctx: WasmErrorContext, reason: string) {
    super(code, formatWasmError(ctx, reason));
    this.funcIndex = ctx.funcIndex;
    this.funcName = ctx.funcName;
    this.offset = ctx.offset;
    this.instr = ctx.instr;
    this.item = ctx.item;
    this.reason = reason;
  }
}

/** The binary is malformed. `offset` is the byte offset where decoding failed. */
export class WasmParseError extends WasmError {
  declare readonly offset: number;
  constructor(offset: number, reason: string, ctx: Omit<WasmErrorContext, 'offset'> = {}) {
    super('WASM_MALFORMED', { item: 'malformed wasm binary', ...ctx, offset }, reason);
  }
}

/** The module is well-formed but invalid (fails WebAssembly validation). */
export class WasmValidationError extends WasmError {
  constructor(ctx: WasmErrorContext, reason: string) {
    super('WASM_INVALID', ctx, reason);
  }
}

/** The module uses a feature (or import) the deterministic machine does not support. */
export class WasmUnsupportedError extends WasmError {
  constructor(ctx: WasmErrorContext, reason: string) {
    super('WASM_UNSUPPORTED_FEATURE', ctx, reason);
  }
}
