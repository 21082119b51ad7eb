/**
 * Float lowering (docs/softfloat.md §6): a float program compiled by AssemblyScript (its Math
 * library included) gives, once lowered, the same bits in the step interpreter and in the native
 * runner as V8 gives running the original with hardware floats. Operands avoid NaN results (the
 * lowered code returns the canonical NaN, V8 may propagate a payload: the library's own test
 * covers NaNs).
 */
import { describe, expect, it } from 'vitest';
import { compileGuest } from '../../../apps/sdk/run-app.ts';
import { lower } from '../lower.ts';
import { type GlobalState, Machine, Status } from '../machine.ts';
import { runNative, V8Wasm } from '../native.ts';
import { parseModule } from '../parse.ts';
import { validateModule } from '../validate.ts';
import { lowerFloats, usesFloats } from './lower-floats.ts';

const bytes = compileGuest('test-modules/floats.ts', { validate: false });
const parsed = parseModule(bytes);

const bitsOf = (x: number) => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0);
};
const state = (a: bigint, b: bigint): GlobalState => ({
  bytes32: [new Uint8Array(32), new Uint8Array(32)],
  u64: [a, b],
});

/** the original module on V8's hardware floats */
function hardware(a: bigint, b: bigint): bigint[] {
  const g = [a, b];
  const inst = new V8Wasm.Instance(new V8Wasm.Module(bytes), {
    modex: {
      get_global_u64: (i: number) => g[i],
      set_global_u64: (i: number, v: bigint) => {
        g[i] = BigInt.asUintN(64, v);
      },
    },
  });
  (inst.exports.main as () => void)();
  return g;
}

describe('float lowering', () => {
  const lowered = lowerFloats(bytes);

  it('the test program uses floats; the validator refuses it as it is and accepts it lowered', () => {
    expect(usesFloats(parsed)).toBe(true);
    expect(() => validateModule(parsed)).toThrow(/floating-point/);
    expect(usesFloats(parseModule(lowered))).toBe(false);
    expect(() => validateModule(parseModule(lowered))).not.toThrow();
    expect(lowerFloats(lowered), 'nothing left to lower').toBe(lowered);
  });

  it('a module without floats comes back as it is', () => {
    const plain = compileGuest('test-modules/fib.ts');
    expect(lowerFloats(plain)).toBe(plain);
  });

  const inputs: [number, number][] = [
    [1.5, 2.25],
    [-3.75, 1e-3],
    [12345.678, -0.5],
    [1e-310, 3], // a subnormal operand
    [-0, 7.5],
    [2 ** 40 + 0.5, -(2 ** 20)],
    [0.1, 0.2],
    [-123.456, 98.765],
  ];

  it(`interpreter and native runner give V8's bits on ${inputs.length} operand pairs`, () => {
    const prog = lower(validateModule(parseModule(lowered)), {});
    for (const [x, y] of inputs) {
      const [a, b] = [bitsOf(x), bitsOf(y)];
      const want = hardware(a, b);
      const m = new Machine(prog, state(a, b), { inboxMessage: () => undefined, preimage: () => undefined });
      m.run();
      expect(m.status, `interpreter, ${x} ${y}: ${m.trap}`).toBe(Status.Finished);
      expect(m.globalState.u64, `interpreter, ${x} ${y}`).toEqual(want);
      const nat = runNative(lowered, {
        inbox: new Uint8Array(),
        preimages: () => undefined,
        globalState: state(a, b),
      });
      expect(nat.status).toBe('finished');
      expect(nat.globalState.u64, `native, ${x} ${y}`).toEqual(want);
      expect(nat.steps, 'both engines count the same steps').toBe(m.steps);
    }
  });
});
