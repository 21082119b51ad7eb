/**
 * Trap messages of the lowered trapping truncations (docs/softfloat.md §4, §6; trap-reasons.ts): a
 * NaN operand traps with "invalid conversion to integer", an operand out of range with "integer
 * overflow", as wasm's `i32/i64.trunc_f32/f64_s/u` do, on both engines (the spectest engines and the
 * STF runners), and an in-range operand converts.
 */
import { describe, expect, it } from 'vitest';
import { buildModule, F32, F64, I32, I64, limits } from '../../../../test/wasm/wasm-builder.ts';
import { lower } from '../lower.ts';
import { type GlobalState, Machine, Status } from '../machine.ts';
import { runNative } from '../native.ts';
import { parseModule } from '../parse.ts';
import { createInterpEngine } from '../spectest/interp-engine.ts';
import { createNativeEngine } from '../spectest/native-engine.ts';
import { validateModule } from '../validate.ts';
import { lowerFloats } from './lower-floats.ts';

const TRUNCS = [
  { name: 'i32_trunc_f32_s', op: 0xa8, from: F32, to: I32 },
  { name: 'i32_trunc_f32_u', op: 0xa9, from: F32, to: I32 },
  { name: 'i32_trunc_f64_s', op: 0xaa, from: F64, to: I32 },
  { name: 'i32_trunc_f64_u', op: 0xab, from: F64, to: I32 },
  { name: 'i64_trunc_f32_s', op: 0xae, from: F32, to: I64 },
  { name: 'i64_trunc_f32_u', op: 0xaf, from: F32, to: I64 },
  { name: 'i64_trunc_f64_s', op: 0xb0, from: F64, to: I64 },
  { name: 'i64_trunc_f64_u', op: 0xb1, from: F64, to: I64 },
] as const;

const bits = (t: number, x: number): bigint => {
  const v = new DataView(new ArrayBuffer(8));
  if (t === F32) {
    v.setFloat32(0, x);
    return BigInt(v.getUint32(0));
  }
  v.setFloat64(0, x);
  return v.getBigUint64(0);
};
const NAN_NEG64 = 0xfff8000000000001n; // a negative NaN with a payload
const NAN_NEG32 = 0xffc00001n;

const source = buildModule({
  funcs: [
    ...TRUNCS.map((t) => ({ params: [t.from], results: [t.to], body: [0x20, 0, t.op], export: t.name })),
    // a plain `unreachable` keeps its message
    { body: [0x00], export: 'unreachable' },
  ],
});
const lowered = lowerFloats(source);
const validated = validateModule(parseModule(lowered));

describe('lowered trapping truncations: trap messages', () => {
  it('the lowered module names its trapping functions in modex.traps', () => {
    const reasons = validated.trapReasons;
    expect(reasons).toBeDefined();
    expect([...(reasons?.values() ?? [])].filter((r) => r === 'invalid conversion to integer')).toHaveLength(
      8,
    );
    expect([...(reasons?.values() ?? [])]).toContain('integer overflow');
    // the module's own functions are not named
    for (let f = 0; f <= TRUNCS.length; f++) expect(reasons?.has(f)).toBe(false);
  });

  for (const engine of [createInterpEngine(), createNativeEngine()]) {
    it(`${engine.name}: NaN → "invalid conversion to integer", out of range → "integer overflow"`, () => {
      const inst = engine.instantiate({ bytes: lowered, module: validated });
      if (inst.kind !== 'ok') throw new Error(`instantiation: ${inst.message}`);
      const run = (name: string, arg: bigint) => inst.instance.invoke(name, [arg]);
      for (const t of TRUNCS) {
        const unsigned = t.name.endsWith('_u');
        const width = t.to === I32 ? 32 : 64;
        const nan = t.from === F32 ? 0x7fc00000n : 0x7ff8000000000000n;
        const negNan = t.from === F32 ? NAN_NEG32 : NAN_NEG64;
        const conv = { kind: 'trap', message: 'invalid conversion to integer' };
        const ovf = { kind: 'trap', message: 'integer overflow' };
        expect(run(t.name, nan), `${t.name}(nan)`).toEqual(conv);
        expect(run(t.name, negNan), `${t.name}(-nan)`).toEqual(conv);
        expect(run(t.name, bits(t.from, Number.POSITIVE_INFINITY)), `${t.name}(inf)`).toEqual(ovf);
        expect(run(t.name, bits(t.from, Number.NEGATIVE_INFINITY)), `${t.name}(-inf)`).toEqual(ovf);
        expect(run(t.name, bits(t.from, 2 ** width)), `${t.name}(2^${width})`).toEqual(ovf);
        expect(run(t.name, bits(t.from, unsigned ? -1 : -(2 ** width))), `${t.name}(low)`).toEqual(ovf);
        // in range: converts (toward zero)
        expect(run(t.name, bits(t.from, -0.75)), `${t.name}(-0.75)`).toEqual({ kind: 'ok', values: [0n] });
        expect(run(t.name, bits(t.from, 42.9)), `${t.name}(42.9)`).toEqual({ kind: 'ok', values: [42n] });
      }
      expect(inst.instance.invoke('unreachable', [])).toEqual({ kind: 'trap', message: 'unreachable' });
    });
  }

  it('the STF runners (interpreter and metered native) report them too', () => {
    // main: set_global_u64(1, i64.trunc_f64_s(f64.reinterpret_i64(get_global_u64(0))))
    const stf = lowerFloats(
      buildModule({
        types: [
          { params: [I32], results: [I64] },
          { params: [I32, I64], results: [] },
        ],
        imports: [
          { module: 'modex', name: 'get_global_u64', desc: [0x00, 0] },
          { module: 'modex', name: 'set_global_u64', desc: [0x00, 1] },
        ],
        memories: [limits(1, 1)],
        funcs: [{ body: [0x41, 1, 0x41, 0, 0x10, 0, 0xbf, 0xb0, 0x10, 1], export: 'main' }],
      }),
    );
    const mod = validateModule(parseModule(stf));
    const gs = (x: bigint): GlobalState => ({
      bytes32: [new Uint8Array(32), new Uint8Array(32)],
      u64: [x, 0n],
    });
    for (const [x, want] of [
      [0x7ff8000000000000n, 'invalid conversion to integer'],
      [bits(F64, 1e19), 'integer overflow'],
    ] as const) {
      const m = new Machine(lower(mod), gs(x));
      m.run();
      expect(m.status).toBe(Status.Errored);
      expect(m.trap).toBe(want);
      const nat = runNative(
        { bytes: stf, module: mod },
        { inbox: new Uint8Array(), preimages: () => undefined, globalState: gs(x) },
      );
      expect(nat.status).toBe('errored');
      expect(nat.error?.message).toBe(want);
      expect(nat.steps).toBe(m.steps);
    }
  });
});
