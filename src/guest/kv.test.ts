import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { encodeBatch } from './clients/common.ts';
import { kvGet, kvSet, nonceOf } from './clients/kv.ts';
import { App, genesis, Receipt } from './run-app.ts';

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const enc = (s: string) => new TextEncoder().encode(s);

describe('kv app', () => {
  it('set', async () => {
    const app = new App('kv');
    const gs = genesis();
    const tx = await kvSet(alice, enc('hello'), enc('world'), { nonce: 0n });
    const r = app.run(gs, encodeBatch([tx]));
    console.log(r.steps, r.nativeMs, r.receipts);
    expect(r.receipts).toEqual({ message: Receipt.OK, txs: [Receipt.OK] });
    const tree = app.tree(r.globalState);
    expect(Buffer.from(kvGet(tree, alice.address, enc('hello')) ?? [])).toEqual(Buffer.from('world'));
    expect(nonceOf(tree, alice.address)).toBe(1n);
  });
});
