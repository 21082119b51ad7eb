// The EVM interpreter (Cancun): frames, opcodes with exact gas, calls and creates (docs/evm.md §5).
// Stack words are u256 (u256.ts: 32 bytes, little-endian u64 limbs) on raw memory; memory, code,
// return data and logs are byte ranges in the SDK arena, released by the caller after the
// transaction. A failure of any kind inside a frame is an exceptional halt (status ERROR: all the
// frame's gas is consumed and its changes undone), never a trap of the machine.
import { alloc32, copy32, copyBytes, eq32, heapAlloc32, isZero32, writeU32BE, zero32 } from "../../sdk/bytes";
import { keccak256 } from "../../sdk/keccak";
import { blockHash, Env } from "./env";
import {
  G_CALL_STIPEND,
  G_CALL_VALUE,
  G_CODE_DEPOSIT,
  G_COLD_ACCOUNT,
  G_COLD_SLOAD,
  G_COPY_WORD,
  G_EXP_BYTE,
  G_INITCODE_WORD,
  G_KECCAK_WORD,
  G_LOG_DATA,
  G_NEW_ACCOUNT,
  G_SSTORE_RESET,
  G_SSTORE_SET,
  G_WARM,
  MAX_CODE_SIZE,
  MAX_DEPTH,
  MAX_INITCODE_SIZE,
  memGas,
  OPS,
  R_SSTORE_CLEARS,
  STACK_LIMIT,
} from "./gas";
import { isPrecompile, PrecompileResult, runPrecompile } from "./precompiles/index";
import {
  u256Add,
  u256AddMod,
  u256And,
  u256Byte,
  u256ByteLen,
  u256Copy,
  u256Div,
  u256Eq,
  u256Exp,
  u256FitsU64,
  u256FromBE,
  u256Gt,
  u256IsZero,
  u256Lt,
  u256Mod,
  u256Mul,
  u256MulMod,
  u256Not,
  u256Or,
  u256Sar,
  u256SDiv,
  u256SetU64,
  u256Sgt,
  u256Shl,
  u256Shr,
  u256SignExtend,
  u256Slt,
  u256SMod,
  u256Sub,
  u256ToBE,
  u256Xor,
} from "./u256";
import {
  ACC_BALANCE,
  ACC_CODEHASH,
  ACC_CODELEN,
  ACC_JUMPDESTS,
  ACC_NONCE,
  accChange,
  accCode,
  accCodeLen,
  account,
  accHadStorage,
  accHas,
  accIsEmpty,
  accSetCode,
  accSetFlags,
  F_CREATED,
  F_DESTRUCTED,
  F_EXISTS,
  F_TOUCHED,
  F_WARM,
  SLOT_CUR,
  SLOT_ORIG,
  slot,
  slotSet,
  slotWarm,
  tslot,
  tslotSet,
  worldMark,
  worldRevert,
} from "./world";
import { zeroMem } from "./mem";
import { WITHDRAW_GAS, WITHDRAW_ID, wdCount, wdReset, wdRestore, withdrawCall } from "./withdraw";

export const ERROR: i32 = 0;
export const SUCCESS: i32 = 1;
export const REVERT: i32 = 2;

export const CALL: i32 = 0xf1;
export const CALLCODE: i32 = 0xf2;
export const DELEGATECALL: i32 = 0xf4;
export const STATICCALL: i32 = 0xfa;

// ---- the transaction context (set by applyTransaction) ----------------------------------------

export let txEnv: Env = changetype<Env>(0);
/** 20 bytes */
export let txOrigin: usize = 0;
/** the effective gas price, u256 */
export let txGasPrice: usize = 0;
export let txBlobHashes: usize = 0;
export let txBlobCount: i32 = 0;
/** the refund counter (EIP-3529; may go negative inside a transaction) */
export let refund: i64 = 0;

// logs, in the result record's format (docs/evm.md §2)
export let logBuf: usize = 0;
export let logLen: i32 = 0;
export let logCount: u32 = 0;
let logCap: i32 = 0;

export function beginTx(env: Env, origin: usize, gasPrice: usize, blobHashes: usize, blobCount: i32): void {
  txEnv = env;
  txOrigin = origin;
  txGasPrice = gasPrice;
  txBlobHashes = blobHashes;
  txBlobCount = blobCount;
  refund = 0;
  logCap = 1024;
  logBuf = alloc32(logCap);
  logLen = 0;
  logCount = 0;
  wdReset();
  framePool = alloc32((MAX_DEPTH + 2) * 4);
  zeroMem(framePool, (MAX_DEPTH + 2) * 4);
}

function logReserve(n: i32): usize {
  if (logLen + n > logCap) {
    let cap = logCap * 2;
    while (cap < logLen + n) cap *= 2;
    const b = alloc32(cap);
    copyBytes(b, logBuf, logLen);
    logBuf = b;
    logCap = cap;
  }
  const p = logBuf + <usize>logLen;
  logLen += n;
  return p;
}

// ---- frames ---------------------------------------------------------------------------------------

@unmanaged
export class Frame {
  code: usize;
  codeLen: i32;
  /** one byte per code byte: 1 = a valid JUMPDEST */
  jumpdests: usize;
  /** 20 bytes: the account whose storage and balance the code acts on */
  address: usize;
  /** 20 bytes */
  caller: usize;
  /** u256 */
  value: usize;
  input: usize;
  inputLen: i32;
  /** the input's bytes in memory: those past it are zeros (a caller's memory never written there) */
  inputPhys: i32;
  gas: u64;
  isStatic: bool;
  depth: i32;
  mem: usize;
  /** the EVM memory size (MSIZE, memory gas) */
  memLen: u64;
  /** the bytes of memory held (zeroed or written); those from memPhys to memLen are zeros not held */
  memPhys: u64;
  memCap: u64;
  /** the return data of the last call or create */
  ret: usize;
  retLen: i32;
  /** this frame's output (RETURN, REVERT) */
  out: usize;
  outLen: i32;
  stack: usize;
  /** the end of the stack segment this frame's stack is in */
  segEnd: usize;
}

// stack space: a frame may use 1024 words. A child's stack starts where its parent's live stack
// ends, in one region kept for the whole run (2 MiB: 64 Ki words, enough for 1,024 nested frames
// of 64 words each); a frame that would not fit gets a segment of its own in the arena.
const STACK_BYTES: usize = <usize>STACK_LIMIT * 32;
const REGION_BYTES: usize = 2 << 20;
let region: usize = 0;

// Frames are kept per depth for the whole transaction (frames are strictly nested): a call reuses
// the frame record and the memory buffer of the last call at its depth, so that 50,000 calls in a
// row need no more memory than one. A frame's memory holds its output (the caller's return data)
// until the next call at the same depth, which the caller makes only after it is done with it.
let framePool: usize = 0;
const INLINE: usize = 96;
const FRAME_BYTES: i32 = <i32>offsetof<Frame>() + <i32>INLINE; // address 20 @0, caller 20 @32, value u256 @64, after the Frame fields

/**
 * The frame at `depth`, its stack starting at parentSp when its segment (ending at segEnd) has
 * room; address, caller and value are copied into it.
 */
function newFrame(depth: i32, parentSp: usize, segEnd: usize, address: usize, caller: usize, value: usize): Frame {
  const slot = framePool + (<usize>depth << 2);
  let p = <usize>load<u32>(slot);
  if (p == 0) {
    p = alloc32(FRAME_BYTES);
    zeroMem(p, <usize>FRAME_BYTES);
    store<u32>(slot, <u32>p);
  }
  const f = changetype<Frame>(p);
  const inline = p + offsetof<Frame>();
  copyBytes(inline, address, 20);
  copyBytes(inline + 32, caller, 20);
  u256Copy(inline + 64, value);
  f.address = inline;
  f.caller = inline + 32;
  f.value = inline + 64;
  f.memLen = 0;
  f.memPhys = 0;
  f.ret = EMPTY;
  f.retLen = 0;
  f.out = EMPTY;
  f.outLen = 0;
  f.depth = depth;
  let base = parentSp;
  let end = segEnd;
  if (base == 0) {
    if (region == 0) region = heapAlloc32(<i32>REGION_BYTES);
    base = region;
    end = region + REGION_BYTES;
  }
  if (base + STACK_BYTES > end) {
    base = alloc32(<i32>STACK_BYTES);
    end = base + STACK_BYTES;
  }
  f.stack = base;
  f.segEnd = end;
  return f;
}

/** The JUMPDEST map of code (one byte per code byte; PUSH data excluded). */
export function analyze(code: usize, len: i32): usize {
  const m = alloc32(len + 1);
  zeroMem(m, <usize>len + 1);
  let i: i32 = 0;
  while (i < len) {
    const op = <i32>load<u8>(code + <usize>i);
    if (op == 0x5b) store<u8>(m + <usize>i, 1);
    else if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
    i++;
  }
  return m;
}

/** the account's JUMPDEST map, made once per code per transaction */
function jumpdestsOf(acc: usize): usize {
  let m = <usize>load<u32>(acc + ACC_JUMPDESTS);
  if (m == 0) {
    m = analyze(accCode(acc), load<i32>(acc + ACC_CODELEN));
    store<u32>(acc + ACC_JUMPDESTS, <u32>m);
  }
  return m;
}

// ---- helpers ------------------------------------------------------------------------------------

const MAX_U64: u64 = 0xffffffffffffffff;
/** the largest memory size we consider (beyond it a run is out of gas: its memory gas exceeds 2^63) */
const MEM_LIMIT: u64 = 0xffffffff;

/** a stack word as u64, saturated (a value ≥ 2^64 reads as 2^64 − 1) */
@inline function u64Of(p: usize): u64 {
  return u256FitsU64(p) ? load<u64>(p) : MAX_U64;
}

@inline function words(n: u64): u64 {
  return (n + 31) >> 5;
}

/** the memory gas to grow memory to hold [off, off + size); MAX_U64 when too large */
function memCost(f: Frame, off: u64, size: u64): u64 {
  if (size == 0) return 0;
  if (off > MEM_LIMIT || size > MEM_LIMIT) return MAX_U64;
  const end = off + size;
  if (end <= f.memLen) return 0;
  const w = words(end);
  return memGas(w) - memGas(f.memLen >> 5);
}

/** grows memory (zero-filled, held) to hold [off, off + size); the gas was charged */
function memGrow(f: Frame, off: u64, size: u64): void {
  if (size == 0) return;
  const end = off + size;
  if (end <= f.memPhys) return;
  const newLen = words(end) << 5;
  if (newLen > f.memCap) {
    let cap = f.memCap == 0 ? <u64>1024 : f.memCap * 2;
    while (cap < newLen) cap *= 2;
    const m = alloc32(<i32>cap);
    if (f.memPhys > 0) copyBytes(m, f.mem, <i32>f.memPhys);
    f.mem = m;
    f.memCap = cap;
  }
  zeroMem(f.mem + <usize>f.memPhys, <usize>(newLen - f.memPhys));
  f.memPhys = newLen;
  if (newLen > f.memLen) f.memLen = newLen;
}

/**
 * grows the memory size to hold [off, off + size) without holding the new bytes (they are zeros):
 * a call's input range, read by the callee through inputPhys (Call1MB1024Calldepth: 1 MB of zeros
 * per level, 1,024 levels deep, would not fit the machine's 64 MiB otherwise)
 */
function memGrowSize(f: Frame, off: u64, size: u64): void {
  if (size == 0) return;
  const newLen = words(off + size) << 5;
  if (newLen > f.memLen) f.memLen = newLen;
}

/** copies `size` bytes of src[off..] (zero beyond srcLen) to dst */
function copyPadded(dst: usize, src: usize, srcLen: u64, off: u64, size: u64): void {
  if (size == 0) return;
  let n: u64 = 0;
  if (off < srcLen) {
    n = srcLen - off;
    if (n > size) n = size;
    copyBytes(dst, src + <usize>off, <i32>n);
  }
  if (n < size) zeroMem(dst + <usize>n, <usize>(size - n));
}

const CALL_VALUE = memory.data(32, 8);
const TMP = memory.data(64, 8);

const ADDR_SCRATCH = memory.data(32, 8);

/**
 * The address in the stack word at p (its low 20 bytes), in a scratch buffer valid until the next
 * addrOf (callers copy it: account records, frames).
 */
function addrOf(p: usize): usize {
  u256ToBE(TMP, p);
  copyBytes(ADDR_SCRATCH, TMP + 12, 20);
  return ADDR_SCRATCH;
}

/** stack word = the 20-byte address at a */
function pushAddr(p: usize, a: usize): void {
  u256FromBE(p, a, 20);
}

/** Marks an account warm (EIP-2929); returns its access gas (100 warm, 2600 cold). */
function accessGas(acc: usize): u64 {
  if (accHas(acc, F_WARM) || precompileId(acc) != 0) return G_WARM; // precompiles are always warm
  accSetFlags(acc, F_WARM);
  return G_COLD_ACCOUNT;
}

/** Moves `value` from one account to another (both touched; the balance was checked). */
export function transfer(from: usize, to: usize, value: usize): void {
  accChange(from);
  u256Sub(from + ACC_BALANCE, from + ACC_BALANCE, value);
  accSetFlags(from, F_TOUCHED);
  accChange(to);
  u256Add(to + ACC_BALANCE, to + ACC_BALANCE, value);
  accSetFlags(to, F_TOUCHED | F_EXISTS);
}

// ---- results of a call or create (set by callFrame / createFrame) -------------------------------

export let resGas: u64 = 0;
export let resOut: usize = 0;
export let resOutLen: i32 = 0;
/** the created address (20 bytes) of the last successful create */
export let resAddress: usize = 0;

const EMPTY: usize = memory.data(32, 32);

/**
 * A message call (CALL, CALLCODE, DELEGATECALL, STATICCALL, or the transaction's call). `address`:
 * the account whose storage the code uses; `codeAddr`: whose code runs; `transferValue`: move
 * `value` from caller to address. Returns SUCCESS / REVERT / ERROR; the gas left in resGas and the
 * output in resOut/resOutLen.
 */
export function callFrame(
  kind: i32,
  caller: usize,
  address: usize,
  codeAddr: usize,
  value: usize,
  input: usize,
  inputLen: i32,
  inputPhys: i32,
  gas: u64,
  isStatic: bool,
  depth: i32,
  parentSp: usize,
  segEnd: usize,
): i32 {
  resOut = EMPTY;
  resOutLen = 0;
  resGas = gas;
  if (depth > MAX_DEPTH) return REVERT_NO_CHANGE;
  const transfers = kind == CALL || kind == CALLCODE;
  if (transfers && !u256IsZero(value)) {
    const c = account(caller);
    if (u256Lt(c + ACC_BALANCE, value)) return REVERT_NO_CHANGE;
  }
  const mark = worldMark();
  const logMark = logLen;
  const logCountMark = logCount;
  const wdMark = wdCount;
  const refundMark = refund;
  const target = account(address);
  const pc = precompileId(codeAddr);
  if (kind == CALL) {
    if (!accHas(target, F_EXISTS) && pc == 0 && u256IsZero(value)) {
      return SUCCESS; // geth: nothing to run, nothing created or touched
    }
    transfer(account(caller), target, value);
  } else if (kind == STATICCALL) {
    accSetFlags(target, F_TOUCHED); // geth: AddBalance(addr, 0) "to trigger a touch"
  }
  let status: i32;
  if (pc != 0) {
    let data = input;
    if (inputPhys < inputLen) {
      // a precompile reads its whole input: the zeros past inputPhys are made here
      data = alloc32(inputLen);
      if (inputPhys > 0) copyBytes(data, input, inputPhys);
      zeroMem(data + <usize>inputPhys, <usize>(inputLen - inputPhys));
    }
    if (pc == WITHDRAW_ID) {
      // docs/evm.md §4: the withdrawal precompile (the chain's env only; precompileId)
      if (withdrawCall(kind == CALL, caller, target, value, data, inputLen, gas)) {
        status = SUCCESS;
        resGas = gas - WITHDRAW_GAS;
      } else {
        status = ERROR;
      }
    } else {
      const r: PrecompileResult = runPrecompile(pc, data, inputLen, gas);
      if (r.ok) {
        status = SUCCESS;
        resGas = gas - r.gasUsed;
        resOut = r.out;
        resOutLen = r.outLen;
      } else {
        status = ERROR;
      }
    }
  } else {
    const code = account(codeAddr);
    const len = accCodeLen(code);
    if (len == 0) return SUCCESS;
    const f = newFrame(depth, parentSp, segEnd, address, caller, value);
    f.code = accCode(code);
    f.codeLen = len;
    f.jumpdests = jumpdestsOf(code);
    f.input = input;
    f.inputLen = inputLen;
    f.inputPhys = inputPhys;
    f.gas = gas;
    f.isStatic = isStatic;
    status = execute(f);
    resGas = f.gas;
    resOut = f.out;
    resOutLen = f.outLen;
  }
  if (status != SUCCESS) {
    worldRevert(mark);
    logLen = logMark;
    logCount = logCountMark;
    wdRestore(wdMark);
    refund = refundMark;
    if (status == ERROR) {
      resGas = 0;
      resOut = EMPTY;
      resOutLen = 0;
    }
  }
  return status;
}

/** callFrame's "not even started" failure (depth, balance): all gas back, no return data */
const REVERT_NO_CHANGE: i32 = 3;

/** the precompile id of a 20-byte address (1–10; 0x64 in the chain's env, docs/evm.md §4), else 0 */
export function precompileId(a: usize): i32 {
  if (load<u64>(a) != 0 || load<u64>(a, 8) != 0) return 0;
  const last = bswap<u32>(load<u32>(a, 16));
  if (last == 0 || last > 0xff) return 0;
  if (<i32>last == WITHDRAW_ID) return txEnv.withdrawals ? WITHDRAW_ID : 0;
  return isPrecompile(<i32>last) ? <i32>last : 0;
}

const CREATE_BUF = memory.data(128, 8);

/** The address of CREATE (rlp([sender, nonce])) into out (20 bytes). */
export function createAddress(out: usize, sender: usize, nonce: u64): void {
  const b = CREATE_BUF;
  // rlp(nonce)
  let nlen: i32 = 0;
  const nb = TMP;
  if (nonce == 0) {
    store<u8>(nb, 0x80);
    nlen = 1;
  } else if (nonce < 0x80) {
    store<u8>(nb, <u8>nonce);
    nlen = 1;
  } else {
    let bytes: i32 = 0;
    for (let v = nonce; v != 0; v >>= 8) bytes++;
    store<u8>(nb, <u8>(0x80 + bytes));
    for (let i: i32 = 0; i < bytes; i++) store<u8>(nb + <usize>(1 + i), <u8>(nonce >> (<u64>(bytes - 1 - i) << 3)));
    nlen = 1 + bytes;
  }
  store<u8>(b, <u8>(0xc0 + 21 + nlen));
  store<u8>(b, 0x94, 1);
  copyBytes(b + 2, sender, 20);
  copyBytes(b + 22, nb, nlen);
  const h = alloc32(32);
  keccak256(b, 22 + nlen, h);
  copyBytes(out, h + 12, 20);
}

/** The address of CREATE2 (keccak256(0xff ‖ sender ‖ salt ‖ keccak256(initcode))) into out. */
export function create2Address(out: usize, sender: usize, salt: usize, code: usize, len: i32): void {
  const b = CREATE_BUF;
  store<u8>(b, 0xff);
  copyBytes(b + 1, sender, 20);
  u256ToBE(b + 21, salt);
  keccak256(code, len, b + 53);
  const h = alloc32(32);
  keccak256(b, 85, h);
  copyBytes(out, h + 12, 20);
}

/**
 * A contract creation (CREATE, CREATE2, or the transaction's create) of `initcode` by `caller`
 * at `address` (computed by the caller, from the caller's nonce before this call). Returns
 * SUCCESS / REVERT / ERROR / REVERT_NO_CHANGE, the gas left in resGas, the revert output in resOut.
 */
export function createFrame(
  caller: usize,
  address: usize,
  value: usize,
  initcode: usize,
  initLen: i32,
  gas: u64,
  depth: i32,
  parentSp: usize,
  segEnd: usize,
): i32 {
  resOut = EMPTY;
  resOutLen = 0;
  resGas = gas;
  resAddress = 0;
  if (depth > MAX_DEPTH) return REVERT_NO_CHANGE;
  const c = account(caller);
  if (u256Lt(c + ACC_BALANCE, value)) return REVERT_NO_CHANGE;
  const nonce = load<u64>(c + ACC_NONCE);
  if (nonce == MAX_U64) return REVERT_NO_CHANGE;
  accChange(c);
  store<u64>(c + ACC_NONCE, nonce + 1);
  const target = account(address);
  accSetFlags(target, F_WARM);
  // EIP-7610 / EIP-684: a nonce, code or storage at the address is a collision (all gas consumed)
  if (load<u64>(target + ACC_NONCE) != 0 || accCodeLen(target) != 0 || accHadStorage(target)) {
    resGas = 0;
    return ERROR;
  }
  const mark = worldMark();
  const logMark = logLen;
  const logCountMark = logCount;
  const wdMark = wdCount;
  const refundMark = refund;
  accChange(target);
  store<u64>(target + ACC_NONCE, 1); // EIP-161
  accSetFlags(target, F_EXISTS | F_CREATED | F_TOUCHED);
  transfer(c, target, value);
  let status = SUCCESS;
  let left = gas;
  if (initLen > 0) {
    const f = newFrame(depth, parentSp, segEnd, address, caller, value);
    f.code = initcode;
    f.codeLen = initLen;
    f.jumpdests = analyze(initcode, initLen);
    f.input = EMPTY;
    f.inputLen = 0;
    f.inputPhys = 0;
    f.gas = gas;
    f.isStatic = false;
    status = execute(f);
    left = f.gas;
    if (status == SUCCESS) {
      const len = f.outLen;
      const deposit = <u64>len * G_CODE_DEPOSIT;
      if (len > MAX_CODE_SIZE || (len > 0 && load<u8>(f.out) == 0xef) || deposit > left) {
        status = ERROR; // EIP-170, EIP-3541, code deposit out of gas
      } else {
        left -= deposit;
        accSetCode(target, f.out, len);
      }
    } else if (status == REVERT) {
      resOut = f.out;
      resOutLen = f.outLen;
    }
  }
  resGas = left;
  if (status != SUCCESS) {
    worldRevert(mark);
    logLen = logMark;
    logCount = logCountMark;
    wdRestore(wdMark);
    refund = refundMark;
    if (status == ERROR) {
      resGas = 0;
      resOut = EMPTY;
      resOutLen = 0;
    }
  } else {
    resAddress = address;
  }
  return status;
}

// ---- the interpreter loop --------------------------------------------------------------------

const W = memory.data(64, 8);

/** Runs a frame to its end; returns SUCCESS, REVERT or ERROR (f.gas = the gas left, 0 on ERROR). */
export function execute(f: Frame): i32 {
  const code = f.code;
  const codeLen = f.codeLen;
  const jd = f.jumpdests;
  const base = f.stack;
  const limit = base + STACK_BYTES;
  let sp = base;
  let gas = f.gas;
  let pc: i32 = 0;
  for (;;) {
    const op = pc < codeLen ? <i32>load<u8>(code + <usize>pc) : 0;
    const info = OPS + (<usize>op << 2);
    const needed = <usize>load<u8>(info, 2);
    if (needed == 0xff) return fail(f); // undefined opcode (0xfe INVALID among them)
    if (sp - base < needed << 5) return fail(f); // stack underflow
    if (sp - (needed << 5) + (<usize>load<u8>(info, 3) << 5) > limit) return fail(f); // overflow
    const sg = <u64>load<u16>(info);
    if (gas < sg) return fail(f);
    gas -= sg;
    pc++;
    switch (op) {
      case 0x00: {
        f.gas = gas;
        f.outLen = 0;
        return SUCCESS;
      }
      case 0x01: {
        u256Add(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x02: {
        u256Mul(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x03: {
        u256Sub(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x04: {
        u256Div(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x05: {
        u256SDiv(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x06: {
        u256Mod(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x07: {
        u256SMod(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x08: {
        u256AddMod(sp - 96, sp - 32, sp - 64, sp - 96);
        sp -= 64;
        continue;
      }
      case 0x09: {
        u256MulMod(sp - 96, sp - 32, sp - 64, sp - 96);
        sp -= 64;
        continue;
      }
      case 0x0a: {
        const c = G_EXP_BYTE * <u64>u256ByteLen(sp - 64);
        if (gas < c) return fail(f);
        gas -= c;
        u256Exp(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x0b: {
        u256SignExtend(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x10: {
        u256SetU64(sp - 64, u256Lt(sp - 32, sp - 64) ? 1 : 0);
        sp -= 32;
        continue;
      }
      case 0x11: {
        u256SetU64(sp - 64, u256Gt(sp - 32, sp - 64) ? 1 : 0);
        sp -= 32;
        continue;
      }
      case 0x12: {
        u256SetU64(sp - 64, u256Slt(sp - 32, sp - 64) ? 1 : 0);
        sp -= 32;
        continue;
      }
      case 0x13: {
        u256SetU64(sp - 64, u256Sgt(sp - 32, sp - 64) ? 1 : 0);
        sp -= 32;
        continue;
      }
      case 0x14: {
        u256SetU64(sp - 64, u256Eq(sp - 32, sp - 64) ? 1 : 0);
        sp -= 32;
        continue;
      }
      case 0x15: {
        u256SetU64(sp - 32, u256IsZero(sp - 32) ? 1 : 0);
        continue;
      }
      case 0x16: {
        u256And(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x17: {
        u256Or(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x18: {
        u256Xor(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x19: {
        u256Not(sp - 32, sp - 32);
        continue;
      }
      case 0x1a: {
        u256Byte(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x1b: {
        u256Shl(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x1c: {
        u256Shr(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x1d: {
        u256Sar(sp - 64, sp - 32, sp - 64);
        sp -= 32;
        continue;
      }
      case 0x20: {
        const off = u64Of(sp - 32);
        const size = u64Of(sp - 64);
        const mc = memCost(f, off, size);
        if (mc == MAX_U64) return fail(f);
        const c = mc + G_KECCAK_WORD * words(size);
        if (gas < c) return fail(f);
        gas -= c;
        memGrow(f, off, size);
        keccak256(f.mem + <usize>off, <i32>size, W);
        u256FromBE(sp - 64, W, 32);
        sp -= 32;
        continue;
      }
      case 0x30: {
        pushAddr(sp, f.address);
        sp += 32;
        continue;
      }
      case 0x31: {
        const acc = account(addrOf(sp - 32));
        const c = accessGas(acc);
        if (gas < c) return fail(f);
        gas -= c;
        u256Copy(sp - 32, acc + ACC_BALANCE);
        continue;
      }
      case 0x32: {
        pushAddr(sp, txOrigin);
        sp += 32;
        continue;
      }
      case 0x33: {
        pushAddr(sp, f.caller);
        sp += 32;
        continue;
      }
      case 0x34: {
        u256Copy(sp, f.value);
        sp += 32;
        continue;
      }
      case 0x35: {
        const off = u64Of(sp - 32);
        zero32(W);
        if (off < <u64>f.inputPhys) {
          let n = <u64>f.inputPhys - off;
          if (n > 32) n = 32;
          copyBytes(W, f.input + <usize>off, <i32>n);
        }
        u256FromBE(sp - 32, W, 32);
        continue;
      }
      case 0x36: {
        u256SetU64(sp, <u64>f.inputLen);
        sp += 32;
        continue;
      }
      case 0x37:
      case 0x39:
      case 0x3e: {
        // CALLDATACOPY, CODECOPY, RETURNDATACOPY: memOff, off, size
        const mOff = u64Of(sp - 32);
        const off = u64Of(sp - 64);
        const size = u64Of(sp - 96);
        sp -= 96;
        const mc = memCost(f, mOff, size);
        if (mc == MAX_U64) return fail(f);
        const c = mc + G_COPY_WORD * words(size);
        if (gas < c) return fail(f);
        gas -= c;
        let src = f.input;
        let srcLen = <u64>f.inputPhys; // zeros past it
        if (op == 0x39) {
          src = code;
          srcLen = <u64>codeLen;
        } else if (op == 0x3e) {
          src = f.ret;
          srcLen = <u64>f.retLen;
          if (off > srcLen || size > srcLen - off) return fail(f); // EIP-211 bounds
        }
        memGrow(f, mOff, size);
        copyPadded(f.mem + <usize>mOff, src, srcLen, off, size);
        continue;
      }
      case 0x38: {
        u256SetU64(sp, <u64>codeLen);
        sp += 32;
        continue;
      }
      case 0x3a: {
        u256Copy(sp, txGasPrice);
        sp += 32;
        continue;
      }
      case 0x3b: {
        const acc = account(addrOf(sp - 32));
        const c = accessGas(acc);
        if (gas < c) return fail(f);
        gas -= c;
        u256SetU64(sp - 32, <u64>accCodeLen(acc));
        continue;
      }
      case 0x3c: {
        const a = addrOf(sp - 32);
        const mOff = u64Of(sp - 64);
        const off = u64Of(sp - 96);
        const size = u64Of(sp - 128);
        sp -= 128;
        const mc = memCost(f, mOff, size);
        if (mc == MAX_U64) return fail(f);
        const acc = account(a);
        const c = mc + G_COPY_WORD * words(size) + accessGas(acc);
        if (gas < c) return fail(f);
        gas -= c;
        memGrow(f, mOff, size);
        copyPadded(f.mem + <usize>mOff, accCode(acc), <u64>accCodeLen(acc), off, size);
        continue;
      }
      case 0x3d: {
        u256SetU64(sp, <u64>f.retLen);
        sp += 32;
        continue;
      }
      case 0x3f: {
        const acc = account(addrOf(sp - 32));
        const c = accessGas(acc);
        if (gas < c) return fail(f);
        gas -= c;
        if (accIsEmpty(acc)) u256SetU64(sp - 32, 0);
        else u256FromBE(sp - 32, acc + ACC_CODEHASH, 32);
        continue;
      }
      case 0x40: {
        const n = u64Of(sp - 32);
        blockHash(txEnv, n, W);
        u256FromBE(sp - 32, W, 32);
        continue;
      }
      case 0x41: {
        pushAddr(sp, txEnv.coinbase);
        sp += 32;
        continue;
      }
      case 0x42: {
        u256SetU64(sp, txEnv.timestamp);
        sp += 32;
        continue;
      }
      case 0x43: {
        u256SetU64(sp, txEnv.number);
        sp += 32;
        continue;
      }
      case 0x44: {
        u256Copy(sp, txEnv.prevRandao);
        sp += 32;
        continue;
      }
      case 0x45: {
        u256SetU64(sp, txEnv.gasLimit);
        sp += 32;
        continue;
      }
      case 0x46: {
        u256SetU64(sp, txEnv.chainId);
        sp += 32;
        continue;
      }
      case 0x47: {
        u256Copy(sp, account(f.address) + ACC_BALANCE);
        sp += 32;
        continue;
      }
      case 0x48: {
        u256Copy(sp, txEnv.baseFee);
        sp += 32;
        continue;
      }
      case 0x49: {
        const i = u64Of(sp - 32);
        if (i < <u64>txBlobCount) u256FromBE(sp - 32, txBlobHashes + (<usize>i << 5), 32);
        else u256SetU64(sp - 32, 0);
        continue;
      }
      case 0x4a: {
        u256Copy(sp, txEnv.blobBaseFee);
        sp += 32;
        continue;
      }
      case 0x50: {
        sp -= 32;
        continue;
      }
      case 0x51: {
        const off = u64Of(sp - 32);
        const mc = memCost(f, off, 32);
        if (mc == MAX_U64 || gas < mc) return fail(f);
        gas -= mc;
        memGrow(f, off, 32);
        u256FromBE(sp - 32, f.mem + <usize>off, 32);
        continue;
      }
      case 0x52: {
        const off = u64Of(sp - 32);
        const mc = memCost(f, off, 32);
        if (mc == MAX_U64 || gas < mc) return fail(f);
        gas -= mc;
        memGrow(f, off, 32);
        u256ToBE(f.mem + <usize>off, sp - 64);
        sp -= 64;
        continue;
      }
      case 0x53: {
        const off = u64Of(sp - 32);
        const mc = memCost(f, off, 1);
        if (mc == MAX_U64 || gas < mc) return fail(f);
        gas -= mc;
        memGrow(f, off, 1);
        store<u8>(f.mem + <usize>off, load<u8>(sp - 64));
        sp -= 64;
        continue;
      }
      case 0x54: {
        u256ToBE(W, sp - 32);
        const s = slot(f.address, W);
        const c = slotWarm(s) ? G_COLD_SLOAD : G_WARM;
        if (gas < c) return fail(f);
        gas -= c;
        u256FromBE(sp - 32, s + SLOT_CUR, 32);
        continue;
      }
      case 0x55: {
        if (f.isStatic) return fail(f);
        if (gas <= G_CALL_STIPEND) return fail(f); // EIP-2200 sentry
        u256ToBE(W, sp - 32);
        u256ToBE(W + 32, sp - 64);
        sp -= 64;
        const s = slot(f.address, W);
        let c: u64 = slotWarm(s) ? G_COLD_SLOAD : 0;
        const cur = s + SLOT_CUR;
        const orig = s + SLOT_ORIG;
        const nv = W + 32;
        if (eq32(cur, nv)) {
          c += G_WARM;
        } else if (eq32(orig, cur)) {
          if (isZero32(orig)) {
            c += G_SSTORE_SET;
          } else {
            c += G_SSTORE_RESET;
            if (isZero32(nv)) refund += R_SSTORE_CLEARS;
          }
        } else {
          c += G_WARM;
          if (!isZero32(orig)) {
            if (isZero32(cur)) refund -= R_SSTORE_CLEARS;
            if (isZero32(nv)) refund += R_SSTORE_CLEARS;
          }
          if (eq32(orig, nv)) {
            if (isZero32(orig)) refund += <i64>(G_SSTORE_SET - G_WARM);
            else refund += <i64>(G_SSTORE_RESET - G_WARM);
          }
        }
        if (gas < c) return fail(f);
        gas -= c;
        if (!eq32(cur, nv)) slotSet(s, nv);
        continue;
      }
      case 0x56: {
        const dest = u64Of(sp - 32);
        sp -= 32;
        if (dest >= <u64>codeLen || load<u8>(jd + <usize>dest) == 0) return fail(f);
        pc = <i32>dest;
        continue;
      }
      case 0x57: {
        const dest = u64Of(sp - 32);
        const cond = !u256IsZero(sp - 64);
        sp -= 64;
        if (cond) {
          if (dest >= <u64>codeLen || load<u8>(jd + <usize>dest) == 0) return fail(f);
          pc = <i32>dest;
        }
        continue;
      }
      case 0x58: {
        u256SetU64(sp, <u64>(pc - 1));
        sp += 32;
        continue;
      }
      case 0x59: {
        u256SetU64(sp, f.memLen);
        sp += 32;
        continue;
      }
      case 0x5a: {
        u256SetU64(sp, gas);
        sp += 32;
        continue;
      }
      case 0x5b: {
        continue;
      }
      case 0x5c: {
        u256ToBE(W, sp - 32);
        const t = tslot(f.address, W);
        u256FromBE(sp - 32, t + SLOT_CUR, 32);
        continue;
      }
      case 0x5d: {
        if (f.isStatic) return fail(f);
        u256ToBE(W, sp - 32);
        u256ToBE(W + 32, sp - 64);
        sp -= 64;
        tslotSet(tslot(f.address, W), W + 32);
        continue;
      }
      case 0x5e: {
        const dst = u64Of(sp - 32);
        const src = u64Of(sp - 64);
        const size = u64Of(sp - 96);
        sp -= 96;
        let mc = memCost(f, dst > src ? dst : src, size);
        if (mc == MAX_U64) return fail(f);
        const c = mc + G_COPY_WORD * words(size);
        if (gas < c) return fail(f);
        gas -= c;
        if (size > 0) {
          memGrow(f, dst > src ? dst : src, size);
          memory.copy(f.mem + <usize>dst, f.mem + <usize>src, <usize>size);
        }
        continue;
      }
      case 0x5f: {
        u256SetU64(sp, 0);
        sp += 32;
        continue;
      }
      case 0x60: case 0x61: case 0x62: case 0x63: case 0x64: case 0x65: case 0x66: case 0x67:
      case 0x68: case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e: case 0x6f:
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
        const n = op - 0x5f;
        if (pc + n <= codeLen) {
          u256FromBE(sp, code + <usize>pc, n);
        } else {
          zero32(W);
          copyBytes(W, code + <usize>pc, codeLen - pc);
          u256FromBE(sp, W, n);
        }
        pc += n;
        sp += 32;
        continue;
      }
      case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
      case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8e: case 0x8f: {
        copy32(sp, sp - (<usize>(op - 0x7f) << 5));
        sp += 32;
        continue;
      }
      case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
      case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: {
        const other = sp - (<usize>(op - 0x8e) << 5);
        copy32(W, sp - 32);
        copy32(sp - 32, other);
        copy32(other, W);
        continue;
      }
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: {
        if (f.isStatic) return fail(f);
        const topics = op - 0xa0;
        const off = u64Of(sp - 32);
        const size = u64Of(sp - 64);
        const mc = memCost(f, off, size);
        if (mc == MAX_U64) return fail(f);
        if (size > MEM_LIMIT) return fail(f);
        const c = mc + G_LOG_DATA * size;
        if (gas < c) return fail(f);
        gas -= c;
        memGrow(f, off, size);
        const rec = logReserve(20 + 1 + 32 * topics + 4 + <i32>size);
        copyBytes(rec, f.address, 20);
        store<u8>(rec + 20, <u8>topics);
        for (let t = 0; t < topics; t++) u256ToBE(rec + 21 + <usize>(t << 5), sp - 96 - (<usize>t << 5));
        const d = rec + 21 + <usize>(topics << 5);
        writeU32BE(d, <u32>size);
        if (size > 0) copyBytes(d + 4, f.mem + <usize>off, <i32>size);
        logCount++;
        sp -= <usize>(2 + topics) << 5;
        continue;
      }
      case 0xf0:
      case 0xf5: {
        if (f.isStatic) return fail(f);
        const value = sp - 32;
        const off = u64Of(sp - 64);
        const size = u64Of(sp - 96);
        if (size > <u64>MAX_INITCODE_SIZE) return fail(f);
        const mc = memCost(f, off, size);
        if (mc == MAX_U64) return fail(f);
        let c = mc + G_INITCODE_WORD * words(size);
        if (op == 0xf5) c += G_KECCAK_WORD * words(size);
        if (gas < c) return fail(f);
        gas -= c;
        memGrow(f, off, size);
        const init = f.mem + <usize>off;
        const addr = alloc32(20);
        const me = account(f.address);
        if (op == 0xf0) createAddress(addr, f.address, load<u64>(me + ACC_NONCE));
        else create2Address(addr, f.address, sp - 128, init, <i32>size);
        const val = alloc32(32);
        u256Copy(val, value);
        sp -= op == 0xf5 ? 128 : 96;
        const callGas = gas - gas / 64;
        gas -= callGas;
        f.gas = gas;
        const st = createFrame(f.address, addr, val, init, <i32>size, callGas, f.depth + 1, sp + 32, f.segEnd);
        gas += resGas;
        if (st == REVERT) {
          f.ret = resOut;
          f.retLen = resOutLen;
        } else {
          f.ret = EMPTY;
          f.retLen = 0;
        }
        if (st == SUCCESS) pushAddr(sp, addr);
        else u256SetU64(sp, 0);
        sp += 32;
        continue;
      }
      case 0xf1:
      case 0xf2:
      case 0xf4:
      case 0xfa: {
        const hasValue = op == 0xf1 || op == 0xf2;
        const reqGas = u64Of(sp - 32);
        const to = addrOf(sp - 64);
        let p = sp - 96;
        let value = f.value;
        if (hasValue) {
          value = CALL_VALUE;
          u256Copy(value, p);
          p -= 32;
        }
        const inOff = u64Of(p);
        const inSize = u64Of(p - 32);
        const outOff = u64Of(p - 64);
        const outSize = u64Of(p - 96);
        sp = p - 96;
        const mc1 = memCost(f, inOff, inSize);
        if (mc1 == MAX_U64) return fail(f);
        const mc2 = memCost(f, outOff, outSize);
        if (mc2 == MAX_U64) return fail(f);
        let c = mc1 > mc2 ? mc1 : mc2;
        const target = account(to);
        c += accessGas(target);
        const nonzero = hasValue && !u256IsZero(value);
        if (nonzero) {
          if (op == 0xf1 && f.isStatic) return fail(f);
          c += G_CALL_VALUE;
          if (op == 0xf1 && accIsEmpty(target)) c += G_NEW_ACCOUNT;
        }
        if (gas < c) return fail(f);
        gas -= c;
        // a precompile reads its input in place: held (as the callee's would be, 50,000 calls in a
        // row to one must not make it 50,000 times); code reads only the held part (memGrowSize)
        if (precompileId(to) != 0) memGrow(f, inOff, inSize);
        else memGrowSize(f, inOff, inSize);
        memGrow(f, outOff, outSize);
        const avail = gas - gas / 64;
        let callGas = reqGas < avail ? reqGas : avail;
        gas -= callGas;
        if (nonzero) callGas += G_CALL_STIPEND;
        // the input stays in this frame's memory (unchanged while the callee runs); only its held
        // part is passed, the rest is zeros (memGrowSize)
        let inPhys: u64 = 0;
        if (inSize > 0 && inOff < f.memPhys) {
          inPhys = f.memPhys - inOff;
          if (inPhys > inSize) inPhys = inSize;
        }
        const input = inPhys > 0 ? f.mem + <usize>inOff : EMPTY;
        f.gas = gas;
        let st: i32;
        if (op == 0xf1) {
          st = callFrame(CALL, f.address, to, to, value, input, <i32>inSize, <i32>inPhys, callGas, f.isStatic, f.depth + 1, sp, f.segEnd);
        } else if (op == 0xf2) {
          st = callFrame(CALLCODE, f.address, f.address, to, value, input, <i32>inSize, <i32>inPhys, callGas, f.isStatic, f.depth + 1, sp, f.segEnd);
        } else if (op == 0xf4) {
          st = callFrame(DELEGATECALL, f.caller, f.address, to, f.value, input, <i32>inSize, <i32>inPhys, callGas, f.isStatic, f.depth + 1, sp, f.segEnd);
        } else {
          st = callFrame(STATICCALL, f.address, to, to, EMPTY, input, <i32>inSize, <i32>inPhys, callGas, true, f.depth + 1, sp, f.segEnd);
        }
        gas += resGas;
        f.ret = resOut;
        f.retLen = resOutLen;
        if (outSize > 0 && resOutLen > 0) {
          const n = <u64>resOutLen < outSize ? <u64>resOutLen : outSize;
          copyBytes(f.mem + <usize>outOff, resOut, <i32>n);
        }
        u256SetU64(sp, st == SUCCESS ? 1 : 0);
        sp += 32;
        continue;
      }
      case 0xf3:
      case 0xfd: {
        const off = u64Of(sp - 32);
        const size = u64Of(sp - 64);
        const mc = memCost(f, off, size);
        if (mc == MAX_U64 || gas < mc) return fail(f);
        gas -= mc;
        memGrow(f, off, size);
        f.out = size > 0 ? f.mem + <usize>off : EMPTY;
        f.outLen = <i32>size;
        f.gas = gas;
        return op == 0xf3 ? SUCCESS : REVERT;
      }
      case 0xff: {
        if (f.isStatic) return fail(f);
        const b = account(addrOf(sp - 32));
        sp -= 32;
        let c: u64 = 0;
        if (!accHas(b, F_WARM) && precompileId(b) == 0) {
          c += G_COLD_ACCOUNT;
          accSetFlags(b, F_WARM);
        }
        const me = account(f.address);
        if (accIsEmpty(b) && !u256IsZero(me + ACC_BALANCE)) c += G_NEW_ACCOUNT;
        if (gas < c) return fail(f);
        gas -= c;
        const bal = alloc32(32);
        u256Copy(bal, me + ACC_BALANCE);
        transfer(me, b, bal);
        if (accHas(me, F_CREATED)) {
          // EIP-6780: only an account created in this transaction is deleted (its balance burned)
          accChange(me);
          zero32(me + ACC_BALANCE);
          accSetFlags(me, F_DESTRUCTED);
        }
        f.gas = gas;
        f.outLen = 0;
        return SUCCESS;
      }
      default:
        return fail(f);
    }
  }
  return fail(f);
}

/** an exceptional halt: all gas consumed */
function fail(f: Frame): i32 {
  f.gas = 0;
  f.outLen = 0;
  f.out = EMPTY;
  return ERROR;
}

export { F_DESTRUCTED, F_EXISTS, F_TOUCHED, accIsEmpty, accCodeLen, isZero32 };
