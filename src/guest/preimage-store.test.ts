import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { Rng } from '../vm/wasm/random-module.ts';
import { PreimageStore, toHex } from './preimage-store.ts';

const bytes = (rng: Rng, n: number) => Uint8Array.from({ length: n }, () => rng.int(256));

describe('PreimageStore', () => {
  it('records preimages under their keccak256 and finds them by hash, in place or not', () => {
    const rng = new Rng(11);
    const store = new PreimageStore();
    const all: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) {
      const b = bytes(rng, 16 + rng.int(100));
      all.push(b);
      if (i % 2) store.hint(b.slice());
      else expect(toHex(store.add(b))).toBe(toHex(keccak_256(b)));
    }
    expect(store.size).toBe(5000);
    for (const b of all) {
      const h = keccak_256(b);
      expect(toHex(store.get(h) ?? new Uint8Array())).toBe(toHex(b));
      const mem = new Uint8Array(100);
      mem.set(h, 37);
      expect(store.getAt(mem, 37)).toBe(store.get(h));
      expect(store.get(h, 1)).toBeUndefined();
      expect(store.has(h)).toBe(true);
    }
    const unknown = bytes(rng, 32);
    expect(store.get(unknown)).toBeUndefined();
    expect(store.has(unknown)).toBe(false);
    expect(store.get(new Uint8Array(31))).toBeUndefined();
  });

  it('keeps hashes that share their first bytes apart (same probe start)', () => {
    const store = new PreimageStore();
    const prefix = new Uint8Array(31).fill(0xab);
    for (let i = 0; i < 300; i++) {
      const h = new Uint8Array(32);
      h.set(prefix.subarray(0, 8 + (i % 24)));
      h[31] = i & 0xff;
      h[30] ^= i >> 8;
      store.hint(Uint8Array.of(i & 0xff, i >> 8), h);
    }
    expect(store.size).toBe(300);
    for (let i = 0; i < 300; i++) {
      const h = new Uint8Array(32);
      h.set(prefix.subarray(0, 8 + (i % 24)));
      h[31] = i & 0xff;
      h[30] ^= i >> 8;
      expect([...(store.get(h) ?? [])]).toEqual([i & 0xff, i >> 8]);
    }
  });

  it('ignores a second record of a known hash; keys and addAll', () => {
    const a = new PreimageStore();
    const h1 = a.add(Uint8Array.of(1, 2, 3));
    a.hint(Uint8Array.of(1, 2, 3));
    expect(a.size).toBe(1);
    const b = new PreimageStore();
    const h2 = b.add(Uint8Array.of(4));
    b.add(Uint8Array.of(1, 2, 3));
    a.addAll(b);
    expect(a.size).toBe(2);
    expect(a.keys().sort()).toEqual([toHex(h1), toHex(h2)].sort());
    expect([...(a.get(h2) ?? [])]).toEqual([4]);
  });
});
