/** docs/machine.md §6 preimage_read: chunk bounds per preimage kind (kind 1 stops at a field element's end). */
import { describe, expect, it } from 'vitest';
import { preimageChunkEnd } from './machine.ts';

describe('preimageChunkEnd', () => {
  it('kind 0 reads 32 bytes from any offset, clamped to the preimage', () => {
    expect(preimageChunkEnd(0, 0, 100)).toBe(32);
    expect(preimageChunkEnd(0, 5, 100)).toBe(37);
    expect(preimageChunkEnd(0, 90, 100)).toBe(100);
    expect(preimageChunkEnd(0, 100, 100)).toBe(100);
    expect(preimageChunkEnd(0, 150, 100)).toBe(100);
  });

  it('kind 1 (blob) never crosses a 32-byte field element, as the L1 oracle serves it', () => {
    expect(preimageChunkEnd(1, 0, 131_072)).toBe(32);
    expect(preimageChunkEnd(1, 5, 131_072)).toBe(32);
    expect(preimageChunkEnd(1, 31, 131_072)).toBe(32);
    expect(preimageChunkEnd(1, 32, 131_072)).toBe(64);
    expect(preimageChunkEnd(1, 131_071, 131_072)).toBe(131_072);
    expect(preimageChunkEnd(1, 131_072, 131_072)).toBe(131_072);
    expect(preimageChunkEnd(1, 200_000, 131_072)).toBe(131_072);
  });
});
