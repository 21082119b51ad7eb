/**
 * Float lowering (docs/softfloat.md §6): rewrites a wasm binary whose float instructions the
 * validator has type-checked into an integer-only binary that computes the same bits. f32 and f64
 * values become their i32 and i64 bit patterns; loads, stores, consts and reinterprets become their
 * integer forms; abs and neg become a mask; every other float instruction becomes a call of the
 * soft-float library (guest/softfloat), whose types and functions are appended to the module. The
 * module's own function and type indices do not move, so exports, tables, element segments, the
 * start function and the name section stay as they are. The result is an ordinary binary: both
 * engines parse, validate and run it as any other (they never see a float).
 */
import { sleb, uleb } from '../meter-native.ts';
import { type FuncType, type Instr, type ValType, ValType as VT, type WasmModule } from '../module.ts';
import { Op } from '../opcodes.ts';
import { parseModule } from '../parse.ts';
import { encodeTrapSection, type UnreachableReason } from '../trap-reasons.ts';
import { SoftfloatError } from './errors.ts';
import { SOFTFLOAT_WASM_BASE64 } from './library-bytes.ts';

/** float opcode → the library function it becomes, and an i32 constant pushed before the call */
const CALLS = new Map<number, { fn: string; mode?: number }>();
const call = (op: number, fn: string, mode?: number) => CALLS.set(op, { fn, mode });
for (const [w, base, cmp] of [
  ['f32', 0x8d, 0x5b],
  ['f64', 0x9b, 0x61],
] as const) {
  for (const [i, n] of ['eq', 'ne', 'lt', 'gt', 'le', 'ge'].entries()) call(cmp + i, `${w}_${n}`);
  call(base, `${w}_round`, 2); // ceil
  call(base + 1, `${w}_round`, 1); // floor
  call(base + 2, `${w}_round`, 0); // trunc
  call(base + 3, `${w}_round`, 3); // nearest
  for (const [i, n] of ['sqrt', 'add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'].entries())
    call(base + 4 + i, `${w}_${n}`);
}
for (const [op, fn] of [
  [0xa8, 'i32_trunc_f32_s'],
  [0xa9, 'i32_trunc_f32_u'],
  [0xaa, 'i32_trunc_f64_s'],
  [0xab, 'i32_trunc_f64_u'],
  [0xae, 'i64_trunc_f32_s'],
  [0xaf, 'i64_trunc_f32_u'],
  [0xb0, 'i64_trunc_f64_s'],
  [0xb1, 'i64_trunc_f64_u'],
  [0xb2, 'f32_convert_i32_s'],
  [0xb3, 'f32_convert_i32_u'],
  [0xb4, 'f32_convert_i64_s'],
  [0xb5, 'f32_convert_i64_u'],
  [0xb6, 'f32_demote_f64'],
  [0xb7, 'f64_convert_i32_s'],
  [0xb8, 'f64_convert_i32_u'],
  [0xb9, 'f64_convert_i64_s'],
  [0xba, 'f64_convert_i64_u'],
  [0xbb, 'f64_promote_f32'],
  [0xfc00, 'i32_trunc_sat_f32_s'],
  [0xfc01, 'i32_trunc_sat_f32_u'],
  [0xfc02, 'i32_trunc_sat_f64_s'],
  [0xfc03, 'i32_trunc_sat_f64_u'],
  [0xfc04, 'i64_trunc_sat_f32_s'],
  [0xfc05, 'i64_trunc_sat_f32_u'],
  [0xfc06, 'i64_trunc_sat_f64_s'],
  [0xfc07, 'i64_trunc_sat_f64_u'],
] as const)
  call(op, fn);

/**
 * The trapping truncations: the lowering calls a generated check (the operand's NaN test, then the
 * library function) so that a NaN traps as "invalid conversion to integer" and an out-of-range
 * operand, in the library, as "integer overflow" (the `modex.traps` section, trap-reasons.ts).
 */
const TRUNC_CHECKS = new Map<string, string>([
  ['i32_trunc_f32_s', 'f32_ne'],
  ['i32_trunc_f32_u', 'f32_ne'],
  ['i64_trunc_f32_s', 'f32_ne'],
  ['i64_trunc_f32_u', 'f32_ne'],
  ['i32_trunc_f64_s', 'f64_ne'],
  ['i32_trunc_f64_u', 'f64_ne'],
  ['i64_trunc_f64_s', 'f64_ne'],
  ['i64_trunc_f64_u', 'f64_ne'],
]);

/** loads and stores: the float form → the integer form of the same width */
const MEMORY = new Map<number, number>([
  [Op.F32Load, Op.I32Load],
  [Op.F64Load, Op.I64Load],
  [Op.F32Store, Op.I32Store],
  [Op.F64Store, Op.I64Store],
]);
const REINTERPRETS = new Set([0xbc, 0xbd, 0xbe, 0xbf]);
/** abs and neg: a constant mask, then and / xor */
const MASKS = new Map<number, { op: number; c: bigint; next: number }>([
  [Op.F32Abs, { op: Op.I32Const, c: 0x7fffffffn, next: 0x71 }],
  [Op.F32Neg, { op: Op.I32Const, c: -0x80000000n, next: 0x73 }],
  [Op.F64Abs, { op: Op.I64Const, c: 0x7fffffffffffffffn, next: 0x83 }],
  [Op.F64Neg, { op: Op.I64Const, c: -(1n << 63n), next: 0x85 }],
]);

const intType = (t: ValType): ValType => (t === VT.F32 ? VT.I32 : t === VT.F64 ? VT.I64 : t);
const isFloat = (t: ValType) => t === VT.F32 || t === VT.F64;
const floatOp = (i: Instr) =>
  CALLS.has(i.op) ||
  MEMORY.has(i.op) ||
  MASKS.has(i.op) ||
  REINTERPRETS.has(i.op) ||
  i.op === Op.F32Const ||
  i.op === Op.F64Const;

/** true when the module has a float type or instruction anywhere (then it needs lowering) */
export function usesFloats(mod: WasmModule): boolean {
  const inType = (t: FuncType) => t.params.some(isFloat) || t.results.some(isFloat);
  return (
    mod.types.some(inType) ||
    mod.globals.some((g) => isFloat(g.type.type)) ||
    mod.imports.some((i) => i.kind === 'global' && isFloat(i.type.type)) ||
    mod.funcs.some(
      (f) =>
        f.locals.some(isFloat) ||
        f.body.some(
          (i) => floatOp(i) || (i.types?.some(isFloat) ?? false) || (i.type !== undefined && inType(i.type)),
        ),
    )
  );
}

// ---- encoding
const vec = (out: number[], items: number[][]) => {
  uleb(out, items.length);
  for (const i of items) out.push(...i);
};
function funcType(t: FuncType): number[] {
  const out = [0x60];
  vec(
    out,
    t.params.map((p) => [intType(p)]),
  );
  vec(
    out,
    t.results.map((r) => [intType(r)]),
  );
  return out;
}

/** a cursor over a binary, for the sections rewritten byte by byte */
class Reader {
  constructor(
    readonly b: Uint8Array,
    public p: number,
  ) {}
  u32(): number {
    let r = 0;
    let shift = 0;
    for (;;) {
      const x = this.b[this.p++];
      r += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(x & 0x80)) return r;
    }
  }
  skipLeb(): void {
    while (this.b[this.p++] & 0x80);
  }
  bytes(from: number): number[] {
    return Array.from(this.b.subarray(from, this.p));
  }
}

/** a constant expression with float constants as integer ones (global initializers) */
function constExpr(r: Reader, out: number[], what: string): void {
  const view = new DataView(r.b.buffer, r.b.byteOffset, r.b.byteLength);
  for (;;) {
    const at = r.p;
    const op = r.b[r.p++];
    if (op === Op.F32Const) {
      out.push(Op.I32Const);
      sleb(out, BigInt(view.getInt32(r.p, true)));
      r.p += 4;
      continue;
    }
    if (op === Op.F64Const) {
      out.push(Op.I64Const);
      sleb(out, view.getBigInt64(r.p, true));
      r.p += 8;
      continue;
    }
    if (op === Op.RefNull) r.p += 1;
    else if (op === Op.I32Const || op === Op.I64Const || op === Op.GlobalGet || op === Op.RefFunc)
      r.skipLeb();
    else if (op !== Op.End && !(op >= 0x6a && op <= 0x7c))
      throw new SoftfloatError('SOFTFLOAT_UNSUPPORTED', `${what}: constant instruction 0x${op.toString(16)}`);
    out.push(...r.bytes(at));
    if (op === Op.End) return;
  }
}

/** the library, parsed, and its exported functions by name */
let library: { bytes: Uint8Array; mod: WasmModule; index: Map<string, number> } | undefined;
function softfloat() {
  if (!library) {
    const bytes = new Uint8Array(Buffer.from(SOFTFLOAT_WASM_BASE64, 'base64'));
    const mod = parseModule(bytes);
    if (mod.imports.length > 0 || mod.globals.length > 0)
      throw new SoftfloatError(
        'SOFTFLOAT_LIBRARY',
        'the embedded soft-float library has imports or globals: regenerate it (node scripts/gen-softfloat.mjs)',
      );
    const index = new Map(mod.exports.filter((e) => e.kind === 'func').map((e) => [e.name, e.index]));
    library = { bytes, mod, index };
  }
  return library;
}

/** locals as runs of one type */
function locals(out: number[], types: ValType[]): void {
  const runs: [number, ValType][] = [];
  for (const t of types.map(intType)) {
    const last = runs.at(-1);
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  uleb(out, runs.length);
  for (const [n, t] of runs) {
    uleb(out, n);
    out.push(t);
  }
}

/**
 * A function body (locals and code) with every float instruction lowered; `callOf` gives the
 * function index of a library function, `moveCall` the new index of a `call`'s target.
 */
function body(
  bytes: Uint8Array,
  f: WasmModule['funcs'][number],
  callOf: (fn: string) => number,
  moveCall: (index: number) => number,
): number[] {
  const out: number[] = [];
  locals(out, f.locals);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = f.body;
  for (let i = 0; i < code.length; i++) {
    const ins = code[i];
    const { op, offset } = ins;
    const end = i + 1 < code.length ? code[i + 1].offset : offset + 1;
    const raw = () => out.push(...bytes.subarray(offset, end));
    const mem = MEMORY.get(op);
    const mask = MASKS.get(op);
    const target = CALLS.get(op);
    if (mem !== undefined) {
      out.push(mem);
      out.push(...bytes.subarray(offset + 1, end)); // the memarg
    } else if (op === Op.F32Const) {
      out.push(Op.I32Const);
      sleb(out, BigInt(view.getInt32(offset + 1, true)));
    } else if (op === Op.F64Const) {
      out.push(Op.I64Const);
      sleb(out, view.getBigInt64(offset + 1, true));
    } else if (REINTERPRETS.has(op)) {
      // the bits are the value: nothing to do
    } else if (mask !== undefined) {
      out.push(mask.op);
      sleb(out, mask.c);
      out.push(mask.next);
    } else if (target !== undefined) {
      if (target.mode !== undefined) out.push(Op.I32Const, target.mode);
      out.push(Op.Call);
      uleb(out, callOf(target.fn));
    } else if (op === Op.Call) {
      out.push(Op.Call);
      uleb(out, moveCall(ins.a as number));
    } else if (op === Op.Block || op === Op.Loop || op === Op.If) {
      // a one-value block type is the value type's byte; a type index needs no change
      const bt = bytes[offset + 1];
      out.push(op, bt === VT.F32 || bt === VT.F64 ? intType(bt) : bt, ...bytes.subarray(offset + 2, end));
    } else if (op === Op.SelectT) {
      out.push(op);
      vec(
        out,
        (ins.types ?? []).map((t) => [intType(t)]),
      );
    } else raw();
  }
  return out;
}

/**
 * The integer-only binary that computes what `bytes` computes (docs/softfloat.md §6). The module
 * must have passed the validator's type checks with floats allowed; a module without floats comes
 * back unchanged (the same array).
 */
export function lowerFloats(bytes: Uint8Array): Uint8Array {
  const mod = parseModule(bytes);
  if (!usesFloats(mod)) return bytes;
  const needsLibrary = mod.funcs.some((f) => f.body.some((i) => CALLS.has(i.op)));
  const lib = needsLibrary ? softfloat() : undefined;
  const importedFuncs = mod.imports.filter((i) => i.kind === 'func').length;
  const libBase = importedFuncs + mod.funcs.length;
  const libTypeBase = mod.types.length;
  const libFunc = (fn: string) => {
    const at = lib?.index.get(fn);
    if (at === undefined) throw new SoftfloatError('SOFTFLOAT_LIBRARY', `the library has no function ${fn}`);
    return at;
  };
  // the truncation checks the module needs, appended after the library
  const checkBase = libBase + (lib?.mod.funcs.length ?? 0);
  const checks: string[] = [];
  for (const f of mod.funcs)
    for (const i of f.body) {
      const fn = CALLS.get(i.op)?.fn;
      if (fn !== undefined && TRUNC_CHECKS.has(fn) && !checks.includes(fn)) checks.push(fn);
    }
  const callOf = (fn: string) => {
    const check = checks.indexOf(fn);
    return check >= 0 ? checkBase + check : libBase + libFunc(fn);
  };
  const checkType = (fn: string) => libTypeBase + (lib?.mod.funcs[libFunc(fn)].typeIndex ?? 0);
  /** (x) -> trunc(x): `if x != x: unreachable` ("invalid conversion to integer"), then the library's trunc */
  const checkBody = (fn: string): number[] => {
    const out = [0, Op.LocalGet, 0, Op.LocalGet, 0, Op.Call];
    uleb(out, libBase + libFunc(TRUNC_CHECKS.get(fn) as string));
    out.push(Op.If, 0x40, Op.Unreachable, Op.End, Op.LocalGet, 0, Op.Call);
    uleb(out, libBase + libFunc(fn));
    out.push(Op.End);
    return out;
  };

  const out: number[] = Array.from(bytes.subarray(0, 8));
  const section = (id: number, content: number[]) => {
    out.push(id);
    uleb(out, content.length);
    out.push(...content);
  };
  const r = new Reader(bytes, 8);
  while (r.p < bytes.length) {
    const id = bytes[r.p++];
    const size = r.u32();
    const start = r.p;
    const end = start + size;
    const c: number[] = [];
    switch (id) {
      case 1: // types: the module's with ints for floats, then the library's
        vec(c, [...mod.types, ...(lib?.mod.types ?? [])].map(funcType));
        break;
      case 2: {
        // imports: a global import's value type
        const n = r.u32();
        uleb(c, n);
        for (let i = 0; i < n; i++) {
          const at = r.p;
          const moduleName = r.u32(); // (read before the position moves past it)
          r.p += moduleName;
          const fieldName = r.u32();
          r.p += fieldName;
          const kind = bytes[r.p++];
          if (kind === 3) {
            c.push(...r.bytes(at), intType(bytes[r.p]), bytes[r.p + 1]);
            r.p += 2;
            continue;
          }
          if (kind === 0) r.skipLeb();
          else if (kind === 1 || kind === 2) {
            if (kind === 1) r.p++; // reference type
            const flags = bytes[r.p++];
            r.skipLeb();
            if (flags & 1) r.skipLeb();
          } else throw new SoftfloatError('SOFTFLOAT_UNSUPPORTED', `import ${i}: kind ${kind}`);
          c.push(...r.bytes(at));
        }
        break;
      }
      case 3: // functions: the library's after the module's
        vec(c, [
          ...mod.funcs.map((f) => {
            const e: number[] = [];
            uleb(e, f.typeIndex);
            return e;
          }),
          ...(lib?.mod.funcs ?? []).map((f) => {
            const e: number[] = [];
            uleb(e, libTypeBase + f.typeIndex);
            return e;
          }),
          ...checks.map((fn) => {
            const e: number[] = [];
            uleb(e, checkType(fn));
            return e;
          }),
        ]);
        break;
      case 6: {
        // globals: value types and float constants
        const n = r.u32();
        uleb(c, n);
        for (let i = 0; i < n; i++) {
          c.push(intType(bytes[r.p]), bytes[r.p + 1]);
          r.p += 2;
          constExpr(r, c, `global ${i}`);
        }
        break;
      }
      case 10: {
        const bodies = mod.funcs.map((f) => body(bytes, f, callOf, (x) => x));
        if (lib) for (const f of lib.mod.funcs) bodies.push(body(lib.bytes, f, callOf, (x) => libBase + x));
        for (const fn of checks) bodies.push(checkBody(fn));
        vec(
          c,
          bodies.map((b) => {
            const e: number[] = [];
            uleb(e, b.length);
            e.push(...b);
            return e;
          }),
        );
        break;
      }
      default:
        c.push(...bytes.subarray(start, end));
    }
    r.p = end;
    section(id, c);
  }
  if (checks.length > 0 && lib) {
    // which `unreachable` means which trap (trap-reasons.ts): the checks' is a NaN operand, the
    // library's (only its truncations have one) an operand out of range
    const reasons = new Map<number, UnreachableReason>();
    lib.mod.funcs.forEach((f, i) => {
      if (f.body.some((ins) => ins.op === Op.Unreachable)) reasons.set(libBase + i, 'integer overflow');
    });
    checks.forEach((_, k) => {
      reasons.set(checkBase + k, 'invalid conversion to integer');
    });
    out.push(...encodeTrapSection(reasons));
  }
  return new Uint8Array(out);
}
