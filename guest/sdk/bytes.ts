// Memory helpers: 32-byte aligned allocation (bump allocator of the stub runtime, never freed),
// big-endian integer reads/writes, 32-byte word comparisons.

/** A byte range of guest memory. */
export class Bytes {
  constructor(public ptr: usize, public len: i32) {}
}

// Scratch memory: an arena with mark/release, so that the memory a run uses does not grow with the
// number of transactions in a batch (the run loop releases each transaction's scratch memory;
// docs/app-abi.md §5 "Scratch memory"). It starts as one 256 KiB chunk; when a chunk is full the
// next chunk that fits is used, or a new one (at least 1 MiB) is taken from the stub heap. Chunks
// are never freed but reused after a release, so the heap holds the largest transaction's scratch
// memory, not the sum over the batch. A new chunk is taken only while `ARENA_RESERVE` bytes of the
// machine's memory stay free past it (probed with memory.grow; not for the first chunk): past that, the allocation traps —
// inside a metered transaction, that transaction alone gets `trapped` — so a transaction that asks
// for all the memory cannot leave the run without room to commit.
const ARENA_SIZE: usize = 1 << 18;
const CHUNK_MIN: usize = 1 << 20;
const ARENA_RESERVE: usize = 8 << 20;
const MAX_CHUNKS: i32 = 256;
let chunks: usize = 0; // MAX_CHUNKS × (start u32 ‖ end u32)
let nChunks: i32 = 0;
let cur: i32 = 0;
let arenaStart: usize = 0;
let arenaTop: usize = 0;
let arenaEnd: usize = 0;

function addChunk(size: usize): void {
  if (nChunks > 0) {
    // an overflow chunk: keep ARENA_RESERVE of the memory's maximum free past it, or trap
    const top = heap.alloc(0);
    const need = top + size + 64 + ARENA_RESERVE;
    const have = <usize>memory.size() << 16;
    if (need > have && memory.grow(<i32>((need - have + 0xffff) >> 16)) < 0) unreachable();
  }
  if (nChunks == MAX_CHUNKS) unreachable();
  const start = (heap.alloc(size + 31) + 31) & ~(<usize>31);
  store<u32>(chunks + (<usize>nChunks << 3), <u32>start);
  store<u32>(chunks + (<usize>nChunks << 3), <u32>(start + size), 4);
  nChunks++;
}

function useChunk(i: i32, top: usize): void {
  cur = i;
  arenaStart = <usize>load<u32>(chunks + (<usize>i << 3));
  arenaEnd = <usize>load<u32>(chunks + (<usize>i << 3), 4);
  arenaTop = top == 0 ? arenaStart : top;
}

/** `n` bytes at a 32-byte aligned address (host pointers must be 32-byte aligned). */
export function alloc32(n: i32): usize {
  if (chunks == 0) {
    chunks = (heap.alloc(<usize>MAX_CHUNKS * 8 + 31) + 31) & ~(<usize>31);
    addChunk(ARENA_SIZE);
    useChunk(0, 0);
  }
  const size = (<usize>n + 31) & ~(<usize>31);
  if (arenaTop + size <= arenaEnd) {
    const p = arenaTop;
    arenaTop += size;
    return p;
  }
  // the next chunk that fits (those skipped are reused after a release), else a new one
  for (let i = cur + 1; i < nChunks; i++) {
    const s = <usize>load<u32>(chunks + (<usize>i << 3));
    if (s + size <= <usize>load<u32>(chunks + (<usize>i << 3), 4)) {
      useChunk(i, 0);
      arenaTop += size;
      return s;
    }
  }
  addChunk(size > CHUNK_MIN ? size : CHUNK_MIN);
  useChunk(nChunks - 1, 0);
  arenaTop += size;
  return arenaStart;
}

/** `n` bytes at a 32-byte aligned address that are never released */
export function heapAlloc32(n: i32): usize {
  const p = heap.alloc(<usize>n + 31);
  return (p + 31) & ~(<usize>31);
}

/** the current arena position, for {@link arenaRelease} */
export function arenaMark(): usize {
  return arenaTop;
}

/** frees every arena allocation made since `mark` (memory allocated before stays valid) */
export function arenaRelease(mark: usize): void {
  if (mark == 0) return;
  for (let i: i32 = 0; i <= cur; i++) {
    const s = <usize>load<u32>(chunks + (<usize>i << 3));
    if (mark >= s && mark <= <usize>load<u32>(chunks + (<usize>i << 3), 4)) {
      useChunk(i, mark);
      return;
    }
  }
}

@inline export function readU8(p: usize): u32 {
  return <u32>load<u8>(p);
}
@inline export function readU16BE(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}
@inline export function readU32BE(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}
@inline export function readU64BE(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}
@inline export function writeU16BE(p: usize, v: u32): void {
  store<u16>(p, bswap<u16>(<u16>v));
}
@inline export function writeU32BE(p: usize, v: u32): void {
  store<u32>(p, bswap<u32>(v));
}
@inline export function writeU64BE(p: usize, v: u64): void {
  store<u64>(p, bswap<u64>(v));
}

// Copies and fills by 8-byte words: memory.copy / memory.fill cost about 15 interpreter steps per
// byte (docs/machine.md: bulk memory ops are lowered to byte loops), these about 1.

/** 32 bytes from src to dst (distinct ranges, or the same address) */
@inline export function copy32(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u64>(dst, load<u64>(src, 16), 16);
  store<u64>(dst, load<u64>(src, 24), 24);
}

/** `len` bytes from src to dst (ranges that do not overlap) */
export function copyBytes(dst: usize, src: usize, len: i32): void {
  let i: i32 = 0;
  for (; i + 8 <= len; i += 8) store<u64>(dst + <usize>i, load<u64>(src + <usize>i));
  for (; i < len; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>i));
}

/** 32 zero bytes at p */
@inline export function zero32(p: usize): void {
  store<u64>(p, 0);
  store<u64>(p, 0, 8);
  store<u64>(p, 0, 16);
  store<u64>(p, 0, 24);
}

/** 32 bytes at a equal 32 bytes at b */
export function eq32(a: usize, b: usize): bool {
  return (
    load<u64>(a) == load<u64>(b) &&
    load<u64>(a, 8) == load<u64>(b, 8) &&
    load<u64>(a, 16) == load<u64>(b, 16) &&
    load<u64>(a, 24) == load<u64>(b, 24)
  );
}

export function isZero32(a: usize): bool {
  return (load<u64>(a) | load<u64>(a, 8) | load<u64>(a, 16) | load<u64>(a, 24)) == 0;
}

export function eqBytes(a: usize, b: usize, len: i32): bool {
  for (let i = 0; i < len; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/** Compares two 32-byte big-endian unsigned integers: -1, 0, 1. */
export function cmp256(a: usize, b: usize): i32 {
  for (let i: usize = 0; i < 32; i += 8) {
    const x = readU64BE(a + i);
    const y = readU64BE(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** out = a + b (32-byte big-endian); returns false on overflow (out is then undefined). */
export function add256(out: usize, a: usize, b: usize): bool {
  let carry: u64 = 0;
  for (let i: i32 = 24; i >= 0; i -= 8) {
    const x = readU64BE(a + <usize>i);
    const y = readU64BE(b + <usize>i);
    const s = x + y;
    const c1: u64 = s < x ? 1 : 0;
    const t = s + carry;
    const c2: u64 = t < s ? 1 : 0;
    writeU64BE(out + <usize>i, t);
    carry = c1 | c2;
  }
  return carry == 0;
}

/** out = a - b (32-byte big-endian); returns false on underflow. */
export function sub256(out: usize, a: usize, b: usize): bool {
  let borrow: u64 = 0;
  for (let i: i32 = 24; i >= 0; i -= 8) {
    const x = readU64BE(a + <usize>i);
    const y = readU64BE(b + <usize>i);
    const d = x - y;
    const b1: u64 = x < y ? 1 : 0;
    const t = d - borrow;
    const b2: u64 = d < borrow ? 1 : 0;
    writeU64BE(out + <usize>i, t);
    borrow = b1 | b2;
  }
  return borrow == 0;
}
