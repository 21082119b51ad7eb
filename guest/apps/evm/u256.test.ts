/**
 * guest/apps/evm/u256.ts (docs/evm.md "u256") through the test guest test/u256_harness.ts, run
 * natively, against BigInt references over random and edge operands; a few cases also in the step
 * interpreter (App.run checks that both engines agree).
 */
import { describe, expect, it } from 'vitest';
import { App, genesis } from '../../../src/apps/sdk/run-app.ts';

const M = (1n << 256n) - 1n;
const B256 = 1n << 256n;
const signed = (x: bigint): bigint => (x >> 255n ? x - B256 : x);
const wrap = (x: bigint): bigint => ((x % B256) + B256) % B256;
const pred = (v: boolean): bigint => (v ? 1n : 0n);

function modPow(a: bigint, e: bigint, m: bigint): bigint {
  let r = 1n % m;
  let b = a % m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

function signExtend(b: bigint, x: bigint): bigint {
  if (b >= 31n) return x;
  const bit = 8n * b + 7n;
  const low = (1n << (bit + 1n)) - 1n;
  return (x >> bit) & 1n ? x | (M ^ low) : x & low;
}

function sar(s: bigint, x: bigint): bigint {
  const neg = x >> 255n === 1n;
  if (s >= 256n) return neg ? M : 0n;
  return wrap(signed(x) >> s);
}

const bitLen = (x: bigint): number => x.toString(2).length - (x === 0n ? 1 : 0);

interface OpDef {
  name: string;
  arity: number;
  ref: (a: bigint, b: bigint, c: bigint) => bigint;
}

/** op codes of the harness, in order */
const OPS: OpDef[] = [
  { name: 'add', arity: 2, ref: (a, b) => (a + b) & M },
  { name: 'sub', arity: 2, ref: (a, b) => wrap(a - b) },
  { name: 'mul', arity: 2, ref: (a, b) => (a * b) & M },
  { name: 'div', arity: 2, ref: (a, b) => (b === 0n ? 0n : a / b) },
  { name: 'sdiv', arity: 2, ref: (a, b) => (b === 0n ? 0n : wrap(signed(a) / signed(b))) },
  { name: 'mod', arity: 2, ref: (a, b) => (b === 0n ? 0n : a % b) },
  { name: 'smod', arity: 2, ref: (a, b) => (b === 0n ? 0n : wrap(signed(a) % signed(b))) },
  { name: 'addmod', arity: 3, ref: (a, b, n) => (n === 0n ? 0n : (a + b) % n) },
  { name: 'mulmod', arity: 3, ref: (a, b, n) => (n === 0n ? 0n : (a * b) % n) },
  { name: 'exp', arity: 2, ref: (a, b) => modPow(a, b, B256) },
  { name: 'signextend', arity: 2, ref: (b, x) => signExtend(b, x) },
  { name: 'byte', arity: 2, ref: (i, x) => (i >= 32n ? 0n : (x >> (8n * (31n - i))) & 0xffn) },
  { name: 'shl', arity: 2, ref: (s, x) => (s >= 256n ? 0n : (x << s) & M) },
  { name: 'shr', arity: 2, ref: (s, x) => (s >= 256n ? 0n : x >> s) },
  { name: 'sar', arity: 2, ref: (s, x) => sar(s, x) },
  { name: 'and', arity: 2, ref: (a, b) => a & b },
  { name: 'or', arity: 2, ref: (a, b) => a | b },
  { name: 'xor', arity: 2, ref: (a, b) => a ^ b },
  { name: 'not', arity: 1, ref: (a) => M ^ a },
  { name: 'lt', arity: 2, ref: (a, b) => pred(a < b) },
  { name: 'gt', arity: 2, ref: (a, b) => pred(a > b) },
  { name: 'slt', arity: 2, ref: (a, b) => pred(signed(a) < signed(b)) },
  { name: 'sgt', arity: 2, ref: (a, b) => pred(signed(a) > signed(b)) },
  { name: 'eq', arity: 2, ref: (a, b) => pred(a === b) },
  { name: 'iszero', arity: 1, ref: (a) => pred(a === 0n) },
  { name: 'cmp', arity: 2, ref: (a, b) => (a < b ? 0n : a === b ? 1n : 2n) },
  { name: 'low64', arity: 1, ref: (a) => a & 0xffffffffffffffffn },
  { name: 'copy', arity: 1, ref: (a) => a },
  { name: 'fitsU64', arity: 1, ref: (a) => pred(a < 1n << 64n) },
  { name: 'byteLen', arity: 1, ref: (a) => BigInt(Math.ceil(bitLen(a) / 8)) },
];
const FROM_BE = 30;
const TO_BE = 31;
const opCode = (name: string): number => OPS.findIndex((o) => o.name === name);

interface Case {
  op: number;
  alias: number;
  len: number;
  args: bigint[];
}

const le = (x: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return out;
};
const fromLe = (b: Uint8Array): bigint => {
  let x = 0n;
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
};
const be = (x: bigint): Uint8Array => le(x).reverse();

function arityOf(c: Case): number {
  return c.op === FROM_BE || c.op === TO_BE ? 1 : OPS[c.op].arity;
}

function encode(cases: Case[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of cases) {
    parts.push(Uint8Array.of(c.op, c.alias, c.len, 0, 0, 0, 0, 0));
    for (const a of c.args) parts.push(le(a));
  }
  return Buffer.concat(parts);
}

function expected(c: Case): bigint {
  if (c.op === FROM_BE) {
    const bytes = le(c.args[0]).subarray(0, c.len);
    return bytes.reduce((x, v) => (x << 8n) | BigInt(v), 0n);
  }
  if (c.op === TO_BE) return fromLe(be(c.args[0]));
  const [a, b, n] = c.args;
  return OPS[c.op].ref(a, b ?? 0n, n ?? 0n);
}

function runCases(app: App, cases: Case[], interpret = false): { results: bigint[]; steps: number } {
  const msg = encode(cases);
  const run = app.run(genesis(), msg, { interpret });
  const out = app.store.get(run.globalState.bytes32[0]);
  if (!out) throw new Error('the harness hinted no results');
  expect(out.length).toBe(32 * cases.length);
  return {
    results: cases.map((_, i) => fromLe(out.subarray(32 * i, 32 * i + 32))),
    steps: run.steps,
  };
}

/** deterministic xorshift */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const EDGES: bigint[] = [
  0n,
  1n,
  2n,
  3n,
  7n,
  31n,
  32n,
  255n,
  256n,
  (1n << 32n) - 1n,
  1n << 32n,
  (1n << 64n) - 1n,
  1n << 64n,
  (1n << 64n) + 1n,
  (1n << 128n) - 1n,
  1n << 128n,
  1n << 192n,
  (1n << 255n) - 1n,
  1n << 255n,
  (1n << 255n) + 1n,
  M,
  M - 1n,
  M - 0xffffffffn,
];

function randomWord(next: () => number): bigint {
  const kind = next() % 8;
  if (kind === 0) return EDGES[next() % EDGES.length];
  if (kind === 1) return 1n << BigInt(next() % 256);
  if (kind === 2) return M ^ ((1n << BigInt(next() % 256)) - 1n); // top bits set
  // 1 to 8 u32 words, each structured (0, 1, 0x7fffffff, 0x80000000, 0xffffffff) or random: these
  // hit the quotient-digit corrections and the add-back step of Knuth's division
  const words = 1 + (next() % 8);
  let x = 0n;
  for (let i = 0; i < words; i++) {
    const w = next() % 6;
    const v = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff][w] ?? next();
    x = (x << 32n) | BigInt(v >>> 0);
  }
  if (kind === 3) x = x >> BigInt(next() % 256);
  return x & M;
}

function randomArg(op: string, i: number, next: () => number): bigint {
  // shift amounts, byte indices and sign-extension bytes: mostly in range
  if (i === 0 && ['shl', 'shr', 'sar', 'byte', 'signextend'].includes(op) && next() % 4 !== 0)
    return BigInt(next() % (op === 'byte' || op === 'signextend' ? 34 : 260));
  return randomWord(next);
}

describe('u256 (guest/apps/evm/u256.ts) against BigInt', () => {
  const app = new App('apps/evm/test/u256_harness.ts');

  it('thousands of random and edge operands, every op, result aliasing each operand, natively', () => {
    const next = rng(0x5eed);
    const cases: Case[] = [];
    for (let op = 0; op < OPS.length; op++) {
      const { name, arity } = OPS[op];
      // every pair of edges for the binary ops
      if (arity === 2) for (const a of EDGES) for (const b of EDGES) cases.push({ op, alias: 0, len: 0, args: [a, b] });
      else if (arity === 1) for (const a of EDGES) cases.push({ op, alias: 0, len: 0, args: [a] });
      const heavy = ['div', 'sdiv', 'mod', 'smod', 'addmod', 'mulmod'].includes(name) ? 3000 : 400;
      for (let k = 0; k < heavy; k++) {
        const args = Array.from({ length: arity }, (_, i) => randomArg(name, i, next));
        cases.push({ op, alias: next() % (arity + 1), len: 0, args });
      }
    }
    for (let len = 0; len <= 32; len++)
      for (let k = 0; k < 8; k++)
        cases.push({ op: FROM_BE, alias: k % 2, len, args: [randomWord(next)] });
    for (let k = 0; k < 50; k++) cases.push({ op: TO_BE, alias: k % 2, len: 0, args: [randomWord(next)] });
    const { results } = runCases(app, cases);
    const bad: string[] = [];
    cases.forEach((c, i) => {
      const want = expected(c);
      if (results[i] !== want && bad.length < 10)
        bad.push(
          `${c.op === FROM_BE ? 'fromBE' : c.op === TO_BE ? 'toBE' : OPS[c.op].name}(${c.args.map((a) => `0x${a.toString(16)}`).join(', ')}) alias ${c.alias} len ${c.len}: got 0x${results[i].toString(16)}, want 0x${want.toString(16)}`,
        );
    });
    expect(bad).toEqual([]);
    expect(cases.length).toBeGreaterThan(20_000);
  });

  it('division hits the quotient corrections: dividends built as q·d + r', () => {
    const next = rng(77);
    const cases: Case[] = [];
    for (let k = 0; k < 3000; k++) {
      const d = randomWord(next) || 1n;
      const q = randomWord(next) % ((M / d) + 1n);
      const r = randomWord(next) % d;
      const a = q * d + r;
      if (a > M) continue;
      cases.push({ op: opCode('div'), alias: 0, len: 0, args: [a, d] });
      cases.push({ op: opCode('mod'), alias: 0, len: 0, args: [a, d] });
    }
    const { results } = runCases(app, cases);
    cases.forEach((c, i) => expect(results[i], `${c.args}`).toBe(expected(c)));
  });

  it('the step interpreter gives the same results (a few cases per op)', () => {
    const next = rng(99);
    const cases: Case[] = [];
    for (let op = 0; op < OPS.length; op++)
      for (let k = 0; k < 3; k++)
        cases.push({
          op,
          alias: 0,
          len: 0,
          args: Array.from({ length: OPS[op].arity }, (_, i) => randomArg(OPS[op].name, i, next)),
        });
    cases.push({ op: FROM_BE, alias: 0, len: 17, args: [randomWord(next)] });
    cases.push({ op: TO_BE, alias: 0, len: 0, args: [randomWord(next)] });
    const { results, steps } = runCases(app, cases, true);
    cases.forEach((c, i) => expect(results[i]).toBe(expected(c)));
    expect(steps).toBeGreaterThan(0);
  });

  it('costs few interpreter steps on full-width operands', () => {
    const run = (name: string, args: bigint[], n: number): number => {
      const op = opCode(name);
      return runCases(app, Array.from({ length: n }, () => ({ op, alias: 0, len: 0, args })), true).steps;
    };
    // the cost of one op: the difference between 2 and 1 repetitions, less that of a copy (the
    // harness's own work per record)
    const base = run('copy', [1n], 2) - run('copy', [1n], 1);
    const steps = (name: string, args: bigint[]): number => run(name, args, 2) - run(name, args, 1) - base;
    const big = M - 12345n;
    const cost = {
      add: steps('add', [big, big]),
      mul: steps('mul', [big, big]),
      div: steps('div', [big, (1n << 200n) + 3n]),
      mulmod: steps('mulmod', [big, big, (1n << 255n) + 99n]),
      exp: steps('exp', [big, big]),
    };
    console.log(`u256 interpreter steps per op: ${JSON.stringify(cost)}`);
    expect(cost.add).toBeLessThan(100);
    expect(cost.mul).toBeLessThan(600);
    expect(cost.div).toBeLessThan(3000);
    expect(cost.mulmod).toBeLessThan(8000);
    expect(cost.exp).toBeLessThan(200_000);
  });
});
