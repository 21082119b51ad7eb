/**
 * The `spectest` host module that the WebAssembly spec test scripts import from, in an
 * engine-neutral form (types and values), plus the import check the runner gives the validator.
 */
import type { FuncType, Import, Limits, ValType as ValTypeT, WasmModule } from '../module.ts';
import { ValType } from '../module.ts';

export const SPECTEST_MODULE = 'spectest';

const { I32, I64, F32, F64, FuncRef } = ValType;
const fn = (...params: ValTypeT[]): FuncType => ({ params, results: [] });

/** The print functions; they do nothing. */
export const SPECTEST_FUNCS: Readonly<Record<string, FuncType>> = {
  print: fn(),
  print_i32: fn(I32),
  print_i64: fn(I64),
  print_f32: fn(F32),
  print_f64: fn(F64),
  print_i32_f32: fn(I32, F32),
  print_f64_f64: fn(F64, F64),
};

/** Immutable globals; float values as their bit patterns (666.6). */
export const SPECTEST_GLOBALS: Readonly<Record<string, { type: ValTypeT; value: bigint }>> = {
  global_i32: { type: I32, value: 666n },
  global_i64: { type: I64, value: 666n },
  global_f32: { type: F32, value: 0x4426a666n },
  global_f64: { type: F64, value: 0x4084d4cccccccccdn },
};

/** `memory`: 1 page, at most 2. */
export const SPECTEST_MEMORY: Readonly<Limits> = { min: 1, max: 2 };
/** `table`: 10 funcref elements, at most 20. */
export const SPECTEST_TABLE: Readonly<{ elemType: ValTypeT; limits: Limits }> = {
  elemType: FuncRef,
  limits: { min: 10, max: 20 },
};

/** Whether actual limits satisfy the limits an import asks for (spec "import subtyping"). */
export function limitsMatch(actual: Limits, wanted: Limits): boolean {
  if (actual.min < wanted.min) return false;
  if (wanted.max === undefined) return true;
  return actual.max !== undefined && actual.max <= wanted.max;
}

/** Whether two function types are the same (import matching of functions). */
export const sameFuncType = (a: FuncType, b: FuncType): boolean =>
  a.params.length === b.params.length &&
  a.results.length === b.results.length &&
  a.params.every((t, i) => t === b.params[i]) &&
  a.results.every((t, i) => t === b.results[i]);

/**
 * Resolves an import of `mod` against the `spectest` host: `true` if it links, otherwise why not
 * (the validator's `resolveImport` contract).
 */
export function resolveSpectestImport(mod: WasmModule, imp: Import): true | string {
  const what = `import "${imp.module}"."${imp.name}"`;
  if (imp.module !== SPECTEST_MODULE) return `${what}: unknown import module`;
  switch (imp.kind) {
    case 'func': {
      const have = SPECTEST_FUNCS[imp.name];
      if (!Object.hasOwn(SPECTEST_FUNCS, imp.name) || !have) return `${what}: unknown import`;
      const want = mod.types[imp.typeIndex];
      return want && sameFuncType(have, want) ? true : `${what}: incompatible import type`;
    }
    case 'global': {
      const have = Object.hasOwn(SPECTEST_GLOBALS, imp.name) ? SPECTEST_GLOBALS[imp.name] : undefined;
      if (!have) return `${what}: unknown import`;
      return have.type === imp.type.type && !imp.type.mutable ? true : `${what}: incompatible import type`;
    }
    case 'memory':
      if (imp.name !== 'memory') return `${what}: unknown import`;
      return limitsMatch(SPECTEST_MEMORY, imp.limits) ? true : `${what}: incompatible import type`;
    case 'table':
      if (imp.name !== 'table') return `${what}: unknown import`;
      return imp.elemType === SPECTEST_TABLE.elemType && limitsMatch(SPECTEST_TABLE.limits, imp.limits)
        ? true
        : `${what}: incompatible import type`;
  }
}
