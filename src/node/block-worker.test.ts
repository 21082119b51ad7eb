/**
 * WorkerExecutor: the STF in a worker thread gives exactly what an AppChain gives on this thread
 * (global states, receipts, message hash), in order, and this side's copy of the app answers
 * queries about every executed state (the worker sends the preimages each run added); close stops it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { fastAccount, fastTransfer, tokenApp, tokenBalance, tokenWorker } from '../../test/node-utils.ts';
import { loadApp } from '../apps/sdk/app-runtime.ts';
import { compileGuest } from '../apps/sdk/run-app.ts';
import { depositMessage, TOKEN_CHAIN_ID } from '../apps/token/client.ts';
import { batchMessage, encodeTxList, MESSAGE_KIND } from '../settlement/ethereum/message.ts';
import { AppChain } from './app-chain.ts';
import { BlockWorkerError, WorkerExecutor } from './block-worker.ts';

const alice = fastAccount(11);
const bob = fastAccount(12);
const started: WorkerExecutor[] = [];
const worker = () => {
  const w = tokenWorker();
  started.push(w);
  return w;
};

afterEach(async () => {
  for (const w of started.splice(0)) await w.close();
});

describe('WorkerExecutor', () => {
  it('executes like an AppChain on this thread: states, receipts, message hash; queries on this side', async () => {
    const messages = [
      depositMessage(alice.address, 1_000n),
      batchMessage(
        MESSAGE_KIND.l2Transactions,
        encodeTxList([
          fastTransfer(alice, bob.address, 10n, 0n),
          fastTransfer(alice, bob.address, 5n, 1n),
          fastTransfer(alice, bob.address, 1n, 7n), // bad nonce
        ]),
      ),
      Uint8Array.of(0x00, 0xff), // undecodable: an empty block by rule
    ];
    const t = tokenApp();
    const local = new AppChain({ app: loadApp(t.bytes, t.name), chainId: TOKEN_CHAIN_ID });
    const w = worker();
    expect(w.length).toBe(0);
    // sent together: the worker runs them in order
    const runs = await Promise.all(messages.map((m) => w.execute(m)));
    for (const [i, m] of messages.entries()) {
      const l = await local.execute(m);
      expect(runs[i].globalState).toEqual(l.globalState);
      expect(runs[i].receipts).toEqual(l.receipts);
      expect(runs[i].messageHash).toBe(bytesToHex(keccak_256(m)));
    }
    expect(runs[1].receipts?.txs).toEqual([0, 0, expect.any(Number)]);
    expect(runs[1].receipts?.txs[2]).not.toBe(0);
    expect(w.length).toBe(3);
    expect(w.stateAt()).toEqual(local.stateAt());
    expect(w.stateAt(1)).toEqual(local.stateAt(1));
    expect(() => w.stateAt(4)).toThrow(RangeError);
    // this side's app reads every executed state (admission and queries never wait for the worker)
    const at = (n: number) => ({
      query: async (d: Uint8Array) => w.app.query(w.stateAt(n).bytes32[0], d),
    });
    expect(await tokenBalance(at(3), bob.address)).toBe(15n);
    expect(await tokenBalance(at(1), alice.address)).toBe(1_000n);
    expect(w.app.nonceOf(w.stateAt().bytes32[0], alice.address)).toBe(2n);
    expect(w.app.admit(fastTransfer(alice, bob.address, 1n, 1n), w.stateAt().bytes32[0])).toMatchObject({
      ok: false,
      reason: 'bad_nonce',
    });
  });

  it.runIf(process.platform === 'linux')(
    'the worker thread runs at nice 10 (only it), or as told',
    async () => {
      const niceThreads = () =>
        readdirSync(`/proc/${process.pid}/task`)
          .map(
            (t) => readFileSync(`/proc/${process.pid}/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16],
          )
          .map(Number);
      const before = niceThreads().filter((n) => n === 7).length;
      const w = new WorkerExecutor({ app: tokenApp(), chainId: TOKEN_CHAIN_ID, nice: 7 });
      started.push(w);
      await w.ready();
      expect(niceThreads().filter((n) => n === 7).length).toBe(before + 1);
      expect(niceThreads().filter((n) => n === 0).length).toBeGreaterThan(1); // this thread and the others keep theirs
    },
  );

  it('a module without the app ABI is refused at once; close() rejects what is in flight', async () => {
    const plain = { name: 'state_ops', bytes: compileGuest('sdk/test/state_ops.ts') };
    expect(() => new WorkerExecutor({ app: plain, chainId: 1n })).toThrow(/APP_ABI_MISSING|not a modex app/);

    const w = worker();
    await w.ready();
    const inFlight = w.execute(depositMessage(alice.address, 1n)).catch((x) => x);
    await w.close();
    expect(await inFlight).toBeInstanceOf(BlockWorkerError);
    expect((await inFlight).message).toMatch(/closed/);
    await expect(w.execute(depositMessage(alice.address, 1n))).rejects.toThrow(/closed/);
  });
});
