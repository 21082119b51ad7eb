/**
 * Several tables in the machine's one table (docs/machine.md §4.4, §5.6).
 *
 * The machine has one static table (the module root's tableRoot); a module's funcref tables are
 * laid out in it one after the other, in table index order (imported tables first). Externref
 * tables are not laid out: without table instructions (still refused, §1) nothing can read them.
 * With more than one funcref table, every `call_indirect` is lowered to a checked sequence that
 * maps table t's index i to slot `offset_t + i`, or to 0xffffffff (always out of the program
 * table, so the `call_indirect` step traps "undefined element") when `i >= size_t`. Shared by the
 * lowering (`lower.ts`) and the native runner's metering (`meter-native.ts`), which must count the
 * same steps and the same maximum operand height.
 */
import { HOST_MODULE } from './host-abi.ts';
import { LoweringError } from './lower.ts';
import { type Limits, type ValidatedModule, ValType } from './module.ts';

export interface TableLayout {
  /** per wasm table index (imports first): its first slot in the program table, -1 if not funcref */
  offset: number[];
  /** per wasm table index: its size (the host's for an imported table) */
  size: number[];
  /** the program table's length: the funcref tables' sizes summed */
  length: number;
  /** more than one funcref table: `call_indirect` takes the checked sequence (§5.6) */
  checked: boolean;
  /**
   * the module uses table instructions or `elem.drop`: its tables are machine state, in hidden
   * globals (§5.7), and the program table holds every function (slot r: function r − 1)
   */
  mutable: boolean;
  /** per table (mutable): how many slots its hidden globals hold, min(declared maximum, TABLE_CAP) */
  cap: number[];
}

/** the most slots a table of a module using table instructions can have (§5.7) */
export const TABLE_CAP = 1024;

const TABLE_OPS = new Set([0x25, 0x26, 0xfc0c, 0xfc0d, 0xfc0e, 0xfc0f, 0xfc10, 0xfc11]);

/** whether the module uses a table instruction or `elem.drop` (§5.7) */
export function usesTableInstructions(mod: ValidatedModule): boolean {
  return mod.funcs.some((f) => f.body.some((ins) => TABLE_OPS.has(ins.op)));
}

/** steps of a checked `call_indirect` (§5.6): 8 before the `call_indirect` step itself */
export const CHECKED_CALL_INDIRECT_STEPS = 9;
/** operand height a checked `call_indirect` needs above its index (i + o, -1, i, size) */
export const CHECKED_CALL_INDIRECT_EXTRA_HEIGHT = 3;

export function tableLayout(mod: ValidatedModule, importedTable?: Limits): TableLayout {
  const tables = [
    ...mod.imports.flatMap((i) => {
      if (i.kind !== 'table') return [];
      const l = importedTable ?? i.limits;
      return [{ elemType: i.elemType, min: l.min, max: l.max }];
    }),
    ...mod.tables.map((t) => ({ elemType: t.elemType, min: t.limits.min, max: t.limits.max })),
  ];
  const mutable = usesTableInstructions(mod);
  const cap = tables.map((t, i) => {
    if (mutable && t.min > TABLE_CAP)
      throw new LoweringError(
        `table ${i} has ${t.min} elements; a module using table instructions may have at most ${TABLE_CAP} per table`,
      );
    return Math.min(t.max ?? TABLE_CAP, TABLE_CAP);
  });
  if (mutable) {
    if (importsMeteredCall(mod))
      throw new LoweringError(
        'metered_call calls a static table slot: a module importing it may not use table instructions',
      );
    const length = mod.imports.filter((i) => i.kind === 'func').length + mod.funcs.length + 1;
    return {
      offset: tables.map(() => 0),
      size: tables.map((t) => t.min),
      length,
      checked: false,
      mutable,
      cap,
    };
  }
  const offset: number[] = [];
  const size: number[] = [];
  let length = 0;
  let funcTables = 0;
  for (const t of tables) {
    size.push(t.min);
    if (t.elemType !== ValType.FuncRef) {
      offset.push(-1);
      continue;
    }
    offset.push(length);
    length += t.min;
    funcTables++;
  }
  // 0xffffffff must stay outside the program table (the checked sequence's "undefined element")
  if (length >= 0xffffffff)
    throw new LoweringError(`the funcref tables have ${length} slots in all; at most 4294967294`);
  const checked = funcTables > 1;
  if (checked && importsMeteredCall(mod))
    throw new LoweringError(
      'metered_call calls a slot of the one funcref table: a module importing it may have only one funcref table',
    );
  return { offset, size, length, checked, mutable, cap };
}

function importsMeteredCall(mod: ValidatedModule): boolean {
  return mod.imports.some((i) => i.kind === 'func' && i.module === HOST_MODULE && i.name === 'metered_call');
}

/** A function's maximum operand height in the lowered code (the callee check of §3.5). */
export function loweredMaxHeight(layout: TableLayout, analysedMaxHeight: number, numParams: number): number {
  const extra = layout.checked || layout.mutable ? CHECKED_CALL_INDIRECT_EXTRA_HEIGHT : 0;
  return Math.max(analysedMaxHeight + extra, numParams);
}

/** scratch locals a defined function gets (§5.6: 1 for the checked call_indirect; §5.7: 2) */
export function scratchLocals(layout: TableLayout): number {
  return layout.mutable ? 2 : layout.checked ? 1 : 0;
}

// ---- steps of the lowered table code (§5.7, lower-tables.ts), which the native metering charges
export const TABLE_STEPS = {
  /** call_indirect: tee, the slot read (4), 5 to pick the slot or 0xffffffff, call_indirect */
  callIndirect: 11,
  get: 9,
  /** the step of table.get's out-of-bounds trap */
  getTrap: 5,
  set: 11,
  setTrap: 6,
  elemDrop: 2,
  /** helpers, counted from their call step: total = base + per × n; traps at the given steps */
  fill: { base: 16, per: 17, trap: 14 },
  copy: { base: 29, per: 27, trapDst: 14, trapSrc: 23 },
  init: { base: 25, per: 27, trapSeg: 14, trapDst: 23 },
  grow: { base: 17, per: 17, fail: 13 },
  /** maximum operand height of every table helper */
  helperMaxHeight: 3,
} as const;
