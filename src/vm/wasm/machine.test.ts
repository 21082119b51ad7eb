/**
 * Machine unit tests: every trap kind, the "a trapping step changes only status and steps" rule,
 * limits, memory.grow, and i64 arithmetic against BigInt references and V8.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../test/wasm/random-module.ts';
import { buildModule, I64 } from '../../../test/wasm/wasm-builder.ts';
import { wat } from '../../../test/wasm/wat.ts';
import { MachineCommitter } from './commit.ts';
import { toHex } from './hash.ts';
import { type Machine, Status, type TrapReason } from './machine.ts';
import { V8Wasm } from './native.ts';
import { type CompileOptions, compileProgram, newMachine } from './program.ts';

const IMPORTS = `
  (import "modex" "set_global_u64" (func $set_u64 (param i32 i64)))
  (import "modex" "set_global_bytes32" (func $set_b32 (param i32 i32)))
  (import "modex" "keccak256_pair" (func $keccak256_pair (param i32 i32)))
  (import "modex" "ecrecover" (func $ecrecover (param i32 i32 i32 i32) (result i32)))
  (import "modex" "hint_preimage" (func $hint_preimage (param i32 i32)))`;

const stf = (body: string, extra = '', memory = '(memory 1 4)'): Uint8Array =>
  wat(`(module ${IMPORTS} ${memory} ${extra} (func $main (export "main") ${body}))`);

function run(bytes: Uint8Array, opts: CompileOptions = {}): Machine {
  const m = newMachine(compileProgram(bytes, opts));
  m.run();
  return m;
}

/** Machine fields (from a fresh commitment) without status and steps, as comparable strings. */
function fieldsBut(m: Machine): Record<string, string | number> {
  const f = new MachineCommitter(m.clone()).fields();
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(f)) {
    if (k === 'status' || k === 'steps') continue;
    out[k] = v instanceof Uint8Array ? toHex(v) : v;
  }
  return out;
}

const TRAPS: [TrapReason, string, string?, CompileOptions?][] = [
  ['unreachable', '(unreachable)'],
  ['integer divide by zero', '(drop (i32.div_s (i32.const 5) (i32.const 0)))'],
  ['integer divide by zero', '(drop (i64.rem_u (i64.const 5) (i64.const 0)))'],
  ['integer overflow', '(drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))'],
  ['integer overflow', '(drop (i64.div_s (i64.const 0x8000000000000000) (i64.const -1)))'],
  ['out of bounds memory access', '(drop (i64.load (i32.const 65529)))'],
  ['out of bounds memory access', '(drop (i32.load offset=4 (i32.const -4)))'],
  ['out of bounds memory access', '(i32.store (i32.const 65534) (i32.const 1))'],
  ['out of bounds memory access', '(i64.store (i32.const 65535) (i64.const 1))'],
  ['out of bounds memory access', '(i32.store16 offset=65535 (i32.const 0) (i32.const 1))'],
  ['out of bounds memory access', '(call $set_b32 (i32.const 0) (i32.const 65520))'],
  // bulk memory: the helpers' bounds checks are `unreachable`s that report the spec's trap
  ['out of bounds memory access', '(memory.fill (i32.const 65530) (i32.const 1) (i32.const 7))'],
  ['out of bounds memory access', '(memory.copy (i32.const 0) (i32.const 65535) (i32.const 2))'],
  [
    'out of bounds memory access',
    '(memory.init $d (i32.const 0) (i32.const 2) (i32.const 3))',
    '(data $d "ab")',
  ],
  ['bad global-state index', '(call $set_u64 (i32.const 2) (i64.const 1))'],
  // v1.1 host ops: 32-byte aligned pointers, whole windows in bounds
  ['unaligned host pointer', '(call $keccak256_pair (i32.const 16) (i32.const 64))'],
  ['unaligned host pointer', '(call $keccak256_pair (i32.const 64) (i32.const 72))'],
  ['out of bounds memory access', '(call $keccak256_pair (i32.const 65504) (i32.const 0))'],
  ['out of bounds memory access', '(call $keccak256_pair (i32.const 0) (i32.const 65536))'],
  [
    'unaligned host pointer',
    '(drop (call $ecrecover (i32.const 4) (i32.const 64) (i32.const 27) (i32.const 128)))',
  ],
  [
    'unaligned host pointer',
    '(drop (call $ecrecover (i32.const 0) (i32.const 80) (i32.const 27) (i32.const 128)))',
  ],
  [
    'unaligned host pointer',
    '(drop (call $ecrecover (i32.const 0) (i32.const 64) (i32.const 26) (i32.const 129)))',
  ],
  [
    'out of bounds memory access',
    '(drop (call $ecrecover (i32.const 0) (i32.const 65504) (i32.const 27) (i32.const 128)))',
  ],
  [
    'out of bounds memory access',
    '(drop (call $ecrecover (i32.const -32) (i32.const 64) (i32.const 27) (i32.const 128)))',
  ],
  [
    'undefined element',
    '(drop (call_indirect (type $t) (i32.const 2)))',
    '(type $t (func (result i32))) (table 2 funcref) (elem (i32.const 0) $f) (func $f (result i32) (i32.const 1))',
  ],
  [
    'uninitialized element',
    '(drop (call_indirect (type $t) (i32.const 1)))',
    '(type $t (func (result i32))) (table 2 funcref) (elem (i32.const 0) $f) (func $f (result i32) (i32.const 1))',
  ],
  [
    'indirect call type mismatch',
    '(drop (call_indirect (type $t) (i32.const 0)))',
    '(type $t (func (result i32))) (table 2 funcref) (elem (i32.const 0) $g) (func $g (result i64) (i64.const 1))',
  ],
  [
    'call stack exhausted',
    '(drop (call $rec (i32.const 0)))',
    '(func $rec (param i32) (result i32) (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))',
    { limits: { maxFrames: 100 } },
  ],
  ['step limit reached', '(loop $l (br $l))', '', { limits: { maxSteps: 1000n } }],
];

describe('traps', () => {
  for (const [reason, body, extra, opts] of TRAPS) {
    it(`${reason}: ${body.slice(0, 60)}`, () => {
      const bytes = stf(
        `(call $set_u64 (i32.const 1) (i64.const 5)) (i64.store (i32.const 64) (i64.const -1)) ${body}`,
        extra,
      );
      const m = run(bytes, opts);
      expect(m.status).toBe(Status.Errored);
      expect(m.trap).toBe(reason);
      expect(m.globalState.u64[1]).toBe(5n);
      // run() on a stopped machine does nothing
      expect(m.run(10)).toBe(0);

      // the trapping step changes only status and steps
      const before = newMachine(compileProgram(bytes, opts));
      before.run(m.steps - 1);
      expect(before.status).toBe(Status.Running);
      const f0 = fieldsBut(before);
      const h0 = toHex(new MachineCommitter(before.clone()).hash());
      expect(before.run(1)).toBe(1);
      expect(before.status).toBe(Status.Errored);
      expect(before.steps).toBe(m.steps);
      expect(fieldsBut(before)).toEqual(f0);
      expect(toHex(new MachineCommitter(before.clone()).hash())).not.toBe(h0);
      expect(toHex(new MachineCommitter(before.clone()).hash())).toBe(
        toHex(new MachineCommitter(m.clone()).hash()),
      );
    });
  }

  it('step limit: exactly maxSteps steps run, the next one traps', () => {
    const bytes = stf('(loop $l (br $l))');
    const m = newMachine(compileProgram(bytes, { limits: { maxSteps: 100n } }));
    expect(m.run(100)).toBe(100);
    expect(m.status).toBe(Status.Running);
    expect(m.run(1)).toBe(1);
    expect(m.status).toBe(Status.Errored);
    expect(m.trap).toBe('step limit reached');
    expect(m.steps).toBe(101);
  });

  it('a store crossing the end of memory writes nothing', () => {
    const m = run(stf('(i64.store (i32.const 65532) (i64.const -1))'));
    expect(m.trap).toBe('out of bounds memory access');
    expect([...m.memory.subarray(65520)]).toEqual(new Array(16).fill(0));
  });

  it('a load within bounds after memory.grow succeeds; beyond the maximum grow returns -1', () => {
    const m = run(
      stf(`(call $set_u64 (i32.const 0) (i64.extend_i32_s (memory.grow (i32.const 3))))
        (call $set_u64 (i32.const 1) (i64.extend_i32_s (memory.grow (i32.const 1))))
        (i64.store (i32.const 262136) (i64.const 7))`),
    );
    expect(m.status).toBe(Status.Finished);
    expect(m.globalState.u64).toEqual([1n, 2n ** 64n - 1n]);
    expect(m.pages).toBe(4);
    expect(m.memory[262136]).toBe(7);
  });

  it('memory.grow is capped by limits.maxMemoryPages', () => {
    const m = run(
      stf('(call $set_u64 (i32.const 0) (i64.extend_i32_s (memory.grow (i32.const 2))))', '', '(memory 1)'),
      {
        limits: { maxMemoryPages: 2 },
      },
    );
    expect(m.status).toBe(Status.Finished);
    expect(m.globalState.u64[0]).toBe(2n ** 64n - 1n);
    expect(m.pages).toBe(1);
  });
});

// ---- i64 arithmetic against BigInt and V8

const U = (x: bigint) => BigInt.asUintN(64, x);
const S = (x: bigint) => BigInt.asIntN(64, x);
const TRAP = 'trap' as const;
type Ref = (a: bigint, b: bigint) => bigint | typeof TRAP;

const BINOPS: [string, number, Ref][] = [
  ['add', 0x7c, (a, b) => U(a + b)],
  ['sub', 0x7d, (a, b) => U(a - b)],
  ['mul', 0x7e, (a, b) => U(a * b)],
  ['div_s', 0x7f, (a, b) => (b === 0n || (S(a) === -(1n << 63n) && S(b) === -1n) ? TRAP : U(S(a) / S(b)))],
  ['div_u', 0x80, (a, b) => (b === 0n ? TRAP : a / b)],
  ['rem_s', 0x81, (a, b) => (b === 0n ? TRAP : S(b) === -1n ? 0n : U(S(a) % S(b)))],
  ['rem_u', 0x82, (a, b) => (b === 0n ? TRAP : a % b)],
  ['and', 0x83, (a, b) => a & b],
  ['or', 0x84, (a, b) => a | b],
  ['xor', 0x85, (a, b) => a ^ b],
  ['shl', 0x86, (a, b) => U(a << (b & 63n))],
  ['shr_s', 0x87, (a, b) => U(S(a) >> (b & 63n))],
  ['shr_u', 0x88, (a, b) => a >> (b & 63n)],
  ['rotl', 0x89, (a, b) => U((a << (b & 63n)) | (a >> ((64n - (b & 63n)) & 63n)))],
  ['rotr', 0x8a, (a, b) => U((a >> (b & 63n)) | (a << ((64n - (b & 63n)) & 63n)))],
  ['clz', 0x79, (a) => BigInt(64 - (a === 0n ? 0 : a.toString(2).length))],
  ['ctz', 0x7a, (a) => (a === 0n ? 64n : BigInt(a.toString(2).length - a.toString(2).lastIndexOf('1') - 1))],
  ['popcnt', 0x7b, (a) => BigInt([...a.toString(2)].filter((c) => c === '1').length)],
];
const UNARY = new Set([0x79, 0x7a, 0x7b]);

describe('i64 arithmetic vs BigInt and V8', () => {
  const bytes = buildModule({
    funcs: BINOPS.map(([name, op]) => ({
      params: [I64, I64],
      results: [I64],
      body: UNARY.has(op) ? [0x20, 0, op] : [0x20, 0, 0x20, 1, op],
      export: name,
    })),
  });
  const prog = compileProgram(bytes, { entry: null });
  const native = new V8Wasm.Instance(new V8Wasm.Module(bytes)).exports as Record<
    string,
    (a: bigint, b: bigint) => bigint
  >;
  const m = newMachine(prog);
  m.run();
  expect(m.status).toBe(Status.Finished);

  const interp = (fi: number, a: bigint, b: bigint): bigint | typeof TRAP => {
    const c = m.clone();
    c.invoke(fi, [a, b]);
    c.run();
    return c.status === Status.Errored ? TRAP : c.stackValue(0);
  };
  const nat = (name: string, a: bigint, b: bigint): bigint | typeof TRAP => {
    try {
      return U(native[name](S(a), S(b)));
    } catch {
      return TRAP;
    }
  };

  const r = new Rng(42);
  const pairs: [bigint, bigint][] = [];
  const edges = [
    0n,
    1n,
    2n,
    63n,
    64n,
    65n,
    U(-1n),
    U(-2n),
    1n << 63n,
    (1n << 63n) - 1n,
    0xffffffffn,
    1n << 32n,
  ];
  for (const a of edges) for (const b of edges) pairs.push([a, b]);
  for (let i = 0; i < 300; i++) pairs.push([U(r.i64()), U(r.i64())]);

  BINOPS.forEach(([name, , ref], fi) => {
    it(name, () => {
      let traps = 0;
      for (const [a, b] of pairs) {
        const want = ref(a, b);
        if (want === TRAP) traps++;
        const ctx = `${name}(${a}, ${b})`;
        expect(interp(fi, a, b), ctx).toBe(want);
        expect(nat(name, a, b), ctx).toBe(want);
      }
      if (name.startsWith('div') || name.startsWith('rem')) expect(traps).toBeGreaterThan(0);
    });
  });
});

describe('v1.1 host ops', () => {
  it('ecrecover of a failing recovery writes a zero word and returns 0; keccak256_pair hashes 64 bytes', () => {
    const m = run(
      stf(
        `(memory.fill (i32.const 128) (i32.const 0xff) (i32.const 32))
        (call $set_u64 (i32.const 0) (i64.extend_i32_u
          (call $ecrecover (i32.const 0) (i32.const 64) (i32.const 27) (i32.const 128))))
        (memory.fill (i32.const 256) (i32.const 0x61) (i32.const 64))
        (call $keccak256_pair (i32.const 256) (i32.const 320))`,
      ),
    );
    expect(m.status).toBe(Status.Finished);
    expect(m.globalState.u64[0]).toBe(0n);
    expect(toHex(m.memory.subarray(128, 160))).toBe(toHex(new Uint8Array(32)));
    expect(toHex(m.memory.subarray(320, 352))).toBe(toHex(keccak_256(new Uint8Array(64).fill(0x61))));
  });

  it('hint_preimage passes in-bounds ranges to the host, ignores the others, never traps', () => {
    const bytes = stf(
      `(memory.fill (i32.const 10) (i32.const 7) (i32.const 5))
      (call $hint_preimage (i32.const 10) (i32.const 5))
      (call $hint_preimage (i32.const 0) (i32.const 0))
      (call $hint_preimage (i32.const 65535) (i32.const 2))
      (call $hint_preimage (i32.const -1) (i32.const -1))
      (call $set_u64 (i32.const 1) (i64.const 9))`,
    );
    const hints: string[] = [];
    const m = newMachine(compileProgram(bytes), undefined, {
      inboxMessage: () => undefined,
      preimage: () => undefined,
      onPreimageHint: (b) => hints.push(toHex(b)),
    });
    m.run();
    expect(m.status).toBe(Status.Finished);
    expect(m.globalState.u64[1]).toBe(9n);
    expect(hints).toEqual(['0x0707070707', '0x']);
    // without a callback it is a no-op
    const plain = run(bytes);
    expect(plain.status).toBe(Status.Finished);
    expect(plain.steps).toBe(m.steps);
  });
});
