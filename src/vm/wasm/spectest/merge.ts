/**
 * The spectest runner's static linker (docs/machine.md §9 "Linking"): merges a group of linked
 * test-module instances into ONE ordinary wasm module, so that the machine, which runs one module,
 * runs them all, and every step stays a step of a plain module (provable like any other).
 *
 * Each member keeps its functions, tables, globals, memory (at most one memory in a group: wasm
 * 2.0 and the machine have one) and element and data segments; its imports are resolved to
 * another member's definitions, to one shared import of the `spectest` host, or to a constant (an
 * immutable i32/i64 global). Instantiation is code, as the spec defines it: every active segment
 * becomes passive, and member k's instantiation is the exported function `init[k]` doing, in the
 * spec's order, `table.init` + `elem.drop` per active element segment, `elem.drop` per declarative
 * one, `memory.init` + `data.drop` per active data segment, then `call start`. A bounds trap there
 * keeps what the earlier segments wrote (wasm 2.0), exactly as a real instantiation does. The
 * merged module has no start function and no active segment, so the runner calls `init[k]` when
 * the script instantiates member k.
 */
import {
  type ConstExpr,
  type DataSegment,
  type ElemSegment,
  type FuncType,
  type Global,
  type Import,
  type Instr,
  type Limits,
  ValType,
  type WasmModule,
} from '../module.ts';
import { Op } from '../opcodes.ts';
import type { UnreachableReason } from '../trap-reasons.ts';
import { SpecLinkError } from './errors.ts';
import { SPECTEST_MEMORY, SPECTEST_MODULE, SPECTEST_TABLE } from './spectest-host.ts';

/** Where one import of a member goes. */
export type ImportTarget =
  /** the `spectest` host: one import of the merged module, shared by every member importing it */
  | { kind: 'host' }
  /** an earlier member's function, global, table or memory (`index` in that member's index space) */
  | { kind: 'member'; member: number; index: number }
  /** an immutable i32/i64 global of another group, by value (it can never change) */
  | { kind: 'value'; value: bigint }
  /** a function import nothing in the member calls or references (only re-exported): a trap stub */
  | { kind: 'stub' };

export interface MergeMember {
  /** the member's module (float-lowered, validated) */
  module: WasmModule;
  /** one target per entry of `module.imports` */
  targets: ImportTarget[];
}

export interface MergedModule {
  module: WasmModule;
  /** per member: its function / global / table index -> the merged module's */
  funcs: number[][];
  globals: number[][];
  tables: number[][];
  /** per member: the merged function `() -> ()` that instantiates it */
  init: number[];
  /** per merged table: a merged function `() -> i32` returning its current size */
  tableSize: number[];
}

const END: Instr = { op: Op.End, offset: 0 };
const ins = (op: number, a?: number, b?: number, c?: bigint): Instr => ({ op, offset: 0, a, b, c });

/** Merges `members` (in instantiation order: a member imports only from earlier ones). */
export function mergeModules(members: readonly MergeMember[]): MergedModule {
  const types: FuncType[] = [];
  const typeBase = members.map((m) => {
    const base = types.length;
    types.push(...m.module.types);
    return base;
  });
  const voidType = types.push({ params: [], results: [] }) - 1;
  const sizeType = types.push({ params: [], results: [ValType.I32] }) - 1;

  // host imports, one per (kind, name), in the merged import index spaces
  const imports: Import[] = [];
  const hostIndex = new Map<string, number>();
  const hostCount = { func: 0, global: 0, table: 0, memory: 0 };
  for (const [k, m] of members.entries()) {
    for (const [i, imp] of m.module.imports.entries()) {
      if (m.targets[i].kind !== 'host') continue;
      if (imp.module !== SPECTEST_MODULE)
        throw new SpecLinkError(`import ${imp.module}.${imp.name}: not a host import`);
      const key = `${imp.kind}\u0000${imp.name}`;
      if (hostIndex.has(key)) continue;
      hostIndex.set(key, hostCount[imp.kind]++);
      if (imp.kind === 'func') imports.push({ ...imp, typeIndex: typeBase[k] + imp.typeIndex });
      else if (imp.kind === 'table') imports.push({ ...imp, limits: { ...SPECTEST_TABLE.limits } });
      else if (imp.kind === 'memory') imports.push({ ...imp, limits: { ...SPECTEST_MEMORY } });
      else imports.push({ ...imp });
    }
  }
  imports.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);

  // the merged index spaces: host imports, then each member's definitions, then synthetic ones
  /** the start of each member's items in an index space that begins with `first` items */
  const bases = (first: number, count: (m: WasmModule) => number): { base: number[]; end: number } => {
    const base: number[] = [];
    let end = first;
    for (const m of members) {
      base.push(end);
      end += count(m.module);
    }
    return { base, end };
  };
  const { base: funcBase, end: nFuncs } = bases(hostCount.func, (m) => m.funcs.length);
  const { base: globalBase, end: nGlobals } = bases(hostCount.global, (m) => m.globals.length);
  const { base: tableBase, end: nTables } = bases(hostCount.table, (m) => m.tables.length);
  const { base: elemBase } = bases(0, (m) => m.elems.length);
  const { base: dataBase } = bases(0, (m) => m.datas.length);

  let memories = hostCount.memory;
  for (const m of members) memories += m.module.memories.length;
  if (memories > 1) {
    throw new SpecLinkError(
      'the linked instances have more than one memory (wasm 2.0 and the machine have one per module)',
    );
  }

  const funcs: number[][] = [];
  const globals: number[][] = [];
  const tables: number[][] = [];
  const stubs: FuncType[] = [];
  const valueGlobals: Global[] = [];
  for (const [k, m] of members.entries()) {
    const fMap: number[] = [];
    const gMap: number[] = [];
    const tMap: number[] = [];
    for (const [i, imp] of m.module.imports.entries()) {
      const target = m.targets[i];
      let to: number;
      if (target.kind === 'host') to = hostIndex.get(`${imp.kind}\u0000${imp.name}`)!;
      else if (target.kind === 'member') {
        if (target.member >= k) throw new SpecLinkError(`member ${k} imports from a later member`);
        if (imp.kind === 'memory') continue;
        const space = imp.kind === 'func' ? funcs : imp.kind === 'global' ? globals : tables;
        to = space[target.member][target.index];
      } else if (target.kind === 'value') {
        if (imp.kind !== 'global')
          throw new SpecLinkError(`import ${imp.module}.${imp.name}: a value for a ${imp.kind}`);
        to = nGlobals + valueGlobals.length;
        valueGlobals.push({
          type: { type: imp.type.type, mutable: false },
          init: { kind: 'const', type: imp.type.type, value: target.value },
        });
      } else {
        if (imp.kind !== 'func')
          throw new SpecLinkError(`import ${imp.module}.${imp.name}: a stub for a ${imp.kind}`);
        to = nFuncs + stubs.length;
        stubs.push(m.module.types[imp.typeIndex]);
      }
      if (imp.kind === 'func') fMap.push(to);
      else if (imp.kind === 'global') gMap.push(to);
      else if (imp.kind === 'table') tMap.push(to);
    }
    for (let j = 0; j < m.module.funcs.length; j++) fMap.push(funcBase[k] + j);
    for (let j = 0; j < m.module.globals.length; j++) gMap.push(globalBase[k] + j);
    for (let j = 0; j < m.module.tables.length; j++) tMap.push(tableBase[k] + j);
    funcs.push(fMap);
    globals.push(gMap);
    tables.push(tMap);
  }
  const allGlobals: Global[] = [];
  const hostGlobals = imports.filter((i) => i.kind === 'global').length;
  const initOf = (g: number): ConstExpr | undefined =>
    g < hostGlobals
      ? { kind: 'global.get', index: g }
      : g >= nGlobals
        ? valueGlobals[g - nGlobals]?.init
        : allGlobals[g - hostGlobals]?.init;

  // definitions, remapped
  const defined: WasmModule['funcs'] = [];
  const trapReasons = new Map<number, UnreachableReason>();
  const tablesOut: { elemType: ValType; limits: Limits }[] = [];
  const elems: ElemSegment[] = [];
  const datas: DataSegment[] = [];
  const memoriesOut: Limits[] = [];
  for (const [k, m] of members.entries()) {
    const map = remapper(k, typeBase[k], funcs[k], globals[k], tables[k], elemBase[k], dataBase[k]);
    for (const g of m.module.globals) allGlobals.push({ type: g.type, init: constExpr(g.init, map, initOf) });
    for (const [j, f] of m.module.funcs.entries()) {
      defined.push({ ...f, typeIndex: typeBase[k] + f.typeIndex, body: f.body.map(map.instr) });
      const reason = m.module.trapReasons?.get(m.module.imports.filter((i) => i.kind === 'func').length + j);
      if (reason !== undefined) trapReasons.set(funcBase[k] + j, reason);
    }
    tablesOut.push(...m.module.tables);
    memoriesOut.push(...m.module.memories);
    for (const s of m.module.elems) {
      elems.push({
        mode: s.mode === 'declarative' ? 'declarative' : 'passive',
        tableIndex: 0,
        elemType: s.elemType,
        funcIndices: s.funcIndices.map((f) => (f === null ? null : map.func(f))),
        exprs: s.exprs?.map((e) => constExpr(e, map, initOf)),
      });
    }
    for (const s of m.module.datas) datas.push({ mode: 'passive', memoryIndex: 0, bytes: s.bytes });
  }
  allGlobals.push(...valueGlobals);

  // synthetic functions: stubs, per-member instantiation, per-table size
  for (const t of stubs) {
    const typeIndex = types.push(t) - 1;
    defined.push({ typeIndex, locals: [], body: [ins(Op.Unreachable), END], offset: 0 });
  }
  const init: number[] = [];
  for (const [k, m] of members.entries()) {
    const map = remapper(k, typeBase[k], funcs[k], globals[k], tables[k], elemBase[k], dataBase[k]);
    const body: Instr[] = [];
    const offset = (e: ConstExpr | undefined): Instr =>
      e?.kind === 'const'
        ? ins(Op.I32Const, undefined, undefined, BigInt.asIntN(32, e.value))
        : ins(Op.GlobalGet, map.global((e as { index: number }).index));
    for (const [j, s] of m.module.elems.entries()) {
      if (s.mode === 'active') {
        body.push(offset(s.offset), ins(Op.I32Const, undefined, undefined, 0n));
        body.push(ins(Op.I32Const, undefined, undefined, BigInt(s.funcIndices.length)));
        body.push(ins(Op.TableInit, elemBase[k] + j, map.table(s.tableIndex)));
      }
      if (s.mode !== 'passive') body.push(ins(Op.ElemDrop, elemBase[k] + j));
    }
    for (const [j, s] of m.module.datas.entries()) {
      if (s.mode !== 'active') continue;
      body.push(offset(s.offset), ins(Op.I32Const, undefined, undefined, 0n));
      body.push(ins(Op.I32Const, undefined, undefined, BigInt(s.bytes.length)));
      body.push(ins(Op.MemoryInit, dataBase[k] + j, 0), ins(Op.DataDrop, dataBase[k] + j));
    }
    if (m.module.start !== undefined) body.push(ins(Op.Call, map.func(m.module.start)));
    body.push(END);
    init.push(hostCount.func + defined.length);
    defined.push({ typeIndex: voidType, locals: [], body, offset: 0 });
  }
  const tableSize: number[] = [];
  for (let t = 0; t < nTables; t++) {
    tableSize.push(hostCount.func + defined.length);
    defined.push({ typeIndex: sizeType, locals: [], body: [ins(Op.TableSize, t), END], offset: 0 });
  }
  // every function may be named by ref.func (the members' exports declared them)
  const all = Array.from({ length: hostCount.func + defined.length }, (_, i) => i);
  elems.push({ mode: 'declarative', tableIndex: 0, elemType: ValType.FuncRef, funcIndices: all });

  const module: WasmModule = {
    types,
    imports,
    funcs: defined,
    tables: tablesOut,
    memories: memoriesOut,
    globals: allGlobals,
    exports: [],
    elems,
    datas,
    dataCount: datas.length,
    funcNames: new Map(),
    trapReasons,
  };
  return { module, funcs, globals, tables, init, tableSize };
}

const KIND_ORDER = { func: 0, global: 1, table: 2, memory: 3 } as const;

interface Remap {
  func(i: number): number;
  global(i: number): number;
  table(i: number): number;
  instr(i: Instr): Instr;
}

function remapper(
  member: number,
  typeBase: number,
  fMap: number[],
  gMap: number[],
  tMap: number[],
  elemBase: number,
  dataBase: number,
): Remap {
  const at = (map: number[], what: string) => (i: number) => {
    const v = map[i];
    if (v === undefined) throw new SpecLinkError(`member ${member}: no ${what} ${i}`);
    return v;
  };
  const func = at(fMap, 'function');
  const global = at(gMap, 'global');
  const table = at(tMap, 'table');
  const instr = (x: Instr): Instr => {
    switch (x.op) {
      case Op.Call:
      case Op.RefFunc:
        return { ...x, a: func(x.a!) };
      case Op.CallIndirect:
        return { ...x, a: typeBase + x.a!, b: table(x.b!) };
      case Op.GlobalGet:
      case Op.GlobalSet:
        return { ...x, a: global(x.a!) };
      case Op.TableGet:
      case Op.TableSet:
      case Op.TableGrow:
      case Op.TableSize:
      case Op.TableFill:
        return { ...x, a: table(x.a!) };
      case Op.TableCopy:
        return { ...x, a: table(x.a!), b: table(x.b!) };
      case Op.TableInit:
        return { ...x, a: elemBase + x.a!, b: table(x.b!) };
      case Op.ElemDrop:
        return { ...x, a: elemBase + x.a! };
      case Op.MemoryInit:
        return { ...x, a: dataBase + x.a! };
      case Op.DataDrop:
        return { ...x, a: dataBase + x.a! };
      default:
        return x;
    }
  };
  return { func, global, table, instr };
}

/**
 * A constant expression in the merged module. A `global.get` there may name only an imported
 * global, so one naming another member's (immutable) global becomes that global's initialiser.
 */
function constExpr(e: ConstExpr, map: Remap, initOf: (g: number) => ConstExpr | undefined): ConstExpr {
  if (e.kind === 'global.get') {
    const init = initOf(map.global(e.index));
    if (!init) throw new SpecLinkError(`constant expression: global ${e.index} has no initialiser yet`);
    return init;
  }
  if (e.kind === 'other' && e.op === Op.RefFunc) return { ...e, index: map.func(e.index!) };
  return e;
}
