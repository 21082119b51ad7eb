import { createBlockFromRPC, createBlockHeaderFromRPC } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { Bloom, encodeReceipt } from '@ethereumjs/vm';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { hexToBytes, parseTransaction, type TransactionSerialized } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { logsBloom, receiptEncoding } from './header.ts';
import { blockJson, receiptJson } from './json.ts';
import { hex } from './params.ts';
import type { TxRecord } from './records.ts';
import { assembleBlock, type TxView } from './view.ts';

const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
const account = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const log = (a: number, topics: number[], data: number[]) => ({
  address: new Uint8Array(20).fill(a),
  topics: topics.map((t) => new Uint8Array(32).fill(t)),
  data: Uint8Array.from(data),
});

async function txs(): Promise<TxView[]> {
  const raws = [
    await account.signTransaction({
      type: 'legacy',
      chainId: 1,
      nonce: 0,
      gas: 50_000n,
      gasPrice: 3n,
      to: `0x${'22'.repeat(20)}`,
      value: 5n,
    }),
    await account.signTransaction({
      type: 'eip1559',
      chainId: 1,
      nonce: 1,
      gas: 90_000n,
      maxFeePerGas: 10n,
      maxPriorityFeePerGas: 2n,
      data: '0x6001600055',
    }),
  ];
  const records: TxRecord[] = [
    {
      success: true,
      gasUsed: 21_000n,
      from: hexToBytes(account.address),
      logs: [log(0xaa, [1, 2], [9, 9]), log(0xbb, [], [])],
    },
    {
      success: false,
      gasUsed: 40_000n,
      from: hexToBytes(account.address),
      contractAddress: new Uint8Array(20).fill(0xcc),
      logs: [log(0xaa, [3], [])],
    },
  ];
  let gas = 0n;
  let logs = 0;
  return raws.map((r, i) => {
    const raw = hexToBytes(r);
    gas += records[i].gasUsed;
    const t: TxView = {
      hash: hex(keccak_256(raw)),
      raw,
      index: i,
      batchIndex: i + 1,
      type: raw[0] < 0x7f ? raw[0] : 0,
      tx: parseTransaction(r as TransactionSerialized),
      record: records[i],
      cumulativeGasUsed: gas,
      firstLogIndex: logs,
      effectiveGasPrice: i === 0 ? 3n : 2n,
    };
    logs += records[i].logs.length;
    return t;
  });
}

describe('the Ethereum view of a block (docs/evm-rpc.md §3)', () => {
  it('hashes its header as @ethereumjs/block does from the JSON it answers; transactions root, bloom and receipts agree', async () => {
    const t = await txs();
    const b = assembleBlock(
      5,
      'k',
      new Uint8Array(32).fill(7),
      new Uint8Array(32).fill(8),
      t,
      1_765_000_000n,
    );
    const json = blockJson(b, true);
    expect(json.timestamp).toBe('0x6933c340'); // the chain's time (the last L1 tick), in the hashed header
    const header = createBlockHeaderFromRPC(json as never, { common });
    expect(hex(header.hash())).toBe(b.hash);
    const block = createBlockFromRPC(json as never, [], { common });
    expect(hex(block.hash())).toBe(b.hash);
    expect(await block.transactionsTrieIsValid()).toBe(true);
    expect(block.transactions.map((x) => hex(x.hash()))).toEqual(t.map((x) => x.hash));
    expect(block.transactions[1].getSenderAddress().toString()).toBe(account.address.toLowerCase());
    // the bloom of all logs, and each receipt's consensus encoding, as ethereumjs computes them
    const bloom = new Bloom();
    for (const x of t)
      for (const l of x.record.logs) {
        bloom.add(l.address);
        for (const topic of l.topics) bloom.add(topic);
      }
    expect(hex(b.header.logsBloom)).toBe(hex(bloom.bitvector));
    for (const x of t) {
      const mine = receiptEncoding(
        x.type,
        x.record.success,
        x.cumulativeGasUsed,
        logsBloom(x.record.logs),
        x.record.logs,
      );
      const theirs = encodeReceipt(
        {
          status: x.record.success ? 1 : 0,
          cumulativeBlockGasUsed: x.cumulativeGasUsed,
          bitvector: logsBloom(x.record.logs),
          logs: x.record.logs.map((l) => [l.address, l.topics, l.data]),
        } as never,
        x.type as never,
      );
      expect(hex(mine)).toBe(hex(theirs));
    }
    // receipts: logIndex counts across the block; contractAddress from the record
    const r1 = receiptJson(b, t[1]);
    expect(r1.logs[0].logIndex).toBe('0x2');
    expect(r1).toMatchObject({
      status: '0x0',
      contractAddress: `0x${'cc'.repeat(20)}`,
      cumulativeGasUsed: '0xee48',
      type: '0x2',
    });
  });

  it('a different parent, state root or transaction list changes the hash', async () => {
    const t = await txs();
    const h = assembleBlock(5, 'k', new Uint8Array(32), new Uint8Array(32), t).hash;
    expect(assembleBlock(5, 'k', new Uint8Array(32).fill(1), new Uint8Array(32), t).hash).not.toBe(h);
    expect(assembleBlock(5, 'k', new Uint8Array(32), new Uint8Array(32).fill(1), t).hash).not.toBe(h);
    expect(assembleBlock(5, 'k', new Uint8Array(32), new Uint8Array(32), t.slice(0, 1)).hash).not.toBe(h);
    expect(assembleBlock(5, 'k', new Uint8Array(32), new Uint8Array(32), t, 1n).hash).not.toBe(h);
  });
});
