/**
 * The one-step verifier in TypeScript (docs/machine.md §7): computes the post-state hash from the
 * pre-state hash and a proof alone. It is the reference the Solidity verifier (contracts/osp/) is
 * written against, and an independent second implementation of the instruction semantics (on
 * bigints, over words) that the interpreter is differentially tested with.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { ModexError } from '../../core/errors.ts';
import { frameHash, hashMachineFields, type MachineFields, type MeterFields, meterHash } from './commit.ts';
import { ceilLog2, hashPair, hashWords, type Word, word, wordToBigInt, ZERO_HASHES } from './hash.ts';
import { HOST_FUNCS } from './host-abi.ts';
import { M } from './isa.ts';
import { rootFromPath } from './merkle.ts';
import { accessWidth, isLoad, isStore, leavesOf, popCount, usesGlobalState } from './proof.ts';

export class ProofError extends ModexError {
  constructor(message: string) {
    super('PROOF_INVALID', message);
  }
}

/** Data the verifier takes from L1 rather than from the proof. */
export interface VerifierEnv {
  /** the inbox's commitment to the message at `position` (§6.2), or undefined if there is none */
  inboxMessageHash(position: bigint): Word | undefined;
  /** up to 32 bytes of the preimage of `hash` from `offset` (the preimage oracle) */
  preimageChunk(kind: number, hash: Word, offset: number): Uint8Array;
}

const U32 = 0xffffffffn;
const U64 = (1n << 64n) - 1n;

class Reader {
  private i = 0;
  constructor(private readonly b: Uint8Array) {
    if (b.length % 32 !== 0) throw new ProofError(`proof length ${b.length} is not a multiple of 32`);
  }
  word(what: string): Word {
    if (this.i + 32 > this.b.length) throw new ProofError(`proof ends before ${what}`);
    const w = this.b.slice(this.i, this.i + 32);
    this.i += 32;
    return w;
  }
  num(what: string): bigint {
    return wordToBigInt(this.word(what));
  }
  path(depth: number, what: string): Word[] {
    const p: Word[] = [];
    for (let k = 0; k < depth; k++) p.push(this.word(what));
    return p;
  }
}

function bits(v: bigint, shift: bigint, width: bigint): number {
  return Number((v >> shift) & ((1n << width) - 1n));
}

const s32 = (v: bigint) => BigInt.asIntN(32, v);
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const b2n = (b: boolean) => (b ? 1n : 0n);

function clz(v: bigint, w: number): bigint {
  let n = 0;
  for (let i = w - 1; i >= 0 && ((v >> BigInt(i)) & 1n) === 0n; i--) n++;
  return BigInt(n);
}
function ctz(v: bigint, w: number): bigint {
  let n = 0;
  for (let i = 0; i < w && ((v >> BigInt(i)) & 1n) === 0n; i++) n++;
  return BigInt(n);
}
function popcnt(v: bigint): bigint {
  let n = 0n;
  for (let x = v; x > 0n; x >>= 1n) n += x & 1n;
  return n;
}

type Num = { v: bigint } | { trap: true };

/** Numeric instruction semantics on unsigned bigints; `a` is the first operand (deeper), `b` the top. */
function numeric(op: number, a: bigint, b: bigint): Num | undefined {
  const i32 = op >= M['i32.eqz'] && op <= M['i32.rotr'];
  const W = i32 ? 32 : 64;
  const mask = i32 ? U32 : U64;
  const sg = i32 ? s32 : s64;
  const base = i32 ? M['i32.eqz'] : M['i64.eqz'];
  if (op >= M['i32.wrap_i64']) {
    switch (op) {
      case M['i32.wrap_i64']:
        return { v: a & U32 };
      case M['i64.extend_i32_s']:
        return { v: BigInt.asUintN(64, s32(a)) };
      case M['i64.extend_i32_u']:
        return { v: a & U32 };
      case M['i32.extend8_s']:
        return { v: BigInt.asUintN(32, BigInt.asIntN(8, a)) };
      case M['i32.extend16_s']:
        return { v: BigInt.asUintN(32, BigInt.asIntN(16, a)) };
      case M['i64.extend8_s']:
        return { v: BigInt.asUintN(64, BigInt.asIntN(8, a)) };
      case M['i64.extend16_s']:
        return { v: BigInt.asUintN(64, BigInt.asIntN(16, a)) };
      case M['i64.extend32_s']:
        return { v: BigInt.asUintN(64, BigInt.asIntN(32, a)) };
    }
    return undefined;
  }
  const k = op - base;
  const sh = b & BigInt(W - 1);
  switch (k) {
    case 0:
      return { v: b2n(a === 0n) };
    case 1:
      return { v: b2n(a === b) };
    case 2:
      return { v: b2n(a !== b) };
    case 3:
      return { v: b2n(sg(a) < sg(b)) };
    case 4:
      return { v: b2n(a < b) };
    case 5:
      return { v: b2n(sg(a) > sg(b)) };
    case 6:
      return { v: b2n(a > b) };
    case 7:
      return { v: b2n(sg(a) <= sg(b)) };
    case 8:
      return { v: b2n(a <= b) };
    case 9:
      return { v: b2n(sg(a) >= sg(b)) };
    case 10:
      return { v: b2n(a >= b) };
    case 11:
      return { v: clz(a, W) };
    case 12:
      return { v: ctz(a, W) };
    case 13:
      return { v: popcnt(a) };
    case 14:
      return { v: (a + b) & mask };
    case 15:
      return { v: (a - b) & mask };
    case 16:
      return { v: (a * b) & mask };
    case 17: // div_s
      if (b === 0n) return { trap: true };
      if (sg(a) === -(1n << BigInt(W - 1)) && sg(b) === -1n) return { trap: true };
      return { v: BigInt.asUintN(W, sg(a) / sg(b)) };
    case 18:
      if (b === 0n) return { trap: true };
      return { v: a / b };
    case 19:
      if (b === 0n) return { trap: true };
      return { v: BigInt.asUintN(W, sg(a) % sg(b)) };
    case 20:
      if (b === 0n) return { trap: true };
      return { v: a % b };
    case 21:
      return { v: a & b };
    case 22:
      return { v: a | b };
    case 23:
      return { v: a ^ b };
    case 24:
      return { v: (a << sh) & mask };
    case 25:
      return { v: BigInt.asUintN(W, sg(a) >> sh) };
    case 26:
      return { v: a >> sh };
    case 27:
      return { v: ((a << sh) | (a >> ((BigInt(W) - sh) % BigInt(W)))) & mask };
    case 28:
      return { v: ((a >> sh) | (a << ((BigInt(W) - sh) % BigInt(W)))) & mask };
  }
  return undefined;
}

/**
 * Computes the post-state hash of one step. Throws ProofError when the proof does not match the
 * pre-state hash or its own commitments (a lying prover); returns a hash for every honest proof.
 */
export function verifyStep(preHash: Word, proof: Uint8Array, env: VerifierEnv): Word {
  const r = new Reader(proof);
  // §7.1 header: machine fields, module fields
  const scalars = r.num('machine scalars');
  const f: MachineFields = {
    status: bits(scalars, 192n, 8n),
    pc: bits(scalars, 160n, 32n),
    stackHeight: bits(scalars, 128n, 32n),
    frameDepth: bits(scalars, 96n, 32n),
    pages: bits(scalars, 64n, 32n),
    steps: Number(scalars & U64),
    stackHash: r.word('stack hash'),
    framesHash: r.word('frames hash'),
    globalsRoot: r.word('globals root'),
    memoryRoot: r.word('memory root'),
    moduleRoot: r.word('module root'),
    globalStateHash: r.word('global state hash'),
  };
  // §4.7: bit 200 of the scalars says a metered call is active: the meter hash, then its record
  const metered = ((scalars >> 200n) & 1n) === 1n;
  if (metered) f.meterHash = r.word('meter hash');
  if (!eq(hashMachineFields(f), preHash))
    throw new ProofError('machine fields do not hash to the pre-state hash');
  let meter: MeterFields | undefined;
  if (metered) {
    const mw = r.num('meter word');
    meter = {
      limit: (mw >> 128n) & U64,
      returnPc: bits(mw, 64n, 32n),
      stackHeight: bits(mw, 32n, 32n),
      frameDepth: bits(mw, 0n, 32n),
      stackHash: r.word('meter stack hash'),
      framesHash: r.word('meter frames hash'),
    };
    if (!eq(meterHash(meter), f.meterHash!))
      throw new ProofError('meter record does not match the meter hash');
  }
  const modFields = [
    r.word('code root'),
    r.word('table root'),
    r.word('data root'),
    r.word('sizes'),
    r.word('max steps'),
  ];
  if (!eq(hashWords(modFields), f.moduleRoot))
    throw new ProofError('module fields do not hash to the module root');
  const [codeRoot, tableRoot, dataRoot] = modFields;
  const sizes = wordToBigInt(modFields[3]);
  const codeLen = bits(sizes, 224n, 32n);
  const tableLen = bits(sizes, 192n, 32n);
  const dataLen = bits(sizes, 160n, 32n);
  const numGlobals = bits(sizes, 128n, 32n);
  const maxPages = bits(sizes, 64n, 32n);
  const maxFrames = bits(sizes, 32n, 32n);
  const maxStackHeight = bits(sizes, 0n, 32n);
  const maxSteps = wordToBigInt(modFields[4]);

  if (f.status !== 0) return preHash;
  const post: MachineFields = { ...f, steps: f.steps + 1 };
  // an errored machine has no metered call (§3.7)
  const errored = () => hashMachineFields({ ...f, status: 2, steps: f.steps + 1, meterHash: undefined });
  // §3.7: back to the metered call with `code` as its result
  const unwind = (mf: MeterFields, code: bigint) =>
    hashMachineFields({
      ...f,
      pc: mf.returnPc,
      stackHash: hashPair(mf.stackHash, word(code)),
      stackHeight: mf.stackHeight + 1,
      framesHash: mf.framesHash,
      frameDepth: mf.frameDepth,
      steps: f.steps + 1,
      meterHash: undefined,
    });
  const trap = () => (meter ? unwind(meter, 0xffffffffn) : errored());
  if (BigInt(f.steps) >= maxSteps) return errored();
  if (meter && BigInt(f.steps) >= meter.limit) return unwind(meter, 0xfffffffen);

  // §7.2 instruction
  const inst = r.num('instruction');
  if (f.pc >= codeLen) throw new ProofError(`pc ${f.pc} is outside the code (${codeLen} instructions)`);
  const codePath = r.path(ceilLog2(codeLen), 'code path');
  if (!eq(rootFromPath(word(inst), f.pc, codePath), codeRoot))
    throw new ProofError('code proof does not match the code root');
  const op = Number(inst >> 64n);
  const imm = inst & U64;
  const immLo = Number(imm & U32);

  // §7.3 stack section
  const k = popCount(op, immLo);
  if (k > f.stackHeight)
    throw new ProofError(`instruction pops ${k} values from a stack of ${f.stackHeight}`);
  const items: bigint[] = [];
  let rest = f.stackHash;
  if (k > 0) {
    for (let i = 0; i < k; i++) items.push(r.num('stack item'));
    rest = r.word('stack rest');
    let h = rest;
    for (let i = k - 1; i >= 0; i--) h = hashPair(h, word(items[i]));
    if (!eq(h, f.stackHash)) throw new ProofError('stack items do not match the stack hash');
  }
  let sh = rest;
  let height = f.stackHeight - k;
  const push = (v: bigint) => {
    sh = hashPair(sh, word(v));
    height++;
  };
  const done = () => hashMachineFields({ ...post, stackHash: sh, stackHeight: height });
  post.pc = f.pc + 1;

  const readFrame = () => {
    const ret = r.num('frame return pc');
    const num = r.num('frame locals');
    const localsRoot = r.word('frame locals root');
    const framesRest = r.word('frames rest');
    if (!eq(hashPair(framesRest, frameHash(Number(ret), Number(num), localsRoot)), f.framesHash)) {
      throw new ProofError('frame does not match the frames hash');
    }
    return { ret: Number(ret), num: Number(num), localsRoot, framesRest };
  };
  const enter = (entry: number, nLoc: number, maxH: number) => {
    if (f.frameDepth >= maxFrames) return trap();
    if (height + maxH > maxStackHeight) return trap();
    post.framesHash = hashPair(f.framesHash, frameHash(f.pc + 1, nLoc, ZERO_HASHES[ceilLog2(nLoc)]));
    post.frameDepth = f.frameDepth + 1;
    post.pc = entry;
    return done();
  };
  // §7.4 memory items
  let memRoot = f.memoryRoot;
  const depth = 11 + ceilLog2(Math.max(maxPages, 1));
  const readLeaf = (leaf: number): Word => {
    const v = r.word('memory leaf');
    const p = r.path(depth, 'memory path');
    if (!eq(rootFromPath(v, leaf, p), memRoot))
      throw new ProofError(`memory proof of leaf ${leaf} does not match`);
    return v;
  };
  const readBytes = (addr: number, len: number): Uint8Array => {
    const out = new Uint8Array(len);
    for (const leaf of leavesOf(addr, len)) {
      const v = readLeaf(leaf);
      for (let i = 0; i < len; i++) {
        const p = addr + i - leaf * 32;
        if (p >= 0 && p < 32) out[i] = v[p];
      }
    }
    return out;
  };
  const writeBytes = (addr: number, bytes: Uint8Array): void => {
    for (const leaf of leavesOf(addr, bytes.length)) {
      const v = r.word('memory leaf');
      const p = r.path(depth, 'memory path');
      if (!eq(rootFromPath(v, leaf, p), memRoot))
        throw new ProofError(`memory proof of leaf ${leaf} does not match`);
      const nv = v.slice();
      for (let i = 0; i < bytes.length; i++) {
        const q = addr + i - leaf * 32;
        if (q >= 0 && q < 32) nv[q] = bytes[i];
      }
      memRoot = rootFromPath(nv, leaf, p);
    }
    post.memoryRoot = memRoot;
  };
  const memSize = f.pages * 65536;

  switch (op) {
    case M.unreachable:
      return trap();
    case M.nop:
      return done();
    case M.jump:
      post.pc = immLo;
      return done();
    case M.jump_if:
      post.pc = items[0] !== 0n ? immLo : f.pc + 1;
      return done();
    case M.jump_if_zero:
      post.pc = items[0] === 0n ? immLo : f.pc + 1;
      return done();
    case M.br_table: {
      const i = items[0] & U32;
      post.pc = f.pc + 1 + Number(i < imm ? i : imm);
      return done();
    }
    case M.call:
      return enter(immLo, bits(imm, 32n, 16n), bits(imm, 48n, 16n));
    case M.metered_call:
    case M.call_indirect: {
      // metered_call (§3.7): items = budget, arg, tableIndex; a nested one traps
      if (op === M.metered_call && meter) return trap();
      const idx = Number(items[op === M.metered_call ? 2 : 0] & U32);
      if (idx >= tableLen) return trap();
      const leaf = r.num('table leaf');
      const p = r.path(ceilLog2(tableLen), 'table path');
      if (!eq(rootFromPath(word(leaf), idx, p), tableRoot))
        throw new ProofError('table proof does not match');
      if (leaf === 0n) return trap();
      if (bits(leaf, 96n, 32n) !== immLo) return trap();
      if (op === M.metered_call) {
        push(items[1]);
        const limit = BigInt(f.steps) + 1n + items[0];
        post.meterHash = meterHash({
          limit: limit > U64 ? U64 : limit,
          returnPc: f.pc + 1,
          stackHeight: f.stackHeight - 3,
          frameDepth: f.frameDepth,
          stackHash: rest,
          framesHash: f.framesHash,
        });
      }
      return enter(bits(leaf, 64n, 32n), bits(leaf, 32n, 32n), bits(leaf, 0n, 32n));
    }
    case M.return: {
      if (f.frameDepth === 0) return trap();
      const fr = readFrame();
      post.framesHash = fr.framesRest;
      post.frameDepth = f.frameDepth - 1;
      post.pc = fr.ret;
      // the metered call's callee returns (§3.7): the record is cleared, the result stays
      if (meter && post.frameDepth === meter.frameDepth) post.meterHash = undefined;
      return done();
    }
    case M.halt:
      post.status = 1;
      post.pc = f.pc;
      return done();
    case M.drop:
      return done();
    case M.drop_under: {
      for (let i = k - 2; i >= 0; i--) push(items[i]);
      return done();
    }
    case M.select:
      push(items[0] !== 0n ? items[2] : items[1]);
      return done();
    case M['local.get']:
    case M['local.set']:
    case M['local.tee']: {
      if (f.frameDepth === 0) throw new ProofError('local access without a frame');
      const fr = readFrame();
      if (immLo >= fr.num) throw new ProofError(`local ${immLo} of a frame with ${fr.num} locals`);
      const v = r.num('local value');
      const p = r.path(ceilLog2(fr.num), 'locals path');
      if (!eq(rootFromPath(word(v), immLo, p), fr.localsRoot))
        throw new ProofError('locals proof does not match');
      if (op === M['local.get']) {
        push(v);
        return done();
      }
      const nv = items[0];
      if (op === M['local.tee']) push(nv);
      const nr = rootFromPath(word(nv), immLo, p);
      post.framesHash = hashPair(fr.framesRest, frameHash(fr.ret, fr.num, nr));
      return done();
    }
    case M['global.get']:
    case M['global.set']: {
      const v = r.num('global value');
      const p = r.path(ceilLog2(numGlobals), 'globals path');
      if (!eq(rootFromPath(word(v), immLo, p), f.globalsRoot))
        throw new ProofError('globals proof does not match');
      if (op === M['global.get']) push(v);
      else post.globalsRoot = rootFromPath(word(items[0]), immLo, p);
      return done();
    }
    case M['i32.const']:
      push(imm & U32);
      return done();
    case M['i64.const']:
      push(imm);
      return done();
    case M['memory.size']:
      push(BigInt(f.pages));
      return done();
    case M['memory.grow']: {
      const delta = Number(items[0] & U32);
      if (f.pages + delta > maxPages) push(U32);
      else {
        push(BigInt(f.pages));
        post.pages = f.pages + delta;
      }
      return done();
    }
    case M['data.load8']: {
      const ea = Number(items[0] & U32) + immLo;
      if (ea >= dataLen) return trap();
      const leaf = r.word('data leaf');
      const p = r.path(ceilLog2(Math.ceil(dataLen / 32)), 'data path');
      if (!eq(rootFromPath(leaf, Math.floor(ea / 32), p), dataRoot))
        throw new ProofError('data proof does not match');
      push(BigInt(leaf[ea % 32]));
      return done();
    }
    case M.host:
      return host();
  }
  if (isLoad(op) || isStore(op)) {
    const w = accessWidth(op);
    const addr = Number(items[isStore(op) ? 1 : 0] & U32) + immLo;
    if (addr + w > memSize) return trap();
    if (isStore(op)) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, items[0], true);
      writeBytes(addr, b.subarray(0, w));
      return done();
    }
    const b = readBytes(addr, w);
    let v = 0n;
    for (let i = w - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    const signed = [
      M['i32.load8_s'],
      M['i32.load16_s'],
      M['i64.load8_s'],
      M['i64.load16_s'],
      M['i64.load32_s'],
    ].includes(op);
    const to64 = op === M['i64.load'] || (op >= M['i64.load8_s'] && op <= M['i64.load32_u']);
    if (signed) v = BigInt.asUintN(to64 ? 64 : 32, BigInt.asIntN(w * 8, v));
    push(v);
    return done();
  }
  const res = numeric(op, k === 2 ? items[1] : items[0], items[0]);
  if (!res) throw new ProofError(`opcode ${op} is not defined`);
  if ('trap' in res) return trap();
  push(res.v);
  return done();

  function host(): Word {
    const id = immLo;
    let gs: { b: [Word, Word]; u: [bigint, bigint] } | undefined;
    if (usesGlobalState(id)) {
      const b: [Word, Word] = [r.word('global state'), r.word('global state')];
      const u: [bigint, bigint] = [r.num('global state'), r.num('global state')];
      if (!eq(hashWords([b[0], b[1], word(u[0]), word(u[1])]), f.globalStateHash)) {
        throw new ProofError('global state does not match its hash');
      }
      gs = { b, u };
    }
    const setGs = () => {
      post.globalStateHash = hashWords([gs!.b[0], gs!.b[1], word(gs!.u[0]), word(gs!.u[1])]);
    };
    const inBounds = (p: number) => p + 32 <= memSize;
    switch (id) {
      case HOST_FUNCS.inbox_read.id: {
        const ptr = Number(items[0] & U32);
        const offset = Number(items[1] & U32);
        if (!inBounds(ptr)) return trap();
        const len = Number(r.num('message length'));
        const root = r.word('message root');
        const expected = env.inboxMessageHash(gs!.u[0]);
        if (!expected || !eq(hashPair(word(len), root), expected)) {
          throw new ProofError('message commitment does not match the inbox');
        }
        const n = offset >= len ? 0 : Math.min(32, len - offset);
        const chunk = new Uint8Array(n);
        for (const leaf of leavesOf(offset, n)) {
          const v = r.word('message chunk');
          const p = r.path(ceilLog2(Math.ceil(len / 32)), 'message path');
          if (!eq(rootFromPath(v, leaf, p), root)) throw new ProofError('message chunk proof does not match');
          for (let i = 0; i < n; i++) {
            const q = offset + i - leaf * 32;
            if (q >= 0 && q < 32) chunk[i] = v[q];
          }
        }
        writeBytes(ptr, chunk);
        push(BigInt(n));
        return done();
      }
      case HOST_FUNCS.preimage_read.id: {
        const ptr = Number(items[0] & U32);
        const offset = Number(items[1] & U32);
        const hashPtr = Number(items[2] & U32);
        const kind = Number(items[3] & U32);
        if (!inBounds(hashPtr) || !inBounds(ptr) || hashPtr % 32 !== 0) return trap();
        const hash = readLeaf(hashPtr / 32);
        const chunk = env.preimageChunk(kind, hash, offset);
        if (chunk.length > 32) throw new ProofError('preimage oracle returned more than 32 bytes');
        writeBytes(ptr, chunk);
        push(BigInt(chunk.length));
        return done();
      }
      case HOST_FUNCS.get_global_bytes32.id: {
        const ptr = Number(items[0] & U32);
        const idx = Number(items[1] & U32);
        if (idx > 1 || !inBounds(ptr)) return trap();
        writeBytes(ptr, gs!.b[idx]);
        return done();
      }
      case HOST_FUNCS.set_global_bytes32.id: {
        const ptr = Number(items[0] & U32);
        const idx = Number(items[1] & U32);
        if (idx > 1 || !inBounds(ptr)) return trap();
        gs!.b[idx] = readBytes(ptr, 32);
        setGs();
        return done();
      }
      case HOST_FUNCS.get_global_u64.id: {
        const idx = Number(items[0] & U32);
        if (idx > 1) return trap();
        push(gs!.u[idx]);
        return done();
      }
      case HOST_FUNCS.set_global_u64.id: {
        const idx = Number(items[1] & U32);
        if (idx > 1) return trap();
        gs!.u[idx] = items[0];
        setGs();
        return done();
      }
      case HOST_FUNCS.halt.id:
        if (meter) return trap();
        post.status = 1;
        post.pc = f.pc;
        return done();
      case HOST_FUNCS.keccak256_pair.id: {
        const outPtr = Number(items[0] & U32);
        const inPtr = Number(items[1] & U32);
        if (inPtr + 64 > memSize || !inBounds(outPtr) || inPtr % 32 !== 0 || outPtr % 32 !== 0) return trap();
        const a = readLeaf(inPtr / 32);
        const b = readLeaf(inPtr / 32 + 1);
        writeBytes(outPtr, hashPair(a, b));
        return done();
      }
      case HOST_FUNCS.ecrecover.id: {
        const outPtr = Number(items[0] & U32);
        const v = items[1] & U32;
        const sigPtr = Number(items[2] & U32);
        const hashPtr = Number(items[3] & U32);
        if (!inBounds(hashPtr) || sigPtr + 64 > memSize || !inBounds(outPtr)) return trap();
        if (hashPtr % 32 !== 0 || sigPtr % 32 !== 0 || outPtr % 32 !== 0) return trap();
        const hash = readLeaf(hashPtr / 32);
        const rw = readLeaf(sigPtr / 32);
        const sw = readLeaf(sigPtr / 32 + 1);
        const res = ecrecoverPrecompile(hash, wordToBigInt(rw), wordToBigInt(sw), v);
        writeBytes(outPtr, res ?? new Uint8Array(32));
        push(res ? 1n : 0n);
        return done();
      }
      case HOST_FUNCS.hint_preimage.id:
        // no effect on the machine: pops its two arguments
        return done();
    }
    throw new ProofError(`host op ${id} is not defined`);
  }
}

/**
 * The EVM ecrecover precompile (0x01) as `ecrecover` defines it (docs/machine.md §6), written
 * independently of the interpreter's `ecrecoverWord` (host-abi.ts), on curve points: v ∈ {27, 28},
 * r, s ∈ [1, n-1] (a high s is accepted), R = the point with x = r and y's parity v - 27,
 * Q = r⁻¹(sR - zG) with z = hash mod n. Returns 12 zero bytes ‖ keccak256(Q)[12..32], or undefined
 * when recovery fails (bad v, r or s, r not an x-coordinate on the curve, Q at infinity).
 */
export function ecrecoverPrecompile(hash: Word, r: bigint, s: bigint, v: bigint): Word | undefined {
  const P = secp256k1.Point;
  const Fn = P.Fn;
  const n = Fn.ORDER;
  if ((v !== 27n && v !== 28n) || r === 0n || r >= n || s === 0n || s >= n) return undefined;
  let R: InstanceType<typeof P>;
  try {
    const enc = new Uint8Array(33);
    enc[0] = v === 27n ? 2 : 3;
    enc.set(word(r), 1);
    R = P.fromBytes(enc);
  } catch {
    return undefined;
  }
  const rInv = Fn.inv(r);
  const z = wordToBigInt(hash) % n;
  const Q = P.BASE.multiplyUnsafe(Fn.create(-z * rInv)).add(R.multiplyUnsafe(Fn.create(s * rInv)));
  if (Q.is0()) return undefined;
  const out = new Uint8Array(32);
  out.set(keccak_256(Q.toBytes(false).subarray(1)).subarray(12), 12);
  return out;
}

function eq(a: Word, b: Word): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
