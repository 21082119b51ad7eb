// A bounds-checked RLP reader on raw memory (docs/evm.md "Transactions": RLP; Yellow Paper
// appendix B). It never reads past the range it is given and never traps: every malformed or
// non-canonical input gives `false` / `RLP_BAD`. Canonical encoding is required, as geth's decoder
// requires it: a single byte < 0x80 is not wrapped (0x81 0x05 is refused), lengths are minimal
// (a long form only for 56 bytes or more, no leading zero in a length), and integers have no
// leading zero bytes (0x00 is not the integer 0: that is 0x80).
//
// The reader keeps the last item it decoded in module globals (no allocation):
//   rlpPayload    start of the item's payload
//   rlpLen        payload length in bytes
//   rlpIsList     the item is a list
//   rlpEnd        first byte after the item (where the next item of the enclosing list starts)

export let rlpPayload: usize = 0;
export let rlpLen: i32 = 0;
export let rlpIsList: bool = false;
export let rlpEnd: usize = 0;

/**
 * Decodes the header of the item at `p`, which must end at or before `end`. Returns false for an
 * empty range, a truncated item or a non-canonical header; true with the rlp* globals set.
 */
export function rlpItem(p: usize, end: usize): bool {
  if (p >= end) return false;
  const b = <u32>load<u8>(p);
  const avail: u64 = <u64>(end - p);
  if (b < 0x80) {
    rlpPayload = p;
    rlpLen = 1;
    rlpIsList = false;
    rlpEnd = p + 1;
    return true;
  }
  let isList = false;
  let headerLen: u64 = 1;
  let len: u64 = 0;
  if (b <= 0xb7) {
    len = <u64>(b - 0x80);
  } else if (b <= 0xbf) {
    const n = b - 0xb7;
    if (!readLength(p, avail, n)) return false;
    headerLen = 1 + <u64>n;
    len = lengthRead;
  } else if (b <= 0xf7) {
    isList = true;
    len = <u64>(b - 0xc0);
  } else {
    isList = true;
    const n = b - 0xf7;
    if (!readLength(p, avail, n)) return false;
    headerLen = 1 + <u64>n;
    len = lengthRead;
  }
  if (len > avail - headerLen) return false;
  // a one-byte string below 0x80 must be the byte itself
  if (!isList && len == 1 && headerLen == 1 && load<u8>(p + 1) < 0x80) return false;
  rlpPayload = p + <usize>headerLen;
  rlpLen = <i32>len;
  rlpIsList = isList;
  rlpEnd = rlpPayload + <usize>len;
  return true;
}

let lengthRead: u64 = 0;

// the n-byte big-endian length after the first byte at p: minimal (no leading zero, >= 56)
function readLength(p: usize, avail: u64, n: u32): bool {
  if (<u64>n + 1 > avail) return false;
  if (load<u8>(p + 1) == 0) return false;
  let len: u64 = 0;
  for (let i: u32 = 0; i < n; i++) len = (len << 8) | <u64>load<u8>(p + 1 + <usize>i);
  // n <= 8 always (0xbf - 0xb7, 0xff - 0xf7); a length over 2^31 cannot fit in memory anyway
  if (len < 56 || len > 0x7fffffff) return false;
  lengthRead = len;
  return true;
}

/** The item at p (ending by end) is a byte string; false if not or malformed. */
export function rlpString(p: usize, end: usize): bool {
  return rlpItem(p, end) && !rlpIsList;
}

/** The item at p (ending by end) is a list; false if not or malformed. */
export function rlpList(p: usize, end: usize): bool {
  return rlpItem(p, end) && rlpIsList;
}

/**
 * The item at p is a canonical unsigned integer of at most `maxBytes` bytes: a string with no
 * leading zero byte. Sets the rlp* globals; false otherwise (a list, too long, a leading zero).
 */
export function rlpUint(p: usize, end: usize, maxBytes: i32): bool {
  if (!rlpString(p, end)) return false;
  if (rlpLen > maxBytes) return false;
  if (rlpLen > 0 && load<u8>(rlpPayload) == 0) return false;
  return true;
}

/** The integer of the last decoded item (rlpLen <= 8), as a u64. */
export function rlpPayloadU64(): u64 {
  let v: u64 = 0;
  for (let i: i32 = 0; i < rlpLen; i++) v = (v << 8) | <u64>load<u8>(rlpPayload + <usize>i);
  return v;
}

/**
 * Writes the integer of the last decoded item (rlpLen <= 32) to `out` as a u256: four u64 limbs,
 * little-endian limb order (limb 0 least significant), the EVM's u256 layout (docs/evm.md).
 */
export function rlpPayloadU256(out: usize): void {
  store<u64>(out, 0);
  store<u64>(out, 0, 8);
  store<u64>(out, 0, 16);
  store<u64>(out, 0, 24);
  // byte i from the end of the big-endian payload is bit 8*i of the value
  for (let i: i32 = 0; i < rlpLen; i++) {
    const byte = <u64>load<u8>(rlpPayload + <usize>(rlpLen - 1 - i));
    const limb = out + <usize>((i >> 3) << 3);
    store<u64>(limb, load<u64>(limb) | (byte << (<u64>((i & 7) << 3))));
  }
}

/** Bytes of the RLP header of a list (or, with base 0x80, a string) whose payload is `len` bytes. */
export function rlpHeaderLen(len: i32): i32 {
  if (len < 56) return 1;
  let n: i32 = 1;
  while (n < 4 && <u32>len >= <u32>1 << (<u32>n << 3)) n++;
  return 1 + n;
}

/**
 * Writes the header of a list (base 0xc0) or string (base 0x80) of payload length `len` at `out`;
 * returns the bytes written ({@link rlpHeaderLen}).
 */
export function rlpWriteHeader(out: usize, base: u32, len: i32): i32 {
  if (len < 56) {
    store<u8>(out, <u8>(base + <u32>len));
    return 1;
  }
  const n = rlpHeaderLen(len) - 1;
  store<u8>(out, <u8>(base + 55 + <u32>n));
  for (let i: i32 = 0; i < n; i++) store<u8>(out + 1 + <usize>i, <u8>(<u32>len >> (<u32>(n - 1 - i) << 3)));
  return 1 + n;
}

/** Bytes of the RLP encoding of the unsigned integer v. */
export function rlpU64Len(v: u64): i32 {
  if (v < 0x80) return 1;
  let n: i32 = 1;
  while (n < 8 && v >= <u64>1 << (<u64>n << 3)) n++;
  return 1 + n;
}

/** Writes the RLP encoding of the unsigned integer v at out (0 is 0x80); returns the bytes written. */
export function rlpWriteU64(out: usize, v: u64): i32 {
  if (v == 0) {
    store<u8>(out, 0x80);
    return 1;
  }
  if (v < 0x80) {
    store<u8>(out, <u8>v);
    return 1;
  }
  const n = rlpU64Len(v) - 1;
  store<u8>(out, <u8>(0x80 + n));
  for (let i: i32 = 0; i < n; i++) store<u8>(out + 1 + <usize>i, <u8>(v >> (<u64>(n - 1 - i) << 3)));
  return 1 + n;
}
