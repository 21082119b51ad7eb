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
}

/** steps of a checked `call_indirect` (§5.6): 8 before the `call_indirect` step itself */
export const CHECKED_CALL_INDIRECT_STEPS = 9;
/** operand height a checked `call_indirect` needs above its index (i + o, -1, i, size) */
export const CHECKED_CALL_INDIRECT_EXTRA_HEIGHT = 3;

export function tableLayout(mod: ValidatedModule, importedTable?: Limits): TableLayout {
  const tables = [
    ...mod.imports.flatMap((i) =>
      i.kind === 'table' ? [{ elemType: i.elemType, min: (importedTable ?? i.limits).min }] : [],
    ),
    ...mod.tables.map((t) => ({ elemType: t.elemType, min: t.limits.min })),
  ];
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
  if (checked) {
    const metered = mod.imports.find(
      (i) => i.kind === 'func' && i.module === HOST_MODULE && i.name === 'metered_call',
    );
    if (metered)
      throw new LoweringError(
        'metered_call calls a slot of the one funcref table: a module importing it may have only one funcref table',
      );
  }
  return { offset, size, length, checked };
}

/** A function's maximum operand height in the lowered code (the callee check of §3.5). */
export function loweredMaxHeight(layout: TableLayout, analysedMaxHeight: number, numParams: number): number {
  return Math.max(analysedMaxHeight + (layout.checked ? CHECKED_CALL_INDIRECT_EXTRA_HEIGHT : 0), numParams);
}
