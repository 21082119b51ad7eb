import { describe, expect, it } from 'vitest';
import {
  epochSeed,
  isEligible,
  randaoValue,
  sampleCommittee,
  seedCheckpoint,
  thresholdOf,
} from './sampling.ts';

const seed = epochSeed(randaoValue(123n, 5n), 7n);
const all = Array.from({ length: 100 }, (_, i) => i);

describe('committee sampling (docs/attested.md §2)', () => {
  it('draws k distinct eligible validators, deterministically from the seed', () => {
    const c = sampleCommittee(seed, all, 20);
    expect(c).toHaveLength(20);
    expect(new Set(c).size).toBe(20);
    expect(sampleCommittee(seed, all, 20)).toEqual(c);
    expect(sampleCommittee(epochSeed(randaoValue(123n, 5n), 8n), all, 20)).not.toEqual(c);
    const odd = all.filter((i) => i % 2 === 1);
    expect(sampleCommittee(seed, odd, 20).every((i) => i % 2 === 1)).toBe(true);
  });

  it('takes everyone (shuffled) when fewer are eligible than the committee size', () => {
    const c = sampleCommittee(seed, [2, 5, 8], 20);
    expect([...c].sort((a, b) => a - b)).toEqual([2, 5, 8]);
    expect(() => sampleCommittee(seed, [5, 2], 2)).toThrow(/strictly ascending/);
  });

  it('spreads seats evenly over many epochs', () => {
    const seats = new Array(100).fill(0);
    for (let e = 0n; e < 200n; e++) for (const i of sampleCommittee(epochSeed(seed, e), all, 20)) seats[i]++;
    // 4,000 seats over 100 validators: 40 each on average; a broken shuffle (e.g. always the first
    // 20) leaves most at 0
    expect(Math.min(...seats)).toBeGreaterThan(15);
    expect(Math.max(...seats)).toBeLessThan(70);
  });

  it('uses the newest checkpoint at least two epochs back', () => {
    expect(seedCheckpoint([0n, 3n, 5n, 6n], 7n)).toBe(5n);
    expect(seedCheckpoint([0n, 3n], 9n)).toBe(3n);
    expect(seedCheckpoint([6n], 7n)).toBeUndefined();
  });

  it('eligibility and thresholds', () => {
    const v = { activeFrom: 2n, exitAt: 5n, slashed: false };
    expect([1n, 2n, 4n, 5n].map((e) => isEligible(v, e))).toEqual([false, true, true, false]);
    expect(isEligible({ ...v, exitAt: 0n }, 100n)).toBe(true);
    expect(isEligible({ ...v, slashed: true }, 3n)).toBe(false);
    expect(thresholdOf(20, 2)).toBe(19);
    expect(thresholdOf(20, 1)).toBe(20);
    expect(() => thresholdOf(1, 2)).toThrow(/cannot assume 2 honest/);
  });
});
