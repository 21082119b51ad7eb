/** The `native` spectest engine: V8's WebAssembly, on modules our validator accepted. */
import {
  getGlobalNative,
  instantiateNative,
  invokeNative,
  type NativeOutcome,
  toTrap,
  type V8Imports,
  V8Wasm,
  WasmNativeCompileError,
} from '../native.ts';
import type { InstantiateOutcome, SpecEngine, SpecInstance, SpecModule, SpecOutcome } from './engine.ts';
import { SPECTEST_FUNCS, SPECTEST_MEMORY, SPECTEST_MODULE, SPECTEST_TABLE } from './spectest-host.ts';

/** The spectest host as V8 imports; one per script, so its memory and table are shared by the script's modules. */
export function nativeSpectestImports(): V8Imports {
  const host: Record<string, unknown> = {};
  for (const name of Object.keys(SPECTEST_FUNCS)) host[name] = () => {};
  host.global_i32 = new V8Wasm.Global({ value: 'i32' }, 666);
  host.global_i64 = new V8Wasm.Global({ value: 'i64' }, 666n);
  host.global_f32 = new V8Wasm.Global({ value: 'f32' }, 666.6);
  host.global_f64 = new V8Wasm.Global({ value: 'f64' }, 666.6);
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

export function createNativeEngine(): SpecEngine {
  let imports: V8Imports | undefined;
  return {
    name: 'native',
    reset() {
      imports = undefined;
    },
    instantiate(mod: SpecModule): InstantiateOutcome {
      imports ??= nativeSpectestImports();
      try {
        const inst = instantiateNative(mod.bytes, mod.module, imports);
        const instance: SpecInstance = {
          invoke: (field, args) => toSpecOutcome(invokeNative(inst, field, args)),
          getGlobal: (field) => getGlobalNative(inst, field),
        };
        return { kind: 'ok', instance };
      } catch (e) {
        if (e instanceof V8Wasm.LinkError) return { kind: 'unlinkable', message: e.message };
        if (e instanceof WasmNativeCompileError) return { kind: 'error', message: e.message };
        const trap = toTrap(e);
        if (!trap) throw e;
        const kind = trap.code === 'WASM_STACK_EXHAUSTED' ? 'exhaustion' : 'trap';
        return { kind, message: trap.message };
      }
    },
  };
}
