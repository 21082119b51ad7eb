import { bytesToHex, keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import { DA_MAX_BATCH_BYTES } from '../../config/rules.ts';
import type { DaPointer } from '../../core/types.ts';
import { batchMessage, encodeTxList, MESSAGE_KIND } from '../../settlement/ethereum/message.ts';
import { DaBatchTooLargeError, DaInvalidPointerError } from '../errors.ts';
import { DA_POINTER_KIND, L1_CALLDATA_MAX_BATCH_BYTES, L1CalldataDa } from './l1-calldata.ts';

const da = new L1CalldataDa();

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('L1CalldataDa', () => {
  it('store returns the bytes themselves; retrieve gives them back', async () => {
    const data = encodeTxList([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
    const s = await da.store(data);
    expect(s.pointer).toEqual({ kind: 'calldata', data });
    expect(s.dataHash).toBe(keccak256(data));
    expect(s.usedFallback).toBe(false);
    expect(await da.retrieve(s.pointer)).toEqual(data);
    expect(da.checkPointer(s.pointer)).toBeUndefined();
  });

  it('the encoded pointer is the inbox message of a kind-0x00 batch: 0x00 ‖ transaction list', async () => {
    const txList = encodeTxList([Uint8Array.of(9, 9)]);
    const enc = da.encodePointer((await da.store(txList)).pointer);
    expect(bytesToHex(enc)).toBe(bytesToHex(batchMessage(MESSAGE_KIND.l2Transactions, txList)));
    expect(enc[0]).toBe(DA_POINTER_KIND.calldata);
    expect(da.decodePointer(enc)).toEqual({ kind: 'calldata', data: txList });
    // an empty payload round-trips too
    expect(da.decodePointer(Uint8Array.of(0))).toEqual({ kind: 'calldata', data: new Uint8Array(0) });
  });

  it('refuses a batch over maxBatchBytes (the sequencer seals smaller blocks)', async () => {
    expect(da.maxBatchBytes).toBe(L1_CALLDATA_MAX_BATCH_BYTES);
    expect(L1_CALLDATA_MAX_BATCH_BYTES).toBe(DA_MAX_BATCH_BYTES['l1-calldata']);
    await expect(da.store(new Uint8Array(da.maxBatchBytes))).resolves.toBeDefined();
    const e = await da.store(new Uint8Array(da.maxBatchBytes + 1)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DaBatchTooLargeError);
    expect((e as DaBatchTooLargeError).code).toBe('DA_BATCH_TOO_LARGE');
    const small = new L1CalldataDa({ maxBatchBytes: 10 });
    await expect(small.store(new Uint8Array(11))).rejects.toThrow(/over the l1-calldata limit of 10/);
    expect(() => new L1CalldataDa({ maxBatchBytes: 0 })).toThrow(RangeError);
  });

  it('malformed pointers: DA_INVALID_POINTER', async () => {
    expect(code(() => da.decodePointer(new Uint8Array(0)))).toBe('DA_INVALID_POINTER');
    expect(() => da.decodePointer(new Uint8Array(0))).toThrow(DaInvalidPointerError);
    expect(() => da.decodePointer(Uint8Array.of(0x01, 1, 2))).toThrow(/deposit message/);
    expect(() => da.decodePointer(Uint8Array.of(0x02))).toThrow(/read by the l1-blob module/);
    expect(() => da.decodePointer(Uint8Array.of(0x03, 0))).toThrow(/read by the committee module/);
    expect(() => da.decodePointer(Uint8Array.of(0xff))).toThrow(/unknown pointer kind 0xff/);
    expect(code(() => da.decodePointer('0x00' as unknown as Uint8Array))).toBe('DA_INVALID_POINTER');

    const blob: DaPointer = { kind: 'blob', versionedHashes: [] };
    expect(da.checkPointer(blob)).toMatch(/cannot resolve a "blob" pointer/);
    const e = await da.retrieve(blob).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DaInvalidPointerError);
    expect(code(() => da.encodePointer(blob))).toBe('DA_INVALID_POINTER');
    const noData = { kind: 'calldata', data: '0x01' } as unknown as DaPointer;
    expect(da.checkPointer(noData)).toMatch(/without data bytes/);
    expect(da.checkPointer(null as unknown as DaPointer)).toMatch(/not a pointer/);
  });
});
