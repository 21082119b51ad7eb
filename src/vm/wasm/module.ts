/**
 * The decoded form of a wasm32 binary, as produced by `parse.ts` and checked by `validate.ts`.
 * Lowering (`lower.ts`) consumes it. Only what the deterministic machine can run is representable
 * in a *validated* module; the parser may still decode other value types so that the validator
 * can name them in its error.
 */
import type { UnreachableReason } from './trap-reasons.ts';

/** Value types by their binary encoding. The machine accepts only I32 and I64. */
export const ValType = {
  I32: 0x7f,
  I64: 0x7e,
  F32: 0x7d,
  F64: 0x7c,
  V128: 0x7b,
  FuncRef: 0x70,
  ExternRef: 0x6f,
} as const;
export type ValType = number;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  min: number;
  max?: number;
  /** memory64 / shared flags as read from the binary; the validator rejects them. */
  is64?: boolean;
  shared?: boolean;
}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

/** A constant expression (global initialisers, segment offsets). */
export type ConstExpr =
  | { kind: 'const'; type: ValType; value: bigint }
  | { kind: 'global.get'; index: number }
  /**
   * anything else (ref.func, ref.null, float consts, extended const ops); rejected by the validator.
   * `index`: for a lone `ref.func` its function index, for a lone `ref.null` its heap type.
   */
  | { kind: 'other'; op: number; index?: number };

export type Import =
  | { module: string; name: string; kind: 'func'; typeIndex: number }
  | { module: string; name: string; kind: 'global'; type: GlobalType }
  | { module: string; name: string; kind: 'memory'; limits: Limits }
  | { module: string; name: string; kind: 'table'; elemType: ValType; limits: Limits };

export interface Export {
  name: string;
  kind: 'func' | 'table' | 'memory' | 'global';
  index: number;
}

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export interface Table {
  elemType: ValType;
  limits: Limits;
}

export interface ElemSegment {
  mode: 'active' | 'passive' | 'declarative';
  tableIndex: number;
  offset?: ConstExpr;
  /** the segment's reference type (funcref unless an expression-encoded segment says otherwise) */
  elemType: ValType;
  /**
   * function indices; `null` entries are ref.null, or (refused by the validator) any other
   * expression of an expression-encoded segment
   */
  funcIndices: (number | null)[];
  /** the expressions of an expression-encoded segment (flags 4..7), checked by the validator */
  exprs?: ConstExpr[];
}

export interface DataSegment {
  mode: 'active' | 'passive';
  memoryIndex: number;
  offset?: ConstExpr;
  bytes: Uint8Array;
}

/**
 * One decoded instruction. `op` is the opcode byte; prefixed opcodes are `prefix << 8 | sub`
 * (e.g. memory.fill = 0xfc0b). Immediates by instruction:
 * - block / loop / if: `type` (the block's resolved function type)
 * - br / br_if: `a` = label depth; br_table: `targets` = label depths, `a` = default depth
 * - call: `a` = function index; call_indirect: `a` = type index, `b` = table index
 * - local.get/set/tee, global.get/set: `a` = index
 * - loads/stores: `a` = alignment exponent, `b` = offset (u32)
 * - memory.size / memory.grow / memory.fill: `a` = memory index; memory.copy: `a` = dst mem, `b` = src mem
 * - memory.init: `a` = data index, `b` = memory index; data.drop: `a` = data index
 * - i32.const / i64.const: `c` = the value, sign-extended as read (i32: -2^31..2^31-1)
 * - select with types (0x1c): `types`
 * `offset` is the byte offset of the instruction in the module binary (for error messages).
 */
export interface Instr {
  op: number;
  offset: number;
  a?: number;
  b?: number;
  c?: bigint;
  type?: FuncType;
  targets?: number[];
  types?: ValType[];
}

export interface Func {
  typeIndex: number;
  /** declared locals, expanded, excluding parameters */
  locals: ValType[];
  /** body instructions including the final `end` */
  body: Instr[];
  /** byte offset of the body in the binary */
  offset: number;
}

export interface WasmModule {
  types: FuncType[];
  imports: Import[];
  /** functions defined in the module; their indices start after the imported functions */
  funcs: Func[];
  tables: Table[];
  memories: Limits[];
  globals: Global[];
  exports: Export[];
  start?: number;
  elems: ElemSegment[];
  datas: DataSegment[];
  /** data count section value, if present */
  dataCount?: number;
  /** function names from the `name` custom section, by function index */
  funcNames: Map<number, string>;
  /**
   * from the `modex.traps` custom section (trap-reasons.ts): functions whose `unreachable` reports
   * another trap, by function index (diagnostics only)
   */
  trapReasons?: Map<number, UnreachableReason>;
}

/**
 * What the validator adds for lowering: for each defined function (same order as `funcs`),
 * the operand-stack height (number of values, any type) *before* each body instruction,
 * or -1 where the instruction is unreachable (after br/return/unreachable until the enclosing
 * block's end/else), and the function's maximum operand-stack height.
 */
export interface FuncAnalysis {
  heights: Int32Array;
  maxHeight: number;
}

export interface ValidatedModule extends WasmModule {
  analysis: FuncAnalysis[];
}
