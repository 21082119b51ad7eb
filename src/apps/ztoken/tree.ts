/**
 * The account tree (docs/validity.md §2.1): depth 16, leaf = Poseidon(ax, ay, balance, nonce),
 * node = Poseidon(left, right), bit k of the index = the side at level k (0: left). Absent
 * subtrees are their empty roots, so only written paths are stored.
 */
import type { ZkCrypto } from './crypto.ts';

export const DEPTH = 16;
export const ACCOUNTS = 1 << DEPTH;

export interface Account {
  ax: bigint;
  ay: bigint;
  balance: bigint;
  nonce: bigint;
}

export const EMPTY_ACCOUNT: Account = { ax: 0n, ay: 0n, balance: 0n, nonce: 0n };

export function leafHash(z: ZkCrypto, a: Account): bigint {
  return z.poseidon([a.ax, a.ay, a.balance, a.nonce]);
}

/** emptyRoots[k]: the root of an empty subtree of height k (emptyRoots[0] = the empty leaf) */
export function emptyRoots(z: ZkCrypto): bigint[] {
  const r = [leafHash(z, EMPTY_ACCOUNT)];
  for (let k = 0; k < DEPTH; k++) r.push(z.poseidon([r[k], r[k]]));
  return r;
}

export class AccountTree {
  private readonly empty: bigint[];
  /** levels[k]: index at level k → node (level 0: leaves) */
  private readonly levels: Map<number, bigint>[] = [];

  constructor(private readonly z: ZkCrypto) {
    this.empty = emptyRoots(z);
    for (let k = 0; k <= DEPTH; k++) this.levels.push(new Map());
  }

  private node(level: number, i: number): bigint {
    return this.levels[level].get(i) ?? this.empty[level];
  }

  get root(): bigint {
    return this.node(DEPTH, 0);
  }

  /** the siblings from the leaf up (path[0] is the leaf's sibling) */
  path(index: number): bigint[] {
    const out: bigint[] = [];
    for (let k = 0, i = index; k < DEPTH; k++, i >>= 1) out.push(this.node(k, i ^ 1));
    return out;
  }

  set(index: number, leaf: bigint): void {
    let cur = leaf;
    this.levels[0].set(index, cur);
    for (let k = 0, i = index; k < DEPTH; k++, i >>= 1) {
      const sib = this.node(k, i ^ 1);
      cur = i & 1 ? this.z.poseidon([sib, cur]) : this.z.poseidon([cur, sib]);
      this.levels[k + 1].set(i >> 1, cur);
    }
  }
}

/** the root from a leaf and its path (what the circuit's MerkleRoot computes) */
export function rootOf(z: ZkCrypto, leaf: bigint, index: number, path: readonly bigint[]): bigint {
  let cur = leaf;
  for (let k = 0; k < DEPTH; k++)
    cur = (index >> k) & 1 ? z.poseidon([path[k], cur]) : z.poseidon([cur, path[k]]);
  return cur;
}
