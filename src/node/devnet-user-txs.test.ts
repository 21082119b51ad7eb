import { hexToBytes, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { signTransaction } from '../client/sign.ts';
import { encodeTxList } from '../settlement/ethereum/message.ts';
import { envelopeSender, UserTxTracker } from './devnet-user-txs.ts';

const demo = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const user = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const tx = async (a: typeof demo, nonce: number) =>
  hexToBytes(await signTransaction({ account: a, app: 2, op: 1, chainId: 412346, nonce, args: '0x01' }));

describe("devnet: the user's own transactions", () => {
  it('recovers the signer of an SDK envelope; nothing for other bytes', async () => {
    expect(envelopeSender(await tx(user, 0))).toBe(user.address.toLowerCase());
    expect(envelopeSender(new Uint8Array(100))).toBeUndefined();
    expect(envelopeSender(new Uint8Array(3))).toBeUndefined();
  });

  it('keeps the transactions the workload did not send, newest first', async () => {
    const blocks = [
      [await tx(demo, 0), await tx(user, 0)],
      [await tx(user, 1), new Uint8Array([9, 9, 9])],
    ];
    const stored = blocks.map((txs, n) => ({
      kind: 'batch' as const,
      message: `0x00${Buffer.from(encodeTxList(txs)).toString('hex')}` as const,
      receipts: txs.map((_, i) => (i === 0 ? 0 : 3)),
      txHashes: txs.map((t) => keccak256(t)),
      number: n,
    }));
    const seq = {
      head: 0,
      receiptNames: ['ok', 'malformed', 'bad_signature', 'insufficient_balance'],
      block: (n: number) => (n <= seq.head ? stored[n] : null),
    };
    const t = new UserTxTracker([demo.address]);
    t.scan(seq as never);
    expect(t.count).toBe(1);
    expect(t.recent).toEqual([
      {
        hash: keccak256(blocks[0][1]),
        block: 0,
        index: 1,
        status: 'insufficient_balance',
        from: user.address.toLowerCase(),
      },
    ]);
    seq.head = 1;
    t.scan(seq as never);
    t.scan(seq as never); // a block is looked at once
    expect(t.count).toBe(3);
    expect(t.recent.map((x) => [x.block, x.index, x.status, x.from])).toEqual([
      [1, 1, 'insufficient_balance', undefined],
      [1, 0, 'ok', user.address.toLowerCase()],
      [0, 1, 'insufficient_balance', user.address.toLowerCase()],
    ]);
  });

  it("leaves out the workload's transactions reported by hash, whatever their format", async () => {
    const evmLike = [new Uint8Array([0x02, 1, 2, 3]), new Uint8Array([0x02, 4, 5, 6])];
    const seq = {
      head: 0,
      receiptNames: ['ok'],
      block: () => ({
        kind: 'batch' as const,
        message: `0x00${Buffer.from(encodeTxList(evmLike)).toString('hex')}` as const,
        receipts: [0, 0],
        txHashes: evmLike.map((t) => keccak256(t)),
        number: 0,
      }),
    };
    const t = new UserTxTracker([demo.address]);
    t.excludeHash(keccak256(evmLike[0]).toUpperCase().replace('0X', '0x'));
    t.scan(seq as never);
    expect(t.count).toBe(1);
    expect(t.recent.map((x) => [x.hash, x.index, x.from])).toEqual([[keccak256(evmLike[1]), 1, undefined]]);
  });
});
