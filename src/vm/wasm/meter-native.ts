/**
 * Exact metering for the native runner (docs/machine.md §11 "Metering"): the module V8 runs is
 * instrumented so that it counts the interpreter's steps exactly and stops where the interpreter
 * stops (the step cap, the call depth, the value-stack height).
 *
 * Steps. Every wasm instruction costs the number of machine steps `lower.ts` emits for it (block and
 * loop 0, `if` 1, a branch its drops + 1, a call 1 plus the callee's prologue, …). The code is cut
 * into *segments*: straight-line runs whose only side effect (a store, `global.set`,
 * `memory.grow`, a call, a host call, a bulk-memory op, `data.drop`) or control transfer is their
 * last instruction. A segment's steps are charged against the countdown global `rem` (= limit −
 * steps) just before that last instruction; if they do not fit, the run is out of steps exactly
 * there, as in the interpreter, since nothing before it in the segment had an effect. A trap in the
 * pure part of a segment (a load, a division) happens before the charge: its step is recovered from
 * the trapping instruction's byte offset (V8's stack trace) and the table `adjust` built here, and
 * it counts as a trap only if that step is below the limit. A branch whose drops depend on the path
 * (`br_if` taken with drops, `br_table` through a stub) charges the extra steps on that path.
 * memory.fill / memory.copy / memory.init become calls to generated functions that charge the
 * interpreter's helper loops in closed form, trap at the same step, and on running out of steps
 * first do the stores the interpreter would have done.
 *
 * Frames. Each function keeps its call depth and the interpreter's value-stack base (the height
 * below its parameters) in two locals, set from the globals `cd` and `cb` that every caller writes
 * just before a call; the callee checks them on entry (the interpreter's checks of the call step).
 * No exit code is needed, so a trap unwinds nothing.
 *
 * What a stop means is in the global `why`: 1 out of steps, 2 call stack exhausted, 3 value stack
 * exhausted, 4 a bulk-memory op out of bounds (these three: a trap at the last charged step).
 */
import type { MachineLimits } from './limits.ts';
import type { FuncType, Import, Instr, ValidatedModule } from './module.ts';
import { CHECKED_CALL_INDIRECT_STEPS, loweredMaxHeight, TABLE_STEPS, tableLayout } from './tables.ts';

/** the import of a metered call (docs/machine.md §11) */
export const METERED_CALL = 'metered_call';

export const WHY = { none: 0, steps: 1, frames: 2, stack: 3, bulk: 4, table: 5 } as const;

export interface Instrumented {
  binary: Uint8Array;
  memoryExport?: string;
  startExport?: string;
  tableExport?: string;
  /** export names of the meter globals: rem (i64), why (i32), cd (i32), cb (i32) */
  globals: { rem: string; why: string; cd: string; cb: string };
  /**
   * byte offset in `binary` of each instrumented instruction that can trap -> its step relative to
   * the steps counted so far: the trapping step is `steps + adjust` (steps = limit − rem)
   */
  adjust: Map<number, number>;
  /** steps of the interpreter's entry stub before `call start` / `call main` (§5.4) */
  stubSteps: number;
  /** set when the entry stub itself traps (a data segment's helper call exceeds maxStackHeight): its steps, the trapping one included */
  stubTrapSteps?: number;
}

const I32 = 0x7f;
const I64 = 0x7e;

// ---- encoding (also used by softfloat/lower-floats.ts)
export function uleb(out: number[], n: number): void {
  let v = n >>> 0;
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v ? b | 0x80 : b);
  } while (v);
}
export function sleb(out: number[], value: number | bigint): void {
  let v = BigInt(value);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}
function section(id: number, body: number[] | Uint8Array): Uint8Array {
  const head: number[] = [id];
  uleb(head, body.length);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}
function name(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  for (const x of b) out.push(x);
}
function funcTypeBytes(out: number[], t: FuncType): void {
  out.push(0x60);
  uleb(out, t.params.length);
  for (const p of t.params) out.push(p);
  uleb(out, t.results.length);
  for (const r of t.results) out.push(r);
}

/** canonical section order (datacount, 12, sits between element and code) */
const ORDER = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

/** bulk-memory and table helper ids (§5.7: `tfill3`, `tcopy0_1`, `tinit0_2`, `tgrow1`), appended after the module's functions */
type Bulk = 'fill' | 'copy' | `init${number}` | `t${'fill' | 'grow' | 'copy' | 'init'}${string}`;

export function instrumentForNative(
  bytes: Uint8Array,
  mod: ValidatedModule,
  limits: MachineLimits,
  maxPages: number,
): Instrumented {
  const funcImports = mod.imports.filter((i): i is Import & { kind: 'func' } => i.kind === 'func');
  const nImported = funcImports.length;
  const nFuncs = nImported + mod.funcs.length;
  const typeOfFunc = (f: number): FuncType =>
    mod.types[f < nImported ? funcImports[f].typeIndex : mod.funcs[f - nImported].typeIndex];
  const layout = tableLayout(mod);
  /** per table (imports first): its reference type */
  const tableElem = [
    ...mod.imports.flatMap((i) => (i.kind === 'table' ? [i.elemType] : [])),
    ...mod.tables.map((t) => t.elemType),
  ];
  for (const e of mod.elems) {
    for (const f of e.funcIndices) {
      // with table instructions (§5.7) any reference can be stored in a table: a declared one too
      if (f !== null && f < nImported && (e.mode !== 'declarative' || layout.mutable)) {
        throw new Error(
          `native metering: host function ${funcImports[f].name} in the table is not supported natively`,
        );
      }
    }
  }
  if (layout.mutable) {
    const hostRef = (f: number | undefined): void => {
      if (f !== undefined && f < nImported)
        throw new Error(
          `native metering: a reference to host function ${funcImports[f].name} (which table instructions can store in a table) is not supported natively`,
        );
    };
    for (const g of mod.globals) if (g.init.kind === 'other' && g.init.op === 0xd2) hostRef(g.init.index);
    for (const f of mod.funcs) for (const ins of f.body) if (ins.op === 0xd2) hostRef(ins.a);
  }

  // ---- globals: the module's, then rem (i64), why, cd, cb (i32), then one "dropped" flag per data segment
  const nGlobals = mod.globals.length; // STF modules import no globals
  const G_REM = nGlobals;
  const G_WHY = nGlobals + 1;
  const G_CD = nGlobals + 2;
  const G_CB = nGlobals + 3;
  const G_DROP = (k: number) => nGlobals + 4 + k;
  // §5.7: one "dropped" flag per element segment (modules using table instructions)
  const G_EDROP = (e: number) => nGlobals + 4 + mod.datas.length + e;
  const nElemFlags = layout.mutable ? mod.elems.length : 0;

  // ---- bulk helpers (defined functions after the module's)
  const bulkIndex = new Map<Bulk, number>();
  const bulkList: Bulk[] = [];
  const bulkFunc = (b: Bulk): number => {
    let i = bulkIndex.get(b);
    if (i === undefined) {
      i = nFuncs + bulkList.length;
      bulkIndex.set(b, i);
      bulkList.push(b);
    }
    return i;
  };

  // ---- types: the module's + (i32 i32 i32) -> (), then (§5.7) table.fill's and table.grow's per reference type
  const T_BULK = mod.types.length;
  const T_TFILL = (ref: number) => T_BULK + (ref === 0x6f ? 2 : 1);
  const T_TGROW = (ref: number) => T_BULK + (ref === 0x6f ? 4 : 3);
  const helperType = (b: Bulk): number =>
    b.startsWith('tfill')
      ? T_TFILL(tableElem[Number(b.slice(5))])
      : b.startsWith('tgrow')
        ? T_TGROW(tableElem[Number(b.slice(5))])
        : T_BULK;

  const maxFrames = limits.maxFrames;
  const maxStack = limits.maxStackHeight;

  const trapWith = (out: number[], why: number): void => {
    out.push(0x41);
    sleb(out, why);
    out.push(0x24);
    uleb(out, G_WHY);
    out.push(0x00);
  };
  /** charge c steps: out of steps (why 1) if rem < c, else rem -= c */
  const charge = (out: number[], c: number): void => {
    if (c <= 0) return;
    out.push(0x23);
    uleb(out, G_REM);
    out.push(0x42);
    sleb(out, c);
    out.push(0x53, 0x04, 0x40); // i64.lt_s, if
    trapWith(out, WHY.steps);
    out.push(0x0b, 0x23);
    uleb(out, G_REM);
    out.push(0x42);
    sleb(out, c);
    out.push(0x7d, 0x24); // i64.sub, global.set
    uleb(out, G_REM);
  };

  const adjustRel: { fn: number; at: number; adj: number }[] = [];
  const bodies: number[][] = [];

  mod.funcs.forEach((f, fi) => {
    const t = mod.types[f.typeIndex];
    const nParams = t.params.length;
    const heights = mod.analysis[fi].heights;
    const maxH = loweredMaxHeight(layout, mod.analysis[fi].maxHeight, nParams);
    const nLocals = nParams + f.locals.length;
    const L_B = nLocals; // i32: value-stack base
    const L_D = nLocals + 1; // i32: call depth
    const L_T = nLocals + 2; // i32: scratch
    const L_REF = (ref: number) => nLocals + (ref === 0x6f ? 4 : 3); // a funcref / externref (§5.7)
    const out: number[] = [];
    // locals: the declared ones (run-length encoded) + 3 i32
    const groups: [number, number][] = [];
    for (const l of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === l) last[0]++;
      else groups.push([1, l]);
    }
    groups.push([3, I32]);
    // §5.7: table.set keeps its value in a local of the table's reference type
    if (layout.mutable) groups.push([1, 0x70], [1, 0x6f]);
    uleb(out, groups.length);
    for (const [n, ty] of groups) {
      uleb(out, n);
      out.push(ty);
    }
    // entry: the checks of the call step (§3.5): depth, then stack height
    out.push(0x23);
    uleb(out, G_CD);
    out.push(0x22);
    uleb(out, L_D);
    out.push(0x41);
    sleb(out, maxFrames);
    out.push(0x4b, 0x04, 0x40); // i32.gt_u, if
    trapWith(out, WHY.frames);
    out.push(0x0b, 0x23);
    uleb(out, G_CB);
    out.push(0x22);
    uleb(out, L_B);
    out.push(0x41);
    sleb(out, maxStack - nParams - maxH);
    out.push(0x4a, 0x04, 0x40); // i32.gt_s, if
    trapWith(out, WHY.stack);
    out.push(0x0b);

    let pending = nParams; // the prologue's local.set steps
    const flush = (extra = 0): void => {
      charge(out, pending + extra);
      pending = 0;
    };
    const markCharged = (): void => {
      adjustRel.push({ fn: fi, at: out.length, adj: -1 });
    };
    const markPure = (): void => {
      adjustRel.push({ fn: fi, at: out.length, adj: pending - 1 });
    };
    /** before a call: the callee's depth and value-stack base */
    const prelude = (callSpFromBase: number, calleeParams: number): void => {
      out.push(0x20);
      uleb(out, L_D);
      out.push(0x41, 0x01, 0x6a, 0x24); // i32.const 1, i32.add, global.set
      uleb(out, G_CD);
      out.push(0x20);
      uleb(out, L_B);
      out.push(0x41);
      sleb(out, callSpFromBase - calleeParams);
      out.push(0x6a, 0x24);
      uleb(out, G_CB);
    };

    interface Label {
      kind: 'block' | 'loop' | 'if' | 'func';
      dead: boolean;
      entryHeight: number;
      arity: number;
    }
    const labels: Label[] = [{ kind: 'func', dead: false, entryHeight: 0, arity: t.results.length }];
    const dropsFor = (depth: number, h: number): number => {
      const l = labels[labels.length - 1 - depth];
      return h - l.entryHeight - l.arity;
    };
    /** steps of an unconditional branch to `depth` at height h (lower.ts emitBranch) */
    const branchSteps = (depth: number, h: number): number => dropsFor(depth, h) + 1;
    const raw = (i: number): void => {
      const start = f.body[i].offset;
      const end = i + 1 < f.body.length ? f.body[i + 1].offset : start + 1;
      for (let p = start; p < end; p++) out.push(bytes[p]);
    };

    for (let i = 0; i < f.body.length; i++) {
      const ins = f.body[i];
      const h = heights[i];
      const live = h >= 0;
      const op = ins.op;
      switch (op) {
        case 0x02:
        case 0x03:
        case 0x04: {
          const bt = ins.type!;
          const dead = !live || labels[labels.length - 1].dead;
          const condH = op === 0x04 ? 1 : 0;
          if (!dead && op === 0x03) flush();
          if (!dead && op === 0x04) flush(1);
          labels.push({
            kind: op === 0x02 ? 'block' : op === 0x03 ? 'loop' : 'if',
            dead,
            entryHeight: dead ? 0 : h - condH - bt.params.length,
            arity: op === 0x03 ? bt.params.length : bt.results.length,
          });
          raw(i);
          break;
        }
        case 0x05: {
          const l = labels[labels.length - 1];
          if (!l.dead && live) flush(1);
          pending = 0;
          raw(i);
          break;
        }
        case 0x0b: {
          const l = labels.pop()!;
          if (l.kind === 'func') {
            if (live) flush(1);
          } else if (!l.dead && l.kind !== 'loop' && live) flush();
          if (l.kind !== 'loop') pending = 0;
          raw(i);
          break;
        }
        default: {
          if (!live) {
            raw(i);
            break;
          }
          instr(ins, i, h);
        }
      }
    }
    bodies.push(out);

    function instr(ins: Instr, i: number, h: number): void {
      const op = ins.op;
      switch (op) {
        case 0x00: // unreachable
          flush(1);
          markCharged();
          raw(i);
          return;
        case 0x01:
          raw(i);
          return;
        case 0x0c: // br
          flush(branchSteps(ins.a!, h));
          raw(i);
          return;
        case 0x0f: // return
          flush(branchSteps(labels.length - 1, h));
          raw(i);
          return;
        case 0x0d: {
          // br_if: the condition is popped first
          const d = dropsFor(ins.a!, h - 1);
          const l = labels[labels.length - 1 - ins.a!];
          flush(1);
          if (!(d === 0 && l.kind !== 'func')) {
            // taken: the drops and the jump (or return) after jump_if_zero
            out.push(0x22);
            uleb(out, L_T);
            out.push(0x04, 0x40);
            charge(out, d + 1);
            out.push(0x0b, 0x20);
            uleb(out, L_T);
          }
          raw(i);
          return;
        }
        case 0x0e: {
          // br_table: 1 + the jump, + the stub's drops and jump for targets that need one
          const targets = [...ins.targets!, ins.a!];
          const extra = targets.map((depth) => {
            const l = labels[labels.length - 1 - depth];
            return dropsFor(depth, h - 1) === 0 && l.kind !== 'func' ? 0 : branchSteps(depth, h - 1);
          });
          flush(2);
          const distinct = [...new Set(extra)];
          if (distinct.length === 1) charge(out, distinct[0]);
          else {
            // dispatch on the index to a block per distinct extra cost
            const m = distinct.length - 1;
            out.push(0x22);
            uleb(out, L_T);
            out.push(0x02, 0x40); // block $done
            for (let g = 0; g <= m; g++) out.push(0x02, 0x40);
            out.push(0x20);
            uleb(out, L_T);
            out.push(0x0e);
            uleb(out, extra.length - 1);
            for (const e of extra) uleb(out, distinct.indexOf(e));
            for (let g = 0; g <= m; g++) {
              out.push(0x0b);
              charge(out, distinct[g]);
              if (g < m) {
                out.push(0x0c);
                uleb(out, m - g - 1);
              }
            }
            out.push(0x0b, 0x20);
            uleb(out, L_T);
          }
          raw(i);
          return;
        }
        case 0x10: {
          const callee = ins.a!;
          if (callee < nImported) {
            flush(1);
            if (funcImports[callee].name === METERED_CALL) prelude(h, 3);
            markCharged();
            raw(i);
            return;
          }
          flush(1);
          prelude(h, typeOfFunc(callee).params.length);
          markCharged();
          raw(i);
          return;
        }
        case 0x11: {
          // §5.6: with several funcref tables the index check is 8 steps before the call's; §5.7
          flush(layout.mutable ? TABLE_STEPS.callIndirect : layout.checked ? CHECKED_CALL_INDIRECT_STEPS : 1);
          prelude(h - 1, mod.types[ins.a!].params.length);
          markCharged();
          raw(i);
          return;
        }
        case 0x24: // global.set
        case 0x40: // memory.grow
          flush(1);
          raw(i);
          return;
        case 0xfc08:
        case 0xfc0a:
        case 0xfc0b: {
          flush();
          prelude(h, 3);
          const b: Bulk = op === 0xfc0b ? 'fill' : op === 0xfc0a ? 'copy' : `init${ins.a!}`;
          out.push(0x10);
          uleb(out, bulkFunc(b));
          return;
        }
        case 0x25: // table.get / table.set (§5.7): the interpreter's bounds check, at its step
        case 0x26: {
          const t = ins.a!;
          const set = op === 0x26;
          if (set) {
            out.push(0x21);
            uleb(out, L_REF(tableElem[t]));
          }
          out.push(0x22);
          uleb(out, L_T);
          out.push(0xfc, 0x10);
          uleb(out, t);
          out.push(0x49, 0x45, 0x04, 0x40); // i32.lt_u, i32.eqz, if
          charge(out, pending + (set ? TABLE_STEPS.setTrap : TABLE_STEPS.getTrap));
          trapWith(out, WHY.table);
          out.push(0x0b);
          flush(set ? TABLE_STEPS.set : TABLE_STEPS.get);
          out.push(0x20);
          uleb(out, L_T);
          if (set) {
            out.push(0x20);
            uleb(out, L_REF(tableElem[t]));
          }
          raw(i);
          return;
        }
        case 0xfc10: // table.size: global.get
          pending++;
          raw(i);
          return;
        case 0xfc0d: // elem.drop: i32.const 0, global.set (2 steps)
          flush(TABLE_STEPS.elemDrop);
          out.push(0x41, 0x01, 0x24);
          uleb(out, G_EDROP(ins.a!));
          raw(i);
          return;
        case 0xfc0c:
        case 0xfc0e:
        case 0xfc0f:
        case 0xfc11: {
          const b: Bulk =
            op === 0xfc11
              ? `tfill${ins.a!}`
              : op === 0xfc0f
                ? `tgrow${ins.a!}`
                : op === 0xfc0e
                  ? `tcopy${ins.a!}_${ins.b!}`
                  : `tinit${ins.b!}_${ins.a!}`;
          flush();
          prelude(h, op === 0xfc0f ? 2 : 3);
          out.push(0x10);
          uleb(out, bulkFunc(b));
          return;
        }
        case 0xfc09: // data.drop: i32.const 0, global.set (2 steps)
          flush(2);
          out.push(0x41, 0x01, 0x24);
          uleb(out, G_DROP(ins.a!));
          raw(i);
          return;
        default:
          if (op >= 0x36 && op <= 0x3e) {
            // stores
            flush(1);
            markCharged();
            raw(i);
            return;
          }
          pending++;
          markPure();
          raw(i);
      }
    }
  });

  // ---- the bulk-memory helpers (lower.ts emitFillHelper / emitCopyHelper / emitInitHelper, §5.3)
  const L_TOT = 3; // i64 local of the helpers
  const bulkBodies: number[][] = bulkList.map((b) => {
    if (b.startsWith('t')) return tableHelperBody(b);
    const out: number[] = [];
    out.push(1, 1, I64); // one i64 local
    /** charge c steps, then trap (why) at the last of them */
    const trapAfter = (c: number, why: number): void => {
      charge(out, c);
      trapWith(out, why);
    };
    // the call step's checks (helpers: 3 locals, max height 8)
    helperCallChecks(out, 3 + 8);
    /** traps after `steps` steps unless local a + local n <= memory bytes */
    const memCheck = (a: number, steps: number): void => {
      out.push(0x20, a, 0xad, 0x20, 2, 0xad, 0x7c, 0x3f, 0x00, 0xad, 0x42, 16, 0x86, 0x56, 0x04, 0x40);
      trapAfter(steps, WHY.bulk);
      out.push(0x0b);
    };
    /** total = base + per × n; if it fits, charge it and do the op; else do `count` stores and stop */
    const run = (base: number, per: number, first: number, op: number[], partial: () => void): void => {
      out.push(0x42);
      sleb(out, base);
      out.push(0x20, 2, 0xad, 0x42);
      sleb(out, per);
      out.push(0x7e, 0x7c, 0x21, L_TOT); // i64.mul, i64.add, local.set
      out.push(0x23);
      uleb(out, G_REM);
      out.push(0x20, L_TOT, 0x59, 0x04, 0x40); // i64.ge_s, if
      out.push(0x23);
      uleb(out, G_REM);
      out.push(0x20, L_TOT, 0x7d, 0x24);
      uleb(out, G_REM);
      out.push(0x20, 0, 0x20, 1, 0x20, 2, ...op, 0x0f, 0x0b);
      // out of steps inside: the stores at steps first + per × k below rem happen
      out.push(0x23);
      uleb(out, G_REM);
      out.push(0x42);
      sleb(out, first + 1);
      out.push(0x59, 0x04, 0x40); // rem >= first + 1
      out.push(0x23);
      uleb(out, G_REM);
      out.push(0x42);
      sleb(out, first + 1);
      out.push(0x7d, 0x42);
      sleb(out, per);
      out.push(0x80, 0x42, 0x01, 0x7c, 0xa7, 0x21, 2); // i64.div_u, +1, wrap, local.set n = count
      partial();
      out.push(0x0b);
      trapWith(out, WHY.steps);
    };
    if (b === 'fill') {
      memCheck(0, 16);
      run(18, 14, 19, [0xfc, 0x0b, 0x00], () => {
        out.push(0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 0x0b, 0x00);
      });
    } else if (b === 'copy') {
      return [];
    } else {
      const k = Number(b.slice(4));
      const seg = mod.datas[k];
      // s + n > current segment length (0 once dropped) -> trap after 14 steps
      out.push(0x20, 1, 0xad, 0x20, 2, 0xad, 0x7c, 0x23);
      uleb(out, G_DROP(k));
      out.push(0x04, 0x7e, 0x42, 0x00, 0x05, 0x42);
      sleb(out, seg.bytes.length);
      out.push(0x0b, 0x56, 0x04, 0x40);
      trapAfter(14, WHY.bulk);
      out.push(0x0b);
      memCheck(0, 25);
      const init = [0xfc, 0x08];
      uleb(init, k);
      init.push(0x00);
      run(27, 19, 29, init, () => {
        out.push(0x20, 0, 0x20, 1, 0x20, 2, ...init);
      });
    }
    out.push(0x0b);
    return out;
  });
  // memory.copy has two directions (backward when dst > src): its own body
  const copyAt = bulkList.indexOf('copy');
  if (copyAt >= 0) bulkBodies[copyAt] = copyBody();

  function copyBody(): number[] {
    const out: number[] = [];
    out.push(1, 2, I64); // locals 3 (total), 4 (count, as i64)
    const trapAfter = (c: number, why: number): void => {
      charge(out, c);
      trapWith(out, why);
    };
    out.push(0x23);
    uleb(out, G_CD);
    out.push(0x41);
    sleb(out, maxFrames);
    out.push(0x4b, 0x04, 0x40);
    trapAfter(1, WHY.frames);
    out.push(0x0b, 0x23);
    uleb(out, G_CB);
    out.push(0x41);
    sleb(out, maxStack - 3 - 8);
    out.push(0x4a, 0x04, 0x40);
    trapAfter(1, WHY.stack);
    out.push(0x0b);
    for (const [a, steps] of [
      [0, 16],
      [1, 27],
    ]) {
      out.push(0x20, a, 0xad, 0x20, 2, 0xad, 0x7c, 0x3f, 0x00, 0xad, 0x42, 16, 0x86, 0x56, 0x04, 0x40);
      trapAfter(steps, WHY.bulk);
      out.push(0x0b);
    }
    // total = 33 + 19 n
    out.push(0x42, 33, 0x20, 2, 0xad, 0x42, 19, 0x7e, 0x7c, 0x21, 3);
    out.push(0x23);
    uleb(out, G_REM);
    out.push(0x20, 3, 0x59, 0x04, 0x40);
    out.push(0x23);
    uleb(out, G_REM);
    out.push(0x20, 3, 0x7d, 0x24);
    uleb(out, G_REM);
    out.push(0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 0x0a, 0x00, 0x00, 0x0f, 0x0b);
    // out of steps inside the loop. Forward (dst <= src): store k at step 35 + 19k; backward: 43 + 19k
    out.push(0x20, 0, 0x20, 1, 0x4b); // dst > src
    out.push(0x04, 0x40);
    partialCount(out, 43);
    // backward: the top `count` bytes
    out.push(0x20, 0, 0x20, 2, 0x6a, 0x20, 4, 0xa7, 0x6b); // d + n - count
    out.push(0x20, 1, 0x20, 2, 0x6a, 0x20, 4, 0xa7, 0x6b); // s + n - count
    out.push(0x20, 4, 0xa7, 0xfc, 0x0a, 0x00, 0x00);
    out.push(0x05);
    partialCount(out, 35);
    out.push(0x20, 0, 0x20, 1, 0x20, 4, 0xa7, 0xfc, 0x0a, 0x00, 0x00);
    out.push(0x0b);
    trapWith(out, WHY.steps);
    out.push(0x0b);
    return out;
  }
  /**
   * A table helper (§5.7, lower-tables.ts): the call step's checks, the bounds checks trapping at
   * the interpreter's steps, then all of its `base + per × n` steps charged at once and the op done by
   * V8. Running out of steps inside the loop stops the run (a module using table instructions may
   * not import metered_call, so what the interpreter wrote before is never read again).
   */
  /**
   * A helper's call-step checks (the interpreter's, docs/machine.md §5.3): trap after 1 step when
   * the frames are at the limit, or when the stack has no room for `reserve` (locals + max height).
   */
  function helperCallChecks(out: number[], reserve: number): void {
    out.push(0x23);
    uleb(out, G_CD);
    out.push(0x41);
    sleb(out, maxFrames);
    out.push(0x4b, 0x04, 0x40);
    charge(out, 1);
    trapWith(out, WHY.frames);
    out.push(0x0b, 0x23);
    uleb(out, G_CB);
    out.push(0x41);
    sleb(out, maxStack - reserve);
    out.push(0x4a, 0x04, 0x40);
    charge(out, 1);
    trapWith(out, WHY.stack);
    out.push(0x0b);
  }

  function tableHelperBody(b: Bulk): number[] {
    const m = /^t(fill|grow|copy|init)(\d+)(?:_(\d+))?$/.exec(b)!;
    const kind = m[1];
    const x = Number(m[2]);
    const y = Number(m[3]);
    const params = kind === 'grow' ? 2 : 3;
    const n = params - 1; // the count's local
    const L = params; // i64 scratch
    const out: number[] = [1, 1, I64];
    const trapAfter = (c: number, why: number): void => {
      charge(out, c);
      trapWith(out, why);
    };
    helperCallChecks(out, params + TABLE_STEPS.helperMaxHeight);
    /** traps after `steps` steps if local a + local n > (the i64 `limit` pushes) */
    const range = (a: number, limit: () => void, steps: number): void => {
      out.push(0x20, a, 0xad, 0x20, n, 0xad, 0x7c);
      limit();
      out.push(0x56, 0x04, 0x40);
      trapAfter(steps, WHY.table);
      out.push(0x0b);
    };
    const sizeOf = (t: number) => (): void => {
      out.push(0xfc, 0x10);
      uleb(out, t);
      out.push(0xad);
    };
    /** charges base + per × n, or stops out of steps */
    const chargeAll = (base: number, per: number): void => {
      out.push(0x42);
      sleb(out, base);
      out.push(0x20, n, 0xad, 0x42);
      sleb(out, per);
      out.push(0x7e, 0x7c, 0x21, L);
      out.push(0x23);
      uleb(out, G_REM);
      out.push(0x20, L, 0x53, 0x04, 0x40); // rem < total
      trapWith(out, WHY.steps);
      out.push(0x0b, 0x23);
      uleb(out, G_REM);
      out.push(0x20, L, 0x7d, 0x24);
      uleb(out, G_REM);
    };
    if (kind === 'fill') {
      range(0, sizeOf(x), TABLE_STEPS.fill.trap);
      chargeAll(TABLE_STEPS.fill.base, TABLE_STEPS.fill.per);
      out.push(0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 0x11);
      uleb(out, x);
    } else if (kind === 'copy') {
      range(0, sizeOf(x), TABLE_STEPS.copy.trapDst);
      range(1, sizeOf(y), TABLE_STEPS.copy.trapSrc);
      chargeAll(TABLE_STEPS.copy.base, TABLE_STEPS.copy.per);
      out.push(0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 0x0e);
      uleb(out, x);
      uleb(out, y);
    } else if (kind === 'init') {
      // x is the table, y the segment: its length, 0 once dropped
      const len = mod.elems[y].funcIndices.length;
      range(
        1,
        () => {
          out.push(0x23);
          uleb(out, G_EDROP(y));
          out.push(0x04, 0x7e, 0x42, 0x00, 0x05, 0x42);
          sleb(out, len);
          out.push(0x0b);
        },
        TABLE_STEPS.init.trapSeg,
      );
      range(0, sizeOf(x), TABLE_STEPS.init.trapDst);
      chargeAll(TABLE_STEPS.init.base, TABLE_STEPS.init.per);
      out.push(0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 0x0c);
      uleb(out, y);
      uleb(out, x);
    } else {
      // grow (v, n) -> old size, or -1 past the cap
      out.push(0xfc, 0x10);
      uleb(out, x);
      out.push(0xad, 0x20, 1, 0xad, 0x7c, 0x42);
      sleb(out, layout.cap[x]);
      out.push(0x56, 0x04, 0x40);
      charge(out, TABLE_STEPS.grow.fail);
      out.push(0x41, 0x7f, 0x0f, 0x0b); // i32.const -1, return
      chargeAll(TABLE_STEPS.grow.base, TABLE_STEPS.grow.per);
      out.push(0x20, 0, 0x20, 1, 0xfc, 0x0f);
      uleb(out, x);
    }
    out.push(0x0b);
    return out;
  }

  /** local 4 = the number of stores at steps first + 19 k that are below rem (0 if none) */
  function partialCount(out: number[], first: number): void {
    out.push(0x23);
    uleb(out, G_REM);
    out.push(0x42);
    sleb(out, first + 1);
    out.push(0x59, 0x04, 0x7e); // if (result i64)
    out.push(0x23);
    uleb(out, G_REM);
    out.push(0x42);
    sleb(out, first + 1);
    out.push(0x7d, 0x42, 19, 0x80, 0x42, 0x01, 0x7c);
    out.push(0x05, 0x42, 0x00, 0x0b, 0x21, 4);
  }

  // ---- assemble
  const sections = new Map<number, Uint8Array>();
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    let size = 0;
    let shift = 0;
    let p = pos + 1;
    for (;;) {
      const b = bytes[p++];
      size += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    const end = p + size;
    if (id !== 0) sections.set(id, bytes.subarray(pos, end));
    pos = end;
  }
  // types
  {
    const out: number[] = [];
    uleb(out, mod.types.length + 1 + (layout.mutable ? 4 : 0));
    for (const t of mod.types) funcTypeBytes(out, t);
    funcTypeBytes(out, { params: [I32, I32, I32], results: [] });
    if (layout.mutable)
      for (const ref of [0x70, 0x6f]) funcTypeBytes(out, { params: [I32, ref, I32], results: [] });
    if (layout.mutable)
      for (const ref of [0x70, 0x6f]) funcTypeBytes(out, { params: [ref, I32], results: [I32] });
    sections.set(1, section(1, out));
  }
  // functions
  {
    const out: number[] = [];
    uleb(out, mod.funcs.length + bulkList.length);
    for (const f of mod.funcs) uleb(out, f.typeIndex);
    for (const b of bulkList) uleb(out, helperType(b));
    sections.set(3, section(3, out));
  }
  // memory (capped as in the interpreter)
  const mem = mod.memories[0];
  if (mem) {
    const max = Math.min(mem.max ?? 65536, maxPages);
    if (mem.min > max) {
      throw new Error(
        `memory needs ${mem.min} initial pages, more than the limit of ${max} pages (limits.maxMemoryPages)`,
      );
    }
    const out: number[] = [1, 0x01];
    uleb(out, mem.min);
    uleb(out, max);
    sections.set(5, section(5, out));
  }
  // globals
  {
    const out: number[] = [];
    uleb(out, nGlobals + 4 + mod.datas.length + nElemFlags);
    for (const g of mod.globals) {
      out.push(g.type.type, g.type.mutable ? 1 : 0);
      const e = g.init;
      if (e.kind === 'const') {
        out.push(e.type === I64 ? 0x42 : 0x41);
        sleb(out, e.value);
      } else if (e.kind === 'global.get') {
        out.push(0x23);
        uleb(out, e.index);
      } else if (e.op === 0xd0 && e.index !== undefined) {
        out.push(0xd0, e.index); // ref.null t (funcref 0x70 / externref 0x6f)
      } else if (e.op === 0xd2 && e.index !== undefined) {
        out.push(0xd2); // ref.func f (function indices are kept)
        uleb(out, e.index);
      } else throw new Error('native metering: unsupported global initializer');
      out.push(0x0b);
    }
    out.push(I64, 1, 0x42, 0x00, 0x0b);
    for (let i = 0; i < 3; i++) out.push(I32, 1, 0x41, 0x00, 0x0b);
    // a data segment counts as dropped once applied (active) or dropped (data.drop)
    for (const d of mod.datas) out.push(I32, 1, 0x41, d.mode === 'active' ? 1 : 0, 0x0b);
    // an element segment counts as dropped once applied (active), declarative, or dropped (elem.drop)
    for (let e = 0; e < nElemFlags; e++)
      out.push(I32, 1, 0x41, mod.elems[e].mode === 'passive' ? 0 : 1, 0x0b);
    sections.set(6, section(6, out));
  }
  // exports
  const taken = new Set(mod.exports.map((e) => e.name));
  const fresh = (base: string): string => {
    let n = base;
    for (let i = 0; taken.has(n); i++) n = `${base}${i}`;
    taken.add(n);
    return n;
  };
  const hasMemory = mod.memories.length > 0 || mod.imports.some((i) => i.kind === 'memory');
  const hasTable = mod.tables.length > 0;
  const memoryExport = hasMemory ? fresh('__modex_memory') : undefined;
  const startExport = mod.start !== undefined ? fresh('__modex_start') : undefined;
  const tableExport = hasTable ? fresh('__modex_table') : undefined;
  const globals = {
    rem: fresh('__modex_rem'),
    why: fresh('__modex_why'),
    cd: fresh('__modex_cd'),
    cb: fresh('__modex_cb'),
  };
  {
    const ex: [string, number, number][] = mod.exports.map((e) => [
      e.name,
      { func: 0, table: 1, memory: 2, global: 3 }[e.kind],
      e.index,
    ]);
    if (memoryExport) ex.push([memoryExport, 2, 0]);
    if (startExport) ex.push([startExport, 0, mod.start!]);
    if (tableExport) ex.push([tableExport, 1, 0]);
    ex.push([globals.rem, 3, G_REM], [globals.why, 3, G_WHY], [globals.cd, 3, G_CD], [globals.cb, 3, G_CB]);
    const out: number[] = [];
    uleb(out, ex.length);
    for (const [n, kind, index] of ex) {
      name(out, n);
      out.push(kind);
      uleb(out, index);
    }
    sections.set(7, section(7, out));
  }
  sections.delete(8);
  // code
  const all = [...bodies, ...bulkBodies];
  const codeContent: number[] = [];
  uleb(codeContent, all.length);
  const bodyStart: number[] = [];
  for (const b of all) {
    uleb(codeContent, b.length);
    bodyStart.push(codeContent.length);
    for (const x of b) codeContent.push(x);
  }
  const codeSection = section(10, codeContent);
  sections.set(10, codeSection);

  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let offset = 8;
  let codeContentAt = 0;
  for (const id of ORDER) {
    const s = sections.get(id);
    if (!s) continue;
    if (id === 10) codeContentAt = offset + (s.length - codeContent.length);
    parts.push(s);
    offset += s.length;
  }
  const binary = Buffer.concat(parts);
  const adjust = new Map<number, number>();
  for (const a of adjustRel) adjust.set(codeContentAt + bodyStart[a.fn] + a.at, a.adj);

  // the entry stub before `call start` (§5.4): 2 steps per global and per data segment, and per
  // active segment 3 consts, its memory.init helper (27 + 19 len) and the drop (2)
  // §5.7: with table instructions, 2 per table, per passive element segment and per active element
  let tableInit = 0;
  if (layout.mutable) {
    tableInit = 2 * tableElem.length;
    for (const e of mod.elems) {
      if (e.mode === 'passive') tableInit += 2;
      else if (e.mode === 'active') tableInit += 2 * e.funcIndices.length;
    }
  }
  let stubSteps = 2 * mod.globals.length + 2 * mod.datas.length + tableInit;
  for (const d of mod.datas) if (d.mode === 'active') stubSteps += 3 + 27 + 19 * d.bytes.length + 2;

  // the first active segment's helper call traps if 3 + 8 values exceed the value stack (§3.5)
  const firstActive = mod.datas.findIndex((d) => d.mode === 'active');
  const stubTrapSteps =
    firstActive >= 0 && 3 + 8 > maxStack
      ? 2 * mod.globals.length + 2 * mod.datas.length + tableInit + 3 + 1
      : undefined;

  return { binary, memoryExport, startExport, tableExport, globals, adjust, stubSteps, stubTrapSteps };
}
