/**
 * Fuzzing (docs/fuzzing.md): mutated inbox messages into the built-in apps' STF (batch kinds 0x00
 * inline, 0x04 brotli, 0x03 certified, deposits 0x01, docs/stf.md "Inbox message format"), each run
 * natively and in the step interpreter by `App.run`, which throws when they disagree on the global
 * state (state root with the receipts, send root, position) or the preimages hinted, or when either
 * does not finish. Properties: every mutated message finishes on both with the same result (a
 * message that does not decode is an empty batch with a receipt), or — for a data hash nobody has —
 * both stop with HostDataUnavailableError (resumable, not a trap); nothing traps the host.
 */
import { describe, expect, it } from 'vitest';
import { certifiedMessage } from '../../../test/blob-test-utils.ts';
import { fuzz, fuzzTimeout, mutate } from '../../../test/fuzz/fuzz.ts';
import { fastAccount, fastSign } from '../../../test/node-utils.ts';
import { compressBatch } from '../../da/l1-calldata/compress.ts';
import { HostDataUnavailableError, Status } from '../../vm/wasm/machine.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import { KV_CHAIN_ID, kvDeleteBody, kvSetBody } from '../kv/client.ts';
import { depositMessage, TOKEN_CHAIN_ID, transferBody, withdrawBody } from '../token/client.ts';
import { runGenesis } from './app-entry.ts';
import { builtinAppBytes } from './builtin-apps.ts';
import { encodeBatch } from './client-common.ts';
import { PreimageStore } from './preimage-store.ts';
import { App } from './run-app.ts';

const alice = fastAccount(1);
const bob = fastAccount(2);
const enc = (s: string) => new TextEncoder().encode(s);

function txsOf(name: 'token' | 'kv'): Uint8Array[] {
  return name === 'token'
    ? [
        fastSign(alice, transferBody(bob.address, 7n, { nonce: 0n })),
        fastSign(alice, transferBody(bob.address, 5n, { nonce: 1n })),
        fastSign(bob, withdrawBody(alice.address, 2n, { nonce: 0n })),
      ]
    : [
        fastSign(alice, kvSetBody(enc('k'), enc('v'), { nonce: 0n, chainId: KV_CHAIN_ID })),
        fastSign(
          bob,
          kvSetBody(enc('key 2'), new Uint8Array(40).fill(3), { nonce: 0n, chainId: KV_CHAIN_ID }),
        ),
        fastSign(alice, kvDeleteBody(enc('k'), { nonce: 1n, chainId: KV_CHAIN_ID })),
      ];
}

for (const name of ['token', 'kv'] as const) {
  describe(`fuzz: ${name} STF on mutated inbox messages (native = interpreted)`, () => {
    const store = new PreimageStore();
    const app = new App(name, store, builtinAppBytes(name));
    const g = runGenesis(app, name === 'token' ? TOKEN_CHAIN_ID : KV_CHAIN_ID);
    const funded = name === 'token' ? app.run(g, depositMessage(alice.address, 1000n)).globalState : g;
    const txs0 = txsOf(name);
    const list = encodeBatch(txs0);
    const compressed = compressBatch(list.subarray(1));
    const seeds = [
      list,
      encodeBatch(txsOf(name).slice(0, 1)),
      depositMessage(bob.address, 10n ** 20n),
      certifiedMessage(store.add(list.subarray(1).slice())),
      ...(compressed ? [Uint8Array.of(0x04, ...compressed)] : []),
    ];

    it('the seeds run (and agree)', () => {
      for (const s of seeds) expect(app.run(funded, s).receipts).toBeDefined();
    });

    it(
      'mutated messages: both finish with the same state and receipts, or both wait for data',
      async () => {
        await fuzz(`stf-${name}`, 400, (rng, _i, show) => {
          // half the cases keep the framing and mutate transactions inside it (deeper into the tx
          // decoder), posted inline, brotli-compressed or certified
          let msg: Uint8Array;
          if (rng.chance(0.5)) {
            const txs = txsOf(name).map((t) => (rng.chance(0.5) ? mutate(rng, t, txs0) : t));
            const inner = encodeBatch(txs);
            const how = rng.int(3);
            const packed = how === 1 ? compressBatch(inner.subarray(1)) : undefined;
            msg =
              how === 2
                ? certifiedMessage(store.add(inner.subarray(1).slice()))
                : packed
                  ? Uint8Array.of(0x04, ...packed)
                  : inner;
          } else msg = mutate(rng, rng.pick(seeds), seeds);
          show(msg);
          try {
            const r = app.run(funded, msg);
            expect(r.receipts, 'receipts of the message').toBeDefined();
            return `kind ${msg[0] ?? 'empty'}: status ${r.receipts!.message}`;
          } catch (e) {
            if (!(e instanceof HostDataUnavailableError)) throw e;
            // native stopped for data nobody has: the interpreter must stop the same way, not trap
            const m = newMachine(app.program, funded, {
              inboxMessage: (p) => (p === funded.u64[0] ? msg : undefined),
              preimage: (k, h) => store.get(h, k),
            });
            expect(() => m.run()).toThrow(HostDataUnavailableError);
            expect(m.status).toBe(Status.Running);
            return `kind ${msg[0]}: data unavailable`;
          }
        });
      },
      fuzzTimeout(90_000),
    );
  });
}
