/**
 * WorkerExecutor: the STF in a worker thread gives exactly what TokenChain gives on this thread
 * (global states, receipts, message hash, balances, nonces), in order; worker-side failures reject
 * with BlockWorkerError; a worker that cannot start rejects every request; close stops it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { fastAccount, fastTransfer } from '../../test/node-utils.ts';
import { depositMessage } from '../apps/token/client.ts';
import { batchMessage, encodeTxList, MESSAGE_KIND } from '../settlement/ethereum/message.ts';
import { TokenChain } from '../settlement/ethereum/token-chain.ts';
import { BlockWorkerError, WorkerExecutor } from './block-worker.ts';

const alice = fastAccount(11);
const bob = fastAccount(12);
const started: WorkerExecutor[] = [];
const worker = (app = 'token') => {
  const w = new WorkerExecutor({ app });
  started.push(w);
  return w;
};

afterEach(async () => {
  for (const w of started.splice(0)) await w.close();
});

describe('WorkerExecutor', () => {
  it('executes like TokenChain on this thread: states, receipts, message hash, balances, nonces', async () => {
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
    const local = new TokenChain({ interpret: false });
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
    expect(await w.balanceOf(bob.address)).toBe(15n);
    expect(await w.balanceOf(alice.address, 1)).toBe(1_000n);
    expect(await w.nonceOf(alice.address)).toBe(2n);
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
      const w = new WorkerExecutor({ app: 'token', nice: 7 });
      started.push(w);
      await w.ready();
      expect(niceThreads().filter((n) => n === 7).length).toBe(before + 1);
      expect(niceThreads().filter((n) => n === 0).length).toBeGreaterThan(1); // this thread and the others keep theirs
    },
  );

  it('a failure in the worker rejects that request with BlockWorkerError; the worker goes on', async () => {
    const w = worker();
    await w.execute(depositMessage(alice.address, 3n));
    const e = await w.balanceOf(alice.address, 5).catch((x) => x);
    expect(e).toBeInstanceOf(BlockWorkerError);
    expect(e.code).toBe('NODE_BLOCK_WORKER');
    expect(e.message).toMatch(/RangeError: no state after 5 messages/);
    expect(await w.balanceOf(alice.address)).toBe(3n);
  });

  it('a worker that cannot load its app rejects every request; close() rejects what is in flight', async () => {
    const bad = worker('no-such-app');
    const e = await bad.execute(depositMessage(alice.address, 1n)).catch((x) => x);
    expect(e).toBeInstanceOf(BlockWorkerError);
    expect(e.message).toMatch(/crashed|exited/);
    await expect(bad.balanceOf(alice.address)).rejects.toBeInstanceOf(BlockWorkerError);
    expect(bad.length).toBe(0);

    const w = worker();
    await w.ready();
    const inFlight = w.execute(depositMessage(alice.address, 1n)).catch((x) => x);
    await w.close();
    expect(await inFlight).toBeInstanceOf(BlockWorkerError);
    expect((await inFlight).message).toMatch(/closed/);
    await expect(w.nonceOf(alice.address)).rejects.toThrow(/closed/);
  });
});
