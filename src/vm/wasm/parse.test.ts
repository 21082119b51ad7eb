import { describe, expect, it } from 'vitest';
import {
  buildModule,
  F32,
  FUNCREF,
  HEADER,
  I32,
  I64,
  limits,
  section,
  sleb,
  str,
  uleb,
  vec,
  wasm,
} from '../../../test/wasm/wasm-builder.ts';
import { WasmParseError, WasmUnsupportedError } from './errors.ts';
import { Op } from './opcodes.ts';
import { parseModule } from './parse.ts';

function parseError(bytes: Uint8Array): WasmParseError {
  try {
    parseModule(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(WasmParseError);
    return e as WasmParseError;
  }
  throw new Error('expected a WasmParseError');
}

/** A module with one function whose body is `body` (plus end). */
function oneFunc(body: number[], extra: Parameters<typeof buildModule>[0] = {}): Uint8Array {
  return buildModule({ ...extra, funcs: [{ results: [], body }] });
}

const sample = buildModule({
  memories: [limits(1, 2)],
  tables: [[FUNCREF, ...limits(2)]],
  globals: [[I64, 1, 0x42, ...sleb(-5), 0x0b]],
  funcs: [
    { params: [I32, I32], results: [I32], body: [0x20, 0, 0x20, 1, 0x6a], name: 'add', export: 'add' },
    {
      results: [],
      locals: [I32, I64],
      body: [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x0b, 0x00, 0x41, 0, 0x0e, 2, 0, 0, 0, 0x1a],
      name: 'fill',
    },
  ],
  elems: [[0x00, 0x41, 0x00, 0x0b, ...vec([[0], [1]])]],
  dataCount: 1,
  datas: [[0x00, 0x41, ...sleb(8), 0x0b, ...vec([[1], [2], [3]])]],
  names: true,
});

describe('parseModule: structure', () => {
  it('decodes an empty module', () => {
    const m = parseModule(Uint8Array.from(HEADER));
    expect(m.types).toEqual([]);
    expect(m.funcs).toEqual([]);
    expect(m.funcNames.size).toBe(0);
  });

  it('decodes all sections of a module', () => {
    const m = parseModule(sample);
    expect(m.types).toEqual([
      { params: [I32, I32], results: [I32] },
      { params: [], results: [] },
    ]);
    expect(m.memories).toEqual([{ min: 1, max: 2 }]);
    expect(m.tables).toEqual([{ elemType: FUNCREF, limits: { min: 2 } }]);
    expect(m.globals).toEqual([
      { type: { type: I64, mutable: true }, init: { kind: 'const', type: I64, value: -5n } },
    ]);
    expect(m.exports).toEqual([{ name: 'add', kind: 'func', index: 0 }]);
    expect(m.elems).toEqual([
      {
        mode: 'active',
        tableIndex: 0,
        elemType: FUNCREF,
        offset: { kind: 'const', type: I32, value: 0n },
        funcIndices: [0, 1],
      },
    ]);
    expect(m.dataCount).toBe(1);
    expect(m.datas[0].bytes).toEqual(Uint8Array.from([1, 2, 3]));
    expect(m.datas[0].offset).toEqual({ kind: 'const', type: I32, value: 8n });
    expect(m.funcNames).toEqual(
      new Map([
        [0, 'add'],
        [1, 'fill'],
      ]),
    );
    expect(m.funcs[1].locals).toEqual([I32, I64]);
  });

  it('decodes instructions with their immediates and offsets', () => {
    const m = parseModule(sample);
    const add = m.funcs[0].body;
    expect(add.map((i) => i.op)).toEqual([Op.LocalGet, Op.LocalGet, Op.I32Add, Op.End]);
    expect(add[1].a).toBe(1);
    expect(sample[add[2].offset]).toBe(0x6a);
    const fill = m.funcs[1].body;
    expect(fill[3]).toMatchObject({ op: Op.MemoryFill, a: 0 });
    expect(fill[5]).toMatchObject({ op: Op.BrTable, targets: [0, 0], a: 0 });
    expect(sample[fill[3].offset]).toBe(0xfc);
    expect(m.funcs[0].offset).toBeGreaterThan(0);
  });

  it('decodes i32/i64 constants at the edges of their ranges', () => {
    const values32 = [0, -1, 63, 64, -64, -65, 2 ** 31 - 1, -(2 ** 31)];
    const values64 = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 31n, -(2n ** 35n)];
    const body = [
      ...values32.flatMap((v) => [0x41, ...sleb(v), 0x1a]),
      ...values64.flatMap((v) => [0x42, ...sleb(v), 0x1a]),
    ];
    const instrs = parseModule(oneFunc(body)).funcs[0].body.filter(
      (i) => i.op !== Op.Drop && i.op !== Op.End,
    );
    expect(instrs.map((i) => i.c)).toEqual([...values32.map(BigInt), ...values64]);
  });

  it('accepts non-minimal LEB128 encodings within the length limit', () => {
    // i32.const 0 as 5 bytes, local.get 0 as 5 bytes, i64.const -1 as 10 bytes
    const body = [0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a, 0x42, ...Array(9).fill(0xff), 0x7f, 0x1a];
    const instrs = parseModule(oneFunc(body)).funcs[0].body;
    expect(instrs[0].c).toBe(0n);
    expect(instrs[2].c).toBe(-1n);
  });

  it('resolves block types: empty, single value, type index (multi-value)', () => {
    const types = [{ params: [I32], results: [I32, I64] }];
    const m = parseModule(oneFunc([0x02, 0x40, 0x0b, 0x02, I64, 0x0b, 0x02, 0x00, 0x0b], { types }));
    const blocks = m.funcs[0].body.filter((i) => i.op === Op.Block);
    expect(blocks.map((b) => b.type)).toEqual([
      { params: [], results: [] },
      { params: [], results: [I64] },
      { params: [I32], results: [I32, I64] },
    ]);
    expect(blocks[2].a).toBe(0);
  });

  it('decodes typed select, call_indirect and float instructions (for the validator to reject)', () => {
    const body = [0x1c, 1, I64, 0x11, 0x00, 0x00, 0x43, 0, 0, 0, 0, 0x92, 0x44, ...Array(8).fill(0)];
    const instrs = parseModule(oneFunc(body)).funcs[0].body;
    expect(instrs[0]).toMatchObject({ op: Op.SelectT, types: [I64] });
    expect(instrs[1]).toMatchObject({ op: Op.CallIndirect, a: 0, b: 0 });
    expect(instrs.map((i) => i.op).slice(2)).toEqual([Op.F32Const, Op.F32Add, Op.F64Const, Op.End]);
  });

  it('reads function names and tolerates a broken name section', () => {
    const good = parseModule(sample);
    expect(good.funcNames.get(0)).toBe('add');
    const broken = [...str('name'), 1, 10, 1, 0, 200]; // subsection claims 10 bytes, name length 200
    const m = parseModule(wasm(section(1, vec([[0x60, 0, 0]])), section(0, broken)));
    expect(m.funcNames.size).toBe(0);
    const badUtf8 = [...str('name'), 1, 4, 1, 0, 1, 0xff];
    expect(parseModule(wasm(section(0, badUtf8))).funcNames.size).toBe(0);
  });

  it('keeps a byte-order mark in names', () => {
    const m = parseModule(buildModule({ funcs: [{ body: [], export: '\ufeffx' }] }));
    expect(m.exports[0].name).toBe('\ufeffx');
  });

  // its speed is `npx modex bench machine`'s to measure, not a test's (no timing assertions)
  it('parses a 1 MB function body', () => {
    const body: number[] = [];
    while (body.length < 1_000_000) body.push(0x41, 0x01, 0x41, 0xff, 0x00, 0x6a, 0x1a);
    const m = parseModule(oneFunc(body));
    expect(m.funcs[0].body.length).toBeGreaterThan(500_000);
  });
});

describe('parseModule: malformed binaries', () => {
  it('rejects a bad magic number or version', () => {
    expect(parseError(Uint8Array.from([0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0])).reason).toMatch(/magic/);
    expect(parseError(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0])).reason).toMatch(/version/);
    expect(parseError(new Uint8Array()).offset).toBe(0);
    expect(parseError(Uint8Array.from([0x00, 0x61])).reason).toMatch(/magic/);
  });

  it('rejects every truncation of a module with WasmParseError (or parses it at a section boundary)', () => {
    for (let n = 0; n < sample.length; n++) {
      try {
        parseModule(sample.subarray(0, n));
      } catch (e) {
        expect(e, `prefix ${n}`).toBeInstanceOf(WasmParseError);
      }
    }
  });

  it('never throws anything but wasm errors on corrupted input', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let k = 0; k < 3000; k++) {
      const bytes = sample.slice();
      const flips = 1 + (rnd() % 3);
      for (let f = 0; f < flips; f++)
        bytes[HEADER.length + (rnd() % (bytes.length - HEADER.length))] = rnd() & 0xff;
      try {
        parseModule(bytes);
      } catch (e) {
        if (!(e instanceof WasmParseError || e instanceof WasmUnsupportedError)) throw e;
      }
    }
  });

  it('rejects LEB128 that is too long or has unused bits set', () => {
    const tooLong = parseError(oneFunc([0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a]));
    expect(tooLong.reason).toMatch(/too long/);
    expect(tooLong.funcIndex).toBe(0);
    expect(parseError(oneFunc([0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x1a])).reason).toMatch(/too large/); // s32 sign bits
    expect(parseError(oneFunc([0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1a])).reason).toMatch(/too large/);
    expect(parseError(oneFunc([0x20, 0xff, 0xff, 0xff, 0xff, 0x1f])).reason).toMatch(/too large/); // u32 > 2^32-1
    expect(parseError(oneFunc([0x42, ...Array(9).fill(0x80), 0x02, 0x1a])).reason).toMatch(/too large/);
    expect(parseError(oneFunc([0x42, ...Array(10).fill(0x80), 0x00, 0x1a])).reason).toMatch(/too long/);
  });

  it('reports the offset of a bad LEB', () => {
    const bytes = oneFunc([0x01, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a]);
    const e = parseError(bytes);
    expect(bytes[e.offset - 1]).toBe(0x41);
    expect(e.message).toContain(`offset 0x${e.offset.toString(16)}`);
  });

  it('rejects sections out of order, duplicated, unknown, or of the wrong size', () => {
    const type = section(1, vec([[0x60, 0, 0]]));
    const func = section(3, vec([[0]]));
    const code = section(10, vec([[2, 0, 0x0b]]));
    expect(parseModule(wasm(type, func, code)).funcs).toHaveLength(1);
    expect(parseError(wasm(func, type, code)).reason).toMatch(/order/);
    expect(parseError(wasm(type, type)).reason).toMatch(/duplicate or out of order/);
    expect(parseError(wasm(section(14, []))).reason).toMatch(/section id/);
    expect(parseError(wasm([1, 5, 1, 0x60, 0, 0])).reason).toMatch(/out of bounds|unexpected end/);
    expect(parseError(wasm([1, 5, 1, 0x60, 0, 0, 0, 0])).reason).toMatch(/size mismatch/);
    // data count goes between element and code
    expect(parseError(wasm(type, func, code, section(12, [0]))).reason).toMatch(/order/);
  });

  it('rejects inconsistent function/code and data count/data lengths', () => {
    const type = section(1, vec([[0x60, 0, 0]]));
    expect(parseError(wasm(type, section(3, vec([[0]])))).reason).toMatch(/inconsistent/);
    expect(parseError(wasm(type, section(10, vec([[2, 0, 0x0b]])))).reason).toMatch(/inconsistent/);
    const mem = section(5, vec([limits(1)]));
    const data = section(11, vec([[0x01, 0]]));
    expect(parseError(wasm(mem, section(12, [2]), data)).reason).toMatch(/data count/);
    expect(parseModule(wasm(mem, section(12, [1]), data)).datas).toHaveLength(1);
  });

  it('rejects malformed UTF-8, value types, mutability, illegal opcodes and bodies that overrun', () => {
    expect(parseError(wasm(section(7, vec([[1, 0xc0, 0, 0]])))).reason).toMatch(/UTF-8/);
    expect(parseError(wasm(section(1, vec([[0x60, 1, 0x7a, 0]])))).reason).toMatch(/value type/);
    expect(parseError(wasm(section(6, vec([[I32, 2, 0x41, 0, 0x0b]])))).reason).toMatch(/mutability/);
    expect(parseError(oneFunc([0xff])).reason).toMatch(/illegal opcode/);
    expect(parseError(oneFunc([0xfc, 0x20])).reason).toMatch(/illegal opcode/);
    // body size says 3 bytes but the instructions need more
    expect(
      parseError(
        wasm(section(1, vec([[0x60, 0, 0]])), section(3, vec([[0]])), section(10, vec([[3, 0, 0x41, 0x00]]))),
      ).reason,
    ).toMatch(/unexpected end/);
    // instructions after the final end
    expect(
      parseError(
        wasm(section(1, vec([[0x60, 0, 0]])), section(3, vec([[0]])), section(10, vec([[3, 0, 0x0b, 0x01]]))),
      ).reason,
    ).toMatch(/size mismatch|after its final end/);
    expect(
      parseError(
        wasm(
          section(1, vec([[0x60, 0, 0]])),
          section(3, vec([[0]])),
          section(10, vec([[6, 2, 0xff, 0xff, 0xff, 0xff, 0x0f]])),
        ),
      ).reason,
    ).toMatch(/too many locals|unexpected end/);
  });

  it('rejects too many locals', () => {
    const groups = [2, ...uleb(0xffffffff), I32, ...uleb(2), I32];
    const bytes = wasm(
      section(1, vec([[0x60, 0, 0]])),
      section(3, vec([[0]])),
      section(10, vec([[...uleb(groups.length + 1), ...groups, 0x0b]])),
    );
    expect(parseError(bytes).reason).toMatch(/too many locals/);
  });
});

describe('parseModule: unsupported encodings', () => {
  it('rejects SIMD and atomic instructions naming the function and offset', () => {
    const simd = buildModule({
      funcs: [{ body: [0xfd, 0x0c, ...Array(16).fill(0), 0x1a], name: 'vec' }],
      names: true,
    });
    expect(() => parseModule(simd)).toThrow(WasmUnsupportedError);
    try {
      parseModule(simd);
    } catch (e) {
      const err = e as WasmUnsupportedError;
      expect(err.code).toBe('WASM_UNSUPPORTED_FEATURE');
      expect(err.funcIndex).toBe(0);
      expect(simd[err.offset!]).toBe(0xfd);
      expect(err.message).toMatch(/^function 0 "vec" at offset 0x[0-9a-f]+: SIMD instruction 0xfd 0xc: SIMD/);
    }
    const atomic = oneFunc([0x41, 0, 0xfe, 0x10, 0x02, 0x00, 0x1a], { memories: [limits(1)] });
    expect(() => parseModule(atomic)).toThrow(/atomic/);
  });

  it('reports malformedness in preference to an unsupported instruction', () => {
    const bytes = oneFunc([0xfd, 0x0c, ...Array(16).fill(0), 0x1a, 0xff]);
    expect(parseError(bytes).reason).toMatch(/illegal opcode/);
  });

  it('decodes float types and shared/64-bit limits for the validator', () => {
    const m = parseModule(buildModule({ funcs: [{ params: [F32], body: [] }], memories: [limits(1, 2, 3)] }));
    expect(m.types[0].params).toEqual([F32]);
    expect(m.memories[0]).toEqual({ min: 1, max: 2, shared: true });
  });
});
