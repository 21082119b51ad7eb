/**
 * The reusable native instance (native.ts `createNativeSession`): every run in a row on one
 * instance gives what a fresh instance gives (`runNative`): status, steps, host calls, global state
 * and error code, through traps, running out of steps, memory growth (the virtual memory size:
 * a later run must see the memory of a fresh instance again), out-of-bounds accesses and host ops.
 */

import { describe, expect, it } from 'vitest';
import { meteredModule } from '../../../test/wasm/proof-corpus.ts';
import { Rng, randomModule } from '../../../test/wasm/random-module.ts';
import { REF_MODULE_RESULT, refModule } from '../../../test/wasm/ref-module.ts';
import { stf } from '../../../test/wasm/wat.ts';
import type { MachineLimits } from './limits.ts';
import type { GlobalState } from './machine.ts';
import {
  createNativeSession,
  type HostContext,
  type NativeRunResult,
  runNative,
  validateStf,
} from './native.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function gs(seed: number, u0 = 0n, u1 = 0n): GlobalState {
  const r = new Uint8Array(32);
  for (let i = 0; i < 32; i++) r[i] = (seed * 31 + i * 7) & 0xff;
  return { bytes32: [r, new Uint8Array(32).fill(seed & 0xff)], u64: [u0, u1] };
}

const show = (r: NativeRunResult) => ({
  status: r.status,
  code: r.error?.code,
  steps: r.steps,
  hostCalls: r.hostCalls,
  state: { bytes32: r.globalState.bytes32.map(hex), u64: r.globalState.u64.map(String) },
});

/** one session over `bytes`; each run is checked against a fresh runNative with the same inputs */
function sessionOf(bytes: Uint8Array, limits: Partial<MachineLimits> = {}, interpreterFallback = false) {
  const entry = 'main';
  const input = { bytes, module: validateStf(bytes) };
  const session = createNativeSession(input, { limits, interpreterFallback });
  return {
    session,
    run(inbox: Uint8Array, g: GlobalState): NativeRunResult {
      const host = (): HostContext => ({ inbox, preimages: () => undefined, globalState: g });
      const fresh = runNative(input, host(), { entry, limits, interpreterFallback });
      const reused = session.run(entry, host());
      expect(show(reused)).toEqual(show(fresh));
      return reused;
    },
  };
}

describe('native session: each run equals a fresh instance', () => {
  it('reference values: a mutable funcref global a run sets is null again in the next run', () => {
    const s = sessionOf(refModule());
    for (let i = 0; i < 3; i++)
      expect(s.run(new Uint8Array(), gs(i)).globalState.u64[1]).toBe(REF_MODULE_RESULT);
  });

  it('random modules, many runs in a row, at full and cut step limits and small frame/stack limits', () => {
    let runs = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const bytes = randomModule(seed, { trapRate: 0.03 });
      const rng = new Rng(seed);
      const full = runNative(bytes, {
        inbox: new Uint8Array(0),
        preimages: () => undefined,
        globalState: gs(1),
      });
      const limitsList: Partial<MachineLimits>[] = [
        {},
        { maxSteps: BigInt(1 + rng.int(Math.max(1, full.steps))) },
        { maxSteps: BigInt(Math.max(1, full.steps - 1)) },
        { maxFrames: 2 + rng.int(12) },
        { maxStackHeight: 4 + rng.int(40) },
      ];
      for (const limits of limitsList) {
        const s = sessionOf(bytes, limits);
        for (let i = 0; i < 6; i++) {
          s.run(new Uint8Array(40).fill(i), gs(seed + i, BigInt(rng.int(1000)), BigInt(rng.int(1000))));
          runs++;
        }
        expect(s.session.instantiations).toBeLessThanOrEqual(1);
      }
    }
    expect(runs).toBe(30 * 5 * 6);
  });

  it('memory: a run after one that grew it sees a fresh instance’s size, traps past it, reads zeros', () => {
    // u64[1] = pages to grow; u64[0] = an address to load from and store to; results into u64[0..1]
    const mod = stf(
      `(local $a i32)
       (local.set $a (i32.wrap_i64 (call $get_u64 (i32.const 0))))
       (drop (memory.grow (i32.wrap_i64 (call $get_u64 (i32.const 1)))))
       (call $set_u64 (i32.const 1) (i64.extend_i32_u (memory.size)))
       (call $set_u64 (i32.const 0) (i64.load (local.get $a)))
       (i64.store (local.get $a) (i64.const -1))
       (i32.store8 (i32.const 65535) (i32.const 9))`,
      '',
      '(memory 1 4)',
    );
    const s = sessionOf(mod);
    const page = 65536n;
    const seq: [bigint, bigint][] = [
      [8n, 0n],
      [page + 8n, 2n], // grows: the memory is 3 pages now (for V8 too)
      [page + 8n, 0n], // 1 page again: the load past it traps
      [page - 8n, 0n], // the last 8 bytes: fine
      [page - 7n, 0n], // one byte past: traps
      [2n * page + 100n, 2n], // grown again: the store of the last run is not there (zero)
      [3n * page - 8n, 2n],
      [0n, 5n], // past the maximum: grow returns -1
      [4n * page - 8n, 3n], // exactly the maximum
      [4n * page - 8n, 0n],
      [2n * page, 1n],
    ];
    const results = seq.map(([a, n], i) => s.run(new Uint8Array(0), gs(i, a, n)));
    expect(results.map((r) => r.status)).toEqual([
      'finished',
      'finished',
      'errored',
      'finished',
      'errored',
      'finished',
      'finished',
      'finished',
      'finished',
      'errored',
      'errored',
    ]);
    expect(results[5].globalState.u64).toEqual([0n, 3n]);
    expect(s.session.instantiations).toBe(1);
  });

  it('host ops check the memory the guest sees, not the larger one of an earlier run', () => {
    // u64[1] pages grown, then inbox_read to u64[0], get_global_bytes32 to u64[0] + 32
    const mod = stf(
      `(local $p i32)
       (drop (memory.grow (i32.wrap_i64 (call $get_u64 (i32.const 1)))))
       (local.set $p (i32.wrap_i64 (call $get_u64 (i32.const 0))))
       (drop (call $inbox_read (i32.const 0) (local.get $p)))
       (call $get_b32 (i32.const 0) (i32.add (local.get $p) (i32.const 32)))
       (call $hint_preimage (local.get $p) (i32.const 64))
       (call $set_b32 (i32.const 1) (local.get $p))`,
      '',
      '(memory 1 3)',
    );
    const s = sessionOf(mod);
    const inbox = new Uint8Array(50).map((_, i) => i + 1);
    const page = 65536n;
    const seq: [bigint, bigint][] = [
      [page, 1n],
      [page, 0n], // past the fresh size: a host trap
      [page - 64n, 0n],
      [page - 32n, 0n], // get_global_bytes32's window is out
      [2n * page + 64n, 2n],
      [2n * page + 64n, 0n],
    ];
    const st = seq.map(([p, n], i) => s.run(inbox, gs(i, p, n)).status);
    expect(st).toEqual(['finished', 'errored', 'finished', 'errored', 'finished', 'errored']);
  });

  it('memory written by stores, bulk ops and host ops is put back for the next run (the written ranges)', () => {
    // u64[0] = address p, u64[1] = how to write there. Every run grows 2 pages, reads 16 bytes at p
    // and 8 at p + 120 (what a fresh instance has there: the data segment's bytes or zeros), then
    // writes at p: 0 i64.store, 1 memory.fill, 2 memory.copy from the data, 3 memory.init
    // of a passive segment, 4 inbox_read, 5 get_global_bytes32, 6 nothing
    const mod = stf(
      `(local $p i32) (local $m i64)
       (local.set $p (i32.wrap_i64 (call $get_u64 (i32.const 0))))
       (local.set $m (call $get_u64 (i32.const 1)))
       (drop (memory.grow (i32.const 2)))
       (call $set_u64 (i32.const 0) (i64.load (local.get $p)))
       (call $set_u64 (i32.const 1) (i64.add (i64.load offset=8 (local.get $p)) (i64.shl (i64.load offset=120 (local.get $p)) (i64.const 1))))
       (if (i64.eq (local.get $m) (i64.const 0)) (then (i64.store offset=8 (local.get $p) (i64.const -1))))
       (if (i64.eq (local.get $m) (i64.const 1)) (then (memory.fill (local.get $p) (i32.const 0xab) (i32.const 128))))
       (if (i64.eq (local.get $m) (i64.const 2)) (then (memory.copy (local.get $p) (i32.const 1024) (i32.const 128))))
       (if (i64.eq (local.get $m) (i64.const 3)) (then (memory.init $passive (local.get $p) (i32.const 0) (i32.const 128))))
       (if (i64.eq (local.get $m) (i64.const 4)) (then (drop (call $inbox_read (i32.const 0) (local.get $p)))))
       (if (i64.eq (local.get $m) (i64.const 5)) (then (call $get_b32 (i32.const 1) (local.get $p))))`,
      `(data (i32.const 1024) "${'\\5a'.repeat(200)}") (data $passive "${'\\c3'.repeat(128)}")`,
      '(memory 1 4)',
    );
    const s = sessionOf(mod);
    const inbox = new Uint8Array(40).fill(0x77);
    const page = 65536n;
    let reads = 0;
    // in the data, past it in the initial page, across the initial page's end, in the grown pages
    for (const p of [1000n, 4000n, page - 64n, page + 4096n, 2n * page + 1000n]) {
      for (let mode = 0n; mode <= 5n; mode++) {
        const write = s.run(inbox, gs(1, p, mode));
        expect(write.status).toBe('finished');
        const read = s.run(inbox, gs(2, p, 6n)); // equal to a fresh run: nothing of the write is left
        expect(read.status).toBe('finished');
        if (p >= page) expect(read.globalState.u64).toEqual([0n, 0n]);
        reads++;
      }
    }
    expect(reads).toBe(30);
    expect(s.session.reusable).toBe(true);
    expect(s.session.instantiations).toBe(1);
  });

  it('a run that never ends, then ordinary runs: out of steps, then the same results as before', () => {
    // u64[1] != 0: loop forever
    const mod = stf(
      `(if (i64.ne (call $get_u64 (i32.const 1)) (i64.const 0))
         (then (loop $l (i64.store (i32.const 64) (i64.add (i64.load (i32.const 64)) (i64.const 1))) (br $l))))
       (call $set_u64 (i32.const 0) (i64.add (i64.load (i32.const 64)) (call $get_u64 (i32.const 0))))
       (i64.store (i32.const 64) (i64.const 1000))`,
    );
    const s = sessionOf(mod, { maxSteps: 100_000n });
    const ok = s.run(new Uint8Array(0), gs(1, 5n));
    expect(ok.globalState.u64[0]).toBe(5n);
    const loop = s.run(new Uint8Array(0), gs(1, 5n, 1n));
    expect(loop.error?.code).toBe('WASM_OUT_OF_STEPS');
    expect(loop.steps).toBe(100_001);
    expect(s.run(new Uint8Array(0), gs(2, 7n))).toMatchObject({ status: 'finished', steps: ok.steps });
  });

  it('metered calls: the meter module at many message step limits, reused', () => {
    const bytes = meteredModule();
    const full = runNative(bytes, {
      inbox: new Uint8Array(0),
      preimages: () => undefined,
      globalState: gs(0),
    });
    for (let cut = 1; cut < full.steps + 2; cut += Math.max(1, Math.floor(full.steps / 40))) {
      const s = sessionOf(bytes, { maxSteps: BigInt(cut) }, true);
      for (let i = 0; i < 3; i++) s.run(new Uint8Array(0), gs(i));
    }
  });

  it('a start function that makes host calls: every run is a fresh one (not reused)', () => {
    const mod = stf(
      '(call $set_u64 (i32.const 0) (i64.add (call $get_u64 (i32.const 0)) (i64.load (i32.const 8))))',
      `(func $start (i64.store (i32.const 8) (call $get_u64 (i32.const 1)))) (start $start)`,
    );
    const s = sessionOf(mod);
    for (let i = 0; i < 3; i++) s.run(new Uint8Array(0), gs(i, BigInt(i), BigInt(10 * i)));
    expect(s.session.reusable).toBe(false);
    expect(s.session.instantiations).toBe(1); // the one that found it out
    // a start function without host calls is reused; its steps are counted in every run
    const pure = stf(
      '(call $set_u64 (i32.const 0) (i64.load (i32.const 8))) (i64.store (i32.const 8) (i64.const 3))',
      `(func $start (i64.store (i32.const 8) (i64.const 42))) (start $start)`,
    );
    const p = sessionOf(pure);
    for (let i = 0; i < 3; i++) expect(p.run(new Uint8Array(0), gs(i)).globalState.u64[0]).toBe(42n);
    expect(p.session.instantiations).toBe(1);
  });
});
