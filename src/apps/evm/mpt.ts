/**
 * Ethereum's Merkle Patricia trie root (Yellow Paper appendix D) and the state-test roots built on
 * it (docs/evm.md "The state-test runner"): the secure state trie (keys keccak256(address), values
 * rlp([nonce, balance, storageRoot, codeHash])), each account's secure storage trie (keys
 * keccak256(slot), values rlp(minimal big-endian value)), and the logs hash
 * keccak256(rlp([[address, [topics…], data], …])).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type RlpItem, rlpEncode, uintBytes } from './rlp.ts';

/** keccak256(rlp("")): the root of an empty trie. */
export const EMPTY_TRIE_ROOT = keccak_256(rlpEncode(new Uint8Array(0)));
/** keccak256(""): the code hash of an account without code. */
export const EMPTY_CODE_HASH = keccak_256(new Uint8Array(0));

interface Entry {
  nibbles: Uint8Array;
  value: Uint8Array;
}

const toNibbles = (key: Uint8Array): Uint8Array => {
  const n = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    n[2 * i] = key[i] >> 4;
    n[2 * i + 1] = key[i] & 15;
  }
  return n;
};

/** hex-prefix encoding of a nibble path (appendix C) */
function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const odd = path.length % 2;
  const flag = (leaf ? 2 : 0) + odd;
  const out = new Uint8Array(1 + (path.length >> 1));
  let i = 0;
  if (odd) {
    out[0] = (flag << 4) | path[0];
    i = 1;
  } else out[0] = flag << 4;
  for (let o = 1; i < path.length; i += 2, o++) out[o] = (path[i] << 4) | path[i + 1];
  return out;
}

/** a child reference: the node itself when its encoding is under 32 bytes, else its hash */
const ref = (encoded: Uint8Array): RlpItem => (encoded.length < 32 ? { raw: encoded } : keccak_256(encoded));

/** the encoded node over entries (sorted by nibbles, distinct), all sharing the first `d` nibbles */
function node(entries: Entry[], d: number): Uint8Array {
  if (entries.length === 1) {
    const e = entries[0];
    return rlpEncode([hexPrefix(e.nibbles.subarray(d), true), e.value]);
  }
  // the longest common prefix past d (the first and last of a sorted list bound it)
  const a = entries[0].nibbles;
  const b = entries[entries.length - 1].nibbles;
  let cp = 0;
  while (d + cp < a.length && d + cp < b.length && a[d + cp] === b[d + cp]) cp++;
  if (cp > 0) return rlpEncode([hexPrefix(a.subarray(d, d + cp), false), ref(node(entries, d + cp))]);
  const slots: RlpItem[] = [];
  let value: Uint8Array = new Uint8Array(0);
  let i = 0;
  if (a.length === d) {
    value = entries[0].value;
    i = 1;
  }
  for (let nib = 0; nib < 16; nib++) {
    const start = i;
    while (i < entries.length && entries[i].nibbles[d] === nib) i++;
    slots.push(i > start ? ref(node(entries.slice(start, i), d + 1)) : new Uint8Array(0));
  }
  slots.push(value);
  return rlpEncode(slots);
}

const cmpBytes = (x: Uint8Array, y: Uint8Array): number => {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};

/**
 * The root of the trie over `pairs` (key → value bytes; keys distinct). Values must be non-empty:
 * an empty value means absent in Ethereum's tries (the caller leaves such keys out).
 */
export function trieRoot(pairs: Iterable<[Uint8Array, Uint8Array]>): Uint8Array {
  const entries: Entry[] = [];
  for (const [k, v] of pairs) {
    if (v.length === 0) throw new RangeError('trie: an empty value (leave the key out instead)');
    entries.push({ nibbles: toNibbles(k), value: v });
  }
  if (entries.length === 0) return EMPTY_TRIE_ROOT.slice();
  entries.sort((x, y) => cmpBytes(x.nibbles, y.nibbles));
  for (let i = 1; i < entries.length; i++)
    if (cmpBytes(entries[i - 1].nibbles, entries[i].nibbles) === 0) throw new RangeError('trie: a key twice');
  return keccak_256(node(entries, 0));
}

/** An account of Ethereum's state, as the state tests give it. */
export interface EthAccount {
  nonce: bigint;
  balance: bigint;
  codeHash: Uint8Array;
  /** slot (32 bytes, hex without 0x, lower case) → value; zero values are absent */
  storage: Map<string, bigint>;
}

/** The secure storage trie root of an account's slots (zero values left out). */
export function storageRoot(storage: Map<string, bigint>): Uint8Array {
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const [slot, value] of storage) {
    if (value === 0n) continue;
    pairs.push([keccak_256(Buffer.from(slot, 'hex')), rlpEncode(uintBytes(value))]);
  }
  return trieRoot(pairs);
}

/** The state root over `accounts` (address: 20 bytes as lower-case hex without 0x). */
export function stateRoot(accounts: Map<string, EthAccount>): Uint8Array {
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const [addr, a] of accounts) {
    const body = rlpEncode([uintBytes(a.nonce), uintBytes(a.balance), storageRoot(a.storage), a.codeHash]);
    pairs.push([keccak_256(Buffer.from(addr, 'hex')), body]);
  }
  return trieRoot(pairs);
}

/** One log of a transaction's receipt. */
export interface EthLog {
  address: Uint8Array;
  topics: Uint8Array[];
  data: Uint8Array;
}

/** keccak256(rlp([[address, [topics…], data], …])): the state tests' `logs` hash. */
export function logsHash(logs: readonly EthLog[]): Uint8Array {
  return keccak_256(rlpEncode(logs.map((l) => [l.address, l.topics, l.data])));
}
