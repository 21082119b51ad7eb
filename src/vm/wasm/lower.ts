/**
 * Lowering: a validated wasm module becomes a machine `Program` (docs/machine.md §3, §5).
 *
 * - Structured control flow is flattened into jumps with resolved targets; values a branch
 *   discards are removed with `drop` / `drop_under` so every step touches a bounded number of items.
 * - Calls carry the callee's entry pc, local count and maximum operand height in their immediate;
 *   a callee's prologue pops its parameters into locals with `local.set`, one per step.
 * - memory.fill / memory.copy / memory.init become calls to internal helper functions (loops of
 *   single-byte loads and stores), so every step touches at most two 32-byte memory leaves.
 * - Instantiation (global initialisers, active data segments, the start function) is code too: the
 *   entry stub at pc 0. The initial machine state is therefore fixed by the module root alone.
 */
import { ModexError } from '../../core/errors.ts';
import { HOST_FUNCS, HOST_MODULE, hostFunc } from './host-abi.ts';
import { M, MEMORY_WASM_TO_MACHINE, packCall, SIMPLE_WASM_TO_MACHINE } from './isa.ts';
import { type MachineLimits, resolveLimits } from './limits.ts';
import {
  emitCallIndirect,
  emitGrowHelper,
  emitCopyHelper as emitTableCopyHelper,
  emitFillHelper as emitTableFillHelper,
  emitTableGet,
  emitInitHelper as emitTableInitHelper,
  emitTableSet,
  refValue,
  TABLE_HELPER_LOCALS,
  TableGlobals,
} from './lower-tables.ts';
import type { TrapReason } from './machine.ts';
import type { ConstExpr, FuncType, Import, Limits, ValidatedModule } from './module.ts';
import { loweredMaxHeight, scratchLocals, TABLE_STEPS, tableLayout } from './tables.ts';

export class LoweringError extends ModexError {
  constructor(message: string) {
    super('WASM_LOWERING_FAILED', message);
  }
}

/** How an imported function is bound at lowering time. */
export type ImportBinding =
  /** a host op of the STF ABI (instruction `host id`) */
  | { kind: 'host'; id: number }
  /** a function with no effect: pops its parameters, pushes zeros for its results (spectest's print functions) */
  | { kind: 'nop' };

export interface LowerOptions {
  limits?: Partial<MachineLimits>;
  /** binding of an imported function; default: the STF ABI host functions */
  bindFunc?: (imp: Import & { kind: 'func' }) => ImportBinding;
  /** value of an imported global (spectest's global_i32 etc.); default: refuse */
  importedGlobal?: (imp: Import & { kind: 'global' }) => bigint;
  /** actual limits of an imported memory / table (the host's, which may exceed what the import asks for) */
  importedMemory?: Limits;
  importedTable?: Limits;
  /** the export the entry stub calls after instantiation; `null` to call nothing (spectest mode) */
  entry?: string | null;
}

export interface FuncInfo {
  entryPc: number;
  numParams: number;
  /** parameters + declared locals */
  numLocals: number;
  numResults: number;
  maxHeight: number;
  /** canonical type id (index of the first structurally equal type) */
  typeId: number;
}

/** A lowered module: everything the machine needs, and everything the module root commits to. */
export interface Program {
  /** machine opcodes, one per instruction */
  ops: Uint16Array;
  /** low and high 32 bits of each instruction's 64-bit immediate */
  immLo: Int32Array;
  immHi: Int32Array;
  /** per wasm function index (imports included): entry info used by `call` and by hosts that invoke exports */
  funcs: FuncInfo[];
  /** the funcref table: function index per slot, or -1 for a null slot */
  table: Int32Array;
  /** static data: all data segments, concatenated (segment k starts at `dataBase[k]`) */
  data: Uint8Array;
  dataBase: number[];
  /** number of globals, including the hidden per-segment length globals (last `datas.length` ones) */
  numGlobals: number;
  initialPages: number;
  /** effective memory maximum in pages: min(module maximum, limits.maxMemoryPages) */
  maxPages: number;
  limits: MachineLimits;
  /** pc of the `halt` that ends the entry stub (hosts invoking exports return here) */
  haltPc: number;
  exports: Map<string, { kind: 'func' | 'global' | 'memory' | 'table'; index: number }>;
  /** wasm global index -> machine global index is the identity; this says which are i64 (for hosts) */
  globalIsI64: boolean[];
  funcNames: Map<number, string>;
  /**
   * pc of an `unreachable` that stands for another trap → that trap's reason (diagnostics only: the
   * bulk-memory helpers' bounds checks, and functions named by the module's `modex.traps` section)
   */
  trapAt?: Map<number, TrapReason>;
}

const I64 = 0x7e;

function defaultBind(imp: Import & { kind: 'func' }): ImportBinding {
  const h = imp.module === HOST_MODULE ? hostFunc(imp.name) : undefined;
  if (!h) throw new LoweringError(`import ${imp.module}.${imp.name} is not a host function of the STF ABI`);
  return { kind: 'host', id: h.id };
}

class Emitter {
  ops: number[] = [];
  imm: bigint[] = [];
  get pc(): number {
    return this.ops.length;
  }
  emit(op: number, imm: bigint | number = 0n): number {
    this.ops.push(op);
    this.imm.push(typeof imm === 'bigint' ? BigInt.asUintN(64, imm) : BigInt(imm >>> 0));
    return this.ops.length - 1;
  }
  patch(at: number, target: number): void {
    this.imm[at] = BigInt(target);
  }
  /** pc of an `unreachable` → the trap it reports (docs/machine.md §3.6, trap-reasons.ts) */
  trapAt = new Map<number, TrapReason>();
  /** `unreachable`, reporting `reason` when it is not plain "unreachable" */
  emitTrap(reason?: TrapReason): number {
    const at = this.emit(M.unreachable);
    if (reason !== undefined && reason !== 'unreachable') this.trapAt.set(at, reason);
    return at;
  }
}

interface Label {
  kind: 'block' | 'loop' | 'if' | 'func';
  dead: boolean;
  /** operand height below the block's parameters */
  entryHeight: number;
  /** values a branch to this label carries */
  arity: number;
  /** loop: the pc branches jump to */
  loopPc: number;
  /** jumps to patch with the block's end pc */
  fixups: number[];
  /** if: the jump_if_zero to patch with the else (or end) pc */
  elseFix: number;
}

/** Canonical type ids: the index of the first structurally equal type. */
function canonicalTypeIds(types: FuncType[]): number[] {
  const seen = new Map<string, number>();
  return types.map((t, i) => {
    const key = `${t.params.join(',')}->${t.results.join(',')}`;
    const prev = seen.get(key);
    if (prev !== undefined) return prev;
    seen.set(key, i);
    return i;
  });
}

function constValue(e: ConstExpr | undefined, globals: bigint[], what: string): bigint {
  if (!e) throw new LoweringError(`${what}: missing constant expression`);
  if (e.kind === 'const') return e.value;
  if (e.kind === 'global.get') {
    const v = globals[e.index];
    if (v === undefined) throw new LoweringError(`${what}: global.get ${e.index} is not a constant`);
    return v;
  }
  // references are i32 values (docs/machine.md §5.5): null 0, function f f + 1
  if (e.op === 0xd0) return 0n; // ref.null
  if (e.op === 0xd2 && e.index !== undefined) return BigInt(e.index) + 1n; // ref.func
  throw new LoweringError(`${what}: unsupported constant expression (opcode 0x${e.op.toString(16)})`);
}

export function lower(mod: ValidatedModule, opts: LowerOptions = {}): Program {
  const limits = resolveLimits(opts.limits);
  const bind = opts.bindFunc ?? defaultBind;
  const typeIds = canonicalTypeIds(mod.types);
  const em = new Emitter();

  // ---- functions: imports first, then defined ones
  const funcImports = mod.imports.filter((i): i is Import & { kind: 'func' } => i.kind === 'func');
  const globalImports = mod.imports.filter((i): i is Import & { kind: 'global' } => i.kind === 'global');
  const memImport = mod.imports.find((i) => i.kind === 'memory');
  const layout = tableLayout(mod, opts.importedTable);
  const nImported = funcImports.length;
  const funcType = (idx: number): FuncType =>
    mod.types[idx < nImported ? funcImports[idx].typeIndex : mod.funcs[idx - nImported].typeIndex];
  const bindings = funcImports.map(bind);
  // §3.7: metered_call's immediate is the canonical id of type (i32) -> i32 (none: every call traps)
  const meteredTypeIndex = mod.types.findIndex(
    (t) => t.params.length === 1 && t.params[0] === 0x7f && t.results.length === 1 && t.results[0] === 0x7f,
  );
  const meteredTypeId = meteredTypeIndex < 0 ? 0xffffffff : typeIds[meteredTypeIndex];
  const emitHost = (id: number): void => {
    if (id === HOST_FUNCS.metered_call.id) em.emit(M.metered_call, meteredTypeId);
    else em.emit(M.host, id);
  };

  // ---- globals: imported (initialised from the host) + defined + hidden segment lengths
  const initialGlobals: bigint[] = [];
  const globalIsI64: boolean[] = [];
  for (const g of globalImports) {
    if (!opts.importedGlobal) throw new LoweringError(`imported global ${g.module}.${g.name} has no value`);
    initialGlobals.push(opts.importedGlobal(g));
    globalIsI64.push(g.type.type === I64);
  }
  for (const [i, g] of mod.globals.entries()) {
    initialGlobals.push(constValue(g.init, initialGlobals, `global ${globalImports.length + i}`));
    globalIsI64.push(g.type.type === I64);
  }
  const segGlobalBase = initialGlobals.length;
  // §5.7: the tables' and element segments' hidden globals, after the segment lengths
  const tg = layout.mutable
    ? new TableGlobals(layout, segGlobalBase + mod.datas.length, mod.elems.length)
    : undefined;
  const numGlobals = segGlobalBase + mod.datas.length + (tg?.count ?? 0);

  // ---- memory
  const memLimits =
    memImport?.kind === 'memory' ? (opts.importedMemory ?? memImport.limits) : mod.memories[0];
  const initialPages = memLimits?.min ?? 0;
  const maxPages = Math.min(memLimits?.max ?? 65536, limits.maxMemoryPages, memLimits ? 65536 : 0);
  if (initialPages > maxPages) {
    throw new LoweringError(
      `memory needs ${initialPages} initial pages, more than the limit of ${maxPages} pages (limits.maxMemoryPages)`,
    );
  }

  // ---- static data
  const dataBase: number[] = [];
  let dataLen = 0;
  for (const d of mod.datas) {
    dataBase.push(dataLen);
    dataLen += d.bytes.length;
  }
  const data = new Uint8Array(dataLen);
  mod.datas.forEach((d, k) => {
    data.set(d.bytes, dataBase[k]);
  });

  const funcs: FuncInfo[] = [];
  const callFixups: { at: number; func: number }[] = [];
  const emitCall = (func: number): void => {
    callFixups.push({ at: em.emit(M.call, 0n), func });
  };

  // ---- entry stub (pc 0): globals, segment lengths, active data segments, start, entry export, halt
  initialGlobals.forEach((v, i) => {
    em.emit(globalIsI64[i] ? M['i64.const'] : M['i32.const'], v);
    em.emit(M['global.set'], i);
  });
  mod.datas.forEach((d, k) => {
    em.emit(M['i32.const'], d.bytes.length);
    em.emit(M['global.set'], segGlobalBase + k);
  });
  if (tg) {
    // §5.7: each table's size, each passive segment's length, then the active segments' elements
    layout.size.forEach((n, t) => {
      em.emit(M['i32.const'], n);
      em.emit(M['global.set'], tg.size[t]);
    });
    mod.elems.forEach((e, k) => {
      if (e.mode === 'passive') {
        em.emit(M['i32.const'], e.funcIndices.length);
        em.emit(M['global.set'], tg.elemLen[k]);
      }
      if (e.mode !== 'active') return;
      const off = Number(
        BigInt.asUintN(32, constValue(e.offset, initialGlobals, `element segment ${k} offset`)),
      );
      const size = layout.size[e.tableIndex];
      if (off + e.funcIndices.length > size)
        throw new LoweringError(
          `element segment ${k} writes slots ${off}..${off + e.funcIndices.length - 1} of a table of ${size}`,
        );
      e.funcIndices.forEach((f, j) => {
        em.emit(M['i32.const'], refValue(f));
        em.emit(M['global.set'], tg.slot(e.tableIndex, off + j));
      });
    });
  }
  const helpers = new Map<string, number>(); // helper name -> pc, filled after the functions
  const helperCalls: { at: number; name: string }[] = [];
  const emitHelperCall = (name: string): void => {
    helperCalls.push({ at: em.emit(M.call, 0n), name });
  };
  mod.datas.forEach((d, k) => {
    if (d.mode !== 'active') return;
    em.emit(M['i32.const'], constValue(d.offset, initialGlobals, `data segment ${k} offset`));
    em.emit(M['i32.const'], 0);
    em.emit(M['i32.const'], d.bytes.length);
    emitHelperCall(`init${k}`);
    em.emit(M['i32.const'], 0);
    em.emit(M['global.set'], segGlobalBase + k);
  });
  if (mod.start !== undefined) emitCall(mod.start);
  const entryName = opts.entry === undefined ? 'main' : opts.entry;
  if (entryName !== null) {
    const ex = mod.exports.find((e) => e.name === entryName && e.kind === 'func');
    if (!ex)
      throw new LoweringError(`the module does not export a function "${entryName}" (the STF entry point)`);
    const t = funcType(ex.index);
    if (t.params.length || t.results.length) {
      throw new LoweringError(
        `export "${entryName}" must have type () -> (), found (${t.params}) -> (${t.results})`,
      );
    }
    emitCall(ex.index);
  }
  const haltPc = em.emit(M.halt);

  // ---- imported functions: stubs so that call_indirect and host invocations can reach them
  funcImports.forEach((imp, i) => {
    const t = mod.types[imp.typeIndex];
    const b = bindings[i];
    const entryPc = em.pc;
    if (b.kind === 'host') emitHost(b.id);
    else {
      for (let p = 0; p < t.params.length; p++) em.emit(M.drop);
      for (const r of t.results) em.emit(r === I64 ? M['i64.const'] : M['i32.const'], 0);
    }
    em.emit(M.return);
    funcs.push({
      entryPc,
      numParams: t.params.length,
      numLocals: 0,
      numResults: t.results.length,
      maxHeight: Math.max(t.params.length, t.results.length),
      typeId: typeIds[imp.typeIndex],
    });
  });

  // ---- defined functions
  mod.funcs.forEach((f, fi) => {
    const funcIndex = nImported + fi;
    const t = mod.types[f.typeIndex];
    const heights = mod.analysis[fi].heights;
    // a checked call_indirect (§5.6) keeps its index in one more local
    const scratch = t.params.length + f.locals.length;
    const numLocals = scratch + scratchLocals(layout);
    const entryPc = em.pc;
    funcs.push({
      entryPc,
      numParams: t.params.length,
      numLocals,
      numResults: t.results.length,
      // the prologue starts with the parameters on the operand stack
      maxHeight: loweredMaxHeight(layout, mod.analysis[fi].maxHeight, t.params.length),
      typeId: typeIds[f.typeIndex],
    });
    if (numLocals > 0xffff)
      throw new LoweringError(`function ${funcIndex} has ${numLocals} locals; at most 65535`);
    for (let p = t.params.length - 1; p >= 0; p--) em.emit(M['local.set'], p);

    const labels: Label[] = [
      {
        kind: 'func',
        dead: false,
        entryHeight: 0,
        arity: t.results.length,
        loopPc: 0,
        fixups: [],
        elseFix: -1,
      },
    ];
    /** removes `count` values below the top `keep` values */
    const emitDrops = (count: number, keep: number): void => {
      for (let i = 0; i < count; i++) em.emit(keep === 0 ? M.drop : M.drop_under, keep);
    };
    /** unconditional branch to label depth `depth` with `h` values on the stack */
    const emitBranch = (depth: number, h: number): void => {
      const l = labels[labels.length - 1 - depth];
      emitDrops(h - l.entryHeight - l.arity, l.arity);
      if (l.kind === 'func') em.emit(M.return);
      else if (l.kind === 'loop') em.emit(M.jump, l.loopPc);
      else l.fixups.push(em.emit(M.jump, 0));
    };
    const dropsFor = (depth: number, h: number): number => {
      const l = labels[labels.length - 1 - depth];
      return h - l.entryHeight - l.arity;
    };

    for (let i = 0; i < f.body.length; i++) {
      const ins = f.body[i];
      const h = heights[i];
      const live = h >= 0;
      const op = ins.op;
      switch (op) {
        case 0x02: // block
        case 0x03: // loop
        case 0x04: {
          // if
          const bt = ins.type!;
          const dead = !live || labels[labels.length - 1].dead;
          const condH = op === 0x04 ? 1 : 0;
          const l: Label = {
            kind: op === 0x02 ? 'block' : op === 0x03 ? 'loop' : 'if',
            dead,
            entryHeight: dead ? 0 : h - condH - bt.params.length,
            arity: op === 0x03 ? bt.params.length : bt.results.length,
            loopPc: em.pc,
            fixups: [],
            elseFix: -1,
          };
          if (!dead && op === 0x04) l.elseFix = em.emit(M.jump_if_zero, 0);
          labels.push(l);
          break;
        }
        case 0x05: {
          // else
          const l = labels[labels.length - 1];
          if (l.dead) break;
          if (live) l.fixups.push(em.emit(M.jump, 0));
          em.patch(l.elseFix, em.pc);
          l.elseFix = -1;
          break;
        }
        case 0x0b: {
          // end
          const l = labels.pop()!;
          if (l.kind === 'func') {
            if (live) em.emit(M.return);
            break;
          }
          if (l.dead) break;
          if (l.elseFix >= 0) em.patch(l.elseFix, em.pc);
          for (const fx of l.fixups) em.patch(fx, em.pc);
          break;
        }
        default: {
          if (!live) break;
          lowerInstr(i, h);
        }
      }
    }
    if (labels.length !== 0) throw new LoweringError(`function ${funcIndex}: unbalanced blocks`);

    function lowerInstr(i: number, h: number): void {
      const ins = f.body[i];
      const op = ins.op;
      const simple = SIMPLE_WASM_TO_MACHINE.get(op);
      if (simple !== undefined) {
        em.emit(simple);
        return;
      }
      const mem = MEMORY_WASM_TO_MACHINE.get(op);
      if (mem !== undefined) {
        em.emit(mem, ins.b ?? 0);
        return;
      }
      switch (op) {
        case 0x00:
          em.emitTrap(mod.trapReasons?.get(funcIndex));
          return;
        case 0x01:
          return; // nop: nothing to run
        case 0x0c:
          emitBranch(ins.a!, h);
          return;
        case 0x0d: {
          // br_if: the condition is popped first
          const d = dropsFor(ins.a!, h - 1);
          const l = labels[labels.length - 1 - ins.a!];
          if (d === 0 && l.kind !== 'func') {
            const at = em.emit(M.jump_if, l.kind === 'loop' ? l.loopPc : 0);
            if (l.kind !== 'loop') l.fixups.push(at);
          } else {
            const skip = em.emit(M.jump_if_zero, 0);
            emitBranch(ins.a!, h - 1);
            em.patch(skip, em.pc);
          }
          return;
        }
        case 0x0e: {
          // br_table: `br_table n` then n+1 jumps; targets needing drops go through stubs
          const targets = [...ins.targets!, ins.a!];
          em.emit(M.br_table, targets.length - 1);
          const stubs: { at: number; depth: number }[] = [];
          for (const depth of targets) {
            const l = labels[labels.length - 1 - depth];
            if (dropsFor(depth, h - 1) === 0 && l.kind !== 'func') {
              const at = em.emit(M.jump, l.kind === 'loop' ? l.loopPc : 0);
              if (l.kind !== 'loop') l.fixups.push(at);
            } else stubs.push({ at: em.emit(M.jump, 0), depth });
          }
          for (const s of stubs) {
            em.patch(s.at, em.pc);
            emitBranch(s.depth, h - 1);
          }
          return;
        }
        case 0x0f:
          emitBranch(labels.length - 1, h);
          return;
        case 0x10: {
          const callee = ins.a!;
          if (callee < nImported) {
            const b = bindings[callee];
            const t = funcType(callee);
            if (b.kind === 'host') emitHost(b.id);
            else {
              for (let p = 0; p < t.params.length; p++) em.emit(M.drop);
              for (const r of t.results) em.emit(r === I64 ? M['i64.const'] : M['i32.const'], 0);
            }
          } else emitCall(callee);
          return;
        }
        case 0x11:
          if (tg) {
            emitCallIndirect(em, tg, ins.b!, typeIds[ins.a!], scratch);
            return;
          }
          if (layout.checked) {
            // §5.6: slot offset_t + i if i < size_t, else 0xffffffff (undefined element)
            em.emit(M['local.tee'], scratch);
            em.emit(M['i32.const'], layout.offset[ins.b!]);
            em.emit(M['i32.add']);
            em.emit(M['i32.const'], 0xffffffff);
            em.emit(M['local.get'], scratch);
            em.emit(M['i32.const'], layout.size[ins.b!]);
            em.emit(M['i32.lt_u']);
            em.emit(M.select);
          }
          em.emit(M.call_indirect, typeIds[ins.a!]);
          return;
        case 0x20:
          em.emit(M['local.get'], ins.a!);
          return;
        case 0x21:
          em.emit(M['local.set'], ins.a!);
          return;
        case 0x22:
          em.emit(M['local.tee'], ins.a!);
          return;
        case 0x23:
          em.emit(M['global.get'], ins.a!);
          return;
        case 0x24:
          em.emit(M['global.set'], ins.a!);
          return;
        case 0x41:
          em.emit(M['i32.const'], BigInt.asUintN(32, ins.c!));
          return;
        case 0x42:
          em.emit(M['i64.const'], ins.c!);
          return;
        // references are i32 values (docs/machine.md §5.5): null 0, function f f + 1
        case 0xd0: // ref.null
          em.emit(M['i32.const'], 0n);
          return;
        case 0xd1: // ref.is_null
          em.emit(M['i32.eqz']);
          return;
        case 0xd2: // ref.func
          em.emit(M['i32.const'], BigInt(ins.a!) + 1n);
          return;
        case 0xfc08: // memory.init
          emitHelperCall(`init${ins.a!}`);
          return;
        case 0xfc09: // data.drop
          em.emit(M['i32.const'], 0);
          em.emit(M['global.set'], segGlobalBase + ins.a!);
          return;
        case 0xfc0a:
          emitHelperCall('copy');
          return;
        case 0xfc0b:
          emitHelperCall('fill');
          return;
        // tables as machine state (§5.7)
        case 0x25:
          emitTableGet(em, tg!, ins.a!, scratch);
          return;
        case 0x26:
          emitTableSet(em, tg!, ins.a!, scratch, scratch + 1);
          return;
        case 0xfc10:
          em.emit(M['global.get'], tg!.size[ins.a!]);
          return;
        case 0xfc0d:
          em.emit(M['i32.const'], 0);
          em.emit(M['global.set'], tg!.elemLen[ins.a!]);
          return;
        case 0xfc11:
          emitHelperCall(`tfill${ins.a!}`);
          return;
        case 0xfc0f:
          emitHelperCall(`tgrow${ins.a!}`);
          return;
        case 0xfc0e:
          emitHelperCall(`tcopy${ins.a!}_${ins.b!}`);
          return;
        case 0xfc0c:
          emitHelperCall(`tinit${ins.b!}_${ins.a!}`);
          return;
        default:
          throw new LoweringError(
            `function ${funcIndex}: instruction 0x${op.toString(16)} at offset 0x${ins.offset.toString(16)} cannot be lowered`,
          );
      }
    }
  });

  // ---- bulk-memory helpers (§5.3), emitted only when used
  const needed = new Set(helperCalls.map((c) => c.name));
  const helperInfo = new Map<string, FuncInfo>();
  for (const name of needed) {
    const entryPc = em.pc;
    const table = /^t(fill|grow|copy|init)(\d+)(?:_(\d+))?$/.exec(name);
    if (table) {
      const [, kind, a, b] = table;
      if (kind === 'fill') emitTableFillHelper(em, tg!, Number(a));
      else if (kind === 'grow') emitGrowHelper(em, tg!, Number(a));
      else if (kind === 'copy') emitTableCopyHelper(em, tg!, Number(a), Number(b));
      else emitTableInitHelper(em, tg!, Number(a), Number(b), mod.elems[Number(b)]);
      helpers.set(name, entryPc);
      const numParams = kind === 'grow' ? 2 : 3;
      const maxHeight = TABLE_STEPS.helperMaxHeight;
      helperInfo.set(name, {
        entryPc,
        numParams,
        numLocals: TABLE_HELPER_LOCALS,
        numResults: kind === 'grow' ? 1 : 0,
        maxHeight,
        typeId: -1,
      });
      continue;
    }
    if (name === 'fill') emitFillHelper(em);
    else if (name === 'copy') emitCopyHelper(em);
    else {
      const k = Number(name.slice(4));
      emitInitHelper(em, dataBase[k], segGlobalBase + k);
    }
    helpers.set(name, entryPc);
    helperInfo.set(name, { entryPc, numParams: 3, numLocals: 3, numResults: 0, maxHeight: 8, typeId: -1 });
  }

  for (const c of callFixups) {
    const fi = funcs[c.func];
    em.imm[c.at] = packCall(fi.entryPc, fi.numLocals, fi.maxHeight);
  }
  for (const c of helperCalls) {
    const fi = helperInfo.get(c.name)!;
    em.imm[c.at] = packCall(fi.entryPc, fi.numLocals, fi.maxHeight);
  }

  // ---- tables (§4.4, §5.6): the funcref tables one after the other, element segments applied
  const table = new Int32Array(layout.length).fill(-1);
  // §5.7: slot r is function r − 1 (the tables hold references r, in hidden globals)
  if (tg) for (let r = 1; r < table.length; r++) table[r] = r - 1;
  mod.elems.forEach((e, k) => {
    if (e.mode !== 'active' || tg) return;
    const off = Number(
      BigInt.asUintN(32, constValue(e.offset, initialGlobals, `element segment ${k} offset`)),
    );
    const size = layout.size[e.tableIndex];
    if (off + e.funcIndices.length > size) {
      throw new LoweringError(
        `element segment ${k} writes slots ${off}..${off + e.funcIndices.length - 1} of a table of ${size}`,
      );
    }
    const base = layout.offset[e.tableIndex];
    if (base < 0) return; // an externref table: only null references (validation), nothing to lay out
    e.funcIndices.forEach((fidx, j) => {
      table[base + off + j] = fidx ?? -1;
    });
  });

  const n = em.ops.length;
  const ops = new Uint16Array(n);
  const immLo = new Int32Array(n);
  const immHi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ops[i] = em.ops[i];
    const v = em.imm[i];
    immLo[i] = Number(v & 0xffffffffn) | 0;
    immHi[i] = Number(v >> 32n) | 0;
  }
  const exports = new Map<string, { kind: 'func' | 'global' | 'memory' | 'table'; index: number }>();
  for (const e of mod.exports) exports.set(e.name, { kind: e.kind, index: e.index });
  return {
    ops,
    immLo,
    immHi,
    funcs,
    table,
    data,
    dataBase,
    numGlobals,
    initialPages,
    maxPages,
    limits,
    haltPc,
    exports,
    globalIsI64,
    funcNames: mod.funcNames,
    trapAt: em.trapAt,
  };
}

// Helper functions take (dst, x, n) as locals 0, 1, 2 (popped by the prologue) and return nothing.

/** traps unless `local a + local n <= memory size in bytes` (computed in i64, no overflow) */
function emitBoundsCheck(em: Emitter, a: number, n: number): void {
  em.emit(M['local.get'], a);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['local.get'], n);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['i64.add']);
  em.emit(M['memory.size']);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['i64.const'], 16);
  em.emit(M['i64.shl']);
  em.emit(M['i64.gt_u']);
  const ok = em.emit(M.jump_if_zero, 0);
  em.emitTrap('out of bounds memory access');
  em.patch(ok, em.pc);
}

function emitPrologue(em: Emitter): void {
  em.emit(M['local.set'], 2);
  em.emit(M['local.set'], 1);
  em.emit(M['local.set'], 0);
}

/** local += delta (i32) */
function emitBump(em: Emitter, local: number, delta: number): void {
  em.emit(M['local.get'], local);
  em.emit(M['i32.const'], delta >>> 0);
  em.emit(M['i32.add']);
  em.emit(M['local.set'], local);
}

/** `while (n != 0) { body; n-- }` */
function emitCountLoop(em: Emitter, body: () => void): void {
  const top = em.pc;
  em.emit(M['local.get'], 2);
  const exit = em.emit(M.jump_if_zero, 0);
  body();
  emitBump(em, 2, -1);
  em.emit(M.jump, top);
  em.patch(exit, em.pc);
}

/** memory.fill(d, val, n) */
function emitFillHelper(em: Emitter): void {
  emitPrologue(em);
  emitBoundsCheck(em, 0, 2);
  emitCountLoop(em, () => {
    em.emit(M['local.get'], 0);
    em.emit(M['local.get'], 1);
    em.emit(M['i32.store8'], 0);
    emitBump(em, 0, 1);
  });
  em.emit(M.return);
}

/** memory.copy(d, s, n): forward when d <= s, backward otherwise (overlap-safe) */
function emitCopyHelper(em: Emitter): void {
  emitPrologue(em);
  emitBoundsCheck(em, 0, 2);
  emitBoundsCheck(em, 1, 2);
  em.emit(M['local.get'], 0);
  em.emit(M['local.get'], 1);
  em.emit(M['i32.gt_u']);
  const backward = em.emit(M.jump_if, 0);
  emitCountLoop(em, () => {
    em.emit(M['local.get'], 0);
    em.emit(M['local.get'], 1);
    em.emit(M['i32.load8_u'], 0);
    em.emit(M['i32.store8'], 0);
    emitBump(em, 0, 1);
    emitBump(em, 1, 1);
  });
  em.emit(M.return);
  em.patch(backward, em.pc);
  emitCountLoop(em, () => {
    // copy byte n-1: d + n - 1 <- s + n - 1
    em.emit(M['local.get'], 0);
    em.emit(M['local.get'], 2);
    em.emit(M['i32.add']);
    em.emit(M['i32.const'], 0xffffffff);
    em.emit(M['i32.add']);
    em.emit(M['local.get'], 1);
    em.emit(M['local.get'], 2);
    em.emit(M['i32.add']);
    em.emit(M['i32.const'], 0xffffffff);
    em.emit(M['i32.add']);
    em.emit(M['i32.load8_u'], 0);
    em.emit(M['i32.store8'], 0);
  });
  em.emit(M.return);
}

/** memory.init seg (d, s, n): bounds against the segment's current length (a hidden global; 0 once dropped) */
function emitInitHelper(em: Emitter, base: number, lenGlobal: number): void {
  emitPrologue(em);
  // s + n > segment length -> trap
  em.emit(M['local.get'], 1);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['local.get'], 2);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['i64.add']);
  em.emit(M['global.get'], lenGlobal);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['i64.gt_u']);
  const ok = em.emit(M.jump_if_zero, 0);
  em.emitTrap('out of bounds memory access');
  em.patch(ok, em.pc);
  emitBoundsCheck(em, 0, 2);
  emitCountLoop(em, () => {
    em.emit(M['local.get'], 0);
    em.emit(M['local.get'], 1);
    em.emit(M['data.load8'], base);
    em.emit(M['i32.store8'], 0);
    emitBump(em, 0, 1);
    emitBump(em, 1, 1);
  });
  em.emit(M.return);
}
