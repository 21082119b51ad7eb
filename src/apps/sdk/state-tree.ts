/**
 * TypeScript reference of the guest state tree (guest/sdk/state.ts, docs/stf.md "State tree"):
 * a compact binary trie over keccak256(key). Reads and writes go through a {@link PreimageStore};
 * every node created is added to it (as the guest hints it).
 *   empty  = 32 zero bytes
 *   leaf   = keccak256(MARKER ‖ keccak256(keyHash ‖ keccak256(value))), MARKER = 32 × 0xff
 *   branch = keccak256(left ‖ right), bit i of keyHash (MSB of byte 0 first) chooses the side
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { PreimageStore } from './preimage-store.ts';

export const EMPTY_ROOT = new Uint8Array(32);
const MARKER = new Uint8Array(32).fill(0xff);

const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const isZero = (a: Uint8Array): boolean => a.every((x) => x === 0);
const bitAt = (kh: Uint8Array, depth: number): number => (kh[depth >> 3] >> (7 - (depth & 7))) & 1;

type Node =
  | { leaf: true; keyHash: Uint8Array; valueHash: Uint8Array }
  | { leaf: false; left: Uint8Array; right: Uint8Array };

export class StateTree {
  constructor(
    readonly store: Pick<PreimageStore, 'get' | 'add'>,
    public root: Uint8Array = EMPTY_ROOT,
  ) {}

  private pair(a: Uint8Array, b: Uint8Array): Uint8Array {
    const buf = new Uint8Array(64);
    buf.set(a, 0);
    buf.set(b, 32);
    return this.store.add(buf);
  }

  private node(h: Uint8Array): Node {
    const pre = this.store.get(h);
    if (pre?.length !== 64) throw new Error(`state tree: missing node 0x${Buffer.from(h).toString('hex')}`);
    const a = pre.subarray(0, 32);
    const b = pre.subarray(32, 64);
    if (eq(a, MARKER)) {
      const inner = this.store.get(b);
      if (inner?.length !== 64) throw new Error('state tree: missing leaf body');
      return { leaf: true, keyHash: inner.subarray(0, 32), valueHash: inner.subarray(32, 64) };
    }
    return { leaf: false, left: a, right: b };
  }

  private makeLeaf(kh: Uint8Array, vh: Uint8Array): Uint8Array {
    return this.pair(MARKER, this.pair(kh, vh));
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const kh = keccak_256(key);
    let h = this.root;
    for (let depth = 0; !isZero(h); depth++) {
      const n = this.node(h);
      if (n.leaf) {
        if (!eq(n.keyHash, kh)) return undefined;
        const v = this.store.get(n.valueHash);
        if (!v) throw new Error('state tree: missing value');
        return v;
      }
      h = bitAt(kh, depth) ? n.right : n.left;
    }
    return undefined;
  }

  /**
   * The value at `key` with its inclusion proof (docs/validity.md §5.3): the siblings of the nodes on
   * its path, root level first (`siblings.length` = the leaf's depth); undefined when `key` is absent.
   * `stateProofRoot` (and contracts/validity/CompactTrieProof.sol on L1) hashes it back to the root.
   */
  prove(key: Uint8Array): { value: Uint8Array; siblings: Uint8Array[] } | undefined {
    const kh = keccak_256(key);
    const siblings: Uint8Array[] = [];
    let h = this.root;
    for (let depth = 0; !isZero(h); depth++) {
      const n = this.node(h);
      if (n.leaf) {
        if (!eq(n.keyHash, kh)) return undefined;
        const value = this.store.get(n.valueHash);
        if (!value) throw new Error('state tree: missing value');
        return { value, siblings };
      }
      const right = bitAt(kh, depth) === 1;
      siblings.push(right ? n.left : n.right);
      h = right ? n.right : n.left;
    }
    return undefined;
  }

  /**
   * Every leaf of the tree, depth first (left before right): its key hash and value. The tree keeps
   * only keccak256(key); apps whose values carry their key (docs/evm.md §1) can list their state.
   */
  *leaves(): Generator<{ keyHash: Uint8Array; value: Uint8Array }> {
    const stack = isZero(this.root) ? [] : [this.root];
    for (let h = stack.pop(); h; h = stack.pop()) {
      const n = this.node(h);
      if (n.leaf) {
        const value = this.store.get(n.valueHash);
        if (!value)
          throw new Error(`state tree: missing value 0x${Buffer.from(n.valueHash).toString('hex')}`);
        yield { keyHash: n.keyHash, value };
        continue;
      }
      if (!isZero(n.right)) stack.push(n.right);
      if (!isZero(n.left)) stack.push(n.left);
    }
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const kh = keccak_256(key);
    const vh = this.store.add(value);
    this.root = this.insert(this.root, kh, vh, 0);
  }

  delete(key: Uint8Array): void {
    this.root = this.remove(this.root, keccak_256(key), 0).hash;
  }

  private split(a: Uint8Array, ka: Uint8Array, b: Uint8Array, kb: Uint8Array, depth: number): Uint8Array {
    const ba = bitAt(ka, depth);
    if (ba !== bitAt(kb, depth)) return ba === 0 ? this.pair(a, b) : this.pair(b, a);
    const c = this.split(a, ka, b, kb, depth + 1);
    return ba === 0 ? this.pair(c, EMPTY_ROOT) : this.pair(EMPTY_ROOT, c);
  }

  private insert(h: Uint8Array, kh: Uint8Array, vh: Uint8Array, depth: number): Uint8Array {
    if (isZero(h)) return this.makeLeaf(kh, vh);
    const n = this.node(h);
    if (n.leaf) {
      if (eq(n.keyHash, kh)) return eq(n.valueHash, vh) ? h : this.makeLeaf(kh, vh);
      return this.split(h, n.keyHash, this.makeLeaf(kh, vh), kh, depth);
    }
    if (bitAt(kh, depth) === 0) {
      const c = this.insert(n.left, kh, vh, depth + 1);
      return eq(c, n.left) ? h : this.pair(c, n.right);
    }
    const c = this.insert(n.right, kh, vh, depth + 1);
    return eq(c, n.right) ? h : this.pair(n.left, c);
  }

  private remove(h: Uint8Array, kh: Uint8Array, depth: number): { hash: Uint8Array; leaf: boolean } {
    if (isZero(h)) return { hash: h, leaf: false };
    const n = this.node(h);
    if (n.leaf) return eq(n.keyHash, kh) ? { hash: EMPTY_ROOT, leaf: true } : { hash: h, leaf: false };
    const bit = bitAt(kh, depth);
    const child = bit ? n.right : n.left;
    const sib = bit ? n.left : n.right;
    const c = this.remove(child, kh, depth + 1);
    if (eq(c.hash, child)) return { hash: h, leaf: false };
    if (isZero(c.hash)) {
      if (isZero(sib)) return { hash: EMPTY_ROOT, leaf: true };
      if (this.node(sib).leaf) return { hash: sib, leaf: true };
    } else if (c.leaf && isZero(sib)) {
      return c;
    }
    return { hash: bit ? this.pair(sib, c.hash) : this.pair(c.hash, sib), leaf: false };
  }
}

/**
 * The root that the leaf (key, value) hashes up to along `siblings` (root level first): the check of
 * an inclusion proof from {@link StateTree.prove}, as contracts/validity/CompactTrieProof.sol does it.
 */
export function stateProofRoot(
  key: Uint8Array,
  value: Uint8Array,
  siblings: readonly Uint8Array[],
): Uint8Array {
  const kh = keccak_256(key);
  const pair = (a: Uint8Array, b: Uint8Array) => {
    const buf = new Uint8Array(64);
    buf.set(a, 0);
    buf.set(b, 32);
    return keccak_256(buf);
  };
  let node = pair(MARKER, pair(kh, keccak_256(value)));
  for (let d = siblings.length - 1; d >= 0; d--)
    node = bitAt(kh, d) ? pair(siblings[d], node) : pair(node, siblings[d]);
  return node;
}
