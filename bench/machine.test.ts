import { describe, expect, it } from 'vitest';
import { emptyGlobalState, Status } from '../src/vm/wasm/machine.ts';
import { runNative, V8Wasm } from '../src/vm/wasm/native.ts';
import { parseModule } from '../src/vm/wasm/parse.ts';
import { compileProgram, newMachine } from '../src/vm/wasm/program.ts';
import { usesFloats } from '../src/vm/wasm/softfloat/lower-floats.ts';
import { benchProgram, floatProgram, floatProgramSource } from './machine.ts';

/** the float program's result with V8's hardware floats (the unlowered module) */
function hardware(n: bigint): bigint {
  const g = [n, 0n];
  const instance = new V8Wasm.Instance(new V8Wasm.Module(floatProgramSource()), {
    modex: {
      get_global_u64: (i: number) => g[i],
      set_global_u64: (i: number, v: bigint) => {
        g[i] = BigInt.asUintN(64, v);
      },
    },
  });
  (instance.exports.main as () => void)();
  return g[1];
}

describe('machine bench: the float program', () => {
  it('is lowered to integer code and gives the hardware-float result on both engines', () => {
    const bytes = floatProgram();
    expect(usesFloats(parseModule(floatProgramSource()))).toBe(true);
    expect(usesFloats(parseModule(bytes))).toBe(false);
    for (const n of [0n, 1n, 300n]) {
      const gs = emptyGlobalState();
      gs.u64[0] = n;
      const m = newMachine(compileProgram(bytes), gs);
      m.run();
      expect(m.status).toBe(Status.Finished);
      const want = hardware(n);
      expect(m.globalState.u64[1]).toBe(want);
      const gsN = emptyGlobalState();
      gsN.u64[0] = n;
      const nat = runNative(bytes, { inbox: new Uint8Array(), preimages: () => undefined, globalState: gsN });
      expect(nat.status).toBe('finished');
      expect(nat.globalState.u64[1]).toBe(want);
    }
    // the loop crosses acc > 100 (the branch that subtracts floor(acc)) within 300 iterations
    expect(hardware(300n)).not.toBe(0n);
  });

  it('runs through benchProgram (interpreter, committed, native, per-step proofs)', () => {
    const r = benchProgram({ name: 'float', bytes: floatProgram(), arg: 30n, proofArg: 3n });
    expect(r.steps).toBeGreaterThan(30 * 1000);
    expect(r.proof_steps).toBeGreaterThan(3 * 1000);
    expect(r.proof_bytes_max).toBeGreaterThan(0);
  });
});
