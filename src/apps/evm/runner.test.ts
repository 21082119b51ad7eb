/**
 * The runner's own pieces without the guest: the result record parser (docs/evm.md §2) and the
 * env message (env.ts: layout, EIP-4844 blob base fee, fields that do not fit).
 */
import { describe, expect, it } from 'vitest';
import { blobBaseFee, ENV_BYTES, EnvRangeError, encodeEnv, fakeExponential, runTxMessage } from './env.ts';
import type { StateTestEnv } from './fixture.ts';
import { EvmGuestError, parseResultRecord } from './runner.ts';

function record(status: number, gas: bigint, logs: { topics: number; data: number }[]): Uint8Array {
  const parts: number[] = [status];
  const g = new Uint8Array(8);
  new DataView(g.buffer).setBigUint64(0, gas);
  parts.push(...g, 0, 0, 0, logs.length);
  logs.forEach((l, i) => {
    parts.push(...new Array(20).fill(i + 1), l.topics);
    for (let t = 0; t < l.topics; t++) parts.push(...new Array(32).fill(t + 0x10));
    parts.push(0, 0, 0, l.data, ...new Array(l.data).fill(0xdd));
  });
  return Uint8Array.from(parts);
}

describe('result record', () => {
  it('parses status, gas used and logs', () => {
    const r = parseResultRecord(
      record(1, 21000n, [
        { topics: 2, data: 3 },
        { topics: 0, data: 0 },
      ]),
    );
    expect(r.success).toBe(true);
    expect(r.gasUsed).toBe(21000n);
    expect(r.logs).toHaveLength(2);
    expect(r.logs[0].topics).toHaveLength(2);
    expect([...r.logs[0].data]).toEqual([0xdd, 0xdd, 0xdd]);
    expect(r.logs[1].address[0]).toBe(2);
    expect(parseResultRecord(record(0, 5n, [])).success).toBe(false);
  });
  it('refuses a truncated record, trailing bytes and a status other than 0/1', () => {
    const good = record(1, 1n, [{ topics: 1, data: 4 }]);
    expect(() => parseResultRecord(good.subarray(0, good.length - 1))).toThrow(EvmGuestError);
    expect(() => parseResultRecord(good.subarray(0, 12))).toThrow(/truncated/);
    expect(() => parseResultRecord(Uint8Array.of(...good, 0))).toThrow(/after the last log/);
    expect(() => parseResultRecord(record(2, 1n, []))).toThrow(/status 2/);
  });
});

const env: StateTestEnv = {
  coinbase: new Uint8Array(20).fill(0xcb),
  number: 1n,
  timestamp: 1000n,
  gasLimit: 0x1000000n,
  baseFee: 7n,
  random: new Uint8Array(32).fill(0x15),
  excessBlobGas: 0n,
};

describe('env message', () => {
  it('lays out the 185 bytes of env v1 (docs/evm.md §2)', () => {
    const e = encodeEnv(env);
    const dv = new DataView(e.buffer);
    expect(e.length).toBe(ENV_BYTES);
    expect([e[0], e[1]]).toEqual([1, 1]);
    expect(e.subarray(2, 22).every((b) => b === 0xcb)).toBe(true);
    expect(dv.getBigUint64(22)).toBe(1n);
    expect(dv.getBigUint64(30)).toBe(1000n);
    expect(dv.getBigUint64(38)).toBe(0x1000000n);
    expect(dv.getBigUint64(46)).toBe(1n);
    expect(dv.getBigUint64(78)).toBe(7n);
    expect(e.subarray(86, 118).every((b) => b === 0x15)).toBe(true);
    expect(dv.getBigUint64(142)).toBe(1n); // blob base fee 1 at excess 0
    expect(e.subarray(158).every((b) => b === 0)).toBe(true);
    const m = runTxMessage(env, Uint8Array.of(9, 8));
    expect([...m.subarray(ENV_BYTES)]).toEqual([9, 8]);
  });
  it('the blob base fee follows fake_exponential (EIP-4844)', () => {
    expect(blobBaseFee(0n)).toBe(1n);
    expect(fakeExponential(1n, 0n, 3338477n)).toBe(1n);
    // e^10 ≈ 22026.47, truncated by the integer series
    const v = Number(fakeExponential(1000n, 10n * 3338477n, 3338477n));
    expect(Math.abs(v - 22026465.79) / 22026465.79).toBeLessThan(1e-6);
    expect(blobBaseFee(10_000_000n)).toBeGreaterThan(blobBaseFee(9_000_000n));
  });
  it('refuses fields that do not fit', () => {
    expect(() => encodeEnv({ ...env, number: 1n << 64n })).toThrow(EnvRangeError);
    expect(() => encodeEnv({ ...env, baseFee: 1n << 256n })).toThrow(/currentBaseFee/);
  });
});
