/**
 * A validator's claim about the assertion that follows a given one (docs/dispute.md §3): the
 * block-level history, and on demand the step-level histories, end machines and one-step proofs
 * of its blocks. `HonestClaim` computes them by executing the STF in the machine interpreter;
 * `LyingClaim` is an honest claim with a wrong state from one block on (tests, benches and the
 * devnet's fraud scenario use it to play a dishonest validator).
 */
import { bytesToHex, type Hex } from 'viem';
import { ModexError } from '../../core/errors.ts';
import { commitModule, globalStateHash, machineFieldWords } from '../../vm/wasm/commit.ts';
import { keccak, type Word } from '../../vm/wasm/hash.ts';
import type { Program } from '../../vm/wasm/lower.ts';
import type { GlobalState, HostData } from '../../vm/wasm/machine.ts';
import { proveStep } from '../../vm/wasm/proof.ts';
import { History } from './history.ts';
import { cloneGlobalState } from './initial-machine.ts';
import { type BlockResult, blockResult, machineAt, machineLevelStates } from './machine-history.ts';

/** What executing the chain needs: the STF, the level heights (§1) and the host data. */
export interface ExecutionContext {
  prog: Program;
  /** heights[0]: block level; heights[1..]: step levels */
  heights: number[];
  /** inbox messages by position, preimages */
  host: HostData;
}

/**
 * The part of a preimage a `preimage_read` step reads (docs/machine.md §6, §7.5): the oracle must
 * answer `readPreimage(kind, hash, offset)` on L1 before the step's one-step proof is sent.
 */
export interface PreimagePart {
  /**
   * preimage kind: 0 keccak256, 1 EIP-4844 blob (hash = versioned hash), 2 precompile result
   * (hash = keccak256(address ‖ input))
   */
  kind: number;
  hash: Hex;
  /** the byte offset the step reads from (up to 32 bytes) */
  offset: number;
  /**
   * the whole preimage (the 131,072-byte blob for kind 1), from which the part is loaded; for kind 2
   * the key's keccak preimage `address ‖ input`, from which L1 computes the result (machine.md §6.3)
   */
  preimage: Uint8Array;
}

/** Data a one-step proof needs on L1 before it can be checked (machine.md §6). */
export interface StepNeeds {
  /** the step reads the inbox message at this position: it must be merkleized */
  inboxPosition?: bigint;
  /** the step reads this part of a preimage: it must be loaded in the preimage oracle */
  preimage?: PreimagePart;
}

export interface Claim {
  readonly ctx: ExecutionContext;
  /** number of real blocks (inbox messages) of the assertion */
  readonly blockCount: number;
  /** S_i as a global state, i in [0, blockCount] */
  blockState(i: number): GlobalState;
  /** the claimed end state (what the assertion posts) */
  endState(): GlobalState;
  /** the level-0 history over stateHash(S_i) */
  level0(): History;
  /** the end machine of block i (the 7 words of machine.md §4.6) */
  endMachineWords(block: number): Hex[];
  /** the level-k (k ≥ 1) history of block i inside the range starting at machine step `base` */
  stepHistory(block: number, level: number, base: number): History;
  /** a one-step proof of step `step` of block i, and what it reads */
  proveStep(block: number, step: number): { proof: Uint8Array; needs: StepNeeds };
}

/** The interpreter's run of a block disagrees with the state a node computed natively for it. */
export class ClaimMismatchError extends ModexError {
  constructor(readonly block: number) {
    super(
      'PROOF_NATIVE_INTERPRETER_MISMATCH',
      `block ${block}: the interpreter reaches a different global state than the native run; ` +
        'the node and the machine disagree (a determinism bug): report it with the block',
    );
  }
}

const HOST_OP = 10;
const INBOX_READ = 0;
const PREIMAGE_READ = 1;

/** log2 of the steps one leaf of level k covers: heights[k+1] + … */
export function strideLog2(heights: number[], level: number): number {
  return heights.slice(level + 1).reduce((a, b) => a + b, 0);
}

export class HonestClaim implements Claim {
  readonly blockCount: number;
  private readonly states: GlobalState[];
  private readonly results: BlockResult[] = [];
  private readonly stepHistories = new Map<string, History>();
  private l0?: History;

  /**
   * The claim about the `blockCount` messages that follow `start`. Without `knownStates` every
   * block runs in the interpreter now; with them (the global states after each block, from a node
   * that executed natively: knownStates[i] after block i) a block runs in the interpreter only
   * when a dispute needs its machine history, and must then reach the same state.
   */
  constructor(
    readonly ctx: ExecutionContext,
    start: GlobalState,
    blockCount: number,
    knownStates?: GlobalState[],
  ) {
    this.blockCount = blockCount;
    this.states = [cloneGlobalState(start)];
    if (knownStates) {
      if (knownStates.length < blockCount)
        throw new RangeError(`${blockCount} block states needed, got ${knownStates.length}`);
      for (let i = 0; i < blockCount; i++) this.states.push(cloneGlobalState(knownStates[i]));
    } else {
      for (let i = 0; i < blockCount; i++) this.states.push(this.result(i).resultState);
    }
  }

  /** the interpreter's run of block i (from S_i) */
  private result(block: number): BlockResult {
    let r = this.results[block];
    if (!r) {
      r = blockResult(this.ctx.prog, this.states[block], this.ctx.host, strideLog2(this.ctx.heights, 0));
      this.results[block] = r;
      const known = this.states[block + 1];
      if (known && globalStateHash(known).join() !== globalStateHash(r.resultState).join()) {
        throw new ClaimMismatchError(block);
      }
    }
    return r;
  }

  blockState(i: number): GlobalState {
    return this.states[Math.min(i, this.blockCount)];
  }

  endState(): GlobalState {
    return this.blockState(this.blockCount);
  }

  /** machine steps block i ran */
  steps(block: number): number {
    return this.result(block).steps;
  }

  level0(): History {
    this.l0 ??= new History(
      this.ctx.heights[0],
      this.states.map((s) => globalStateHash(s)),
    );
    return this.l0;
  }

  endMachineWords(block: number): Hex[] {
    return machineFieldWords(this.result(block).endFields).map((w) => bytesToHex(w));
  }

  stepHistory(block: number, level: number, base: number): History {
    const key = `${block}/${level}/${base}`;
    let h = this.stepHistories.get(key);
    if (!h) {
      const { prog, heights, host } = this.ctx;
      const states = machineLevelStates(prog, this.states[block], host, {
        base,
        strideLog2: strideLog2(heights, level),
        h: heights[level],
      });
      h = new History(heights[level], states);
      this.stepHistories.set(key, h);
    }
    return h;
  }

  proveStep(block: number, step: number): { proof: Uint8Array; needs: StepNeeds } {
    const c = machineAt(this.ctx.prog, this.states[block], this.ctx.host, step);
    const m = c.m;
    const needs: StepNeeds = {};
    if (m.status === 0 && m.prog.ops[m.pc] === HOST_OP) {
      const id = m.prog.immLo[m.pc];
      if (id === INBOX_READ) needs.inboxPosition = m.globalState.u64[0];
      if (id === PREIMAGE_READ && m.sp >= 4) {
        // preimage_read(kind, hashPtr, offset, ptr): the arguments are the top four stack values
        const kind = m.stackLo[m.sp - 4] >>> 0;
        const ptr = m.stackLo[m.sp - 3] >>> 0;
        const offset = m.stackLo[m.sp - 2] >>> 0;
        const hash = m.memory.slice(ptr, ptr + 32);
        // kind 2: what L1 needs is the key's keccak preimage address ‖ input (machine.md §6.3)
        const preimage = hash.length === 32 ? this.ctx.host.preimage(kind === 2 ? 0 : kind, hash) : undefined;
        if (preimage) needs.preimage = { kind, hash: bytesToHex(hash), offset, preimage };
      }
    }
    return { proof: proveStep(c), needs };
  }
}

/**
 * A dishonest claim: honest up to block `fromBlock`, then every state has a wrong state root. Its
 * lie in block `fromBlock` is the end machine (Finished, with the wrong global state), reached by
 * the honest machine history except its last state: the dispute ends at the block's last step.
 * With `fromBlock = blockCount` every real block is honest and the lie is in the padding after
 * them (a wrong end state reached by an "empty" block): the dispute ends with a padding proof.
 */
export class LyingClaim implements Claim {
  readonly ctx: ExecutionContext;
  readonly blockCount: number;
  private l0?: History;

  constructor(
    private readonly honest: HonestClaim,
    private readonly fromBlock: number,
    private readonly tag = 'modex: a lie',
  ) {
    if (fromBlock < 0 || fromBlock > honest.blockCount) throw new RangeError('lie outside the assertion');
    this.ctx = honest.ctx;
    this.blockCount = honest.blockCount;
  }

  blockState(i: number): GlobalState {
    const s = cloneGlobalState(this.honest.blockState(i));
    if (i > this.fromBlock) s.bytes32[0] = this.corrupt(s.bytes32[0]);
    return s;
  }

  private corrupt(root: Word): Word {
    return keccak(new Uint8Array([...new TextEncoder().encode(this.tag), ...root]));
  }

  endState(): GlobalState {
    const s = this.blockState(this.blockCount);
    if (this.fromBlock === this.blockCount) s.bytes32[0] = this.corrupt(s.bytes32[0]);
    return s;
  }

  level0(): History {
    if (!this.l0) {
      const states: Word[] = [];
      for (let i = 0; i <= this.blockCount; i++) states.push(globalStateHash(this.blockState(i)));
      if (this.fromBlock === this.blockCount) states.push(globalStateHash(this.endState()));
      this.l0 = new History(this.ctx.heights[0], states);
    }
    return this.l0;
  }

  private fakeEndFields(block: number) {
    const honestEnd = this.honest.endMachineWords(block);
    if (block !== this.fromBlock) return honestEnd;
    const words = [...honestEnd];
    // Finished, with the lying global state
    const scalars = (BigInt(words[0]) & ~(0xffn << 192n)) | (1n << 192n);
    words[0] = `0x${scalars.toString(16).padStart(64, '0')}`;
    words[6] = bytesToHex(globalStateHash(this.blockState(block + 1)));
    return words;
  }

  endMachineWords(block: number): Hex[] {
    return this.fakeEndFields(block);
  }

  stepHistory(block: number, level: number, base: number): History {
    const h = this.honest.stepHistory(block, level, base);
    if (block !== this.fromBlock) return h;
    const states = [...h.realStates];
    // the honest history stopped (its last distinct state is the end machine) inside this range:
    // replace that state with the lying end machine
    const honestEnd = keccakWords(this.honest.endMachineWords(block));
    const last = states[states.length - 1];
    if (bytesToHex(last) === bytesToHex(honestEnd)) {
      states[states.length - 1] = keccakWords(this.fakeEndFields(block));
    }
    return new History(h.h, states);
  }

  proveStep(block: number, step: number): { proof: Uint8Array; needs: StepNeeds } {
    return this.honest.proveStep(block, step);
  }
}

function keccakWords(words: Hex[]): Word {
  const out = new Uint8Array(words.length * 32);
  words.forEach((w, i) => {
    out.set(Buffer.from(w.slice(2), 'hex'), i * 32);
  });
  return keccak(out);
}

/** The module fields (5 words) of a program, as hex for the challenge manager's constructor. */
export function moduleFieldsHex(prog: Program): Hex[] {
  return commitModule(prog).fields.map((w) => bytesToHex(w));
}
