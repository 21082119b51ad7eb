import { encodeAbiParameters } from 'viem';
import { describe, expect, it } from 'vitest';
import { zeroValue } from './deploy-all.ts';

describe('zeroValue', () => {
  it('produces values viem encodes as all-zero words', () => {
    const params = [
      { type: 'uint256' },
      { type: 'int8' },
      { type: 'bool' },
      { type: 'address' },
      { type: 'bytes32' },
      { type: 'uint64[2]' },
      { type: 'tuple', components: [{ name: 'a', type: 'uint8' }] },
    ] as const;
    const values = params.map((p) => zeroValue(p));
    expect(values.slice(0, 6)).toEqual([
      0n,
      0n,
      false,
      `0x${'00'.repeat(20)}`,
      `0x${'00'.repeat(32)}`,
      [0n, 0n],
    ]);
    const encoded = encodeAbiParameters(params, values as never);
    expect(encoded).toBe(`0x${'00'.repeat(32 * 8)}`);
  });

  it('uses empty dynamic values', () => {
    expect(zeroValue({ type: 'string' })).toBe('');
    expect(zeroValue({ type: 'bytes' })).toBe('0x');
    expect(zeroValue({ type: 'address[]' })).toEqual([]);
  });
});
