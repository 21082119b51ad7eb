/**
 * The step interpreter (docs/machine.md §2 "State", §3 "Instruction set").
 *
 * Opcode numbers are literals in the run loop (so V8 compiles the switch to a jump table);
 * `isa.test.ts` checks them against `isa.ts`.
 *
 * Executes a lowered `Program` one instruction per step over the full machine state: pc, value
 * stack, call frames with locals, globals, linear memory, status and the global state that links
 * the machine to the chain. Every trap moves the machine to Errored deterministically: a trapping
 * step changes only `status` and `steps` (§3.6). The run loop keeps the bookkeeping that makes
 * commitments incremental (`commit.ts`): a low-water mark of the value stack and of the frame
 * stack, dirty memory leaves and a dirty flag for globals.
 */
import { ModexError } from '../../core/errors.ts';
import type { GlobalState } from '../../core/types.ts';
import { ecrecoverWord, HOST_FUNCS, keccak256Of64 } from './host-abi.ts';
import {
  ctz32,
  divrem64,
  hi64,
  mul64,
  popcnt32,
  rotl64,
  rotr64,
  shl64,
  shrS64,
  shrU64,
  toU64,
} from './i64.ts';
import type { Program } from './lower.ts';

export const Status = { Running: 0, Finished: 1, Errored: 2 } as const;
export type Status = (typeof Status)[keyof typeof Status];

export const PAGE_SIZE = 65536;
export const LEAF_SIZE = 32;

/** The chain-facing global state (§2.3): two 32-byte fields and two u64 fields. */
/** The one global-state type (src/core/types.ts): [stateRoot, sendRoot], [inboxPosition, positionInMessage]. */
export type { GlobalState } from '../../core/types.ts';

export function emptyGlobalState(): GlobalState {
  return { bytes32: [new Uint8Array(32), new Uint8Array(32)], u64: [0n, 0n] };
}

/** Where host I/O gets its data from. Not part of the machine state: fixed by L1 and the preimage oracle. */
/**
 * §6 `preimage_read`: the end (exclusive) of the chunk read at `offset` of a preimage of `length`
 * bytes: 32 bytes, but a kind-1 (blob) read never crosses a 32-byte field element, as the L1 oracle
 * proves one element at a time (docs/blob.md).
 */
export function preimageChunkEnd(kind: number, offset: number, length: number): number {
  const end = kind === 1 ? (Math.floor(offset / 32) + 1) * 32 : offset + 32;
  return Math.max(Math.min(end, length), Math.min(offset, length));
}

export interface HostData {
  /** the inbox message at a given inbox position, or undefined if there is none (yet) */
  inboxMessage(position: bigint): Uint8Array | undefined;
  /** the preimage of a 32-byte hash, of a preimage kind (0 = keccak256) */
  preimage(kind: number, hash: Uint8Array): Uint8Array | undefined;
  /** `hint_preimage` (§6): the guest offers these bytes as a keccak preimage (a copy; in-bounds ranges only) */
  /** `hash`, when given, is keccak256(bytes) (the native runner passes it when it just computed it) */
  onPreimageHint?: (bytes: Uint8Array, hash?: Uint8Array) => void;
}

export const NO_HOST_DATA: HostData = { inboxMessage: () => undefined, preimage: () => undefined };

/** A host op needs data the node does not have (an inbox message not yet posted, an unknown preimage). */
export class HostDataUnavailableError extends ModexError {
  constructor(message: string) {
    super('MACHINE_HOST_DATA_UNAVAILABLE', message);
  }
}

/** Trap reasons, for diagnostics (not committed). */
export type TrapReason =
  | 'unreachable'
  | 'integer divide by zero'
  | 'integer overflow'
  | 'out of bounds memory access'
  | 'out of bounds data access'
  | 'undefined element'
  | 'out of bounds table access'
  | 'invalid conversion to integer'
  | 'uninitialized element'
  | 'indirect call type mismatch'
  | 'call stack exhausted'
  | 'value stack exhausted'
  | 'step limit reached'
  | 'return without frame'
  | 'bad global-state index'
  | 'unaligned preimage hash pointer'
  | 'unaligned host pointer'
  | 'nested metered call'
  | 'halt in a metered call';

/** §3.7: what a metered call returns when its callee trapped / ran out of its budget */
export const METERED_TRAPPED = -1;
export const METERED_OUT_OF_STEPS = -2;
const U64_MAX = (1n << 64n) - 1n;

export class Machine {
  readonly prog: Program;
  host: HostData;
  status: Status = Status.Running;
  trap: TrapReason | undefined;
  pc = 0;
  /** steps taken so far */
  steps = 0;
  // value stack: slot i holds (lo[i], hi[i]); i32 values have hi = 0
  stackLo: Int32Array;
  stackHi: Int32Array;
  sp = 0;
  // frames: return pc, locals base, number of locals
  frameRet: Int32Array;
  frameBase: Int32Array;
  frameNum: Int32Array;
  fp = 0;
  localsLo: Int32Array;
  localsHi: Int32Array;
  /** first free locals slot */
  lp = 0;
  globalsLo: Int32Array;
  globalsHi: Int32Array;
  memory: Uint8Array;
  view: DataView;
  pages: number;
  globalState: GlobalState;

  // ---- the active metered call (§3.7): committed in the machine hash while `meterActive`
  meterActive = false;
  /** the step count at which the budget is exhausted (u64, saturated) */
  meterLimit = 0n;
  /** pc after the metered_call, where an unwind resumes */
  meterRetPc = 0;
  /** value-stack height at the call (below its three operands) */
  meterSp = 0;
  /** frame depth at the call */
  meterFp = 0;
  /** diagnostics (not committed): how the last metered call ended and, for a trap, why */
  lastMeterTrap: TrapReason | 'out of steps' | undefined;

  // ---- commitment bookkeeping (read and reset by commit.ts)
  /** stack hashes for heights <= stackValid are unchanged since the last commitment */
  stackValid = 0;
  /** frame-chain hashes for depths <= frameValid are unchanged since the last commitment */
  frameValid = 0;
  globalsDirty = true;
  globalStateDirty = true;
  /** one flag per memory leaf, and the list of flagged leaves */
  leafDirty: Uint8Array;
  dirtyLeaves: number[] = [];
  /** set when memory grew since the last commitment (commit.ts resizes its tree) */
  memoryGrew = false;

  private readonly maxSteps: number;

  constructor(prog: Program, globalState: GlobalState = emptyGlobalState(), host: HostData = NO_HOST_DATA) {
    this.prog = prog;
    this.host = host;
    this.globalState = globalState;
    const stackCap = Math.min(prog.limits.maxStackHeight, 1024);
    this.stackLo = new Int32Array(stackCap);
    this.stackHi = new Int32Array(stackCap);
    const frameCap = Math.min(prog.limits.maxFrames, 256);
    this.frameRet = new Int32Array(frameCap);
    this.frameBase = new Int32Array(frameCap);
    this.frameNum = new Int32Array(frameCap);
    this.localsLo = new Int32Array(1024);
    this.localsHi = new Int32Array(1024);
    this.globalsLo = new Int32Array(prog.numGlobals);
    this.globalsHi = new Int32Array(prog.numGlobals);
    this.pages = prog.initialPages;
    this.memory = new Uint8Array(this.pages * PAGE_SIZE);
    this.view = new DataView(this.memory.buffer);
    this.leafDirty = new Uint8Array((this.pages * PAGE_SIZE) / LEAF_SIZE);
    this.maxSteps = Number(
      prog.limits.maxSteps > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : prog.limits.maxSteps,
    );
  }

  /** Runs at most `maxSteps` steps (or until the machine stops). Returns the number of steps taken. */
  run(maxSteps = Number.MAX_SAFE_INTEGER): number {
    if (this.status !== Status.Running) return 0;
    const start = this.steps;
    let left = maxSteps;
    // a segment ends at each metered call's entry and exit (its budget changes the step limit)
    while (left > 0 && this.status === Status.Running) left -= this.runSegment(left);
    return this.steps - start;
  }

  private runSegment(maxSteps: number): number {
    const start = this.steps;
    const ops = this.prog.ops;
    const immLo = this.prog.immLo;
    const immHi = this.prog.immHi;
    let sLo = this.stackLo;
    let sHi = this.stackHi;
    const gLo = this.globalsLo;
    const gHi = this.globalsHi;
    let lLo = this.localsLo;
    let lHi = this.localsHi;
    let mem = this.memory;
    let view = this.view;
    let memSize = mem.length;
    let leafDirty = this.leafDirty;
    const dirtyLeaves = this.dirtyLeaves;
    let pc = this.pc;
    let sp = this.sp;
    let low = this.stackValid;
    let fp = this.fp;
    let lb = fp > 0 ? this.frameBase[fp - 1] : 0;
    const remaining = this.maxSteps - this.steps;
    // steps left in the active metered call's budget (§3.7)
    const meterLeft = this.meterActive ? Number(this.meterLimit) - this.steps : Number.POSITIVE_INFINITY;
    const mFp = this.meterActive ? this.meterFp : -1;
    let budget = Math.min(maxSteps, remaining, meterLeft);
    /** set when a metered call was entered or returned from: the segment ends after that step */
    let meterEvent = false;
    let fLow = this.frameValid;
    let executed = 0;
    let trap: TrapReason | undefined;
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let ea = 0;

    loop: while (budget > 0) {
      budget--;
      executed++;
      const op = ops[pc];
      switch (op) {
        case 0 /* unreachable */:
          trap = this.prog.trapAt?.get(pc) ?? 'unreachable';
          break loop;
        case 1 /* nop */:
          pc++;
          break;
        case 2 /* jump */:
          pc = immLo[pc];
          break;
        case 3 /* jump_if */:
          sp--;
          pc = sLo[sp] !== 0 ? immLo[pc] : pc + 1;
          break;
        case 4 /* jump_if_zero */:
          sp--;
          pc = sLo[sp] === 0 ? immLo[pc] : pc + 1;
          break;
        case 5 /* br_table */:
          {
            a = sLo[sp - 1] >>> 0;
            b = immLo[pc];
            sp--;
            pc = pc + 1 + Math.min(a, b);
            break;
          }
        case 109 /* metered_call */:
        case 7 /* call_indirect */:
        case 6 /* call */:
          {
            let entry: number;
            let nLoc: number;
            let maxH: number;
            let callSp = sp;
            if (op === 6 /* call */) {
              entry = immLo[pc];
              nLoc = immHi[pc] & 0xffff;
              maxH = immHi[pc] >>> 16;
            } else {
              if (op === 109 /* metered_call */ && this.meterActive) {
                trap = 'nested metered call';
                break loop;
              }
              // metered_call pops (tableIndex, arg, budget) and enters with arg as the parameter
              const idx = (op === 109 /* metered_call */ ? sLo[sp - 3] : sLo[sp - 1]) >>> 0;
              const table = this.prog.table;
              if (idx >= table.length) {
                trap = 'undefined element';
                break loop;
              }
              const f = table[idx];
              if (f < 0) {
                trap = 'uninitialized element';
                break loop;
              }
              const fi = this.prog.funcs[f];
              if (fi.typeId !== immLo[pc]) {
                trap = 'indirect call type mismatch';
                break loop;
              }
              entry = fi.entryPc;
              nLoc = fi.numLocals;
              maxH = fi.maxHeight;
              callSp = op === 109 /* metered_call */ ? sp - 2 : sp - 1;
            }
            if (fp >= this.prog.limits.maxFrames) {
              trap = 'call stack exhausted';
              break loop;
            }
            if (callSp + maxH > this.prog.limits.maxStackHeight) {
              trap = 'value stack exhausted';
              break loop;
            }
            if (op === 109 /* metered_call */) {
              const b = toU64(sLo[sp - 1], sHi[sp - 1]);
              const limit = BigInt(this.steps + executed) + b;
              this.meterActive = true;
              this.meterLimit = limit > U64_MAX ? U64_MAX : limit;
              this.meterRetPc = pc + 1;
              this.meterSp = sp - 3;
              this.meterFp = fp;
              sLo[sp - 3] = sLo[sp - 2];
              sHi[sp - 3] = sHi[sp - 2];
              if (sp - 3 < low) low = sp - 3;
              meterEvent = true;
            }
            sp = callSp;
            if (fp < fLow) fLow = fp;
            if (fp >= this.frameRet.length) this.growFrames();
            if (sp + maxH > sLo.length) {
              this.sp = sp;
              this.growStack(sp + maxH);
              sLo = this.stackLo;
              sHi = this.stackHi;
            }
            const base = fp > 0 ? this.frameBase[fp - 1] + this.frameNum[fp - 1] : 0;
            if (base + nLoc > lLo.length) {
              this.growLocals(base + nLoc);
              lLo = this.localsLo;
              lHi = this.localsHi;
            }
            lLo.fill(0, base, base + nLoc);
            lHi.fill(0, base, base + nLoc);
            this.frameRet[fp] = pc + 1;
            this.frameBase[fp] = base;
            this.frameNum[fp] = nLoc;
            fp++;
            lb = base;
            pc = entry;
            if (meterEvent) break loop;
            break;
          }
        case 8 /* return */:
          if (fp === 0) {
            trap = 'return without frame';
            break loop;
          }
          fp--;
          if (fp < fLow) fLow = fp;
          pc = this.frameRet[fp];
          lb = fp > 0 ? this.frameBase[fp - 1] : 0;
          if (fp === mFp) {
            // the metered call's callee returned: its result stays on the stack (§3.7)
            this.meterActive = false;
            this.lastMeterTrap = undefined;
            meterEvent = true;
            break loop;
          }
          break;
        case 9 /* halt */:
          this.status = Status.Finished;
          break loop;
        case 10 /* host */:
          {
            this.pc = pc;
            this.sp = sp;
            this.fp = fp;
            this.stackValid = Math.max(low, 0);
            this.frameValid = fLow;
            let r: TrapReason | undefined;
            try {
              r = this.hostOp(immLo[pc]);
            } catch (e) {
              // host data unavailable: the state stays before this step, so the run can resume
              this.steps += executed - 1;
              throw e;
            }
            if (r !== undefined) {
              trap = r;
              break loop;
            }
            if (this.status !== Status.Running) break loop;
            sp = this.sp;
            low = this.stackValid;
            mem = this.memory;
            view = this.view;
            leafDirty = this.leafDirty;
            pc++;
            break;
          }
        case 11 /* drop */:
          sp--;
          pc++;
          break;
        case 12 /* drop_under */:
          {
            // remove the value below the top `keep` values
            const keep = immLo[pc];
            const at = sp - 1 - keep;
            sLo.copyWithin(at, at + 1, sp);
            sHi.copyWithin(at, at + 1, sp);
            sp--;
            if (at < low) low = at;
            pc++;
            break;
          }
        case 13 /* select */:
          sp -= 2;
          if (sLo[sp + 1] === 0) {
            sLo[sp - 1] = sLo[sp];
            sHi[sp - 1] = sHi[sp];
          }
          pc++;
          break;
        case 14 /* local.get */:
          a = lb + immLo[pc];
          sLo[sp] = lLo[a];
          sHi[sp] = lHi[a];
          sp++;
          pc++;
          break;
        case 15 /* local.set */:
          sp--;
          a = lb + immLo[pc];
          lLo[a] = sLo[sp];
          lHi[a] = sHi[sp];
          if (fp - 1 < fLow) fLow = fp - 1;
          pc++;
          break;
        case 16 /* local.tee */:
          a = lb + immLo[pc];
          lLo[a] = sLo[sp - 1];
          lHi[a] = sHi[sp - 1];
          if (fp - 1 < fLow) fLow = fp - 1;
          pc++;
          break;
        case 17 /* global.get */:
          a = immLo[pc];
          sLo[sp] = gLo[a];
          sHi[sp] = gHi[a];
          sp++;
          pc++;
          break;
        case 18 /* global.set */:
          sp--;
          a = immLo[pc];
          gLo[a] = sLo[sp];
          gHi[a] = sHi[sp];
          this.globalsDirty = true;
          pc++;
          break;
        case 19 /* i32.const */:
          sLo[sp] = immLo[pc];
          sHi[sp] = 0;
          sp++;
          pc++;
          break;
        case 20 /* i64.const */:
          sLo[sp] = immLo[pc];
          sHi[sp] = immHi[pc];
          sp++;
          pc++;
          break;

        // ---- loads: effective address = u32 base + u32 offset, checked against the memory size
        case 21 /* i32.load */:
          ea = (sLo[sp - 1] >>> 0) + (immLo[pc] >>> 0);
          if (ea + 4 > memSize) {
            trap = 'out of bounds memory access';
            break loop;
          }
          sLo[sp - 1] = view.getInt32(ea, true);
          pc++;
          break;
        case 22 /* i64.load */:
          ea = (sLo[sp - 1] >>> 0) + (immLo[pc] >>> 0);
          if (ea + 8 > memSize) {
            trap = 'out of bounds memory access';
            break loop;
          }
          sLo[sp - 1] = view.getInt32(ea, true);
          sHi[sp - 1] = view.getInt32(ea + 4, true);
          pc++;
          break;
        case 23 /* i32.load8_s */:
        case 24 /* i32.load8_u */:
        case 27 /* i64.load8_s */:
        case 28 /* i64.load8_u */:
          ea = (sLo[sp - 1] >>> 0) + (immLo[pc] >>> 0);
          if (ea + 1 > memSize) {
            trap = 'out of bounds memory access';
            break loop;
          }
          if (op === 23 /* i32.load8_s */ || op === 27 /* i64.load8_s */) {
            a = view.getInt8(ea);
            sLo[sp - 1] = a;
            sHi[sp - 1] = op === 27 /* i64.load8_s */ ? a >> 31 : 0;
          } else {
            sLo[sp - 1] = mem[ea];
            sHi[sp - 1] = 0;
          }
          pc++;
          break;
        case 25 /* i32.load16_s */:
        case 26 /* i32.load16_u */:
        case 29 /* i64.load16_s */:
        case 30 /* i64.load16_u */:
          ea = (sLo[sp - 1] >>> 0) + (immLo[pc] >>> 0);
          if (ea + 2 > memSize) {
            trap = 'out of bounds memory access';
            break loop;
          }
          if (op === 25 /* i32.load16_s */ || op === 29 /* i64.load16_s */) {
            a = view.getInt16(ea, true);
            sLo[sp - 1] = a;
            sHi[sp - 1] = op === 29 /* i64.load16_s */ ? a >> 31 : 0;
          } else {
            sLo[sp - 1] = view.getUint16(ea, true);
            sHi[sp - 1] = 0;
          }
          pc++;
          break;
        case 31 /* i64.load32_s */:
        case 32 /* i64.load32_u */:
          ea = (sLo[sp - 1] >>> 0) + (immLo[pc] >>> 0);
          if (ea + 4 > memSize) {
            trap = 'out of bounds memory access';
            break loop;
          }
          a = view.getInt32(ea, true);
          sLo[sp - 1] = a;
          sHi[sp - 1] = op === 31 /* i64.load32_s */ ? a >> 31 : 0;
          pc++;
          break;

        // ---- stores: mark the touched leaves dirty
        case 33 /* i32.store */:
        case 34 /* i64.store */:
        case 35 /* i32.store8 */:
        case 36 /* i32.store16 */:
        case 37 /* i64.store8 */:
        case 38 /* i64.store16 */:
        case 39 /* i64.store32 */:
          {
            const w =
              op === 34 /* i64.store */
                ? 8
                : op === 35 /* i32.store8 */ || op === 37 /* i64.store8 */
                  ? 1
                  : op === 36 /* i32.store16 */ || op === 38 /* i64.store16 */
                    ? 2
                    : 4;
            ea = (sLo[sp - 2] >>> 0) + (immLo[pc] >>> 0);
            if (ea + w > memSize) {
              trap = 'out of bounds memory access';
              break loop;
            }
            a = sLo[sp - 1];
            if (w === 4) view.setInt32(ea, a, true);
            else if (w === 1) mem[ea] = a;
            else if (w === 2) view.setInt16(ea, a, true);
            else {
              view.setInt32(ea, a, true);
              view.setInt32(ea + 4, sHi[sp - 1], true);
            }
            b = ea >>> 5;
            if (leafDirty[b] === 0) {
              leafDirty[b] = 1;
              dirtyLeaves.push(b);
            }
            b = (ea + w - 1) >>> 5;
            if (leafDirty[b] === 0) {
              leafDirty[b] = 1;
              dirtyLeaves.push(b);
            }
            sp -= 2;
            pc++;
            break;
          }
        case 40 /* memory.size */:
          sLo[sp] = this.pages;
          sHi[sp] = 0;
          sp++;
          pc++;
          break;
        case 41 /* memory.grow */:
          {
            a = sLo[sp - 1] >>> 0;
            const old = this.pages;
            if (old + a > this.prog.maxPages) sLo[sp - 1] = -1;
            else {
              if (a > 0) {
                this.growMemory(old + a);
                mem = this.memory;
                view = this.view;
                memSize = mem.length;
                leafDirty = this.leafDirty;
              }
              sLo[sp - 1] = old;
            }
            pc++;
            break;
          }
        case 42 /* data.load8 */:
          ea = (sLo[sp - 1] >>> 0) + (immLo[pc] >>> 0);
          if (ea >= this.prog.data.length) {
            trap = 'out of bounds data access';
            break loop;
          }
          sLo[sp - 1] = this.prog.data[ea];
          pc++;
          break;

        // ---- i32
        case 43 /* i32.eqz */:
          sLo[sp - 1] = sLo[sp - 1] === 0 ? 1 : 0;
          pc++;
          break;
        case 44 /* i32.eq */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] === sLo[sp] ? 1 : 0;
          pc++;
          break;
        case 45 /* i32.ne */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] !== sLo[sp] ? 1 : 0;
          pc++;
          break;
        case 46 /* i32.lt_s */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] < sLo[sp] ? 1 : 0;
          pc++;
          break;
        case 47 /* i32.lt_u */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] >>> 0 < sLo[sp] >>> 0 ? 1 : 0;
          pc++;
          break;
        case 48 /* i32.gt_s */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] > sLo[sp] ? 1 : 0;
          pc++;
          break;
        case 49 /* i32.gt_u */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] >>> 0 > sLo[sp] >>> 0 ? 1 : 0;
          pc++;
          break;
        case 50 /* i32.le_s */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] <= sLo[sp] ? 1 : 0;
          pc++;
          break;
        case 51 /* i32.le_u */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] >>> 0 <= sLo[sp] >>> 0 ? 1 : 0;
          pc++;
          break;
        case 52 /* i32.ge_s */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] >= sLo[sp] ? 1 : 0;
          pc++;
          break;
        case 53 /* i32.ge_u */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] >>> 0 >= sLo[sp] >>> 0 ? 1 : 0;
          pc++;
          break;
        case 54 /* i32.clz */:
          sLo[sp - 1] = Math.clz32(sLo[sp - 1]);
          pc++;
          break;
        case 55 /* i32.ctz */:
          sLo[sp - 1] = ctz32(sLo[sp - 1]);
          pc++;
          break;
        case 56 /* i32.popcnt */:
          sLo[sp - 1] = popcnt32(sLo[sp - 1]);
          pc++;
          break;
        case 57 /* i32.add */:
          sp--;
          sLo[sp - 1] = (sLo[sp - 1] + sLo[sp]) | 0;
          pc++;
          break;
        case 58 /* i32.sub */:
          sp--;
          sLo[sp - 1] = (sLo[sp - 1] - sLo[sp]) | 0;
          pc++;
          break;
        case 59 /* i32.mul */:
          sp--;
          sLo[sp - 1] = Math.imul(sLo[sp - 1], sLo[sp]);
          pc++;
          break;
        case 60 /* i32.div_s */:
          a = sLo[sp - 2];
          b = sLo[sp - 1];
          if (b === 0) {
            trap = 'integer divide by zero';
            break loop;
          }
          if (a === -0x80000000 && b === -1) {
            trap = 'integer overflow';
            break loop;
          }
          sp--;
          sLo[sp - 1] = (a / b) | 0;
          pc++;
          break;
        case 61 /* i32.div_u */:
          b = sLo[sp - 1] >>> 0;
          if (b === 0) {
            trap = 'integer divide by zero';
            break loop;
          }
          sp--;
          sLo[sp - 1] = (sLo[sp - 1] >>> 0) / b;
          pc++;
          break;
        case 62 /* i32.rem_s */:
          b = sLo[sp - 1];
          if (b === 0) {
            trap = 'integer divide by zero';
            break loop;
          }
          sp--;
          sLo[sp - 1] = (sLo[sp - 1] % b) | 0;
          pc++;
          break;
        case 63 /* i32.rem_u */:
          b = sLo[sp - 1] >>> 0;
          if (b === 0) {
            trap = 'integer divide by zero';
            break loop;
          }
          sp--;
          sLo[sp - 1] = (sLo[sp - 1] >>> 0) % b;
          pc++;
          break;
        case 64 /* i32.and */:
          sp--;
          sLo[sp - 1] &= sLo[sp];
          pc++;
          break;
        case 65 /* i32.or */:
          sp--;
          sLo[sp - 1] |= sLo[sp];
          pc++;
          break;
        case 66 /* i32.xor */:
          sp--;
          sLo[sp - 1] ^= sLo[sp];
          pc++;
          break;
        case 67 /* i32.shl */:
          sp--;
          sLo[sp - 1] <<= sLo[sp];
          pc++;
          break;
        case 68 /* i32.shr_s */:
          sp--;
          sLo[sp - 1] >>= sLo[sp];
          pc++;
          break;
        case 69 /* i32.shr_u */:
          sp--;
          sLo[sp - 1] = sLo[sp - 1] >>> sLo[sp];
          pc++;
          break;
        case 70 /* i32.rotl */:
          sp--;
          a = sLo[sp - 1];
          b = sLo[sp] & 31;
          sLo[sp - 1] = (a << b) | (a >>> ((32 - b) & 31));
          pc++;
          break;
        case 71 /* i32.rotr */:
          sp--;
          a = sLo[sp - 1];
          b = sLo[sp] & 31;
          sLo[sp - 1] = (a >>> b) | (a << ((32 - b) & 31));
          pc++;
          break;

        // ---- i64 comparisons (result i32)
        case 72 /* i64.eqz */:
          sLo[sp - 1] = sLo[sp - 1] === 0 && sHi[sp - 1] === 0 ? 1 : 0;
          sHi[sp - 1] = 0;
          pc++;
          break;
        case 73 /* i64.eq */:
        case 74 /* i64.ne */:
        case 75 /* i64.lt_s */:
        case 76 /* i64.lt_u */:
        case 77 /* i64.gt_s */:
        case 78 /* i64.gt_u */:
        case 79 /* i64.le_s */:
        case 80 /* i64.le_u */:
        case 81 /* i64.ge_s */:
        case 82 /* i64.ge_u */:
          {
            sp--;
            a = sLo[sp - 1];
            b = sHi[sp - 1];
            c = sLo[sp];
            d = sHi[sp];
            // cmp: -1, 0, 1 (signed or unsigned on the high word, unsigned on the low word)
            const signed =
              op === 75 /* i64.lt_s */ ||
              op === 77 /* i64.gt_s */ ||
              op === 79 /* i64.le_s */ ||
              op === 81 /* i64.ge_s */;
            let cmp: number;
            if (b !== d) cmp = signed ? (b < d ? -1 : 1) : b >>> 0 < d >>> 0 ? -1 : 1;
            else if (a !== c) cmp = a >>> 0 < c >>> 0 ? -1 : 1;
            else cmp = 0;
            let r: boolean;
            if (op === 73 /* i64.eq */) r = cmp === 0;
            else if (op === 74 /* i64.ne */) r = cmp !== 0;
            else if (op === 75 /* i64.lt_s */ || op === 76 /* i64.lt_u */) r = cmp < 0;
            else if (op === 77 /* i64.gt_s */ || op === 78 /* i64.gt_u */) r = cmp > 0;
            else if (op === 79 /* i64.le_s */ || op === 80 /* i64.le_u */) r = cmp <= 0;
            else r = cmp >= 0;
            sLo[sp - 1] = r ? 1 : 0;
            sHi[sp - 1] = 0;
            pc++;
            break;
          }
        case 83 /* i64.clz */:
          b = sHi[sp - 1];
          sLo[sp - 1] = b !== 0 ? Math.clz32(b) : 32 + Math.clz32(sLo[sp - 1]);
          sHi[sp - 1] = 0;
          pc++;
          break;
        case 84 /* i64.ctz */:
          a = sLo[sp - 1];
          sLo[sp - 1] = a !== 0 ? ctz32(a) : 32 + ctz32(sHi[sp - 1]);
          sHi[sp - 1] = 0;
          pc++;
          break;
        case 85 /* i64.popcnt */:
          sLo[sp - 1] = popcnt32(sLo[sp - 1]) + popcnt32(sHi[sp - 1]);
          sHi[sp - 1] = 0;
          pc++;
          break;
        case 86 /* i64.add */:
          sp--;
          a = sLo[sp - 1];
          c = sLo[sp];
          b = (a + c) | 0;
          sHi[sp - 1] = (sHi[sp - 1] + sHi[sp] + (b >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          sLo[sp - 1] = b;
          pc++;
          break;
        case 87 /* i64.sub */:
          sp--;
          a = sLo[sp - 1];
          c = sLo[sp];
          sHi[sp - 1] = (sHi[sp - 1] - sHi[sp] - (a >>> 0 < c >>> 0 ? 1 : 0)) | 0;
          sLo[sp - 1] = (a - c) | 0;
          pc++;
          break;
        case 88 /* i64.mul */:
          sp--;
          sLo[sp - 1] = mul64(sLo[sp - 1], sHi[sp - 1], sLo[sp], sHi[sp]);
          sHi[sp - 1] = hi64.v;
          pc++;
          break;
        case 89 /* i64.div_s */:
        case 90 /* i64.div_u */:
        case 91 /* i64.rem_s */:
        case 92 /* i64.rem_u */:
          {
            c = sLo[sp - 1];
            d = sHi[sp - 1];
            if (c === 0 && d === 0) {
              trap = 'integer divide by zero';
              break loop;
            }
            a = sLo[sp - 2];
            b = sHi[sp - 2];
            const signed = op === 89 /* i64.div_s */ || op === 91 /* i64.rem_s */;
            const rem = op === 91 /* i64.rem_s */ || op === 92 /* i64.rem_u */;
            if (signed && !rem && a === 0 && b === -0x80000000 && c === -1 && d === -1) {
              trap = 'integer overflow';
              break loop;
            }
            sp--;
            sLo[sp - 1] = divrem64(a, b, c, d, signed, rem);
            sHi[sp - 1] = hi64.v;
            pc++;
            break;
          }
        case 93 /* i64.and */:
          sp--;
          sLo[sp - 1] &= sLo[sp];
          sHi[sp - 1] &= sHi[sp];
          pc++;
          break;
        case 94 /* i64.or */:
          sp--;
          sLo[sp - 1] |= sLo[sp];
          sHi[sp - 1] |= sHi[sp];
          pc++;
          break;
        case 95 /* i64.xor */:
          sp--;
          sLo[sp - 1] ^= sLo[sp];
          sHi[sp - 1] ^= sHi[sp];
          pc++;
          break;
        case 96 /* i64.shl */:
          sp--;
          sLo[sp - 1] = shl64(sLo[sp - 1], sHi[sp - 1], sLo[sp]);
          sHi[sp - 1] = hi64.v;
          pc++;
          break;
        case 97 /* i64.shr_s */:
          sp--;
          sLo[sp - 1] = shrS64(sLo[sp - 1], sHi[sp - 1], sLo[sp]);
          sHi[sp - 1] = hi64.v;
          pc++;
          break;
        case 98 /* i64.shr_u */:
          sp--;
          sLo[sp - 1] = shrU64(sLo[sp - 1], sHi[sp - 1], sLo[sp]);
          sHi[sp - 1] = hi64.v;
          pc++;
          break;
        case 99 /* i64.rotl */:
          sp--;
          sLo[sp - 1] = rotl64(sLo[sp - 1], sHi[sp - 1], sLo[sp]);
          sHi[sp - 1] = hi64.v;
          pc++;
          break;
        case 100 /* i64.rotr */:
          sp--;
          sLo[sp - 1] = rotr64(sLo[sp - 1], sHi[sp - 1], sLo[sp]);
          sHi[sp - 1] = hi64.v;
          pc++;
          break;

        // ---- conversions
        case 101 /* i32.wrap_i64 */:
          sHi[sp - 1] = 0;
          pc++;
          break;
        case 102 /* i64.extend_i32_s */:
          sHi[sp - 1] = sLo[sp - 1] >> 31;
          pc++;
          break;
        case 103 /* i64.extend_i32_u */:
          sHi[sp - 1] = 0;
          pc++;
          break;
        case 104 /* i32.extend8_s */:
          sLo[sp - 1] = (sLo[sp - 1] << 24) >> 24;
          pc++;
          break;
        case 105 /* i32.extend16_s */:
          sLo[sp - 1] = (sLo[sp - 1] << 16) >> 16;
          pc++;
          break;
        case 106 /* i64.extend8_s */:
          a = (sLo[sp - 1] << 24) >> 24;
          sLo[sp - 1] = a;
          sHi[sp - 1] = a >> 31;
          pc++;
          break;
        case 107 /* i64.extend16_s */:
          a = (sLo[sp - 1] << 16) >> 16;
          sLo[sp - 1] = a;
          sHi[sp - 1] = a >> 31;
          pc++;
          break;
        case 108 /* i64.extend32_s */:
          sHi[sp - 1] = sLo[sp - 1] >> 31;
          pc++;
          break;
        default:
          throw new ModexError('MACHINE_BAD_OPCODE', `machine opcode ${op} at pc ${pc} is not defined`);
      }
      if (sp - 1 < low) low = sp - 1;
    }

    let unwind = 0;
    if (
      trap === undefined &&
      !meterEvent &&
      this.status === Status.Running &&
      budget === 0 &&
      maxSteps > executed
    ) {
      executed++;
      if (executed - 1 === remaining) {
        // the limit's step budget ran out and the caller wants more: that step traps (§3.6)
        trap = 'step limit reached';
      } else {
        // the metered call's budget ran out: this step unwinds it (§3.7)
        unwind = METERED_OUT_OF_STEPS;
      }
    }
    // Trap checks precede every mutation, so the locals hold the state before a trapping step:
    // a trapping step changes only status and steps (§3.6).
    this.steps += executed;
    this.pc = pc;
    this.sp = sp;
    this.fp = fp;
    this.stackValid = Math.max(low, 0);
    this.frameValid = fLow;
    if (trap !== undefined) {
      if (this.meterActive && trap !== 'step limit reached') {
        // a trap inside a metered call unwinds it (§3.7)
        this.lastMeterTrap = trap;
        this.unwindMetered(METERED_TRAPPED);
      } else {
        this.status = Status.Errored;
        this.trap = trap;
        // an errored machine has no metered call (§3.7): its hash is the 7-word one
        this.meterActive = false;
      }
    } else if (unwind !== 0) {
      this.lastMeterTrap = 'out of steps';
      this.unwindMetered(unwind);
    }
    return this.steps - start;
  }

  /** §3.7: back to the metered call's stack and frames, `code` pushed, pc after the call. */
  private unwindMetered(code: number): void {
    this.sp = this.meterSp;
    if (this.sp < this.stackValid) this.stackValid = this.sp;
    this.push(code, 0);
    this.fp = this.meterFp;
    if (this.fp < this.frameValid) this.frameValid = this.fp;
    this.pc = this.meterRetPc;
    this.meterActive = false;
  }

  private growStack(need: number): void {
    let cap = this.stackLo.length;
    while (cap < need) cap *= 2;
    const lo = new Int32Array(cap);
    const hi = new Int32Array(cap);
    lo.set(this.stackLo.subarray(0, this.sp));
    hi.set(this.stackHi.subarray(0, this.sp));
    this.stackLo = lo;
    this.stackHi = hi;
  }

  private growFrames(): void {
    const cap = this.frameRet.length * 2;
    for (const k of ['frameRet', 'frameBase', 'frameNum'] as const) {
      const n = new Int32Array(cap);
      n.set(this[k]);
      this[k] = n;
    }
  }

  private growLocals(need: number): void {
    let cap = this.localsLo.length;
    while (cap < need) cap *= 2;
    const lo = new Int32Array(cap);
    const hi = new Int32Array(cap);
    lo.set(this.localsLo);
    hi.set(this.localsHi);
    this.localsLo = lo;
    this.localsHi = hi;
  }

  growMemory(pages: number): void {
    const mem = new Uint8Array(pages * PAGE_SIZE);
    mem.set(this.memory);
    this.memory = mem;
    this.view = new DataView(mem.buffer);
    const dirty = new Uint8Array((pages * PAGE_SIZE) / LEAF_SIZE);
    dirty.set(this.leafDirty);
    this.leafDirty = dirty;
    this.pages = pages;
    this.memoryGrew = true;
  }

  // ---- host I/O (§6). Returns a trap reason, or undefined on success.

  private pop(): number {
    this.sp--;
    if (this.sp < this.stackValid) this.stackValid = this.sp;
    return this.stackLo[this.sp];
  }

  private popU64(): bigint {
    this.sp--;
    if (this.sp < this.stackValid) this.stackValid = this.sp;
    return toU64(this.stackLo[this.sp], this.stackHi[this.sp]);
  }

  private push(lo: number, hi = 0): void {
    if (this.sp >= this.stackLo.length) this.growStack(this.sp + 1);
    this.stackLo[this.sp] = lo;
    this.stackHi[this.sp] = hi;
    this.sp++;
  }

  /** the memory range [p, p+n) is in bounds */
  private inBounds(p: number, n: number): boolean {
    return (p >>> 0) + n <= this.memory.length;
  }

  private writeMemory(p: number, bytes: Uint8Array): void {
    this.memory.set(bytes, p);
    if (bytes.length === 0) return;
    for (const leaf of [p >>> 5, (p + bytes.length - 1) >>> 5]) {
      if (this.leafDirty[leaf] === 0) {
        this.leafDirty[leaf] = 1;
        this.dirtyLeaves.push(leaf);
      }
    }
  }

  hostOp(id: number): TrapReason | undefined {
    const s = this.sp;
    const lo = this.stackLo;
    const arg = (i: number, n: number) => lo[s - n + i];
    switch (id) {
      case HOST_FUNCS.inbox_read.id: {
        const offset = arg(0, 2) >>> 0;
        const ptr = arg(1, 2) >>> 0;
        if (!this.inBounds(ptr, 32)) return 'out of bounds memory access';
        const msg = this.host.inboxMessage(this.globalState.u64[0]);
        if (!msg)
          throw new HostDataUnavailableError(`inbox message ${this.globalState.u64[0]} is not available`);
        const chunk = msg.subarray(Math.min(offset, msg.length), Math.min(offset + 32, msg.length));
        this.pop();
        this.pop();
        this.writeMemory(ptr, chunk);
        this.push(chunk.length);
        return undefined;
      }
      case HOST_FUNCS.preimage_read.id: {
        const kind = arg(0, 4) >>> 0;
        const hashPtr = arg(1, 4) >>> 0;
        const offset = arg(2, 4) >>> 0;
        const ptr = arg(3, 4) >>> 0;
        if (!this.inBounds(hashPtr, 32) || !this.inBounds(ptr, 32)) return 'out of bounds memory access';
        if (hashPtr % 32 !== 0) return 'unaligned preimage hash pointer';
        const hash = this.memory.slice(hashPtr, hashPtr + 32);
        const pre = this.host.preimage(kind, hash);
        if (!pre) {
          throw new HostDataUnavailableError(
            `preimage of kind ${kind} for hash 0x${Buffer.from(hash).toString('hex')} is not available`,
          );
        }
        const chunk = pre.subarray(Math.min(offset, pre.length), preimageChunkEnd(kind, offset, pre.length));
        for (let i = 0; i < 4; i++) this.pop();
        this.writeMemory(ptr, chunk);
        this.push(chunk.length);
        return undefined;
      }
      case HOST_FUNCS.get_global_bytes32.id: {
        const idx = arg(0, 2) >>> 0;
        const ptr = arg(1, 2) >>> 0;
        if (idx > 1) return 'bad global-state index';
        if (!this.inBounds(ptr, 32)) return 'out of bounds memory access';
        this.pop();
        this.pop();
        this.writeMemory(ptr, this.globalState.bytes32[idx]);
        return undefined;
      }
      case HOST_FUNCS.set_global_bytes32.id: {
        const idx = arg(0, 2) >>> 0;
        const ptr = arg(1, 2) >>> 0;
        if (idx > 1) return 'bad global-state index';
        if (!this.inBounds(ptr, 32)) return 'out of bounds memory access';
        this.pop();
        this.pop();
        this.globalState.bytes32[idx] = this.memory.slice(ptr, ptr + 32);
        this.globalStateDirty = true;
        return undefined;
      }
      case HOST_FUNCS.get_global_u64.id: {
        const idx = arg(0, 1) >>> 0;
        if (idx > 1) return 'bad global-state index';
        this.pop();
        const v = this.globalState.u64[idx];
        this.push(Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
        return undefined;
      }
      case HOST_FUNCS.set_global_u64.id: {
        const idx = lo[s - 2] >>> 0;
        if (idx > 1) return 'bad global-state index';
        const v = this.popU64();
        this.pop();
        this.globalState.u64[idx] = v;
        this.globalStateDirty = true;
        return undefined;
      }
      case HOST_FUNCS.halt.id:
        if (this.meterActive) return 'halt in a metered call';
        this.status = Status.Finished;
        return undefined;
      case HOST_FUNCS.keccak256_pair.id: {
        const inPtr = arg(0, 2) >>> 0;
        const outPtr = arg(1, 2) >>> 0;
        if (!this.inBounds(inPtr, 64) || !this.inBounds(outPtr, 32)) return 'out of bounds memory access';
        if (inPtr % 32 !== 0 || outPtr % 32 !== 0) return 'unaligned host pointer';
        const h = keccak256Of64(this.memory.subarray(inPtr, inPtr + 64));
        this.pop();
        this.pop();
        this.writeMemory(outPtr, h);
        return undefined;
      }
      case HOST_FUNCS.ecrecover.id: {
        const hashPtr = arg(0, 4) >>> 0;
        const sigPtr = arg(1, 4) >>> 0;
        const v = arg(2, 4) >>> 0;
        const outPtr = arg(3, 4) >>> 0;
        if (!this.inBounds(hashPtr, 32) || !this.inBounds(sigPtr, 64) || !this.inBounds(outPtr, 32))
          return 'out of bounds memory access';
        if (hashPtr % 32 !== 0 || sigPtr % 32 !== 0 || outPtr % 32 !== 0) return 'unaligned host pointer';
        const w = ecrecoverWord(
          this.memory.subarray(hashPtr, hashPtr + 32),
          this.memory.subarray(sigPtr, sigPtr + 64),
          v,
        );
        for (let i = 0; i < 4; i++) this.pop();
        this.writeMemory(outPtr, w ?? new Uint8Array(32));
        this.push(w ? 1 : 0);
        return undefined;
      }
      case HOST_FUNCS.hint_preimage.id: {
        const ptr = arg(0, 2) >>> 0;
        const len = arg(1, 2) >>> 0;
        // never a trap: an out-of-bounds range is ignored (§6). The callback runs before the pops, so
        // if it throws, the machine is still in the pre-state of this step
        if (this.host.onPreimageHint && this.inBounds(ptr, len))
          this.host.onPreimageHint(this.memory.slice(ptr, ptr + len));
        this.pop();
        this.pop();
        return undefined;
      }
      default:
        throw new ModexError('MACHINE_BAD_HOST_OP', `host op ${id} is not defined`);
    }
  }

  /** A deep copy: the copy runs on independently (checkpoints, proofs). */
  clone(): Machine {
    const c = Object.create(Machine.prototype) as Machine;
    Object.assign(c, this);
    c.stackLo = this.stackLo.slice();
    c.stackHi = this.stackHi.slice();
    c.frameRet = this.frameRet.slice();
    c.frameBase = this.frameBase.slice();
    c.frameNum = this.frameNum.slice();
    c.localsLo = this.localsLo.slice();
    c.localsHi = this.localsHi.slice();
    c.globalsLo = this.globalsLo.slice();
    c.globalsHi = this.globalsHi.slice();
    c.memory = this.memory.slice();
    c.view = new DataView(c.memory.buffer);
    c.leafDirty = this.leafDirty.slice();
    c.dirtyLeaves = this.dirtyLeaves.slice();
    c.globalState = {
      bytes32: [this.globalState.bytes32[0].slice(), this.globalState.bytes32[1].slice()],
      u64: [this.globalState.u64[0], this.globalState.u64[1]],
    };
    return c;
  }

  // ---- helpers for hosts that drive the machine (spectest, node)

  /** Value-stack slot `i` (0 = bottom) as an unsigned 64-bit value. */
  stackValue(i: number): bigint {
    return toU64(this.stackLo[i], this.stackHi[i]);
  }

  globalValue(i: number): bigint {
    return toU64(this.globalsLo[i], this.globalsHi[i]);
  }

  /**
   * Host-driven call of a function (outside the proof system; used by conformance tests): clears
   * the stacks, pushes `args`, enters the function with its return address at the program's halt.
   */
  invoke(funcIndex: number, args: bigint[]): void {
    const f = this.prog.funcs[funcIndex];
    this.status = Status.Running;
    this.trap = undefined;
    this.meterActive = false;
    this.sp = 0;
    this.fp = 0;
    this.stackValid = 0;
    this.frameValid = 0;
    for (const v of args) {
      const u = BigInt.asUintN(64, v);
      this.push(Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
    }
    if (this.frameRet.length === 0) this.growFrames();
    const nLoc = f.numLocals;
    if (nLoc > this.localsLo.length) this.growLocals(nLoc);
    this.localsLo.fill(0, 0, nLoc);
    this.localsHi.fill(0, 0, nLoc);
    this.frameRet[0] = this.prog.haltPc;
    this.frameBase[0] = 0;
    this.frameNum[0] = nLoc;
    this.fp = 1;
    this.pc = f.entryPc;
  }
}
