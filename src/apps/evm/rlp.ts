/**
 * A small RLP encoder (Yellow Paper appendix B) for the state-test runner's Merkle Patricia trie and
 * logs hash. An item is bytes, a list of items, or an already encoded item ({@link RlpRaw}), which a
 * trie node needs to embed a child node of under 32 bytes as is.
 */
export interface RlpRaw {
  raw: Uint8Array;
}
export type RlpItem = Uint8Array | RlpRaw | RlpItem[];

const concat = (parts: Uint8Array[]): Uint8Array => {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function header(base: number, len: number): Uint8Array {
  if (len < 56) return Uint8Array.of(base + len);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(base + 55 + bytes.length, ...bytes);
}

/** The RLP encoding of `item`. */
export function rlpEncode(item: RlpItem): Uint8Array {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0] < 0x80) return item;
    return concat([header(0x80, item.length), item]);
  }
  if (Array.isArray(item)) {
    const body = concat(item.map(rlpEncode));
    return concat([header(0xc0, body.length), body]);
  }
  return item.raw;
}

/** The minimal big-endian bytes of a non-negative integer (0 is the empty string). */
export function uintBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError(`rlp: negative integer ${v}`);
  if (v === 0n) return new Uint8Array(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
