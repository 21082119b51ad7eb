/**
 * The C scaffold runs as a chain (docs/build.md "C and Rust SDKs"): `modex devnet` on its
 * modex.config.json (DA l1-blob), two signed increments from two senders sent together (usually one
 * block: a list brotli would shrink), both confirmed by the sequencer, and the validators, deriving
 * the state from the batches on L1, assert the sequencer's state root.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.test-helper.ts';
import { buildApp } from './build.ts';
import { SCAFFOLD_CHAIN_ID, scaffoldApp, signCounterTx, signer, u64 } from './scaffold.ts';

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const j = (await res.json()) as { result?: T; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result as T;
}

/** polls `f` every 250 ms until it returns a value; after `seconds`, fails with `what()` */
async function until<T>(f: () => Promise<T | undefined>, seconds: number, what: () => string): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up after ${seconds} s: ${what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Assertion {
  toPosition: number;
  stateRoot: string;
  status: string;
}

interface Receipt {
  status: string;
  block: number;
  stateRoot: string;
}

describe('the C scaffold under modex devnet (slow)', () => {
  it('confirms two transactions sent together, and the validators assert the same state root', async () => {
    const dir = scaffoldApp('chain-c', mkdtempSync(join(tmpdir(), 'modex-devnet-c-')), 'c').dir;
    await buildApp(dir);
    const run = runCli(['devnet', '--config', join(dir, 'modex.config.json')]);
    try {
      const out = await run.waitFor('press Ctrl-C to stop');
      const url = /sequencer RPC {4}(http:\/\/127\.0\.0\.1:\d+\/?)/.exec(out)![1];
      // after the devnet's own first blocks (its deposit): a transaction sent at once can be
      // sequenced into block 0 ahead of the deposit, which L1 orders first (a node matter)
      await until(
        async () => ((await rpc<number>(url, 'modex_blockNumber', [])) >= 1 ? true : undefined),
        120,
        () => 'the devnet made no two blocks',
      );
      const [alice, bob] = [signer(0x11), signer(0x22)];
      const txs = [
        signCounterTx(alice, { nonce: 0n, args: u64(5n) }),
        signCounterTx(bob, { nonce: 0n, args: u64(7n) }),
      ];
      const sent = await Promise.all(
        txs.map((t) => rpc<{ hash: string; block: number }>(url, 'modex_sendRawTransaction', [hex(t)])),
      );
      const receipts = await Promise.all(
        sent.map((s) =>
          until(
            async () => {
              const r = await rpc<Receipt | null>(url, 'modex_getTransactionReceipt', [s.hash]);
              return r && r.status !== 'pending' ? r : undefined;
            },
            60,
            () => `no receipt for ${s.hash}`,
          ),
        ),
      );
      expect(receipts.map((r) => r.status)).toEqual(['ok', 'ok']);
      const counter = await rpc<{ code: number; result: string }>(url, 'modex_query', [
        hex(Uint8Array.of(0x10, ...bob.address)),
        'latest',
      ]);
      expect(counter).toMatchObject({ code: 0, result: hex(u64(7n)) });
      const chainId = await rpc<string | number>(url, 'modex_chainId', []);
      expect(Number(chainId)).toBe(SCAFFOLD_CHAIN_ID);
      // a validator's assertion past the transactions' blocks: its state root (derived from the
      // batches on L1, blobs here) is the sequencer's after the same message
      const last = Math.max(...receipts.map((r) => r.block));
      let seen: Assertion[] = [];
      const a = await until(
        async () => {
          seen = (await rpc<{ items: Assertion[] }>(url, 'modex_getAssertions', [0, 100])).items;
          return seen.find((x) => x.toPosition > last);
        },
        180,
        () => `no assertion past block ${last}: ${JSON.stringify(seen)}`,
      );
      expect(a.stateRoot).toBe(await rpc<string>(url, 'modex_stateRoot', [a.toPosition - 1]));
    } finally {
      run.child.kill('SIGINT');
      await run.done;
    }
  }, 300_000);
});
