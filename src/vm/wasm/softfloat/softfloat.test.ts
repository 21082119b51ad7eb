/**
 * The soft-float library (guest/softfloat, docs/softfloat.md) against V8's hardware floats: every
 * operation on special operands (NaNs, ±0, ±∞, subnormals, the largest and smallest values,
 * rounding ties) and on random bit patterns, bit for bit, with NaN results compared as "some NaN"
 * (the library's is canonical: docs/softfloat.md §2). Also: the library is integer-only (the
 * machine's validator, which refuses floats, accepts it) and touches no memory and no globals.
 */
import { describe, expect, it } from 'vitest';
import { compileGuest } from '../../../apps/sdk/run-app.ts';
import { V8Wasm } from '../native.ts';
import { parseModule } from '../parse.ts';
import { SOFTFLOAT_WASM_BASE64 } from './library-bytes.ts';

const bytes = compileGuest('softfloat/index.ts'); // validated by the machine's validator
const lib = new V8Wasm.Instance(new V8Wasm.Module(bytes)).exports as Record<
  string,
  (...a: (number | bigint)[]) => number | bigint
>;

// ---- bit helpers
const f64buf = new DataView(new ArrayBuffer(8));
const bitsOf64 = (x: number): bigint => {
  f64buf.setFloat64(0, x);
  return f64buf.getBigUint64(0);
};
const f64Of = (b: bigint): number => {
  f64buf.setBigUint64(0, BigInt.asUintN(64, b));
  return f64buf.getFloat64(0);
};
const bitsOf32 = (x: number): number => {
  f64buf.setFloat32(0, x);
  return f64buf.getUint32(0);
};
const f32Of = (b: number): number => {
  f64buf.setUint32(0, b >>> 0);
  return f64buf.getFloat32(0);
};
const u64 = (x: bigint) => BigInt.asUintN(64, x);
const NAN64 = 0x7ff8000000000000n;
const NAN32 = 0x7fc00000;

// ---- operands: specials plus a deterministic stream of random bit patterns
let seed = 0x9e3779b97f4a7c15n;
const rand64 = (): bigint => {
  seed ^= seed << 13n;
  seed &= (1n << 64n) - 1n;
  seed ^= seed >> 7n;
  seed ^= seed << 17n;
  seed &= (1n << 64n) - 1n;
  return seed;
};
const SPECIAL64 = [
  0n,
  1n << 63n,
  0x7ff0000000000000n,
  0xfff0000000000000n,
  NAN64,
  0x7ff0000000000001n, // a signalling NaN
  0xfff8000000000abcn,
  1n, // the smallest subnormal
  0x000fffffffffffffn, // the largest subnormal
  0x0010000000000000n, // the smallest normal
  0x7fefffffffffffffn, // the largest finite
  bitsOf64(1),
  bitsOf64(-1),
  bitsOf64(0.5),
  bitsOf64(-0.5),
  bitsOf64(1.5),
  bitsOf64(2.5),
  bitsOf64(-2.5),
  bitsOf64(3),
  bitsOf64(1 + 2 ** -52),
  bitsOf64(2 ** 52 + 0.5),
  bitsOf64(2 ** 53),
  bitsOf64(2 ** 63),
  bitsOf64(-(2 ** 63)),
  bitsOf64(2 ** 64),
  bitsOf64(2 ** 31),
  bitsOf64(-(2 ** 31) - 0.5),
  bitsOf64(4294967295.9),
  bitsOf64(Math.PI),
  bitsOf64(1e308),
  bitsOf64(-1e-308),
];
/** random patterns, biased toward nearby exponents so that additions really add */
const randomPairs64 = (n: number): [bigint, bigint][] =>
  Array.from({ length: n }, (_, i) => {
    const a = rand64();
    const b = i % 3 === 0 ? rand64() : (a & 0xfff0000000000000n) ^ (rand64() & 0x800fffffffffffffn);
    return [a, i % 7 === 0 ? u64(b + (rand64() & 0x003n) * 0x0010000000000000n) : b];
  });
/** a random value with a biased exponent in [lo, hi] */
const withExp = (lo: number, hi: number): bigint =>
  (rand64() & 0x800fffffffffffffn) | (BigInt(lo + Number(rand64() % BigInt(hi - lo + 1))) << 52n);
const pairs64: [bigint, bigint][] = [
  ...SPECIAL64.flatMap((a) => SPECIAL64.map((b): [bigint, bigint] => [a, b])),
  ...randomPairs64(4000),
  // results near and below the smallest normal: tiny × around-one, tiny ÷ large, tiny ± tiny
  ...Array.from({ length: 1500 }, (): [bigint, bigint] => [withExp(0, 80), withExp(940, 1100)]),
  ...Array.from({ length: 500 }, (): [bigint, bigint] => [withExp(0, 3), withExp(0, 3)]),
  // results near overflow
  ...Array.from({ length: 500 }, (): [bigint, bigint] => [withExp(1990, 2046), withExp(1000, 1060)]),
];
const singles64 = [...SPECIAL64, ...Array.from({ length: 4000 }, rand64)];

const eq64 = (got: bigint, want: number, what: string) => {
  if (Number.isNaN(want)) expect(u64(got), what).toBe(NAN64);
  else expect(u64(got).toString(16), what).toBe(bitsOf64(want).toString(16));
};
const hex = (x: bigint) => `0x${u64(x).toString(16).padStart(16, '0')}`;

describe('softfloat: the library itself', () => {
  it('the embedded copy (library-bytes.ts) is a fresh compile of guest/softfloat', () => {
    expect(
      Buffer.from(bytes).toString('base64') === SOFTFLOAT_WASM_BASE64,
      'guest/softfloat changed: run `node scripts/gen-softfloat.mjs`',
    ).toBe(true);
  });

  it('is integer-only wasm with no imports, no memory access and no globals', () => {
    const mod = parseModule(bytes);
    expect(mod.imports).toEqual([]);
    const forbidden = new Set([0x23, 0x24, 0x3f, 0x40]); // global.get/set, memory.size/grow
    for (let op = 0x28; op <= 0x3e; op++) forbidden.add(op); // loads and stores
    for (const f of mod.funcs)
      for (const ins of f.body) expect(forbidden.has(ins.op), `op 0x${ins.op.toString(16)}`).toBe(false);
  });
});

describe('softfloat binary64 against V8', () => {
  const ops: [string, (a: number, b: number) => number][] = [
    ['f64_add', (a, b) => a + b],
    ['f64_sub', (a, b) => a - b],
    ['f64_mul', (a, b) => a * b],
    ['f64_div', (a, b) => a / b],
  ];
  for (const [name, js] of ops)
    it(`${name}: ${pairs64.length} operand pairs, bit for bit`, () => {
      for (const [a, b] of pairs64)
        eq64(lib[name](a, b) as bigint, js(f64Of(a), f64Of(b)), `${name}(${hex(a)}, ${hex(b)})`);
    });

  it('f64_min / f64_max: NaN wins, −0 < +0', () => {
    const min = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b));
    const max = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b));
    for (const [a, b] of pairs64) {
      eq64(lib.f64_min(a, b) as bigint, min(f64Of(a), f64Of(b)), `min(${hex(a)}, ${hex(b)})`);
      eq64(lib.f64_max(a, b) as bigint, max(f64Of(a), f64Of(b)), `max(${hex(a)}, ${hex(b)})`);
    }
  });

  it('comparisons: eq ne lt gt le ge (false with a NaN, ne true)', () => {
    for (const [a, b] of pairs64) {
      const x = f64Of(a);
      const y = f64Of(b);
      const got = ['f64_eq', 'f64_ne', 'f64_lt', 'f64_gt', 'f64_le', 'f64_ge'].map((n) => lib[n](a, b));
      expect(got, `${hex(a)} ? ${hex(b)}`).toEqual(
        [x === y, x !== y, x < y, x > y, x <= y, x >= y].map(Number),
      );
    }
  });

  it('f64_sqrt and the four roundings, bit for bit', () => {
    // nearest: ties to even (Math.round rounds ties up)
    const nearest = (x: number) => {
      if (!Number.isFinite(x) || x === 0) return x;
      const r = Math.round(x);
      const t = r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
      return t === 0 ? (x < 0 ? -0 : 0) : t;
    };
    const modes = [Math.trunc, Math.floor, Math.ceil, nearest];
    for (const a of singles64) {
      const x = f64Of(a);
      eq64(lib.f64_sqrt(a) as bigint, Math.sqrt(x), `sqrt(${hex(a)})`);
      for (const [mode, m] of modes.entries())
        eq64(lib.f64_round(a, mode) as bigint, m(x), `round${mode}(${hex(a)})`);
    }
  });
});

describe('softfloat binary32 against V8 (Math.fround)', () => {
  const specials32 = SPECIAL64.map((b) => bitsOf32(f64Of(b))).concat([
    1, 0x7fffff, 0x800000, 0x7f7fffff, 0x7f800001,
  ]);
  const rand32 = () => Number(rand64() & 0xffffffffn);
  const pairs32: [number, number][] = [
    ...specials32.flatMap((a) => specials32.map((b): [number, number] => [a, b])),
    ...Array.from({ length: 4000 }, (_, i): [number, number] => {
      const a = rand32();
      return [a, i % 2 ? rand32() : ((a & 0xff800000) ^ (rand32() & 0x807fffff)) >>> 0];
    }),
  ];
  const eq32 = (got: number, want: number, what: string) => {
    if (Number.isNaN(want)) expect(got >>> 0, what).toBe(NAN32);
    else expect((got >>> 0).toString(16), what).toBe(bitsOf32(want).toString(16));
  };
  const ops: [string, (a: number, b: number) => number][] = [
    ['f32_add', (a, b) => Math.fround(a + b)],
    ['f32_sub', (a, b) => Math.fround(a - b)],
    ['f32_mul', (a, b) => Math.fround(a * b)],
    ['f32_div', (a, b) => Math.fround(a / b)],
  ];
  for (const [name, js] of ops)
    it(`${name}: ${pairs32.length} operand pairs, bit for bit`, () => {
      for (const [a, b] of pairs32)
        eq32(lib[name](a, b) as number, js(f32Of(a), f32Of(b)), `${name}(${a}, ${b})`);
    });

  it('promote is exact, demote rounds to nearest even, sqrt', () => {
    for (const [a] of pairs32) {
      eq64(lib.f64_promote_f32(a) as bigint, f32Of(a), `promote(${a})`);
      eq32(lib.f32_sqrt(a) as number, Math.fround(Math.sqrt(f32Of(a))), `sqrt32(${a})`);
    }
    for (const a of singles64)
      eq32(lib.f32_demote_f64(a) as number, Math.fround(f64Of(a)), `demote(${hex(a)})`);
  });
});

describe('softfloat conversions', () => {
  const ints64 = [
    0n,
    1n,
    -1n,
    2n ** 53n + 1n,
    2n ** 63n - 1n,
    -(2n ** 63n),
    2n ** 24n + 1n,
    0x7fffffffn,
    -0x80000000n,
    ...Array.from({ length: 2000 }, () => BigInt.asIntN(64, rand64()) >> (rand64() % 64n)),
  ];
  it('integers to floats round to nearest even (64-bit to f32 directly, not through f64)', () => {
    for (const x of ints64) {
      const xu = u64(x);
      eq64(lib.f64_convert_i64_s(x) as bigint, Number(x), `f64(i64 ${x})`);
      eq64(lib.f64_convert_i64_u(x) as bigint, Number(xu), `f64(u64 ${xu})`);
      // exact reference for f32: BigInt → f32 via the correctly rounded f64 is double rounding, so
      // compute it from the exact integer: round to 24 significant bits, ties to even
      const toF32 = (v: bigint) => {
        const neg = v < 0n;
        let m = neg ? -v : v;
        if (m === 0n) return 0;
        const bitsLen = m.toString(2).length;
        if (bitsLen > 24) {
          const sh = BigInt(bitsLen - 24);
          const rest = m & ((1n << sh) - 1n);
          const half = 1n << (sh - 1n);
          m >>= sh;
          if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
          m <<= sh;
        }
        return neg ? -Number(m) : Number(m);
      };
      expect((lib.f32_convert_i64_s(x) as number) >>> 0, `f32(i64 ${x})`).toBe(bitsOf32(toF32(x)));
      expect((lib.f32_convert_i64_u(x) as number) >>> 0, `f32(u64 ${xu})`).toBe(bitsOf32(toF32(xu)));
      const x32 = Number(BigInt.asIntN(32, x));
      eq64(lib.f64_convert_i32_s(x32) as bigint, x32, `f64(i32 ${x32})`);
      eq64(lib.f64_convert_i32_u(x32) as bigint, x32 >>> 0, `f64(u32 ${x32 >>> 0})`);
      expect((lib.f32_convert_i32_s(x32) as number) >>> 0).toBe(bitsOf32(toF32(BigInt(x32))));
      expect((lib.f32_convert_i32_u(x32) as number) >>> 0).toBe(bitsOf32(toF32(BigInt(x32 >>> 0))));
    }
  });

  /** wasm's own conversion, as the reference: V8 compiles a module with the float instructions */
  const ref = (() => {
    const ops = [
      ['i64_trunc_f64_s', 0x7e, 0x7c, [0xb0]],
      ['i64_trunc_f64_u', 0x7e, 0x7c, [0xb1]],
      ['i32_trunc_f64_s', 0x7f, 0x7c, [0xaa]],
      ['i32_trunc_f64_u', 0x7f, 0x7c, [0xab]],
      ['i64_trunc_sat_f64_s', 0x7e, 0x7c, [0xfc, 0x06]],
      ['i64_trunc_sat_f64_u', 0x7e, 0x7c, [0xfc, 0x07]],
      ['i32_trunc_sat_f64_s', 0x7f, 0x7c, [0xfc, 0x02]],
      ['i32_trunc_sat_f64_u', 0x7f, 0x7c, [0xfc, 0x03]],
    ] as const;
    // (func (param i64) (result T) local.get 0 f64.reinterpret_i64 <op>)
    const types = ops.flatMap(([, r]) => [0x60, 1, 0x7e, 1, r]);
    const body = (op: readonly number[]) => [0, 0x20, 0, 0xbf, ...op, 0x0b];
    const bodies = ops.map(([, , , op]) => body(op));
    const name = (s: string) => [s.length, ...Buffer.from(s)];
    const uleb = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...uleb(n >>> 7)]);
    const sec = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
    const mod = [
      0,
      0x61,
      0x73,
      0x6d,
      1,
      0,
      0,
      0,
      ...sec(1, [ops.length, ...types]),
      ...sec(3, [ops.length, ...ops.map((_, i) => i)]),
      ...sec(7, [ops.length, ...ops.flatMap(([n], i) => [...name(n), 0, i])]),
      ...sec(10, [ops.length, ...bodies.flatMap((b) => [b.length, ...b])]),
    ];
    return new V8Wasm.Instance(new V8Wasm.Module(new Uint8Array(mod))).exports as Record<
      string,
      (a: bigint) => number | bigint
    >;
  })();
  const outcome = (f: () => number | bigint) => {
    try {
      return String(f());
    } catch {
      return 'trap';
    }
  };

  it('float to integer: trunc traps where wasm traps, trunc_sat saturates, bit for bit', () => {
    const edges = [
      2 ** 63,
      -(2 ** 63),
      2 ** 64,
      2 ** 64 - 2048,
      2 ** 31,
      -(2 ** 31),
      2 ** 32,
      2 ** 32 - 0.5,
      -0.9,
      -1,
      0.9999,
      2 ** 31 - 0.5,
      -(2 ** 31) - 0.99,
    ];
    const inputs = [...singles64, ...edges.map(bitsOf64), ...edges.map((x) => bitsOf64(-x))];
    for (const name of Object.keys(ref))
      for (const a of inputs)
        expect(
          outcome(() => lib[name](a)),
          `${name}(${hex(a)} = ${f64Of(a)})`,
        ).toBe(outcome(() => ref[name](a)));
  });
});
