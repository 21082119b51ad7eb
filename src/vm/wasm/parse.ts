/**
 * Wasm binary decoder: bytes -> `WasmModule` (module.ts). Decodes the MVP plus the encodings of
 * sign-extension, multi-value, bulk memory, reference types, tail calls, exceptions, SIMD and
 * atomics, so that the validator can name what it rejects. Malformed input throws `WasmParseError`
 * (never anything else). SIMD, atomics and GC instructions are not turned into `Instr`s: the parser
 * decodes past them and, if the rest of the binary is well-formed, throws `WasmUnsupportedError`.
 *
 * Block types: `Instr.type` is the resolved function type; for the type-index form `Instr.a` is the
 * type index, and `type` is left undefined if the index is out of range (the validator reports it).
 */
import { type WasmErrorContext, WasmParseError, WasmUnsupportedError } from './errors.ts';
import {
  type ConstExpr,
  type DataSegment,
  type ElemSegment,
  type Export,
  type Func,
  type FuncType,
  type Global,
  type Import,
  type Instr,
  type Limits,
  type Table,
  ValType,
  type WasmModule,
} from './module.ts';
import { Op } from './opcodes.ts';
import { isUnreachableReason, TRAP_SECTION, type UnreachableReason } from './trap-reasons.ts';

/** Defined functions may declare at most this many locals (V8's limit); more is unsupported. */
export const MAX_LOCALS = 50_000;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const SectionId = {
  Custom: 0,
  Type: 1,
  Import: 2,
  Function: 3,
  Table: 4,
  Memory: 5,
  Global: 6,
  Export: 7,
  Start: 8,
  Element: 9,
  Code: 10,
  Data: 11,
  DataCount: 12,
  Tag: 13,
} as const;

/** Required order of the non-custom sections (tag and datacount sit between the MVP ones). */
const SECTION_RANK = new Map<number, number>([
  [SectionId.Type, 1],
  [SectionId.Import, 2],
  [SectionId.Function, 3],
  [SectionId.Table, 4],
  [SectionId.Memory, 5],
  [SectionId.Tag, 6],
  [SectionId.Global, 7],
  [SectionId.Export, 8],
  [SectionId.Start, 9],
  [SectionId.Element, 10],
  [SectionId.DataCount, 11],
  [SectionId.Code, 12],
  [SectionId.Data, 13],
]);

const SIMPLE_VALTYPES = new Set<number>([
  ValType.I32,
  ValType.I64,
  ValType.F32,
  ValType.F64,
  ValType.V128,
  ValType.FuncRef,
  ValType.ExternRef,
]);

/** GC-proposal reference type encodings: (ref ht), (ref null ht), and abstract heap type shorthands. */
const GC_REF_PREFIXES = new Set<number>([0x63, 0x64]);
const GC_ABSTRACT_HEAPTYPES = new Set<number>([0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x71, 0x72, 0x73, 0x74]);

const EMPTY_BLOCK: FuncType = Object.freeze({ params: [], results: [] }) as FuncType;
const SINGLE_RESULT_BLOCKS = new Map<number, FuncType>();
for (const t of SIMPLE_VALTYPES) SINGLE_RESULT_BLOCKS.set(t, { params: [], results: [t] });

const TWO_32 = 2 ** 32;

/** A bounded cursor over the binary. Every read checks `end`; failures are `WasmParseError`s. */
class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos: number,
    readonly end: number,
    readonly ctx: Omit<WasmErrorContext, 'offset'> = {},
  ) {
    this.pos = pos;
  }

  fail(reason: string, at = this.pos): never {
    throw new WasmParseError(at, reason, this.ctx);
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.bytes[this.pos++];
  }

  peek(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.bytes[this.pos];
  }

  skip(n: number): void {
    if (n > this.end - this.pos) this.fail('unexpected end');
    this.pos += n;
  }

  take(n: number): Uint8Array {
    if (n > this.end - this.pos) this.fail('unexpected end of section or function (length out of bounds)');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Unsigned LEB128, at most 5 bytes, value < 2^32. */
  u32(): number {
    const start = this.pos;
    let result = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      result |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return result >>> 0;
    }
    const b = this.u8();
    if (b & 0x80) this.fail('integer representation too long', start);
    if (b & 0x70) this.fail('integer too large', start);
    return (result >>> 0) + b * 2 ** 28;
  }

  /** Signed LEB128, at most 5 bytes, value in int32 range. */
  s32(): number {
    const start = this.pos;
    let result = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      result |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) {
        const shift = 7 * (i + 1);
        return b & 0x40 ? result | (-1 << shift) : result;
      }
    }
    const b = this.u8();
    if (b & 0x80) this.fail('integer representation too long', start);
    const top = b & 0x78;
    if (top !== 0 && top !== 0x78) this.fail('integer too large', start);
    return result | (b << 28);
  }

  /** Signed LEB128 of 33 bits (block types), at most 5 bytes. */
  s33(): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? result - scale : result;
    }
    const b = this.u8();
    if (b & 0x80) this.fail('integer representation too long', start);
    const top = b & 0x70;
    if (top !== 0 && top !== 0x70) this.fail('integer too large', start);
    result += (b & 0x1f) * scale;
    return b & 0x10 ? result - 2 ** 33 : result;
  }

  /** Signed LEB128, at most 10 bytes, value in int64 range. */
  s64(): bigint {
    const start = this.pos;
    // fast path: up to 4 bytes fit a 28-bit number
    let small = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      small |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) {
        const shift = 7 * (i + 1);
        return BigInt(b & 0x40 ? small | (-1 << shift) : small);
      }
    }
    let result = BigInt(small);
    for (let i = 4; i < 10; i++) {
      const b = this.u8();
      if (i === 9) {
        if (b & 0x80) this.fail('integer representation too long', start);
        if (b !== 0 && b !== 0x7f) this.fail('integer too large', start);
        return BigInt.asIntN(64, result | (BigInt(b & 1) << 63n));
      }
      const shift = BigInt(7 * i);
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return b & 0x40 ? result - (1n << (shift + 7n)) : result;
    }
    return result; // unreachable
  }

  /** Unsigned LEB128 of 64 bits (memory64 limits); returned as a (possibly inexact) number. */
  u64(): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      if (i === 9) {
        if (b & 0x80) this.fail('integer representation too long', start);
        if (b > 1) this.fail('integer too large', start);
      }
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
    return result;
  }

  /** A vector length; each element takes at least one byte, so longer vectors are truncated input. */
  count(): number {
    const at = this.pos;
    const n = this.u32();
    if (n > this.end - this.pos) this.fail('unexpected end (vector length out of bounds)', at);
    return n;
  }

  name(): string {
    const at = this.pos;
    const len = this.u32();
    const raw = this.take(len);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('malformed UTF-8 encoding', at);
    }
  }
}

interface PendingBody {
  start: number;
  end: number;
}

/** Decode a wasm binary. Throws `WasmParseError` if malformed, `WasmUnsupportedError` for SIMD/atomics/GC. */
export function parseModule(bytes: Uint8Array): WasmModule {
  try {
    return new Parser(bytes).parse();
  } catch (e) {
    if (e instanceof WasmParseError || e instanceof WasmUnsupportedError) throw e;
    // Defensive: nothing else may escape (e.g. allocation failures on absurd sizes).
    throw new WasmParseError(0, `cannot decode module: ${e instanceof Error ? e.message : String(e)}`);
  }
}

class Parser {
  private readonly mod: WasmModule = {
    types: [],
    imports: [],
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    exports: [],
    elems: [],
    datas: [],
    funcNames: new Map(),
  };
  private funcTypeIndices: number[] = [];
  private bodies: PendingBody[] = [];
  private numFuncImports = 0;
  /** first unsupported feature seen; thrown once the whole binary has been checked for malformedness */
  private pending: WasmUnsupportedError | undefined;

  constructor(private readonly bytes: Uint8Array) {}

  private unsupported(ctx: WasmErrorContext, reason: string): void {
    this.pending ??= new WasmUnsupportedError(ctx, reason);
  }

  parse(): WasmModule {
    const r = new Reader(this.bytes, 0, this.bytes.length);
    this.header(r);
    let lastRank = 0;
    while (!r.eof()) {
      const sectionStart = r.pos;
      const id = r.u8();
      const size = r.u32();
      if (size > r.remaining()) r.fail('section size out of bounds (unexpected end)', sectionStart);
      const end = r.pos + size;
      if (id !== SectionId.Custom) {
        const rank = SECTION_RANK.get(id);
        if (rank === undefined) return r.fail(`malformed section id ${id}`, sectionStart);
        if (rank <= lastRank) r.fail(`unexpected section ${id}: duplicate or out of order`, sectionStart);
        lastRank = rank;
      }
      const s = new Reader(this.bytes, r.pos, end);
      this.section(id, s);
      if (s.pos !== end) s.fail(`section size mismatch: section ${id} ends at ${end}`);
      r.pos = end;
    }
    this.finish(r);
    if (this.pending) throw this.pending;
    return this.mod;
  }

  private header(r: Reader): void {
    const magic = [0x00, 0x61, 0x73, 0x6d];
    for (let i = 0; i < 4; i++) {
      if (r.pos >= r.end || r.u8() !== magic[i]) r.fail('magic header not detected', 0);
    }
    const version = [0x01, 0x00, 0x00, 0x00];
    for (let i = 0; i < 4; i++) {
      if (r.pos >= r.end || r.u8() !== version[i]) r.fail('unknown binary version', 4);
    }
  }

  private finish(r: Reader): void {
    if (this.funcTypeIndices.length !== this.bodies.length) {
      r.fail(
        `function and code section have inconsistent lengths (${this.funcTypeIndices.length} vs ${this.bodies.length})`,
      );
    }
    const { dataCount, datas } = this.mod;
    if (dataCount !== undefined && dataCount !== datas.length) {
      r.fail(`data count and data section have inconsistent lengths (${dataCount} vs ${datas.length})`);
    }
    for (let i = 0; i < this.bodies.length; i++) {
      this.mod.funcs.push(this.body(i, this.bodies[i]));
    }
  }

  private section(id: number, r: Reader): void {
    switch (id) {
      case SectionId.Custom:
        this.customSection(r);
        break;
      case SectionId.Type:
        this.repeat(r, () => this.mod.types.push(this.funcType(r)));
        break;
      case SectionId.Import:
        this.repeat(r, () => this.mod.imports.push(this.importEntry(r)));
        break;
      case SectionId.Function:
        this.repeat(r, () => this.funcTypeIndices.push(r.u32()));
        break;
      case SectionId.Table:
        this.repeat(r, () => this.mod.tables.push(this.tableEntry(r)));
        break;
      case SectionId.Memory:
        this.repeat(r, () => this.mod.memories.push(this.limits(r, true)));
        break;
      case SectionId.Tag:
        this.repeat(r, () => this.tag(r));
        break;
      case SectionId.Global:
        this.repeat(r, () => this.mod.globals.push(this.global(r)));
        break;
      case SectionId.Export:
        this.repeat(r, () => this.mod.exports.push(this.exportEntry(r)));
        break;
      case SectionId.Start:
        this.mod.start = r.u32();
        return;
      case SectionId.Element:
        this.repeat(r, () => this.mod.elems.push(this.elem(r)));
        break;
      case SectionId.DataCount:
        this.mod.dataCount = r.u32();
        return;
      case SectionId.Code:
        this.repeat(r, () => this.bodies.push(this.codeEntry(r)));
        break;
      case SectionId.Data:
        this.repeat(r, () => this.mod.datas.push(this.data(r)));
        break;
    }
  }

  private repeat(r: Reader, each: () => void): void {
    const n = r.count();
    for (let i = 0; i < n; i++) each();
  }

  // ---------------------------------------------------------------- types

  private valType(r: Reader): number {
    const at = r.pos;
    const b = r.u8();
    if (SIMPLE_VALTYPES.has(b)) return b;
    if (GC_REF_PREFIXES.has(b) || GC_ABSTRACT_HEAPTYPES.has(b)) {
      if (GC_REF_PREFIXES.has(b)) this.heapType(r);
      this.unsupported({ offset: at }, 'typed function references / GC reference types are not supported');
      return ValType.ExternRef;
    }
    return r.fail(`malformed value type 0x${b.toString(16)}`, at);
  }

  private heapType(r: Reader): number {
    const b = r.peek();
    if (b === ValType.FuncRef || b === ValType.ExternRef) {
      r.pos++;
      return b;
    }
    const at = r.pos;
    const ht = r.s33();
    if (ht < 0 && !GC_ABSTRACT_HEAPTYPES.has(ht & 0x7f)) r.fail('malformed heap type', at);
    this.unsupported({ offset: at }, 'typed function references / GC heap types are not supported');
    return ht;
  }

  private refType(r: Reader): number {
    const at = r.pos;
    const t = this.valType(r);
    if (t !== ValType.FuncRef && t !== ValType.ExternRef) r.fail('malformed reference type', at);
    return t;
  }

  private funcType(r: Reader): FuncType {
    const at = r.pos;
    const form = r.u8();
    if (form !== 0x60) {
      if (form === 0x4e || form === 0x50 || form === 0x4f || form === 0x5e || form === 0x5f) {
        // GC composite types cannot be decoded without the GC type grammar; stop here.
        throw new WasmUnsupportedError({ offset: at }, 'GC types (struct/array/rec/sub) are not supported');
      }
      r.fail(`malformed function type form 0x${form.toString(16)}`, at);
    }
    const params = this.valTypes(r);
    const results = this.valTypes(r);
    return { params, results };
  }

  private valTypes(r: Reader): number[] {
    const n = r.count();
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.valType(r);
    return out;
  }

  private limits(r: Reader, memory: boolean): Limits {
    const at = r.pos;
    const flags = r.u8();
    if (flags > 7 || (!memory && flags & 2)) r.fail(`malformed limits flags 0x${flags.toString(16)}`, at);
    const is64 = (flags & 4) !== 0;
    const read = () => (is64 ? r.u64() : r.u32());
    const limits: Limits = { min: read() };
    if (flags & 1) limits.max = read();
    if (is64) limits.is64 = true;
    if (flags & 2) limits.shared = true;
    return limits;
  }

  // ---------------------------------------------------------------- module-level entries

  private importEntry(r: Reader): Import {
    const module = r.name();
    const name = r.name();
    const at = r.pos;
    const kind = r.u8();
    switch (kind) {
      case 0:
        this.numFuncImports++;
        return { module, name, kind: 'func', typeIndex: r.u32() };
      case 1: {
        const elemType = this.refType(r);
        return { module, name, kind: 'table', elemType, limits: this.limits(r, false) };
      }
      case 2:
        return { module, name, kind: 'memory', limits: this.limits(r, true) };
      case 3:
        return { module, name, kind: 'global', type: this.globalType(r) };
      case 4:
        r.u8();
        r.u32();
        this.unsupported(
          { offset: at, item: `import ${JSON.stringify(module)}.${JSON.stringify(name)}` },
          'exception handling (tag imports) is not supported',
        );
        return { module, name, kind: 'func', typeIndex: 0 };
      default:
        return r.fail(`malformed import kind ${kind}`, at);
    }
  }

  private globalType(r: Reader): { type: number; mutable: boolean } {
    const type = this.valType(r);
    const at = r.pos;
    const m = r.u8();
    if (m > 1) r.fail('malformed mutability', at);
    return { type, mutable: m === 1 };
  }

  private tableEntry(r: Reader): Table {
    if (r.peek() === 0x40) {
      const at = r.pos;
      r.pos++;
      if (r.u8() !== 0x00) r.fail('malformed table type', at);
      const elemType = this.refType(r);
      const limits = this.limits(r, false);
      this.expr(r, { offset: at, item: `table ${this.mod.tables.length}` });
      this.unsupported({ offset: at }, 'table initializer expressions are not supported');
      return { elemType, limits };
    }
    const elemType = this.refType(r);
    return { elemType, limits: this.limits(r, false) };
  }

  private tag(r: Reader): void {
    const at = r.pos;
    if (r.u8() !== 0) r.fail('malformed tag attribute', at);
    r.u32();
    this.unsupported({ offset: at }, 'exception handling (tag section) is not supported');
  }

  private global(r: Reader): Global {
    const type = this.globalType(r);
    const init = this.constExpr(r, { item: `global ${this.mod.globals.length}` });
    return { type, init };
  }

  private exportEntry(r: Reader): Export {
    const name = r.name();
    const at = r.pos;
    const kind = r.u8();
    const index = r.u32();
    const kinds = ['func', 'table', 'memory', 'global'] as const;
    if (kind === 4) {
      this.unsupported(
        { offset: at, item: `export ${JSON.stringify(name)}` },
        'exception tags are not supported',
      );
      return { name, kind: 'func', index };
    }
    if (kind >= kinds.length) r.fail(`malformed export kind ${kind}`, at);
    return { name, kind: kinds[kind], index };
  }

  private elem(r: Reader): ElemSegment {
    const at = r.pos;
    const flags = r.u32();
    if (flags > 7) r.fail(`malformed elements segment kind ${flags}`, at);
    const item = { item: `elem ${this.mod.elems.length}` };
    const passiveOrDecl = (flags & 1) !== 0;
    const explicitTable = (flags & 2) !== 0;
    const usesExprs = (flags & 4) !== 0;
    const mode = !passiveOrDecl ? 'active' : explicitTable ? 'declarative' : 'passive';
    const seg: ElemSegment = { mode, tableIndex: 0, elemType: ValType.FuncRef, funcIndices: [] };
    if (mode === 'active') {
      if (explicitTable) seg.tableIndex = r.u32();
      seg.offset = this.constExpr(r, item);
    }
    if (passiveOrDecl || explicitTable) {
      const tat = r.pos;
      if (usesExprs) seg.elemType = this.refType(r);
      else if (r.u8() !== 0x00) r.fail('malformed element kind', tat);
    }
    const n = r.count();
    if (!usesExprs) {
      for (let i = 0; i < n; i++) seg.funcIndices.push(r.u32());
      return seg;
    }
    // the validator checks each expression (type, function index, constness) and refuses what
    // the machine does not run (docs/machine.md §1)
    seg.exprs = [];
    for (let i = 0; i < n; i++) {
      const e = this.constExpr(r, item);
      seg.exprs.push(e);
      seg.funcIndices.push(e.kind === 'other' && e.op === Op.RefFunc ? e.index! : null);
    }
    return seg;
  }

  private data(r: Reader): DataSegment {
    const at = r.pos;
    const flags = r.u32();
    const item = { item: `data ${this.mod.datas.length}` };
    let seg: DataSegment;
    if (flags === 0) {
      seg = { mode: 'active', memoryIndex: 0, offset: this.constExpr(r, item), bytes: new Uint8Array() };
    } else if (flags === 1) {
      seg = { mode: 'passive', memoryIndex: 0, bytes: new Uint8Array() };
    } else if (flags === 2) {
      const memoryIndex = r.u32();
      seg = { mode: 'active', memoryIndex, offset: this.constExpr(r, item), bytes: new Uint8Array() };
    } else {
      return r.fail(`malformed data segment kind ${flags}`, at);
    }
    seg.bytes = r.take(r.u32()).slice();
    return seg;
  }

  private codeEntry(r: Reader): PendingBody {
    const size = r.u32();
    if (size > r.remaining()) r.fail('function body size out of bounds (unexpected end)');
    const start = r.pos;
    r.pos += size;
    return { start, end: start + size };
  }

  private customSection(r: Reader): void {
    const name = r.name();
    if (name === 'name') this.nameSection(r);
    else if (name === TRAP_SECTION) this.trapSection(r);
    r.pos = r.end;
  }

  /** `modex.traps` (trap-reasons.ts) is advisory too: a broken one, or an unknown reason, is ignored. */
  private trapSection(r: Reader): void {
    try {
      const reasons = new Map<number, UnreachableReason>();
      const n = r.count();
      for (let i = 0; i < n; i++) {
        const f = r.u32();
        const reason = r.name();
        if (isUnreachableReason(reason)) reasons.set(f, reason);
      }
      if (reasons.size > 0) this.mod.trapReasons = reasons;
    } catch (e) {
      if (!(e instanceof WasmParseError)) throw e;
    }
  }

  /** The `name` section is advisory: a broken one is ignored (function names decoded so far are dropped). */
  private nameSection(r: Reader): void {
    try {
      while (!r.eof()) {
        const id = r.u8();
        const size = r.u32();
        if (size > r.remaining()) return;
        const end = r.pos + size;
        if (id === 1) {
          const sub = new Reader(this.bytes, r.pos, end);
          const names = new Map<number, string>();
          const n = sub.count();
          for (let i = 0; i < n; i++) {
            const idx = sub.u32();
            names.set(idx, sub.name());
          }
          for (const [k, v] of names) this.mod.funcNames.set(k, v);
        }
        r.pos = end;
      }
    } catch (e) {
      if (!(e instanceof WasmParseError)) throw e;
    }
  }

  // ---------------------------------------------------------------- code

  private body(i: number, pb: PendingBody): Func {
    const funcIndex = this.numFuncImports + i;
    const funcName = this.mod.funcNames.get(funcIndex);
    const ctx = funcName === undefined ? { funcIndex } : { funcIndex, funcName };
    const r = new Reader(this.bytes, pb.start, pb.end, ctx);
    const locals = this.locals(r, ctx);
    const body = this.expr(r, ctx);
    if (r.pos !== pb.end) r.fail('section size mismatch: function body continues after its final end');
    return { typeIndex: this.funcTypeIndices[i], locals, body, offset: pb.start };
  }

  private locals(r: Reader, ctx: Omit<WasmErrorContext, 'offset'>): number[] {
    const at = r.pos;
    const groups = r.count();
    const counts: number[] = [];
    const types: number[] = [];
    let total = 0;
    for (let g = 0; g < groups; g++) {
      const n = r.u32();
      counts.push(n);
      types.push(this.valType(r));
      total += n;
      if (total >= TWO_32) r.fail('too many locals', at);
    }
    if (total > MAX_LOCALS) {
      this.unsupported({ ...ctx, offset: at }, `${total} locals exceed the limit of ${MAX_LOCALS}`);
      return [];
    }
    const locals: number[] = [];
    for (let g = 0; g < groups; g++) for (let k = 0; k < counts[g]; k++) locals.push(types[g]);
    return locals;
  }

  private constExpr(r: Reader, ctx: Omit<WasmErrorContext, 'offset'>): ConstExpr {
    const at = r.pos;
    return toConstExpr(this.expr(r, { ...ctx, offset: at }));
  }

  /** Decode instructions up to and including the `end` that closes the expression. */
  private expr(r: Reader, ctx: WasmErrorContext): Instr[] {
    const out: Instr[] = [];
    let depth = 1;
    for (;;) {
      const offset = r.pos;
      const op = r.u8();
      const ins = this.instr(r, op, offset, ctx);
      if (ins === undefined) continue;
      out.push(ins);
      if (op === Op.Block || op === Op.Loop || op === Op.If || op === Op.Try || op === Op.TryTable) depth++;
      else if ((op === Op.End || op === Op.Delegate) && --depth === 0) return out;
    }
  }

  private blockType(r: Reader, ins: Instr): void {
    const b = r.peek();
    if (b === 0x40) {
      r.pos++;
      ins.type = EMPTY_BLOCK;
      return;
    }
    if (SIMPLE_VALTYPES.has(b)) {
      r.pos++;
      ins.type = SINGLE_RESULT_BLOCKS.get(b);
      return;
    }
    if (GC_REF_PREFIXES.has(b) || GC_ABSTRACT_HEAPTYPES.has(b)) {
      ins.type = { params: [], results: [this.valType(r)] };
      return;
    }
    const at = r.pos;
    const idx = r.s33();
    if (idx < 0) r.fail('malformed block type', at);
    ins.a = idx;
    ins.type = this.mod.types[idx];
  }

  private memarg(r: Reader, ins: Instr): void {
    // wasm 2.0 §5.4.6: memarg ::= align:u32 offset:u32. Multi-memory (wasm 3.0) reads bit 6 of
    // align as "a memory index follows"; in 2.0 such an align is just too large, which the
    // validator rejects (alignment larger than natural), as V8 of Node 20 does
    ins.a = r.u32();
    ins.b = r.u32();
  }

  /** Decode one instruction's immediates. Returns undefined for instructions that are only skipped. */
  private instr(r: Reader, op: number, offset: number, ctx: WasmErrorContext): Instr | undefined {
    const ins: Instr = { op, offset };
    switch (op) {
      case Op.Block:
      case Op.Loop:
      case Op.If:
      case Op.Try:
        this.blockType(r, ins);
        break;
      case Op.TryTable:
        this.blockType(r, ins);
        this.tryTableCatches(r, ins);
        break;
      case Op.Br:
      case Op.BrIf:
      case Op.Rethrow:
      case Op.Delegate:
      case Op.BrOnNull:
      case Op.BrOnNonNull:
      case Op.Call:
      case Op.ReturnCall:
      case Op.CallRef:
      case Op.ReturnCallRef:
      case Op.Catch:
      case Op.Throw:
      case Op.LocalGet:
      case Op.LocalSet:
      case Op.LocalTee:
      case Op.GlobalGet:
      case Op.GlobalSet:
      case Op.TableGet:
      case Op.TableSet:
      case Op.MemorySize:
      case Op.MemoryGrow:
      case Op.RefFunc:
        ins.a = r.u32();
        break;
      case Op.BrTable: {
        const n = r.count();
        const targets = new Array<number>(n);
        for (let i = 0; i < n; i++) targets[i] = r.u32();
        ins.targets = targets;
        ins.a = r.u32();
        break;
      }
      case Op.CallIndirect:
      case Op.ReturnCallIndirect:
        ins.a = r.u32();
        ins.b = r.u32();
        break;
      case Op.SelectT:
        ins.types = this.valTypes(r);
        break;
      case Op.I32Const:
        ins.c = BigInt(r.s32());
        break;
      case Op.I64Const:
        ins.c = r.s64();
        break;
      case Op.F32Const:
        r.skip(4);
        break;
      case Op.F64Const:
        r.skip(8);
        break;
      case Op.RefNull:
        ins.a = this.heapType(r);
        break;
      case 0xfc:
        return this.miscInstr(r, offset);
      case 0xfd:
        this.simdInstr(r, offset, ctx);
        return undefined;
      case 0xfe:
        this.atomicInstr(r, offset, ctx);
        return undefined;
      case 0xfb:
        throw new WasmUnsupportedError(
          { ...ctx, offset, instr: `0xfb ${r.u32()}` },
          'GC instructions are not supported',
        );
      default:
        if (op >= Op.I32Load && op <= Op.I64Store32) this.memarg(r, ins);
        else if (!isPlainOp(op)) r.fail(`illegal opcode 0x${op.toString(16)}`, offset);
    }
    return ins;
  }

  private tryTableCatches(r: Reader, ins: Instr): void {
    const n = r.count();
    const targets: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const kind = r.u8();
      if (kind > 3) r.fail('malformed catch clause', at);
      if (kind < 2) r.u32();
      targets.push(r.u32());
    }
    ins.targets = targets;
  }

  private miscInstr(r: Reader, offset: number): Instr {
    const sub = r.u32();
    if (sub > 17) r.fail(`illegal opcode 0xfc ${sub}`, offset);
    const ins: Instr = { op: 0xfc00 | sub, offset };
    switch (ins.op) {
      case Op.MemoryInit:
      case Op.TableInit:
      case Op.MemoryCopy:
      case Op.TableCopy:
        ins.a = r.u32();
        ins.b = r.u32();
        break;
      case Op.DataDrop:
      case Op.ElemDrop:
      case Op.MemoryFill:
      case Op.TableGrow:
      case Op.TableSize:
      case Op.TableFill:
        ins.a = r.u32();
        break;
    }
    return ins;
  }

  private simdInstr(r: Reader, offset: number, ctx: WasmErrorContext): void {
    const sub = r.u32();
    const ins: Instr = { op: 0xfd00, offset };
    if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) this.memarg(r, ins);
    else if (sub === 0x0c || sub === 0x0d) r.skip(16);
    else if (sub >= 0x15 && sub <= 0x22) r.skip(1);
    else if (sub >= 0x54 && sub <= 0x5b) {
      this.memarg(r, ins);
      r.skip(1);
    }
    this.unsupported(
      { ...ctx, offset, instr: `SIMD instruction 0xfd 0x${sub.toString(16)}` },
      'SIMD (v128) instructions are not supported',
    );
  }

  private atomicInstr(r: Reader, offset: number, ctx: WasmErrorContext): void {
    const sub = r.u32();
    if (sub === 0x03) r.u8();
    else this.memarg(r, { op: 0xfe00, offset });
    this.unsupported(
      { ...ctx, offset, instr: `atomic instruction 0xfe 0x${sub.toString(16)}` },
      'threads and atomic instructions are not supported',
    );
  }
}

/** Single-byte opcodes without immediates. */
const PLAIN_OPS = new Set<number>([
  Op.Unreachable,
  Op.Nop,
  Op.Else,
  Op.End,
  Op.Return,
  Op.Drop,
  Op.Select,
  Op.CatchAll,
  Op.ThrowRef,
  Op.RefIsNull,
  Op.RefEq,
  Op.RefAsNonNull,
]);

function isPlainOp(op: number): boolean {
  return PLAIN_OPS.has(op) || (op >= Op.I32Eqz && op <= Op.I64Extend32S);
}

/** Opcodes that may appear in a constant expression under some proposal (extended-const, reference types). */
const CONST_CAPABLE = new Set<number>([
  Op.I32Const,
  Op.I64Const,
  Op.F32Const,
  Op.F64Const,
  Op.GlobalGet,
  Op.RefNull,
  Op.RefFunc,
  Op.I32Add,
  Op.I32Sub,
  Op.I32Mul,
  Op.I64Add,
  Op.I64Sub,
  Op.I64Mul,
]);

/**
 * Classify a decoded constant expression (instructions including the final `end`). For `other`,
 * `op` is: the first instruction that is never constant (-> invalid), else the first instruction
 * beyond i32.const/i64.const/global.get (-> a later proposal, unsupported), else for an empty
 * expression `end`, and for several plain values the second one (-> invalid: type mismatch).
 */
function toConstExpr(body: Instr[]): ConstExpr {
  if (body.length === 2) {
    const [ins] = body;
    if (ins.op === Op.I32Const) return { kind: 'const', type: ValType.I32, value: ins.c! };
    if (ins.op === Op.I64Const) return { kind: 'const', type: ValType.I64, value: ins.c! };
    if (ins.op === Op.GlobalGet) return { kind: 'global.get', index: ins.a! };
    if (ins.op === Op.RefFunc || ins.op === Op.RefNull) return { kind: 'other', op: ins.op, index: ins.a! };
  }
  const instrs = body.slice(0, -1);
  const never = instrs.find((ins) => !CONST_CAPABLE.has(ins.op));
  if (never !== undefined) return { kind: 'other', op: never.op };
  const simple = (op: number) => op === Op.I32Const || op === Op.I64Const || op === Op.GlobalGet;
  const later = instrs.find((ins) => !simple(ins.op));
  if (later !== undefined) return { kind: 'other', op: later.op };
  return { kind: 'other', op: instrs.length > 1 ? instrs[1].op : Op.End };
}
