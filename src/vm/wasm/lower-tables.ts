/**
 * Tables as machine state (docs/machine.md §5.7): a module using table instructions keeps each
 * table in hidden globals (its size, then one global per slot up to its cap) and each element
 * segment's current length in one more, so the tables are committed by the globals root (§4.5) and
 * proven by the `global.get` / `global.set` sections (§7.4): no new instruction, commitment or
 * proof. A slot is read or written by a `br_table` over the slots (the index is bounds-checked
 * first); the bulk operations are helper functions looping over elements. Every step count here is
 * `TABLE_STEPS` (tables.ts), which the native metering charges.
 */
import { M } from './isa.ts';
import type { TrapReason } from './machine.ts';
import type { ElemSegment } from './module.ts';
import { TABLE_STEPS, type TableLayout } from './tables.ts';

/** what this file needs of lower.ts's emitter */
export interface TableEmitter {
  readonly pc: number;
  emit(op: number, imm?: bigint | number): number;
  patch(at: number, target: number): void;
  emitTrap(reason?: TrapReason): number;
}

const OOB: TrapReason = 'out of bounds table access';

/** hidden global indices of the tables and element segments (§5.7) */
export class TableGlobals {
  /** per table: its size global; slot k is the global after it + k */
  readonly size: number[] = [];
  /** per element segment: its current length (0 once dropped; active and declarative ones: 0) */
  readonly elemLen: number[] = [];
  readonly count: number;

  constructor(
    readonly layout: TableLayout,
    base: number,
    numElems: number,
  ) {
    let g = base;
    for (const cap of layout.cap) {
      this.size.push(g);
      g += 1 + cap;
    }
    for (let e = 0; e < numElems; e++) this.elemLen.push(g++);
    this.count = g - base;
  }

  slot(t: number, k: number): number {
    return this.size[t] + 1 + k;
  }
}

/** a reference as a machine value (§5.5): null 0, function f f + 1 */
export const refValue = (f: number | null): number => (f === null ? 0 : f + 1);

/** `br_table n` dispatch on the index on the stack: case k runs `cases(k)`, then all join (4 steps) */
function dispatch(em: TableEmitter, n: number, cases: (k: number) => void, dflt: () => void): void {
  em.emit(M.br_table, n);
  const jumps: number[] = [];
  for (let k = 0; k <= n; k++) jumps.push(em.emit(M.jump, 0));
  const ends: number[] = [];
  for (let k = 0; k <= n; k++) {
    em.patch(jumps[k], em.pc);
    if (k < n) cases(k);
    else dflt();
    ends.push(em.emit(M.jump, 0));
  }
  for (const e of ends) em.patch(e, em.pc);
}

/** pops index i, pushes slot i of table t (0 for i ≥ cap): 4 steps */
function slotGet(em: TableEmitter, g: TableGlobals, t: number): void {
  dispatch(
    em,
    g.layout.cap[t],
    (k) => em.emit(M['global.get'], g.slot(t, k)),
    () => em.emit(M['i32.const'], 0),
  );
}

/** pops index i (< cap), writes local `v` to slot i of table t: 5 steps */
function slotSet(em: TableEmitter, g: TableGlobals, t: number, v: number): void {
  dispatch(
    em,
    g.layout.cap[t],
    (k) => {
      em.emit(M['local.get'], v);
      em.emit(M['global.set'], g.slot(t, k));
    },
    () => em.emitTrap(OOB),
  );
}

/** pops element i of a segment (0 past its end): 4 steps */
function elemGet(em: TableEmitter, seg: ElemSegment): void {
  dispatch(
    em,
    seg.funcIndices.length,
    (k) => em.emit(M['i32.const'], refValue(seg.funcIndices[k])),
    () => em.emit(M['i32.const'], 0),
  );
}

/** index on the stack; traps unless it is below table t's size; leaves it in local `s` */
function checkIndex(em: TableEmitter, g: TableGlobals, t: number, s: number): void {
  em.emit(M['local.tee'], s);
  em.emit(M['global.get'], g.size[t]);
  em.emit(M['i32.lt_u']);
  const ok = em.emit(M.jump_if, 0);
  em.emitTrap(OOB);
  em.patch(ok, em.pc);
  em.emit(M['local.get'], s);
}

/** table.get t: [i] -> [slot] (TABLE_STEPS.get; the trap at TABLE_STEPS.getTrap) */
export function emitTableGet(em: TableEmitter, g: TableGlobals, t: number, s: number): void {
  checkIndex(em, g, t, s);
  slotGet(em, g, t);
}

/** table.set t: [i, v] -> [] (TABLE_STEPS.set; the trap at TABLE_STEPS.setTrap) */
export function emitTableSet(em: TableEmitter, g: TableGlobals, t: number, s: number, s2: number): void {
  em.emit(M['local.set'], s2);
  checkIndex(em, g, t, s);
  slotSet(em, g, t, s2);
}

/**
 * call_indirect on table t: [i] -> the call of slot r = table[i] of the program table (every
 * function, slot r function r − 1, slot 0 null), or of slot 0xffffffff (undefined element) when
 * i ≥ size: TABLE_STEPS.callIndirect, every trap at the last step
 */
export function emitCallIndirect(
  em: TableEmitter,
  g: TableGlobals,
  t: number,
  typeId: number,
  s: number,
): void {
  em.emit(M['local.tee'], s);
  slotGet(em, g, t);
  em.emit(M['i32.const'], 0xffffffff);
  em.emit(M['local.get'], s);
  em.emit(M['global.get'], g.size[t]);
  em.emit(M['i32.lt_u']);
  em.emit(M.select);
  em.emit(M.call_indirect, typeId);
}

// ---- helpers: locals 0..2 are the operands (popped by the prologue), 3 a scratch

function prologue(em: TableEmitter, n: number): void {
  for (let l = n - 1; l >= 0; l--) em.emit(M['local.set'], l);
}

/** traps unless local a + local n ≤ (the i32 in global `lenGlobal`), in i64: 9 steps + the trap */
function checkRange(em: TableEmitter, a: number, n: number, lenGlobal: number): void {
  em.emit(M['local.get'], a);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['local.get'], n);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['i64.add']);
  em.emit(M['global.get'], lenGlobal);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['i64.gt_u']);
  const ok = em.emit(M.jump_if_zero, 0);
  em.emitTrap(OOB);
  em.patch(ok, em.pc);
}

function bump(em: TableEmitter, local: number, delta: number): void {
  em.emit(M['local.get'], local);
  em.emit(M['i32.const'], delta >>> 0);
  em.emit(M['i32.add']);
  em.emit(M['local.set'], local);
}

/** `while (local n != 0) { body; n-- }`: 2 + body + 5 steps per element, 2 to leave */
function countLoop(em: TableEmitter, n: number, body: () => void): void {
  const top = em.pc;
  em.emit(M['local.get'], n);
  const exit = em.emit(M.jump_if_zero, 0);
  body();
  bump(em, n, -1);
  em.emit(M.jump, top);
  em.patch(exit, em.pc);
}

/** table.fill t (i, v, n) */
export function emitFillHelper(em: TableEmitter, g: TableGlobals, t: number): void {
  prologue(em, 3);
  checkRange(em, 0, 2, g.size[t]);
  countLoop(em, 2, () => {
    em.emit(M['local.get'], 0);
    slotSet(em, g, t, 1);
    bump(em, 0, 1);
  });
  em.emit(M.return);
}

/** table.copy x y (d, s, n): forward when d ≤ s, else from the end (overlap-safe) */
export function emitCopyHelper(em: TableEmitter, g: TableGlobals, x: number, y: number): void {
  prologue(em, 3);
  checkRange(em, 0, 2, g.size[x]);
  checkRange(em, 1, 2, g.size[y]);
  em.emit(M['local.get'], 0);
  em.emit(M['local.get'], 1);
  em.emit(M['i32.gt_u']);
  const backward = em.emit(M.jump_if, 0);
  countLoop(em, 2, () => {
    em.emit(M['local.get'], 1);
    slotGet(em, g, y);
    em.emit(M['local.set'], 3);
    em.emit(M['local.get'], 0);
    slotSet(em, g, x, 3);
    bump(em, 0, 1);
    bump(em, 1, 1);
  });
  em.emit(M.return);
  em.patch(backward, em.pc);
  const lastOf = (a: number): void => {
    em.emit(M['local.get'], a);
    em.emit(M['local.get'], 2);
    em.emit(M['i32.add']);
    em.emit(M['i32.const'], 0xffffffff);
    em.emit(M['i32.add']);
  };
  countLoop(em, 2, () => {
    lastOf(1);
    slotGet(em, g, y);
    em.emit(M['local.set'], 3);
    lastOf(0);
    slotSet(em, g, x, 3); // 20 steps, as the forward loop's body
  });
  em.emit(M.return);
}

/** table.init x e (d, s, n): bounds against the segment's current length (0 once dropped) */
export function emitInitHelper(
  em: TableEmitter,
  g: TableGlobals,
  x: number,
  e: number,
  seg: ElemSegment,
): void {
  prologue(em, 3);
  checkRange(em, 1, 2, g.elemLen[e]);
  checkRange(em, 0, 2, g.size[x]);
  countLoop(em, 2, () => {
    em.emit(M['local.get'], 1);
    elemGet(em, seg);
    em.emit(M['local.set'], 3);
    em.emit(M['local.get'], 0);
    slotSet(em, g, x, 3);
    bump(em, 0, 1);
    bump(em, 1, 1);
  });
  em.emit(M.return);
}

/** table.grow t (v, n) -> old size, or −1 when size + n > cap */
export function emitGrowHelper(em: TableEmitter, g: TableGlobals, t: number): void {
  prologue(em, 2);
  em.emit(M['global.get'], g.size[t]);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['local.get'], 1);
  em.emit(M['i64.extend_i32_u']);
  em.emit(M['i64.add']);
  em.emit(M['i64.const'], g.layout.cap[t]);
  em.emit(M['i64.gt_u']);
  const ok = em.emit(M.jump_if_zero, 0);
  em.emit(M['i32.const'], 0xffffffff);
  em.emit(M.return);
  em.patch(ok, em.pc);
  em.emit(M['global.get'], g.size[t]);
  em.emit(M['local.set'], 2);
  countLoop(em, 1, () => {
    em.emit(M['global.get'], g.size[t]);
    slotSet(em, g, t, 0);
    em.emit(M['global.get'], g.size[t]);
    em.emit(M['i32.const'], 1);
    em.emit(M['i32.add']);
    em.emit(M['global.set'], g.size[t]);
  });
  em.emit(M['local.get'], 2);
  em.emit(M.return);
}

/** locals of each helper (3 operands + 1 scratch), and its maximum operand height */
export const TABLE_HELPER_LOCALS = 4;
export { TABLE_STEPS };
