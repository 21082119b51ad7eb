import { bytesToHex, keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import { encodeBatch } from '../../apps/sdk/client-common.ts';
import { depositMessage as tokenDepositMessage } from '../../apps/token/client.ts';
import { messageHash as proofMessageHash } from '../../vm/wasm/proof.ts';
import {
  accumulate,
  accumulators,
  batchMessage,
  decodeDeposit,
  decodeTxList,
  depositMessage,
  encodeTxList,
  messageHashHex,
  txListMessage,
} from './message.ts';

const ZERO = `0x${'00'.repeat(32)}` as const;

describe('inbox messages (docs/inbox.md §2-§4)', () => {
  it('deposit bytes are 0x01 ‖ to ‖ amount (the token client agrees) and decode back', () => {
    const to = '0x00000000000000000000000000000000000000aa' as const;
    const m = depositMessage(to, 10n ** 18n + 1n);
    expect(m.length).toBe(53);
    expect(m[0]).toBe(1);
    expect(bytesToHex(m)).toBe(bytesToHex(tokenDepositMessage(to, 10n ** 18n + 1n)));
    expect(decodeDeposit(m)).toEqual({ to, amount: 10n ** 18n + 1n });
    expect(decodeDeposit(m.subarray(0, 52))).toBeUndefined();
    expect(() => depositMessage(to, -1n)).toThrow(RangeError);
  });

  it('transaction lists: kind 0x00 ‖ count ‖ (len ‖ tx)*, as the guest clients encode them', () => {
    const txs = [Uint8Array.of(1, 2, 3), new Uint8Array(0), new Uint8Array(70).fill(7)];
    const list = encodeTxList(txs);
    expect(bytesToHex(txListMessage(list))).toBe(bytesToHex(encodeBatch(txs)));
    expect(bytesToHex(batchMessage(0, list))).toBe(bytesToHex(encodeBatch(txs)));
    expect(decodeTxList(list)?.map((t) => bytesToHex(t))).toEqual(txs.map((t) => bytesToHex(t)));
    expect(decodeTxList(list.subarray(0, list.length - 1))).toBeUndefined();
    expect(decodeTxList(Uint8Array.of(0, 0, 0))).toBeUndefined();
    expect(decodeTxList(Uint8Array.of(0, 0, 0, 0, 9))).toBeUndefined();
    expect(decodeTxList(Uint8Array.of(0, 0, 0, 0))).toEqual([]);
  });

  it('accumulator: acc(p + 1) = keccak(acc(p) ‖ keccak(message))', () => {
    const msgs = [Uint8Array.of(0), Uint8Array.of(1, 2), new Uint8Array(0)];
    const accs = accumulators(msgs);
    let acc: `0x${string}` = ZERO;
    for (const [i, m] of msgs.entries()) {
      acc = keccak256(`0x${acc.slice(2)}${keccak256(m).slice(2)}`);
      expect(accs[i]).toBe(acc);
    }
    expect(accumulate(accs[0], msgs[1])).toBe(accs[1]);
  });

  it('messageHash is the machine’s §6.2 commitment (proof.ts)', () => {
    for (const len of [0, 1, 33, 100]) {
      const m = new Uint8Array(len).map((_, i) => i * 7);
      expect(messageHashHex(m)).toBe(bytesToHex(proofMessageHash(m)));
    }
  });
});
