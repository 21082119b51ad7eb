import { describe, expect, it } from 'vitest';
import { SpecScriptError } from './errors.ts';
import { parseScript } from './script.ts';
import { compareResults, formatValue, isSupportedType, parseSpecValue, unsupportedType } from './values.ts';

describe('parseSpecValue', () => {
  it('parses unsigned i32/i64 decimal strings', () => {
    expect(parseSpecValue({ type: 'i32', value: '0' })).toBe(0n);
    expect(parseSpecValue({ type: 'i32', value: '4294967295' })).toBe(0xffffffffn);
    expect(parseSpecValue({ type: 'i64', value: '18446744073709551615' })).toBe((1n << 64n) - 1n);
  });
  it('rejects out-of-range, signed, missing and non-integer values', () => {
    expect(() => parseSpecValue({ type: 'i32', value: '4294967296' })).toThrow(SpecScriptError);
    expect(() => parseSpecValue({ type: 'i64', value: '18446744073709551616' })).toThrow(/out of range/);
    expect(() => parseSpecValue({ type: 'i32', value: '-1' })).toThrow(/unsigned decimal/);
    expect(() => parseSpecValue({ type: 'i32' })).toThrow(SpecScriptError);
    expect(() => parseSpecValue({ type: 'v128', value: '0' })).toThrow(/unsupported value type/);
    expect(() => parseSpecValue({ type: 'f32', value: '4294967296' })).toThrow(/out of range/);
  });
});

describe('references (docs/machine.md §5.5: null 0, externref N as N + 1)', () => {
  it('parses null and externref numbers', () => {
    expect(parseSpecValue({ type: 'funcref', value: 'null' })).toBe(0n);
    expect(parseSpecValue({ type: 'externref', value: 'null' })).toBe(0n);
    expect(parseSpecValue({ type: 'externref', value: '0' })).toBe(1n);
    expect(parseSpecValue({ type: 'externref', value: '41' })).toBe(42n);
    expect(() => parseSpecValue({ type: 'externref', value: '4294967295' })).toThrow(/out of range/);
    expect(() => parseSpecValue({ type: 'funcref', value: '3' })).toThrow(SpecScriptError);
  });
  it('compares results: a reference with no value is any non-null one', () => {
    expect(compareResults([{ type: 'externref', value: '2' }], [3n])).toBeUndefined();
    expect(compareResults([{ type: 'externref', value: '2' }], [0n])).toBe(
      'result 0: expected externref:2, got externref:null',
    );
    expect(compareResults([{ type: 'funcref' }], [5n])).toBeUndefined();
    expect(compareResults([{ type: 'funcref' }], [0n])).toBe(
      'result 0: expected a non-null funcref, got null',
    );
    expect(compareResults([{ type: 'funcref', value: 'null' }], [5n])).toBe(
      'result 0: expected funcref:null, got funcref:non-null',
    );
  });
});

describe('supported types', () => {
  it('accepts i32, i64, f32, f64 (as bits) and references', () => {
    expect(isSupportedType('i32')).toBe(true);
    expect(isSupportedType('i64')).toBe(true);
    expect(isSupportedType('f64')).toBe(true);
    expect(isSupportedType('v128')).toBe(false);
    expect(isSupportedType('externref')).toBe(true);
    expect(isSupportedType('funcref')).toBe(true);
    expect(isSupportedType('toString')).toBe(false);
  });
  it('finds the first unsupported type in a list', () => {
    expect(unsupportedType(undefined)).toBeUndefined();
    expect(unsupportedType([{ type: 'i32', value: '1' }])).toBeUndefined();
    expect(
      unsupportedType([
        { type: 'i32', value: '1' },
        { type: 'v128', value: '0' },
      ]),
    ).toBe('v128');
  });
});

describe('compareResults', () => {
  it('nan:canonical needs the canonical pattern (either sign), nan:arithmetic the quiet bit', () => {
    const canonical = [{ type: 'f32', value: 'nan:canonical' }];
    const arithmetic = [{ type: 'f64', value: 'nan:arithmetic' }];
    expect(compareResults(canonical, [0x7fc00000n])).toBeUndefined();
    expect(compareResults(canonical, [0xffc00000n])).toBeUndefined();
    expect(compareResults(canonical, [0x7fc00001n])).toMatch(/expected f32:nan:canonical/);
    expect(compareResults(canonical, [0x3f800000n])).toMatch(/expected f32:nan:canonical/);
    expect(compareResults(arithmetic, [0x7ff8000000000001n])).toBeUndefined();
    expect(compareResults(arithmetic, [0x7ff0000000000001n])).toMatch(/nan:arithmetic/); // signalling
    expect(compareResults(arithmetic, [0x7ff0000000000000n])).toMatch(/nan:arithmetic/); // infinity
  });
  it('matches equal unsigned values', () => {
    expect(compareResults([{ type: 'i32', value: '4294967295' }], [0xffffffffn])).toBeUndefined();
    expect(compareResults([], [])).toBeUndefined();
  });
  it('reports value and arity mismatches with signed readings', () => {
    expect(compareResults([{ type: 'i32', value: '4294967295' }], [1n])).toBe(
      'result 0: expected i32:4294967295 (-1), got i32:1',
    );
    expect(compareResults([{ type: 'i64', value: '1' }], [])).toMatch(/expected 1 result/);
  });
  it('formats values', () => {
    expect(formatValue('i64', (1n << 64n) - 2n)).toBe('i64:18446744073709551614 (-2)');
    expect(formatValue('i32', 7n)).toBe('i32:7');
  });
});

describe('parseScript', () => {
  it('checks commands and copies expected types onto actions', () => {
    const s = parseScript(
      JSON.stringify({
        commands: [
          { type: 'module', line: 1, filename: 'a.0.wasm' },
          {
            type: 'assert_return',
            line: 2,
            action: { type: 'invoke', field: 'f', args: [] },
            expected: [{ type: 'f32', value: '0' }],
          },
        ],
      }),
      'a.json',
    );
    const cmd = s.commands[1];
    expect(cmd.type === 'assert_return' && cmd.action.expected?.[0].type).toBe('f32');
  });
  it('rejects malformed scripts', () => {
    expect(() => parseScript('{', 'x.json')).toThrow(SpecScriptError);
    expect(() => parseScript('{"commands": [{"type": "nope", "line": 1}]}', 'x.json')).toThrow(
      /unknown command/,
    );
    expect(() => parseScript('{"commands": [{"type": "module", "line": 1}]}', 'x.json')).toThrow(/filename/);
  });
});
