/**
 * A tiny wasm binary assembler for tests: LEB128/vector/section encoders and `buildModule`, which
 * lays out the sections of a module from a plain description. Bodies are raw instruction bytes.
 */
import type { FuncType } from '../../src/vm/wasm/module.ts';

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const FUNCREF = 0x70;
export const EXTERNREF = 0x6f;

export function uleb(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

export function sleb(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export function str(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export function wasm(...sections: number[][]): Uint8Array {
  return Uint8Array.from([...HEADER, ...sections.flat()]);
}

export function funcType(t: FuncType): number[] {
  return [0x60, ...vec(t.params.map((p) => [p])), ...vec(t.results.map((r) => [r]))];
}

export function limits(min: number, max?: number, flags?: number): number[] {
  const f = flags ?? (max === undefined ? 0 : 1);
  return [f, ...uleb(min), ...(max === undefined ? [] : uleb(max))];
}

export interface FuncSpec {
  params?: number[];
  results?: number[];
  locals?: number[];
  /** instruction bytes, without the final `end` (added) */
  body: number[];
  name?: string;
  export?: string;
}

export interface ImportSpec {
  module: string;
  name: string;
  /** kind byte followed by its description, e.g. [0x00, typeIdx] for a function */
  desc: number[];
}

export interface ModuleSpec {
  /** extra types appended after the function types (for block types / call_indirect) */
  types?: FuncType[];
  imports?: ImportSpec[];
  funcs?: FuncSpec[];
  /** raw table entries, e.g. [FUNCREF, ...limits(1)] */
  tables?: number[][];
  /** raw memory limits, e.g. limits(1) */
  memories?: number[][];
  /** raw globals: valtype, mut, const expr (with end) */
  globals?: number[][];
  /** extra raw export entries */
  exports?: number[][];
  start?: number;
  /** raw element segments */
  elems?: number[][];
  dataCount?: number;
  /** raw data segments */
  datas?: number[][];
  /** emit a name section with the function names (indices count imported functions) */
  names?: boolean;
}

/** Index of `t` in `types`, appending it if new. */
export function typeIndex(types: FuncType[], t: FuncType): number {
  const key = JSON.stringify(t);
  const i = types.findIndex((u) => JSON.stringify(u) === key);
  if (i >= 0) return i;
  types.push(t);
  return types.length - 1;
}

export function buildModule(spec: ModuleSpec): Uint8Array {
  const funcs = spec.funcs ?? [];
  const types: FuncType[] = [...(spec.types ?? [])];
  const funcTypeIdx = funcs.map((f) =>
    typeIndex(types, { params: f.params ?? [], results: f.results ?? [] }),
  );
  const nImports = (spec.imports ?? []).filter((i) => i.desc[0] === 0).length;
  const out: number[][] = [];
  if (types.length) out.push(section(1, vec(types.map(funcType))));
  if (spec.imports?.length) {
    out.push(section(2, vec(spec.imports.map((i) => [...str(i.module), ...str(i.name), ...i.desc]))));
  }
  if (funcs.length) out.push(section(3, vec(funcTypeIdx.map((i) => uleb(i)))));
  if (spec.tables?.length) out.push(section(4, vec(spec.tables)));
  if (spec.memories?.length) out.push(section(5, vec(spec.memories)));
  if (spec.globals?.length) out.push(section(6, vec(spec.globals)));
  const exports = funcs.flatMap((f, i) =>
    f.export ? [[...str(f.export), 0x00, ...uleb(nImports + i)]] : [],
  );
  exports.push(...(spec.exports ?? []));
  if (exports.length) out.push(section(7, vec(exports)));
  if (spec.start !== undefined) out.push(section(8, uleb(spec.start)));
  if (spec.elems?.length) out.push(section(9, vec(spec.elems)));
  if (spec.dataCount !== undefined) out.push(section(12, uleb(spec.dataCount)));
  if (funcs.length) out.push(section(10, vec(funcs.map(codeEntry))));
  if (spec.datas?.length) out.push(section(11, vec(spec.datas)));
  if (spec.names) {
    const named = funcs.flatMap((f, i) => (f.name ? [[...uleb(nImports + i), ...str(f.name)]] : []));
    const sub = vec(named);
    out.push(section(0, [...str('name'), 1, ...uleb(sub.length), ...sub]));
  }
  return wasm(...out);
}

function codeEntry(f: FuncSpec): number[] {
  const groups = (f.locals ?? []).map((t) => [1, t]);
  const body = [...vec(groups), ...f.body, 0x0b];
  return [...uleb(body.length), ...body];
}

/** Byte offset of the first instruction of defined function `i`'s body (after its locals). */
export function bodyCodeOffset(bytes: Uint8Array, instrBytes: number[]): number {
  // locate the instruction bytes in the binary (tests use distinctive sequences)
  outer: for (let i = 0; i + instrBytes.length <= bytes.length; i++) {
    for (let k = 0; k < instrBytes.length; k++) if (bytes[i + k] !== instrBytes[k]) continue outer;
    return i;
  }
  return -1;
}
