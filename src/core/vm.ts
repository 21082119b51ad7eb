/**
 * The execution VM layer: turns (pre-state, inbox message) into a post-state. The same STF
 * program must give the same result on every path (native, step interpreter, on-chain one-step
 * verifier). Implementations: wasm (in progress); later evm (as a wasm guest), mips.
 */
import type { GlobalState, Hash32, Hex, InboxMessage, VmModuleName } from './types.ts';

/** Kinds of preimages the STF may request (chain state is reached only through preimages). */
export type PreimageKind = 'keccak256' | 'sha256' | 'blob-versioned-hash';

/** Answers the STF's preimage requests. Must be deterministic: the same hash always yields the same bytes. */
export interface PreimageOracle {
  /** The preimage of `hash`, or undefined when unknown (the VM then errors deterministically). */
  get(kind: PreimageKind, hash: Hash32): Uint8Array | undefined;
}

/** Everything one STF execution depends on. Nothing else may influence the result. */
export interface ExecutionInput {
  /** Global state before the message: inbox position must equal `message.index`. */
  preState: GlobalState;
  message: InboxMessage;
  preimages: PreimageOracle;
}

/** Why a machine stopped. `errored` is a valid, provable outcome (e.g. trap in the guest). */
export type MachineStatus = 'running' | 'finished' | 'errored' | 'too-far';

/** The result of executing one message. */
export interface ExecutionResult {
  status: Exclude<MachineStatus, 'running'>;
  postState: GlobalState;
  /** Number of machine steps taken (the interpreter's count; native runs may compute it lazily or report -1n). */
  steps: bigint;
  /** Preimages created by the execution (new state nodes), keyed by hash, for the node's store. */
  newPreimages?: Map<Hash32, Uint8Array>;
}

/** A loaded, validated STF program. */
export interface LoadedProgram {
  /** Identifies the STF on the settlement layer (wasm: Merkle root over the lowered instructions). */
  moduleRoot: Hash32;
  /** Human-readable name (e.g. the app name "token"). */
  name: string;
}

/**
 * A step-able machine over one execution, used in disputes. Deterministic: the same input and
 * step count always give the same hash.
 */
export interface SteppableMachine {
  readonly status: MachineStatus;
  /** Steps executed so far. */
  readonly steps: bigint;
  /** One hash committing to the entire machine state (pc, stacks, memory, globals, status). */
  hash(): Hash32;
  /** Run up to `count` more steps; stops early when the machine finishes or errors. Returns steps taken. */
  step(count: bigint): bigint;
  /** The current global state (meaningful for the settlement layer once finished). */
  globalState(): GlobalState;
  /**
   * Serialised proof of the next step: everything the on-chain one-step verifier needs to compute
   * the post-step hash from `hash()`. Throws if the machine is not running.
   */
  proveNextStep(): Hex;
}

/** The execution VM module. */
export interface ExecutionVm {
  readonly name: VmModuleName;
  /**
   * Validate and prepare an STF binary. Throws a ModexError naming the offending function and
   * instruction when the program uses something the machine cannot prove.
   */
  load(program: Uint8Array, name: string): Promise<LoadedProgram>;
  /** Fast path (sequencer, validators): execute one message natively. Must agree with `createMachine`. */
  execute(program: LoadedProgram, input: ExecutionInput): Promise<ExecutionResult>;
  /** Slow path (disputes): a machine positioned at step 0 of the same execution. */
  createMachine(program: LoadedProgram, input: ExecutionInput): Promise<SteppableMachine>;
}
