import { describe, expect, it } from 'vitest';
import { HOST_IMPORTS, stf, wat } from '../../../test/wasm/wat.ts';
import { ModexError } from '../../core/errors.ts';
import { keccak256Hex, keccak256Into } from '../../crypto/keccak.ts';
import {
  type HostContext,
  hostKeccak256,
  hostKeccak256Hex,
  instantiateNative,
  invokeNative,
  runNative,
  validateStf,
  WasmNativeStackError,
} from './native.ts';

const bytes32 = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

function host(over: Partial<HostContext> = {}): HostContext {
  return {
    inbox: new Uint8Array(),
    preimages: () => undefined,
    globalState: { bytes32: [bytes32(0), bytes32(0)], u64: [0n, 0n] },
    ...over,
  };
}

describe('runNative: host functions', () => {
  it('inbox_read copies at most 32 bytes per call and returns the count', () => {
    const inbox = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
    // reads at offsets 0, 32, 40 into memory 0, 32, 64; sums the counts into u64 field 1;
    // state root := mem[8..40) (straddles both reads), send root := mem[64..96) (nothing written: zeros)
    const mod = stf(`
      (local $n i32)
      (local.set $n (call $inbox_read (i32.const 0) (i32.const 0)))
      (local.set $n (i32.add (local.get $n) (call $inbox_read (i32.const 32) (i32.const 32))))
      (local.set $n (i32.add (local.get $n) (call $inbox_read (i32.const 40) (i32.const 64))))
      (local.set $n (i32.add (local.get $n) (call $inbox_read (i32.const -1) (i32.const 65504))))
      (call $set_u64 (i32.const 1) (i64.extend_i32_u (local.get $n)))
      (call $set_b32 (i32.const 0) (i32.const 8))
      (call $set_b32 (i32.const 1) (i32.const 64))`);
    const r = runNative(
      mod,
      host({ inbox, globalState: { bytes32: [bytes32(7), bytes32(7)], u64: [5n, 0n] } }),
    );
    expect(r.status).toBe('finished');
    expect(r.globalState.u64).toEqual([5n, 40n]);
    expect([...r.globalState.bytes32[0]]).toEqual([...inbox.subarray(8, 40)]);
    expect(r.globalState.bytes32[1]).toEqual(bytes32(0));
    expect(r.hostCalls).toBe(7);
  });

  it('get/set of global state round-trips, u64 values are unsigned, the input is not modified', () => {
    const mod = stf(`
      (call $get_b32 (i32.const 1) (i32.const 100))
      (call $set_b32 (i32.const 0) (i32.const 100))
      (call $set_u64 (i32.const 0) (i64.add (call $get_u64 (i32.const 0)) (i64.const 1)))
      (call $set_u64 (i32.const 1) (i64.const -1))`);
    const h = host({ globalState: { bytes32: [bytes32(1), bytes32(2)], u64: [(1n << 63n) + 5n, 0n] } });
    const r = runNative(mod, h);
    expect(r.status).toBe('finished');
    expect(r.globalState.bytes32).toEqual([bytes32(2), bytes32(2)]);
    expect(r.globalState.u64).toEqual([(1n << 63n) + 6n, (1n << 64n) - 1n]);
    expect(h.globalState.bytes32[0]).toEqual(bytes32(1));
    expect(h.globalState.u64[0]).toBe((1n << 63n) + 5n);
  });

  it('preimage_read reads the preimage of the hash in memory; unknown preimage stops the run with HostDataUnavailableError', () => {
    const hash = bytes32(0xab);
    const preimage = Uint8Array.from({ length: 50 }, (_, i) => 200 - i);
    const calls: [number, string][] = [];
    const preimages = (kind: number, h: Uint8Array) => {
      calls.push([kind, Buffer.from(h).toString('hex')]);
      return kind === 2 && h.every((b) => b === 0xab) ? preimage : undefined;
    };
    const body = (kind: number) => `
      (call $set_u64 (i32.const 0)
        (i64.extend_i32_u (call $preimage_read (i32.const ${kind}) (i32.const 0) (i32.const 20) (i32.const 200))))
      (call $set_b32 (i32.const 0) (i32.const 200))`;
    const data = `(data (i32.const 0) "${'\\ab'.repeat(32)}")`;
    const ok = runNative(stf(body(2), data), host({ preimages }));
    expect(ok.status).toBe('finished');
    expect(ok.globalState.u64[0]).toBe(30n);
    expect([...ok.globalState.bytes32[0]]).toEqual([...preimage.subarray(20), ...new Array(2).fill(0)]);
    expect(calls[0]).toEqual([2, Buffer.from(hash).toString('hex')]);

    // an unknown preimage is not a trap: the node lacks data, and the run cannot go on
    expect(() => runNative(stf(body(1), data), host({ preimages }))).toThrow(
      /preimage of kind 1 .* is not available/,
    );
  });

  it('out-of-bounds guest memory and bad field indices trap', () => {
    const cases = [
      '(call $set_b32 (i32.const 0) (i32.const 65520))',
      '(call $get_b32 (i32.const 1) (i32.const -1))',
      '(drop (call $inbox_read (i32.const 0) (i32.const 65535)))',
      '(call $set_b32 (i32.const 2) (i32.const 0))',
      '(drop (call $get_u64 (i32.const -1)))',
      // the whole 32-byte destination window must be in bounds, even when nothing is copied
      '(drop (call $inbox_read (i32.const 1000) (i32.const 65505)))',
      // the preimage hash pointer must be 32-byte aligned
      '(drop (call $preimage_read (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 64)))',
    ];
    for (const body of cases) {
      const r = runNative(stf(body), host({ inbox: bytes32(1), preimages: () => bytes32(3) }));
      expect(r.status, body).toBe('errored');
      expect(r.error?.code, body).toBe('WASM_HOST_TRAP');
    }
  });
});

describe('runNative: halt, start function, traps', () => {
  it('halt finishes the run early', () => {
    const r = runNative(stf('(call $set_u64 (i32.const 0) (i64.const 9)) (call $halt) unreachable'), host());
    expect(r).toMatchObject({ status: 'finished', globalState: { u64: [9n, 0n] } });
    expect(r.error).toBeUndefined();
  });

  it('runs the start function first, with host access to memory; halt in start skips main', () => {
    const start = (then: string) =>
      `(func $start (call $set_u64 (i32.const 0) (i64.load (i32.const 8))) ${then}) (start $start)
       (data (i32.const 8) "\\2a")`;
    const main = '(call $set_u64 (i32.const 1) (i64.add (call $get_u64 (i32.const 0)) (i64.const 1)))';
    expect(runNative(stf(main, start('')), host()).globalState.u64).toEqual([42n, 43n]);
    const halted = runNative(stf(main, start('(call $halt)')), host());
    expect(halted).toMatchObject({ status: 'finished', globalState: { u64: [42n, 0n] } });
  });

  it('wasm traps end the run as errored', () => {
    const cases: [string, string][] = [
      ['unreachable', 'WASM_TRAP'],
      ['(drop (i32.div_u (i32.const 1) (i32.const 0)))', 'WASM_TRAP'],
      ['(drop (i32.load (i32.const 65535)))', 'WASM_TRAP'],
    ];
    for (const [body, code] of cases) {
      const r = runNative(stf(body), host());
      expect(r.status, body).toBe('errored');
      expect(r.error?.code, body).toBe(code);
    }
  });

  it('stack exhaustion ends the run as errored, at the machine limit (maxFrames)', () => {
    const mod = stf('(call $rec)', '(func $rec (call $rec))');
    // 1000 frames: V8 reaches the machine's limit natively
    const r = runNative(mod, host(), { limits: { maxFrames: 1000 }, interpreterFallback: false });
    expect(r).toMatchObject({ status: 'errored', error: { code: 'WASM_STACK_EXHAUSTED' } });
    // the default 16384: V8's default stack runs out first; the run is done in the interpreter
    expect(() => runNative(mod, host(), { interpreterFallback: false })).toThrow(WasmNativeStackError);
    const i = runNative(mod, host());
    expect(i).toMatchObject({ status: 'errored', error: { code: 'WASM_STACK_EXHAUSTED' } });
  });

  it('keeps the global state reached before a trap', () => {
    const r = runNative(stf('(call $set_u64 (i32.const 1) (i64.const 3)) unreachable'), host());
    expect(r).toMatchObject({ status: 'errored', globalState: { u64: [0n, 3n] } });
  });
});

describe('runNative: module checks', () => {
  it('validates first: unsupported features and imports are rejected before V8 runs anything', () => {
    const float = wat(`(module (memory 1) (func (export "main") (drop (f32.const 1))))`);
    expect(() => runNative(float, host())).toThrow(
      expect.objectContaining({ code: 'WASM_UNSUPPORTED_FEATURE' }),
    );
    const env = wat(`(module (import "env" "f" (func)) (func (export "main") (call 0)))`);
    expect(() => runNative(env, host())).toThrow(ModexError);
  });

  it('requires a main export of type () -> ()', () => {
    const none = wat('(module (func (export "start")))');
    expect(() => runNative(none, host())).toThrow(expect.objectContaining({ code: 'WASM_NATIVE_LINK' }));
    const typed = wat('(module (func (export "main") (param i32)))');
    expect(() => runNative(typed, host())).toThrow(/must have type/);
  });

  it('runs a module without memory; host memory access then traps', () => {
    const ok = wat('(module (func (export "main")))');
    expect(runNative(ok, host()).status).toBe('finished');
    const mod = wat(
      `(module ${HOST_IMPORTS} (func (export "main") (call $set_b32 (i32.const 0) (i32.const 0))))`,
    );
    expect(runNative(mod, host()).error?.code).toBe('WASM_HOST_TRAP');
  });

  it('caps memory growth at limits.maxMemoryPages, as the interpreter does', () => {
    const grow = (pages: number) =>
      stf(`(call $set_u64 (i32.const 0) (i64.extend_i32_s (memory.grow (i32.const ${pages}))))`);
    const u64 = (mod: Uint8Array, maxMemoryPages?: number) =>
      runNative(mod, host(), { limits: maxMemoryPages ? { maxMemoryPages } : {} }).globalState.u64[0];
    expect(u64(grow(3), 4)).toBe(1n);
    expect(u64(grow(4), 4)).toBe((1n << 64n) - 1n);
    expect(u64(grow(2000))).toBe((1n << 64n) - 1n); // default limit: 1024 pages
    expect(() => runNative(stf('', ''), host(), { limits: { maxMemoryPages: 0 } })).toThrow(ModexError);
  });

  it('accepts an already validated module', () => {
    const bytes = stf('(call $set_u64 (i32.const 0) (i64.const 1))');
    expect(runNative({ bytes, module: validateStf(bytes) }, host()).globalState.u64[0]).toBe(1n);
  });
});

describe('invokeNative', () => {
  it('converts unsigned bigints to and from i32/i64', () => {
    const bytes = wat(`(module
      (func (export "add32") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "neg64") (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0)))
      (func (export "trap") unreachable))`);
    const inst = instantiateNative(bytes, validateStf(bytes));
    expect(invokeNative(inst, 'add32', [0xffffffffn, 2n])).toEqual({ kind: 'ok', values: [1n] });
    expect(invokeNative(inst, 'neg64', [1n])).toEqual({ kind: 'ok', values: [(1n << 64n) - 1n] });
    expect(invokeNative(inst, 'trap', [])).toMatchObject({ kind: 'trap' });
  });
});

describe('host keccak256 (wasm permutation of the host ops)', () => {
  it('matches keccak.ts for every length up to 3 blocks and for long inputs', () => {
    let seed = 1;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    };
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const lengths = [...Array.from({ length: 420 }, (_, i) => i), 1000, 5000, 70000];
    for (const len of lengths) {
      const b = Uint8Array.from({ length: len }, rnd);
      expect(hex(hostKeccak256(b)), `length ${len}`).toBe(hex(keccak256Into(b, new Uint8Array(32))));
      expect(hostKeccak256Hex(b), `length ${len}`).toBe(keccak256Hex(b));
    }
  });
});
