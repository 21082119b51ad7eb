import { describe, expect, it } from 'vitest';
import { buildModule, str } from '../../../test/wasm/wasm-builder.ts';
import { parseModule } from './parse.ts';
import { encodeTrapSection, specTrapMessage, TRAP_SECTION, trapMessageMatches } from './trap-reasons.ts';

const withSection = (section: number[]): Uint8Array => {
  const base = buildModule({ funcs: [{ body: [0x00] }, { body: [0x00] }] });
  return new Uint8Array([...base, ...section]);
};

describe('trap reasons', () => {
  it('V8 messages map to the spec wording; unknown ones pass through', () => {
    expect(specTrapMessage('memory access out of bounds')).toBe('out of bounds memory access');
    expect(specTrapMessage('divide by zero')).toBe('integer divide by zero');
    expect(specTrapMessage('remainder by zero')).toBe('integer divide by zero');
    expect(specTrapMessage('divide result unrepresentable')).toBe('integer overflow');
    expect(specTrapMessage('table index is out of bounds')).toBe(
      'undefined element or out of bounds table access',
    );
    expect(specTrapMessage('element segment out of bounds')).toBe('out of bounds table access');
    expect(specTrapMessage('unreachable')).toBe('unreachable');
    // instantiation traps name the API call first (an active segment out of bounds)
    expect(specTrapMessage('WebAssembly.Instance(): data segment is out of bounds')).toBe(
      'out of bounds memory access',
    );
    expect(specTrapMessage('WebAssembly.Instance(): table index is out of bounds')).toBe(
      'undefined element or out of bounds table access',
    );
  });

  it('a message naming two traps V8 cannot tell apart matches either, and nothing else', () => {
    const both = specTrapMessage('null function or function signature mismatch');
    expect(trapMessageMatches(both, 'uninitialized element')).toBe(true);
    expect(trapMessageMatches(both, 'indirect call type mismatch')).toBe(true);
    expect(trapMessageMatches(both, 'undefined element')).toBe(false);
    expect(trapMessageMatches('unreachable', 'integer overflow')).toBe(false);
    expect(trapMessageMatches('integer overflow', 'integer overflow')).toBe(true);
    // the reference interpreter's texts that name the slot (bulk.wast: "uninitialized element 2")
    expect(trapMessageMatches(both, 'uninitialized element 2')).toBe(true);
    expect(trapMessageMatches('uninitialized element', 'uninitialized element 2')).toBe(true);
    expect(trapMessageMatches('undefined element', 'uninitialized element 2')).toBe(false);
  });

  it('modex.traps round-trips through the parser', () => {
    const mod = parseModule(
      withSection(
        encodeTrapSection(
          new Map([
            [1, 'integer overflow'],
            [0, 'invalid conversion to integer'],
          ]),
        ),
      ),
    );
    expect(mod.trapReasons).toEqual(
      new Map([
        [0, 'invalid conversion to integer'],
        [1, 'integer overflow'],
      ]),
    );
  });

  it('an unknown reason is ignored, a broken section too (it is advisory)', () => {
    const body = [...str(TRAP_SECTION), 2, 0, ...str('integer overflow'), 1, ...str('out of gas')];
    const mod = parseModule(withSection([0, body.length, ...body]));
    expect(mod.trapReasons).toEqual(new Map([[0, 'integer overflow']]));
    const broken = [...str(TRAP_SECTION), 5, 0];
    expect(parseModule(withSection([0, broken.length, ...broken])).trapReasons).toBeUndefined();
    expect(parseModule(withSection([])).trapReasons).toBeUndefined();
  });
});
