/**
 * The `wasm` execution VM (`vm.module: "wasm"`) as the registry's module (src/modules.ts): the
 * deterministic wasm machine behind the core `ExecutionVm` interface. `load` validates and lowers
 * an STF once (docs/machine.md §3–§4) and gives its module root; `execute` runs one inbox message
 * natively (native.ts); `createMachine` gives the step interpreter with commitments (machine.ts,
 * commit.ts) that disputes bisect and prove (proof.ts).
 *
 * A thin layer: it only adapts the machine's own API (numeric preimage kinds, Word hashes) to the
 * core types. The native runner and the interpreter must agree; `execute` reports the native run's
 * exact step count.
 */
import { bytesToHex } from 'viem';
import type { ChainConfig } from '../../config/types.ts';
import type { ModuleDefinition } from '../../core/module.ts';
import type { GlobalState, Hash32 } from '../../core/types.ts';
import type {
  ExecutionInput,
  ExecutionResult,
  ExecutionVm,
  LoadedProgram,
  MachineStatus,
  PreimageKind,
  SteppableMachine,
} from '../../core/vm.ts';
import { keccak256Hex } from '../../crypto/keccak.ts';
import { precompilePreimage } from '../../crypto/precompiles.ts';
import { MachineCommitter } from './commit.ts';
import { type HostData, type Machine, Status } from './machine.ts';
import { runNative, validateStf } from './native.ts';
import { compileProgram, moduleRootHex, newMachine } from './program.ts';
import { proveStep } from './proof.ts';

/** docs/machine.md §6: the machine's numeric preimage kinds served by the core oracle. */
const PREIMAGE_KIND: Record<number, PreimageKind> = { 0: 'keccak256', 1: 'blob-versioned-hash' };
/** docs/machine.md §6.3: kind 2, a precompile's result, computed from the key's keccak preimage. */
const PRECOMPILE_KIND = 2;

/** A program loaded by the wasm VM: the module bytes, validated once, and the lowered program. */
export interface WasmProgram extends LoadedProgram {
  readonly bytes: Uint8Array;
  readonly validated: ReturnType<typeof validateStf>;
  readonly program: ReturnType<typeof compileProgram>;
}

const copy = (gs: GlobalState): GlobalState => ({
  bytes32: [gs.bytes32[0].slice(), gs.bytes32[1].slice()],
  u64: [gs.u64[0], gs.u64[1]],
});

/**
 * The machine's host over the core oracle. `hints` collects what the run hints (keyed by hash): a
 * kind-2 read finds its key preimage `address ‖ input` there or in the oracle (docs/machine.md §6.3).
 */
function hostOf(input: ExecutionInput, hints = new Map<Hash32, Uint8Array>()): HostData {
  const results = new Map<Hash32, Uint8Array>();
  return {
    inboxMessage: (p) => (p === input.message.index ? input.message.data : undefined),
    preimage: (kind, hash) => {
      const h = bytesToHex(hash);
      if (kind === PRECOMPILE_KIND) {
        const known = results.get(h);
        if (known) return known;
        const keyPreimage = hints.get(h) ?? input.preimages.get('keccak256', h);
        const r = keyPreimage && precompilePreimage(keyPreimage);
        if (r) results.set(h, r);
        return r;
      }
      const k = PREIMAGE_KIND[kind];
      return k ? input.preimages.get(k, h) : undefined;
    },
    // `hash` is valid during the call only: hex-encoding copies it
    onPreimageHint: (bytes, hash) => hints.set(hash ? bytesToHex(hash) : keccak256Hex(bytes), bytes),
  };
}

const statusOf = (m: Machine): MachineStatus =>
  m.status === Status.Running ? 'running' : m.status === Status.Finished ? 'finished' : 'errored';

class WasmMachine implements SteppableMachine {
  private readonly c: MachineCommitter;
  constructor(readonly m: Machine) {
    this.c = new MachineCommitter(m);
  }
  get status(): MachineStatus {
    return statusOf(this.m);
  }
  get steps(): bigint {
    return BigInt(this.m.steps);
  }
  hash(): Hash32 {
    this.c.sync();
    return bytesToHex(this.c.hash());
  }
  step(count: bigint): bigint {
    const before = this.m.steps;
    this.m.run(Number(count));
    return BigInt(this.m.steps - before);
  }
  globalState(): GlobalState {
    return copy(this.m.globalState);
  }
  proveNextStep(): Hash32 {
    if (this.m.status !== Status.Running)
      throw new RangeError('the machine is not running: no next step to prove');
    this.c.sync();
    return bytesToHex(proveStep(this.c));
  }
}

/** The wasm machine as an `ExecutionVm`. */
export class WasmVm implements ExecutionVm {
  readonly name = 'wasm' as const;

  async load(program: Uint8Array, name: string): Promise<WasmProgram> {
    const validated = validateStf(program);
    const lowered = compileProgram(program);
    return { name, moduleRoot: moduleRootHex(lowered), bytes: program, validated, program: lowered };
  }

  async execute(program: LoadedProgram, input: ExecutionInput): Promise<ExecutionResult> {
    const p = program as WasmProgram;
    const newPreimages = new Map<Hash32, Uint8Array>();
    const host = hostOf(input, newPreimages);
    const r = runNative(
      { bytes: p.bytes, module: p.validated },
      {
        inbox: input.message.data,
        preimages: host.preimage,
        globalState: copy(input.preState),
        onPreimageHint: host.onPreimageHint,
      },
    );
    return { status: r.status, postState: r.globalState, steps: BigInt(r.steps), newPreimages };
  }

  async createMachine(program: LoadedProgram, input: ExecutionInput): Promise<SteppableMachine> {
    const p = program as WasmProgram;
    return new WasmMachine(newMachine(p.program, copy(input.preState), hostOf(input)));
  }
}

/** The registry entry (src/modules.ts). */
export const wasmVmModule = {
  layer: 'vm',
  name: 'wasm',
  status: 'implemented',
  summary: 'deterministic wasm machine: native runner, step interpreter, one-step proofs',
  check: () => [],
  create: () => new WasmVm(),
} as const satisfies ModuleDefinition<'vm', ChainConfig, unknown, ExecutionVm>;
