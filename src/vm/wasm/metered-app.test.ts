/**
 * A transaction that never halts, traps, or recurses without end fails alone (docs/app-abi.md §5,
 * docs/machine.md §3.7): the looper test app (guest/test-apps/looper) on the SDK, whose every
 * transaction runs under a metered call. Each message runs natively and in the interpreter
 * (App.run: both must finish with the same global state and hinted preimages).
 */
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { runGenesis } from '../../apps/sdk/app-entry.ts';
import { encodeBatch, encodeBody, signTx } from '../../apps/sdk/client-common.ts';
import { PreimageStore } from '../../apps/sdk/preimage-store.ts';
import { App, compileGuest } from '../../apps/sdk/run-app.ts';
import { StateTree } from '../../apps/sdk/state-tree.ts';
import type { GlobalState } from './machine.ts';

const APP_ID = 0x7e;
const CHAIN_ID = 77n;
const account = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const signer = Buffer.from(account.address.slice(2), 'hex');

const tx = (op: number, nonce: bigint, arg: string) =>
  signTx(account, encodeBody({ app: APP_ID, op, chainId: CHAIN_ID, nonce }, new TextEncoder().encode(arg)));

/** the looper's value for the signer (state key 0x02 ‖ signer) */
function looperValue(app: App, gs: GlobalState): string | undefined {
  const key = new Uint8Array(21);
  key[0] = 0x02;
  key.set(signer, 1);
  const v = new StateTree(app.store, gs.bytes32[0]).get(key);
  return v ? new TextDecoder().decode(v) : undefined;
}

describe('metered transactions (looper app)', () => {
  it('[ok, endless loop, trap, ok]: receipts ok, out_of_steps, trapped, ok; same state natively and interpreted; the chain goes on', async () => {
    const app = new App('looper', new PreimageStore(), compileGuest('test-apps/looper/main.ts'));
    let gs = runGenesis(app, CHAIN_ID);
    const batch = encodeBatch([
      await tx(0x01, 0n, 'first'),
      await tx(0x02, 1n, 'loops'),
      await tx(0x03, 1n, 'traps'),
      await tx(0x01, 1n, 'second'),
    ]);
    const r1 = app.run(gs, batch);
    expect(r1.receipts).toEqual({ message: 0, txs: [0, 12, 13, 0] });
    // the looping transaction used its whole budget (10M steps), the others little
    expect(r1.steps).toBeGreaterThan(10_000_000);
    expect(r1.steps).toBeLessThan(12_000_000);
    gs = r1.globalState;
    expect(gs.u64[0]).toBe(1n);
    // the failed transactions' writes are dropped and their nonces not used
    expect(looperValue(app, gs)).toBe('second');

    // the chain goes on: the next message executes (nonce 2)
    const r2 = app.run(gs, encodeBatch([await tx(0x01, 2n, 'third'), await tx(0x01, 2n, 'stale')]));
    expect(r2.receipts).toEqual({ message: 0, txs: [0, 5] });
    console.log(`looper: a message of 2 transactions (set, bad nonce): ${r2.steps} steps`);
    expect(looperValue(app, r2.globalState)).toBe('third');
    expect(r2.globalState.u64[0]).toBe(2n);
  }, 300_000);

  it('recursion without end inside a transaction: trapped (call depth), the batch goes on', async () => {
    const app = new App('looper', new PreimageStore(), compileGuest('test-apps/looper/main.ts'));
    const gs = runGenesis(app, CHAIN_ID);
    const r = app.run(gs, encodeBatch([await tx(0x04, 0n, 'deep'), await tx(0x01, 0n, 'after')]));
    expect(r.receipts).toEqual({ message: 0, txs: [13, 0] });
    expect(looperValue(app, r.globalState)).toBe('after');
  }, 300_000);

  it('scratch memory (docs/app-abi.md §5): 120 transactions of 700 KiB each reuse the arena; one that takes scratch without end is trapped and leaves room to commit', async () => {
    const app = new App('looper', new PreimageStore(), compileGuest('test-apps/looper/main.ts'));
    let gs = runGenesis(app, CHAIN_ID);
    // 84 MB in all, more than the machine's 64 MiB: only reuse makes this batch fit
    const many = [];
    for (let i = 0n; i < 120n; i++) many.push(await tx(0x06, i, `big-${i}`));
    const r1 = app.run(gs, encodeBatch(many), { interpret: false });
    expect(r1.receipts).toEqual({ message: 0, txs: many.map(() => 0) });
    expect(looperValue(app, r1.globalState)).toBe('big-119');
    gs = r1.globalState;
    // the endless taker traps in its own unit (the arena keeps its reserve), the batch commits
    const r2 = app.run(gs, encodeBatch([await tx(0x05, 120n, 'greedy'), await tx(0x01, 120n, 'after')]));
    expect(r2.receipts).toEqual({ message: 0, txs: [13, 0] });
    expect(looperValue(app, r2.globalState)).toBe('after');
  }, 300_000);
});
