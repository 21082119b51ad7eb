import { keccak_256 } from '@noble/hashes/sha3.js';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../test/wasm/random-module.ts';
import { bn254Add, precompileKeyPreimage } from '../../crypto/precompiles.ts';
import { runNative } from '../../vm/wasm/native.ts';
import { depositMessage, TOKEN_CHAIN_ID, transfer, withdraw } from '../token/client.ts';
import { runGenesis } from './app-entry.ts';
import { brotliDictionary } from './brotli-dictionary.ts';
import { encodeBatch } from './client-common.ts';
import { PRECOMPILE_PREIMAGE_KIND, PreimageStore, toHex } from './preimage-store.ts';
import { App } from './run-app.ts';

const bytes = (rng: Rng, n: number) => Uint8Array.from({ length: n }, () => rng.int(256));

describe('PreimageStore', () => {
  it('records preimages under their keccak256 and finds them by hash, in place or not', () => {
    const rng = new Rng(11);
    const store = new PreimageStore();
    const all: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) {
      const b = bytes(rng, 16 + rng.int(200));
      all.push(b);
      if (i % 2) store.hint(b.slice());
      else expect(toHex(store.add(b))).toBe(toHex(keccak_256(b)));
    }
    expect(store.size).toBe(5000);
    for (const b of all) {
      const h = keccak_256(b);
      expect(toHex(store.get(h) ?? new Uint8Array())).toBe(toHex(b));
      // the native runner's path: the hash in place, copies of 32-byte chunks at any offset
      const mem = new Uint8Array(256);
      const words = new Int32Array(mem.buffer);
      mem.set(h, 32);
      const e = store.find(words, 8);
      expect(e).toBeGreaterThanOrEqual(0);
      for (const [off, ptr] of [
        [0, 64],
        [32, 100],
        [5, 128],
        [b.length - 3, 161],
        [b.length, 192],
      ]) {
        mem.fill(0xee, 64, 256);
        const n = store.copyOut(e, off, mem, words, ptr);
        const want = b.subarray(off, off + 32);
        expect(n).toBe(want.length);
        expect(toHex(mem.subarray(ptr, ptr + n))).toBe(toHex(want));
        expect(mem[ptr + n]).toBe(0xee);
      }
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

  it('the lookup cache: hashes sharing a cache line, looked up in turn, each find their own preimage', () => {
    const store = new PreimageStore();
    // words 0 and 5 equal in every hash: they all fall in line 0; they differ in the other words
    const hashes = Array.from({ length: 50 }, (_, i) => {
      const h = new Uint8Array(32);
      h[4] = i + 1;
      h[31] = 0xff - i;
      store.hint(Uint8Array.of(i, 7), h);
      return h;
    });
    for (let round = 0; round < 3; round++)
      for (const [i, h] of hashes.entries()) expect([...(store.get(h) ?? [])]).toEqual([i, 7]);
    // an unknown hash that shares the line and most words is not found
    const unknown = hashes[0].slice();
    unknown[31] = 0;
    expect(store.get(unknown)).toBeUndefined();
    expect(store.get(new Uint8Array(32))).toBeUndefined(); // all zero: an empty line's words
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

describe('PreimageStore kind 2 (precompile results, docs/machine.md §6.3)', () => {
  it('answers a key from its hinted key preimage, memoised; nothing without it or for another address', () => {
    const store = new PreimageStore();
    const g = new Uint8Array(64);
    g[31] = 1;
    g[63] = 2; // the bn254 generator (1, 2)
    const keyPre = precompileKeyPreimage(0x07, Uint8Array.of(...g, ...new Uint8Array(31), 2));
    const key = keccak_256(keyPre);
    expect(store.get(key, PRECOMPILE_PREIMAGE_KIND)).toBeUndefined(); // not hinted yet
    store.hint(keyPre);
    const r = store.get(key, PRECOMPILE_PREIMAGE_KIND);
    expect(r && toHex(r)).toBe(`01${toHex(bn254Add(Uint8Array.of(...g, ...g)) as Uint8Array)}`);
    expect(store.get(key, PRECOMPILE_PREIMAGE_KIND)).toBe(r); // memoised: the same bytes
    const failing = precompileKeyPreimage(
      0x06,
      Uint8Array.of(...new Uint8Array(31), 1, ...new Uint8Array(31), 3),
    );
    expect(store.get(store.add(failing), PRECOMPILE_PREIMAGE_KIND)).toEqual(Uint8Array.of(0));
    expect(store.get(store.add(precompileKeyPreimage(0x05, g)), PRECOMPILE_PREIMAGE_KIND)).toBeUndefined();
  });
});

describe('PreimageStore.record (from guest memory)', () => {
  it('records aligned and unaligned ranges, with or without a known hash', () => {
    const rng = new Rng(5);
    const store = new PreimageStore();
    const mem = new Uint8Array(4096);
    const words = new Int32Array(mem.buffer);
    for (let i = 0; i < 200; i++) {
      const start = rng.int(2000);
      const len = rng.int(300);
      for (let j = 0; j < len; j++) mem[start + j] = rng.int(256);
      const want = mem.slice(start, start + len);
      const h = keccak_256(want);
      store.record(mem, words, start, len, i % 2 ? h : undefined);
      mem.fill(0, start, start + len);
      expect(toHex(store.get(h) ?? Uint8Array.of(1))).toBe(toHex(want));
    }
  });
});

describe('the native runner with a NativePreimageStore', () => {
  it('gives the same global states and records the same preimages as App.run (native + interpreter)', async () => {
    const app = new App('token');
    const store = new PreimageStore();
    store.add(brotliDictionary()); // as every App's store holds it (kind 0x04 batches read it)
    const [a, b, c] = [0x31, 0x32, 0x33].map((x) => privateKeyToAccount(`0x${x.toString(16).repeat(32)}`));
    const messages = [
      depositMessage(a.address, 1000n),
      depositMessage(b.address, 5n),
      encodeBatch([
        await transfer(a, b.address, 300n, { nonce: 0n }),
        await transfer(b, c.address, 100n, { nonce: 0n }),
        await transfer(c, a.address, 1n, { nonce: 0n }), // fails: no balance
        await transfer(a, a.address, 50n, { nonce: 1n }),
        await withdraw(b, a.address, 7n, { nonce: 1n }),
        await transfer(a, c.address, 2n, { nonce: 5n }), // bad nonce
      ]),
      encodeBatch([]),
      Uint8Array.of(7),
    ];
    let gs = runGenesis(app, TOKEN_CHAIN_ID);
    store.addAll(app.store); // the genesis state's nodes
    for (const msg of messages) {
      const ref = app.run(gs, msg);
      const r = runNative(app.bytes, {
        inbox: msg,
        preimages: () => {
          throw new Error('kind-0 lookups go to the store');
        },
        preimageStore: store,
        globalState: gs,
      });
      expect(r.status).toBe('finished');
      expect(r.globalState.bytes32.map(toHex)).toEqual(ref.globalState.bytes32.map(toHex));
      expect(r.globalState.u64).toEqual(ref.globalState.u64);
      gs = ref.globalState;
    }
    expect(store.keys().sort()).toEqual(app.store.keys().sort());
  });
});
