/**
 * The record stream (docs/validity.md §5): every rule of what makes a record and what does not, the
 * 160-byte layout, chunking with padding and the chunk's record words.
 */
import { describe, expect, it } from 'vitest';
import { encodeTxList, tickMessage } from '../../settlement/ethereum/message.ts';
import { zkCrypto } from './crypto.ts';
import {
  chunkRecords,
  decodeRecord,
  onBabyJub,
  RECORD_LEN,
  recordsOf,
  recordWordCount,
  recordWords,
  UnprovableMessageError,
} from './records.ts';
import { accountAddress, encodeTx, signTx, writeBE, ZOP } from './tx.ts';

const z = await zkCrypto();
const CHAIN = 412n;
const prv = Uint8Array.from({ length: 32 }, (_, j) => j + 1);
const key = z.publicKey(prv);

const transfer = signTx(z, prv, {
  op: ZOP.transfer,
  chainId: CHAIN,
  nonce: 5n,
  from: 7,
  to: 9,
  amount: 123n,
});
const withdraw = signTx(z, prv, {
  op: ZOP.withdraw,
  chainId: CHAIN,
  nonce: 6n,
  from: 7,
  to: 0xabcdef0123456789abcdef0123456789abcdef01n,
  amount: 77n,
});
const open = signTx(z, prv, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: 7, key });

const list = (...txs: Uint8Array[]) => {
  const l = encodeTxList(txs);
  const m = new Uint8Array(1 + l.length);
  m.set(l, 1);
  return m;
};
function deposit(to: Uint8Array, amount: bigint, len = 53): Uint8Array {
  const m = new Uint8Array(len);
  m[0] = 0x01;
  m.set(to.subarray(0, Math.min(20, len - 1)), 1);
  if (len >= 53) writeBE(m, 21, amount, 32);
  return m;
}
const addr = accountAddress(z, 7, key);

describe('ztoken records', () => {
  it('a transfer, a withdrawal, an open and a deposit give one record each, in order', () => {
    const recs = recordsOf(
      [list(encodeTx(transfer), encodeTx(withdraw)), deposit(addr, 1000n), list(encodeTx(open))],
      CHAIN,
    );
    expect(recs.map((r) => r.length)).toEqual([RECORD_LEN, RECORD_LEN, RECORD_LEN, RECORD_LEN]);
    const [t, w, d, o] = recs.map(decodeRecord);
    const sig = (s: typeof transfer.sig) => ({ R8x: s.R8[0], R8y: s.R8[1], S: s.S });
    expect(t).toEqual({ op: 1, nonce: 5n, idx: 7, amount: 123n, aySign: 0, A: 9n, ...sig(transfer.sig) });
    expect(w).toEqual({
      op: 2,
      nonce: 6n,
      idx: 7,
      amount: 77n,
      aySign: 0,
      A: 0xabcdef0123456789abcdef0123456789abcdef01n,
      ...sig(withdraw.sig),
    });
    expect(d).toEqual({
      op: 4,
      nonce: 0n,
      idx: 0,
      amount: 1000n,
      aySign: 0,
      A: BigInt(`0x${Buffer.from(addr).toString('hex')}`),
      R8x: 0n,
      R8y: 0n,
      S: 0n,
    });
    expect(o).toEqual({
      op: 3,
      nonce: 0n,
      idx: 7,
      amount: 0n,
      aySign: Number(key[1] & 1n),
      A: key[0],
      ...sig(open.sig),
    });
    // the byte layout: op at 0, nonce at 1, idx at 9, amount at 11, aySign at 27, zero 28..32
    expect(recs[0][0]).toBe(1);
    expect(recs[0][8]).toBe(5);
    expect(recs[0][10]).toBe(7);
    expect(recs[0][26]).toBe(123);
    expect(recs[0][63]).toBe(9);
    expect([...recs[3].subarray(28, 32)]).toEqual([0, 0, 0, 0]);
  });

  it('transactions the STF rejects whatever the state give no record', () => {
    const t = encodeTx(transfer);
    const bad = (at: number, v: number) => {
      const b = Uint8Array.from(t);
      b[at] = v;
      return b;
    };
    const txs = [
      t.subarray(0, t.length - 1), // wrong length
      Uint8Array.from([...t, 0]), // wrong length
      bad(0, 0x01), // another app
      bad(1, 0x04), // unknown op
      bad(1, 0x02), // op 2 with a transfer's length
      bad(9, t[9] ^ 1), // another chain id
      new Uint8Array(0),
    ];
    for (const x of txs) expect(recordsOf([list(x)], CHAIN)).toEqual([]);
    expect(recordsOf([list(t)], CHAIN + 1n)).toEqual([]);
    expect(recordsOf([list(...txs, t)], CHAIN)).toHaveLength(1);
  });

  it('an open whose key is off the curve or not a field element gives no record', () => {
    const o = encodeTx(open);
    expect(recordsOf([list(o)], CHAIN)).toHaveLength(1);
    const offCurve = Uint8Array.from(o);
    offCurve[83] ^= 1; // ay's low bit
    expect(onBabyJub(key[0], key[1] ^ 1n)).toBe(false);
    expect(recordsOf([list(offCurve)], CHAIN)).toEqual([]);
    // (0, 1) is on the curve (the identity): a record; the circuit rejects it as bad_key
    const id = Uint8Array.from(o);
    id.fill(0, 20, 84);
    id[83] = 1;
    expect(recordsOf([list(id)], CHAIN)).toHaveLength(1);
    // ay + p is the same point mod p but not a field element
    const big = Uint8Array.from(o);
    writeBE(big, 52, key[1] + z.p, 32);
    expect(key[1] + z.p < 1n << 256n).toBe(true);
    expect(recordsOf([list(big)], CHAIN)).toEqual([]);
  });

  it('a deposit of another length or an amount ≥ 2^128 gives no record', () => {
    expect(recordsOf([deposit(addr, (1n << 128n) - 1n)], CHAIN)).toHaveLength(1);
    expect(recordsOf([deposit(addr, 1n << 128n)], CHAIN)).toEqual([]);
    expect(recordsOf([deposit(addr, 1n, 52)], CHAIN)).toEqual([]);
    expect(recordsOf([Uint8Array.from([...deposit(addr, 1n), 0])], CHAIN)).toEqual([]);
  });

  it('a list that does not decode, trailing bytes, an unknown kind or an empty message: no record', () => {
    const l = list(encodeTx(transfer));
    expect(recordsOf([l.subarray(0, l.length - 1)], CHAIN)).toEqual([]);
    expect(recordsOf([Uint8Array.from([...l, 0])], CHAIN)).toEqual([]);
    const count2 = Uint8Array.from(l);
    count2[4] = 2; // says 2 transactions, holds 1
    expect(recordsOf([count2], CHAIN)).toEqual([]);
    expect(recordsOf([Uint8Array.from([0x00, 0, 0])], CHAIN)).toEqual([]);
    const other = Uint8Array.from(l);
    other[0] = 0x05;
    expect(recordsOf([other, new Uint8Array(0), Uint8Array.from([0xff])], CHAIN)).toEqual([]);
    // an L1 tick (docs/inbox.md §6.4, kind 0x05) is no record (ZTokenBinding: kinds above 0x04 give none)
    expect(recordsOf([tickMessage(1_765_000_000n, 23_000_000n)], CHAIN)).toEqual([]);
  });

  it('blob, certified and brotli batches are refused with their position', () => {
    for (const kind of [0x02, 0x03, 0x04]) {
      const m = Uint8Array.from([kind, 1, 2, 3]);
      let err: unknown;
      try {
        recordsOf([list(encodeTx(transfer)), m], CHAIN, 40n);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnprovableMessageError);
      expect((err as UnprovableMessageError).position).toBe(41n);
      expect((err as UnprovableMessageError).code).toBe('ZTOKEN_UNPROVABLE_MESSAGE');
      expect(String(err)).toMatch(/l1-calldata/);
    }
  });

  it('chunks of T, the last padded with zero records, and the record words', () => {
    const recs = recordsOf([list(encodeTx(transfer), encodeTx(withdraw), encodeTx(open))], CHAIN);
    const chunks = chunkRecords(recs, 2);
    expect(chunks).toHaveLength(2);
    expect(chunks[1][0]).toEqual(recs[2]);
    expect(chunks[1][1]).toEqual(new Uint8Array(RECORD_LEN));
    expect(chunkRecords([], 2)).toEqual([[new Uint8Array(RECORD_LEN), new Uint8Array(RECORD_LEN)]]);
    expect(chunkRecords(recs.slice(0, 2), 2)).toHaveLength(1);
    // 320 bytes in 31-byte words: 10 full words and 10 bytes followed by 21 zero bytes
    expect([1, 2, 3, 4].map(recordWordCount)).toEqual([6, 11, 16, 21]);
    const hex = Buffer.concat(chunks[0])
      .toString('hex')
      .padEnd(11 * 62, '0');
    const words = recordWords(chunks[0]);
    expect(words).toEqual(
      Array.from({ length: 11 }, (_, i) => BigInt(`0x${hex.slice(62 * i, 62 * i + 62)}`)),
    );
    expect(words.every((w) => w < 1n << 248n && w < z.p)).toBe(true);
    expect(words[10] & ((1n << 168n) - 1n)).toBe(0n);
    expect(recordWords(chunks[1])).not.toEqual(words);
    expect(recordWords(chunks[1]).slice(6)).toEqual([0n, 0n, 0n, 0n, 0n]); // the padding record
    expect(() => recordWords([new Uint8Array(159)])).toThrow(RangeError);
    expect(() => chunkRecords(recs, 0)).toThrow(RangeError);
  });
});
