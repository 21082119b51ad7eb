// Brotli decoder (RFC 7932) for batch kind 0x04 (docs/stf.md "Inbox message format"): inflates a
// whole stream held in memory into a buffer of at most MAX_INFLATED bytes. Any stream that is not
// valid RFC 7932 (bad header, incomplete or oversubscribed prefix code, bad distance or dictionary
// reference, a write past its meta-block's length, truncated input, non-zero padding, bytes after the
// last meta-block; and, stricter than the RFC, a dictionary word that transforms to no bytes at all)
// or whose output would exceed MAX_INFLATED returns null: the message is then an
// undecodable (empty) batch. Never traps: every table write is bounded by construction (complete
// prefix codes of length ≤ 15 only), every output write by the meta-block length checked against
// the cap first.
//
// Structure after the reference decoder (two-level Huffman tables with 8 root bits, the distance
// ring buffer, the transforms of Appendix B). The constant tables are written by generated code
// (brotli-tables.ts) when a stream is inflated, so the other message kinds pay nothing for them.
// The static dictionary (RFC 7932 Appendix A, guest/sdk/brotli-dictionary.bin) is the keccak256
// preimage (kind 0) of DICT_KECCAK: each dictionary reference reads its word with one
// preimage_read. Every node must serve that preimage (src/da/l1-calldata/compress.ts brotliDictionary());
// without it a stream that references the dictionary stops the run (HostDataUnavailableError, as
// for any missing preimage), never a trap.
import {
  NUM_TRANSFORMS,
  T_BLOCK,
  T_CONTEXT,
  T_COPY,
  T_DICT_BITS,
  T_DICT_KECCAK,
  T_DICT_OFFSET,
  T_INSERT,
  T_ORDER,
  T_TRANSFORMS,
  TABLES_SIZE,
  writeTables,
} from "./brotli-tables";
import { Bytes } from "./bytes";
import { preimage_read } from "./host";

/** The largest inflated transaction list (1 MiB): a stream that would inflate further is undecodable. */
export const MAX_INFLATED: i32 = 1 << 20;

/** entries of the largest two-level table (root 8 bits, lengths ≤ 15) of any alphabet here (≤ 704) */
const MAX_TABLE: i32 = 1116;
const HUFFMAN_MAX_LENGTH: i32 = 15;

// Own allocation and copy (not bytes.ts's): more callers of those would change how the optimizer
// inlines them into the other message kinds' paths, and so their step counts.

/** `n` bytes from the stub heap (never freed), 32-byte aligned (host pointers must be) */
function alloc(n: i32): usize {
  return (heap.alloc(<usize>n + 31) + 31) & ~(<usize>31);
}

/** the input bit reader: bits are read least significant first (RFC 7932 §2) */
class Br {
  p: usize = 0; // next input byte
  end: usize = 0;
  val: u64 = 0; // buffered bits, next bit in bit 0
  n: u32 = 0; // number of buffered bits
  over: u32 = 0; // zero bytes buffered past the end of the input
}

/** scratch memory of one inflate call */
class St {
  tables: usize = 0; // the constant tables (brotli-tables.ts), the dictionary's hash at T_DICT_KECCAK
  word: usize = 0; // a dictionary word read from the preimage, 32 bytes
  lengths: usize = 0; // code lengths, u8 × 720
  count: usize = 0; // i32 × 16
  offset: usize = 0; // i32 × 16
  sorted: usize = 0; // u16 × 720
  clTable: usize = 0; // the code length code's table, u32 × 32
  fixed: usize = 0; // block type (3) and block count (3) trees, the context map tree: 7 × MAX_TABLE u32
  trees: usize = 0; // the three tree groups of a meta-block
  treesCap: i32 = 0; // entries
  litTrees: usize = 0; // u32 × 256: entry offsets of the literal trees
  cmdTrees: usize = 0;
  distTrees: usize = 0;
  litMap: usize = 0; // context map, u8 × 256 × 64
  distMap: usize = 0; // u8 × 256 × 4
  modes: usize = 0; // context mode per literal block type, u8 × 256
  mtf: usize = 0; // u8 × 256
}

function refill(b: Br): void {
  let val = b.val;
  let n = b.n;
  let p = b.p;
  const end = b.end;
  while (n <= 56) {
    if (p < end) {
      val |= (<u64>load<u8>(p)) << n;
      p++;
    } else {
      b.over++;
    }
    n += 8;
  }
  b.val = val;
  b.n = n;
  b.p = p;
}

/** reads k ≤ 32 bits */
@inline function bits(b: Br, k: u32): u32 {
  if (b.n < k) refill(b);
  const v = <u32>(b.val & ((<u64>1 << k) - 1));
  b.val >>= k;
  b.n -= k;
  return v;
}

/** one symbol of the code whose table is at t (u32 entries: value | bits << 16) */
@inline function sym(b: Br, t: usize): u32 {
  if (b.n < 15) refill(b);
  let idx = <usize>(b.val & 0xff);
  let e = load<u32>(t + (idx << 2));
  let nb = e >> 16;
  if (nb > 8) {
    b.val >>= 8;
    b.n -= 8;
    idx += <usize>(e & 0xffff) + <usize>(b.val & ((<u64>1 << (nb - 8)) - 1));
    e = load<u32>(t + (idx << 2));
    nb = e >> 16;
  }
  b.val >>= nb;
  b.n -= nb;
  return e & 0xffff;
}

/** bits consumed past the end of the input: the stream is truncated */
@inline function truncated(b: Br): bool {
  return b.over << 3 > b.n;
}

/** drops the bits up to the next byte boundary (false if they are not zero) and rewinds the reader
 * to a byte position: b.p is then the next unread input byte */
function toByteBoundary(b: Br): bool {
  const pad = b.n & 7;
  if (pad != 0) {
    if ((b.val & ((<u64>1 << pad) - 1)) != 0) return false;
    b.val >>= pad;
    b.n -= pad;
  }
  if (b.over << 3 > b.n) return false;
  b.p -= <usize>((b.n >> 3) - b.over);
  b.val = 0;
  b.n = 0;
  b.over = 0;
  return true;
}

/** RFC 7932 §9.2 WBITS */
function windowBits(b: Br): i32 {
  if (bits(b, 1) == 0) return 16;
  let n = bits(b, 3);
  if (n > 0) return 17 + <i32>n;
  n = bits(b, 3);
  if (n == 1) return -1; // reserved (large window brotli is not RFC 7932)
  if (n > 0) return 8 + <i32>n;
  return 17;
}

/** RFC 7932 §9.2 NBLTYPES, NTREES: 1..256 (read as value − 1) */
function varLenU8(b: Br): u32 {
  if (bits(b, 1) == 0) return 0;
  const n = bits(b, 3);
  if (n == 0) return 1;
  return bits(b, n) + (<u32>1 << n);
}

@inline function nextKey(key: i32, len: i32): i32 {
  let step = 1 << (len - 1);
  while (key & step) step >>= 1;
  return (key & (step - 1)) + step;
}

@inline function replicate(t: usize, step: i32, end: i32, code: u32): void {
  do {
    end -= step;
    store<u32>(t + (<usize>end << 2), code);
  } while (end > 0);
}

/**
 * Builds the table of the code with the `n` code lengths at s.lengths (a complete code, or a
 * single symbol) at t; returns its size in entries. The reference decoder's BrotliBuildHuffmanTable.
 */
function buildTable(s: St, t: usize, rootBits: i32, n: i32): i32 {
  const lengths = s.lengths;
  const count = s.count;
  const offset = s.offset;
  const sorted = s.sorted;
  for (let i = 0; i <= HUFFMAN_MAX_LENGTH; i++) store<i32>(count + (<usize>i << 2), 0);
  for (let i = 0; i < n; i++) {
    const l = <usize>load<u8>(lengths + <usize>i) << 2;
    store<i32>(count + l, load<i32>(count + l) + 1);
  }
  store<i32>(offset + 4, 0);
  for (let l = 1; l < HUFFMAN_MAX_LENGTH; l++) {
    store<i32>(offset + (<usize>(l + 1) << 2), load<i32>(offset + (<usize>l << 2)) + load<i32>(count + (<usize>l << 2)));
  }
  for (let i = 0; i < n; i++) {
    const l = <usize>load<u8>(lengths + <usize>i);
    if (l != 0) {
      const o = offset + (l << 2);
      const k = load<i32>(o);
      store<u16>(sorted + (<usize>k << 1), <u16>i);
      store<i32>(o, k + 1);
    }
  }
  let tableBits = rootBits;
  let tableSize = 1 << tableBits;
  let total = tableSize;
  if (load<i32>(offset + (<usize>HUFFMAN_MAX_LENGTH << 2)) == 1) {
    // one symbol: zero bits
    const code = <u32>load<u16>(sorted);
    for (let k = 0; k < total; k++) store<u32>(t + (<usize>k << 2), code);
    return total;
  }
  let key = 0;
  let symbol = 0;
  let step = 2;
  for (let len = 1; len <= rootBits; len++, step <<= 1) {
    const c = count + (<usize>len << 2);
    for (let k = load<i32>(c); k > 0; k--) {
      const code = <u32>load<u16>(sorted + (<usize>symbol << 1)) | (<u32>len << 16);
      symbol++;
      replicate(t + (<usize>key << 2), step, tableSize, code);
      key = nextKey(key, len);
    }
    store<i32>(c, 0);
  }
  const mask = total - 1;
  let low = -1;
  let table = t;
  step = 2;
  for (let len = rootBits + 1; len <= HUFFMAN_MAX_LENGTH; len++, step <<= 1) {
    const c = count + (<usize>len << 2);
    for (; load<i32>(c) > 0; store<i32>(c, load<i32>(c) - 1)) {
      if ((key & mask) != low) {
        table += <usize>tableSize << 2;
        // the width of the next 2nd level table
        let l = len;
        let left = 1 << (l - rootBits);
        while (l < HUFFMAN_MAX_LENGTH) {
          left -= load<i32>(count + (<usize>l << 2));
          if (left <= 0) break;
          l++;
          left <<= 1;
        }
        tableBits = l - rootBits;
        tableSize = 1 << tableBits;
        total += tableSize;
        low = key & mask;
        const rel = <u32>(<i32>((table - t) >> 2) - low);
        store<u32>(t + (<usize>low << 2), (rel & 0xffff) | (<u32>(tableBits + rootBits) << 16));
      }
      const code = <u32>load<u16>(sorted + (<usize>symbol << 1)) | (<u32>(len - rootBits) << 16);
      symbol++;
      replicate(table + (<usize>(key >> rootBits) << 2), step, tableSize, code);
      key = nextKey(key, len);
    }
  }
  return total;
}

/** number of bits of `alphabet − 1` (RFC 7932 §3.4 ALPHABET_BITS) */
function alphabetBits(alphabet: i32): u32 {
  let v = alphabet - 1;
  let n: u32 = 0;
  while (v > 0) {
    v >>= 1;
    n++;
  }
  return n;
}

/** reads a prefix code (RFC 7932 §3.4, §3.5) over `alphabet` symbols into a table at t; returns its
 * size in entries, or 0 if the code is invalid */
function readCode(b: Br, s: St, alphabet: i32, t: usize): i32 {
  const lengths = s.lengths;
  for (let i = 0; i < alphabet; i += 8) store<u64>(lengths + <usize>i, 0);
  const hskip = bits(b, 2);
  if (hskip == 1) {
    // simple prefix code
    const nsym = bits(b, 2) + 1;
    const nb = alphabetBits(alphabet);
    let s0: u32 = 0;
    let s1: u32 = 0;
    let s2: u32 = 0;
    let s3: u32 = 0;
    s0 = bits(b, nb);
    if (nsym > 1) s1 = bits(b, nb);
    if (nsym > 2) s2 = bits(b, nb);
    if (nsym > 3) s3 = bits(b, nb);
    const a = <u32>alphabet;
    if (s0 >= a || s1 >= a || s2 >= a || s3 >= a) return 0;
    if (nsym == 1) {
      store<u8>(lengths + <usize>s0, 1);
    } else if (nsym == 2) {
      if (s0 == s1) return 0;
      store<u8>(lengths + <usize>s0, 1);
      store<u8>(lengths + <usize>s1, 1);
    } else if (nsym == 3) {
      if (s0 == s1 || s0 == s2 || s1 == s2) return 0;
      store<u8>(lengths + <usize>s0, 1);
      store<u8>(lengths + <usize>s1, 2);
      store<u8>(lengths + <usize>s2, 2);
    } else {
      if (s0 == s1 || s0 == s2 || s0 == s3 || s1 == s2 || s1 == s3 || s2 == s3) return 0;
      if (bits(b, 1) != 0) {
        store<u8>(lengths + <usize>s0, 1);
        store<u8>(lengths + <usize>s1, 2);
        store<u8>(lengths + <usize>s2, 3);
        store<u8>(lengths + <usize>s3, 3);
      } else {
        store<u8>(lengths + <usize>s0, 2);
        store<u8>(lengths + <usize>s1, 2);
        store<u8>(lengths + <usize>s2, 2);
        store<u8>(lengths + <usize>s3, 2);
      }
    }
    if (truncated(b)) return 0;
    return buildTable(s, t, 8, alphabet);
  }
  // complex prefix code: the code length code lengths (a fixed code of 2 to 4 bits, §3.5)
  const cl = s.lengths + 720; // 18 code length code lengths (after the 720 of the main code)
  for (let i = 0; i < 24; i += 8) store<u64>(cl + <usize>i, 0);
  let space = 32;
  let numCodes = 0;
  const order = s.tables + T_ORDER;
  for (let i = hskip; i < 18 && space > 0; i++) {
    if (b.n < 4) refill(b);
    const p = <u64>(b.val & 15) << 2;
    const nb = <u32>((<u64>0x4222322242223222 >> p) & 15);
    const v = <i32>((<u64>0x5340234013402340 >> p) & 15);
    b.val >>= nb;
    b.n -= nb;
    store<u8>(cl + <usize>load<u8>(order + <usize>i), <u8>v);
    if (v != 0) {
      space -= 32 >> v;
      numCodes++;
    }
  }
  if (!(numCodes == 1 || space == 0)) return 0;
  // the code length code's table (root 5 bits, lengths ≤ 5: one level); build it from cl
  const saved = s.lengths;
  s.lengths = cl;
  buildTable(s, s.clTable, 5, 18);
  s.lengths = saved;
  // the code lengths (§3.5): 0..15 literal, 16 repeat the previous non-zero, 17 repeat zero
  let symbol = 0;
  let prev: u32 = 8;
  let repeat = 0;
  let repeatLen: u32 = 0;
  let space2 = 32768;
  const clt = s.clTable;
  while (symbol < alphabet && space2 > 0) {
    if (b.n < 5) refill(b);
    const e = load<u32>(clt + (<usize>(b.val & 31) << 2));
    const nb = e >> 16;
    b.val >>= nb;
    b.n -= nb;
    const len = e & 0xffff;
    if (len < 16) {
      repeat = 0;
      store<u8>(lengths + <usize>symbol, <u8>len);
      symbol++;
      if (len != 0) {
        prev = len;
        space2 -= 32768 >> len;
      }
    } else {
      const extra = len - 14;
      const newLen: u32 = len == 16 ? prev : 0;
      if (repeatLen != newLen) {
        repeat = 0;
        repeatLen = newLen;
      }
      const old = repeat;
      if (repeat > 0) {
        repeat -= 2;
        repeat <<= extra;
      }
      repeat += <i32>bits(b, extra) + 3;
      const delta = repeat - old;
      if (symbol + delta > alphabet) return 0;
      for (let x = 0; x < delta; x++) store<u8>(lengths + <usize>(symbol + x), <u8>repeatLen);
      symbol += delta;
      if (repeatLen != 0) space2 -= delta << (15 - repeatLen);
    }
    if (truncated(b)) return 0;
  }
  if (space2 != 0) return 0;
  return buildTable(s, t, 8, alphabet);
}

/** a block count (RFC 7932 §6) with the block count code at t */
function blockCount(b: Br, s: St, t: usize): u32 {
  const r = load<u32>(s.tables + T_BLOCK + (<usize>sym(b, t) << 2));
  return (r & 0xffffff) + bits(b, r >> 24);
}

/** a context map (RFC 7932 §7.3) of `size` entries over `ntrees` trees at map; false if invalid */
function readContextMap(b: Br, s: St, size: i32, ntrees: u32, map: usize): bool {
  for (let i = 0; i < size; i += 8) store<u64>(map + <usize>i, 0);
  if (ntrees < 2) return true;
  let rlemax: u32 = 0;
  if (bits(b, 1) != 0) rlemax = bits(b, 4) + 1;
  const t = s.fixed + <usize>(6 * MAX_TABLE) * 4;
  if (readCode(b, s, <i32>(ntrees + rlemax), t) == 0) return false;
  let i = 0;
  while (i < size) {
    const code = sym(b, t);
    if (code == 0) {
      i++;
    } else if (code <= rlemax) {
      const reps = (1 << code) + <i32>bits(b, code);
      if (i + reps > size) return false;
      i += reps; // zeros
    } else {
      store<u8>(map + <usize>i, <u8>(code - rlemax));
      i++;
    }
    if (truncated(b)) return false;
  }
  if (bits(b, 1) != 0) {
    // inverse move-to-front
    const mtf = s.mtf;
    for (let k = 0; k < 256; k++) store<u8>(mtf + <usize>k, <u8>k);
    for (let k = 0; k < size; k++) {
      const idx = <usize>load<u8>(map + <usize>k);
      const v = load<u8>(mtf + idx);
      store<u8>(map + <usize>k, v);
      for (let j = idx; j > 0; j--) store<u8>(mtf + j, load<u8>(mtf + j - 1));
      store<u8>(mtf, v);
    }
  }
  return true;
}

/** reads the dictionary bytes [offset, offset + 32) (fewer at its end) to s.word */
function readWord(s: St, offset: u32): void {
  preimage_read(0, s.tables + T_DICT_KECCAK, <i32>offset, s.word);
}

/** RFC 7932 Appendix B: upper-cases the (UTF-8) character at p; returns its length */
@inline function toUpper(p: usize): i32 {
  const c = load<u8>(p);
  if (c < 0xc0) {
    if (c >= 97 && c <= 122) store<u8>(p, c ^ 32);
    return 1;
  }
  if (c < 0xe0) {
    store<u8>(p + 1, load<u8>(p + 1) ^ 32);
    return 2;
  }
  store<u8>(p + 2, load<u8>(p + 2) ^ 5);
  return 3;
}

/** writes transform `tr` of the dictionary word at w (len bytes) to dst; returns its length */
function transformWord(s: St, dst: usize, w: usize, len: i32, tr: u32): i32 {
  const rec = s.tables + T_TRANSFORMS + (<usize>tr << 4);
  const type = <i32>load<u8>(rec);
  const plen = <i32>load<u8>(rec, 1);
  let o = dst;
  for (let i = 0; i < plen; i++) store<u8>(o + <usize>i, load<u8>(rec + 2 + <usize>i));
  o += <usize>plen;
  let skip = type >= 12 ? type - 11 : 0; // OmitFirst1..9 are types 12..20
  if (skip > len) skip = len;
  let n = len - skip;
  if (type >= 1 && type <= 9) n -= type; // OmitLast1..9
  if (n < 0) n = 0;
  for (let i = 0; i < n; i++) store<u8>(o + <usize>i, load<u8>(w + <usize>(skip + i)));
  if (type == 10) {
    toUpper(o); // UppercaseFirst
  } else if (type == 11) {
    let u = o;
    let left = n;
    while (left > 0) {
      const k = toUpper(u);
      u += <usize>k;
      left -= k;
    }
  }
  o += <usize>n;
  const slen = <i32>load<u8>(rec, 7);
  for (let i = 0; i < slen; i++) store<u8>(o + <usize>i, load<u8>(rec + 8 + <usize>i));
  return plen + n + slen;
}

/** the entry offsets of `count` trees over `alphabet` symbols read into s.trees from `at`; the
 * offset after them, or -1 if a code is invalid */
function readGroup(b: Br, s: St, alphabet: i32, count: u32, offs: usize, at: i32): i32 {
  for (let i: u32 = 0; i < count; i++) {
    store<u32>(offs + (<usize>i << 2), <u32>at);
    const n = readCode(b, s, alphabet, s.trees + (<usize>at << 2));
    if (n == 0) return -1;
    at += n;
  }
  return at;
}

function newState(): St {
  const s = new St();
  s.tables = alloc(TABLES_SIZE);
  writeTables(s.tables);
  s.word = alloc(32);
  s.lengths = alloc(720 + 24);
  s.count = alloc(64);
  s.offset = alloc(64);
  s.sorted = alloc(720 * 2);
  s.clTable = alloc(32 * 4);
  s.fixed = alloc(7 * MAX_TABLE * 4);
  s.litTrees = alloc(256 * 4);
  s.cmdTrees = alloc(256 * 4);
  s.distTrees = alloc(256 * 4);
  s.litMap = alloc(256 * 64);
  s.distMap = alloc(256 * 4);
  s.modes = alloc(256);
  s.mtf = alloc(256);
  return s;
}

/**
 * Inflates the brotli stream at src..src+len: the output (at most MAX_INFLATED bytes), or null if
 * the stream is not valid or would inflate past MAX_INFLATED.
 */
export function inflate(src: usize, len: i32): Bytes | null {
  const b = new Br();
  b.p = src;
  b.end = src + <usize>len;
  const wbits = windowBits(b);
  if (wbits < 0) return null;
  const maxBackward = (1 << wbits) - 16;
  const s = newState();
  // output: 8 zero bytes before it (the context of the first literals), 64 bytes of slack after
  const buf = alloc(MAX_INFLATED + 8 + 64);
  store<u64>(buf, 0);
  const out = buf + 8;
  let pos = 0;
  // distance ring buffer: last distances 4, 11, 15, 16 (RFC 7932 §4)
  let d0 = 4; // last
  let d1 = 11;
  let d2 = 15;
  let d3 = 16;
  const tables = s.tables;
  const fixed = s.fixed;
  for (;;) {
    // meta-block header (§9.2)
    const isLast = bits(b, 1);
    if (isLast != 0 && bits(b, 1) != 0) break; // ISLASTEMPTY
    const nibbles = bits(b, 2) + 4;
    let mlen = 0;
    if (nibbles == 7) {
      // metadata: skipped
      if (bits(b, 1) != 0) return null;
      const nbytes = bits(b, 2);
      for (let i: u32 = 0; i < nbytes; i++) {
        const v = bits(b, 8);
        if (i + 1 == nbytes && nbytes > 1 && v == 0) return null;
        mlen |= <i32>v << (i * 8);
      }
      if (nbytes > 0) mlen++;
      if (!toByteBoundary(b)) return null;
      if (<usize>mlen > b.end - b.p) return null;
      b.p += <usize>mlen;
      if (isLast != 0) break;
      continue;
    }
    for (let i: u32 = 0; i < nibbles; i++) {
      const v = bits(b, 4);
      if (i + 1 == nibbles && nibbles > 4 && v == 0) return null;
      mlen |= <i32>v << (i * 4);
    }
    mlen++;
    if (mlen > MAX_INFLATED - pos) return null; // the cap, before any byte is written
    const mbEnd = pos + mlen;
    if (isLast == 0 && bits(b, 1) != 0) {
      // uncompressed
      if (!toByteBoundary(b)) return null;
      if (<usize>mlen > b.end - b.p) return null;
      for (let i = 0; i < mlen; i++) store<u8>(out + <usize>(pos + i), load<u8>(b.p + <usize>i));
      b.p += <usize>mlen;
      pos = mbEnd;
      continue;
    }
    if (truncated(b)) return null;
    // block types and counts (§6): L, I, D
    let ntL: u32 = 1;
    let ntI: u32 = 1;
    let ntD: u32 = 1;
    let lenL: u32 = 1 << 28;
    let lenI: u32 = 1 << 28;
    let lenD: u32 = 1 << 28;
    for (let c = 0; c < 3; c++) {
      const nt = varLenU8(b) + 1;
      let blen: u32 = 1 << 28;
      if (nt >= 2) {
        const tt = fixed + <usize>(c * MAX_TABLE) * 4;
        const tc = fixed + <usize>((3 + c) * MAX_TABLE) * 4;
        if (readCode(b, s, <i32>nt + 2, tt) == 0) return null;
        if (readCode(b, s, 26, tc) == 0) return null;
        blen = blockCount(b, s, tc);
      }
      if (c == 0) {
        ntL = nt;
        lenL = blen;
      } else if (c == 1) {
        ntI = nt;
        lenI = blen;
      } else {
        ntD = nt;
        lenD = blen;
      }
    }
    const npostfix = bits(b, 2);
    const ndirect = bits(b, 4) << npostfix;
    const postfixMask = (<u32>1 << npostfix) - 1;
    const numDirect = 16 + ndirect;
    const distAlphabet = <i32>(numDirect + (48 << npostfix));
    for (let i: u32 = 0; i < ntL; i++) store<u8>(s.modes + <usize>i, <u8>bits(b, 2));
    const ntreesL = varLenU8(b) + 1;
    if (!readContextMap(b, s, <i32>ntL << 6, ntreesL, s.litMap)) return null;
    const ntreesD = varLenU8(b) + 1;
    if (!readContextMap(b, s, <i32>ntD << 2, ntreesD, s.distMap)) return null;
    // the prefix codes: ntreesL literal, ntI insert-and-copy, ntreesD distance
    const need = <i32>(ntreesL + ntI + ntreesD) * MAX_TABLE;
    if (need > s.treesCap) {
      const cap = need > s.treesCap * 2 ? need : s.treesCap * 2;
      s.trees = alloc(cap * 4);
      s.treesCap = cap;
    }
    let at = readGroup(b, s, 256, ntreesL, s.litTrees, 0);
    if (at >= 0) at = readGroup(b, s, 704, ntI, s.cmdTrees, at);
    if (at >= 0) at = readGroup(b, s, distAlphabet, ntreesD, s.distTrees, at);
    if (at < 0 || truncated(b)) return null;
    const trees = s.trees;
    // block state: current type and the two previous (rb: last, second last) per category
    let typeL: u32 = 0;
    let typeI: u32 = 0;
    let typeD: u32 = 0;
    let rbL: u32 = 1; // second last: 1 (last: 0 = the current type)
    let rbI: u32 = 1;
    let rbD: u32 = 1;
    let mode = <usize>load<u8>(s.modes);
    let ctx1 = tables + T_CONTEXT + ctxOffset1(mode);
    let ctx2 = tables + T_CONTEXT + ctxOffset2(mode);
    let litMap = s.litMap;
    const litTrees = s.litTrees;
    const oneTree = ntreesL == 1;
    const tree0 = trees + (<usize>load<u32>(litTrees) << 2);
    let distMap = s.distMap;
    let cmdTree = trees + (<usize>load<u32>(s.cmdTrees) << 2);
    while (pos < mbEnd) {
      if (lenI == 0) {
        const last = typeI;
        typeI = nextType(b, fixed + <usize>(1 * MAX_TABLE) * 4, ntI, typeI, rbI);
        rbI = last;
        lenI = blockCount(b, s, fixed + <usize>(4 * MAX_TABLE) * 4);
        cmdTree = trees + (<usize>load<u32>(s.cmdTrees + (<usize>typeI << 2)) << 2);
      }
      lenI--;
      const cmd = sym(b, cmdTree);
      let range = cmd >> 6;
      let implicitZero = true;
      if (range >= 2) {
        range -= 2;
        implicitZero = false;
      }
      // insert and copy code bases (§5): insert 0,0,8,8,0,16,8,16,16; copy 0,8,0,8,16,0,16,8,16
      const insCode = (((<u32>0x29850 >> (range << 1)) & 3) << 3) + ((cmd >> 3) & 7);
      const cpyCode = (((<u32>0x26244 >> (range << 1)) & 3) << 3) + (cmd & 7);
      const ir = load<u32>(tables + T_INSERT + (<usize>insCode << 2));
      const cr = load<u32>(tables + T_COPY + (<usize>cpyCode << 2));
      const insLen = <i32>((ir & 0xffffff) + bits(b, ir >> 24));
      const cpyLen = <i32>((cr & 0xffffff) + bits(b, cr >> 24));
      if (truncated(b)) return null;
      if (insLen > mbEnd - pos) return null;
      const insEnd = pos + insLen;
      // the literals, in runs within one literal block; the bit reader in locals (the hot loop)
      while (pos < insEnd) {
        if (lenL == 0) {
          const last = typeL;
          typeL = nextType(b, fixed, ntL, typeL, rbL);
          rbL = last;
          lenL = blockCount(b, s, fixed + <usize>(3 * MAX_TABLE) * 4);
          litMap = s.litMap + (<usize>typeL << 6);
          mode = <usize>load<u8>(s.modes + <usize>typeL);
          ctx1 = tables + T_CONTEXT + ctxOffset1(mode);
          ctx2 = tables + T_CONTEXT + ctxOffset2(mode);
        }
        let runEnd = insEnd;
        if (<u32>(insEnd - pos) > lenL) runEnd = pos + <i32>lenL;
        lenL -= <u32>(runEnd - pos);
        let val = b.val;
        let nbits = b.n;
        let p1 = <usize>load<u8>(out + <usize>pos - 1);
        let p2 = <usize>load<u8>(out + <usize>pos - 2);
        while (pos < runEnd) {
          // one tree for all contexts (no literal context modeling): skip the context
          const tree = oneTree
            ? tree0
            : trees + (<usize>load<u32>(litTrees + (<usize>load<u8>(litMap + <usize>(load<u8>(ctx1 + p1) | load<u8>(ctx2 + p2))) << 2)) << 2);
          if (nbits < 15) {
            b.val = val;
            b.n = nbits;
            refill(b);
            val = b.val;
            nbits = b.n;
          }
          let idx = <usize>(val & 0xff);
          let e = load<u32>(tree + (idx << 2));
          let nb = e >> 16;
          if (nb > 8) {
            val >>= 8;
            nbits -= 8;
            idx += <usize>(e & 0xffff) + <usize>(val & ((<u64>1 << (nb - 8)) - 1));
            e = load<u32>(tree + (idx << 2));
            nb = e >> 16;
          }
          val >>= nb;
          nbits -= nb;
          p2 = p1;
          p1 = <usize>(e & 0xff);
          store<u8>(out + <usize>pos, <u8>e);
          pos++;
        }
        b.val = val;
        b.n = nbits;
      }
      if (truncated(b)) return null;
      if (pos == mbEnd) break; // the copy of the meta-block's last command is ignored
      let distance: i32;
      let pushDistance = true;
      if (implicitZero) {
        distance = d0;
        pushDistance = false;
      } else {
        if (lenD == 0) {
          const last = typeD;
          typeD = nextType(b, fixed + <usize>(2 * MAX_TABLE) * 4, ntD, typeD, rbD);
          rbD = last;
          lenD = blockCount(b, s, fixed + <usize>(5 * MAX_TABLE) * 4);
          distMap = s.distMap + (<usize>typeD << 2);
        }
        lenD--;
        const dctx = cpyLen > 4 ? 3 : cpyLen - 2;
        const tree = trees + (<usize>load<u32>(s.distTrees + (<usize>load<u8>(distMap + <usize>dctx) << 2)) << 2);
        const dcode = sym(b, tree);
        if (dcode < 16) {
          // short codes (§4): 0..3 the last four; 4..9 last ± 1..3; 10..15 second last ± 1..3
          if (dcode == 0) {
            distance = d0;
            pushDistance = false;
          } else if (dcode == 1) {
            distance = d1;
          } else if (dcode == 2) {
            distance = d2;
          } else if (dcode == 3) {
            distance = d3;
          } else {
            const k = dcode < 10 ? dcode - 4 : dcode - 10;
            const delta = <i32>((k >> 1) + 1);
            const base = dcode < 10 ? d0 : d1;
            distance = (k & 1) != 0 ? base + delta : base - delta;
          }
        } else if (dcode < <u32>numDirect) {
          distance = <i32>(dcode - 15);
        } else {
          const dc = dcode - numDirect;
          const postfix = dc & postfixMask;
          const hc = dc >> npostfix;
          const nb = (hc >> 1) + 1;
          const offset = ((2 + (hc & 1)) << nb) - 4;
          distance = <i32>(((offset + bits(b, nb)) << npostfix) + postfix + ndirect + 1);
        }
        if (distance <= 0) return null;
      }
      if (truncated(b)) return null;
      const maxDistance = pos < maxBackward ? pos : maxBackward;
      if (distance > maxDistance) {
        // a static dictionary reference (§8)
        if (cpyLen < 4 || cpyLen > 24) return null;
        const wordId = <u32>(distance - maxDistance - 1);
        const nbits = <u32>load<u8>(tables + T_DICT_BITS + <usize>cpyLen);
        const tr = wordId >> nbits;
        if (tr >= NUM_TRANSFORMS) return null;
        // a word ends at most at the dictionary's end (DICT_SIZE): the read returns all of it
        readWord(s, load<u32>(tables + T_DICT_OFFSET + (<usize>cpyLen << 2)) + (wordId & ((<u32>1 << nbits) - 1)) * <u32>cpyLen);
        // prefix ≤ 5 + word ≤ 24 + suffix ≤ 8 bytes: within the 64 bytes of slack
        const n = transformWord(s, out + <usize>pos, s.word, cpyLen, tr);
        // a word that transforms to nothing is refused (no encoder emits one; it would let a stream
        // loop on commands that write nothing): every command writes at least one byte
        if (n == 0 || n > mbEnd - pos) return null;
        pos += n;
        continue; // not pushed to the ring buffer
      }
      if (cpyLen > mbEnd - pos) return null;
      if (pushDistance) {
        d3 = d2;
        d2 = d1;
        d1 = d0;
        d0 = distance;
      }
      const dst = out + <usize>pos;
      const from = dst - <usize>distance;
      if (distance >= 8) {
        // may overshoot by < 8 bytes: within the slack
        for (let i = 0; i < cpyLen; i += 8) store<u64>(dst + <usize>i, load<u64>(from + <usize>i));
      } else {
        for (let i = 0; i < cpyLen; i++) store<u8>(dst + <usize>i, load<u8>(from + <usize>i));
      }
      pos += cpyLen;
    }
    if (isLast != 0) break;
  }
  // the last meta-block: the rest of its byte must be zero and no input may follow
  if (!toByteBoundary(b)) return null;
  if (b.p != b.end) return null;
  return new Bytes(out, pos);
}

/** context lookup offsets of a context mode (RFC 7932 §7.1): LSB6, MSB6, UTF8, SIGNED */
@inline function ctxOffset1(mode: usize): usize {
  return mode == 0 ? 1024 : mode == 1 ? 1280 : mode == 2 ? 0 : 768;
}
@inline function ctxOffset2(mode: usize): usize {
  return mode == 0 ? 1536 : mode == 1 ? 1536 : mode == 2 ? 256 : 512;
}

/** the next block type (§6): code 0 the second last type, 1 the last + 1, n ≥ 2 type n − 2 */
function nextType(b: Br, t: usize, nt: u32, last: u32, secondLast: u32): u32 {
  const code = sym(b, t);
  let type: u32;
  if (code == 0) type = secondLast;
  else if (code == 1) type = last + 1;
  else type = code - 2;
  if (type >= nt) type -= nt;
  return type;
}
