import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockStore, Store, type StoredBlock } from './store.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'modex-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const;

const block = (number: number, txs: number): StoredBlock => ({
  number,
  kind: 'batch',
  messageHash: h(1000 + number),
  stateRoot: h(2000 + number),
  sendRoot: h(0),
  status: 0,
  receipts: Array.from({ length: txs }, (_, i) => i % 2),
  txCount: txs,
  delayedRead: 1,
  sealedAt: 1_700_000_000_000 + number,
});

describe('store (lmdb)', () => {
  it('typed tables: atomic writes, reads, ranges, persistence across reopen', async () => {
    const dir = join(tmp(), 'sequencer', 'store');
    const s = Store.open(dir);
    const nums = s.table<{ a: number; b: Uint8Array }, number>('nums', { keyEncoding: 'uint32' });
    const raw = s.table<Uint8Array, string>('raw', { encoding: 'binary' });
    await s.write(() => {
      for (let i = 0; i < 10; i++) nums.put(i, { a: i * i, b: Uint8Array.of(i) });
      raw.put('x', Uint8Array.of(1, 2, 3));
    });
    expect(nums.get(3)?.a).toBe(9);
    expect([...nums.get(3)!.b]).toEqual([3]);
    expect(nums.count()).toBe(10);
    expect(nums.last()?.key).toBe(9);
    expect([...nums.range({ start: 2, end: 5 })].map((e) => e.key)).toEqual([2, 3, 4]);
    expect([...raw.get('x')!]).toEqual([1, 2, 3]);
    expect(raw.has('y')).toBe(false);
    await s.write(() => nums.remove(9));
    await s.close();

    const s2 = Store.open(dir);
    const n2 = s2.table<{ a: number }, number>('nums', { keyEncoding: 'uint32' });
    expect(n2.count()).toBe(9);
    expect(n2.get(8)?.a).toBe(64);
    await s2.close();
  });

  it('block store: dense blocks, messages, tx index, meta; survives reopen', async () => {
    const dir = tmp();
    const bs = BlockStore.open(dir);
    expect(bs.head).toBe(0);
    expect(bs.delayedRead).toBe(0);
    await bs.putBlock(block(0, 2), Uint8Array.of(0, 0, 0, 0, 0), [h(1), h(2)]);
    await expect(bs.putBlock(block(5, 0), Uint8Array.of(0), [])).rejects.toThrow(RangeError);
    await bs.putBlock(block(1, 1), Uint8Array.of(7), [h(3)]);
    await bs.setMeta('x', { y: 1 });
    await bs.close();

    const again = BlockStore.open(dir);
    expect(again.head).toBe(2);
    expect(again.delayedRead).toBe(1);
    expect(again.block(1)).toEqual(block(1, 1));
    expect(again.block(2)).toBeUndefined();
    expect(again.block(-1)).toBeUndefined();
    expect([...again.message(1)!]).toEqual([7]);
    expect(again.txHashes(0)).toEqual([h(1), h(2)]);
    expect(again.tx(h(2))).toEqual({ block: 0, index: 1, status: 1 });
    expect(again.tx(h(3).toUpperCase().replace('0X', '0x'))).toEqual({ block: 1, index: 0, status: 0 });
    expect(again.hasTx(h(9))).toBe(false);
    expect(again.getMeta('x')).toEqual({ y: 1 });
    await again.close();
  });

  it('block store: a store holding only block 0 reopens with head 1 (uint32 key 0)', async () => {
    const dir = tmp();
    const bs = BlockStore.open(dir);
    await bs.putBlock(block(0, 0), Uint8Array.of(0, 0, 0, 0, 0), [h(1)]);
    await bs.close();
    const again = BlockStore.open(dir);
    expect(again.head).toBe(1);
    expect(again.block(0)).toEqual(block(0, 0));
    await again.close();
  });
});

describe('BlockStore recovery records (docs/node.md §2.2)', () => {
  it('truncate drops the blocks and their index entries and records the displaced list atomically; endRecovery records the dropped', async () => {
    const dir = tmp();
    const s = BlockStore.open(dir);
    for (let n = 0; n < 4; n++) await s.putBlock(block(n, 2), Uint8Array.of(n), [h(10 * n), h(10 * n + 1)]);
    await s.setL1Agreed({ n: 1, accumulator: h(91) });
    await s.setL1Agreed({ n: 3, accumulator: h(93) });
    const displaced = [{ raw: Uint8Array.of(7, 7), hash: h(20), block: 2, index: 0 }];
    const l1 = [
      { kind: 'delayed' as const, message: Uint8Array.of(0, 1), txs: [Uint8Array.of(1)], delayedIndex: 1 },
    ];
    await s.truncate(2, { from: 2, l1, displaced });
    expect(s.head).toBe(2);
    expect([s.block(2), s.message(3), s.tx(h(21)), s.txHashes(2)]).toEqual([
      undefined,
      undefined,
      undefined,
      [],
    ]);
    expect(s.tx(h(11))).toEqual({ block: 1, index: 1, status: 1 });
    // the agreed position above the truncation is gone, the one below kept
    expect(s.l1AgreedHistory).toEqual([{ n: 1, accumulator: h(91) }]);
    await expect(s.truncate(5, { from: 5, l1: [], displaced: [] })).rejects.toThrow(/cannot truncate to 5/);
    await s.close();

    const again = BlockStore.open(dir);
    expect(again.head).toBe(2);
    expect(again.recovery).toEqual({ from: 2, l1, displaced });
    expect(again.recovery?.displaced[0].raw).toBeInstanceOf(Uint8Array);
    expect(again.recovery?.l1[0].txs[0]).toBeInstanceOf(Uint8Array);
    const d = { block: 2, index: 0, reason: 'bad_nonce', appCode: 5, recoveredAt: 2, droppedAt: 1 };
    await again.endRecovery([[h(20), d]]);
    expect(again.recovery).toBeUndefined();
    expect(again.dropped(h(20))).toEqual(d);
    expect(again.dropped(h(21))).toBeUndefined();
    // a later agreed position supersedes those at or above it; 16 are kept
    for (let n = 2; n < 30; n++) await again.setL1Agreed({ n, accumulator: h(n) });
    await again.setL1Agreed({ n: 20, accumulator: h(200) });
    expect(again.l1Agreed).toEqual({ n: 20, accumulator: h(200) });
    expect(again.l1AgreedHistory.map((x) => x.n)).toEqual([14, 15, 16, 17, 18, 19, 20]);
    await again.close();
  });
});
