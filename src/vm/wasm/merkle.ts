/**
 * Binary Merkle trees over 32-byte leaves (docs/machine.md §4.2). A tree of depth d has 2^d leaf
 * slots; missing leaves are zero words; an inner node is keccak256(left || right). Leaves are the
 * words themselves (not hashed): the depth is always fixed by the commitment that holds the root.
 */
import { hashPair, type Word, ZERO_HASHES } from './hash.ts';

/** Root of a tree of the given depth over `leaves` (padded with zero words). */
export function merkleRoot(leaves: Word[], depth: number): Word {
  if (leaves.length > 2 ** depth)
    throw new RangeError(`${leaves.length} leaves do not fit a depth-${depth} tree`);
  let level = leaves;
  for (let k = 0; k < depth; k++) {
    const next: Word[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(hashPair(level[i], i + 1 < level.length ? level[i + 1] : ZERO_HASHES[k]));
    }
    level = next;
  }
  return level[0] ?? ZERO_HASHES[depth];
}

/** Sibling path (bottom-up) of leaf `index`. */
export function merkleProof(leaves: Word[], depth: number, index: number): Word[] {
  const path: Word[] = [];
  let level = leaves;
  let i = index;
  for (let k = 0; k < depth; k++) {
    const sib = i ^ 1;
    path.push(sib < level.length ? level[sib] : ZERO_HASHES[k]);
    const next: Word[] = [];
    for (let j = 0; j < level.length; j += 2) {
      next.push(hashPair(level[j], j + 1 < level.length ? level[j + 1] : ZERO_HASHES[k]));
    }
    level = next;
    i >>= 1;
  }
  return path;
}

/** Recomputes the root from a leaf and its sibling path. */
export function rootFromPath(leaf: Word, index: number, path: Word[]): Word {
  let h = leaf;
  let i = index;
  for (const sib of path) {
    h = i & 1 ? hashPair(sib, h) : hashPair(h, sib);
    i >>>= 1;
  }
  return h;
}

/**
 * A tree whose levels are all kept, so a leaf update rehashes one path and a proof is a lookup.
 * Used for memory (depth fixed by the module's maximum pages) with incremental updates.
 */
export class IncrementalTree {
  readonly depth: number;
  /** levels[k] holds the node words of level k (k = 0: leaves) for the allocated prefix */
  private levels: Uint8Array[];
  private counts: number[];

  constructor(depth: number, leafCount: number, leafBytes?: Uint8Array) {
    this.depth = depth;
    this.levels = [];
    this.counts = [];
    this.resize(leafCount);
    if (leafBytes) {
      this.levels[0].set(leafBytes.subarray(0, leafCount * 32));
      this.rebuild();
    }
  }

  clone(): IncrementalTree {
    const c = Object.create(IncrementalTree.prototype) as IncrementalTree;
    Object.assign(c, {
      depth: this.depth,
      levels: this.levels.map((l) => l.slice()),
      counts: this.counts.slice(),
    });
    return c;
  }

  get leafCount(): number {
    return this.counts[0];
  }

  /** Grows the allocated prefix; new leaves are zero. */
  resize(leafCount: number): void {
    const old = this.counts[0] ?? 0;
    for (let k = 0; k <= this.depth; k++) {
      const n = Math.max(1, Math.ceil(leafCount / 2 ** k));
      const buf = new Uint8Array(n * 32);
      const prev = this.levels[k];
      const prevN = this.counts[k] ?? 0;
      if (prev) buf.set(prev);
      for (let i = prevN; i < n; i++) buf.set(ZERO_HASHES[k], i * 32);
      this.levels[k] = buf;
      this.counts[k] = n;
    }
    if (old > 0 && leafCount > old) this.updatePath(old - 1);
  }

  private node(k: number, i: number): Word {
    return i < this.counts[k] ? this.levels[k].subarray(i * 32, i * 32 + 32) : ZERO_HASHES[k];
  }

  /** Sets leaf words from `bytes` (a multiple of 32 bytes at leaf `index`) without rehashing. */
  setLeaf(index: number, leaf: Uint8Array): void {
    this.levels[0].set(leaf, index * 32);
  }

  /** Rehashes the path above leaf `index`. */
  updatePath(index: number): void {
    let i = index;
    for (let k = 1; k <= this.depth; k++) {
      i >>>= 1;
      const h = hashPair(this.node(k - 1, 2 * i), this.node(k - 1, 2 * i + 1));
      if (i < this.counts[k]) this.levels[k].set(h, i * 32);
    }
  }

  /** Rehashes the paths above the given leaves, each shared node once. */
  updateMany(indices: number[]): void {
    let cur = Int32Array.from(indices).sort();
    for (let k = 1; k <= this.depth; k++) {
      const next: number[] = [];
      let last = -1;
      for (const idx of cur) {
        const p = idx >>> 1;
        if (p === last) continue;
        last = p;
        next.push(p);
        const h = hashPair(this.node(k - 1, 2 * p), this.node(k - 1, 2 * p + 1));
        if (p < this.counts[k]) this.levels[k].set(h, p * 32);
      }
      cur = Int32Array.from(next);
    }
  }

  rebuild(): void {
    for (let k = 1; k <= this.depth; k++) {
      for (let i = 0; i < this.counts[k]; i++) {
        this.levels[k].set(hashPair(this.node(k - 1, 2 * i), this.node(k - 1, 2 * i + 1)), i * 32);
      }
    }
  }

  root(): Word {
    return this.node(this.depth, 0).slice();
  }

  leaf(index: number): Word {
    return this.node(0, index).slice();
  }

  proof(index: number): Word[] {
    const path: Word[] = [];
    let i = index;
    for (let k = 0; k < this.depth; k++) {
      path.push(this.node(k, i ^ 1).slice());
      i >>>= 1;
    }
    return path;
  }
}
