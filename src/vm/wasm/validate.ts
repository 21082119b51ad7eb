/**
 * WebAssembly validation (the spec's algorithm, appendix "Validation Algorithm") restricted to the
 * deterministic subset the modex machine runs, plus the per-function stack-height analysis lowering
 * needs.
 *
 * Accepted: MVP integer instructions, sign-extension, multi-value, mutable globals, bulk memory
 * (memory.copy/fill/init, data.drop), one memory (<= 65536 pages), funcref and externref tables
 * (call_indirect on any funcref table), elem segments (active/passive/declarative), reference values
 * (funcref/externref locals, parameters, results, globals; ref.null, ref.is_null, ref.func), typed
 * `select`, a start function, and imports accepted by the import policy (by default: the `modex`
 * host functions with exactly their signatures, see host-abi.ts).
 *
 * Rejected with `WasmUnsupportedError`: floats, SIMD, threads, table instructions and elem.drop,
 * 64-bit tables, memory64, exceptions, tail calls, other imports. (A second memory is invalid in
 * wasm 2.0 and throws `WasmValidationError`.) Invalid modules throw
 * `WasmValidationError`. Unsupported features that the validator can still type-check (floats,
 * table instructions, ...) are remembered and thrown only after the whole module
 * validated, so a module that is invalid is reported as invalid; features it cannot type-check
 * (tail calls, exceptions) are thrown at once.
 *
 * Stack-height analysis (`FuncAnalysis.heights[i]`, one entry per body instruction):
 * - the absolute operand-stack height of the function activation (all value types count 1, locals
 *   not included) *before* instruction i executes, or -1 if instruction i is unreachable: after
 *   `unreachable`/`br`/`br_table`/`return` up to the end/else of the enclosing block, and anywhere
 *   inside a block that itself starts in unreachable code;
 * - for `block`/`loop`/`if`: the height before the instruction (for `if` including the i32
 *   condition); the block's entry height (below its params) is that minus params (minus 1 for `if`);
 * - for `else` and `end` (including the function's final `end`), with E = the entry height of the
 *   block being closed (below its params):
 *     - if the code just before it is reachable: the height before executing it, which is always
 *       E + results.length;
 *     - if the code just before it is unreachable but the block itself started in reachable code: E;
 *     - if the block itself started in unreachable code: -1.
 *   Code after `else` starts at E + params.length; code after `end` at E + results.length.
 *   Lowering can tell the first two cases apart: the end/else closes an unreachable region exactly
 *   when the previous instruction is `unreachable`/`br`/`br_table`/`return` or has height -1.
 * - `maxHeight` is the maximum over all recorded heights (every value pushed in reachable code is
 *   counted by the height of the instruction that follows it).
 */
import { type WasmErrorContext, WasmUnsupportedError, WasmValidationError } from './errors.ts';
import { HOST_FUNCS, HOST_MODULE, hostFunc } from './host-abi.ts';
import {
  type ConstExpr,
  type ElemSegment,
  type Func,
  type FuncAnalysis,
  type FuncType,
  type GlobalType,
  type Import,
  type Instr,
  type Limits,
  type Table,
  type ValidatedModule,
  ValType,
  type WasmModule,
} from './module.ts';
import { Op, opName } from './opcodes.ts';

export interface ValidateOptions {
  /**
   * Import policy; overrides the default (`defaultImportPolicy`: only the `modex` host functions).
   * Return true to allow the import, or a string giving the reason it is rejected (the module is then
   * rejected with `WasmUnsupportedError`); false rejects with a generic reason.
   */
  resolveImport?: (imp: Import) => boolean | string;
  /**
   * Type-check f32/f64 like any other value type instead of refusing them: for a module that is
   * then lowered to integer code (docs/softfloat.md §6) and validated again.
   */
  allowFloats?: boolean;
}

/** Maximum number of 64 KiB pages of the memory. */
export const MAX_MEMORY_PAGES = 65536;

const { I32, I64, F32, F64, V128, FuncRef, ExternRef } = ValType;
/** Type of a value popped from a polymorphic (unreachable) stack. */
const UNKNOWN = 0;

export const FLOAT_REASON =
  'floating-point instructions are not deterministic across hosts and are not supported';

export function valTypeName(t: number): string {
  switch (t) {
    case I32:
      return 'i32';
    case I64:
      return 'i64';
    case F32:
      return 'f32';
    case F64:
      return 'f64';
    case V128:
      return 'v128';
    case FuncRef:
      return 'funcref';
    case ExternRef:
      return 'externref';
    case UNKNOWN:
      return 'unknown';
    default:
      return `type 0x${t.toString(16)}`;
  }
}

function formatFuncType(t: FuncType): string {
  return `[${t.params.map(valTypeName).join(' ')}] -> [${t.results.map(valTypeName).join(' ')}]`;
}

function sameTypes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/**
 * Why a value type is not supported by the machine, or undefined if it is (i32, i64, and the
 * references funcref/externref, which the machine holds as i32 values: docs/machine.md §5.5).
 */
function valTypeProblem(t: number): string | undefined {
  if (t === I32 || t === I64 || t === FuncRef || t === ExternRef) return undefined;
  if (t === F32 || t === F64)
    return 'floating-point values are not deterministic across hosts and are not supported';
  if (t === V128) return 'SIMD (v128) is not supported';
  return 'reference types (funcref/externref values) are not supported';
}

/** The default import policy: only `modex` host functions, with exactly their signatures. */
export function defaultImportPolicy(mod: WasmModule, imp: Import): true | string {
  const known = Object.keys(HOST_FUNCS).join(', ');
  if (imp.module !== HOST_MODULE) {
    return `only the host functions of module "${HOST_MODULE}" may be imported (${known})`;
  }
  if (imp.kind !== 'func') return `module "${HOST_MODULE}" exports only functions, not a ${imp.kind}`;
  const host = hostFunc(imp.name);
  if (host === undefined) return `"${imp.name}" is not a host function; known: ${known}`;
  const t = mod.types[imp.typeIndex];
  if (t === undefined) return `unknown type ${imp.typeIndex}`;
  if (!sameTypes(t.params, host.type.params) || !sameTypes(t.results, host.type.results)) {
    return `signature ${formatFuncType(t)} does not match the host function's ${formatFuncType(host.type)}`;
  }
  return true;
}

// ---------------------------------------------------------------- instruction signatures

type Sig = readonly [params: readonly number[], results: readonly number[]];

/** Signatures of the plain numeric instructions (no immediates that affect typing). */
const NUMERIC_SIGS = new Map<number, Sig>();
function sig(from: number, to: number, params: number[], results: number[]): void {
  for (let op = from; op <= to; op++) NUMERIC_SIGS.set(op, [params, results]);
}
sig(Op.I32Eqz, Op.I32Eqz, [I32], [I32]);
sig(Op.I32Eq, Op.I32GeU, [I32, I32], [I32]);
sig(Op.I64Eqz, Op.I64Eqz, [I64], [I32]);
sig(Op.I64Eq, Op.I64GeU, [I64, I64], [I32]);
sig(Op.F32Eq, Op.F32Ge, [F32, F32], [I32]);
sig(Op.F64Eq, Op.F64Ge, [F64, F64], [I32]);
sig(Op.I32Clz, Op.I32Popcnt, [I32], [I32]);
sig(Op.I32Add, Op.I32Rotr, [I32, I32], [I32]);
sig(Op.I64Clz, Op.I64Popcnt, [I64], [I64]);
sig(Op.I64Add, Op.I64Rotr, [I64, I64], [I64]);
sig(Op.F32Abs, Op.F32Sqrt, [F32], [F32]);
sig(Op.F32Add, Op.F32Copysign, [F32, F32], [F32]);
sig(Op.F64Abs, Op.F64Sqrt, [F64], [F64]);
sig(Op.F64Add, Op.F64Copysign, [F64, F64], [F64]);
sig(Op.I32WrapI64, Op.I32WrapI64, [I64], [I32]);
sig(Op.I32TruncF32S, Op.I32TruncF32U, [F32], [I32]);
sig(Op.I32TruncF64S, Op.I32TruncF64U, [F64], [I32]);
sig(Op.I64ExtendI32S, Op.I64ExtendI32U, [I32], [I64]);
sig(Op.I64TruncF32S, Op.I64TruncF32U, [F32], [I64]);
sig(Op.I64TruncF64S, Op.I64TruncF64U, [F64], [I64]);
sig(Op.F32ConvertI32S, Op.F32ConvertI32U, [I32], [F32]);
sig(Op.F32ConvertI64S, Op.F32ConvertI64U, [I64], [F32]);
sig(Op.F32DemoteF64, Op.F32DemoteF64, [F64], [F32]);
sig(Op.F64ConvertI32S, Op.F64ConvertI32U, [I32], [F64]);
sig(Op.F64ConvertI64S, Op.F64ConvertI64U, [I64], [F64]);
sig(Op.F64PromoteF32, Op.F64PromoteF32, [F32], [F64]);
sig(Op.I32ReinterpretF32, Op.I32ReinterpretF32, [F32], [I32]);
sig(Op.I64ReinterpretF64, Op.I64ReinterpretF64, [F64], [I64]);
sig(Op.F32ReinterpretI32, Op.F32ReinterpretI32, [I32], [F32]);
sig(Op.F64ReinterpretI64, Op.F64ReinterpretI64, [I64], [F64]);
sig(Op.I32Extend8S, Op.I32Extend16S, [I32], [I32]);
sig(Op.I64Extend8S, Op.I64Extend32S, [I64], [I64]);
sig(Op.I32TruncSatF32S, Op.I32TruncSatF32U, [F32], [I32]);
sig(Op.I32TruncSatF64S, Op.I32TruncSatF64U, [F64], [I32]);
sig(Op.I64TruncSatF32S, Op.I64TruncSatF32U, [F32], [I64]);
sig(Op.I64TruncSatF64S, Op.I64TruncSatF64U, [F64], [I64]);

/** Loads and stores: value type and natural alignment exponent (log2 of the access size). */
const MEMORY_ACCESS = new Map<number, { type: number; maxAlign: number; store: boolean }>();
function access(op: number, type: number, bytes: number, store: boolean): void {
  MEMORY_ACCESS.set(op, { type, maxAlign: Math.log2(bytes), store });
}
access(Op.I32Load, I32, 4, false);
access(Op.I64Load, I64, 8, false);
access(Op.F32Load, F32, 4, false);
access(Op.F64Load, F64, 8, false);
access(Op.I32Load8S, I32, 1, false);
access(Op.I32Load8U, I32, 1, false);
access(Op.I32Load16S, I32, 2, false);
access(Op.I32Load16U, I32, 2, false);
access(Op.I64Load8S, I64, 1, false);
access(Op.I64Load8U, I64, 1, false);
access(Op.I64Load16S, I64, 2, false);
access(Op.I64Load16U, I64, 2, false);
access(Op.I64Load32S, I64, 4, false);
access(Op.I64Load32U, I64, 4, false);
access(Op.I32Store, I32, 4, true);
access(Op.I64Store, I64, 8, true);
access(Op.F32Store, F32, 4, true);
access(Op.F64Store, F64, 8, true);
access(Op.I32Store8, I32, 1, true);
access(Op.I32Store16, I32, 2, true);
access(Op.I64Store8, I64, 1, true);
access(Op.I64Store16, I64, 2, true);
access(Op.I64Store32, I64, 4, true);

const TAIL_CALL_OPS = new Set<number>([Op.ReturnCall, Op.ReturnCallIndirect, Op.ReturnCallRef, Op.CallRef]);
const EXCEPTION_OPS = new Set<number>([
  Op.Try,
  Op.Catch,
  Op.Throw,
  Op.Rethrow,
  Op.ThrowRef,
  Op.Delegate,
  Op.CatchAll,
  Op.TryTable,
]);
const FUNC_REF_OPS = new Set<number>([Op.RefEq, Op.RefAsNonNull, Op.BrOnNull, Op.BrOnNonNull]);

/** Result types of constant-expression opcodes of later proposals (extended-const, reference types, floats). */
const REF = -1;
const CONST_OP_TYPES = new Map<number, number>([
  [Op.F32Const, F32],
  [Op.F64Const, F64],
  [Op.RefNull, REF],
  [Op.RefFunc, REF],
  [Op.I32Add, I32],
  [Op.I32Sub, I32],
  [Op.I32Mul, I32],
  [Op.I64Add, I64],
  [Op.I64Sub, I64],
  [Op.I64Mul, I64],
]);

// ---------------------------------------------------------------- module validation

/** Module-level context shared by the function validators. */
interface ModuleCtx {
  mod: WasmModule;
  funcTypes: FuncType[];
  tables: Table[];
  memories: Limits[];
  globals: GlobalType[];
  numImportedGlobals: number;
  /** functions that may be referenced by ref.func (C.refs) */
  refs: Set<number>;
  /** first unsupported feature found; thrown after validation completes */
  deferred?: WasmUnsupportedError;
  /** ValidateOptions.allowFloats */
  allowFloats: boolean;
}

/**
 * Validate `mod` for the deterministic machine. Returns the module with its stack-height analysis;
 * throws `WasmValidationError` if invalid, `WasmUnsupportedError` if it uses unsupported features.
 */
export function validateModule(mod: WasmModule, opts: ValidateOptions = {}): ValidatedModule {
  const ctx: ModuleCtx = {
    mod,
    funcTypes: [],
    tables: [],
    memories: [],
    globals: [],
    numImportedGlobals: 0,
    refs: new Set(),
    allowFloats: opts.allowFloats === true,
  };
  const resolve = opts.resolveImport ?? ((imp: Import) => defaultImportPolicy(mod, imp));
  checkImports(ctx, resolve);
  checkFuncDecls(ctx);
  checkTables(ctx);
  checkMemories(ctx);
  checkGlobals(ctx);
  checkExports(ctx);
  checkStart(ctx);
  checkElems(ctx);
  checkDatas(ctx);
  const analysis: FuncAnalysis[] = mod.funcs.map((f, i) => new FuncValidator(ctx, f, i).run());
  if (ctx.deferred) throw ctx.deferred;
  return { ...mod, analysis };
}

function invalid(ctx: WasmErrorContext, reason: string): never {
  throw new WasmValidationError(ctx, reason);
}

/** Records an unsupported feature (the first one is thrown at the end); false when floats are allowed and it is one */
function defer(m: ModuleCtx, ctx: WasmErrorContext, reason: string): boolean {
  if (m.allowFloats && reason.includes('floating-point')) return false;
  m.deferred ??= new WasmUnsupportedError(ctx, reason);
  return true;
}

function checkValTypes(m: ModuleCtx, ctx: WasmErrorContext, types: readonly number[], what: string): void {
  for (const t of types) {
    const problem = valTypeProblem(t);
    if (problem && defer(m, ctx, `${valTypeName(t)} ${what}: ${problem}`)) return;
  }
}

function checkFuncTypeSupported(m: ModuleCtx, ctx: WasmErrorContext, t: FuncType): void {
  checkValTypes(m, ctx, t.params, 'parameter');
  checkValTypes(m, ctx, t.results, 'result');
}

function importItem(i: number, imp: Import): string {
  return `import ${i} ${JSON.stringify(imp.module)}.${JSON.stringify(imp.name)}`;
}

function checkImports(m: ModuleCtx, resolve: (imp: Import) => boolean | string): void {
  m.mod.imports.forEach((imp, i) => {
    const ctx = { item: importItem(i, imp) };
    switch (imp.kind) {
      case 'func': {
        const t = m.mod.types[imp.typeIndex] ?? invalid(ctx, `unknown type ${imp.typeIndex}`);
        checkFuncTypeSupported(m, ctx, t);
        m.funcTypes.push(t);
        break;
      }
      case 'table':
        m.tables.push({ elemType: imp.elemType, limits: imp.limits });
        checkTable(m, ctx, m.tables[m.tables.length - 1]);
        break;
      case 'memory':
        m.memories.push(imp.limits);
        checkMemory(m, ctx, imp.limits);
        break;
      case 'global':
        m.globals.push(imp.type);
        m.numImportedGlobals++;
        checkValTypes(m, ctx, [imp.type.type], 'global');
        break;
    }
    const verdict = resolve(imp);
    if (verdict !== true) defer(m, ctx, verdict === false ? 'this import is not allowed' : verdict);
  });
}

function checkFuncDecls(m: ModuleCtx): void {
  const nImported = m.funcTypes.length;
  m.mod.funcs.forEach((f, i) => {
    const t = m.mod.types[f.typeIndex];
    if (t === undefined)
      invalid({ funcIndex: nImported + i, offset: f.offset }, `unknown type ${f.typeIndex}`);
    m.funcTypes.push(t);
  });
}

function checkLimits(ctx: WasmErrorContext, l: Limits, what: string): void {
  if (l.max !== undefined && l.min > l.max)
    invalid(ctx, `${what} size minimum must not be greater than maximum`);
}

function checkTable(m: ModuleCtx, ctx: WasmErrorContext, t: Table): void {
  checkLimits(ctx, t.limits, 'table');
  if (t.limits.is64) defer(m, ctx, '64-bit tables are not supported');
}

function checkMemory(m: ModuleCtx, ctx: WasmErrorContext, l: Limits): void {
  if (l.is64) {
    defer(m, ctx, 'memory64 is not supported');
    return;
  }
  const tooBig = `memory size must be at most ${MAX_MEMORY_PAGES} pages (4GiB)`;
  if (l.min > MAX_MEMORY_PAGES) invalid(ctx, tooBig);
  if (l.max !== undefined && l.max > MAX_MEMORY_PAGES) invalid(ctx, tooBig);
  checkLimits(ctx, l, 'memory');
  if (l.shared) defer(m, ctx, 'shared memory (threads) is not supported');
}

function checkTables(m: ModuleCtx): void {
  for (const t of m.mod.tables) {
    m.tables.push(t);
    checkTable(m, { item: `table ${m.tables.length - 1}` }, t);
  }
}

function checkMemories(m: ModuleCtx): void {
  for (const l of m.mod.memories) {
    m.memories.push(l);
    checkMemory(m, { item: `memory ${m.memories.length - 1}` }, l);
  }
  // wasm 2.0 §3.4.10 (modules): "the length of C.mems must not be larger than 1" (multi-memory is
  // a wasm 3.0 feature), so a second memory is invalid, as V8 without multi-memory says too
  if (m.memories.length > 1)
    invalid({ item: 'memory 1' }, 'multiple memories: a wasm 2.0 module has at most one memory');
}

/**
 * A constant expression of type `expected`. `visibleGlobals` is how many globals it may read
 * under wasm 2.0 (imported ones for global initialisers, all for segment offsets).
 */
function checkConstExpr(
  m: ModuleCtx,
  ctx: WasmErrorContext,
  e: ConstExpr,
  expected: number,
  visibleGlobals: number,
): void {
  switch (e.kind) {
    case 'const':
      if (e.type !== expected) invalid(ctx, `type mismatch: expected ${valTypeName(expected)} constant`);
      return;
    case 'global.get': {
      const g = m.globals[e.index];
      // wasm 2.0: global initialisers may only read imported globals, segment offsets any global
      if (g === undefined || e.index >= visibleGlobals) invalid(ctx, `unknown global ${e.index}`);
      if (g.mutable) invalid(ctx, `constant expression required: global ${e.index} is mutable`);
      if (g.type !== expected)
        invalid(ctx, `type mismatch: global ${e.index} is not ${valTypeName(expected)}`);
      return;
    }
    case 'other': {
      if (e.op === Op.RefFunc && e.index !== undefined) {
        const c = { ...ctx, instr: 'ref.func' };
        if (e.index >= m.funcTypes.length) invalid(c, `unknown function ${e.index}`);
        if (expected !== FuncRef) invalid(c, `type mismatch: expected ${valTypeName(expected)}, got funcref`);
        // wasm 2.0 §3.4.10: functions named in global initialisers belong to C.refs
        m.refs.add(e.index);
        return;
      }
      if (e.op === Op.RefNull && e.index !== undefined && e.index !== expected) {
        const got = e.index === ExternRef ? 'externref' : 'funcref';
        invalid(
          { ...ctx, instr: 'ref.null' },
          `type mismatch: expected ${valTypeName(expected)}, got ${got}`,
        );
      }
      if (e.op === Op.RefNull && e.index !== undefined) return;
      const actual = CONST_OP_TYPES.get(e.op);
      if (actual !== undefined) {
        const fits =
          actual === expected || (actual === REF && (expected === FuncRef || expected === ExternRef));
        if (!fits)
          invalid({ ...ctx, instr: opName(e.op) }, `type mismatch: expected ${valTypeName(expected)}`);
        const float = e.op === Op.F32Const || e.op === Op.F64Const;
        if (!(float && m.allowFloats))
          defer(m, { ...ctx, instr: opName(e.op) }, 'this constant expression is not supported');
        return;
      }
      if (e.op === Op.End || e.op === Op.I32Const || e.op === Op.I64Const || e.op === Op.GlobalGet) {
        invalid(ctx, 'type mismatch: a constant expression must produce exactly one value');
      }
      invalid({ ...ctx, instr: opName(e.op) }, 'constant expression required');
    }
  }
}

function checkGlobals(m: ModuleCtx): void {
  m.mod.globals.forEach((g) => {
    const index = m.globals.length;
    const ctx = { item: `global ${index}` };
    checkValTypes(m, ctx, [g.type.type], 'global');
    checkConstExpr(m, ctx, g.init, g.type.type, m.numImportedGlobals);
    m.globals.push(g.type);
  });
}

function checkExports(m: ModuleCtx): void {
  const names = new Set<string>();
  for (const ex of m.mod.exports) {
    const ctx = { item: `export ${JSON.stringify(ex.name)}` };
    if (names.has(ex.name)) invalid(ctx, 'duplicate export name');
    names.add(ex.name);
    const space = { func: m.funcTypes, table: m.tables, memory: m.memories, global: m.globals }[ex.kind];
    if (ex.index >= space.length) invalid(ctx, `unknown ${ex.kind} ${ex.index}`);
    if (ex.kind === 'func') m.refs.add(ex.index);
  }
}

function checkStart(m: ModuleCtx): void {
  const start = m.mod.start;
  if (start === undefined) return;
  const ctx = { item: 'start function', funcIndex: start, funcName: m.mod.funcNames.get(start) };
  const t = m.funcTypes[start] ?? invalid(ctx, `unknown function ${start}`);
  if (t.params.length || t.results.length) {
    invalid(ctx, `start function must have type [] -> [], not ${formatFuncType(t)}`);
  }
}

function checkElems(m: ModuleCtx): void {
  m.mod.elems.forEach((seg, i) => {
    const ctx = { item: `elem ${i}` };
    if (seg.mode === 'active') {
      const t = m.tables[seg.tableIndex] ?? invalid(ctx, `unknown table ${seg.tableIndex}`);
      if (t.elemType !== seg.elemType)
        invalid(
          ctx,
          `type mismatch: ${valTypeName(seg.elemType)} segment for a ${valTypeName(t.elemType)} table`,
        );
      if (seg.offset === undefined) invalid(ctx, 'active segment without offset');
      checkConstExpr(m, ctx, seg.offset, I32, m.globals.length);
    }
    if (seg.exprs === undefined) {
      for (const f of seg.funcIndices) {
        if (f === null) continue;
        if (f >= m.funcTypes.length) invalid(ctx, `unknown function ${f}`);
        m.refs.add(f);
      }
    } else {
      seg.exprs.forEach((e, j) => {
        checkElemExpr(m, { item: `elem ${i} item ${j}` }, e, seg.elemType);
      });
    }
  });
}

/**
 * One expression of an expression-encoded element segment (wasm 2.0 §3.4.6): a constant
 * expression of the segment's type. `ref.func` (which declares its function, C.refs) and
 * `ref.null` are what the machine runs; anything else valid (`global.get` of a reference global) is
 * refused after validation.
 */
function checkElemExpr(m: ModuleCtx, ctx: WasmErrorContext, e: ConstExpr, elemType: number): void {
  if (e.kind === 'other' && e.op === Op.RefFunc && e.index !== undefined) {
    const c = { ...ctx, instr: 'ref.func' };
    if (e.index >= m.funcTypes.length) invalid(c, `unknown function ${e.index}`);
    if (elemType !== FuncRef) invalid(c, `type mismatch: expected ${valTypeName(elemType)}, got funcref`);
    m.refs.add(e.index);
    return;
  }
  if (e.kind === 'other' && e.op === Op.RefNull && e.index !== undefined) {
    if (e.index !== elemType)
      invalid(
        { ...ctx, instr: 'ref.null' },
        `type mismatch: expected ${valTypeName(elemType)}, got ${valTypeName(e.index)}`,
      );
    return;
  }
  checkConstExpr(m, ctx, e, elemType, m.globals.length);
  defer(m, ctx, 'element expressions other than ref.func / ref.null are not supported');
}

function checkDatas(m: ModuleCtx): void {
  m.mod.datas.forEach((seg, i) => {
    const ctx = { item: `data ${i}` };
    if (seg.mode !== 'active') return;
    if (seg.memoryIndex >= m.memories.length) invalid(ctx, `unknown memory ${seg.memoryIndex}`);
    if (seg.offset === undefined) invalid(ctx, 'active segment without offset');
    checkConstExpr(m, ctx, seg.offset, I32, m.globals.length);
  });
}

// ---------------------------------------------------------------- function validation

interface Frame {
  op: number;
  params: readonly number[];
  results: readonly number[];
  /** operand-stack height at block entry, below the params */
  height: number;
  /** the rest of the block is unreachable (stack-polymorphic) */
  unreachable: boolean;
  /** the block itself started in unreachable code */
  dead: boolean;
}

class FuncValidator {
  private readonly vals: number[] = [];
  private readonly ctrls: Frame[] = [];
  private readonly locals: number[];
  private readonly type: FuncType;
  private readonly funcIndex: number;
  private readonly funcName: string | undefined;
  private ins!: Instr;

  constructor(
    private readonly m: ModuleCtx,
    private readonly func: Func,
    definedIndex: number,
  ) {
    this.funcIndex = m.funcTypes.length - m.mod.funcs.length + definedIndex;
    this.funcName = m.mod.funcNames.get(this.funcIndex);
    this.type = m.funcTypes[this.funcIndex];
    this.locals = [...this.type.params, ...func.locals];
  }

  run(): FuncAnalysis {
    const { body } = this.func;
    const fctx = { funcIndex: this.funcIndex, funcName: this.funcName, offset: this.func.offset };
    checkFuncTypeSupported(this.m, fctx, this.type);
    checkValTypes(this.m, fctx, this.func.locals, 'local');
    const heights = new Int32Array(body.length);
    let maxHeight = 0;
    this.ctrls.push({
      op: Op.Block,
      params: [],
      results: this.type.results,
      height: 0,
      unreachable: false,
      dead: false,
    });
    for (let i = 0; i < body.length; i++) {
      this.ins = body[i];
      if (this.ctrls.length === 0) this.fail('instructions after the function body end');
      const h = this.step(this.ins);
      heights[i] = h;
      if (h > maxHeight) maxHeight = h;
    }
    if (this.ctrls.length !== 0) {
      this.ins = body[body.length - 1] ?? { op: Op.End, offset: this.func.offset };
      this.fail('function body must end with end');
    }
    return { heights, maxHeight };
  }

  // -------------------------------------------------- errors

  private where(): WasmErrorContext {
    return {
      funcIndex: this.funcIndex,
      funcName: this.funcName,
      offset: this.ins.offset,
      instr: opName(this.ins.op),
    };
  }

  private fail(reason: string): never {
    throw new WasmValidationError(this.where(), reason);
  }

  private unsupportedNow(reason: string): never {
    throw new WasmUnsupportedError(this.where(), reason);
  }

  private unsupported(reason: string): void {
    defer(this.m, this.where(), reason);
  }

  private checkValType(t: number, what: string): void {
    const problem = valTypeProblem(t);
    if (problem) this.unsupported(`${valTypeName(t)} ${what}: ${problem}`);
  }

  // -------------------------------------------------- operand and control stacks

  private push(t: number): void {
    this.vals.push(t);
  }

  private pushVals(types: readonly number[]): void {
    for (const t of types) this.vals.push(t);
  }

  private pop(expected?: number): number {
    const frame = this.ctrls[this.ctrls.length - 1];
    if (this.vals.length === frame.height) {
      if (frame.unreachable) return UNKNOWN;
      this.fail(
        `type mismatch: expected ${expected === undefined ? 'a value' : valTypeName(expected)}, stack is empty`,
      );
    }
    const actual = this.vals.pop()!;
    if (expected !== undefined && actual !== expected && actual !== UNKNOWN && expected !== UNKNOWN) {
      this.fail(`type mismatch: expected ${valTypeName(expected)}, got ${valTypeName(actual)}`);
    }
    return actual;
  }

  private popVals(types: readonly number[]): number[] {
    const out = new Array<number>(types.length);
    for (let i = types.length - 1; i >= 0; i--) out[i] = this.pop(types[i]);
    return out;
  }

  private pushCtrl(op: number, params: readonly number[], results: readonly number[]): void {
    const parent = this.ctrls[this.ctrls.length - 1];
    const dead = parent.dead || parent.unreachable;
    this.ctrls.push({ op, params, results, height: this.vals.length, unreachable: false, dead });
    this.pushVals(params);
  }

  private popCtrl(): Frame {
    const frame = this.ctrls[this.ctrls.length - 1];
    this.popVals(frame.results);
    if (this.vals.length !== frame.height) {
      this.fail(`type mismatch: ${this.vals.length - frame.height} extra value(s) at the end of the block`);
    }
    this.ctrls.pop();
    return frame;
  }

  private label(depth: number): readonly number[] {
    if (depth >= this.ctrls.length) this.fail(`unknown label ${depth}`);
    const frame = this.ctrls[this.ctrls.length - 1 - depth];
    return frame.op === Op.Loop ? frame.params : frame.results;
  }

  private setUnreachable(): void {
    const frame = this.ctrls[this.ctrls.length - 1];
    this.vals.length = frame.height;
    frame.unreachable = true;
  }

  /** Height recorded for an end/else closing the current frame (see the file comment). */
  private closingHeight(): number {
    const frame = this.ctrls[this.ctrls.length - 1];
    if (frame.dead) return -1;
    return frame.unreachable ? frame.height : this.vals.length;
  }

  // -------------------------------------------------- instructions

  /** Type-check one instruction; returns the height to record for it. */
  private step(ins: Instr): number {
    const frame = this.ctrls[this.ctrls.length - 1];
    const height = frame.unreachable || frame.dead ? -1 : this.vals.length;
    const op = ins.op;
    const numeric = NUMERIC_SIGS.get(op);
    if (numeric !== undefined) {
      if (numeric[0].some(isFloat) || numeric[1].some(isFloat)) this.unsupported(FLOAT_REASON);
      this.popVals(numeric[0]);
      this.pushVals(numeric[1]);
      return height;
    }
    const mem = MEMORY_ACCESS.get(op);
    if (mem !== undefined) {
      this.memoryAccess(ins, mem);
      return height;
    }
    switch (op) {
      case Op.End:
      case Op.Else:
        return this.closeBlock(op);
      default:
        this.control(ins) || this.variable(ins) || this.other(ins);
        return height;
    }
  }

  private closeBlock(op: number): number {
    const h = this.closingHeight();
    const frame = this.popCtrl();
    if (op === Op.Else) {
      if (frame.op !== Op.If) this.fail('else without a matching if');
      this.ctrls.push({ ...frame, op: Op.Else, unreachable: false });
      this.pushVals(frame.params);
      return h;
    }
    if (frame.op === Op.If && !sameTypes(frame.params, frame.results)) {
      this.fail('type mismatch: if without else must have the same parameter and result types');
    }
    this.pushVals(frame.results);
    return h;
  }

  private blockType(ins: Instr): FuncType {
    const t = ins.type ?? this.fail(`unknown type ${ins.a}`);
    for (const p of t.params) this.checkValType(p, 'block parameter');
    for (const r of t.results) this.checkValType(r, 'block result');
    return t;
  }

  /** Control instructions; returns false if `ins` is not one. */
  private control(ins: Instr): boolean {
    switch (ins.op) {
      case Op.Unreachable:
        this.setUnreachable();
        return true;
      case Op.Nop:
        return true;
      case Op.Block:
      case Op.Loop:
      case Op.If: {
        const t = this.blockType(ins);
        if (ins.op === Op.If) this.pop(I32);
        this.popVals(t.params);
        this.pushCtrl(ins.op, t.params, t.results);
        return true;
      }
      case Op.Br:
        this.popVals(this.label(ins.a!));
        this.setUnreachable();
        return true;
      case Op.BrIf: {
        const types = this.label(ins.a!);
        this.pop(I32);
        this.popVals(types);
        this.pushVals(types);
        return true;
      }
      case Op.BrTable:
        this.brTable(ins);
        return true;
      case Op.Return:
        this.popVals(this.type.results);
        this.setUnreachable();
        return true;
      case Op.Call: {
        const t = this.m.funcTypes[ins.a!] ?? this.fail(`unknown function ${ins.a}`);
        this.popVals(t.params);
        this.pushVals(t.results);
        return true;
      }
      case Op.CallIndirect:
        this.callIndirect(ins);
        return true;
      default:
        return false;
    }
  }

  private brTable(ins: Instr): void {
    this.pop(I32);
    const dflt = this.label(ins.a!);
    for (const depth of ins.targets ?? []) {
      const types = this.label(depth);
      if (types.length !== dflt.length) this.fail(`type mismatch: br_table targets of different arity`);
      this.pushVals(this.popVals(types));
    }
    this.popVals(dflt);
    this.setUnreachable();
  }

  private callIndirect(ins: Instr): void {
    const table = this.m.tables[ins.b!] ?? this.fail(`unknown table ${ins.b}`);
    if (table.elemType !== FuncRef) this.fail('type mismatch: call_indirect needs a funcref table');
    const t = this.m.mod.types[ins.a!] ?? this.fail(`unknown type ${ins.a}`);
    this.checkValType(t.params.find(isUnsupportedType) ?? I32, 'parameter');
    this.checkValType(t.results.find(isUnsupportedType) ?? I32, 'result');
    this.pop(I32);
    this.popVals(t.params);
    this.pushVals(t.results);
  }

  /** Parametric and variable instructions; returns false if `ins` is not one. */
  private variable(ins: Instr): boolean {
    switch (ins.op) {
      case Op.Drop:
        this.pop();
        return true;
      case Op.Select:
        this.select();
        return true;
      case Op.SelectT: {
        const types = ins.types ?? [];
        if (types.length !== 1) this.fail('invalid result arity: typed select needs exactly one type');
        const t = types[0];
        this.checkValType(t, 'select');
        this.pop(I32);
        this.pop(t);
        this.pop(t);
        this.push(t);
        return true;
      }
      case Op.LocalGet:
        this.push(this.local(ins.a!));
        return true;
      case Op.LocalSet:
        this.pop(this.local(ins.a!));
        return true;
      case Op.LocalTee: {
        const t = this.local(ins.a!);
        this.pop(t);
        this.push(t);
        return true;
      }
      case Op.GlobalGet:
        this.push(this.global(ins.a!).type);
        return true;
      case Op.GlobalSet: {
        const g = this.global(ins.a!);
        if (!g.mutable) this.fail(`global ${ins.a} is immutable`);
        this.pop(g.type);
        return true;
      }
      case Op.I32Const:
        this.push(I32);
        return true;
      case Op.I64Const:
        this.push(I64);
        return true;
      case Op.F32Const:
      case Op.F64Const:
        this.unsupported(FLOAT_REASON);
        this.push(ins.op === Op.F32Const ? F32 : F64);
        return true;
      default:
        return false;
    }
  }

  private select(): void {
    this.pop(I32);
    const t1 = this.pop();
    const t2 = this.pop();
    if (!isNumeric(t1) || !isNumeric(t2))
      this.fail('type mismatch: select without type needs numeric operands');
    if (t1 !== t2 && t1 !== UNKNOWN && t2 !== UNKNOWN) {
      this.fail(`type mismatch: select operands ${valTypeName(t2)} and ${valTypeName(t1)}`);
    }
    this.push(t1 === UNKNOWN ? t2 : t1);
  }

  private local(index: number): number {
    const t = this.locals[index];
    if (t === undefined) this.fail(`unknown local ${index}`);
    return t;
  }

  private global(index: number): GlobalType {
    return this.m.globals[index] ?? this.fail(`unknown global ${index}`);
  }

  private memory(index: number): void {
    if (index >= this.m.memories.length) this.fail(`unknown memory ${index}`);
  }

  private memoryAccess(ins: Instr, mem: { type: number; maxAlign: number; store: boolean }): void {
    this.memory(0);
    if (ins.a! > mem.maxAlign) this.fail(`alignment must not be larger than natural (2^${ins.a})`);
    if (isFloat(mem.type)) this.unsupported(FLOAT_REASON);
    if (mem.store) {
      this.pop(mem.type);
      this.pop(I32);
    } else {
      this.pop(I32);
      this.push(mem.type);
    }
  }

  private dataIndex(index: number): void {
    const count = this.m.mod.dataCount;
    if (count === undefined) this.fail('data count section required');
    if (index >= count) this.fail(`unknown data segment ${index}`);
  }

  /** Memory, table and reference instructions, and the rejected proposals. */
  private other(ins: Instr): void {
    switch (ins.op) {
      case Op.MemorySize:
        this.memory(ins.a!);
        this.push(I32);
        return;
      case Op.MemoryGrow:
        this.memory(ins.a!);
        this.pop(I32);
        this.push(I32);
        return;
      case Op.MemoryFill:
        this.memory(ins.a!);
        this.popVals([I32, I32, I32]);
        return;
      case Op.MemoryCopy:
        this.memory(ins.a!);
        this.memory(ins.b!);
        this.popVals([I32, I32, I32]);
        return;
      case Op.MemoryInit:
        this.memory(ins.b!);
        this.dataIndex(ins.a!);
        this.popVals([I32, I32, I32]);
        return;
      case Op.DataDrop:
        this.dataIndex(ins.a!);
        return;
      default:
        this.reference(ins);
    }
  }

  private table(index: number): Table {
    return this.m.tables[index] ?? this.fail(`unknown table ${index}`);
  }

  private elemSegment(index: number): ElemSegment {
    return this.m.mod.elems[index] ?? this.fail(`unknown elem segment ${index}`);
  }

  /** Reference-types instructions: ref.* run; the table ones are type-checked, then refused. */
  private reference(ins: Instr): void {
    switch (ins.op) {
      // ref.null, ref.is_null, ref.func: run by the machine (references are i32 values, §5.5)
      case Op.RefNull:
        this.push(ins.a === ExternRef ? ExternRef : FuncRef);
        return;
      case Op.RefIsNull: {
        const t = this.pop();
        if (t !== UNKNOWN && t !== FuncRef && t !== ExternRef)
          this.fail('type mismatch: ref.is_null needs a reference');
        this.push(I32);
        return;
      }
      case Op.RefFunc:
        if (ins.a! >= this.m.funcTypes.length) this.fail(`unknown function ${ins.a}`);
        if (!this.m.refs.has(ins.a!)) this.fail(`undeclared function reference ${ins.a}`);
        this.push(FuncRef);
        return;
      case Op.TableGet:
        this.pop(I32);
        this.push(this.table(ins.a!).elemType);
        return;
      case Op.TableSet:
        this.pop(this.table(ins.a!).elemType);
        this.pop(I32);
        return;
      case Op.TableSize:
        this.table(ins.a!);
        this.push(I32);
        return;
      case Op.TableGrow:
        this.pop(I32);
        this.pop(this.table(ins.a!).elemType);
        this.push(I32);
        return;
      case Op.TableFill: {
        const t = this.table(ins.a!).elemType;
        this.popVals([I32, t, I32]);
        return;
      }
      case Op.TableCopy:
        if (this.table(ins.a!).elemType !== this.table(ins.b!).elemType)
          this.fail('type mismatch: table types differ');
        this.popVals([I32, I32, I32]);
        return;
      case Op.TableInit:
        if (this.table(ins.b!).elemType !== this.elemSegment(ins.a!).elemType)
          this.fail('type mismatch: the segment and the table have different reference types');
        this.popVals([I32, I32, I32]);
        return;
      case Op.ElemDrop:
        this.elemSegment(ins.a!);
        return;
      default:
        this.rejected(ins);
    }
  }

  private rejected(ins: Instr): never {
    if (TAIL_CALL_OPS.has(ins.op))
      this.unsupportedNow('tail calls and typed function references are not supported');
    if (EXCEPTION_OPS.has(ins.op)) this.unsupportedNow('exception handling is not supported');
    if (FUNC_REF_OPS.has(ins.op)) this.unsupportedNow('typed function references / GC are not supported');
    return this.fail(`unknown instruction 0x${ins.op.toString(16)}`);
  }
}

function isFloat(t: number): boolean {
  return t === F32 || t === F64;
}

function isUnsupportedType(t: number): boolean {
  return valTypeProblem(t) !== undefined;
}

function isNumeric(t: number): boolean {
  return t === UNKNOWN || t === I32 || t === I64 || t === F32 || t === F64 || t === V128;
}
