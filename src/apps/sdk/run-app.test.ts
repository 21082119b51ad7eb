/**
 * App.run's two paths agree: the node's native-only run (preimages read and hinted in place in the
 * store) and the checked run (native with an overlay store, plus the interpreter): the same global
 * states, receipts and store contents, over deposits, transfers, a brotli batch and an undecodable
 * message.
 */
import { describe, expect, it } from 'vitest';
import { fastAccount, fastTransfer } from '../../../test/node-utils.ts';
import { compressBatch } from '../../da/l1-calldata/compress.ts';
import {
  batchMessage,
  depositMessage,
  encodeTxList,
  MESSAGE_KIND,
} from '../../settlement/ethereum/message.ts';
import { TOKEN_CHAIN_ID } from '../token/client.ts';
import { runGenesis } from './app-entry.ts';
import { App } from './run-app.ts';

const alice = fastAccount(11);
const bob = fastAccount(12);

describe('App.run', () => {
  it('native-only (store in place) and native + interpreter give the same states, receipts and preimages', () => {
    const list = encodeTxList([
      fastTransfer(alice, bob.address, 10n, 0n),
      fastTransfer(alice, bob.address, 5n, 1n),
      fastTransfer(alice, bob.address, 1n, 7n), // bad nonce
    ]);
    const brotli = compressBatch(
      encodeTxList(Array.from({ length: 8 }, (_, i) => fastTransfer(bob, alice.address, 1n, BigInt(i)))),
    );
    expect(brotli).toBeDefined();
    const messages = [
      depositMessage(alice.address, 1_000n),
      batchMessage(MESSAGE_KIND.l2Transactions, list),
      Uint8Array.of(0x04, ...(brotli as Uint8Array)),
      Uint8Array.of(0x00, 0xff), // undecodable: an empty block by rule
    ];
    const fast = new App('token');
    const checked = new App('token');
    let a = runGenesis(fast, TOKEN_CHAIN_ID);
    let b = runGenesis(checked, TOKEN_CHAIN_ID);
    for (const [i, m] of messages.entries()) {
      const rf = fast.run(a, m, { interpret: false });
      const rc = checked.run(b, m);
      expect(rf.globalState, `message ${i}`).toEqual(rc.globalState);
      expect(rf.receipts, `message ${i}`).toEqual(rc.receipts);
      expect(rf.steps).toBe(0);
      expect(rc.steps).toBeGreaterThan(0);
      a = rf.globalState;
      b = rc.globalState;
    }
    expect(fast.store.keys().sort()).toEqual(checked.store.keys().sort());
  });
});
