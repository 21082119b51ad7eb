/**
 * Level states from real execution (docs/dispute.md §3): the result of a block at level 0, and the
 * sampled machine hashes X_j of a step level, which `History` commits to.
 */
import { hashMachineFields, MachineCommitter, type MachineFields } from '../../vm/wasm/commit.ts';
import type { Word } from '../../vm/wasm/hash.ts';
import type { Program } from '../../vm/wasm/lower.ts';
import { type GlobalState, type HostData, Machine, Status } from '../../vm/wasm/machine.ts';
import { MAX_HISTORY_HEIGHT } from './history.ts';
import { cloneGlobalState, skipState } from './initial-machine.ts';

/** One block's execution (§3 `block(S)`). */
export interface BlockResult {
  /** the machine's status when it stopped or ran out of steps */
  status: Status;
  steps: number;
  /** the machine hash at the end (the end state of the first step level) */
  endMachineHash: Word;
  /** the end machine's fields, which `createSubchallengeEdge` takes (§4.1) */
  endFields: MachineFields;
  /** the global state after the block: the machine's if it Finished, else skip(S) */
  resultState: GlobalState;
}

/**
 * A committer positioned after `step` steps of the machine started fresh (§5) from `gs` (or at the
 * step where it stopped, if earlier). Runs the plain interpreter and commits once at the end.
 * Throws HostDataUnavailableError if the machine reads an inbox message or preimage `host` lacks.
 */
export function machineAt(prog: Program, gs: GlobalState, host: HostData, step: number): MachineCommitter {
  if (!Number.isSafeInteger(step) || step < 0)
    throw new RangeError(`step ${step} must be a non-negative integer`);
  const m = new Machine(prog, cloneGlobalState(gs), host);
  if (step > 0) m.run(step);
  return new MachineCommitter(m);
}

/**
 * §3 `block(S)`: runs the machine from initialMachine(S) for at most 2^maxStepsLog2 steps (the
 * sum of the step-level heights). Finished → its global state; Errored or still running → skip(S).
 */
export function blockResult(
  prog: Program,
  gs: GlobalState,
  host: HostData,
  maxStepsLog2: number,
): BlockResult {
  const c = machineAt(prog, gs, host, 2 ** maxStepsLog2);
  const endFields = c.fields();
  const m = c.m;
  return {
    status: m.status,
    steps: m.steps,
    endMachineHash: hashMachineFields(endFields),
    endFields,
    resultState: m.status === Status.Finished ? cloneGlobalState(m.globalState) : skipState(gs),
  };
}

/** Which states of a step level to sample: X_j = machine hash after base + j·2^strideLog2 steps. */
export interface LevelSpec {
  /** the step of X_0 (counted from the fresh machine) */
  base: number;
  /** log2 of the stride s_k (§3) */
  strideLog2: number;
  /** the level's height: j runs to at most 2^h */
  h: number;
}

/**
 * The states X_0, X_1, … of a step level (§3), up to X_{2^h} or until the machine stops: the last
 * entry is then the stopped machine's hash, and `History` pads with it (a stopped machine's hash no
 * longer changes). Runs to `base` on the plain interpreter, then commits once per stride.
 */
export function machineLevelStates(prog: Program, gs: GlobalState, host: HostData, spec: LevelSpec): Word[] {
  const { base, strideLog2, h } = spec;
  if (!Number.isInteger(h) || h < 0 || h > MAX_HISTORY_HEIGHT)
    throw new RangeError(`level height ${h} is out of range`);
  if (!Number.isInteger(strideLog2) || strideLog2 < 0)
    throw new RangeError(`stride exponent ${strideLog2} is out of range`);
  const c = machineAt(prog, gs, host, base);
  const stride = 2 ** strideLog2;
  const n = 2 ** h;
  const states = [c.hash()];
  for (let j = 1; j <= n && c.m.status === Status.Running; j++) {
    c.m.run(stride);
    states.push(c.hash());
  }
  return states;
}
