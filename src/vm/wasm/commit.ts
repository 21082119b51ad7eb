/**
 * Commitments to the machine state (docs/machine.md §4): the module root, and the machine hash,
 * maintained incrementally: only stack items above the low-water mark, frames above theirs,
 * dirty memory leaves, and changed globals are rehashed.
 */
import { ceilLog2, hashPair, hashWords, type Word, word, word64, ZERO_WORD } from './hash.ts';
import type { Program } from './lower.ts';
import { type GlobalState, LEAF_SIZE, type Machine, PAGE_SIZE } from './machine.ts';
import { IncrementalTree, merkleRoot } from './merkle.ts';

/** Leaves per 64 KiB page: 2^11. */
export const LEAVES_PER_PAGE_LOG2 = 11;

/** The static parts of a program that the module root commits to (§4.3). */
export interface ModuleCommitment {
  codeRoot: Word;
  codeDepth: number;
  tableRoot: Word;
  tableDepth: number;
  dataRoot: Word;
  dataDepth: number;
  globalsDepth: number;
  memoryDepth: number;
  /** the 5 words hashed into the module root, in order (§4.3) */
  fields: Word[];
  moduleRoot: Word;
  /** code leaves, table leaves and data leaves, kept for proofs */
  codeLeaves: Word[];
  tableLeaves: Word[];
  dataLeaves: Word[];
}

/** Code leaf of instruction `i`: `op << 64 | imm` (§4.3). */
export function codeLeaf(prog: Program, i: number): Word {
  const w = new Uint8Array(32);
  const dv = new DataView(w.buffer);
  dv.setUint16(22, prog.ops[i]);
  dv.setInt32(24, prog.immHi[i]);
  dv.setInt32(28, prog.immLo[i]);
  return w;
}

/** Table leaf of slot `i`: zero for a null slot, else `1 << 128 | typeId << 96 | entryPc << 64 | numLocals << 32 | maxHeight`. */
export function tableLeaf(prog: Program, i: number): Word {
  const f = prog.table[i];
  if (f < 0) return ZERO_WORD;
  const fi = prog.funcs[f];
  return word(
    (1n << 128n) |
      (BigInt(fi.typeId) << 96n) |
      (BigInt(fi.entryPc) << 64n) |
      (BigInt(fi.numLocals) << 32n) |
      BigInt(fi.maxHeight),
  );
}

export function memoryDepth(maxPages: number): number {
  return LEAVES_PER_PAGE_LOG2 + ceilLog2(Math.max(maxPages, 1));
}

const cache = new WeakMap<Program, ModuleCommitment>();

export function commitModule(prog: Program): ModuleCommitment {
  const hit = cache.get(prog);
  if (hit) return hit;
  const n = prog.ops.length;
  const codeLeaves: Word[] = [];
  for (let i = 0; i < n; i++) codeLeaves.push(codeLeaf(prog, i));
  const codeDepth = ceilLog2(n);
  const tableLeaves: Word[] = [];
  for (let i = 0; i < prog.table.length; i++) tableLeaves.push(tableLeaf(prog, i));
  const tableDepth = ceilLog2(prog.table.length);
  const dataLeaves: Word[] = [];
  for (let off = 0; off < prog.data.length; off += 32) {
    const w = new Uint8Array(32);
    w.set(prog.data.subarray(off, off + 32));
    dataLeaves.push(w);
  }
  const dataDepth = ceilLog2(dataLeaves.length);
  const codeRoot = merkleRoot(codeLeaves, codeDepth);
  const tableRoot = merkleRoot(tableLeaves, tableDepth);
  const dataRoot = merkleRoot(dataLeaves, dataDepth);
  // §4.3: [codeRoot, tableRoot, dataRoot, sizes, maxSteps]
  const sizes =
    (BigInt(n) << 224n) |
    (BigInt(prog.table.length) << 192n) |
    (BigInt(prog.data.length) << 160n) |
    (BigInt(prog.numGlobals) << 128n) |
    (BigInt(prog.initialPages) << 96n) |
    (BigInt(prog.maxPages) << 64n) |
    (BigInt(prog.limits.maxFrames) << 32n) |
    BigInt(prog.limits.maxStackHeight);
  const fields = [codeRoot, tableRoot, dataRoot, word(sizes), word(prog.limits.maxSteps)];
  const mc: ModuleCommitment = {
    codeRoot,
    codeDepth,
    tableRoot,
    tableDepth,
    dataRoot,
    dataDepth,
    globalsDepth: ceilLog2(prog.numGlobals),
    memoryDepth: memoryDepth(prog.maxPages),
    fields,
    moduleRoot: hashWords(fields),
    codeLeaves,
    tableLeaves,
    dataLeaves,
  };
  cache.set(prog, mc);
  return mc;
}

export function globalStateHash(gs: GlobalState): Word {
  return hashWords([gs.bytes32[0], gs.bytes32[1], word(gs.u64[0]), word(gs.u64[1])]);
}

/** Frame hash (§4.5): keccak(returnPc || numLocals || localsRoot). */
export function frameHash(returnPc: number, numLocals: number, localsRoot: Word): Word {
  return hashWords([word(returnPc), word(numLocals), localsRoot]);
}

/** The machine hash's preimage (§4.6), as named fields. */
export interface MachineFields {
  status: number;
  pc: number;
  steps: number;
  stackHash: Word;
  stackHeight: number;
  framesHash: Word;
  frameDepth: number;
  globalsRoot: Word;
  memoryRoot: Word;
  pages: number;
  moduleRoot: Word;
  globalStateHash: Word;
  /** §4.7: the hash of the active metered call's record; absent when none is active */
  meterHash?: Word;
}

/** The record of an active metered call (§3.7, §4.7). */
export interface MeterFields {
  /** the step count at which the budget is exhausted */
  limit: bigint;
  returnPc: number;
  /** value-stack height and frame depth at the call, and their hashes */
  stackHeight: number;
  frameDepth: number;
  stackHash: Word;
  framesHash: Word;
}

/** §4.7: `limit << 128 | returnPc << 64 | stackHeight << 32 | frameDepth` */
export function meterWord(mf: MeterFields): Word {
  return word(
    (mf.limit << 128n) |
      (BigInt(mf.returnPc) << 64n) |
      (BigInt(mf.stackHeight) << 32n) |
      BigInt(mf.frameDepth),
  );
}

/** The 3 words of the meter record (§4.7): its word, the stack hash and the frames hash at the call. */
export function meterFieldWords(mf: MeterFields): Word[] {
  return [meterWord(mf), mf.stackHash, mf.framesHash];
}

export function meterHash(mf: MeterFields): Word {
  return hashWords(meterFieldWords(mf));
}

/**
 * §4.6: the scalars word, `metered << 200 | status << 192 | pc << 160 | stackHeight << 128 |
 * frameDepth << 96 | pages << 64 | steps` (metered = 1 while a metered call is active, §4.7).
 */
export function scalarsWord(f: MachineFields): Word {
  return word(
    (f.meterHash ? 1n << 200n : 0n) |
      (BigInt(f.status) << 192n) |
      (BigInt(f.pc) << 160n) |
      (BigInt(f.stackHeight) << 128n) |
      (BigInt(f.frameDepth) << 96n) |
      (BigInt(f.pages) << 64n) |
      BigInt(f.steps),
  );
}

/** The words of the machine hash's preimage (§4.6): 7, and the meter hash while metered (§4.7). */
export function machineFieldWords(f: MachineFields): Word[] {
  const w = [
    scalarsWord(f),
    f.stackHash,
    f.framesHash,
    f.globalsRoot,
    f.memoryRoot,
    f.moduleRoot,
    f.globalStateHash,
  ];
  if (f.meterHash) w.push(f.meterHash);
  return w;
}

export function hashMachineFields(f: MachineFields): Word {
  return hashWords(machineFieldWords(f));
}

/**
 * Incremental commitments of one machine. Call `fields()` / `hash()` at any point; only what changed
 * since the previous call is rehashed.
 */
export class MachineCommitter {
  readonly m: Machine;
  readonly module: ModuleCommitment;
  /** stackChain[h] = hash of the bottom h stack items */
  private stackChain: Word[] = [ZERO_WORD];
  /** frameChain[d] = hash of the bottom d frames; frameHashes[i] = hash of frame i */
  private frameChain: Word[] = [ZERO_WORD];
  private frameHashes: Word[] = [];
  private localsRoots: Word[] = [];
  private globalsRoot: Word = ZERO_WORD;
  private gsHash: Word = ZERO_WORD;
  readonly memTree: IncrementalTree;

  /** Commits to `m`. With `from` (a committer of a machine `m` was cloned from), reuses its caches. */
  constructor(m: Machine, from?: MachineCommitter) {
    if (from) {
      this.m = m;
      this.module = from.module;
      this.stackChain = from.stackChain.slice();
      this.frameChain = from.frameChain.slice();
      this.frameHashes = from.frameHashes.slice();
      this.localsRoots = from.localsRoots.slice();
      this.globalsRoot = from.globalsRoot;
      this.gsHash = from.gsHash;
      this.memTree = from.memTree.clone();
      return;
    }
    this.m = m;
    this.module = commitModule(m.prog);
    this.memTree = new IncrementalTree(this.module.memoryDepth, (m.pages * PAGE_SIZE) / LEAF_SIZE, m.memory);
    m.dirtyLeaves.length = 0;
    m.leafDirty.fill(0);
    m.memoryGrew = false;
    m.stackValid = 0;
    m.frameValid = 0;
    m.globalsDirty = true;
    m.globalStateDirty = true;
  }

  /** Locals of frame i as leaves. */
  localsLeaves(i: number): Word[] {
    const m = this.m;
    const base = m.frameBase[i];
    const out: Word[] = [];
    for (let j = 0; j < m.frameNum[i]; j++) out.push(word64(m.localsLo[base + j], m.localsHi[base + j]));
    return out;
  }

  globalsLeaves(): Word[] {
    const m = this.m;
    const out: Word[] = [];
    for (let j = 0; j < m.prog.numGlobals; j++) out.push(word64(m.globalsLo[j], m.globalsHi[j]));
    return out;
  }

  /** Brings every cached commitment up to date with the machine. */
  sync(): void {
    const m = this.m;
    // value stack
    const sv = Math.min(m.stackValid, m.sp, this.stackChain.length - 1);
    this.stackChain.length = sv + 1;
    for (let h = sv; h < m.sp; h++) {
      this.stackChain.push(hashPair(this.stackChain[h], word64(m.stackLo[h], m.stackHi[h])));
    }
    m.stackValid = m.sp;
    // frames
    const fv = Math.min(m.frameValid, m.fp, this.frameChain.length - 1);
    this.frameChain.length = fv + 1;
    this.frameHashes.length = fv;
    this.localsRoots.length = fv;
    for (let i = fv; i < m.fp; i++) {
      const lr = merkleRoot(this.localsLeaves(i), ceilLog2(m.frameNum[i]));
      this.localsRoots.push(lr);
      const fh = frameHash(m.frameRet[i], m.frameNum[i], lr);
      this.frameHashes.push(fh);
      this.frameChain.push(hashPair(this.frameChain[i], fh));
    }
    m.frameValid = m.fp;
    // globals
    if (m.globalsDirty) {
      this.globalsRoot = merkleRoot(this.globalsLeaves(), this.module.globalsDepth);
      m.globalsDirty = false;
    }
    if (m.globalStateDirty) {
      this.gsHash = globalStateHash(m.globalState);
      m.globalStateDirty = false;
    }
    // memory
    if (m.memoryGrew) {
      this.memTree.resize((m.pages * PAGE_SIZE) / LEAF_SIZE);
      m.memoryGrew = false;
    }
    if (m.dirtyLeaves.length > 0) {
      const mem = m.memory;
      for (const leaf of m.dirtyLeaves) {
        this.memTree.setLeaf(leaf, mem.subarray(leaf * 32, leaf * 32 + 32));
        m.leafDirty[leaf] = 0;
      }
      this.memTree.updateMany(m.dirtyLeaves);
      m.dirtyLeaves.length = 0;
    }
  }

  fields(): MachineFields {
    this.sync();
    const m = this.m;
    const out: MachineFields = {
      status: m.status,
      pc: m.pc,
      steps: m.steps,
      stackHash: this.stackChain[m.sp],
      stackHeight: m.sp,
      framesHash: this.frameChain[m.fp],
      frameDepth: m.fp,
      globalsRoot: this.globalsRoot,
      memoryRoot: this.memTree.root(),
      pages: m.pages,
      moduleRoot: this.module.moduleRoot,
      globalStateHash: this.gsHash,
    };
    const mf = this.meter();
    if (mf) out.meterHash = meterHash(mf);
    return out;
  }

  hash(): Word {
    return hashMachineFields(this.fields());
  }

  /** The active metered call's record (§4.7), or undefined. Valid after `fields()` / `sync()`. */
  meter(): MeterFields | undefined {
    const m = this.m;
    if (!m.meterActive) return undefined;
    // nothing below the call's stack height and frame depth changes while it is active
    return {
      limit: m.meterLimit,
      returnPc: m.meterRetPc,
      stackHeight: m.meterSp,
      frameDepth: m.meterFp,
      stackHash: this.stackChain[m.meterSp],
      framesHash: this.frameChain[m.meterFp],
    };
  }

  /** A copy of the machine and its commitments that runs on independently. */
  fork(): MachineCommitter {
    return new MachineCommitter(this.m.clone(), this);
  }

  /** hash of the bottom h stack items (valid after sync) */
  stackHashAt(h: number): Word {
    return this.stackChain[h];
  }

  /** hash of the bottom d frames (valid after sync) */
  frameChainAt(d: number): Word {
    return this.frameChain[d];
  }

  localsRoot(i: number): Word {
    return this.localsRoots[i];
  }
}
