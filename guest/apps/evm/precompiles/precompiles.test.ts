/**
 * The EVM precompiles (guest/apps/evm/precompiles, docs/evm.md "Precompiles") through the test guest
 * test/precompile_harness.ts, run natively, against references: @noble/hashes (sha256, ripemd160),
 * @noble/curves (ecrecover signatures), BigInt (modexp and its EIP-2565 gas), an RFC 7693 F function
 * written here (blake2f), and the EIPs' test vectors; a sample also in the step interpreter.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { compileGuest, genesis } from '../../../../src/apps/sdk/run-app.ts';
import { precompileKeyPreimage, precompilePreimage } from '../../../../src/crypto/precompiles.ts';
import { lower } from '../../../../src/vm/wasm/lower.ts';
import { Status } from '../../../../src/vm/wasm/machine.ts';
import { type HostContext, runNative, validateStf } from '../../../../src/vm/wasm/native.ts';
import { newMachine } from '../../../../src/vm/wasm/program.ts';

interface Call {
  id: number;
  gas: bigint;
  input: Uint8Array;
}
interface Result {
  ok: boolean;
  gasUsed: bigint;
  out: Uint8Array;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const word = (x: bigint): Uint8Array =>
  Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * (31 - i))) & 0xffn));
const beInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${hex(b)}`));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

const bytes = compileGuest('apps/evm/test/precompile_harness.ts');
const module = validateStf(bytes);

function encode(calls: Call[]): Uint8Array {
  return concat(
    ...calls.map((c) => {
      const h = new Uint8Array(13);
      const dv = new DataView(h.buffer);
      h[0] = c.id;
      dv.setBigUint64(1, c.gas);
      dv.setUint32(9, c.input.length);
      return concat(h, c.input);
    }),
  );
}

function decode(out: Uint8Array, n: number): Result[] {
  const results: Result[] = [];
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const len = dv.getUint32(p + 9);
    results.push({ ok: out[p] === 1, gasUsed: dv.getBigUint64(p + 1), out: out.slice(p + 13, p + 13 + len) });
    p += 13 + len;
  }
  expect(p).toBe(out.length);
  return results;
}

/** keccak preimages the last {@link run} hinted, by hash */
let hints = new Map<string, Uint8Array>();

/**
 * the host's answer to a preimage read: kind 2 (the precompile oracle, docs/machine.md §6.3) is
 * computed from the key preimage the guest hinted, as the node's PreimageStore does
 */
const preimages = (kind: number, hash: Uint8Array): Uint8Array | undefined => {
  const key = hints.get(hex(hash));
  return kind === 2 && key ? precompilePreimage(key) : undefined;
};

/** runs the calls natively (and, with `interpret`, in the interpreter too, which must agree) */
function run(calls: Call[], interpret = false): Result[] {
  const msg = encode(calls);
  hints = new Map<string, Uint8Array>();
  const host = (): HostContext => ({
    inbox: msg,
    preimages,
    globalState: genesis(),
    onPreimageHint: (b) => hints.set(hex(keccak_256(b)), b.slice()),
  });
  const n = runNative({ bytes, module }, host());
  if (n.status !== 'finished') throw new Error(`native run ${n.status}: ${n.error?.message}`);
  const root = n.globalState.bytes32[0];
  if (interpret) {
    const h = host();
    const m = newMachine(lower(module), genesis(), {
      inboxMessage: () => msg,
      preimage: preimages,
      onPreimageHint: h.onPreimageHint,
    });
    m.run();
    expect(m.status).toBe(Status.Finished);
    expect(hex(m.globalState.bytes32[0])).toBe(hex(root));
  }
  const out = hints.get(hex(root));
  if (!out) throw new Error('the harness hinted no results');
  return decode(out, calls.length);
}

/** deterministic xorshift bytes */
function rng(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return (n) => Uint8Array.from({ length: n }, () => next() & 0xff);
}

const words = (n: number): bigint => BigInt(Math.ceil(n / 32));
const GAS = 10_000_000n;

describe('precompiles 0x02–0x04: sha256, ripemd160, identity', () => {
  it('match @noble/hashes over lengths 0–300, with exact gas', () => {
    const rand = rng(1);
    const calls: Call[] = [];
    for (let len = 0; len <= 300; len += len < 140 ? 1 : 7) {
      const input = rand(len);
      for (const id of [2, 3, 4]) calls.push({ id, gas: GAS, input });
    }
    const results = run(calls);
    calls.forEach((c, i) => {
      const r = results[i];
      const n = c.input.length;
      expect(r.ok).toBe(true);
      if (c.id === 2) {
        expect(hex(r.out), `sha256 len ${n}`).toBe(hex(sha256(c.input)));
        expect(r.gasUsed).toBe(60n + 12n * words(n));
      } else if (c.id === 3) {
        expect(hex(r.out), `ripemd160 len ${n}`).toBe(hex(concat(new Uint8Array(12), ripemd160(c.input))));
        expect(r.gasUsed).toBe(600n + 120n * words(n));
      } else {
        expect(hex(r.out)).toBe(hex(c.input));
        expect(r.gasUsed).toBe(15n + 3n * words(n));
      }
    });
  });

  it('fail with one gas too few, consuming all the gas given', () => {
    const input = rng(2)(65);
    const costs: [number, bigint][] = [
      [2, 60n + 12n * 3n],
      [3, 600n + 120n * 3n],
      [4, 15n + 3n * 3n],
    ];
    const calls = costs.flatMap(([id, cost]) => [
      { id, gas: cost, input },
      { id, gas: cost - 1n, input },
    ]);
    const results = run(calls);
    costs.forEach(([, cost], k) => {
      expect(results[2 * k]).toMatchObject({ ok: true, gasUsed: cost });
      expect(results[2 * k + 1]).toMatchObject({ ok: false, gasUsed: cost - 1n, out: new Uint8Array() });
    });
  });

  it('the step interpreter agrees', () => {
    const rand = rng(3);
    const calls = [2, 3, 4].flatMap((id) => [0, 55, 56, 64, 130].map((n) => ({ id, gas: GAS, input: rand(n) })));
    const results = run(calls, true);
    expect(hex(results[1].out)).toBe(hex(sha256(calls[1].input)));
  });
});

describe('precompile 0x01: ecrecover through the host op', () => {
  const priv = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const address = keccak_256(secp256k1.getPublicKey(priv, false).subarray(1)).subarray(12);
  const hash = keccak_256(new TextEncoder().encode('modex evm'));
  const sig = secp256k1.sign(hash, priv, { prehash: false, format: 'recovered' });
  const v = 27n + BigInt(sig[0]);
  const r = sig.subarray(1, 33);
  const s = sig.subarray(33, 65);
  const input = (vWord: Uint8Array, rr = r, ss = s) => concat(hash, vWord, rr, ss);
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

  it('recovers the signer as a 32-byte word; bad v, r, s or padding give an empty output for 3,000 gas', () => {
    const vBad = word(v);
    vBad[0] = 1; // v's high bytes must be zero
    const calls: Call[] = [
      { id: 1, gas: 3000n, input: input(word(v)) },
      // extra input bytes are ignored
      { id: 1, gas: 5000n, input: concat(input(word(v)), rng(4)(40)) },
      // the other recovery id recovers another key (or none)
      { id: 1, gas: 3000n, input: input(word(55n - v)) },
      { id: 1, gas: 3000n, input: input(word(v - 27n)) }, // v = 0/1
      { id: 1, gas: 3000n, input: input(word(29n)) },
      { id: 1, gas: 3000n, input: input(vBad) },
      { id: 1, gas: 3000n, input: input(word(v), word(0n)) }, // r = 0
      { id: 1, gas: 3000n, input: input(word(v), r, word(N)) }, // s = n
      { id: 1, gas: 3000n, input: input(word(v)).subarray(0, 96) }, // no s: zero-padded to s = 0
      { id: 1, gas: 3000n, input: new Uint8Array() },
      { id: 1, gas: 2999n, input: input(word(v)) },
    ];
    const res = run(calls);
    const signer = hex(concat(new Uint8Array(12), address));
    expect(res[0]).toMatchObject({ ok: true, gasUsed: 3000n });
    expect(hex(res[0].out)).toBe(signer);
    expect(hex(res[1].out)).toBe(signer);
    expect(res[1].gasUsed).toBe(3000n);
    expect(hex(res[2].out)).not.toBe(signer);
    for (const k of [3, 4, 5, 6, 7, 8, 9]) expect(res[k], `call ${k}`).toMatchObject({ ok: true, gasUsed: 3000n, out: new Uint8Array() });
    expect(res[10]).toMatchObject({ ok: false, gasUsed: 2999n });
  });

  it('accepts a high s (unlike transactions, EIP-2) and the interpreter agrees', () => {
    const sHigh = word(N - beInt(s));
    const res = run([{ id: 1, gas: 3000n, input: input(word(55n - v), r, sHigh) }], true);
    expect(hex(res[0].out)).toBe(hex(concat(new Uint8Array(12), address)));
  });
});

// ---------------------------------------------------------------------------------------------
// modexp (EIP-198, EIP-2565)

function modexpInput(b: Uint8Array, e: Uint8Array, m: Uint8Array): Uint8Array {
  return concat(word(BigInt(b.length)), word(BigInt(e.length)), word(BigInt(m.length)), b, e, m);
}

/** EIP-2565 gas, from the spec's formulas (BigInt, no caps) */
function modexpGasRef(input: Uint8Array): bigint {
  const at = (off: bigint, n: bigint): Uint8Array =>
    Uint8Array.from({ length: Number(n) }, (_, i) => input[Number(off) + i] ?? 0);
  const bl = beInt(at(0n, 32n));
  const el = beInt(at(32n, 32n));
  const ml = beInt(at(64n, 32n));
  const x = bl > ml ? bl : ml;
  const w = (x + 7n) / 8n;
  const complexity = w * w;
  if (complexity === 0n) return 200n;
  const head = beInt(at(96n + bl, el > 32n ? 32n : el));
  const msb = head === 0n ? 0n : BigInt(head.toString(2).length - 1);
  let adj = (el > 32n ? 8n * (el - 32n) : 0n) + msb;
  if (adj < 1n) adj = 1n;
  const gas = (complexity * adj) / 3n;
  return gas < 200n ? 200n : gas;
}

function modexpRef(input: Uint8Array): Uint8Array {
  const at = (off: bigint, n: bigint): Uint8Array =>
    Uint8Array.from({ length: Number(n) }, (_, i) => input[Number(off) + i] ?? 0);
  const bl = beInt(at(0n, 32n));
  const el = beInt(at(32n, 32n));
  const ml = beInt(at(64n, 32n));
  const b = beInt(at(96n, bl));
  const e = beInt(at(96n + bl, el));
  const m = beInt(at(96n + bl + el, ml));
  if (m === 0n) return new Uint8Array(Number(ml));
  let r = 1n % m;
  let x = b % m;
  let k = e;
  while (k > 0n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
    k >>= 1n;
  }
  return Uint8Array.from({ length: Number(ml) }, (_, i) => Number((r >> BigInt(8 * (Number(ml) - 1 - i))) & 0xffn));
}

describe('precompile 0x05: modexp', () => {
  it("EIP-198's examples, with EIP-2565 gas", () => {
    const fermat = unhex(
      `0000000000000000000000000000000000000000000000000000000000000001
       0000000000000000000000000000000000000000000000000000000000000020
       0000000000000000000000000000000000000000000000000000000000000020
       03
       fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e
       fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f`,
    );
    const zeroMod = unhex(
      `0000000000000000000000000000000000000000000000000000000000000000
       0000000000000000000000000000000000000000000000000000000000000020
       0000000000000000000000000000000000000000000000000000000000000020
       fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e
       fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f`,
    );
    const [a, b] = run([
      { id: 5, gas: GAS, input: fermat },
      { id: 5, gas: GAS, input: zeroMod },
    ]);
    expect(a).toMatchObject({ ok: true, gasUsed: 1360n });
    expect(hex(a.out)).toBe(hex(word(1n)));
    // base 0 (Blen 0), exponent the first 32 bytes, modulus the next 32: 0^e mod m = 0
    expect(b.ok).toBe(true);
    expect(hex(b.out)).toBe(hex(word(0n)));
  });

  it('random operands of 0–70 bytes (and the interpreter on a sample) against BigInt, gas per EIP-2565', () => {
    const rand = rng(5);
    const len = () => {
      const k = rand(1)[0];
      return k < 30 ? k % 3 : k < 200 ? k % 40 : k % 71;
    };
    const calls: Call[] = [];
    for (let i = 0; i < 400; i++) {
      const b = rand(len());
      const e = rand(len() % 40);
      const m = rand(len());
      // moduli with leading zeros, 1, and zero; exponents with leading zeros
      if (m.length > 0 && i % 7 === 0) m[0] = 0;
      if (m.length > 0 && i % 11 === 0) m.fill(0);
      if (m.length > 0 && i % 13 === 0) {
        m.fill(0);
        m[m.length - 1] = 1;
      }
      if (e.length > 1 && i % 5 === 0) e[0] = 0;
      let input = modexpInput(b, e, m);
      // a truncated input: the missing bytes are zeros
      if (i % 9 === 0) input = input.subarray(0, 96 + Math.floor(((input.length - 96) * 2) / 3));
      calls.push({ id: 5, gas: GAS, input });
    }
    // small batches: each run's allocations stay in the SDK arena, packed, where a scratch overrun
    // would corrupt the next buffer
    const results: Result[] = [];
    for (let i = 0; i < calls.length; i += 20) results.push(...run(calls.slice(i, i + 20)));
    calls.forEach((c, i) => {
      expect(results[i].ok, `call ${i}`).toBe(true);
      expect(results[i].gasUsed, `gas of call ${i}`).toBe(modexpGasRef(c.input));
      expect(hex(results[i].out), `call ${i}: ${hex(c.input)}`).toBe(hex(modexpRef(c.input)));
    });
    const sample = calls.slice(0, 4);
    const again = run(sample, true);
    expect(sample.length).toBe(4);
    sample.forEach((c, i) => expect(hex(again[i].out), `sample ${i}: ${hex(c.input)}`).toBe(hex(results[i].out)));
  });

  it('2048-bit operands (an RSA verification size)', () => {
    const rand = rng(6);
    const m = rand(256);
    m[0] |= 0x80;
    m[255] |= 1;
    const input = modexpInput(rand(256), rand(256), m);
    const [r] = run([{ id: 5, gas: GAS, input }]);
    expect(r.gasUsed).toBe(modexpGasRef(input));
    expect(hex(r.out)).toBe(hex(modexpRef(input)));
  });

  it('huge declared lengths: charged without allocating them, refused when unpayable', () => {
    const big = (bl: bigint, el: bigint, ml: bigint, rest = new Uint8Array()) =>
      concat(word(bl), word(el), word(ml), rest);
    const max = (1n << 256n) - 1n;
    const calls: Call[] = [
      // Blen = Mlen = 0: 200 gas and an empty output whatever Elen says
      { id: 5, gas: GAS, input: big(0n, max, 0n) },
      { id: 5, gas: GAS, input: big(0n, 1n << 40n, 0n, rng(7)(50)) },
      // a cost that does not fit in 64 bits
      { id: 5, gas: GAS, input: big(max, 1n, 1n) },
      { id: 5, gas: GAS, input: big(1n, max, 1n) },
      { id: 5, gas: (1n << 64n) - 1n, input: big(1n << 64n, 0n, 0n) },
      // payable in principle, but not with this gas
      { id: 5, gas: GAS, input: big(1n, 1n << 32n, 1n, Uint8Array.of(2, 0xff, 7)) },
      { id: 5, gas: GAS, input: big(1n << 20n, 0n, 1n) },
      // Elen = 2^20 with the exponent's head in the input
      { id: 5, gas: GAS, input: big(1n, 1n << 20n, 1n, Uint8Array.of(3, 0xff)) },
      // an exponent 2^k beyond the input's end (zero bits), modulus 1 or 0 / 1 fixed points
      { id: 5, gas: GAS, input: big(1n, 1000n, 1n, Uint8Array.of(3, 0x80)) },
    ];
    const res = run(calls);
    expect(res[0]).toMatchObject({ ok: true, gasUsed: 200n, out: new Uint8Array() });
    expect(res[1]).toMatchObject({ ok: true, gasUsed: 200n, out: new Uint8Array() });
    expect(res[2]).toMatchObject({ ok: false, gasUsed: GAS });
    expect(res[3]).toMatchObject({ ok: false, gasUsed: GAS });
    expect(res[4]).toMatchObject({ ok: false, gasUsed: (1n << 64n) - 1n });
    expect(modexpGasRef(calls[5].input)).toBeGreaterThan(GAS);
    expect(res[5]).toMatchObject({ ok: false, gasUsed: GAS });
    expect(res[6]).toMatchObject({ ok: false, gasUsed: GAS });
    expect(res[7].gasUsed).toBe(modexpGasRef(calls[7].input));
    // the exponent's first 32 bytes are ff 00…00: its highest bit is bit 255
    expect(res[7].gasUsed).toBe((8n * ((1n << 20n) - 32n) + 255n) / 3n);
    expect(hex(res[7].out)).toBe(hex(modexpRef(calls[7].input)));
    expect(res[8].gasUsed).toBe(modexpGasRef(calls[8].input));
    expect(hex(res[8].out)).toBe(hex(modexpRef(calls[8].input)));
  });
});

// ---------------------------------------------------------------------------------------------
// blake2f (EIP-152)

const M64 = (1n << 64n) - 1n;
const IV = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const rotr = (x: bigint, n: bigint): bigint => ((x >> n) | (x << (64n - n))) & M64;

/** RFC 7693 §3.2's F with a given number of rounds, on the EIP-152 input layout */
function blake2fRef(input: Uint8Array): Uint8Array {
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const rounds = dv.getUint32(0);
  const h = Array.from({ length: 8 }, (_, i) => dv.getBigUint64(4 + 8 * i, true));
  const m = Array.from({ length: 16 }, (_, i) => dv.getBigUint64(68 + 8 * i, true));
  const t0 = dv.getBigUint64(196, true);
  const t1 = dv.getBigUint64(204, true);
  const v = [...h, ...IV];
  v[12] ^= t0;
  v[13] ^= t1;
  if (input[212] === 1) v[14] ^= M64;
  const G = (a: number, b: number, c: number, d: number, x: bigint, y: bigint) => {
    v[a] = (v[a] + v[b] + x) & M64;
    v[d] = rotr(v[d] ^ v[a], 32n);
    v[c] = (v[c] + v[d]) & M64;
    v[b] = rotr(v[b] ^ v[c], 24n);
    v[a] = (v[a] + v[b] + y) & M64;
    v[d] = rotr(v[d] ^ v[a], 16n);
    v[c] = (v[c] + v[d]) & M64;
    v[b] = rotr(v[b] ^ v[c], 63n);
  };
  for (let r = 0; r < rounds; r++) {
    const s = SIGMA[r % 10];
    G(0, 4, 8, 12, m[s[0]], m[s[1]]);
    G(1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(2, 6, 10, 14, m[s[4]], m[s[5]]);
    G(3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(0, 5, 10, 15, m[s[8]], m[s[9]]);
    G(1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(2, 7, 8, 13, m[s[12]], m[s[13]]);
    G(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  const out = new Uint8Array(64);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) ov.setBigUint64(8 * i, h[i] ^ v[i] ^ v[i + 8], true);
  return out;
}

describe('precompile 0x09: blake2f', () => {
  // EIP-152's test vectors 4–7 (the "abc" block), with 0, 12 (f = 1 and f = 0) and 1 rounds
  const body =
    '48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b' +
    '6162630000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000' +
    '03000000000000000000000000000000';
  const vec = (rounds: string, f: string) => unhex(rounds + body + f);

  it("EIP-152's vectors, its invalid inputs, and gas = rounds", () => {
    const calls: Call[] = [
      { id: 9, gas: GAS, input: vec('00000000', '01') },
      { id: 9, gas: GAS, input: vec('0000000c', '01') },
      { id: 9, gas: GAS, input: vec('0000000c', '00') },
      { id: 9, gas: GAS, input: vec('00000001', '01') },
      // vectors 0–3: empty, 212 bytes, 214 bytes, final flag 2
      { id: 9, gas: GAS, input: new Uint8Array() },
      { id: 9, gas: GAS, input: vec('0000000c', '01').subarray(1) },
      { id: 9, gas: GAS, input: concat(vec('0000000c', '01'), Uint8Array.of(0)) },
      { id: 9, gas: GAS, input: vec('0000000c', '02') },
      // 12 rounds with 11 gas
      { id: 9, gas: 11n, input: vec('0000000c', '01') },
    ];
    const res = run(calls);
    expect(res[0]).toMatchObject({ ok: true, gasUsed: 0n });
    expect(hex(res[0].out)).toBe(
      '08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b',
    );
    expect(res[1]).toMatchObject({ ok: true, gasUsed: 12n });
    expect(hex(res[1].out)).toBe(
      'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
    );
    expect(hex(res[2].out)).toBe(
      '75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735',
    );
    expect(hex(res[3].out)).toBe(
      'b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421',
    );
    for (const k of [4, 5, 6, 7]) expect(res[k], `invalid input ${k}`).toMatchObject({ ok: false, gasUsed: GAS });
    expect(res[8]).toMatchObject({ ok: false, gasUsed: 11n });
  });

  it('random inputs and round counts (0–40) against the RFC 7693 reference; the interpreter agrees', () => {
    const rand = rng(8);
    const calls: Call[] = [];
    for (let i = 0; i < 60; i++) {
      const input = rand(213);
      input.set([0, 0, 0, i % 41], 0);
      input[212] = i % 2;
      calls.push({ id: 9, gas: GAS, input });
    }
    const res = run(calls);
    calls.forEach((c, i) => {
      expect(res[i].gasUsed).toBe(BigInt(i % 41));
      expect(hex(res[i].out), `call ${i}`).toBe(hex(blake2fRef(c.input)));
    });
    const again = run(calls.slice(0, 4), true);
    again.forEach((r, i) => expect(hex(r.out)).toBe(hex(res[i].out)));
  });
});

describe('precompiles 0x06–0x08 and 0x0a: through the precompile preimage oracle', () => {
  const P = 21888242871839275222246405745257275088696311157297322482245863133164466434167n;
  const G1 = concat(word(1n), word(2n));
  // 2·G1 on alt_bn128 (EIP-196's generator doubled)
  const G1x2 = concat(
    word(0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3n),
    word(0x15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4n),
  );
  const offCurve = concat(word(1n), word(3n));
  const asked = (id: number, input: Uint8Array): boolean =>
    hints.has(hex(keccak_256(precompileKeyPreimage(id, input))));

  it('bn254 add and mul: EIP-1108 gas, the oracle\'s output, failures for points off the curve', () => {
    const calls: Call[] = [
      { id: 6, gas: 150n, input: concat(G1, G1) },
      { id: 6, gas: 149n, input: concat(G1, G1) },
      { id: 6, gas: 1000n, input: concat(G1, offCurve) },
      { id: 6, gas: 1000n, input: new Uint8Array() }, // 0 + 0 = 0
      { id: 7, gas: 6000n, input: concat(G1, word(2n)) },
      { id: 7, gas: 5999n, input: concat(G1, word(2n)) },
      { id: 7, gas: 7000n, input: concat(offCurve, word(2n)) },
      { id: 7, gas: 7000n, input: concat(word(1n), word(P + 2n), word(1n)) }, // y ≥ p
    ];
    const res = run(calls, true);
    expect(res[0]).toMatchObject({ ok: true, gasUsed: 150n });
    expect(hex(res[0].out)).toBe(hex(G1x2));
    expect(res[1]).toMatchObject({ ok: false, gasUsed: 149n });
    expect(res[2]).toMatchObject({ ok: false, gasUsed: 1000n, out: new Uint8Array() });
    expect(res[3]).toMatchObject({ ok: true, gasUsed: 150n });
    expect(hex(res[3].out)).toBe(hex(new Uint8Array(64)));
    expect(res[4]).toMatchObject({ ok: true, gasUsed: 6000n });
    expect(hex(res[4].out)).toBe(hex(G1x2));
    expect(res[5]).toMatchObject({ ok: false, gasUsed: 5999n });
    expect(res[6]).toMatchObject({ ok: false, gasUsed: 7000n });
    expect(res[7]).toMatchObject({ ok: false, gasUsed: 7000n });
    expect(asked(6, calls[0].input)).toBe(true);
    // out of gas: the oracle is not asked
    const lone = run([calls[1]]);
    expect(lone[0].ok).toBe(false);
    expect(asked(6, calls[1].input)).toBe(false);
  });

  it('bn254 pairing: 45,000 + 34,000 k gas; a length not a multiple of 192 fails without asking the oracle', () => {
    const res = run([
      { id: 8, gas: 45000n, input: new Uint8Array() },
      { id: 8, gas: 44999n, input: new Uint8Array() },
      { id: 8, gas: 1_000_000n, input: new Uint8Array(191) },
      { id: 8, gas: 1_000_000n, input: new Uint8Array(192) }, // (0, 0): the empty product, 1
      { id: 8, gas: 45000n + 34000n * 2n - 1n, input: new Uint8Array(384) },
    ]);
    expect(res[0]).toMatchObject({ ok: true, gasUsed: 45000n });
    expect(hex(res[0].out)).toBe(hex(word(1n)));
    expect(res[1]).toMatchObject({ ok: false, gasUsed: 44999n });
    expect(res[2]).toMatchObject({ ok: false, gasUsed: 1_000_000n });
    expect(asked(8, new Uint8Array(191))).toBe(false);
    expect(res[3]).toMatchObject({ ok: true, gasUsed: 79000n });
    expect(hex(res[3].out)).toBe(hex(word(1n)));
    expect(res[4]).toMatchObject({ ok: false, gasUsed: 45000n + 34000n * 2n - 1n });
  });

  it('point evaluation: 50,000 gas, exactly 192 bytes; a proof that does not verify fails', () => {
    const input = rng(9)(192);
    input[0] = 1; // a versioned hash that does not match the commitment
    const res = run([
      { id: 10, gas: 50000n, input },
      { id: 10, gas: 49999n, input },
      { id: 10, gas: 60000n, input: input.subarray(0, 191) },
    ]);
    expect(res[0]).toMatchObject({ ok: false, gasUsed: 50000n });
    expect(asked(10, input)).toBe(true);
    expect(res[1]).toMatchObject({ ok: false, gasUsed: 49999n });
    expect(res[2]).toMatchObject({ ok: false, gasUsed: 60000n });
    expect(asked(10, input.subarray(0, 191))).toBe(false);
  });
});

describe('runPrecompile dispatch', () => {
  it('ids outside 1–10 fail and consume the gas', () => {
    const res = run([
      { id: 0, gas: 100n, input: new Uint8Array() },
      { id: 11, gas: 100n, input: new Uint8Array() },
    ]);
    for (const r of res) expect(r).toMatchObject({ ok: false, gasUsed: 100n });
  });
});
