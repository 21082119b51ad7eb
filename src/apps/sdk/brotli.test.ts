/**
 * Batch kind 0x04 (docs/stf.md "Inbox message format"): `0x04 ‖ brotli(list)` inflated by the STF's
 * RFC 7932 decoder (guest/sdk/brotli.ts) executes exactly as `0x00 ‖ list` (same state root and
 * receipts, natively and in the interpreter: App.run compares both); a stream that is not valid,
 * truncated, or inflates past MAX_INFLATED is an undecodable (empty) batch, never a trap.
 *
 * The decoder's exact output is checked with a probe module (guest/sdk/brotli-probe.ts: the output
 * length and keccak256), against node's zlib (Google's C decoder) as the oracle.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { brotli, DEFAULT_QUALITY } from '../../da/l1-calldata/compress.ts';
import { MAX_INFLATED_TX_LIST as MAX_INFLATED } from '../../settlement/ethereum/message.ts';
import { HostDataUnavailableError } from '../../vm/wasm/machine.ts';
import { runNative } from '../../vm/wasm/native.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import { balanceOf, depositMessage, TOKEN_CHAIN_ID, transfer } from '../token/client.ts';
import { runGenesis } from './app-entry.ts';
import { BROTLI_DICTIONARY_KECCAK, BROTLI_DICTIONARY_SHA256, brotliDictionary } from './brotli-dictionary.ts';
import { encodeBatch, encodeBody } from './client-common.ts';
import { PreimageStore, toHex } from './preimage-store.ts';
import { App, genesis, Receipt } from './run-app.ts';

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const app = new App('token');
const probe = new App('sdk/brotli-probe.ts');
// the static dictionary: a keccak256 preimage every node serves
app.store.add(brotliDictionary());
probe.store.add(brotliDictionary());
let funded = genesis();

beforeAll(() => {
  funded = app.run(runGenesis(app, TOKEN_CHAIN_ID), depositMessage(alice.address, 1000n)).globalState;
});

const run = (msg: Uint8Array) => app.run(funded, msg);
const stateOf = (r: ReturnType<typeof run>) =>
  `${r.globalState.bytes32.map(toHex).join(',')};${r.globalState.u64.join(',')}`;
const kind4 = (stream: Uint8Array) => {
  const m = new Uint8Array(1 + stream.length);
  m[0] = 4;
  m.set(stream, 1);
  return m;
};
const listOf = (batch: Uint8Array) => batch.subarray(1);
const UNDECODABLE = { message: Receipt.UNDECODABLE, txs: [] };

/** what the guest decoder makes of `stream`: the output's length and hash, or 'invalid' */
function guestInflate(stream: Uint8Array): string {
  const r = probe.run(genesis(), stream);
  const len = r.globalState.u64[1];
  if (len === 2n ** 64n - 1n) return 'invalid';
  return len <= 65536n ? `${len}:${toHex(r.globalState.bytes32[1])}` : `${len}`;
}

/** what node's zlib makes of it, in the same form */
function nodeInflate(stream: Uint8Array): string {
  let out: Uint8Array;
  try {
    out = brotliDecompressSync(stream);
  } catch {
    return 'invalid';
  }
  return out.length <= 65536 ? `${out.length}:${toHex(keccak_256(out))}` : `${out.length}`;
}

/**
 * node's result, except that a stream followed by more input is invalid (node ignores input after
 * the last meta-block, the STF does not): node decoding the input without its last byte to the same
 * output means the stream ended before it
 */
function strictInflate(stream: Uint8Array): string {
  const want = nodeInflate(stream);
  if (want !== 'invalid' && nodeInflate(stream.subarray(0, stream.length - 1)) === want) return 'invalid';
  return want;
}

/** a tx with a wrong app id (rejected before its signature is checked) carrying `payload` */
function junkTx(payload: Uint8Array): Uint8Array {
  const head = encodeBody({ app: 0xee, op: 1, chainId: TOKEN_CHAIN_ID, nonce: 0n }, new Uint8Array(0));
  const tx = new Uint8Array(head.length + payload.length);
  tx.set(head);
  tx.set(payload, head.length);
  return tx;
}

const ENGLISH =
  'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of ' +
  'foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of ' +
  'Light, it was the season of Darkness, it was the spring of hope, it was the winter of despair. ' +
  'The Government of the United States, THE INTERNATIONAL COMMITTEE and the University of California ' +
  'announced that information about the development of new technology would be available online.';
const JSON_TEXT = JSON.stringify({
  transactions: Array.from({ length: 12 }, (_, i) => ({
    from: `0x${(i * 7919).toString(16).padStart(40, '0')}`,
    description: `Payment number ${i} for services, including the delivery and installation`,
    amount: 1000 + i * 37,
    currency: 'EUR',
    status: i % 3 ? 'confirmed' : 'pending',
  })),
});
const enc = (s: string) => new TextEncoder().encode(s);

/** deterministic pseudo-random bytes */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('the guest brotli decoder (probe), against node zlib', () => {
  it('inflates English text and JSON (static dictionary and transforms) at every quality', () => {
    const texts = [
      enc(ENGLISH),
      enc(JSON_TEXT),
      enc(ENGLISH.toUpperCase()),
      enc(`${ENGLISH} ünïcödé ßtrasse`),
    ];
    for (const text of texts) {
      for (let q = 0; q <= 11; q++) {
        const s = brotli(text, { quality: q, windowBits: 22 });
        expect(guestInflate(s), `quality ${q}`).toBe(`${text.length}:${toHex(keccak_256(text))}`);
      }
    }
  });

  it('inflates every window size (10..24), random and repetitive data, empty input', () => {
    const rnd = prng(7);
    const random = Uint8Array.from({ length: 3000 }, () => rnd() & 0xff);
    const rep = new Uint8Array(40_000);
    for (let i = 0; i < rep.length; i++) rep[i] = ((i * 31) % 251) ^ (i >> 9);
    const mixed = new Uint8Array([
      ...random,
      ...enc(ENGLISH),
      ...random.subarray(0, 1000),
      ...enc(JSON_TEXT),
    ]);
    for (let w = 10; w <= 24; w++) {
      for (const data of [mixed, rep]) {
        const s = brotli(data, { quality: w % 2 ? 11 : 5, windowBits: w });
        expect(guestInflate(s), `window ${w}`).toBe(`${data.length}:${toHex(keccak_256(data))}`);
      }
    }
    for (const q of [0, 11])
      expect(guestInflate(brotli(new Uint8Array(0), { quality: q }))).toBe(
        nodeInflate(brotli(new Uint8Array(0), { quality: q })),
      );
    expect(guestInflate(brotli(random, { quality: 11 }))).toBe(`3000:${toHex(keccak_256(random))}`);
  });

  it('refuses every truncation, agrees with node on corrupted bytes and wrong window bits', () => {
    const data = new Uint8Array([...enc(JSON_TEXT), ...enc(ENGLISH)]);
    const s = brotli(data, { quality: 11, windowBits: 16 });
    // truncated: every cut point in the first 40 bytes, then a stride
    for (let cut = 0; cut < s.length; cut += cut < 40 ? 1 : 37) {
      expect(guestInflate(s.subarray(0, cut)), `cut ${cut}`).toBe('invalid');
    }
    // trailing bytes after the last meta-block
    expect(guestInflate(Uint8Array.from([...s, 0]))).toBe('invalid');
    // corrupted: one byte flipped at pseudo-random positions
    const rnd = prng(42);
    let invalid = 0;
    for (let k = 0; k < 120; k++) {
      const bad = s.slice();
      const at = rnd() % bad.length;
      bad[at] ^= 1 + (rnd() % 255);
      const want = strictInflate(bad);
      expect(guestInflate(bad), `byte ${at}`).toBe(want);
      if (want === 'invalid') invalid++;
    }
    expect(invalid).toBeGreaterThan(30);
    // window bits: every value of the first byte's low 7 bits (WBITS, §9.1), incl. the reserved one
    for (let v = 0; v < 128; v++) {
      const bad = s.slice();
      bad[0] = (bad[0] & 0x80) | v;
      expect(guestInflate(bad), `first byte ${v}`).toBe(strictInflate(bad));
    }
  });

  it('random bytes and bit flips of valid streams never trap; agree with node', () => {
    const rnd = prng(99);
    for (let k = 0; k < 60; k++) {
      const junk = Uint8Array.from({ length: 1 + (rnd() % 64) }, () => rnd() & 0xff);
      expect(guestInflate(junk), toHex(junk)).toBe(strictInflate(junk));
    }
    // every bit of the header area of a stream with context modeling and block switches (quality 11)
    const s = brotli(new Uint8Array([...enc(ENGLISH), ...enc(JSON_TEXT)]), { quality: 11, windowBits: 18 });
    for (let bit = 0; bit < 160; bit++) {
      const bad = s.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(guestInflate(bad), `bit ${bit}`).toBe(strictInflate(bad));
    }
  });

  it('a stream that inflates past MAX_INFLATED (1 MiB) is refused; exactly 1 MiB inflates', () => {
    const exact = brotli(new Uint8Array(MAX_INFLATED), { quality: 11 });
    expect(exact.length).toBeLessThan(100);
    expect(guestInflate(exact)).toBe(`${MAX_INFLATED}`);
    const bomb = brotli(new Uint8Array(MAX_INFLATED + 1), { quality: 11 });
    expect(guestInflate(bomb)).toBe('invalid');
    const big = brotli(new Uint8Array(64 << 20), { quality: 5 });
    const r = probe.run(genesis(), big);
    expect(r.globalState.u64[1]).toBe(2n ** 64n - 1n);
    expect(r.memoryBytes).toBeLessThan(16 << 20);
  });
});

/** RFC 7932 §8 NDBITS: log2 of the number of dictionary words of each length */
const NDBITS = [0, 0, 0, 0, 10, 10, 11, 11, 10, 10, 10, 10, 10, 9, 9, 8, 7, 7, 8, 7, 7, 6, 6, 5, 5];

/**
 * A hand-written stream (WBITS 16, one meta-block of `mlen` bytes, one-symbol prefix codes) whose one
 * command copies dictionary word `idx` of length `len` with transform `t` (RFC 7932 §8): insert 0,
 * copy length `len`, distance 1 + (idx | t << NDBITS[len]) (nothing precedes it: max distance 0).
 */
function dictionaryStream(len: number, idx: number, t: number, mlen: number): Uint8Array {
  const bits: number[] = [];
  const put = (v: number, n: number) => {
    for (let i = 0; i < n; i++) bits.push(Math.floor(v / 2 ** i) % 2);
  };
  put(0, 1); // WBITS 16
  put(1, 1); // ISLAST
  put(0, 1); // not ISLASTEMPTY
  put(0, 2); // MNIBBLES 4
  put(mlen - 1, 16);
  put(0, 3); // NBLTYPESL, NBLTYPESI, NBLTYPESD: 1
  put(0, 6); // NPOSTFIX 0, NDIRECT 0
  put(0, 2); // context mode LSB6
  put(0, 2); // NTREESL 1, NTREESD 1
  // copy code (§5): lengths 2..9 codes 0..7; then (offset, extra bits) ranges
  const copy = [
    [2, 0],
    [3, 0],
    [4, 0],
    [5, 0],
    [6, 0],
    [7, 0],
    [8, 0],
    [9, 0],
    [10, 1],
    [12, 1],
    [14, 2],
    [18, 2],
    [22, 3],
  ];
  let c = copy.length - 1;
  while (copy[c][0] > len) c--;
  const cmd = c < 8 ? 128 + c : 192 + (c - 8); // insert code 0, explicit distance
  const d1 = idx + t * 2 ** NDBITS[len]; // distance − 1
  let dc = 0;
  while (((2 + (dc & 1)) << ((dc >> 1) + 1)) - 4 + 2 ** ((dc >> 1) + 1) <= d1) dc++;
  const nb = (dc >> 1) + 1;
  const offset = ((2 + (dc & 1)) << nb) - 4;
  put(1, 2); // literal code: simple, one symbol
  put(0, 2);
  put(0x61, 8);
  put(1, 2); // insert-and-copy code: simple, one symbol
  put(0, 2);
  put(cmd, 10);
  put(1, 2); // distance code (alphabet 64): simple, one symbol
  put(0, 2);
  put(16 + dc, 6);
  // the command: no bits for the symbols; copy extra bits, distance extra bits
  put(len - copy[c][0], copy[c][1]);
  put(d1 - offset, nb);
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    out[i >> 3] |= b << (i & 7);
  });
  return out;
}

describe('the static dictionary and its transforms', () => {
  it('the dictionary asset is RFC 7932 Appendix A (SHA-256); the guest reads it by its keccak256', () => {
    const d = brotliDictionary();
    expect(d.length).toBe(122_784);
    expect(createHash('sha256').update(d).digest('hex')).toBe(BROTLI_DICTIONARY_SHA256);
    expect(toHex(keccak_256(d))).toBe(BROTLI_DICTIONARY_KECCAK.slice(2));
    const tables = readFileSync(new URL('../../../guest/sdk/brotli-tables.ts', import.meta.url), 'utf8');
    const at = Number(/T_DICT_KECCAK: usize = (\d+)/.exec(tables)![1]);
    const words = [...tables.matchAll(/store<u64>\(p, 0x([0-9a-f]{16}), (\d+)\);/g)]
      .filter((m) => Number(m[2]) >= at && Number(m[2]) < at + 32)
      .map((m) => Buffer.from(m[1], 'hex').reverse().toString('hex'));
    expect(words.join('')).toBe(BROTLI_DICTIONARY_KECCAK.slice(2));
  });

  it('a dictionary reference without the dictionary preimage stops the run (host data unavailable, not a trap)', () => {
    const s = dictionaryStream(8, 5, 0, 8);
    const bare = new App('sdk/brotli-probe.ts', new PreimageStore());
    expect(() =>
      runNative(bare.bytes, { inbox: s, preimages: () => undefined, globalState: genesis() }),
    ).toThrow(HostDataUnavailableError);
    const m = newMachine(bare.program, genesis(), { inboxMessage: () => s, preimage: () => undefined });
    expect(() => m.run()).toThrow(HostDataUnavailableError);
    // a stream without dictionary references needs no preimage
    expect(bare.run(genesis(), brotli(new Uint8Array(100).fill(7))).globalState.u64[1]).toBe(100n);
  });

  it('every transform (121) and every word length (4..24): the same bytes as node zlib', () => {
    let checked = 0;
    for (let t = 0; t < 122; t++) {
      const len = 4 + ((t * 5) % 21);
      const idx = (t * 37 + 2 ** NDBITS[len] - 1) % 2 ** NDBITS[len];
      // the meta-block length is the transformed word's: the one node accepts
      let mlen = 1;
      while (mlen < 48 && nodeInflate(dictionaryStream(len, idx, t, mlen)) === 'invalid') mlen++;
      const s = dictionaryStream(len, idx, t, mlen);
      if (t === 121) expect(mlen, 'transform 121 does not exist').toBe(48);
      if (mlen === 48) {
        // no transform 121; or a word transformed to nothing (refused by the STF, see brotli.ts)
        expect(guestInflate(dictionaryStream(len, idx, t, 1)), `transform ${t}`).toBe('invalid');
        continue;
      }
      expect(probe.run(genesis(), s, { interpret: t % 10 === 0 }).globalState.u64[1]).toBe(BigInt(mlen));
      expect(guestInflate(s), `transform ${t} length ${len}`).toBe(nodeInflate(s));
      checked++;
    }
    expect(checked).toBeGreaterThan(115);
  });
});

describe('batch kind 0x04 in the token STF', () => {
  it('a compressed list ends in the same state root and receipts as 0x00 (qualities 0..11, windows)', async () => {
    const txs = [
      await transfer(alice, bob.address, 300n, { nonce: 0n }),
      await transfer(bob, alice.address, 100n, { nonce: 0n }),
      await transfer(alice, bob.address, 5000n, { nonce: 1n }), // unaffordable
      await transfer(alice, bob.address, 1n, { nonce: 0n }), // replay
      junkTx(enc(ENGLISH)),
    ];
    const want = [Receipt.OK, Receipt.OK, Receipt.INSUFFICIENT_BALANCE, Receipt.BAD_NONCE, Receipt.WRONG_APP];
    const inline = encodeBatch(txs);
    const r0 = run(inline);
    expect(r0.receipts).toEqual({ message: Receipt.OK, txs: want });
    const params = [
      ...Array.from({ length: 12 }, (_, q) => ({ quality: q, windowBits: 22 })),
      { quality: 11, windowBits: 10 },
      { quality: 4, windowBits: 24 },
    ];
    for (const p of params) {
      const r4 = run(kind4(brotli(listOf(inline), p)));
      expect(r4.receipts, JSON.stringify(p)).toEqual(r0.receipts);
      expect(stateOf(r4)).toBe(stateOf(r0));
    }
    expect(balanceOf(app.tree(r0.globalState), bob.address)).toBe(200n);
    // the empty list
    expect(stateOf(run(kind4(brotli(listOf(encodeBatch([]))))))).toBe(stateOf(run(encodeBatch([]))));
  });

  it('undecodable: a bad stream, a truncated one, one past the cap, a list that does not frame; the state keeps only the receipt', async () => {
    const inline = encodeBatch([await transfer(alice, bob.address, 1n, { nonce: 0n })]);
    const s = brotli(listOf(inline));
    const empty = run(kind4(brotli(listOf(encodeBatch([])))));
    const bomb = new Uint8Array(MAX_INFLATED + 8);
    new DataView(bomb.buffer).setUint32(0, 1);
    new DataView(bomb.buffer).setUint32(4, MAX_INFLATED);
    for (const msg of [
      Uint8Array.of(4), // no stream
      kind4(s.subarray(0, s.length - 1)),
      kind4(Uint8Array.from([...s, 0])),
      kind4(brotli(listOf(inline).subarray(0, listOf(inline).length - 1))), // inflates, does not frame
      kind4(brotli(bomb)),
    ]) {
      const r = run(msg);
      expect(r.receipts).toEqual(UNDECODABLE);
      expect(balanceOf(app.tree(r.globalState), alice.address)).toBe(1000n);
      // only the receipt differs from an empty batch's
      expect(r.globalState.u64).toEqual(empty.globalState.u64);
    }
    // a list of exactly MAX_INFLATED bytes runs
    const full = new Uint8Array(MAX_INFLATED);
    const dv = new DataView(full.buffer);
    dv.setUint32(0, 1);
    dv.setUint32(4, MAX_INFLATED - 8);
    full.set(junkTx(new Uint8Array(0)), 8);
    expect(run(kind4(brotli(full))).receipts).toEqual({ message: Receipt.OK, txs: [Receipt.WRONG_APP] });
  });

  it('cost: interpreter steps to inflate 500 transfers (≈ 69.5 KB, as bench da), compression ratio', async () => {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 500; i++) {
      const to = `0x${(0x10000 + i).toString(16).padStart(40, '0')}` as const;
      txs.push(await transfer(alice, to, 1n, { nonce: BigInt(i) }));
    }
    const inline = encodeBatch(txs);
    const r0 = app.run(funded, inline);
    expect(r0.receipts?.txs.filter((x) => x === Receipt.OK).length).toBe(500);
    const lines: string[] = [];
    for (const quality of [1, DEFAULT_QUALITY, 11]) {
      const stream = brotli(listOf(inline), { quality });
      const r4 = run(kind4(stream));
      expect(stateOf(r4)).toBe(stateOf(r0));
      expect(r4.receipts).toEqual(r0.receipts);
      const perTx = (r4.steps - r0.steps) / 500;
      lines.push(
        `quality ${quality}: ${stream.length} B (${((100 * stream.length) / listOf(inline).length).toFixed(1)}%), ` +
          `+${perTx.toFixed(0)} steps per tx (+${((100 * (r4.steps - r0.steps)) / r0.steps).toFixed(1)}%)`,
      );
      expect(perTx).toBeLessThan(15_000);
    }
    console.log(
      `brotli 0x04, 500 transfers, list ${listOf(inline).length} B, 0x00 ${r0.steps} steps (${(r0.steps / 500).toFixed(0)} per tx): ${lines.join('; ')}`,
    );
  });
});
