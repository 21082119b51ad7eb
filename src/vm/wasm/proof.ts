/**
 * One-step proofs (docs/machine.md §7): `proveStep` returns what a verifier needs to compute the
 * post-state hash from the pre-state hash alone. The encoding is a sequence of 32-byte words, read
 * in order by the verifier (`verify.ts` here, `contracts/osp/` on L1); which sections appear depends
 * on the instruction and on the pre-state (a section the verifier would not read is left out).
 */

import { type MachineCommitter, machineFieldWords, meterFieldWords } from './commit.ts';
import { ceilLog2, hashPair, type Word, word, word64 } from './hash.ts';
import { ecrecoverWord, HOST_FUNCS, keccak256Of64 } from './host-abi.ts';
import { M } from './isa.ts';
import type { Program } from './lower.ts';
import { LEAF_SIZE, PAGE_SIZE, preimageChunkEnd, Status } from './machine.ts';
import { IncrementalTree, merkleProof, merkleRoot } from './merkle.ts';

/** Values an instruction pops (§7.3): the verifier reads this many stack items. */
export function popCount(op: number, immLo: number): number {
  switch (op) {
    case M.unreachable:
    case M.nop:
    case M.jump:
    case M.halt:
    case M.call:
    case M.return:
    case M['local.get']:
    case M['global.get']:
    case M['i32.const']:
    case M['i64.const']:
    case M['memory.size']:
      return 0;
    case M.drop_under:
      return immLo + 1;
    case M.select:
    case M.metered_call:
      return 3;
    case M.host:
      return hostParams(immLo);
    default:
      if (isStore(op)) return 2;
      if (isBinary(op)) return 2;
      return 1;
  }
}

export function hostParams(id: number): number {
  for (const h of Object.values(HOST_FUNCS)) if (h.id === id) return h.type.params.length;
  return 0;
}

export function isStore(op: number): boolean {
  return op >= M['i32.store'] && op <= M['i64.store32'];
}

export function isLoad(op: number): boolean {
  return op >= M['i32.load'] && op <= M['i64.load32_u'];
}

/** binary numeric ops (two operands) */
export function isBinary(op: number): boolean {
  return (
    (op >= M['i32.eq'] && op <= M['i32.ge_u']) ||
    (op >= M['i32.add'] && op <= M['i32.rotr']) ||
    (op >= M['i64.eq'] && op <= M['i64.ge_u']) ||
    (op >= M['i64.add'] && op <= M['i64.rotr'])
  );
}

export function accessWidth(op: number): number {
  switch (op) {
    case M['i64.load']:
    case M['i64.store']:
      return 8;
    case M['i32.load']:
    case M['i64.load32_s']:
    case M['i64.load32_u']:
    case M['i32.store']:
    case M['i64.store32']:
      return 4;
    case M['i32.load16_s']:
    case M['i32.load16_u']:
    case M['i64.load16_s']:
    case M['i64.load16_u']:
    case M['i32.store16']:
    case M['i64.store16']:
      return 2;
    default:
      return 1;
  }
}

/** The leaves covering [addr, addr + len), in order (one or two for len <= 32). */
export function leavesOf(addr: number, len: number): number[] {
  if (len === 0) return [];
  const a = Math.floor(addr / LEAF_SIZE);
  const b = Math.floor((addr + len - 1) / LEAF_SIZE);
  return a === b ? [a] : [a, b];
}

/** An inbox message's commitment (§6.2): keccak(len || root of its 32-byte chunks). */
export function messageCommitment(msg: Uint8Array): {
  len: number;
  root: Word;
  depth: number;
  leaves: Word[];
} {
  const leaves: Word[] = [];
  for (let off = 0; off < msg.length; off += 32) {
    const w = new Uint8Array(32);
    w.set(msg.subarray(off, off + 32));
    leaves.push(w);
  }
  const depth = ceilLog2(leaves.length);
  return { len: msg.length, root: merkleRoot(leaves, depth), depth, leaves };
}

export function messageHash(msg: Uint8Array): Word {
  const c = messageCommitment(msg);
  return hashPair(word(c.len), c.root);
}

const codeTrees = new WeakMap<Program, { code: IncrementalTree; table: Word[]; data: Word[] }>();

function trees(c: MachineCommitter) {
  let t = codeTrees.get(c.m.prog);
  if (!t) {
    const mc = c.module;
    const bytes = new Uint8Array(mc.codeLeaves.length * 32);
    mc.codeLeaves.forEach((l, i) => {
      bytes.set(l, i * 32);
    });
    t = {
      code: new IncrementalTree(mc.codeDepth, mc.codeLeaves.length, bytes),
      table: mc.tableLeaves,
      data: mc.dataLeaves,
    };
    codeTrees.set(c.m.prog, t);
  }
  return t;
}

/** Writes the memory section for reads then writes (§7.4): each leaf against the root current at that point. */
function memoryItems(
  c: MachineCommitter,
  out: Word[],
  reads: number[],
  writes: { leaf: number; value: Word }[],
): void {
  const tree = c.memTree;
  for (const l of reads) out.push(tree.leaf(l), ...tree.proof(l));
  let prev: { leaf: number; nodes: Word[] } | undefined;
  for (const w of writes) {
    const path = tree.proof(w.leaf);
    if (prev) {
      // replace the sibling that the previous write changed
      for (let k = 0; k < path.length; k++) {
        if (((w.leaf >>> k) ^ 1) === prev.leaf >>> k) path[k] = prev.nodes[k];
      }
    }
    out.push(tree.leaf(w.leaf), ...path);
    // nodes of the written leaf's branch after the write, by level
    const nodes: Word[] = [w.value];
    let h = w.value;
    let i = w.leaf;
    for (let k = 0; k < path.length; k++) {
      h = i & 1 ? hashPair(path[k], h) : hashPair(h, path[k]);
      i >>>= 1;
      nodes.push(h);
    }
    prev = { leaf: w.leaf, nodes };
  }
}

/** The new leaf values after writing `bytes` at `addr`. */
function writtenLeaves(
  c: MachineCommitter,
  addr: number,
  bytes: Uint8Array,
): { leaf: number; value: Word }[] {
  return leavesOf(addr, bytes.length).map((leaf) => {
    const value = c.memTree.leaf(leaf).slice();
    const start = leaf * LEAF_SIZE;
    for (let i = 0; i < bytes.length; i++) {
      const p = addr + i - start;
      if (p >= 0 && p < LEAF_SIZE) value[p] = bytes[i];
    }
    return { leaf, value };
  });
}

/** Little-endian bytes of the low `width` bytes of a u64 given as (lo, hi). */
function leBytes(lo: number, hi: number, width: number): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, lo, true);
  dv.setInt32(4, hi, true);
  return b.subarray(0, width);
}

/** The one-step proof for the next step of `c.m` (§7). Does not modify the machine. */
export function proveStep(c: MachineCommitter): Uint8Array {
  const f = c.fields();
  const m = c.m;
  const prog = m.prog;
  const out: Word[] = [];
  out.push(...machineFieldWords(f));
  // §7.1: while a metered call is active, its record's 3 words
  const meter = c.meter();
  if (meter) out.push(...meterFieldWords(meter));
  out.push(...c.module.fields);
  if (m.status !== Status.Running || BigInt(m.steps) >= prog.limits.maxSteps) return concat(out);
  // §3.7: the budget is exhausted: this step unwinds, nothing more is needed
  if (meter && BigInt(m.steps) >= meter.limit) return concat(out);

  const pc = m.pc;
  const op = prog.ops[pc];
  const immLo = prog.immLo[pc];
  const t = trees(c);
  out.push(c.module.codeLeaves[pc], ...t.code.proof(pc));

  // stack section
  const k = Math.min(popCount(op, immLo), m.sp);
  if (k > 0) {
    for (let i = 1; i <= k; i++) out.push(word64(m.stackLo[m.sp - i], m.stackHi[m.sp - i]));
    out.push(c.stackHashAt(m.sp - k));
  }
  const top = (i: number) => m.stackLo[m.sp - 1 - i];

  // frame and locals sections
  if (op === M['local.get'] || op === M['local.set'] || op === M['local.tee'] || op === M.return) {
    if (m.fp > 0) {
      const fi = m.fp - 1;
      out.push(word(m.frameRet[fi]), word(m.frameNum[fi]), c.localsRoot(fi), c.frameChainAt(fi));
      if (op !== M.return) {
        const leaves = c.localsLeaves(fi);
        out.push(leaves[immLo], ...merkleProof(leaves, ceilLog2(m.frameNum[fi]), immLo));
      }
    }
  } else if (op === M['global.get'] || op === M['global.set']) {
    const leaves = c.globalsLeaves();
    out.push(leaves[immLo], ...merkleProof(leaves, c.module.globalsDepth, immLo));
  } else if (op === M.call_indirect || (op === M.metered_call && !meter)) {
    // metered_call: (tableIndex, arg, budget), the index is third from the top; nested: it traps
    const idx = top(op === M.metered_call ? 2 : 0) >>> 0;
    if (idx < prog.table.length) out.push(t.table[idx], ...merkleProof(t.table, c.module.tableDepth, idx));
  } else if (op === M['data.load8']) {
    const ea = (top(0) >>> 0) + (immLo >>> 0);
    if (ea < prog.data.length) {
      const leaf = Math.floor(ea / 32);
      out.push(t.data[leaf], ...merkleProof(t.data, c.module.dataDepth, leaf));
    }
  } else if (isLoad(op) || isStore(op)) {
    const w = accessWidth(op);
    const addrSlot = isStore(op) ? 1 : 0;
    const ea = (top(addrSlot) >>> 0) + (immLo >>> 0);
    if (ea + w <= m.pages * PAGE_SIZE) {
      if (isLoad(op)) memoryItems(c, out, leavesOf(ea, w), []);
      else memoryItems(c, out, [], writtenLeaves(c, ea, leBytes(top(0), m.stackHi[m.sp - 1], w)));
    }
  } else if (op === M.host) {
    proveHost(c, out, immLo, top);
  }
  return concat(out);
}

function proveHost(c: MachineCommitter, out: Word[], id: number, top: (i: number) => number): void {
  const m = c.m;
  const size = m.pages * PAGE_SIZE;
  const inBounds = (p: number) => (p >>> 0) + 32 <= size;
  const gs = m.globalState;
  // §7.5: the ops that use the global state (0, 2-5) read its preimage first
  if (usesGlobalState(id)) {
    out.push(gs.bytes32[0], gs.bytes32[1], word(gs.u64[0]), word(gs.u64[1]));
  }
  switch (id) {
    case HOST_FUNCS.inbox_read.id: {
      const offset = top(1) >>> 0;
      const ptr = top(0) >>> 0;
      if (!inBounds(ptr)) return;
      const msg = m.host.inboxMessage(gs.u64[0]) ?? new Uint8Array(0);
      const mc = messageCommitment(msg);
      out.push(word(mc.len), mc.root);
      const n = offset >= msg.length ? 0 : Math.min(32, msg.length - offset);
      for (const l of leavesOf(offset, n)) out.push(mc.leaves[l], ...merkleProof(mc.leaves, mc.depth, l));
      memoryItems(c, out, [], writtenLeaves(c, ptr, msg.subarray(offset, offset + n)));
      return;
    }
    case HOST_FUNCS.preimage_read.id: {
      const hashPtr = top(2) >>> 0;
      const offset = top(1) >>> 0;
      const ptr = top(0) >>> 0;
      if (!inBounds(hashPtr) || !inBounds(ptr) || hashPtr % 32 !== 0) return;
      const hash = m.memory.slice(hashPtr, hashPtr + 32);
      const pre = m.host.preimage(top(3) >>> 0, hash) ?? new Uint8Array(0);
      const n = Math.max(0, preimageChunkEnd(top(3) >>> 0, offset, pre.length) - offset);
      // the chunk itself comes from the preimage oracle on L1; the proof carries memory only
      memoryItems(c, out, [hashPtr / 32], writtenLeaves(c, ptr, pre.subarray(offset, offset + n)));
      return;
    }
    case HOST_FUNCS.get_global_bytes32.id: {
      const idx = top(1) >>> 0;
      const ptr = top(0) >>> 0;
      if (idx > 1 || !inBounds(ptr)) return;
      memoryItems(c, out, [], writtenLeaves(c, ptr, gs.bytes32[idx]));
      return;
    }
    case HOST_FUNCS.set_global_bytes32.id: {
      const idx = top(1) >>> 0;
      const ptr = top(0) >>> 0;
      if (idx > 1 || !inBounds(ptr)) return;
      memoryItems(c, out, leavesOf(ptr, 32), []);
      return;
    }
    case HOST_FUNCS.keccak256_pair.id: {
      const inPtr = top(1) >>> 0;
      const outPtr = top(0) >>> 0;
      if (inPtr + 64 > size || !inBounds(outPtr) || inPtr % 32 !== 0 || outPtr % 32 !== 0) return;
      const h = keccak256Of64(m.memory.subarray(inPtr, inPtr + 64));
      memoryItems(c, out, [inPtr / 32, inPtr / 32 + 1], writtenLeaves(c, outPtr, h));
      return;
    }
    case HOST_FUNCS.ecrecover.id: {
      const hashPtr = top(3) >>> 0;
      const sigPtr = top(2) >>> 0;
      const outPtr = top(0) >>> 0;
      if (!inBounds(hashPtr) || sigPtr + 64 > size || !inBounds(outPtr)) return;
      if (hashPtr % 32 !== 0 || sigPtr % 32 !== 0 || outPtr % 32 !== 0) return;
      const w = ecrecoverWord(
        m.memory.subarray(hashPtr, hashPtr + 32),
        m.memory.subarray(sigPtr, sigPtr + 64),
        top(1) >>> 0,
      );
      memoryItems(
        c,
        out,
        [hashPtr / 32, sigPtr / 32, sigPtr / 32 + 1],
        writtenLeaves(c, outPtr, w ?? new Uint8Array(32)),
      );
      return;
    }
    default:
      // hint_preimage has no sections: it only pops its arguments
      return;
  }
}

/** §7.5: host ops whose proof starts with the 4 global-state words (inbox_read and the global-state ops) */
export function usesGlobalState(id: number): boolean {
  return (
    id === HOST_FUNCS.inbox_read.id ||
    (id >= HOST_FUNCS.get_global_bytes32.id && id <= HOST_FUNCS.set_global_u64.id)
  );
}

function concat(words: Word[]): Uint8Array {
  const b = new Uint8Array(words.length * 32);
  words.forEach((w, i) => {
    b.set(w, i * 32);
  });
  return b;
}
