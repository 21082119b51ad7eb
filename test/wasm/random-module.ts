/**
 * Seeded generator of random *valid* STF modules for property tests: integer expressions over
 * i32/i64 locals and globals, loads/stores (sub-word too), memory.grow/fill/copy, bounded loops,
 * if/else, br_table, direct calls (acyclic), a bounded recursive function, call_indirect (with null
 * slots and a type-mismatched slot), and the `modex` host ops. Every module terminates: loops have
 * counters and calls only go "down" except the depth-bounded recursion. Traps (division by zero,
 * out-of-bounds, bad indirect calls, `unreachable`, bad host-op arguments) happen with a probability
 * set by `trapRate`. The same seed always gives the same bytes.
 */
import { buildModule, type FuncSpec, I32, I64, limits, sleb, uleb } from './wasm-builder.ts';

/** A small deterministic PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** integer in [0, n) */
  int(n: number): number {
    return this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
  /** an "interesting" 32-bit value: edges, small numbers or random bits */
  i32(): number {
    switch (this.int(4)) {
      case 0:
        return this.pick([0, 1, -1, 2, 0x7fffffff, -0x80000000, 31, 32, 63, 64, 0xffff, 0x10000]);
      case 1:
        return this.int(256) - 128;
      default:
        return this.next() | 0;
    }
  }
  i64(): bigint {
    switch (this.int(4)) {
      case 0:
        return this.pick([0n, 1n, -1n, 63n, 64n, (1n << 63n) - 1n, -(1n << 63n), 0xffffffffn, 1n << 32n]);
      case 1:
        return BigInt(this.int(256) - 128);
      default:
        return BigInt.asIntN(64, (BigInt(this.next()) << 32n) | BigInt(this.next()));
    }
  }
}

export interface RandomModuleOptions {
  /** number of helper functions (i32, i64) -> i64 (default 3) */
  helpers?: number;
  /** statements per function body (default 10) */
  statements?: number;
  /** maximum loop iterations (default 6) */
  maxLoop?: number;
  /** probability that a trap-prone construct is left unguarded (default 0.02) */
  trapRate?: number;
  /** memory maximum in pages (default 3) */
  maxPages?: number;
  /**
   * v1.2 metered calls: main's body becomes an (i32) -> i32 function in the table that `main` runs
   * through `metered_call` with this budget, storing the result with set_global_u64(1, …)
   */
  meteredBudget?: bigint;
}

// import types first (fixed indices), then function types
const T_SET_U64 = 0; // (i32, i64) -> ()
const T_GET_U64 = 1; // (i32) -> i64
const T_SET_B32 = 2; // (i32, i32) -> ()
const T_HELPER = 3; // (i32, i64) -> i64
const T_ODD = 4; // (i32) -> i32
const T_METERED = 5; // (i32, i32, i64) -> i32
const F_SET_U64 = 0;
const F_GET_U64 = 1;
const F_SET_B32 = 2;
const N_IMPORTS = 3;
const F_METERED = 3;

type VT = typeof I32 | typeof I64;

class FuncGen {
  readonly code: number[] = [];
  /** locals usable by expressions, by type (indices) */
  private readonly pool: Record<VT, number[]>;
  private nextLocal: number;
  readonly extraLocals: number[] = [];

  constructor(
    private readonly r: Rng,
    private readonly g: ModuleGen,
    params: VT[],
    /** helpers this one may call, directly or through the table (indices in the function space) */
    private readonly callees: number[],
  ) {
    this.pool = { [I32]: [], [I64]: [] } as unknown as Record<VT, number[]>;
    params.forEach((t, i) => {
      this.pool[t].push(i);
    });
    this.nextLocal = params.length;
    for (let i = 0; i < 2; i++) this.addLocal(I32, true);
    for (let i = 0; i < 2; i++) this.addLocal(I64, true);
  }

  private addLocal(t: VT, pooled: boolean): number {
    const idx = this.nextLocal++;
    this.extraLocals.push(t);
    if (pooled) this.pool[t].push(idx);
    return idx;
  }

  private trap(): boolean {
    return this.r.chance(this.g.trapRate);
  }

  private memarg(align: number, maxOffset = 64): number[] {
    return [...uleb(align), ...uleb(this.r.int(maxOffset))];
  }

  /** an address: mostly inside the first page, sometimes anywhere in the maximum memory, rarely raw */
  private addr(): number[] {
    const e = this.expr(I32, 2);
    if (this.trap()) return e;
    if (this.r.chance(0.7)) return [...e, 0x41, ...sleb(0xffff - 71), 0x71];
    // anywhere in the current memory: e rem_u (memory.size * 65536 - 72)
    return [...e, 0x3f, 0x00, 0x41, 16, 0x74, 0x41, 72, 0x6b, 0x70];
  }

  /** a divisor that cannot be 0 or -1 unless a trap is wanted */
  private divisor(t: VT): number[] {
    const e = this.expr(t, 2);
    if (this.trap()) return e;
    return t === I32
      ? [...e, 0x41, ...sleb(0xff), 0x71, 0x41, 1, 0x72]
      : [...e, 0x42, ...sleb(0xff), 0x83, 0x42, 1, 0x84];
  }

  expr(t: VT, depth: number): number[] {
    const r = this.r;
    if (depth <= 0 || r.chance(0.25)) {
      switch (r.int(3)) {
        case 0:
          return t === I32 ? [0x41, ...sleb(r.i32())] : [0x42, ...sleb(r.i64())];
        case 1:
          return [0x20, ...uleb(r.pick(this.pool[t]))];
        default:
          return [0x23, ...uleb(r.pick(this.g.globals[t]))];
      }
    }
    const d = depth - 1;
    const k = r.int(12);
    if (t === I32) {
      switch (k) {
        case 0:
        case 1:
        case 2: {
          const op = r.pick([0x6a, 0x6b, 0x6c, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78]);
          return [...this.expr(I32, d), ...this.expr(I32, d), op];
        }
        case 3:
          return [...this.expr(I32, d), ...this.divisor(I32), r.pick([0x6d, 0x6e, 0x6f, 0x70])];
        case 4:
          return [...this.expr(I32, d), r.pick([0x45, 0x67, 0x68, 0x69, 0xc0, 0xc1])];
        case 5:
          return [...this.expr(I32, d), ...this.expr(I32, d), r.int(10) + 0x46];
        case 6:
          return [...this.expr(I64, d), ...this.expr(I64, d), r.int(10) + 0x51];
        case 7:
          return [...this.expr(I64, d), r.pick([0xa7, 0x50])];
        case 8: {
          const [op, align] = r.pick([
            [0x28, 2],
            [0x2c, 0],
            [0x2d, 0],
            [0x2e, 1],
            [0x2f, 1],
          ] as const);
          return [...this.addr(), op, ...this.memarg(align)];
        }
        case 9:
          return [...this.expr(I32, d), ...this.expr(I32, d), ...this.expr(I32, d), 0x1b];
        case 10:
          return r.chance(0.5) ? [0x3f, 0x00] : [...this.expr(I32, d), 0x22, ...uleb(r.pick(this.pool[I32]))];
        default: {
          // call_indirect of the (i32) -> i32 slot, or a random slot (may trap)
          const slot = this.trap() ? this.expr(I32, d) : [0x41, ...sleb(this.g.oddSlot)];
          return [...this.expr(I32, d), ...slot, 0x11, ...uleb(T_ODD), 0x00];
        }
      }
    }
    switch (k) {
      case 0:
      case 1:
      case 2: {
        const op = r.pick([0x7c, 0x7d, 0x7e, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a]);
        return [...this.expr(I64, d), ...this.expr(I64, d), op];
      }
      case 3:
        return [...this.expr(I64, d), ...this.divisor(I64), r.pick([0x7f, 0x80, 0x81, 0x82])];
      case 4:
        return [...this.expr(I64, d), r.pick([0x79, 0x7a, 0x7b, 0xc2, 0xc3, 0xc4])];
      case 5:
        return [...this.expr(I32, d), r.pick([0xac, 0xad])];
      case 6: {
        const [op, align] = r.pick([
          [0x29, 3],
          [0x30, 0],
          [0x31, 0],
          [0x32, 1],
          [0x33, 1],
          [0x34, 2],
          [0x35, 2],
        ] as const);
        return [...this.addr(), op, ...this.memarg(align)];
      }
      case 7:
        return [...this.expr(I64, d), ...this.expr(I64, d), ...this.expr(I32, d), 0x1b];
      case 8:
        if (this.callees.length > 0) {
          return [...this.expr(I32, d), ...this.expr(I64, d), 0x10, ...uleb(r.pick(this.callees))];
        }
        return [...this.expr(I64, d), 0x22, ...uleb(r.pick(this.pool[I64]))];
      case 9:
        // the bounded recursion: depth is (arg & 31)
        return [...this.expr(I32, d), 0x41, 31, 0x71, ...this.expr(I64, d), 0x10, ...uleb(this.g.recFunc)];
      case 10: {
        // call_indirect of a helper slot, or a random slot (null / OOB / mismatch traps)
        const wild = this.trap();
        if (this.callees.length === 0 && !wild) return [...this.expr(I64, d), 0x7a];
        const slot = wild ? this.expr(I32, d) : [0x41, ...sleb(r.pick(this.callees) - this.g.nImports - 1)];
        return [...this.expr(I32, d), ...this.expr(I64, d), ...slot, 0x11, ...uleb(T_HELPER), 0x00];
      }
      default:
        return [0x41, r.int(2), 0x10, F_GET_U64];
    }
  }

  stmt(depth: number): void {
    const r = this.r;
    const c = this.code;
    const k = r.int(depth > 0 ? 16 : 11);
    switch (k) {
      case 0:
      case 1:
      case 2: {
        const t = r.chance(0.5) ? I32 : I64;
        c.push(...this.expr(t, 3), 0x21, ...uleb(r.pick(this.pool[t])));
        return;
      }
      case 3: {
        const t = r.chance(0.5) ? I32 : I64;
        c.push(...this.expr(t, 3), 0x24, ...uleb(r.pick(this.g.globals[t])));
        return;
      }
      case 4:
      case 5: {
        const [t, op, align] = r.pick([
          [I32, 0x36, 2],
          [I64, 0x37, 3],
          [I32, 0x3a, 0],
          [I32, 0x3b, 1],
          [I64, 0x3c, 0],
          [I64, 0x3d, 1],
          [I64, 0x3e, 2],
        ] as const);
        c.push(...this.addr(), ...this.expr(t, 2), op, ...this.memarg(align));
        return;
      }
      case 6:
        c.push(...this.expr(I32, 2), 0x1a);
        return;
      case 7: {
        // memory.grow by 0..2 pages (beyond the maximum: -1), result stored in a local
        c.push(0x41, r.int(3), 0x40, 0x00, 0x21, ...uleb(r.pick(this.pool[I32])));
        return;
      }
      case 8: {
        // memory.fill / memory.copy of a short range
        const len = this.trap() ? this.expr(I32, 1) : [0x41, ...sleb(r.int(100))];
        if (r.chance(0.5)) c.push(...this.addr(), ...this.expr(I32, 1), ...len, 0xfc, 11, 0x00);
        else c.push(...this.addr(), ...this.addr(), ...len, 0xfc, 10, 0x00, 0x00);
        return;
      }
      case 9: {
        // host ops
        const idx = this.trap() ? 2 : r.int(2);
        if (r.chance(0.6)) c.push(0x41, idx, ...this.expr(I64, 2), 0x10, F_SET_U64);
        else c.push(0x41, idx, ...this.addr(), 0x10, F_SET_B32);
        return;
      }
      case 10:
        if (this.trap()) c.push(...this.expr(I32, 1), 0x04, 0x40, 0x00, 0x0b);
        else c.push(0x01);
        return;
      case 11:
      case 12: {
        // bounded loop with its own counter
        const ctr = this.addLocal(I32, false);
        c.push(0x41, ...sleb(r.int(this.g.maxLoop + 1)), 0x21, ...uleb(ctr));
        c.push(0x02, 0x40, 0x03, 0x40);
        c.push(0x20, ...uleb(ctr), 0x45, 0x0d, 1);
        c.push(0x20, ...uleb(ctr), 0x41, 1, 0x6b, 0x21, ...uleb(ctr));
        this.stmts(depth - 1, 1 + r.int(4));
        c.push(0x0c, 0, 0x0b, 0x0b);
        return;
      }
      case 13: {
        c.push(...this.expr(I32, 2), 0x04, 0x40);
        this.stmts(depth - 1, 1 + r.int(3));
        if (r.chance(0.5)) {
          c.push(0x05);
          this.stmts(depth - 1, 1 + r.int(3));
        }
        c.push(0x0b);
        return;
      }
      case 14: {
        // br_table over three nested blocks
        c.push(0x02, 0x40, 0x02, 0x40, 0x02, 0x40);
        c.push(...this.expr(I32, 2), 0x0e, 2, 0, 1, 2);
        c.push(0x0b);
        this.stmts(depth - 1, 1);
        c.push(0x0b);
        this.stmts(depth - 1, 1);
        c.push(0x0b);
        return;
      }
      default: {
        // a block left early with br_if, carrying an i64 value
        c.push(0x02, I64, ...this.expr(I64, 2), ...this.expr(I32, 2), 0x0d, 0, 0x1a);
        this.stmts(depth - 1, 1 + r.int(2));
        c.push(...this.expr(I64, 2), 0x0b, 0x21, ...uleb(r.pick(this.pool[I64])));
      }
    }
  }

  stmts(depth: number, n: number): void {
    for (let i = 0; i < n; i++) this.stmt(depth);
  }
}

class ModuleGen {
  readonly globals: Record<VT, number[]> = { [I32]: [0, 1], [I64]: [2, 3] } as unknown as Record<
    VT,
    number[]
  >;
  readonly trapRate: number;
  readonly maxLoop: number;
  readonly maxPages: number;
  readonly helpers: number;
  /** function index of the bounded recursion */
  readonly recFunc: number;
  /** table slots 0..helperSlots-1 hold the helpers; then a null slot; then the (i32)->i32 function */
  readonly helperSlots: number;
  readonly oddSlot: number;
  /** imported functions: 3, and metered_call with `meteredBudget` */
  readonly nImports: number;
  constructor(opts: RandomModuleOptions) {
    this.nImports = opts.meteredBudget === undefined ? N_IMPORTS : N_IMPORTS + 1;
    this.trapRate = opts.trapRate ?? 0.02;
    this.maxLoop = opts.maxLoop ?? 6;
    this.maxPages = opts.maxPages ?? 3;
    this.helpers = opts.helpers ?? 3;
    // functions: main, helpers, rec, odd
    this.recFunc = this.nImports + 1 + this.helpers;
    this.helperSlots = this.helpers;
    this.oddSlot = this.helpers + 1;
  }
}

/** A random valid STF module (exports `main` () -> () and `memory`). Deterministic in `seed`. */
export function randomModule(seed: number, opts: RandomModuleOptions = {}): Uint8Array {
  const r = new Rng(seed);
  const g = new ModuleGen(opts);
  const statements = opts.statements ?? 10;
  const funcs: FuncSpec[] = [];
  const helperIdx = (i: number) => g.nImports + 1 + i;

  const gen = (
    params: VT[],
    callees: number[],
    n: number,
    depth: number,
    tail: (f: FuncGen) => number[],
  ): FuncSpec => {
    const f = new FuncGen(r, g, params, callees);
    f.stmts(depth, n);
    const end = tail(f);
    return { body: [...f.code, ...end], locals: f.extraLocals };
  };

  // main: calls every helper at least through expressions; returns nothing
  const mainCallees = Array.from({ length: g.helpers }, (_, i) => helperIdx(i));
  const metered = opts.meteredBudget;
  // with a budget: main's body is the (i32) -> i32 function after odd, in the last table slot
  const bodySlot = g.helpers + 2;
  const mainBody =
    metered === undefined
      ? undefined
      : gen([I32], mainCallees, statements, 2, (f) => [...f.expr(I64, 3), 0x1a, 0x41, 5]);
  funcs.push(
    metered === undefined
      ? { ...gen([], mainCallees, statements, 2, (f) => [...f.expr(I64, 3), 0x1a]), export: 'main' }
      : {
          // set_global_u64(1, metered_call(bodySlot, 9, budget))
          body: [
            0x41,
            1,
            0x41,
            ...sleb(bodySlot),
            0x41,
            9,
            0x42,
            ...sleb(BigInt.asIntN(64, metered)),
            0x10,
            F_METERED,
            0xad,
            0x10,
            F_SET_U64,
          ],
          export: 'main',
        },
  );
  for (let i = 0; i < g.helpers; i++) {
    const callees = Array.from({ length: g.helpers - i - 1 }, (_, j) => helperIdx(i + 1 + j));
    funcs.push({
      ...gen([I32, I64], callees, Math.max(2, statements >> 1), 1, (f) => f.expr(I64, 3)),
      params: [I32, I64],
      results: [I64],
    });
  }
  // rec(n, x): n > 0 ? rec(n - 1, x * 31 + n) ^ n : x   (n is at most 31 when called)
  funcs.push({
    params: [I32, I64],
    results: [I64],
    locals: [I64],
    body: [
      0x20,
      0,
      0x45,
      0x04,
      I64,
      0x20,
      1,
      0x05,
      0x20,
      0,
      0x41,
      1,
      0x6b,
      0x20,
      1,
      0x42,
      31,
      0x7e,
      0x20,
      0,
      0xad,
      0x7c,
      0x10,
      ...uleb(g.recFunc),
      0x20,
      0,
      0xad,
      0x85,
      0x0b,
    ],
  });
  // odd(x) -> i32 (in the table, for type-mismatch traps)
  funcs.push({ params: [I32], results: [I32], body: [0x20, 0, 0x41, 3, 0x6c, 0x41, 1, 0x6a] });
  if (mainBody) funcs.push({ ...mainBody, params: [I32], results: [I32] });

  const tableSize = g.helpers + 2 + (metered === undefined ? 0 : 1);
  const elemFuncs = [...mainCallees];
  const data = r.bytes(32 + r.int(64));
  return buildModule({
    types: [
      { params: [I32, I64], results: [] },
      { params: [I32], results: [I64] },
      { params: [I32, I32], results: [] },
      { params: [I32, I64], results: [I64] },
      { params: [I32], results: [I32] },
      ...(metered === undefined ? [] : [{ params: [I32, I32, I64], results: [I32] }]),
    ],
    imports: [
      { module: 'modex', name: 'set_global_u64', desc: [0x00, T_SET_U64] },
      { module: 'modex', name: 'get_global_u64', desc: [0x00, T_GET_U64] },
      { module: 'modex', name: 'set_global_bytes32', desc: [0x00, T_SET_B32] },
      ...(metered === undefined ? [] : [{ module: 'modex', name: 'metered_call', desc: [0x00, T_METERED] }]),
    ],
    funcs,
    tables: [[0x70, ...limits(tableSize, tableSize)]],
    memories: [limits(1, g.maxPages)],
    globals: [
      [I32, 1, 0x41, ...sleb(r.i32()), 0x0b],
      [I32, 1, 0x41, ...sleb(r.i32()), 0x0b],
      [I64, 1, 0x42, ...sleb(r.i64()), 0x0b],
      [I64, 1, 0x42, ...sleb(r.i64()), 0x0b],
    ],
    exports: [[...[6, ...new TextEncoder().encode('memory')], 0x02, 0]],
    elems: [
      [0x00, 0x41, 0, 0x0b, ...uleb(elemFuncs.length), ...elemFuncs.flatMap((f) => uleb(f))],
      [0x00, 0x41, ...sleb(g.oddSlot), 0x0b, 1, ...uleb(g.nImports + 2 + g.helpers)],
      ...(metered === undefined
        ? []
        : [[0x00, 0x41, ...sleb(bodySlot), 0x0b, 1, ...uleb(g.nImports + 3 + g.helpers)]]),
    ],
    datas: [[0x00, 0x41, ...sleb(r.int(60000)), 0x0b, ...uleb(data.length), ...data]],
  });
}

/** Random bytes that look a bit like a module (a valid header half the time), for rejection tests. */
export function randomBytes(seed: number, maxLen = 200): Uint8Array {
  const r = new Rng(seed);
  const body = r.bytes(r.int(maxLen));
  if (r.chance(0.5)) return body;
  const out = new Uint8Array(8 + body.length);
  out.set([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  out.set(body, 8);
  return out;
}

/** Mutates a valid module: flips, inserts or deletes a few bytes (mostly invalid results). */
export function mutateBytes(bytes: Uint8Array, seed: number): Uint8Array {
  const r = new Rng(seed);
  const out = [...bytes];
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    const at = 8 + r.int(Math.max(1, out.length - 8));
    switch (r.int(3)) {
      case 0:
        out[at] = r.int(256);
        break;
      case 1:
        out.splice(at, 0, r.int(256));
        break;
      default:
        out.splice(at, 1);
    }
  }
  return Uint8Array.from(out);
}
