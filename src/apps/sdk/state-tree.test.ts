/**
 * The guest state tree (guest/sdk/state.ts, through guest/sdk/test/state_ops.ts) against the
 * TypeScript reference of the same encoding (state-tree.ts): random sets, updates, deletes and gets
 * give the same roots and values, natively and in the interpreter.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { concat, u16 } from './client-common.ts';
import { PreimageStore, toHex } from './preimage-store.ts';
import { App, genesis } from './run-app.ts';
import { EMPTY_ROOT, StateTree } from './state-tree.ts';

type Op =
  | { op: 'set'; key: Uint8Array; value: Uint8Array }
  | { op: 'del'; key: Uint8Array }
  | { op: 'get'; key: Uint8Array };

function encodeOps(ops: Op[]): Uint8Array {
  return concat(
    ...ops.map((o) =>
      o.op === 'set'
        ? concat(Uint8Array.of(1), u16(o.key.length), o.key, u16(o.value.length), o.value)
        : concat(Uint8Array.of(o.op === 'del' ? 2 : 3), u16(o.key.length), o.key),
    ),
  );
}

/** a small deterministic PRNG (xorshift32) */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

/** applies ops to the reference; returns the get accumulator the guest computes */
function applyRef(tree: StateTree, ops: Op[], acc: Uint8Array): Uint8Array {
  for (const o of ops) {
    if (o.op === 'set') tree.set(o.key, o.value);
    else if (o.op === 'del') tree.delete(o.key);
    else {
      const v = tree.get(o.key);
      acc = keccak_256(concat(acc, Uint8Array.of(v ? 1 : 0), v ?? new Uint8Array()));
    }
  }
  return acc;
}

describe('state tree: guest vs TypeScript reference', () => {
  const app = new App('sdk/test/state_ops.ts');

  it('random inserts, updates, deletes and gets give the same roots', () => {
    const next = rng(12345);
    const keys = Array.from({ length: 80 }, (_, i) =>
      Uint8Array.from({ length: 1 + (i % 7) * 5 }, (_, j) => (i * 37 + j) & 0xff),
    );
    const ref = new StateTree(new PreimageStore());
    let gs = genesis();
    let acc: Uint8Array = new Uint8Array(32);
    let maxSize = 0;
    let size = 0;
    for (let round = 0; round < 16; round++) {
      const ops: Op[] = [];
      for (let i = 0; i < 40; i++) {
        const key = keys[next(keys.length)];
        const r = next(10);
        if (r < 5)
          ops.push({
            op: 'set',
            key,
            value: Uint8Array.from({ length: next(10) === 0 ? next(400) : next(70) }, () => next(256)),
          });
        else if (r < 8) ops.push({ op: 'del', key });
        else ops.push({ op: 'get', key });
      }
      acc = applyRef(ref, ops, acc);
      const run = app.run(gs, encodeOps(ops));
      gs = run.globalState;
      expect(toHex(gs.bytes32[0]), `round ${round}`).toBe(toHex(ref.root));
      expect(toHex(gs.bytes32[1]), `round ${round} gets`).toBe(toHex(acc));
      size = keys.filter((k) => ref.get(k) !== undefined).length;
      maxSize = Math.max(maxSize, size);
    }
    expect(maxSize).toBeGreaterThan(25);
    // delete everything: back to the empty root
    const ops: Op[] = keys.map((key) => ({ op: 'del', key }));
    applyRef(ref, ops, acc);
    gs = app.run(gs, encodeOps(ops)).globalState;
    expect(toHex(gs.bytes32[0])).toBe(toHex(EMPTY_ROOT));
    expect(toHex(ref.root)).toBe(toHex(EMPTY_ROOT));
  });

  it('the root depends only on the contents (insertion order, deleted keys)', () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({
      key: Uint8Array.of(i, i * 3),
      value: Uint8Array.of(i),
    }));
    const roots = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const next = rng(seed);
      const order = [...entries].sort(() => next(3) - 1);
      const ops: Op[] = [
        { op: 'set', key: Uint8Array.of(200), value: Uint8Array.of(1) },
        ...order.map((e) => ({ op: 'set' as const, ...e })),
        { op: 'del', key: Uint8Array.of(200) },
      ];
      const ref = new StateTree(new PreimageStore());
      applyRef(ref, ops, new Uint8Array(32));
      const gs = app.run(genesis(), encodeOps(ops)).globalState;
      expect(toHex(gs.bytes32[0])).toBe(toHex(ref.root));
      roots.add(toHex(ref.root));
    }
    expect(roots.size).toBe(1);
  });

  it('an empty value is a value; deleting an absent key changes nothing', () => {
    const ops: Op[] = [
      { op: 'set', key: Uint8Array.of(1), value: new Uint8Array() },
      { op: 'del', key: Uint8Array.of(2) },
      { op: 'get', key: Uint8Array.of(1) },
      { op: 'get', key: Uint8Array.of(2) },
    ];
    const ref = new StateTree(new PreimageStore());
    const acc = applyRef(ref, ops, new Uint8Array(32));
    const gs = app.run(genesis(), encodeOps(ops)).globalState;
    expect(toHex(gs.bytes32[0])).toBe(toHex(ref.root));
    expect(toHex(gs.bytes32[0])).not.toBe(toHex(EMPTY_ROOT));
    expect(toHex(gs.bytes32[1])).toBe(toHex(acc));
  });
});

describe('state tree: leaves()', () => {
  const app = new App('sdk/test/state_ops.ts');
  it('lists exactly the live entries of a tree the guest built (after updates and deletes)', () => {
    const next = rng(7);
    const live = new Map<string, Uint8Array>();
    const ops: Op[] = [];
    for (let i = 0; i < 60; i++) {
      const key = Uint8Array.of(next(20), 1);
      if (next(4) === 0) {
        ops.push({ op: 'del', key });
        live.delete(toHex(keccak_256(key)));
      } else {
        const value = Uint8Array.of(i, next(256));
        ops.push({ op: 'set', key, value });
        live.set(toHex(keccak_256(key)), value);
      }
    }
    const gs = app.run(genesis(), encodeOps(ops)).globalState;
    const got = new Map(
      [...new StateTree(app.store, gs.bytes32[0]).leaves()].map((l) => [toHex(l.keyHash), l.value]),
    );
    expect(got).toEqual(live);
    expect([...new StateTree(new PreimageStore()).leaves()]).toEqual([]);
  });
  it('a missing node is an error, not a shorter list', () => {
    const store = new PreimageStore();
    const t = new StateTree(store);
    t.set(Uint8Array.of(1), Uint8Array.of(1));
    t.set(Uint8Array.of(2), Uint8Array.of(2));
    expect([...t.leaves()].length).toBe(2);
    expect(() => [...new StateTree(new PreimageStore(), t.root).leaves()]).toThrow(/missing node/);
  });
});
