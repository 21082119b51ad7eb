/**
 * Native (V8) vs interpreted (step machine) equivalence: the same module, the same host data, the
 * same final global state and status. Modules: AssemblyScript programs from guest/test-modules and
 * hand-written wat.
 */
import { describe, expect, it } from 'vitest';
import { compileTestModule } from '../../../test/wasm/asc.ts';
import { METERED_IMPORT, meteredModule } from '../../../test/wasm/proof-corpus.ts';
import { Rng, randomModule } from '../../../test/wasm/random-module.ts';
import { REF_MODULE_RESULT, refModule } from '../../../test/wasm/ref-module.ts';
import {
  hostRefModule,
  TABLE_OPS_TRAP_REASON,
  TABLE_OPS_TRAPS,
  TABLES_MODULE_RESULT,
  TABLES_TRAP_REASON,
  type TableOpsTrap,
  tableOpsModule,
  tablesModule,
} from '../../../test/wasm/tables-module.ts';
import { ecdsaFixture, HOST_IMPORTS, stf, wat, watBytes } from '../../../test/wasm/wat.ts';
import type { MachineLimits } from './limits.ts';
import { type GlobalState, type HostData, type Machine, Status } from './machine.ts';
import { runNative } from './native.ts';
import { compileProgram, newMachine } from './program.ts';
import { trapMessageMatches } from './trap-reasons.ts';

const NO_HOST_DATA: HostData = { inboxMessage: () => new Uint8Array(), preimage: () => undefined };
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function gs(root = 0, pos = 0n): GlobalState {
  const r = new Uint8Array(32);
  for (let i = 0; i < 32; i++) r[i] = (root * 31 + i * 7) & 0xff;
  return { bytes32: [r, new Uint8Array(32).fill(root & 0xff)], u64: [pos, 0n] };
}

const copyGs = (g: GlobalState): GlobalState => ({
  bytes32: [g.bytes32[0].slice(), g.bytes32[1].slice()],
  u64: [g.u64[0], g.u64[1]],
});

const show = (g: GlobalState) => ({
  bytes32: g.bytes32.map(hex),
  u64: g.u64.map((v) => v.toString()),
});

/** the native runner reports the interpreter's trap reason (docs/machine.md §3.6; V8's one message for two traps matches either) */
function expectSameTrap(m: Machine, native: string | undefined): void {
  if (m.status !== Status.Errored) return;
  const want = m.trap ?? '';
  expect(
    native !== undefined && trapMessageMatches(native, want),
    `native "${native}", interpreter "${want}"`,
  ).toBe(true);
}

interface Outcome {
  status: 'finished' | 'errored';
  state: ReturnType<typeof show>;
  steps: number;
}

/** Runs `bytes` natively and interpreted with the same inputs; asserts they agree; returns the outcome. */
function runBoth(
  bytes: Uint8Array,
  inbox: Uint8Array = new Uint8Array(),
  initial: GlobalState = gs(),
): Outcome {
  const nat = runNative(bytes, { inbox, preimages: () => undefined, globalState: copyGs(initial) });
  const host: HostData = { inboxMessage: () => inbox, preimage: () => undefined };
  const m = newMachine(compileProgram(bytes), copyGs(initial), host);
  m.run();
  expect(m.status).not.toBe(Status.Running);
  const status = m.status === Status.Finished ? 'finished' : 'errored';
  expect({ status, state: show(m.globalState), steps: m.steps }).toEqual({
    status: nat.status,
    state: show(nat.globalState),
    steps: nat.steps,
  });
  expectSameTrap(m, nat.error?.message);
  return { status, state: show(m.globalState), steps: m.steps };
}

describe('equivalence: AssemblyScript modules', () => {
  it('hash_loop: integer-heavy i32/i64 loop over memory', () => {
    const a = runBoth(compileTestModule('hash_loop'));
    expect(a.status).toBe('finished');
    expect(a.steps).toBeGreaterThan(50_000);
    // the result depends on the input global state
    const b = runBoth(compileTestModule('hash_loop'), undefined, gs(0, 99n));
    expect(b.state.u64[1]).not.toBe(a.state.u64[1]);
    expect(a.state.bytes32[0]).not.toBe(hex(gs().bytes32[0]));
  });

  it('fib: recursion and mutual recursion', () => {
    for (const n of [0n, 1n, 2n, 15n, 20n]) {
      const r = runBoth(compileTestModule('fib'), undefined, gs(0, n));
      expect(r.status).toBe('finished');
      const fib = (k: number): number => (k < 2 ? k : fib(k - 1) + fib(k - 2));
      expect(r.state.u64[1]).toBe(String(fib(Number(n))));
      // ackermann(2, n) = 2n + 3; isEven(37n + 1)
      const even = (Number(n) * 37 + 1) % 2 === 0 ? 1n : 0n;
      expect(r.state.u64[0]).toBe(String((even << 32n) | (2n * n + 3n)));
    }
  });

  it('memops: memory.fill / memory.copy (overlapping) / memory.grow', () => {
    const r = runBoth(compileTestModule('memops'));
    expect(r.status).toBe('finished');
    const packed = BigInt(r.state.u64[0]);
    const before = packed >> 32n;
    expect((packed >> 16n) & 0xffffn).toBe(before); // grow returned the old size
    expect(packed & 0xffffn).toBe(before + 2n);
  });

  it('inbox: reads the message in 32-byte chunks', () => {
    const lengths = [0, 1, 31, 32, 33, 64, 100, 1000];
    const roots = new Set<string>();
    for (const len of lengths) {
      const msg = Uint8Array.from({ length: len }, (_, i) => (i * 131 + len) & 0xff);
      const r = runBoth(compileTestModule('inbox'), msg, gs(3, 7n));
      expect(r.status).toBe('finished');
      expect(r.state.u64).toEqual(['8', String(len)]);
      roots.add(r.state.bytes32[0]);
    }
    expect(roots.size).toBe(lengths.length);
  });

  it('traps: every trap kind errors both ways, with the same partial state', () => {
    const msg = (kind: number, arg: number) => {
      const b = new Uint8Array(8);
      b[0] = kind;
      new DataView(b.buffer).setInt32(4, arg, true);
      return b;
    };
    const bytes = compileTestModule('traps');
    for (const kind of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const r = runBoth(bytes, msg(kind, 0));
      expect(r.status, `kind ${kind}`).toBe('errored');
      expect(r.state.u64[1]).toBe(String(0x1000 + kind));
    }
    // the same paths without a trap
    const ok: [number, number][] = [
      [0, 7],
      [1, 1],
      [3, -8],
      [4, 3],
      [5, 10],
      [9, 0],
    ];
    for (const [kind, arg] of ok) {
      const r = runBoth(bytes, msg(kind, arg));
      expect(r.status, `kind ${kind} arg ${arg}`).toBe('finished');
    }
  });
});

describe('equivalence: hand-written modules', () => {
  it('i64 arithmetic, sign extension, select, br_table', () => {
    const mod = stf(
      `(local $i i32) (local $acc i64)
      (local.set $acc (i64.const 0x0123456789abcdef))
      (loop $l
        (local.set $acc (i64.add (i64.rotl (local.get $acc) (i64.extend_i32_u (local.get $i)))
          (i64.mul (local.get $acc) (i64.const -3))))
        (local.set $acc (i64.xor (local.get $acc) (i64.extend8_s (local.get $acc))))
        (local.set $acc (i64.add (local.get $acc) (i64.clz (local.get $acc))))
        (local.set $acc (select (i64.div_s (local.get $acc) (i64.const 7)) (i64.rem_u (local.get $acc) (i64.const 1000000007))
          (i32.and (local.get $i) (i32.const 1))))
        (block $b3 (block $b2 (block $b1 (block $b0
          (br_table $b0 $b1 $b2 $b3 (i32.rem_u (local.get $i) (i32.const 5))))
          (local.set $acc (i64.shr_s (local.get $acc) (i64.const 3))) (br $b3))
          (local.set $acc (i64.shl (local.get $acc) (i64.const 5))) (br $b3))
          (local.set $acc (i64.extend_i32_s (i32.wrap_i64 (local.get $acc)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 200))))
      (call $set_u64 (i32.const 1) (local.get $acc))
      (call $set_u64 (i32.const 0) (i64.popcnt (local.get $acc)))`,
    );
    const r = runBoth(mod);
    expect(r.status).toBe('finished');
    expect(r.state.u64[1]).not.toBe('0');
  });

  it('call_indirect, globals, sub-word loads and stores', () => {
    const mod = stf(
      `(i64.store (i32.const 8) (i64.const -2))
      (i32.store16 (i32.const 9) (i32.const 0x1234))
      (global.set $g (i64.load16_s (i32.const 8)))
      (global.set $g (i64.add (global.get $g) (i64.load32_u (i32.const 10))))
      (global.set $g (i64.add (global.get $g) (i64.extend_i32_u (call_indirect (type $t) (i32.const 5) (i32.const 1)))))
      (call $set_u64 (i32.const 1) (global.get $g))
      (i64.store (i32.const 64) (global.get $g))
      (call $set_b32 (i32.const 1) (i32.const 40))`,
      `(type $t (func (param i32) (result i32)))
      (global $g (mut i64) (i64.const 5))
      (table 2 funcref)
      (elem (i32.const 0) $inc $dbl)
      (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $dbl (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))`,
    );
    const r = runBoth(mod);
    expect(r.status).toBe('finished');
  });

  it('halt ends the run as finished, and memory.grow beyond the maximum returns -1', () => {
    const mod = stf(
      `(call $set_u64 (i32.const 0) (i64.extend_i32_s (memory.grow (i32.const 5))))
      (call $set_u64 (i32.const 1) (i64.extend_i32_s (memory.grow (i32.const 1))))
      (call $halt)
      (call $set_u64 (i32.const 0) (i64.const 99))`,
      '',
      '(memory 1 2)',
    );
    const r = runBoth(mod);
    expect(r).toMatchObject({ status: 'finished', state: { u64: [String(2n ** 64n - 1n), '1'] } });
  });

  it('host ops: get/set of both global-state fields', () => {
    const mod = stf(
      `(call $get_b32 (i32.const 1) (i32.const 100))
      (call $get_b32 (i32.const 0) (i32.const 116))
      (call $set_b32 (i32.const 0) (i32.const 100))
      (call $set_u64 (i32.const 1) (i64.add (call $get_u64 (i32.const 0)) (i64.const -1)))`,
    );
    const r = runBoth(mod, undefined, gs(9, 0n));
    expect(r.status).toBe('finished');
    expect(r.state.u64[1]).toBe(String(2n ** 64n - 1n));
  });

  it('inbox_read: the whole 32-byte destination window must be in bounds', () => {
    const read = (ptr: number) =>
      stf(
        `(call $set_u64 (i32.const 1) (i64.extend_i32_u (call $inbox_read (i32.const 0) (i32.const ${ptr}))))
        (call $set_u64 (i32.const 0) (i64.load32_u (i32.const ${ptr})))`,
      );
    const msg = Uint8Array.of(1, 2, 3, 4);
    expect(runBoth(read(65504), msg)).toMatchObject({
      status: 'finished',
      state: { u64: [String(0x04030201), '4'] },
    });
    // 4 bytes would fit, but the window [65532, 65564) does not
    expect(runBoth(read(65532), msg)).toMatchObject({ status: 'errored', state: { u64: ['0', '0'] } });
  });

  it('keccak256_pair: in place and into another leaf', () => {
    const mod = stf(
      `(memory.fill (i32.const 64) (i32.const 0x33) (i32.const 50))
      (call $keccak256_pair (i32.const 64) (i32.const 0))
      (call $keccak256_pair (i32.const 0) (i32.const 0))
      (call $set_b32 (i32.const 0) (i32.const 0))
      (call $set_b32 (i32.const 1) (i32.const 64))`,
    );
    const r = runBoth(mod);
    expect(r.status).toBe('finished');
    expect(r.state.bytes32[0]).not.toBe(r.state.bytes32[1]);
    expect(r.state.bytes32[0]).not.toBe('00'.repeat(32));
  });

  it('ecrecover: valid, high s, bad v, r = 0, and a non-curve r', () => {
    const e = ecdsaFixture();
    // r with no curve point: x^3 + 7 is not a square for x = 5
    const r5 = new Uint8Array(32);
    r5[31] = 5;
    const data = watBytes(
      Buffer.concat([e.digest, e.r, e.s, new Uint8Array(32), e.s, e.r, e.highS, r5, e.s]),
    );
    const rec = (sig: number, v: number, shift: number) =>
      `(call $set_u64 (i32.const 0) (i64.or (i64.shl (i64.extend_i32_u
        (call $ecrecover (i32.const 0) (i32.const ${sig}) (i32.const ${v}) (i32.const 512))) (i64.const ${shift}))
        (call $get_u64 (i32.const 0))))`;
    const mod = stf(
      `${rec(32, e.v, 0)} (call $set_b32 (i32.const 0) (i32.const 512))
      ${rec(160, e.highV, 1)} (call $set_b32 (i32.const 1) (i32.const 512))
      ${rec(32, 26, 2)} ${rec(32, e.v + 2, 3)} ${rec(96, e.v, 4)} ${rec(224, e.v, 5)} ${rec(32, 55 - e.v, 6)}
      (call $set_u64 (i32.const 1) (i64.load (i32.const 520)))`,
      `(data (i32.const 0) "${data}")`,
    );
    const r = runBoth(mod);
    expect(r.status).toBe('finished');
    const addr = hex(e.addressWord);
    expect(r.state.bytes32).toEqual([addr, addr]);
    // valid and high s succeed; v = 26, v = 29, r = 0, r off the curve fail; the other v recovers another key
    expect(r.state.u64[0]).toBe(String(0b1000011));
    // the last call's result word: a different address (not zero)
    expect(r.state.u64[1]).not.toBe('0');
  });

  it('hint_preimage: both engines offer the same bytes; out-of-bounds ranges are ignored', () => {
    const mod = stf(
      `(memory.fill (i32.const 3) (i32.const 0x44) (i32.const 70))
      (call $hint_preimage (i32.const 3) (i32.const 70))
      (call $hint_preimage (i32.const 65530) (i32.const 7))
      (call $hint_preimage (i32.const 65530) (i32.const 6))
      (call $hint_preimage (i32.const -1) (i32.const 2))
      (call $set_u64 (i32.const 1) (i64.const 3))`,
    );
    const natHints: string[] = [];
    const intHints: string[] = [];
    const nat = runNative(mod, {
      inbox: new Uint8Array(),
      preimages: () => undefined,
      globalState: gs(),
      onPreimageHint: (b) => natHints.push(hex(b)),
    });
    const m = newMachine(compileProgram(mod), gs(), {
      inboxMessage: () => undefined,
      preimage: () => undefined,
      onPreimageHint: (b) => intHints.push(hex(b)),
    });
    m.run();
    expect(nat.status).toBe('finished');
    expect(m.status).toBe(Status.Finished);
    expect(natHints).toEqual(intHints);
    expect(intHints).toEqual(['44'.repeat(70), '00'.repeat(6)]);
  });

  const traps: [string, string][] = [
    ['unreachable', '(unreachable)'],
    ['i32 div by zero', '(drop (i32.div_u (i32.const 1) (i32.const 0)))'],
    ['i64 overflow', '(drop (i64.div_s (i64.const 0x8000000000000000) (i64.const -1)))'],
    ['OOB load', '(drop (i32.load (i32.const 65533)))'],
    ['OOB store', '(i64.store offset=65530 (i32.const 0) (i64.const 1))'],
    ['OOB memory.fill', '(memory.fill (i32.const 65000) (i32.const 0) (i32.const 600))'],
    ['OOB memory.copy', '(memory.copy (i32.const 0) (i32.const 65500) (i32.const 100))'],
    ['bad global-state index', '(call $set_u64 (i32.const 2) (i64.const 0))'],
    ['host op OOB pointer', '(call $set_b32 (i32.const 0) (i32.const 65530))'],
    ['keccak256_pair unaligned', '(call $keccak256_pair (i32.const 8) (i32.const 64))'],
    ['keccak256_pair OOB input', '(call $keccak256_pair (i32.const 65504) (i32.const 0))'],
    [
      'ecrecover unaligned',
      '(drop (call $ecrecover (i32.const 0) (i32.const 64) (i32.const 27) (i32.const 100)))',
    ],
    [
      'ecrecover OOB signature',
      '(drop (call $ecrecover (i32.const 0) (i32.const 65504) (i32.const 27) (i32.const 0)))',
    ],
  ];
  for (const [name, body] of traps) {
    it(`trap: ${name}`, () => {
      const mod = stf(
        `(call $set_u64 (i32.const 1) (i64.const 77)) ${body} (call $set_u64 (i32.const 1) (i64.const 0))`,
      );
      const r = runBoth(mod);
      expect(r.status).toBe('errored');
      expect(r.state.u64[1]).toBe('77');
    });
  }
});

describe('equivalence: exact metering (steps, frames, value stack)', () => {
  /** native and interpreted under `limits`: status, steps, global state */
  function both(bytes: Uint8Array, limits: Partial<MachineLimits>): { status: string; steps: number } {
    const inbox = new Uint8Array(40).fill(7);
    const nat = runNative(
      bytes,
      { inbox, preimages: () => undefined, globalState: gs(3) },
      { limits, interpreterFallback: false },
    );
    const m = newMachine(compileProgram(bytes, { limits }), gs(3), {
      inboxMessage: () => inbox,
      preimage: () => undefined,
    });
    m.run();
    const status = m.status === Status.Finished ? 'finished' : 'errored';
    expect({ status: nat.status, steps: nat.steps, state: show(nat.globalState) }).toEqual({
      status,
      steps: m.steps,
      state: show(m.globalState),
    });
    expectSameTrap(m, nat.error?.message);
    return { status, steps: m.steps };
  }

  it('random modules: the same steps, and the same stop at every kind of cut', () => {
    let cuts = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = randomModule(seed, { trapRate: 0.03 });
      const full = both(bytes, {});
      const rng = new Rng(seed);
      const points = new Set([1, 2, full.steps - 1, full.steps, full.steps + 1]);
      for (let i = 0; i < 12; i++) points.add(1 + rng.int(Math.max(1, full.steps)));
      for (const p of points) {
        if (p < 1) continue;
        both(bytes, { maxSteps: BigInt(p) });
        cuts++;
      }
      both(bytes, { maxFrames: 2 + rng.int(12) });
      both(bytes, { maxStackHeight: 4 + rng.int(40) });
    }
    expect(cuts).toBeGreaterThan(400);
  });

  it('reference values (docs/machine.md §5.5): the same result, and the same stop at every step', () => {
    const bytes = refModule();
    const full = runBoth(bytes);
    expect(full.status).toBe('finished');
    expect(full.state.u64[1]).toBe(REF_MODULE_RESULT.toString());
    for (let p = 1; p <= full.steps + 1; p++) both(bytes, { maxSteps: BigInt(p) });
    both(bytes, { maxFrames: 2 });
    both(bytes, { maxStackHeight: 3 });
  });

  it('several tables (docs/machine.md §5.6): call_indirect on each, its traps, the same stop at every step', () => {
    const bytes = tablesModule();
    const full = runBoth(bytes);
    expect(full.status).toBe('finished');
    expect(full.state.u64[1]).toBe(TABLES_MODULE_RESULT.toString());
    for (let p = 1; p <= full.steps + 1; p++) both(bytes, { maxSteps: BigInt(p) });
    for (const maxStackHeight of [3, 4, 5, 6]) both(bytes, { maxStackHeight });
    for (const trap of ['oob', 'null', 'type'] as const) {
      const m = newMachine(compileProgram(tablesModule(trap)), gs(), NO_HOST_DATA);
      m.run();
      expect(m.trap, trap).toBe(TABLES_TRAP_REASON[trap]);
      const r = runBoth(tablesModule(trap));
      expect(r.status, trap).toBe('errored');
      expect(r.state.u64[1], trap).toBe(TABLES_MODULE_RESULT.toString());
    }
  });

  it('table instructions (docs/machine.md §5.7): the same result, the same stop at every step, every trap', () => {
    const bytes = tableOpsModule();
    const full = runBoth(bytes);
    expect(full.status).toBe('finished');
    // every third step limit, and the last ones
    for (let p = 1; p <= full.steps + 1; p += 3) both(bytes, { maxSteps: BigInt(p) });
    for (let p = full.steps - 2; p <= full.steps + 1; p++) both(bytes, { maxSteps: BigInt(p) });
    for (const maxStackHeight of [3, 4, 5, 6, 7, 8]) both(bytes, { maxStackHeight });
    for (const maxFrames of [1, 2]) both(bytes, { maxFrames });
    for (const trap of Object.keys(TABLE_OPS_TRAPS) as TableOpsTrap[]) {
      const m = newMachine(compileProgram(tableOpsModule(trap)), gs(), NO_HOST_DATA);
      m.run();
      expect(m.trap, trap).toBe(TABLE_OPS_TRAP_REASON(trap));
      const r = runBoth(tableOpsModule(trap));
      expect(r.status, trap).toBe('errored');
      expect(r.state.u64[1], trap).toBe(full.state.u64[1]);
      // every step limit around the trap
      for (let p = r.steps - 3; p <= r.steps + 1; p++) both(tableOpsModule(trap), { maxSteps: BigInt(p) });
    }
  });

  it('table instructions: a reference to a host function, which they could store in a table, is refused natively', () => {
    const input = { inbox: new Uint8Array(), preimages: () => undefined, globalState: gs() };
    expect(() => runNative(hostRefModule(true), input)).toThrow(/host function halt/);
    // without table instructions a declared reference cannot reach the table: accepted
    expect(runNative(hostRefModule(false), input).status).toBe('finished');
  });

  it('a loop that never ends stops at maxSteps natively too', () => {
    const mod = stf('(loop $l (call $set_u64 (i32.const 1) (i64.const 5)) (br $l))');
    for (const maxSteps of [1000n, 1001n, 1002n, 1003n, 123_457n]) {
      expect(both(mod, { maxSteps })).toEqual({ status: 'errored', steps: Number(maxSteps) + 1 });
    }
  });

  it('deep recursion: call depth and value-stack height limits, exactly', () => {
    const rec = stf(
      '(drop (call $rec (i32.const 100000)))',
      `(func $rec (param i32) (result i32)
         (call $set_u64 (i32.const 1) (i64.extend_i32_u (local.get 0)))
         (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
           (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))`,
    );
    for (const maxFrames of [1, 2, 3, 50, 1000, 3000]) both(rec, { maxFrames });
    for (const maxStackHeight of [1, 2, 3, 5, 100, 2001]) both(rec, { maxStackHeight, maxFrames: 3000 });
  });

  it('bulk memory: out of steps inside memory.fill / memory.copy (both directions) / memory.init', () => {
    const mod = stf(
      `(memory.fill (i32.const 100) (i32.const 9) (i32.const 50))
       (memory.copy (i32.const 120) (i32.const 100) (i32.const 40))
       (memory.copy (i32.const 90) (i32.const 110) (i32.const 40))
       (memory.init $d (i32.const 300) (i32.const 1) (i32.const 20))
       (call $set_b32 (i32.const 0) (i32.const 96))
       (call $set_b32 (i32.const 1) (i32.const 128))
       (data.drop $d)
       (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0))
       (memory.fill (i32.const 65000) (i32.const 0) (i32.const 600))`,
      '(data $d "0123456789abcdefghijklmnopqrstuvwxyz")',
    );
    const full = both(mod, {});
    expect(full.status).toBe('errored');
    for (let p = 1; p <= full.steps + 1; p += 1) both(mod, { maxSteps: BigInt(p) });
  });
});

describe('equivalence: metered calls (machine v1.2, docs/machine.md §3.7)', () => {
  function both(bytes: Uint8Array, limits: Partial<MachineLimits>, inbox = new Uint8Array(8)) {
    const nat = runNative(
      bytes,
      { inbox, preimages: () => undefined, globalState: gs(3) },
      { limits, interpreterFallback: false },
    );
    const m = newMachine(compileProgram(bytes, { limits }), gs(3), {
      inboxMessage: () => inbox,
      preimage: () => undefined,
    });
    m.run();
    const status = m.status === Status.Finished ? 'finished' : 'errored';
    expect({ status: nat.status, steps: nat.steps, state: show(nat.globalState) }).toEqual({
      status,
      steps: m.steps,
      state: show(m.globalState),
    });
    return { status, steps: m.steps, state: show(m.globalState) };
  }

  /**
   * main: budget = u32 of the inbox message at 0, slot = byte 4; r = metered_call(slot, 5, budget);
   * u64[1] = r ‖ the callee's side effects (the global, memory word 64); then a little more work.
   * Callees: 0 bulk memory, 1 recursion of depth arg, 2 host ops, 3 call_indirect in a loop, 4 never ends.
   */
  const sweep = wat(`(module ${HOST_IMPORTS} ${METERED_IMPORT}
    (type $t (func (param i32) (result i32)))
    (memory 1) (global $g (mut i32) (i32.const 0))
    (table 5 funcref) (elem (i32.const 0) $bulk $rec $hosts $ind $forever)
    (func $bulk (type $t) (param $x i32) (result i32)
      (memory.fill (i32.const 100) (i32.const 7) (i32.const 20))
      (memory.copy (i32.const 110) (i32.const 100) (i32.const 15))
      (i32.load (i32.const 112)))
    (func $rec (type $t) (param $x i32) (result i32)
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (if (result i32) (i32.eqz (local.get $x)) (then (i32.const 1))
        (else (i32.add (local.get $x) (call $rec (i32.sub (local.get $x) (i32.const 1)))))))
    (func $hosts (type $t) (param $x i32) (result i32)
      (call $keccak256_pair (i32.const 0) (i32.const 64))
      (call $set_u64 (i32.const 0) (i64.const 9))
      (i32.load8_u (i32.const 64)))
    (func $ind (type $t) (param $x i32) (result i32) (local $i i32)
      (loop $l
        (local.set $x (call_indirect (type $t) (local.get $x) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 2))))
      (local.get $x))
    (func $forever (type $t) (param $x i32) (result i32) (loop $l (br $l)) (unreachable))
    (func $main (export "main") (local $r i32)
      (drop (call $inbox_read (i32.const 0) (i32.const 1024)))
      (local.set $r (call $metered (i32.load8_u (i32.const 1028)) (i32.const 5)
        (i64.extend_i32_u (i32.load (i32.const 1024)))))
      (call $set_u64 (i32.const 1) (i64.or (i64.shl (i64.extend_i32_u (local.get $r)) (i64.const 32))
        (i64.extend_i32_u (i32.add (global.get $g) (i32.load (i32.const 64))))))
      (call $set_b32 (i32.const 0) (i32.const 96))))`);

  const input = (budget: number, slot: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, budget, true);
    b[4] = slot;
    return b;
  };

  it('every budget through bulk memory, recursion, host ops, call_indirect and an endless loop', () => {
    let runs = 0;
    for (const slot of [0, 1, 2, 3, 4]) {
      // the callee's steps with an ample budget, then every budget up to that + 2
      const full = both(sweep, {}, input(1_000_000, slot));
      const total = slot === 4 ? 300 : Math.min(full.steps, 2000);
      for (let b = 0; b <= total + 2; b++) {
        both(sweep, {}, input(b, slot));
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(500);
  });

  it('random modules under a metered call: the same steps and result at many budgets and limits', () => {
    let runs = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const full = both(randomModule(seed, { trapRate: 0.03, meteredBudget: 10_000_000n }), {});
      const rng = new Rng(seed);
      const budgets = new Set([0, 1, 2, 3, full.steps - 3, full.steps - 2, full.steps - 1, full.steps]);
      for (let i = 0; i < 12; i++) budgets.add(rng.int(full.steps + 1));
      for (const b of budgets) {
        if (b < 0) continue;
        const mod = randomModule(seed, { trapRate: 0.03, meteredBudget: BigInt(b) });
        both(mod, {});
        both(mod, { maxSteps: BigInt(1 + rng.int(full.steps + 2)) });
        runs += 2;
      }
      const mod = randomModule(seed, { trapRate: 0.03, meteredBudget: 10_000_000n });
      both(mod, { maxFrames: 2 + rng.int(12) });
      both(mod, { maxStackHeight: 4 + rng.int(40) });
    }
    expect(runs).toBeGreaterThan(400);
  });

  it('recursion inside a metered call: call depth and value-stack limits unwind it', () => {
    for (const maxFrames of [1, 2, 3, 4, 10]) both(sweep, { maxFrames }, input(100_000, 1));
    for (const maxStackHeight of [2, 3, 4, 6, 12, 40]) both(sweep, { maxStackHeight }, input(100_000, 1));
  });

  it('meteredModule: results, and the message step limit at every step (also inside metered calls)', () => {
    const limits = { maxFrames: 64 };
    const full = both(
      meteredModule('(call $set_u64 (i32.const 1) (i64.extend_i32_u (i32.load (i32.const 128))))'),
      limits,
    );
    expect(full.status).toBe('finished');
    const mod = meteredModule();
    for (let p = 1; p <= 2200; p += 7) both(mod, { ...limits, maxSteps: BigInt(p) });
  });

  it('a transaction that never ends: the out-of-steps result, and the run goes on', () => {
    const r = both(sweep, {}, input(100_000, 4));
    expect(r.status).toBe('finished');
    expect(BigInt(r.state.u64[1]) >> 32n).toBe(0xfffffffen);
    expect(both(sweep, {}, input(100_000, 1)).state.u64[1]).toBe(String((16n << 32n) | 6n));
  });
});
