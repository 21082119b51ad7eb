/**
 * Inclusion proofs of the compact trie (`StateTree.prove`, `stateProofRoot`; docs/validity.md §5.3):
 * every key of random trees proves its value to the root, and a proof fails for another value,
 * another key, a changed sibling, a dropped or added sibling and another root.
 */
import { describe, expect, it } from 'vitest';
import { PreimageStore } from './preimage-store.ts';
import { StateTree, stateProofRoot } from './state-tree.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (...xs: number[]) => Uint8Array.from(xs);

describe('StateTree.prove / stateProofRoot', () => {
  it('proves every key of random trees (1 to 200 keys) and nothing else', () => {
    for (const size of [1, 2, 3, 17, 200]) {
      const t = new StateTree(new PreimageStore());
      const keys: Uint8Array[] = [];
      for (let i = 0; i < size; i++) {
        const k = bytes(0x21, i >> 8, i & 0xff);
        keys.push(k);
        t.set(k, bytes(i, i + 1, i + 2));
      }
      t.set(bytes(0x20), new Uint8Array(32).fill(7));
      keys.push(bytes(0x20));
      for (const k of keys) {
        const p = t.prove(k);
        expect(p).toBeDefined();
        if (!p) continue;
        expect(hex(p.value)).toBe(hex(t.get(k) as Uint8Array));
        expect(hex(stateProofRoot(k, p.value, p.siblings))).toBe(hex(t.root));
        // another value, another key
        expect(hex(stateProofRoot(k, bytes(...p.value, 0), p.siblings))).not.toBe(hex(t.root));
        expect(hex(stateProofRoot(bytes(0x22), p.value, p.siblings))).not.toBe(hex(t.root));
        if (p.siblings.length > 0) {
          const bad = p.siblings.map((s) => s.slice());
          bad[bad.length - 1][5] ^= 1;
          expect(hex(stateProofRoot(k, p.value, bad))).not.toBe(hex(t.root));
          expect(hex(stateProofRoot(k, p.value, p.siblings.slice(1)))).not.toBe(hex(t.root));
        }
        expect(hex(stateProofRoot(k, p.value, [new Uint8Array(32), ...p.siblings]))).not.toBe(hex(t.root));
      }
      expect(t.prove(bytes(0x99, 1))).toBeUndefined();
    }
  });

  it('the empty tree proves nothing; a one-key tree proves its key with no siblings', () => {
    const t = new StateTree(new PreimageStore());
    expect(t.prove(bytes(0x20))).toBeUndefined();
    t.set(bytes(0x20), bytes(1));
    expect(t.prove(bytes(0x20))?.siblings).toEqual([]);
    expect(t.prove(bytes(0x21))).toBeUndefined();
  });
});
