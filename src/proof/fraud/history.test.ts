import { describe, expect, it } from 'vitest';
import { hashPair, hashWords, keccak, toHex, type Word, word, ZERO_WORD } from '../../vm/wasm/hash.ts';
import { merkleRoot } from '../../vm/wasm/merkle.ts';
import { History, nodeHash, splitBits, verifyDissection } from './history.ts';

/** distinct pseudo-random states */
function randomStates(n: number, seed: number): Word[] {
  return Array.from({ length: n }, (_, i) => keccak(word((BigInt(seed) << 32n) | BigInt(i))));
}

/** node(a, w) straight from docs/dispute.md §3, over an explicitly padded array of 2^h + 1 states */
function bruteNode(x: Word[], a: number, w: number): Word {
  if (w === 0) return hashWords([x[a], x[a + 1], ZERO_WORD]);
  const d = ((w - 1) % 4) + 1;
  const leaves: Word[] = [];
  for (let j = 0; j < 2 ** d; j++) leaves.push(bruteNode(x, a + j * 2 ** (w - d), w - d));
  return hashWords([x[a], x[a + 2 ** w], merkleRoot(leaves, d)]);
}

function padded(states: Word[], h: number): Word[] {
  const x = states.slice();
  while (x.length < 2 ** h + 1) x.push(states[states.length - 1]);
  return x;
}

describe('splitBits', () => {
  it('follows d(w) = ((w - 1) mod 4) + 1', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 36].map(splitBits)).toEqual([1, 2, 3, 4, 1, 4, 1, 4]);
    expect(() => splitBits(0)).toThrow(RangeError);
  });

  it('splits h = 10 as 2, 4, 4 and h = 36 as nine 4s', () => {
    const seq = (h: number) => {
      const out: number[] = [];
      for (let w = h; w > 0; w -= splitBits(w)) out.push(splitBits(w));
      return out;
    };
    expect(seq(10)).toEqual([2, 4, 4]);
    expect(seq(36)).toEqual(Array(9).fill(4));
  });
});

describe('History', () => {
  it('h = 2 by hand: one 4-way split', () => {
    const x = randomStates(5, 1);
    const n = (i: number) => hashWords([x[i], x[i + 1], ZERO_WORD]);
    const inner = hashPair(hashPair(n(0), n(1)), hashPair(n(2), n(3)));
    const hist = new History(2, x);
    expect(toHex(hist.root())).toBe(toHex(hashWords([x[0], x[4], inner])));
    expect(toHex(hist.inner(0, 2))).toBe(toHex(inner));
    expect(toHex(hist.node(2, 0))).toBe(toHex(n(2)));
  });

  it('h = 3 by hand, with padding after X_2', () => {
    const real = randomStates(3, 2);
    const x = [...real, real[2], real[2], real[2], real[2], real[2], real[2]];
    const n = (i: number) => hashWords([x[i], x[i + 1], ZERO_WORD]);
    const l1 = [0, 2, 4, 6].map((i) => hashPair(n(i), n(i + 1)));
    const inner = hashPair(hashPair(l1[0], l1[1]), hashPair(l1[2], l1[3]));
    const hist = new History(3, real);
    expect(toHex(hist.root())).toBe(toHex(hashWords([x[0], x[8], inner])));
    expect(toHex(hist.state(8))).toBe(toHex(real[2]));
    expect(toHex(hist.node(5, 0))).toBe(toHex(hashWords([real[2], real[2], ZERO_WORD])));
  });

  it('h = 5 by hand: a 2-way split of two 16-way splits', () => {
    const x = randomStates(33, 3);
    const n = (i: number) => hashWords([x[i], x[i + 1], ZERO_WORD]);
    const half = (a: number) => {
      const leaves = Array.from({ length: 16 }, (_, j) => n(a + j));
      return hashWords([x[a], x[a + 16], merkleRoot(leaves, 4)]);
    };
    const hist = new History(5, x);
    expect(toHex(hist.root())).toBe(toHex(hashWords([x[0], x[32], hashPair(half(0), half(16))])));
    expect(toHex(hist.node(16, 4))).toBe(toHex(half(16)));
  });

  it('equals the brute-force definition for h = 10 with random states and padding', () => {
    for (const [count, seed] of [
      [1025, 4],
      [700, 5],
      [17, 6],
      [1, 7],
      [2, 8],
    ]) {
      const states = randomStates(count, seed);
      const hist = new History(10, states);
      const x = padded(states, 10);
      expect(toHex(hist.root()), `${count} states`).toBe(toHex(bruteNode(x, 0, 10)));
      for (const [a, w] of [
        [0, 8],
        [256, 8],
        [512, 8],
        [768, 4],
        [688, 4],
        [699, 0],
        [1000, 0],
      ])
        expect(toHex(hist.node(a, w)), `node(${a}, ${w}) of ${count}`).toBe(toHex(bruteNode(x, a, w)));
    }
  });

  it('dissections verify against their node, down to width 1', () => {
    const states = randomStates(600, 9);
    const hist = new History(10, states);
    // walk several paths from the root to a single step
    for (const pick of [0, 1, 3, 7, 15]) {
      let a = 0;
      let w = 10;
      let root = hist.root();
      while (w > 0) {
        const { boundaries, inners, children } = hist.dissection(a, w);
        expect(verifyDissection(root, hist.state(a), w, boundaries, inners)).toBe(true);
        expect(children.map(toHex)).toEqual(
          inners.map((inner, j) => toHex(nodeHash(boundaries[j], boundaries[j + 1], inner))),
        );
        const j = Math.min(pick, children.length - 1);
        const next = hist.childStart(a, w, j);
        w -= splitBits(w);
        expect(toHex(children[j])).toBe(toHex(hist.node(next, w)));
        a = next;
        root = children[j];
      }
      expect(toHex(root)).toBe(toHex(nodeHash(hist.state(a), hist.state(a + 1), ZERO_WORD)));
    }
  });

  it('a tampered boundary, inner root, start state or length fails the check', () => {
    const hist = new History(10, randomStates(1025, 10));
    const root = hist.node(256, 8);
    const { boundaries, inners } = hist.dissection(256, 8);
    const start = hist.state(256);
    expect(verifyDissection(root, start, 8, boundaries, inners)).toBe(true);
    const bad = keccak(word(12345));
    for (const i of [0, 1, 8, 16]) {
      const b = boundaries.slice();
      b[i] = bad;
      expect(verifyDissection(root, start, 8, b, inners), `boundary ${i}`).toBe(false);
    }
    for (const i of [0, 5, 15]) {
      const inn = inners.slice();
      inn[i] = bad;
      expect(verifyDissection(root, start, 8, boundaries, inn), `inner ${i}`).toBe(false);
    }
    expect(verifyDissection(root, bad, 8, boundaries, inners)).toBe(false);
    expect(verifyDissection(root, start, 8, boundaries.slice(0, 16), inners.slice(0, 15))).toBe(false);
    expect(verifyDissection(root, start, 7, boundaries, inners)).toBe(false);
  });

  it('rejects out-of-range indices and bad sizes', () => {
    const hist = new History(4, randomStates(3, 11));
    expect(() => hist.state(17)).toThrow(RangeError);
    expect(() => hist.node(1, 4)).toThrow(RangeError);
    expect(() => hist.node(0, 5)).toThrow(RangeError);
    expect(() => new History(2, randomStates(6, 12))).toThrow(RangeError);
    expect(() => new History(2, [])).toThrow(RangeError);
    expect(() => new History(49, [ZERO_WORD])).toThrow(RangeError);
  });

  it('h = 36 with 5000 real states: the root (its time is logged, not asserted)', () => {
    const states = randomStates(5000, 13);
    const t0 = performance.now();
    const hist = new History(36, states);
    const root = hist.root();
    const ms = performance.now() - t0;
    console.log(`history root, h = 36, 5000 real states: ${ms.toFixed(1)} ms`);
    // the padded region is consistent with a brute-force tail: node(4992, 4) straddles the end
    const x = padded(states.slice(4992), 4);
    expect(toHex(hist.node(4992, 4))).toBe(toHex(bruteNode(x, 0, 4)));
    const d = hist.dissection(0, 36);
    expect(verifyDissection(root, states[0], 36, d.boundaries, d.inners)).toBe(true);
    expect(toHex(d.boundaries[16])).toBe(toHex(states[4999]));
  });
});
