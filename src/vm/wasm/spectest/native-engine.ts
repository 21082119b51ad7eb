/** The `native` spectest engine: V8's WebAssembly, on modules our validator accepted. */
import { ValType } from '../module.ts';
import {
  fromJs,
  funcTypeOf,
  getGlobalNative,
  instantiateNative,
  invokeNative,
  type NativeInstance,
  type NativeOutcome,
  toJs,
  toTrap,
  trapOutcome,
  type V8Global,
  type V8Imports,
  V8Wasm,
  WasmNativeCompileError,
} from '../native.ts';
import type { InstantiateOutcome, SpecEngine, SpecInstance, SpecModule, SpecOutcome } from './engine.ts';
import {
  SPECTEST_FUNCS,
  SPECTEST_GLOBALS,
  SPECTEST_MEMORY,
  SPECTEST_MODULE,
  SPECTEST_TABLE,
} from './spectest-host.ts';

/** The spectest host as V8 imports; one per script, so its memory and table are shared by the script's modules. */
export function nativeSpectestImports(): V8Imports {
  const host: Record<string, unknown> = {};
  for (const name of Object.keys(SPECTEST_FUNCS)) host[name] = () => {};
  host.global_i32 = new V8Wasm.Global({ value: 'i32' }, 666);
  host.global_i64 = new V8Wasm.Global({ value: 'i64' }, 666n);
  // float globals as their bits: a module importing them is run lowered (docs/softfloat.md)
  host.global_f32 = new V8Wasm.Global(
    { value: 'i32' },
    Number(BigInt.asIntN(32, SPECTEST_GLOBALS.global_f32.value)),
  );
  host.global_f64 = new V8Wasm.Global({ value: 'i64' }, BigInt.asIntN(64, SPECTEST_GLOBALS.global_f64.value));
  host.memory = new V8Wasm.Memory({ initial: SPECTEST_MEMORY.min, maximum: SPECTEST_MEMORY.max });
  host.table = new V8Wasm.Table({
    element: 'anyfunc',
    initial: SPECTEST_TABLE.limits.min,
    maximum: SPECTEST_TABLE.limits.max,
  });
  return { [SPECTEST_MODULE]: host };
}

const toSpecOutcome = (o: NativeOutcome): SpecOutcome =>
  o.kind === 'ok' ? o : { kind: o.kind, message: o.error.message };

// References cross the JS boundary as V8 has them; the runner holds the machine's values
// (docs/machine.md §5.5: null 0, the script's externref N as N + 1). A non-null funcref result
// becomes 1: scripts compare funcref results only for being null or not.
const isRef = (t: number): boolean => t === ValType.FuncRef || t === ValType.ExternRef;
const argToJs = (t: number, v: bigint): unknown =>
  !isRef(t) ? toJs(t, v) : v === 0n ? null : t === ValType.ExternRef ? Number(v - 1n) : nonNullFuncrefArg();
const resultFromJs = (t: number, v: unknown): bigint =>
  !isRef(t) ? fromJs(t, v) : v === null ? 0n : t === ValType.ExternRef ? BigInt(v as number) + 1n : 1n;
function nonNullFuncrefArg(): never {
  throw new Error('spectest native engine: a non-null funcref argument cannot be passed');
}

/** `invokeNative` for exports with reference parameters or results; undefined for the others. */
function invokeWithRefs(inst: NativeInstance, field: string, args: bigint[]): SpecOutcome | undefined {
  const exp = inst.module.exports.find((e) => e.name === field);
  if (exp?.kind !== 'func') return undefined;
  const type = funcTypeOf(inst.module, exp.index);
  if (![...type.params, ...type.results].some(isRef) || args.length !== type.params.length) return undefined;
  const fn = inst.instance.exports[field] as (...a: unknown[]) => unknown;
  const jsArgs = args.map((a, i) => argToJs(type.params[i], a));
  let raw: unknown;
  try {
    raw = fn(...jsArgs);
  } catch (e) {
    return toSpecOutcome(trapOutcome(e, inst.module.trapReasons));
  }
  const rawValues = type.results.length === 1 ? [raw] : type.results.length === 0 ? [] : (raw as unknown[]);
  return { kind: 'ok', values: type.results.map((t, i) => resultFromJs(t, rawValues[i])) };
}

function getGlobal(inst: NativeInstance, field: string): bigint {
  const exp = inst.module.exports.find((e) => e.name === field);
  if (exp?.kind === 'global') {
    const imported = inst.module.imports.filter((i) => i.kind === 'global');
    const g = imported[exp.index];
    const t =
      g?.kind === 'global' ? g.type.type : inst.module.globals[exp.index - imported.length]?.type.type;
    if (t !== undefined && isRef(t)) return resultFromJs(t, (inst.instance.exports[field] as V8Global).value);
  }
  return getGlobalNative(inst, field);
}

/**
 * the spectest host's imports plus the exports of earlier instances that `mod` is linked to
 * (docs/machine.md §9 "Linking"): V8 links them as real imports, sharing functions, globals,
 * tables and memories
 */
function withLinks(
  imports: V8Imports,
  mod: SpecModule,
  natives: WeakMap<SpecInstance, NativeInstance>,
): V8Imports {
  if (!mod.links?.some((l) => l !== undefined)) return imports;
  const out: Record<string, Record<string, unknown>> = {
    ...(imports as Record<string, Record<string, unknown>>),
  };
  for (const [i, link] of mod.links.entries()) {
    if (!link) continue;
    const from = natives.get(link.instance);
    if (!from) throw new Error('spectest native engine: linked to an instance of another engine');
    const imp = mod.module.imports[i];
    out[imp.module] = { ...out[imp.module], [imp.name]: from.instance.exports[link.name] };
  }
  return out as V8Imports;
}

function sizeOf(inst: NativeInstance, field: string): number {
  const x = inst.instance.exports[field];
  if (x instanceof V8Wasm.Memory) return x.buffer.byteLength / 65536;
  if (x instanceof V8Wasm.Table) return (x as { length: number }).length;
  throw new Error(`spectest native engine: no exported memory or table "${field}"`);
}

export function createNativeEngine(): SpecEngine {
  let imports: V8Imports | undefined;
  const natives = new WeakMap<SpecInstance, NativeInstance>();
  return {
    name: 'native',
    reset() {
      imports = undefined;
    },
    instantiate(mod: SpecModule): InstantiateOutcome {
      imports ??= nativeSpectestImports();
      try {
        const inst = instantiateNative(mod.bytes, mod.module, withLinks(imports, mod, natives));
        const instance: SpecInstance = {
          invoke: (field, args) =>
            invokeWithRefs(inst, field, args) ?? toSpecOutcome(invokeNative(inst, field, args)),
          getGlobal: (field) => getGlobal(inst, field),
          size: (field) => sizeOf(inst, field),
        };
        natives.set(instance, inst);
        return { kind: 'ok', instance };
      } catch (e) {
        if (e instanceof V8Wasm.LinkError) return { kind: 'unlinkable', message: e.message };
        if (e instanceof WasmNativeCompileError) return { kind: 'error', message: e.message };
        const trap = toTrap(e, mod.module.trapReasons);
        if (!trap) throw e;
        const kind = trap.code === 'WASM_STACK_EXHAUSTED' ? 'exhaustion' : 'trap';
        return { kind, message: trap.message };
      }
    },
  };
}
