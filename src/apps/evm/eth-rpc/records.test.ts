import { describe, expect, it } from 'vitest';
import { InvalidParamsError } from '../../../node/errors.ts';
import { EvmGuestError } from '../guest.ts';
import { blockRef, data, quantity } from './params.ts';
import {
  callQuery,
  encodeTxRecord,
  parseAccount,
  parseCallResult,
  parseTxRecord,
  recordQuery,
} from './records.ts';

describe('the guest records the RPC reads (docs/evm.md §4)', () => {
  const rec = {
    success: true,
    gasUsed: 51_234n,
    from: new Uint8Array(20).fill(1),
    contractAddress: new Uint8Array(20).fill(2),
    logs: [
      {
        address: new Uint8Array(20).fill(3),
        topics: [new Uint8Array(32).fill(4)],
        data: Uint8Array.of(5, 6),
      },
      { address: new Uint8Array(20).fill(7), topics: [], data: new Uint8Array(0) },
    ],
  };

  it('a result record parses back; no created address is 20 zero bytes', () => {
    const bytes = encodeTxRecord(rec);
    expect(bytes.length).toBe(53 + 21 + 32 + 4 + 2 + 21 + 4);
    expect(parseTxRecord(bytes)).toEqual(rec);
    const plain = parseTxRecord(encodeTxRecord({ ...rec, contractAddress: undefined, success: false }));
    expect(plain.contractAddress).toBeUndefined();
    expect(plain.success).toBe(false);
  });

  it('a truncated, padded or bad-status record is refused', () => {
    const bytes = encodeTxRecord(rec);
    expect(() => parseTxRecord(bytes.subarray(0, bytes.length - 1))).toThrow(EvmGuestError);
    expect(() => parseTxRecord(Uint8Array.of(...bytes, 0))).toThrow(/after the last log/);
    expect(() => parseTxRecord(Uint8Array.of(2, ...bytes.subarray(1)))).toThrow(/status 2/);
  });

  it('query layouts: record key, call message, call answer, account', () => {
    expect(Buffer.from(recordQuery(258, 3)).toString('hex')).toBe(`0112${'0000000000000102'}00000003`);
    const q = callQuery({
      number: 9n,
      from: new Uint8Array(20).fill(1),
      gas: 100n,
      value: 255n,
      data: Uint8Array.of(0xaa),
    });
    expect(q.length).toBe(1 + 8 + 20 + 20 + 1 + 8 + 32 + 1);
    expect(q[49]).toBe(1); // isCreate: no `to`
    expect(q[q.length - 2]).toBe(255);
    expect(parseCallResult(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 7, 0xbe))).toEqual({
      success: true,
      gasUsed: 7n,
      returnData: Uint8Array.of(0xbe),
    });
    expect(() => parseCallResult(Uint8Array.of(1))).toThrow(EvmGuestError);
    const acct = new Uint8Array(100);
    acct[27] = 3;
    acct[59] = 9;
    expect(parseAccount(acct)).toEqual({ nonce: 3n, balance: 9n });
    expect(parseAccount(new Uint8Array(0))).toEqual({ nonce: 0n, balance: 0n });
  });

  it('params: block tags and numbers, errors name the param', () => {
    expect(blockRef('pending')).toEqual({ tag: 'latest' });
    expect(blockRef('finalized')).toEqual({ tag: 'latest' });
    expect(blockRef('earliest')).toEqual({ tag: 'earliest' });
    expect(blockRef('0x1f')).toEqual({ number: 31 });
    expect(blockRef({ blockHash: `0x${'ab'.repeat(32)}` })).toEqual({ hash: `0x${'ab'.repeat(32)}` });
    expect(() => blockRef('0xzz', 'newestBlock')).toThrow(/newestBlock must be/);
    expect(() => blockRef(12)).toThrow(InvalidParamsError);
    expect(() => quantity('12', 'transaction.gas')).toThrow(/transaction.gas must be a 0x quantity/);
    expect(data('0x00ff10', 'transaction')).toEqual(Uint8Array.of(0, 255, 16));
    expect(data('0x', 'input')).toEqual(new Uint8Array(0));
    for (const bad of ['0x0g', '0xabc', 'ab', '0x 1', 7])
      expect(() => data(bad, 'transaction')).toThrow(/transaction must be 0x-prefixed hex bytes/);
  });
});
