/**
 * The native runner: runs a validated wasm module with V8's WebAssembly API (fast path), with the
 * STF host interface of host-abi.ts implemented over a {@link HostContext}. Every module is first
 * parsed and validated by our own validator, so V8 never runs a module the deterministic machine
 * would reject. A trap of any kind ends the run as `errored`; it is never thrown.
 */
import { ModexError } from '../../core/errors.ts';
import { ecrecoverAt } from '../../crypto/ecrecover.ts';
import { keccak256Into } from '../../crypto/keccak.ts';
import { HOST_FUNCS, HOST_MODULE, type HostFuncName } from './host-abi.ts';
import { type MachineLimits, resolveLimits } from './limits.ts';
import { lower, type Program } from './lower.ts';
import { type GlobalState, HostDataUnavailableError, Machine, preimageChunkEnd, Status } from './machine.ts';
import { type Instrumented, instrumentForNative, WHY } from './meter-native.ts';
import { type FuncType, type GlobalType, type ValidatedModule, ValType, type WasmModule } from './module.ts';
import { Op } from './opcodes.ts';
import { parseModule } from './parse.ts';
import { usesTableInstructions } from './tables.ts';
import { specTrapMessage, type UnreachableReason } from './trap-reasons.ts';
import { validateModule } from './validate.ts';

/** What the STF host functions read and write. */
export interface HostContext {
  /** the current inbox message (used when `inboxMessage` is not given) */
  inbox: Uint8Array;
  /** the message at an inbox position, as the interpreter's HostData: follows `u64[0]` if the STF moves it */
  inboxMessage?: (position: bigint) => Uint8Array | undefined;
  /** preimage oracle: the preimage of `hash` (32 bytes) for preimage `kind`, or undefined if unknown */
  preimages: (kind: number, hash: Uint8Array) => Uint8Array | undefined;
  /**
   * A store for the kind-0 (keccak256) preimages that the runner reads and fills in place, with no
   * copy of a hash and no allocation per host call. When given, kind-0 lookups use it instead of
   * `preimages`, and every hint is recorded in it (`onPreimageHint` is then not called).
   */
  preimageStore?: NativePreimageStore;
  globalState: GlobalState;
  /**
   * `hint_preimage`: the guest offers these bytes as a keccak preimage (a copy; in-bounds ranges
   * only). `hash`, when given, is keccak256(bytes), already computed by the host (a node just
   * hashed with keccak256_pair); it is valid during the call only (the host reuses the buffer).
   */
  onPreimageHint?: (bytes: Uint8Array, hash?: Uint8Array) => void;
}

/**
 * A keccak256 preimage store the native runner reads and fills in place. `words` and `mem` are
 * views of guest memory from byte 0 (`memWords[i]` holds bytes [4 i, 4 i + 4)), valid during the
 * call only: never keep them.
 */
export interface NativePreimageStore {
  /** a handle (≥ 0) on the preimage of the 32-byte hash in words[index..index+8), or -1 if unknown */
  find(words: Int32Array, index: number): number;
  /** copies up to 32 bytes of preimage `entry` from byte `offset` to mem[ptr..]; returns the count */
  copyOut(entry: number, offset: number, mem: Uint8Array, memWords: Int32Array, ptr: number): number;
  /** records mem[start..start+len) (copied) as a preimage; `hash`, when given, is its keccak256 (not kept) */
  record(mem: Uint8Array, memWords: Int32Array, start: number, len: number, hash?: Uint8Array): void;
}

/** The same global state the interpreter uses (docs/machine.md §2.3). */
export type { GlobalState };

/**
 * A trap raised while running natively. Codes:
 * - `WASM_TRAP`: a wasm trap (unreachable, out-of-bounds, division by zero, …)
 * - `WASM_STACK_EXHAUSTED`: call stack exhausted
 * - `WASM_HOST_TRAP`: a host op failed (its guest-memory window out of bounds, an unaligned
 *   pointer where one must be 32-byte aligned, bad global-state field index)
 */
export class WasmTrapError extends ModexError {}

/** The module cannot be run as an STF natively (no `main` export, no usable code). Code `WASM_NATIVE_LINK`. */
export class WasmNativeLinkError extends ModexError {
  constructor(message: string) {
    super('WASM_NATIVE_LINK', message);
  }
}

/** V8 refused to compile a module our validator accepted (a validator gap). Code `WASM_NATIVE_COMPILE`. */
export class WasmNativeCompileError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WASM_NATIVE_COMPILE', `V8 rejected a module the validator accepted: ${message}`, options);
  }
}

/** Compiles with V8, turning a CompileError into {@link WasmNativeCompileError}. */
export function compileNative(bytes: Uint8Array): V8Module {
  try {
    return new V8Wasm.Module(bytes);
  } catch (e) {
    if (e instanceof V8Wasm.CompileError) throw new WasmNativeCompileError(e.message, { cause: e });
    throw e;
  }
}

export interface NativeRunResult {
  status: 'finished' | 'errored';
  /** why the run errored */
  error?: WasmTrapError;
  /** the global state when the run ended (a copy; the host context's is not modified) */
  globalState: GlobalState;
  /** number of host-function calls made */
  hostCalls: number;
  /**
   * the interpreter's step count at the end of the run, exactly (docs/machine.md §11): when it
   * finished, trapped (the trapping step included) or ran out of steps (`maxSteps + 1`)
   */
  steps: number;
}

export interface NativeRunOptions {
  /** name of the entry export, () -> (); default `main` */
  entry?: string;
  /**
   * Machine limits, applied exactly as the interpreter does (docs/machine.md §11): the memory
   * maximum min(module maximum, maxMemoryPages), the step cap `maxSteps`, the call depth
   * `maxFrames` and the value-stack height `maxStackHeight`. If V8's own call stack runs out first
   * (deep recursion with the default `maxFrames`), the run is done again in the interpreter
   * (slow, exact), unless `interpreterFallback` is false: then it throws {@link WasmNativeStackError}.
   */
  limits?: Partial<MachineLimits>;
  /** default true: see `limits` */
  interpreterFallback?: boolean;
}

/**
 * The part of V8's WebAssembly JS API we use, typed locally: the project's TS libs (ES2023 +
 * @types/node 20) do not declare it, and pulling in lib.dom would leak browser globals.
 */
export interface V8WasmApi {
  Module: new (bytes: Uint8Array) => V8Module;
  Instance: new (module: V8Module, imports?: V8Imports) => V8Instance;
  Memory: new (desc: { initial: number; maximum?: number }) => V8Memory;
  Table: new (desc: { element: 'anyfunc'; initial: number; maximum?: number }) => object;
  Global: new (
    desc: { value: 'i32' | 'i64' | 'f32' | 'f64'; mutable?: boolean },
    value: number | bigint,
  ) => V8Global;
  RuntimeError: new (message?: string) => Error;
  LinkError: new (message?: string) => Error;
  CompileError: new (message?: string) => Error;
}
export type V8Module = { readonly __v8module: unique symbol };
export type V8Imports = Record<string, Record<string, unknown>>;
export interface V8Instance {
  readonly exports: Record<string, unknown>;
}
export interface V8Memory {
  readonly buffer: ArrayBuffer;
}
export interface V8Global {
  value: unknown;
}
export const V8Wasm: V8WasmApi = (globalThis as unknown as { WebAssembly: V8WasmApi }).WebAssembly;

/** Thrown by `halt` to unwind the guest; private to this file. */
class HaltSignal {}

const hostTrap = (message: string): WasmTrapError => new WasmTrapError('WASM_HOST_TRAP', message);

/** Parses and validates `bytes` as an STF module (imports only from `modex`). Throws parse/validation errors. */
export function validateStf(bytes: Uint8Array): ValidatedModule {
  return validateModule(parseModule(bytes));
}

/**
 * Runs an STF: instantiation (data segments, then the start function), then the `main` export.
 * `halt` ends the run early as `finished`. Throws only if the module is invalid or not runnable
 * (parse/validation errors, {@link WasmNativeLinkError}, {@link WasmNativeCompileError}) or if host
 * data is missing (`HostDataUnavailableError`: an unknown preimage is not a trap, the run cannot go
 * on); traps yield `status: 'errored'`. Given `{ bytes, module }` (a module validated once, as an
 * `App` holds it), the compiled module is reused from the first run on.
 */
export function runNative(
  input: Uint8Array | { bytes: Uint8Array; module: ValidatedModule },
  host: HostContext,
  opts: NativeRunOptions = {},
): NativeRunResult {
  try {
    return runInstrumented(input, host, opts);
  } catch (e) {
    if (!(e instanceof WasmNativeStackError) || opts.interpreterFallback === false) throw e;
    return runInterpreted(input, host, opts);
  }
}

/**
 * The same run in the step interpreter: what runNative does when V8's stack runs out before the
 * machine's limits (the result is the interpreter's by definition; slow, but never wrong).
 */
function runInterpreted(
  input: Uint8Array | { bytes: Uint8Array; module: ValidatedModule },
  host: HostContext,
  opts: NativeRunOptions,
): NativeRunResult {
  const bytes = input instanceof Uint8Array ? input : input.bytes;
  const mod = input instanceof Uint8Array ? validateStf(bytes) : input.module;
  const limits = resolveLimits(opts.limits);
  const key = `${opts.entry ?? 'main'}/${limits.maxMemoryPages}/${limits.maxFrames}/${limits.maxStackHeight}/${limits.maxSteps}`;
  let byKey = lowered.get(mod);
  if (!byKey) {
    byKey = new Map();
    lowered.set(mod, byKey);
  }
  let prog = byKey.get(key);
  if (!prog) {
    prog = lower(mod, { limits, entry: opts.entry ?? 'main' });
    byKey.set(key, prog);
  }
  const state: GlobalState = {
    bytes32: [host.globalState.bytes32[0].slice(), host.globalState.bytes32[1].slice()],
    u64: [host.globalState.u64[0], host.globalState.u64[1]],
  };
  let calls = 0;
  const m = new Machine(prog, state, {
    inboxMessage: (p) => {
      calls++;
      return host.inboxMessage ? host.inboxMessage(p) : host.inbox;
    },
    preimage: (kind, hash) => {
      if (kind === 0 && host.preimageStore) {
        const words = new Int32Array(hash.slice().buffer);
        const entry = host.preimageStore.find(words, 0);
        if (entry < 0) return host.preimages(kind, hash);
        // the whole preimage, 32 bytes at a time
        const parts: Uint8Array[] = [];
        const buf = new Uint8Array(32);
        const bufWords = new Int32Array(buf.buffer);
        for (let off = 0; ; off += 32) {
          const n = host.preimageStore.copyOut(entry, off, buf, bufWords, 0);
          parts.push(buf.slice(0, n));
          if (n < 32) break;
        }
        return Buffer.concat(parts);
      }
      return host.preimages(kind, hash);
    },
    onPreimageHint: (bytes, hash) => {
      if (host.preimageStore) {
        const copy = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
        copy.set(bytes);
        host.preimageStore.record(copy, new Int32Array(copy.buffer), 0, bytes.length, hash);
      } else host.onPreimageHint?.(bytes, hash);
    },
  });
  m.run();
  const error =
    m.status === Status.Errored
      ? new WasmTrapError(
          m.trap === 'step limit reached'
            ? 'WASM_OUT_OF_STEPS'
            : m.trap === 'call stack exhausted' || m.trap === 'value stack exhausted'
              ? 'WASM_STACK_EXHAUSTED'
              : 'WASM_TRAP',
          m.trap ?? 'trap',
        )
      : undefined;
  return {
    status: m.status === Status.Finished ? 'finished' : 'errored',
    ...(error ? { error } : {}),
    globalState: m.globalState,
    hostCalls: calls,
    steps: m.steps,
  };
}

const lowered = new WeakMap<ValidatedModule, Map<string, Program>>();

function runInstrumented(
  input: Uint8Array | { bytes: Uint8Array; module: ValidatedModule },
  host: HostContext,
  opts: NativeRunOptions,
): NativeRunResult {
  const bytes = input instanceof Uint8Array ? input : input.bytes;
  const mod = input instanceof Uint8Array ? validateStf(bytes) : input.module;
  const entry = opts.entry ?? 'main';
  checkStfShape(mod, entry);

  const limits = resolveLimits(opts.limits);
  const prep =
    input instanceof Uint8Array ? prepareNative(bytes, mod, limits) : preparedFor(bytes, mod, limits);
  const state: GlobalState = {
    bytes32: [host.globalState.bytes32[0].slice(), host.globalState.bytes32[1].slice()],
    u64: [host.globalState.u64[0], host.globalState.u64[1]],
  };
  let memory: V8Memory | undefined;
  const counter = { calls: 0 };
  const meter: NativeMeter = {
    active: false,
    adjust: prep.adjust,
    trapReasons: mod.trapReasons,
    slotOk: meteredSlots(mod),
  };
  const bound = hostImports(() => memory, counter, meter);
  bound.bind(host, state);
  const imports = { [HOST_MODULE]: bound.imports };
  const limit = limits.maxSteps;
  let rem = limit;
  let remG: V8Global | undefined;
  let whyG: V8Global | undefined;
  const result = (status: 'finished' | 'errored', steps: bigint, error?: WasmTrapError): NativeRunResult => ({
    status,
    ...(error ? { error } : {}),
    globalState: state,
    hostCalls: counter.calls,
    steps: Number(steps),
  });
  /** the interpreter's steps of the entry stub (§5.4), outside any function */
  const stub = (n: number): void => {
    const c = BigInt(n);
    if (rem < c) throw new OutOfSteps();
    rem -= c;
  };
  const traceLimit = Error.stackTraceLimit;
  if (!(traceLimit >= 16)) Error.stackTraceLimit = 16;
  try {
    if (prep.stubTrapSteps !== undefined) {
      stub(prep.stubTrapSteps);
      return result(
        'errored',
        BigInt(prep.stubTrapSteps),
        new WasmTrapError('WASM_STACK_EXHAUSTED', 'value stack exhausted'),
      );
    }
    stub(prep.stubSteps);
    const instance = new V8Wasm.Instance(prep.compiled, imports);
    const exports = instance.exports;
    if (prep.memoryExport) memory = exports[prep.memoryExport] as V8Memory;
    remG = exports[prep.globals.rem] as V8Global;
    whyG = exports[prep.globals.why] as V8Global;
    const cd = exports[prep.globals.cd] as V8Global;
    const cb = exports[prep.globals.cb] as V8Global;
    meter.rem = remG;
    meter.why = whyG;
    if (prep.tableExport) meter.table = exports[prep.tableExport] as V8Table;
    const call = (name: string): void => {
      stub(1);
      cd.value = 1;
      cb.value = 0;
      (remG as V8Global).value = rem;
      (exports[name] as () => void)();
      rem = (remG as V8Global).value as bigint;
    };
    if (prep.startExport) call(prep.startExport);
    call(entry);
    stub(1); // halt
    return result('finished', limit - rem);
  } catch (e) {
    if (remG) rem = remG.value as bigint;
    if (e instanceof HaltSignal) return result('finished', limit - rem);
    if (e instanceof OutOfSteps) return result('errored', limit + 1n, outOfStepsTrap());
    const stop = classifyStop(e, prep.adjust, whyG, limit, rem, mod.trapReasons);
    if (stop === 'steps') return result('errored', limit + 1n, outOfStepsTrap());
    return result('errored', stop.step + 1n, stop.trap);
  } finally {
    Error.stackTraceLimit = traceLimit;
  }
}

// ---------------------------------------------------------------------------------------------
// A reusable instance for the entry points other than `main` (admission, queries)

/**
 * A native instance of an STF module kept for many runs of entry points other than `main`
 * (docs/app-abi.md §1: admission, queries, …): the instrumented module is instantiated once, its
 * start function run, and the linear memory and every global a run can change (the module's
 * globals written by some `global.set`, the meter's `why`, the dropped flags of passive data
 * segments) are snapshotted; each run restores them, binds the host functions to its own
 * {@link HostContext} and calls the export. A run's result is the one `runNative` gives with the
 * same limits (a fresh instance per run), to the step: the start function's steps are counted
 * once, as the fresh run counts them. A run that grew the memory makes the next run instantiate
 * again (a memory cannot shrink). A module whose start function makes host calls, traps or runs
 * out of steps is not reused: every run is then `runNative`'s.
 */
export interface NativeSession {
  /** runs export `entry` (() -> ()), as `runNative(input, host, { entry, limits })` does */
  run(entry: string, host: HostContext): NativeRunResult;
  /** V8 instances made so far (the first one, and one after each run that grew the memory) */
  readonly instantiations: number;
  /** false when runs are fresh `runNative` runs (the start function makes host calls, traps or runs out of steps) */
  readonly reusable: boolean;
}

/** A {@link NativeSession} over a validated module (an `App`'s `{ bytes, module }`). */
export function createNativeSession(
  input: { bytes: Uint8Array; module: ValidatedModule },
  opts: Pick<NativeRunOptions, 'limits' | 'interpreterFallback'> = {},
): NativeSession {
  return new Session(input, opts);
}

interface SessionPrepared extends PreparedNative {
  /** export names of the globals a run may change, restored before each run */
  restore: string[];
  /** export name of the virtual memory size in bytes (virtualizeMemory), when the module has a memory */
  vbytes?: string;
  /** export names of the guest's written ranges (virtualizeMemory), when the module has a memory */
  written?: Virtualized['written'];
}

/** one live V8 instance of a session, with its snapshot after the start function */
interface LiveInstance {
  exports: Record<string, unknown>;
  memory?: V8Memory;
  bound: BoundHostImports;
  rem: V8Global;
  why: V8Global;
  cd: V8Global;
  cb: V8Global;
  table?: V8Table;
  globals: V8Global[];
  values: unknown[];
  /** the virtual memory size in bytes (i64) */
  vb?: V8Global;
  /** the guest's written ranges (i64 globals lo0, hi0, lo1, hi1): its stores and bulk ops since the last restore wrote in them */
  written?: V8Global[];
  /** the memory after the start function, and a view of the live memory */
  snapshot?: Uint8Array;
  view?: Uint8Array;
  /** the countdown after the entry stub and the start function */
  remAfterStart: bigint;
  /** a run has changed the instance since the snapshot */
  dirty: boolean;
}

const idleState = (): GlobalState => ({
  bytes32: [new Uint8Array(32), new Uint8Array(32)],
  u64: [0n, 0n],
});

class Session implements NativeSession {
  instantiations = 0;
  reusable = true;
  private readonly limits: MachineLimits;
  private readonly prep: SessionPrepared;
  private readonly meter: NativeMeter;
  private readonly counter = { calls: 0 };
  private readonly entries = new Set<string>();
  private live?: LiveInstance;

  constructor(
    private readonly input: { bytes: Uint8Array; module: ValidatedModule },
    private readonly opts: Pick<NativeRunOptions, 'limits' | 'interpreterFallback'>,
  ) {
    this.limits = resolveLimits(opts.limits);
    // tables a run can change (docs/machine.md §5.7) are not snapshotted: every run is a fresh one
    if (usesTableInstructions(input.module)) this.reusable = false;
    this.prep = sessionPreparedFor(input.bytes, input.module, this.limits);
    this.meter = {
      active: false,
      adjust: this.prep.adjust,
      trapReasons: input.module.trapReasons,
      slotOk: meteredSlots(input.module),
    };
  }

  run(entry: string, host: HostContext): NativeRunResult {
    if (!this.entries.has(entry)) {
      checkStfShape(this.input.module, entry);
      this.entries.add(entry);
    }
    let live = this.live;
    if (live?.dirty && !restore(live)) live = this.live = undefined;
    if (this.reusable && !live) {
      live = this.live = this.instantiate();
      if (!live) this.reusable = false;
    }
    if (!live) return runNative(this.input, host, { ...this.opts, entry });
    return this.runOn(live, entry, host);
  }

  private runOn(live: LiveInstance, entry: string, host: HostContext): NativeRunResult {
    const state: GlobalState = {
      bytes32: [host.globalState.bytes32[0].slice(), host.globalState.bytes32[1].slice()],
      u64: [host.globalState.u64[0], host.globalState.u64[1]],
    };
    const counter = this.counter;
    counter.calls = 0;
    live.bound.bind(host, state);
    const meter = this.meter;
    meter.rem = live.rem;
    meter.why = live.why;
    meter.table = live.table;
    meter.active = false;
    live.dirty = true;
    const limit = this.limits.maxSteps;
    let rem = live.remAfterStart;
    const traceLimit = Error.stackTraceLimit;
    if (!(traceLimit >= 16)) Error.stackTraceLimit = 16;
    try {
      // the entry stub's `call entry`, then the run, then its `halt` (runInstrumented's stub(1))
      if (rem < 1n) throw new OutOfSteps();
      rem -= 1n;
      live.cd.value = 1;
      live.cb.value = 0;
      live.rem.value = rem;
      (live.exports[entry] as () => void)();
      rem = live.rem.value as bigint;
      if (rem < 1n) throw new OutOfSteps();
      rem -= 1n;
      return this.result(state, 'finished', limit - rem);
    } catch (e) {
      rem = live.rem.value as bigint;
      if (e instanceof HaltSignal) return this.result(state, 'finished', limit - rem);
      if (e instanceof OutOfSteps) return this.result(state, 'errored', limit + 1n, outOfStepsTrap());
      let stop: ReturnType<typeof classifyStop>;
      try {
        stop = classifyStop(e, this.prep.adjust, live.why, limit, rem, this.input.module.trapReasons);
      } catch (err) {
        if (!(err instanceof WasmNativeStackError) || this.opts.interpreterFallback === false) throw err;
        return runInterpreted(this.input, host, { ...this.opts, entry });
      }
      if (stop === 'steps') return this.result(state, 'errored', limit + 1n, outOfStepsTrap());
      return this.result(state, 'errored', stop.step + 1n, stop.trap);
    } finally {
      Error.stackTraceLimit = traceLimit;
      // no host call happens between runs (a reusable instance's start function makes none)
      live.bound.bind(NO_HOST, NO_HOST.globalState);
    }
  }

  private result(
    state: GlobalState,
    status: 'finished' | 'errored',
    steps: bigint,
    error?: WasmTrapError,
  ): NativeRunResult {
    return error
      ? { status, error, globalState: state, hostCalls: this.counter.calls, steps: Number(steps) }
      : { status, globalState: state, hostCalls: this.counter.calls, steps: Number(steps) };
  }

  /** a new instance after its start function, snapshotted; undefined when it cannot be reused */
  private instantiate(): LiveInstance | undefined {
    const prep = this.prep;
    if (prep.stubTrapSteps !== undefined) return undefined;
    const stub = BigInt(prep.stubSteps) + (prep.startExport ? 1n : 0n);
    if (this.limits.maxSteps < stub) return undefined;
    let rem = this.limits.maxSteps - stub;
    let memory: V8Memory | undefined;
    let vb: V8Global | undefined;
    const counter = this.counter;
    counter.calls = 0;
    const bound = hostImports(
      () => memory,
      counter,
      this.meter,
      () => Number(vb?.value ?? 0n),
    );
    bound.bind(NO_HOST, idleState());
    const instance = new V8Wasm.Instance(prep.compiled, { [HOST_MODULE]: bound.imports });
    this.instantiations++;
    const ex = instance.exports;
    if (prep.memoryExport) memory = ex[prep.memoryExport] as V8Memory;
    if (prep.vbytes) vb = ex[prep.vbytes] as V8Global;
    const written = prep.written?.map((n) => ex[n] as V8Global);
    if (memory && !(vb && written)) return undefined;
    const live: LiveInstance = {
      exports: ex,
      memory,
      bound,
      rem: ex[prep.globals.rem] as V8Global,
      why: ex[prep.globals.why] as V8Global,
      cd: ex[prep.globals.cd] as V8Global,
      cb: ex[prep.globals.cb] as V8Global,
      table: prep.tableExport ? (ex[prep.tableExport] as V8Table) : undefined,
      globals: prep.restore.map((n) => ex[n] as V8Global),
      values: [],
      remAfterStart: 0n,
      dirty: false,
      vb,
      written,
    };
    if (prep.startExport) {
      const meter = this.meter;
      meter.rem = live.rem;
      meter.why = live.why;
      meter.table = live.table;
      meter.active = false;
      live.cd.value = 1;
      live.cb.value = 0;
      live.rem.value = rem;
      try {
        (ex[prep.startExport] as () => void)();
      } catch {
        return undefined; // a trap, out of steps, halt: the start function decides every run
      }
      rem = live.rem.value as bigint;
      if (counter.calls !== 0) return undefined;
    }
    live.remAfterStart = rem;
    live.values = live.globals.map((g) => g.value);
    if (memory) {
      live.view = new Uint8Array(memory.buffer);
      live.snapshot = live.view.slice(0, Number(vb?.value));
    }
    // what the start function wrote is in the snapshot: the ranges hold the runs' writes
    if (written) clearWritten(live, written);
    return live;
  }
}

/** empties the written ranges (the guest's and the host ops') */
function clearWritten(live: LiveInstance, w: V8Global[]): void {
  w[0].value = -1n;
  w[1].value = 0n;
  w[2].value = -1n;
  w[3].value = 0n;
  live.bound.written.lo = Number.MAX_SAFE_INTEGER;
  live.bound.written.hi = 0;
}

/**
 * Puts the instance back in its state after the start function: the globals, and the memory in the
 * ranges the run can have written — the guest's stores and bulk ops (virtualizeMemory's written
 * ranges) and the host ops' (hostImports' `written`), within the virtual size it reached — from the
 * snapshot below its length, zero above. A byte outside them was not written, so it still is what
 * the previous restore left: the snapshot's, or zero (never reachable, or zeroed by an earlier
 * restore). An admission writes a few KiB: not the 64 KiB snapshot, not the 256 KiB arena the SDK grows.
 */
function restore(live: LiveInstance): boolean {
  if (live.memory && live.vb && live.written && live.snapshot) {
    const buf = live.memory.buffer;
    if (live.view?.buffer !== buf) live.view = new Uint8Array(buf);
    const reached = Number(live.vb.value as bigint);
    if (reached > buf.byteLength || reached < live.snapshot.length) return false;
    const w = live.written;
    const host = live.bound.written;
    putBack(live.view, live.snapshot, reached, w[0].value as bigint, w[1].value as bigint);
    putBack(live.view, live.snapshot, reached, w[2].value as bigint, w[3].value as bigint);
    putBack(live.view, live.snapshot, reached, BigInt(host.lo), BigInt(host.hi));
    clearWritten(live, w);
  }
  const gs = live.globals;
  const vs = live.values;
  for (let i = 0; i < gs.length; i++) gs[i].value = vs[i];
  live.dirty = false;
  return true;
}

/** memory [lo, hi) (i64 values, as unsigned) ∩ [0, reached) back to the snapshot below its length, zero above */
function putBack(view: Uint8Array, snapshot: Uint8Array, reached: number, lo: bigint, hi: bigint): void {
  const b = hi > BigInt(reached) ? reached : Number(hi);
  const l = BigInt.asUintN(64, lo);
  const a = l > BigInt(b) ? b : Number(l);
  if (a >= b) return;
  const snap = snapshot.length;
  if (a < snap) view.set(snapshot.subarray(a, Math.min(b, snap)), a);
  if (b > snap) view.fill(0, Math.max(a, snap), b);
}

const sessionPrepared = new WeakMap<ValidatedModule, Map<string, SessionPrepared>>();
/** `make()` once per (module, limits that shape the instrumented binary), kept in `cache`. */
function cachedFor<T>(
  cache: WeakMap<ValidatedModule, Map<string, T>>,
  mod: ValidatedModule,
  limits: MachineLimits,
  make: () => T,
): T {
  let byLimits = cache.get(mod);
  if (!byLimits) {
    byLimits = new Map();
    cache.set(mod, byLimits);
  }
  const key = `${limits.maxMemoryPages}/${limits.maxFrames}/${limits.maxStackHeight}`;
  let p = byLimits.get(key);
  if (!p) {
    p = make();
    byLimits.set(key, p);
  }
  return p;
}

function sessionPreparedFor(bytes: Uint8Array, mod: ValidatedModule, limits: MachineLimits): SessionPrepared {
  return cachedFor(sessionPrepared, mod, limits, () => {
    const { binary, ...rest } = instrumentForNative(bytes, mod, limits, limits.maxMemoryPages);
    // the globals a run can change: the module's that some global.set writes (the others keep their
    // value from the start function on), and the dropped flags of passive data segments (data.drop)
    const written = new Set<number>();
    for (const f of mod.funcs)
      for (const ins of f.body) if (ins.op === Op.GlobalSet) written.add(ins.a as number);
    const indices = [...written].sort((a, b) => a - b);
    mod.datas.forEach((d, i) => {
      if (d.mode !== 'active') indices.push(mod.globals.length + 4 + i);
    });
    const taken = new Set<string>([
      ...mod.exports.map((e) => e.name),
      ...Object.values(rest.globals),
      ...[rest.memoryExport, rest.startExport, rest.tableExport].filter((n): n is string => n !== undefined),
    ]);
    const names = indices.map((g) => {
      let n = `__modex_g${g}`;
      for (let i = 0; taken.has(n); i++) n = `__modex_g${g}_${i}`;
      taken.add(n);
      return n;
    });
    const more = exportGlobals(binary, indices, names);
    const virt = virtualizeMemory(more.binary, taken);
    const adjust = new Map<number, number>();
    for (const [at, adj] of rest.adjust) {
      const moved = virt ? virt.remap.get(at + more.shift) : at + more.shift;
      if (moved === undefined)
        throw new ModexError('WASM_NATIVE_METER', `native session: no instruction at ${at}`);
      adjust.set(moved, adj);
    }
    return {
      ...rest,
      adjust,
      compiled: compileNative(virt ? virt.binary : more.binary),
      restore: [rest.globals.why, ...names, ...(virt ? [virt.vbytes] : [])],
      vbytes: virt?.vbytes,
      written: virt?.written,
    };
  });
}

/**
 * `binary` with the globals `indices` exported as `names` too: the export section is rewritten in
 * place, so the code after it moves by `shift` bytes (the meter's trap offsets move with it).
 */
function exportGlobals(
  binary: Uint8Array,
  indices: number[],
  names: string[],
): { binary: Uint8Array; shift: number } {
  if (indices.length === 0) return { binary, shift: 0 };
  let pos = 8;
  while (pos < binary.length) {
    const id = binary[pos];
    const [size, sizeLen] = readU32(binary, pos + 1);
    const body = pos + 1 + sizeLen;
    const end = body + size;
    if (id === SECTION_EXPORT) {
      const [count, countLen] = readU32(binary, body);
      const parts: Uint8Array[] = [encodeU32(count + indices.length), binary.subarray(body + countLen, end)];
      indices.forEach((g, i) => {
        const utf8 = new TextEncoder().encode(names[i]);
        parts.push(encodeU32(utf8.length), utf8, Uint8Array.of(EXPORT_KIND.global), encodeU32(g));
      });
      const section = encodeSection(SECTION_EXPORT, Buffer.concat(parts));
      const out = Buffer.concat([binary.subarray(0, pos), section, binary.subarray(end)]);
      return { binary: new Uint8Array(out), shift: section.length - (end - pos) };
    }
    pos = end;
  }
  throw new WasmNativeLinkError('native session: the instrumented module has no export section');
}

/** the bytes a load or store at 0x28..0x3e accesses */
const ACCESS_SIZE: Record<number, number> = {
  40: 4,
  41: 8,
  44: 1,
  45: 1,
  46: 2,
  47: 2,
  48: 1,
  49: 1,
  50: 2,
  51: 2,
  52: 4,
  53: 4,
  54: 4,
  55: 8,
  58: 1,
  59: 2,
  60: 1,
  61: 2,
  62: 4,
};
/** bulk-memory ops that write the memory: memory.init, memory.copy, memory.fill (d, x, n on the stack) */
const BULK_WRITES = new Set<number>([Op.MemoryInit, Op.MemoryCopy, Op.MemoryFill]);
/** stores of an i64 value (the others store an i32) */
const STORE_I64 = new Set([0x37, 0x3c, 0x3d, 0x3e]);

interface Virtualized {
  binary: Uint8Array;
  /** the offset in `binary` of the instruction at `offset` in the input */
  remap: Map<number, number>;
  /** the export name of the memory's virtual size in bytes (i64) */
  vbytes: string;
  /**
   * the export names of the written ranges (i64 globals `[lo, hi)`): every byte a store or bulk op of
   * the guest wrote since they were last reset (lo = 2^64 − 1, hi = 0) lies in one of them: the first
   * holds the writes that end in the initial memory, the second the others
   */
  written: [lo0: string, hi0: string, lo1: string, hi1: string];
}

/**
 * The instrumented binary of a session, with a *virtual* memory size, so that one instance serves
 * every run although runs grow the memory (a memory cannot shrink): the size in bytes lives in a
 * global (`vbytes`, restored before each run like the others), `memory.size` reads it, `memory.grow`
 * calls a function that moves it (and grows the real memory when it is too small, to the same
 * maximum), and every load and store checks its range against it: an access past the virtual size
 * is sent to address 2^32 − 1, so that V8 traps there, at the same instruction with the same trap.
 * The bulk-memory helpers of the meter check their ranges with `memory.size`, so against it too.
 * The host functions check theirs against it (hostImports' `visible`). A run is therefore the one a
 * memory of exactly the virtual size gives: a fresh instance's.
 */
function virtualizeMemory(binary: Uint8Array, taken: Set<string>): Virtualized | undefined {
  const pm = parseModule(binary);
  const mem = pm.memories[0];
  if (!mem) return undefined;
  const maxPages = mem.max ?? 65536;
  const nImported = pm.imports.filter((i) => i.kind === 'func').length;
  const G_VB = pm.globals.length;
  // the written ranges: [lo0, hi0) for writes ending in the initial memory, [lo1, hi1) above it
  const G_LO0 = G_VB + 1;
  const G_HI0 = G_VB + 2;
  const G_LO1 = G_VB + 3;
  const G_HI1 = G_VB + 4;
  const INITIAL_BYTES = BigInt(mem.min) << 16n;
  const F_GROW = nImported + pm.funcs.length;
  let vbytes = '__modex_vbytes';
  for (let i = 0; taken.has(vbytes); i++) vbytes = `__modex_vbytes${i}`;
  taken.add(vbytes);
  const written = (['lo0', 'hi0', 'lo1', 'hi1'] as const).map((w) => {
    let n = `__modex_written_${w}`;
    for (let i = 0; taken.has(n); i++) n = `__modex_written_${w}${i}`;
    taken.add(n);
    return n;
  }) as Virtualized['written'];

  // sections by id (custom sections kept in place after their predecessor)
  const sections: { id: number; bytes: Uint8Array; body: Uint8Array }[] = [];
  for (let pos = 8; pos < binary.length; ) {
    const id = binary[pos];
    const [size, sizeLen] = readU32(binary, pos + 1);
    const body = pos + 1 + sizeLen;
    sections.push({ id, bytes: binary.subarray(pos, body + size), body: binary.subarray(body, body + size) });
    pos = body + size;
  }
  const u = (n: number): number[] => Array.from(encodeU32(n));
  const sl = (v: bigint): number[] => {
    const out: number[] = [];
    let x = v;
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) return [...out, b];
      out.push(b | 0x80);
    }
  };
  /** a vector section with `extra` appended (or a new one) */
  const append = (id: number, extra: number[][]): Uint8Array => {
    const s = sections.find((x) => x.id === id);
    const [count, countLen] = s ? readU32(s.body, 0) : [0, 0];
    const rest = s ? s.body.subarray(countLen) : new Uint8Array(0);
    return encodeSection(
      id,
      Buffer.concat([encodeU32(count + extra.length), rest, Uint8Array.from(extra.flat())]),
    );
  };
  // the type of the grow function, (i32) -> i32
  let T_GROW = pm.types.findIndex(
    (t) =>
      t.params.length === 1 &&
      t.params[0] === ValType.I32 &&
      t.results.length === 1 &&
      t.results[0] === ValType.I32,
  );
  const newTypes: number[][] = [];
  if (T_GROW < 0) {
    T_GROW = pm.types.length;
    newTypes.push([0x60, 1, ValType.I32, 1, ValType.I32]);
  }

  // the code: every body again, with the memory instructions replaced or guarded
  const code: number[] = [];
  const positions: [number, number][] = []; // (input offset, offset in `code`)
  const bodies: number[][] = [];
  for (const f of pm.funcs) {
    const type = pm.types[f.typeIndex];
    const base = type.params.length + f.locals.length;
    const L_ADDR = base;
    const L_I32 = base + 1;
    const L_I64 = base + 2;
    const L_END = base + 3;
    const L_START = base + 4;
    const L_N = base + 5;
    const out: number[] = [];
    const groups: [number, number][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const guarded = f.body.some((ins) => ACCESS_SIZE[ins.op] !== undefined || BULK_WRITES.has(ins.op));
    if (guarded) groups.push([2, ValType.I32], [3, ValType.I64], [1, ValType.I32]);
    /** the written range of [L_START, L_END) (by where it ends) grows to hold it */
    const mark = (): void => {
      const widen = (lo: number, hi: number): void => {
        out.push(0x20, ...u(L_START), 0x23, ...u(lo), 0x54, 0x04, 0x40); // start < lo (unsigned)
        out.push(0x20, ...u(L_START), 0x24, ...u(lo), 0x0b);
        out.push(0x20, ...u(L_END), 0x23, ...u(hi), 0x56, 0x04, 0x40); // end > hi (unsigned)
        out.push(0x20, ...u(L_END), 0x24, ...u(hi), 0x0b);
      };
      out.push(0x20, ...u(L_END), 0x42, ...sl(INITIAL_BYTES), 0x58, 0x04, 0x40); // end <= initial: if
      widen(G_LO0, G_HI0);
      out.push(0x05); // else
      widen(G_LO1, G_HI1);
      out.push(0x0b);
    };
    out.push(...u(groups.length));
    for (const [n, t] of groups) out.push(...u(n), t);
    const at: [number, number][] = [];
    f.body.forEach((ins, i) => {
      const next = i + 1 < f.body.length ? f.body[i + 1].offset : ins.offset + 1;
      const size = ACCESS_SIZE[ins.op];
      if (size !== undefined) {
        const store = ins.op >= 0x36;
        if (store) {
          out.push(0x21, ...u(STORE_I64.has(ins.op) ? L_I64 : L_I32)); // local.set value
          // start := addr + offset; end := start + size; the written ranges hold [start, end)
          out.push(0x22, ...u(L_ADDR), 0xad, 0x42, ...sl(BigInt(ins.b ?? 0)), 0x7c, 0x22, ...u(L_START));
          out.push(0x42, ...sl(BigInt(size)), 0x7c, 0x21, ...u(L_END));
          mark();
          // addr := end > vbytes ? 2^32 - 1 : addr
          out.push(0x41, 0x7f, 0x20, ...u(L_ADDR), 0x20, ...u(L_END), 0x23, ...u(G_VB), 0x56, 0x1b);
          out.push(0x20, ...u(STORE_I64.has(ins.op) ? L_I64 : L_I32));
        } else {
          // addr := addr + offset + size > vbytes ? 2^32 - 1 : addr
          out.push(0x21, ...u(L_ADDR), 0x41, 0x7f, 0x20, ...u(L_ADDR), 0x20, ...u(L_ADDR), 0xad);
          out.push(0x42, ...sl(BigInt(ins.b ?? 0) + BigInt(size)), 0x7c, 0x23, ...u(G_VB), 0x56, 0x1b);
        }
        at.push([ins.offset, out.length]);
        for (let p = ins.offset; p < next; p++) out.push(binary[p]);
      } else if (BULK_WRITES.has(ins.op)) {
        // memory.fill / copy / init (d, x, n): the written ranges hold [d, d + n), then the op
        out.push(0x21, ...u(L_N), 0x21, ...u(L_I32), 0x22, ...u(L_ADDR), 0xad, 0x22, ...u(L_START));
        out.push(0x20, ...u(L_N), 0xad, 0x7c, 0x21, ...u(L_END));
        mark();
        out.push(0x20, ...u(L_ADDR), 0x20, ...u(L_I32), 0x20, ...u(L_N));
        at.push([ins.offset, out.length]);
        for (let p = ins.offset; p < next; p++) out.push(binary[p]);
      } else if (ins.op === Op.MemorySize) {
        at.push([ins.offset, out.length]);
        out.push(0x23, ...u(G_VB), 0x42, 16, 0x88, 0xa7); // global.get, i64.const 16, i64.shr_u, i32.wrap_i64
      } else if (ins.op === Op.MemoryGrow) {
        at.push([ins.offset, out.length]);
        out.push(0x10, ...u(F_GROW));
      } else {
        at.push([ins.offset, out.length]);
        for (let p = ins.offset; p < next; p++) out.push(binary[p]);
      }
    });
    bodies.push(out);
    positions.push(...at.map(([o, p]): [number, number] => [o, p - out.length])); // relative to the body's end, fixed below
  }
  // grow(n): old pages, or -1 past the maximum; the real memory grows when it is smaller
  const grow: number[] = [1, 1, ValType.I64];
  grow.push(0x23, ...u(G_VB), 0x42, 16, 0x88, 0x20, 0, 0xad, 0x7c, 0x21, 1); // new = vb >> 16 + n
  grow.push(0x20, 1, 0x42, ...sl(BigInt(maxPages)), 0x56, 0x04, 0x40, 0x41, 0x7f, 0x0f, 0x0b); // > max: -1
  // new > memory.size: memory.grow(new - memory.size), -1 if it fails
  grow.push(0x20, 1, 0xa7, 0x3f, 0x00, 0x4b, 0x04, 0x40);
  grow.push(
    0x20,
    1,
    0xa7,
    0x3f,
    0x00,
    0x6b,
    0x40,
    0x00,
    0x41,
    0x7f,
    0x46,
    0x04,
    0x40,
    0x41,
    0x7f,
    0x0f,
    0x0b,
  );
  grow.push(0x0b);
  grow.push(0x23, ...u(G_VB), 0x42, 16, 0x88, 0xa7); // old pages (the result)
  grow.push(0x20, 1, 0x42, 16, 0x86, 0x24, ...u(G_VB), 0x0b); // vb = new << 16
  bodies.push(grow);

  code.push(...u(bodies.length));
  const bodyEnd: number[] = [];
  for (const b of bodies) {
    code.push(...u(b.length), ...b);
    bodyEnd.push(code.length);
  }
  // positions were recorded per body relative to its end: make them relative to the code content
  let k = 0;
  const remapRel: [number, number][] = [];
  pm.funcs.forEach((f, i) => {
    for (let j = 0; j < f.body.length; j++, k++)
      remapRel.push([positions[k][0], bodyEnd[i] + positions[k][1]]);
  });

  const replaced = new Map<number, Uint8Array>([
    [1, append(1, newTypes)],
    [3, append(3, [u(T_GROW)])],
    [
      6,
      append(6, [
        [ValType.I64, 1, 0x42, ...sl(BigInt(mem.min) << 16n), 0x0b],
        [ValType.I64, 1, 0x42, 0x7f, 0x0b], // lo0 = 2^64 - 1
        [ValType.I64, 1, 0x42, 0, 0x0b], // hi0
        [ValType.I64, 1, 0x42, 0x7f, 0x0b], // lo1
        [ValType.I64, 1, 0x42, 0, 0x0b], // hi1
      ]),
    ],
    [
      7,
      append(7, [
        [
          ...u(new TextEncoder().encode(vbytes).length),
          ...new TextEncoder().encode(vbytes),
          EXPORT_KIND.global,
          ...u(G_VB),
        ],
        ...written.map((name, i) => [
          ...u(new TextEncoder().encode(name).length),
          ...new TextEncoder().encode(name),
          EXPORT_KIND.global,
          ...u(G_LO0 + i),
        ]),
      ]),
    ],
    [10, encodeSection(10, Uint8Array.from(code))],
  ]);
  const parts: Uint8Array[] = [binary.subarray(0, 8)];
  let offset = 8;
  let codeAt = 0;
  for (const s of sections) {
    const bytes = replaced.get(s.id) ?? s.bytes;
    if (s.id === 10) codeAt = offset + bytes.length - code.length;
    parts.push(bytes);
    offset += bytes.length;
  }
  const remap = new Map<number, number>();
  for (const [o, p] of remapRel) remap.set(o, codeAt + p);
  return { binary: new Uint8Array(Buffer.concat(parts)), remap, vbytes, written };
}

interface V8Table {
  readonly length: number;
  get(i: number): ((arg: number) => number) | null;
}

/** The state of `metered_call` in one native run (docs/machine.md §3.7, §11). */
interface NativeMeter {
  /** a metered call is running */
  active: boolean;
  rem?: V8Global;
  why?: V8Global;
  table?: V8Table;
  adjust: Map<number, number>;
  /** the module's `modex.traps` (trap-reasons.ts) */
  trapReasons?: ReadonlyMap<number, UnreachableReason>;
  /** per table slot: 0 null, 1 a function of type (i32) -> i32, 2 another type */
  slotOk: Uint8Array;
}

/** Per table slot, whether metered_call may call it (the interpreter's checks of the metered_call step). */
function meteredSlots(mod: ValidatedModule): Uint8Array {
  const slots = new Uint8Array(mod.tables[0]?.limits.min ?? 0);
  for (const e of mod.elems) {
    if (e.mode !== 'active') continue;
    if (e.offset?.kind !== 'const')
      throw new WasmNativeLinkError('native metering: element segment offsets must be constants');
    const off = Number(BigInt.asUintN(32, e.offset.value));
    e.funcIndices.forEach((f, j) => {
      if (off + j >= slots.length) return;
      if (f === null) {
        slots[off + j] = 0;
        return;
      }
      const t = funcTypeOf(mod, f);
      const ok =
        t.params.length === 1 &&
        t.params[0] === ValType.I32 &&
        t.results.length === 1 &&
        t.results[0] === ValType.I32;
      slots[off + j] = ok ? 1 : 2;
    });
  }
  return slots;
}

/**
 * `metered_call` natively (§3.7): the callee runs with the countdown set to min(budget, steps left);
 * a trap of the callee (a JS exception through its wasm frames) is placed at its step exactly as the
 * runner places traps (classifyStop), and the countdown is set to what the interpreter's unwind
 * leaves. Returns the callee's result, -1 (trapped) or -2 (out of steps).
 */
function meteredCall(meter: NativeMeter, tableIndex: number, arg: number, budget: bigint): number {
  if (meter.active) throw hostTrap('nested metered call');
  const idx = tableIndex >>> 0;
  const table = meter.table;
  if (!table || idx >= meter.slotOk.length) throw hostTrap('undefined element');
  if (meter.slotOk[idx] === 0) throw hostTrap('uninitialized element');
  if (meter.slotOk[idx] !== 1) throw hostTrap('indirect call type mismatch');
  const fn = table.get(idx)!;
  const remG = meter.rem!;
  const whyG = meter.why!;
  const saved = remG.value as bigint;
  const b = BigInt.asUintN(64, budget);
  const inner = b < saved ? b : saved;
  remG.value = inner;
  meter.active = true;
  try {
    const r = fn(arg);
    remG.value = saved - (inner - (remG.value as bigint));
    return r;
  } catch (e) {
    const rem = remG.value as bigint;
    const why = whyG.value as number;
    if ((why === WHY.frames || why === WHY.stack) && rem === inner) {
      // the callee's entry checks are the metered_call step's own: a trap outside the metered call
      remG.value = saved;
      throw e;
    }
    const stop = classifyStop(e, meter.adjust, whyG, inner, rem, meter.trapReasons);
    whyG.value = WHY.none;
    if (stop === 'steps') {
      if (b < saved) {
        remG.value = saved - b - 1n;
        return -2;
      }
      // the message's step limit comes first: the run is out of steps
      remG.value = 0n;
      whyG.value = WHY.steps;
      throw e;
    }
    remG.value = saved - stop.step - 1n;
    return -1;
  } finally {
    meter.active = false;
  }
}

/** The entry stub ran out of steps (thrown by runNative's stub accounting; private). */
class OutOfSteps {}

const outOfStepsTrap = (): WasmTrapError => new WasmTrapError('WASM_OUT_OF_STEPS', 'step limit reached');

/** V8's own stack ran out before the machine's limits did: the native runner cannot decide the run. */
export class WasmNativeStackError extends ModexError {
  constructor(options?: { cause?: unknown }) {
    super(
      'WASM_NATIVE_STACK',
      "V8's call stack ran out before the machine's limits (maxFrames, maxStackHeight): run this in the interpreter, or natively with a larger stack (node --stack-size)",
      options,
    );
  }
}

const WASM_FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

/**
 * How an instrumented run stopped (meter-native.ts): out of steps, or a trap at an exact step. Traps
 * of the wasm code itself (and host traps) are placed by the top wasm frame's byte offset.
 */
function classifyStop(
  e: unknown,
  adjust: Map<number, number>,
  whyG: V8Global | undefined,
  limit: bigint,
  rem: bigint,
  reasons?: ReadonlyMap<number, UnreachableReason>,
): 'steps' | { step: bigint; trap: WasmTrapError } {
  const why = whyG ? (whyG.value as number) : 0;
  const steps = limit - rem;
  if (why === WHY.steps) return 'steps';
  if (why === WHY.frames)
    return { step: steps - 1n, trap: new WasmTrapError('WASM_STACK_EXHAUSTED', 'call stack exhausted') };
  if (why === WHY.stack)
    return { step: steps - 1n, trap: new WasmTrapError('WASM_STACK_EXHAUSTED', 'value stack exhausted') };
  if (why === WHY.bulk)
    return { step: steps - 1n, trap: new WasmTrapError('WASM_TRAP', 'out of bounds memory access') };
  if (why === WHY.table)
    return { step: steps - 1n, trap: new WasmTrapError('WASM_TRAP', 'out of bounds table access') };
  if (e instanceof RangeError && /call stack/i.test(e.message)) throw new WasmNativeStackError({ cause: e });
  const trap = toTrap(e, reasons);
  if (!trap) throw e;
  const m = WASM_FRAME.exec(String((e as Error).stack ?? ''));
  const adj = m ? adjust.get(Number.parseInt(m[2], 16)) : undefined;
  if (adj === undefined)
    throw new ModexError('WASM_NATIVE_METER', `cannot place the trap: ${trap.message}`, { cause: e });
  const at = steps + BigInt(adj);
  return at >= limit ? 'steps' : { step: at, trap };
}

interface PreparedNative extends Omit<Instrumented, 'binary'> {
  compiled: V8Module;
}

/** the module instrumented for exact metering (meter-native.ts) and compiled */
function prepareNative(bytes: Uint8Array, mod: ValidatedModule, limits: MachineLimits): PreparedNative {
  const { binary, ...rest } = instrumentForNative(bytes, mod, limits, limits.maxMemoryPages);
  return { ...rest, compiled: compileNative(binary) };
}

/**
 * A caller that passes `{ bytes, module }` (an already validated module, e.g. an `App`'s) gets the
 * compiled module from here after its first run: parsing, validating, rewriting and compiling cost
 * milliseconds per run, the instance (fresh memory and globals) is still made per run.
 */
const prepared = new WeakMap<ValidatedModule, Map<string, PreparedNative>>();
function preparedFor(bytes: Uint8Array, mod: ValidatedModule, limits: MachineLimits): PreparedNative {
  return cachedFor(prepared, mod, limits, () => prepareNative(bytes, mod, limits));
}

/** Maps an exception thrown out of wasm code to a trap, or undefined if it is not one (a host bug). */
export function toTrap(
  e: unknown,
  reasons?: ReadonlyMap<number, UnreachableReason>,
): WasmTrapError | undefined {
  if (e instanceof WasmTrapError) return e;
  if (e instanceof V8Wasm.RuntimeError) {
    // the spec's wording (trap-reasons.ts); an `unreachable` in a function the module's
    // `modex.traps` section names reports that section's reason (the top wasm frame's function)
    let message = specTrapMessage(e.message);
    if (message === 'unreachable' && reasons) {
      const frame = WASM_FRAME.exec(String(e.stack ?? ''));
      message = (frame && reasons.get(Number(frame[1]))) || message;
    }
    return new WasmTrapError('WASM_TRAP', message, { cause: e });
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new WasmTrapError('WASM_STACK_EXHAUSTED', 'call stack exhausted', { cause: e });
  }
  return undefined;
}

function checkStfShape(mod: WasmModule, entry: string): void {
  const exp = mod.exports.find((e) => e.name === entry);
  if (exp?.kind !== 'func') throw new WasmNativeLinkError(`the module has no function export "${entry}"`);
  const type = funcTypeOf(mod, exp.index);
  if (type.params.length !== 0 || type.results.length !== 0) {
    throw new WasmNativeLinkError(`export "${entry}" must have type () -> (), has ${formatFuncType(type)}`);
  }
  for (const imp of mod.imports) {
    const host = imp.module === HOST_MODULE && Object.hasOwn(HOST_FUNCS, imp.name);
    if (!host || imp.kind !== 'func') {
      throw new WasmNativeLinkError(`unsupported import "${imp.module}"."${imp.name}" (${imp.kind})`);
    }
  }
}

/** The host functions of one instance; `bind` sets the context of the next run (and forgets the last run's caches). */
interface BoundHostImports {
  imports: Record<HostFuncName, (...args: never[]) => unknown>;
  bind(host: HostContext, state: GlobalState): void;
  /** a range [lo, hi) that holds every guest range a host op was given (reads included) since it was last emptied */
  written: { lo: number; hi: number };
}

function hostImports(
  getMemory: () => V8Memory | undefined,
  counter: { calls: number },
  meter: NativeMeter,
  /** the memory's size as the guest sees it, when it is smaller than the real one (a session's virtual size) */
  visibleBytes?: () => number,
): BoundHostImports {
  let host: HostContext = NO_HOST;
  let state: GlobalState = NO_HOST.globalState;
  // Views of the whole guest memory, made again only when the memory has grown (growing a
  // non-shared memory detaches its old buffer: the old views then have length 0).
  let u8 = new Uint8Array(0);
  let u32 = new Int32Array(0);
  const refresh = (): Uint8Array => {
    const mem = getMemory();
    const buf = mem ? mem.buffer : new ArrayBuffer(0);
    const n = visibleBytes ? Math.min(visibleBytes(), buf.byteLength) : buf.byteLength;
    u8 = new Uint8Array(buf, 0, n);
    u32 = new Int32Array(buf, 0, n >> 2);
    return u8;
  };
  const written = { lo: Number.MAX_SAFE_INTEGER, hi: 0 };
  /** the guest memory view, or a trap if [ptr, ptr+len) is out of bounds; every range a host op writes passes here */
  const checked = (ptr: number, len: number): Uint8Array => {
    const start = ptr >>> 0;
    const end = start + len;
    if (start < written.lo) written.lo = start;
    if (end > written.hi) written.hi = end;
    if (end <= u8.length) return u8;
    const m = refresh();
    if (end > m.length) {
      throw hostTrap(
        `out of bounds memory access: a host op's range [${start}, ${end}), memory size ${m.length}`,
      );
    }
    return m;
  };
  /** copies up to 32 bytes of `src` from `offset` to guest `ptr` (the 32-byte window is in bounds); returns the count */
  const copyOut = (src: Uint8Array, offset: number, m: Uint8Array, ptr: number, kind = 0): number => {
    const off = offset >>> 0;
    const n = Math.max(0, preimageChunkEnd(kind, off, src.length) - off);
    const p = ptr >>> 0;
    for (let i = 0; i < n; i++) m[p + i] = src[off + i];
    return n;
  };
  /** traps unless `p` is 32-byte aligned */
  const aligned = (p: number): void => {
    if ((p & 31) !== 0) throw hostTrap(`unaligned host pointer ${p >>> 0}`);
  };
  const fieldIndex = (index: number): 0 | 1 => {
    if (index !== 0 && index !== 1) throw hostTrap(`bad global-state index: ${index >>> 0}`);
    return index;
  };
  // guests read a preimage in consecutive 32-byte chunks: the last lookup is reused
  // (content-addressed, so exact)
  let lastKind = 0;
  const lastHash = new Int32Array(8);
  let lastEntry = -1; // in host.preimageStore
  let lastPreimage: Uint8Array | undefined; // from host.preimages
  // the SDK hints every node it hashes: the last pair hashed, so that the hint needs no second keccak
  const pairIn = new Uint8Array(64);
  const pairWords = new Int32Array(pairIn.buffer);
  const pairHash = new Uint8Array(32);
  const pairHashWords = new Int32Array(pairHash.buffer);
  const hintHash = new Uint8Array(32);
  let pairValid = false;
  let store = host.preimageStore;
  const bind = (h: HostContext, st: GlobalState): void => {
    host = h;
    state = st;
    store = h.preimageStore;
    u8 = new Uint8Array(0); // the memory (or the part the guest sees) may have changed since
    u32 = new Int32Array(0);
    lastEntry = -1;
    lastPreimage = undefined;
    pairValid = false;
  };
  /** the hash at words w[i..i+8) is the last one looked up */
  const isLast = (w: Int32Array, i: number): boolean =>
    lastHash[0] === w[i] &&
    lastHash[1] === w[i + 1] &&
    lastHash[2] === w[i + 2] &&
    lastHash[3] === w[i + 3] &&
    lastHash[4] === w[i + 4] &&
    lastHash[5] === w[i + 5] &&
    lastHash[6] === w[i + 6] &&
    lastHash[7] === w[i + 7];
  const unavailable = (k: number, m: Uint8Array, h: number): HostDataUnavailableError =>
    // not a trap: the node lacks data every honest party has; the run cannot go on (as in the interpreter)
    new HostDataUnavailableError(
      `preimage of kind ${k} for hash ${toHex(m.subarray(h, h + 32))} is not available`,
    );
  const imports = {
    inbox_read: (offset: number, ptr: number): number => {
      counter.calls++;
      const msg = host.inboxMessage ? host.inboxMessage(state.u64[0]) : host.inbox;
      if (!msg) throw new HostDataUnavailableError(`inbox message ${state.u64[0]} is not available`);
      const m = checked(ptr, 32);
      return copyOut(msg, offset, m, ptr);
    },
    preimage_read: (kind: number, hashPtr: number, offset: number, ptr: number): number => {
      counter.calls++;
      checked(hashPtr, 32);
      const m = checked(ptr, 32);
      if ((hashPtr & 31) !== 0) throw hostTrap('unaligned preimage hash pointer');
      const h = hashPtr >>> 0;
      const k = kind >>> 0;
      const w = u32;
      const i = h >>> 2;
      if (store && k === 0) {
        if (lastEntry < 0 || lastKind !== 0 || !isLast(w, i)) {
          const e = store.find(w, i);
          if (e < 0) throw unavailable(k, m, h);
          for (let j = 0; j < 8; j++) lastHash[j] = w[i + j];
          lastKind = 0;
          lastEntry = e;
          lastPreimage = undefined;
        }
        return store.copyOut(lastEntry, offset >>> 0, m, w, ptr >>> 0);
      }
      let preimage = lastPreimage;
      if (preimage === undefined || lastKind !== k || !isLast(w, i)) {
        preimage = host.preimages(k, m.slice(h, h + 32));
        if (!preimage) throw unavailable(k, m, h);
        for (let j = 0; j < 8; j++) lastHash[j] = w[i + j];
        lastKind = k;
        lastPreimage = preimage;
        lastEntry = -1;
      }
      return copyOut(preimage, offset, m, ptr, k);
    },
    get_global_bytes32: (index: number, ptr: number): void => {
      counter.calls++;
      checked(ptr, 32).set(state.bytes32[fieldIndex(index)], ptr >>> 0);
    },
    set_global_bytes32: (index: number, ptr: number): void => {
      counter.calls++;
      const i = fieldIndex(index);
      const p = ptr >>> 0;
      state.bytes32[i] = checked(ptr, 32).slice(p, p + 32);
    },
    get_global_u64: (index: number): bigint => {
      counter.calls++;
      return BigInt.asIntN(64, state.u64[fieldIndex(index)]);
    },
    set_global_u64: (index: number, value: bigint): void => {
      counter.calls++;
      state.u64[fieldIndex(index)] = BigInt.asUintN(64, value);
    },
    halt: (): void => {
      counter.calls++;
      if (meter.active) throw hostTrap('halt in a metered call');
      throw new HaltSignal();
    },
    metered_call: (tableIndex: number, arg: number, budget: bigint): number => {
      counter.calls++;
      return meteredCall(meter, tableIndex, arg, budget);
    },
    keccak256_pair: (inPtr: number, outPtr: number): void => {
      counter.calls++;
      checked(inPtr, 64);
      checked(outPtr, 32);
      aligned(inPtr);
      aligned(outPtr);
      const w = u32;
      const src = inPtr >>> 2;
      for (let j = 0; j < 16; j++) pairWords[j] = w[src + j];
      const k = hostKeccakPair(w, src);
      const dst = outPtr >>> 2;
      const o = KW_OUT >> 2;
      for (let j = 0; j < 8; j++) w[dst + j] = pairHashWords[j] = k[o + j];
      pairValid = true;
    },
    ecrecover: (hashPtr: number, sigPtr: number, v: number, outPtr: number): number => {
      counter.calls++;
      checked(hashPtr, 32);
      checked(sigPtr, 64);
      const m = checked(outPtr, 32);
      aligned(hashPtr);
      aligned(sigPtr);
      aligned(outPtr);
      return ecrecoverAt(m, hashPtr >>> 0, sigPtr >>> 0, v >>> 0, outPtr >>> 0, hostKeccak) ? 1 : 0;
    },
    hint_preimage: (ptr: number, len: number): void => {
      counter.calls++;
      const onHint = host.onPreimageHint;
      if (!store && !onHint) return;
      const start = ptr >>> 0;
      const end = start + (len >>> 0);
      // never a trap: an out-of-bounds range is ignored (docs/machine.md §6)
      const m = end <= u8.length ? u8 : refresh();
      if (end > m.length) return;
      let known: Uint8Array | undefined;
      if (end - start === 64 && pairValid && (start & 3) === 0) {
        const w = u32;
        const i = start >>> 2;
        let j = 0;
        while (j < 16 && pairWords[j] === w[i + j]) j++;
        if (j === 16) known = pairHash;
      }
      if (store) {
        if (!known) {
          hostKeccak(m, start, end - start, hintHash, 0);
          known = hintHash;
        }
        store.record(m, u32, start, end - start, known);
      } else onHint?.(m.slice(start, end), known);
    },
  };
  return { imports, bind, written };
}

/** the context of an instance between runs (a start function's host calls see this one) */
const NO_HOST: HostContext = {
  inbox: new Uint8Array(0),
  preimages: () => undefined,
  globalState: { bytes32: [new Uint8Array(32), new Uint8Array(32)], u64: [0n, 0n] },
};

const toHex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

// ---------------------------------------------------------------------------------------------
// keccak256 for the host ops in wasm: keccak-f[1600] on 25 i64 locals, generated below (about 4x
// faster than the JS permutation on 32-bit halves). Memory: RC table at 0, output at 192, input
// blocks (padded by the caller) from 256.

const KW_OUT = 192;
const KW_IN = 256;
const RATE_BYTES = 136;
/** rho rotation of lane x + 5 y */
const RHO = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const KECCAK_RC = [
  0x0000000000000001n,
  0x0000000000008082n,
  0x800000000000808an,
  0x8000000080008000n,
  0x000000000000808bn,
  0x0000000080000001n,
  0x8000000080008081n,
  0x8000000000008009n,
  0x000000000000008an,
  0x0000000000000088n,
  0x0000000080008009n,
  0x000000008000000an,
  0x000000008000808bn,
  0x800000000000008bn,
  0x8000000000008089n,
  0x8000000000008003n,
  0x8000000000008002n,
  0x8000000000000080n,
  0x000000000000800an,
  0x800000008000000an,
  0x8000000080008081n,
  0x8000000000008080n,
  0x0000000080000001n,
  0x8000000080008008n,
];

function leb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}

/** the module: export "m" (memory, 1 page), "k" (nblocks: i32) -> () hashes the padded blocks */
function keccakWasmBinary(): Uint8Array {
  // locals: 0 nblocks (param), 1 p, 2 round (byte offset into RC), then i64: a 3..27, c 28..32, d 33..37, b 38..62
  const P = 1;
  const R = 2;
  const A = (i: number) => 3 + i;
  const C = (i: number) => 28 + i;
  const D = (i: number) => 33 + i;
  const B = (i: number) => 38 + i;
  const c: number[] = [];
  const get = (l: number) => c.push(0x20, ...leb(l));
  const set = (l: number) => c.push(0x21, ...leb(l));
  const xor = () => c.push(0x85);
  // p = KW_IN
  c.push(0x41, ...leb(KW_IN));
  set(P);
  c.push(0x03, 0x40); // loop (blocks)
  for (let j = 0; j < 17; j++) {
    get(A(j));
    get(P);
    c.push(0x29, 0x03, ...leb(8 * j)); // i64.load align=8 offset=8j
    xor();
    set(A(j));
  }
  c.push(0x41, 0x00);
  set(R);
  c.push(0x03, 0x40); // loop (rounds)
  // theta
  for (let x = 0; x < 5; x++) {
    get(A(x));
    for (let y = 1; y < 5; y++) {
      get(A(x + 5 * y));
      xor();
    }
    set(C(x));
  }
  for (let x = 0; x < 5; x++) {
    get(C((x + 4) % 5));
    get(C((x + 1) % 5));
    c.push(0x42, 0x01, 0x89); // i64.const 1, i64.rotl
    xor();
    set(D(x));
  }
  // theta apply, rho, pi: B[y + 5 ((2x + 3y) % 5)] = rotl(A[x + 5y] ^ D[x], RHO[x + 5y])
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      get(A(x + 5 * y));
      get(D(x));
      xor();
      const r = RHO[x + 5 * y];
      if (r) c.push(0x42, ...leb(r), 0x89);
      set(B(y + 5 * ((2 * x + 3 * y) % 5)));
    }
  }
  // chi: A[x + 5y] = B[x + 5y] ^ (~B[x+1] & B[x+2])
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      get(B(x + 5 * y));
      get(B(((x + 1) % 5) + 5 * y));
      c.push(0x42, 0x7f); // i64.const -1
      xor();
      get(B(((x + 2) % 5) + 5 * y));
      c.push(0x83); // i64.and
      xor();
      set(A(x + 5 * y));
    }
  }
  // iota
  get(A(0));
  get(R);
  c.push(0x29, 0x03, 0x00);
  xor();
  set(A(0));
  get(R);
  c.push(0x41, 0x08, 0x6a); // + 8
  c.push(0x22, ...leb(R)); // tee
  c.push(0x41, ...leb(192), 0x47); // != 192
  c.push(0x0d, 0x00); // br_if rounds
  c.push(0x0b); // end rounds
  get(P);
  c.push(0x41, ...leb(RATE_BYTES), 0x6a);
  set(P);
  get(0);
  c.push(0x41, 0x01, 0x6b); // nblocks - 1
  c.push(0x22, 0x00); // tee nblocks
  c.push(0x0d, 0x00); // br_if blocks
  c.push(0x0b); // end blocks
  for (let j = 0; j < 4; j++) {
    c.push(0x41, ...leb(KW_OUT + 8 * j));
    get(A(j));
    c.push(0x37, 0x03, 0x00); // i64.store
  }
  c.push(0x0b); // end func
  const locals = [0x02, ...leb(2), 0x7f, ...leb(60), 0x7e]; // 2 i32, 60 i64
  const body = [...locals, ...c];
  const func = [...leb(body.length), ...body];
  const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
  const name = (s: string) => [...leb(s.length), ...Buffer.from(s)];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name('m'), 0x02, 0, ...name('k'), 0x00, 0]),
    ...section(10, [1, ...func]),
  ]);
}

interface KeccakWasm {
  bytes: Uint8Array;
  words: Int32Array;
  run: (nblocks: number) => void;
}

function loadKeccakWasm(): KeccakWasm {
  const inst = new V8Wasm.Instance(new V8Wasm.Module(keccakWasmBinary()));
  const buf = (inst.exports.m as V8Memory).buffer;
  const rc = new DataView(buf);
  for (let i = 0; i < KECCAK_RC.length; i++) rc.setBigUint64(8 * i, KECCAK_RC[i], true);
  return {
    bytes: new Uint8Array(buf),
    words: new Int32Array(buf),
    run: inst.exports.k as (n: number) => void,
  };
}

let keccakWasm: KeccakWasm | undefined;
/** the padding of a one-block 64-byte input is in place (bytes 320..391 of the keccak memory) */
let pairPadded = false;

/** keccak256 of src[start..start+len) into out[outOff..outOff+32) */
function hostKeccak(src: Uint8Array, start: number, len: number, out: Uint8Array, outOff: number): void {
  keccakWasm ??= loadKeccakWasm();
  const nb = Math.floor(len / RATE_BYTES) + 1;
  const end = KW_IN + nb * RATE_BYTES;
  const m = keccakWasm.bytes;
  if (end > m.length) {
    keccak256Into(src.subarray(start, start + len), out, outOff);
    return;
  }
  if (len > 128) m.set(src.subarray(start, start + len), KW_IN);
  else for (let i = 0; i < len; i++) m[KW_IN + i] = src[start + i];
  m.fill(0, KW_IN + len, end);
  m[KW_IN + len] = 0x01;
  m[end - 1] |= 0x80;
  pairPadded = false;
  keccakWasm.run(nb);
  for (let i = 0; i < 32; i++) out[outOff + i] = m[KW_OUT + i];
}

/** keccak256 of the 64 bytes in words w[i..i+16); the hash is left in words [KW_OUT / 4, +8) of the keccak memory */
function hostKeccakPair(w: Int32Array, i: number): Int32Array {
  keccakWasm ??= loadKeccakWasm();
  const k = keccakWasm.words;
  const base = KW_IN >> 2;
  for (let j = 0; j < 16; j++) k[base + j] = w[i + j];
  if (!pairPadded) {
    const m = keccakWasm.bytes;
    m.fill(0, KW_IN + 64, KW_IN + RATE_BYTES);
    m[KW_IN + 64] = 0x01;
    m[KW_IN + RATE_BYTES - 1] = 0x80;
    pairPadded = true;
  }
  keccakWasm.run(1);
  return k;
}

/** keccak256 with the host ops' wasm permutation (exported for tests) */
export function hostKeccak256(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  hostKeccak(bytes, 0, bytes.length, out, 0);
  return out;
}

const hexOut = new Uint8Array(32);
/**
 * keccak256 of `bytes` as 0x-hex on the host ops' wasm permutation: keccak.ts's `keccak256Hex`,
 * about 3× faster for a transaction (the sequencer hashes each one it is sent)
 */
export function hostKeccak256Hex(bytes: Uint8Array): `0x${string}` {
  hostKeccak(bytes, 0, bytes.length, hexOut, 0);
  return `0x${Buffer.from(hexOut.buffer, 0, 32).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Generic instantiation and invocation (used by the spectest engine)

/** A module instantiated by V8, with its decoded form (for export types). */
export interface NativeInstance {
  instance: V8Instance;
  module: ValidatedModule;
}

/** The outcome of calling a wasm function; values are unsigned (i32: 0..2^32-1, i64: 0..2^64-1). */
export type NativeOutcome =
  | { kind: 'ok'; values: bigint[] }
  | { kind: 'trap'; error: WasmTrapError }
  | { kind: 'exhaustion'; error: WasmTrapError };

/**
 * Instantiates a validated module as is (start function included). Traps, V8 link errors and
 * {@link WasmNativeCompileError} are thrown.
 */
export function instantiateNative(
  bytes: Uint8Array,
  module: ValidatedModule,
  imports: V8Imports = {},
): NativeInstance {
  const compiled = compileNative(bytes);
  return { instance: new V8Wasm.Instance(compiled, imports), module };
}

/** Maps a trap to an outcome (`exhaustion` for stack exhaustion); other errors are rethrown. */
export function trapOutcome(e: unknown, reasons?: ReadonlyMap<number, UnreachableReason>): NativeOutcome {
  const trap = toTrap(e, reasons);
  if (!trap) throw e;
  return trap.code === 'WASM_STACK_EXHAUSTED'
    ? { kind: 'exhaustion', error: trap }
    : { kind: 'trap', error: trap };
}

/** Calls the function export `exportName` with unsigned-bigint `args`; traps become outcomes. */
export function invokeNative(inst: NativeInstance, exportName: string, args: bigint[]): NativeOutcome {
  const type = exportFuncType(inst.module, exportName);
  if (args.length !== type.params.length) {
    throw new WasmNativeLinkError(
      `export "${exportName}" takes ${type.params.length} argument(s), ${args.length} given`,
    );
  }
  const fn = inst.instance.exports[exportName] as (...a: unknown[]) => unknown;
  const jsArgs = args.map((a, i) => toJs(type.params[i], a));
  let raw: unknown;
  try {
    raw = fn(...jsArgs);
  } catch (e) {
    return trapOutcome(e, inst.module.trapReasons);
  }
  const rawValues = type.results.length === 1 ? [raw] : type.results.length === 0 ? [] : (raw as unknown[]);
  return { kind: 'ok', values: type.results.map((t, i) => fromJs(t, rawValues[i])) };
}

/** Reads the global export `exportName` as an unsigned bigint. */
export function getGlobalNative(inst: NativeInstance, exportName: string): bigint {
  const exp = inst.module.exports.find((e) => e.name === exportName);
  if (exp?.kind !== 'global') throw new WasmNativeLinkError(`no global export "${exportName}"`);
  const type = globalTypeOf(inst.module, exp.index);
  return fromJs(type.type, (inst.instance.exports[exportName] as V8Global).value);
}

/** Unsigned bigint → the JS value V8 expects for a parameter of type `t`. */
export function toJs(t: number, v: bigint): number | bigint {
  if (t === ValType.I32) return Number(BigInt.asIntN(32, v));
  if (t === ValType.I64) return BigInt.asIntN(64, v);
  throw new WasmNativeLinkError(`unsupported value type 0x${t.toString(16)}`);
}

/** JS value V8 returned for type `t` → unsigned bigint. */
export function fromJs(t: number, v: unknown): bigint {
  if (t === ValType.I32) return BigInt((v as number) >>> 0);
  if (t === ValType.I64) return BigInt.asUintN(64, v as bigint);
  throw new WasmNativeLinkError(`unsupported value type 0x${t.toString(16)}`);
}

function exportFuncType(mod: WasmModule, name: string): FuncType {
  const exp = mod.exports.find((e) => e.name === name);
  if (exp?.kind !== 'func') throw new WasmNativeLinkError(`no function export "${name}"`);
  return funcTypeOf(mod, exp.index);
}

/** The type of function `index` in the function index space (imports first). */
export function funcTypeOf(mod: WasmModule, index: number): FuncType {
  const imported = mod.imports.filter((i) => i.kind === 'func');
  const entry = imported[index];
  const typeIndex = entry ? entry.typeIndex : mod.funcs[index - imported.length]?.typeIndex;
  const type = typeIndex === undefined ? undefined : mod.types[typeIndex];
  if (!type) throw new WasmNativeLinkError(`function index ${index} out of range`);
  return type;
}

function globalTypeOf(mod: WasmModule, index: number): GlobalType {
  const imported = mod.imports.filter((i) => i.kind === 'global');
  const type = imported[index]?.type ?? mod.globals[index - imported.length]?.type;
  if (!type) throw new WasmNativeLinkError(`global index ${index} out of range`);
  return type;
}

const formatFuncType = (t: FuncType): string =>
  `(${t.params.length} params) -> (${t.results.length} results)`;

// ---------------------------------------------------------------------------------------------
// Binary rewriting: export the memory (host functions need it, also during the start function)
// and run the start function ourselves after instantiation, so host ops in it see the memory.

const SECTION_EXPORT = 7;
const SECTION_START = 8;
const SECTION_MEMORY = 5;
/** canonical order of non-custom sections (datacount, id 12, sits between element and code) */
const SECTION_RANK: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  6: 6,
  7: 7,
  8: 8,
  9: 9,
  12: 10,
  10: 11,
  11: 12,
};
const EXPORT_KIND = { func: 0, table: 1, memory: 2, global: 3 } as const;

interface Rewritten {
  binary: Uint8Array;
  memoryExport?: string;
  startExport?: string;
}

/** Exported for tests. Returns the binary with memory (and start function) exported and no start section. */
export function rewriteForNative(bytes: Uint8Array, mod: WasmModule, maxMemoryPages = 65536): Rewritten {
  const memorySection = cappedMemorySection(mod, maxMemoryPages);
  const hasMemory = mod.memories.length > 0 || mod.imports.some((i) => i.kind === 'memory');
  const taken = new Set(mod.exports.map((e) => e.name));
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 0; taken.has(name); i++) name = `${base}${i}`;
    taken.add(name);
    return name;
  };
  const memoryExport = hasMemory ? fresh('__modex_memory') : undefined;
  const startExport = mod.start !== undefined ? fresh('__modex_start') : undefined;
  const exports: [string, number, number][] = mod.exports.map((e) => [e.name, EXPORT_KIND[e.kind], e.index]);
  if (memoryExport) exports.push([memoryExport, EXPORT_KIND.memory, 0]);
  if (startExport && mod.start !== undefined) exports.push([startExport, EXPORT_KIND.func, mod.start]);
  const exportSection = encodeSection(SECTION_EXPORT, encodeExports(exports));

  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  let pos = 8;
  let inserted = false;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, sizeLen] = readU32(bytes, pos + 1);
    const end = pos + 1 + sizeLen + size;
    if (!inserted && id !== 0 && (SECTION_RANK[id] ?? 0) >= SECTION_EXPORT) {
      out.push(exportSection);
      inserted = true;
    }
    if (id === SECTION_MEMORY && memorySection) out.push(memorySection);
    else if (id !== SECTION_EXPORT && id !== SECTION_START) out.push(bytes.subarray(pos, end));
    pos = end;
  }
  if (!inserted) out.push(exportSection);
  return { binary: Buffer.concat(out), memoryExport, startExport };
}

/** The memory section with its maximum capped at `maxPages` (undefined if the module defines no memory). */
function cappedMemorySection(mod: WasmModule, maxPages: number): Uint8Array | undefined {
  const mem = mod.memories[0];
  if (!mem) return undefined;
  const max = Math.min(mem.max ?? 65536, maxPages);
  if (mem.min > max) {
    throw new WasmNativeLinkError(
      `memory needs ${mem.min} initial pages, more than the limit of ${max} pages (limits.maxMemoryPages)`,
    );
  }
  const body = Buffer.concat([encodeU32(1), Uint8Array.of(0x01), encodeU32(mem.min), encodeU32(max)]);
  return encodeSection(SECTION_MEMORY, body);
}

function encodeExports(exports: [string, number, number][]): Uint8Array {
  const parts: Uint8Array[] = [encodeU32(exports.length)];
  for (const [name, kind, index] of exports) {
    const utf8 = new TextEncoder().encode(name);
    parts.push(encodeU32(utf8.length), utf8, Uint8Array.of(kind), encodeU32(index));
  }
  return Buffer.concat(parts);
}

function encodeSection(id: number, body: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.of(id), encodeU32(body.length), body]);
}

function encodeU32(n: number): Uint8Array {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return Uint8Array.from(out);
}

function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  let i = pos;
  for (;;) {
    const b = bytes[i++];
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [result, i - pos];
    shift += 7;
  }
}
