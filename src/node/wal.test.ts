import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frameRecord, parseRecords, Wal } from './wal.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'modex-wal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rec = (i: number, len = 40) =>
  new Uint8Array(len).fill(i & 0xff).map((x, j) => (j < 4 ? (i >> (8 * j)) & 0xff : x));
const texts = (rs: { payload: Uint8Array }[]) => rs.map((r) => Buffer.from(r.payload).toString('hex'));
const onlyFile = (dir: string) => join(dir, readdirSync(dir).filter((n) => n.endsWith('.wal'))[0]);

describe('wal', () => {
  it('replays acknowledged records in order; concurrent appends share fsyncs (group commit)', async () => {
    const dir = tmp();
    const { wal, replay } = await Wal.open(dir);
    expect(replay.records).toEqual([]);
    const n = 2_000;
    const lat: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const s = performance.now();
        await wal.append(rec(i));
        lat.push(performance.now() - s);
      }),
    );
    const ms = performance.now() - t0;
    const st = wal.stats;
    expect(st.records).toBe(n);
    expect(st.fsyncs).toBeLessThan(n / 4);
    // one lone append: the cost of a single write + fdatasync on this disk
    const single: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = performance.now();
      await wal.append(rec(n + i));
      single.push(performance.now() - s);
    }
    single.sort((a, b) => a - b);
    lat.sort((a, b) => a - b);
    console.log(
      `wal: ${n} concurrent appends in ${ms.toFixed(1)} ms with ${st.fsyncs} fsyncs ` +
        `(mean round ${(st.fsyncMsTotal / st.fsyncs).toFixed(2)} ms, max ${st.fsyncMsMax.toFixed(2)} ms); ` +
        `append latency p50 ${lat[n >> 1].toFixed(2)} ms p99 ${lat[Math.floor(n * 0.99)].toFixed(2)} ms; ` +
        `lone append+fsync p50 ${single[10].toFixed(2)} ms`,
    );
    await wal.close();
    const again = await Wal.open(dir);
    expect(again.replay.tornBytes).toBe(0);
    expect(texts(again.replay.records)).toEqual(
      texts(Array.from({ length: n + 20 }, (_, i) => ({ payload: rec(i) }))),
    );
    await again.wal.close();
  });

  it('drops a torn last record (crash mid-write) and keeps appending after it', async () => {
    const dir = tmp();
    const { wal } = await Wal.open(dir);
    for (let i = 0; i < 3; i++) await wal.append(rec(i));
    await wal.close();
    const file = onlyFile(dir);
    const good = statSync(file).size;
    // a record whose header promises 100 bytes, of which only 10 reached the disk
    appendFileSync(file, frameRecord(rec(3, 100)).subarray(0, 18));
    const r = await Wal.open(dir);
    expect(r.replay.tornBytes).toBe(18);
    expect(texts(r.replay.records)).toEqual(texts([0, 1, 2].map((i) => ({ payload: rec(i) }))));
    expect(statSync(file).size).toBe(good);
    await r.wal.append(rec(4));
    await r.wal.close();
    const r2 = await Wal.open(dir);
    expect(r2.replay.tornBytes).toBe(0);
    expect(texts(r2.replay.records)).toEqual(texts([0, 1, 2, 4].map((i) => ({ payload: rec(i) }))));
    await r2.wal.close();
  });

  it('a torn header (fewer than 8 bytes) and a bad checksum are both detected', async () => {
    for (const damage of ['header', 'checksum'] as const) {
      const dir = tmp();
      const { wal } = await Wal.open(dir);
      for (let i = 0; i < 4; i++) await wal.append(rec(i));
      await wal.close();
      const file = onlyFile(dir);
      if (damage === 'header') appendFileSync(file, Buffer.from([0, 0, 0]));
      else {
        const data = readFileSync(file);
        data[data.length - 1] ^= 1; // last record's payload
        writeFileSync(file, data);
      }
      const r = await Wal.open(dir);
      expect(r.replay.records.length).toBe(damage === 'header' ? 4 : 3);
      expect(r.replay.tornBytes).toBeGreaterThan(0);
      await r.wal.close();
    }
  });

  it('a damaged record drops everything appended after it, in later segments too', async () => {
    const dir = tmp();
    const { wal } = await Wal.open(dir);
    await wal.append(rec(0));
    await wal.append(rec(1));
    wal.rotate(10);
    await wal.append(rec(2));
    await wal.close();
    const first = join(dir, readdirSync(dir).sort()[0]);
    const data = readFileSync(first);
    data[data.length - 1] ^= 0xff;
    writeFileSync(first, data);
    const r = await Wal.open(dir);
    expect(texts(r.replay.records)).toEqual(texts([{ payload: rec(0) }]));
    expect(readdirSync(dir)).toHaveLength(1);
    await r.wal.close();
  });

  it('rotates segments and truncates the ones whose records are all persisted', async () => {
    const dir = tmp();
    const { wal } = await Wal.open(dir);
    await wal.append(rec(0)); // segment 0: position 0
    wal.rotate(1);
    await wal.append(rec(1)); // segment 1: positions 1..2
    await wal.append(rec(2));
    wal.rotate(3);
    await wal.append(rec(3)); // segment 3
    expect(readdirSync(dir)).toHaveLength(3);
    expect(await wal.truncate(1)).toBe(1); // position 0 persisted
    expect(await wal.truncate(2)).toBe(0); // segment 1 still has position 2
    expect(await wal.truncate(3)).toBe(1);
    expect(await wal.truncate(100)).toBe(0); // never the current segment
    wal.rotate(4);
    expect(await wal.truncate(4)).toBe(1);
    expect(wal.stats.segments).toBe(0);
    await wal.append(rec(4));
    await wal.close();
    const r = await Wal.open(dir);
    expect(r.replay.records.map((x) => x.segment)).toEqual([4]);
    expect(() => r.wal.rotate(3)).toThrow(RangeError);
    await r.wal.close();
  });

  it('parseRecords refuses a length beyond the limit', () => {
    const f = frameRecord(new Uint8Array(64));
    expect(parseRecords(f, 1024).payloads).toHaveLength(1);
    expect(parseRecords(f, 32)).toEqual({ payloads: [], end: 0 });
  });
});
