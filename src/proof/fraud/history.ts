/**
 * History commitments of the dispute protocol (docs/dispute.md §3): a level's states X_0 … X_N
 * (N = 2^h) are committed by `node(0, h)`, a 2^D-ary tree whose nodes carry their two end states,
 * so a dissection (§4.2) reveals the boundary states and inner roots of one node's children.
 */
import { hashWords, type Word, ZERO_WORD } from '../../vm/wasm/hash.ts';
import { merkleRoot } from '../../vm/wasm/merkle.ts';

/** D: a dissection splits a range into up to 2^D parts (§1). */
export const DISSECTION_BITS = 4;

/** Largest level height supported: indices up to 2^h stay exact JS integers. */
export const MAX_HISTORY_HEIGHT = 48;

/** d(w) = ((w − 1) mod D) + 1: the bits one dissection of a width-2^w range splits off (§3), w ≥ 1. */
export function splitBits(w: number): number {
  if (!Number.isInteger(w) || w < 1) throw new RangeError(`splitBits: width exponent ${w} must be >= 1`);
  return ((w - 1) % DISSECTION_BITS) + 1;
}

/** H(start ‖ end ‖ inner): the commitment of a range given its end states and inner root (§3). */
export function nodeHash(start: Word, end: Word, inner: Word): Word {
  return hashWords([start, end, inner]);
}

/** One dissection of `node(a, w)` (§4.2): child j covers [a + j·2^(w−d), a + (j+1)·2^(w−d)]. */
export interface Dissection {
  /** the 2^d + 1 boundary states B[j] = X_{a + j·2^(w−d)} */
  boundaries: Word[];
  /** the 2^d inner roots I[j] = inner(child j) (zero words for width-1 children) */
  inners: Word[];
  /** the 2^d child commitments node(child j) = H(B[j] ‖ B[j+1] ‖ I[j]) */
  children: Word[];
}

interface NodeEntry {
  inner: Word;
  node: Word;
}

/**
 * The history of one level: X_i = states[i] for i < states.length, and the last given state for
 * every later i up to 2^h (padding: a stopped machine, or the blocks after the last message).
 * Nodes are memoized; ranges that lie entirely in the padding take O(w) hashes in all (their
 * commitment depends only on w).
 */
export class History {
  readonly h: number;
  private readonly states: Word[];
  private readonly last: Word;
  /** memo[w] maps a range start to its entry (w ≥ 1; width-1 nodes are one hash) */
  private readonly memo: Map<number, NodeEntry>[] = [];
  /** padded[w]: the entry of a width-2^w range whose states are all `last` */
  private readonly padded: NodeEntry[] = [];

  constructor(h: number, states: Word[]) {
    if (!Number.isInteger(h) || h < 0 || h > MAX_HISTORY_HEIGHT)
      throw new RangeError(`history height ${h} must be an integer in [0, ${MAX_HISTORY_HEIGHT}]`);
    if (states.length < 1 || states.length > 2 ** h + 1)
      throw new RangeError(`a height-${h} history has 1 to 2^${h} + 1 states, got ${states.length}`);
    this.h = h;
    this.states = states;
    this.last = states[states.length - 1];
  }

  /** the given states (the history pads with the last one) */
  get realStates(): readonly Word[] {
    return this.states;
  }

  /** N = 2^h, the index of the last state */
  get size(): number {
    return 2 ** this.h;
  }

  /** X_i, 0 ≤ i ≤ 2^h */
  state(i: number): Word {
    if (!Number.isInteger(i) || i < 0 || i > this.size)
      throw new RangeError(`state index ${i} is outside [0, 2^${this.h}]`);
    return i < this.states.length ? this.states[i] : this.last;
  }

  /** node(a, w): the commitment of the 2^w transitions from X_a to X_{a+2^w} (§3) */
  node(a: number, w: number): Word {
    return this.entry(a, w).node;
  }

  /** inner(a, w): the Merkle root of the 2^d child nodes (the zero word for w = 0) */
  inner(a: number, w: number): Word {
    return this.entry(a, w).inner;
  }

  /** the top commitment node(0, h) */
  root(): Word {
    return this.node(0, this.h);
  }

  /** start index of child j of node(a, w) */
  childStart(a: number, w: number, j: number): number {
    return a + j * 2 ** (w - splitBits(w));
  }

  /** The boundary states, inner roots and child nodes of node(a, w), w ≥ 1: what `dissect` takes (§4.2). */
  dissection(a: number, w: number): Dissection {
    this.checkRange(a, w);
    const d = splitBits(w);
    const sub = w - d;
    const boundaries: Word[] = [];
    const inners: Word[] = [];
    const children: Word[] = [];
    for (let j = 0; j < 2 ** d; j++) {
      const e = this.entry(this.childStart(a, w, j), sub);
      boundaries.push(this.state(this.childStart(a, w, j)));
      inners.push(e.inner);
      children.push(e.node);
    }
    boundaries.push(this.state(a + 2 ** w));
    return { boundaries, inners, children };
  }

  private checkRange(a: number, w: number): void {
    if (!Number.isInteger(w) || w < 0 || w > this.h)
      throw new RangeError(`width exponent ${w} is outside [0, ${this.h}]`);
    if (!Number.isInteger(a) || a < 0 || a + 2 ** w > this.size)
      throw new RangeError(`range [${a}, ${a} + 2^${w}] is outside the height-${this.h} history`);
  }

  private entry(a: number, w: number): NodeEntry {
    this.checkRange(a, w);
    if (a >= this.states.length - 1) return this.paddedEntry(w);
    if (w === 0) return { inner: ZERO_WORD, node: nodeHash(this.states[a], this.state(a + 1), ZERO_WORD) };
    let memo = this.memo[w];
    if (!memo) {
      memo = new Map();
      this.memo[w] = memo;
    }
    let e = memo.get(a);
    if (!e) {
      const d = splitBits(w);
      const sub = w - d;
      const leaves: Word[] = [];
      for (let j = 0; j < 2 ** d; j++) leaves.push(this.entry(a + j * 2 ** sub, sub).node);
      const inner = merkleRoot(leaves, d);
      e = { inner, node: nodeHash(this.states[a], this.state(a + 2 ** w), inner) };
      memo.set(a, e);
    }
    return e;
  }

  /** node(a, w) of a range whose states all equal the last one: independent of a */
  private paddedEntry(w: number): NodeEntry {
    let e = this.padded[w];
    if (!e) {
      if (w === 0) e = { inner: ZERO_WORD, node: nodeHash(this.last, this.last, ZERO_WORD) };
      else {
        const d = splitBits(w);
        const child = this.paddedEntry(w - d).node;
        const inner = merkleRoot(new Array<Word>(2 ** d).fill(child), d);
        e = { inner, node: nodeHash(this.last, this.last, inner) };
      }
      this.padded[w] = e;
    }
    return e;
  }
}

function equalWords(x: Word, y: Word): boolean {
  return x.length === y.length && x.every((b, i) => b === y[i]);
}

/**
 * The challenge manager's dissection check (§4.2): `B` has 2^d + 1 boundary states and `I` 2^d
 * inner roots (d = d(w)), B[0] is the edge's start state, and
 * H(B[0] ‖ B[2^d] ‖ merkleRoot(H(B[j] ‖ B[j+1] ‖ I[j]))) is the edge's root.
 */
export function verifyDissection(
  root: Word,
  startState: Word,
  w: number,
  boundaries: Word[],
  inners: Word[],
): boolean {
  const d = splitBits(w);
  const n = 2 ** d;
  if (boundaries.length !== n + 1 || inners.length !== n) return false;
  if (!equalWords(boundaries[0], startState)) return false;
  const children = inners.map((inner, j) => nodeHash(boundaries[j], boundaries[j + 1], inner));
  return equalWords(nodeHash(boundaries[0], boundaries[n], merkleRoot(children, d)), root);
}
