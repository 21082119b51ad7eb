/**
 * Batch message kinds (docs/stf.md "Inbox message format"): the token STF executes the same
 * transaction list posted inline (0x00), in EIP-4844 blobs (0x02, preimage kind 1, blob stream v1 of
 * docs/blob.md) and certified by the committee (0x03, a keccak256 preimage) to the same state root
 * and receipts, natively and in the interpreter (App.run compares both); messages that do not decode
 * are empty batches, and missing data stops the run (HostDataUnavailableError), never a trap.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  blobMessage,
  certifiedMessage,
  encodeBlobStream,
  FIELD_ELEMENT_DATA,
  type TestBlob,
} from '../../../test/blob-test-utils.ts';
import { decodeBlobs } from '../../da/l1-blob/blob-codec.ts';
import { HostDataUnavailableError } from '../../vm/wasm/machine.ts';
import { runNative } from '../../vm/wasm/native.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import { balanceOf, depositMessage, TOKEN_CHAIN_ID, transfer } from '../token/client.ts';
import { runGenesis } from './app-entry.ts';
import { encodeBatch, encodeBody } from './client-common.ts';
import { PreimageStore, toHex } from './preimage-store.ts';
import { App, genesis, Receipt } from './run-app.ts';

/** the node's preimages: keccak256 preimages (kind 0) and blobs by versioned hash (kind 1) */
const store = new PreimageStore();

/** serves `blobs` as kind-1 preimages; returns the message 0x02 ‖ their versioned hashes */
function postBlobs(blobs: TestBlob[]): Uint8Array {
  for (const b of blobs) store.addBlob(b.versionedHash, b.blob);
  return blobMessage(blobs.map((b) => b.versionedHash));
}

const alice = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const bob = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const app = new App('token', store);
const ONE_BLOB = 4096 * FIELD_ELEMENT_DATA;

/** a tx with a wrong app id (rejected before its signature is checked): `len` bytes of filler */
function junkTx(len: number): Uint8Array {
  const tx = new Uint8Array(len).fill(0xab);
  tx.set(encodeBody({ app: 0xee, op: 1, chainId: TOKEN_CHAIN_ID, nonce: 0n }, new Uint8Array(0)));
  return tx;
}

let funded = genesis();

beforeAll(() => {
  funded = app.run(runGenesis(app, TOKEN_CHAIN_ID), depositMessage(alice.address, 1000n)).globalState;
});

/** the payload of a 0x00 message: what 0x02 and 0x03 carry */
const payloadOf = (batch: Uint8Array): Uint8Array => batch.subarray(1);

/** runs a message from the funded state; returns the run */
const run = (msg: Uint8Array) => app.run(funded, msg);

const stateOf = (r: ReturnType<typeof run>) =>
  `${r.globalState.bytes32.map(toHex).join(',')};${r.globalState.u64.join(',')}`;

/**
 * runs `0x02 ‖ versioned hashes` of `blobs`; checks it against the node's decoder (`decodeBlobs`):
 * undecodable for the STF exactly when for the decoder, else the same state as `0x00 ‖ data`
 */
function runBlobs(blobs: TestBlob[]) {
  const r = run(postBlobs(blobs));
  const data = decodeBlobs(blobs.map((b) => b.blob));
  if (data === undefined) expect(r.receipts).toEqual({ message: Receipt.UNDECODABLE, txs: [] });
  else expect(stateOf(r)).toBe(stateOf(run(Uint8Array.from([0, ...data]))));
  return r;
}

describe('batch kinds 0x00, 0x02 (blobs), 0x03 (certified)', () => {
  it('the same transactions end in the same state root and receipts on all three paths (one and two blobs)', async () => {
    const txs = [
      await transfer(alice, bob.address, 300n, { nonce: 0n }),
      await transfer(bob, alice.address, 100n, { nonce: 0n }),
      await transfer(alice, bob.address, 5000n, { nonce: 1n }), // unaffordable
      await transfer(alice, bob.address, 1n, { nonce: 0n }), // replay
    ];
    const expected = [Receipt.OK, Receipt.OK, Receipt.INSUFFICIENT_BALANCE, Receipt.BAD_NONCE];
    // small: one blob; large: a 130,000-byte tx makes the stream cross into a second blob
    for (const list of [txs, [txs[0], junkTx(130_000), txs[1]]]) {
      const inline = encodeBatch(list);
      const blobs = encodeBlobStream(payloadOf(inline));
      expect(blobs.length).toBe(list.length === 4 ? 1 : 2);
      const runs = [
        run(inline),
        runBlobs(blobs),
        run(certifiedMessage(store.add(payloadOf(inline).slice()))),
      ];
      const want = list.length === 4 ? expected : [Receipt.OK, Receipt.WRONG_APP, Receipt.OK];
      for (const r of runs) {
        expect(r.receipts).toEqual({ message: Receipt.OK, txs: want });
        expect(stateOf(r)).toBe(stateOf(runs[0]));
      }
      // a non-zero top byte in the last element of the last blob
      blobs[blobs.length - 1].blob[4095 * 32] = 0x01;
      expect(runBlobs(blobs).receipts).toEqual({ message: Receipt.UNDECODABLE, txs: [] });
      const t = app.tree(runs[1].globalState);
      expect(balanceOf(t, bob.address)).toBe(200n);
      expect(toHex(runs[0].globalState.bytes32[0])).not.toBe(toHex(funded.bytes32[0]));
    }
  });

  it('a stream that fills the blobs to capacity decodes; one byte more is undecodable', () => {
    // count 1 ‖ len ‖ tx: data = exactly capacity (k × 126,976 − 4) bytes, the last element read is 4095
    const data = (dataLength: number, txLen: number) => {
      const d = new Uint8Array(dataLength);
      const dv = new DataView(d.buffer);
      dv.setUint32(0, 1);
      dv.setUint32(4, txLen);
      d.set(junkTx(txLen), 8);
      return d;
    };
    const full = runBlobs(encodeBlobStream(data(ONE_BLOB - 4, ONE_BLOB - 12)));
    expect(full.receipts).toEqual({ message: Receipt.OK, txs: [Receipt.WRONG_APP] });
    // the length prefix says one byte more than the blob holds
    const over = encodeBlobStream(data(ONE_BLOB - 4, ONE_BLOB - 12));
    new DataView(over[0].blob.buffer).setUint32(1, ONE_BLOB - 3);
    expect(runBlobs(over).receipts).toEqual({ message: Receipt.UNDECODABLE, txs: [] });
    // a length prefix shorter than the list: the list no longer ends where the data does
    const short = encodeBlobStream(data(ONE_BLOB - 4, ONE_BLOB - 12));
    new DataView(short[0].blob.buffer).setUint32(1, ONE_BLOB - 5);
    expect(runBlobs(short).receipts).toEqual({ message: Receipt.UNDECODABLE, txs: [] });
  });

  it('undecodable: a non-zero top byte in any element, bad message lengths; the state keeps only the receipt', async () => {
    const inline = encodeBatch([await transfer(alice, bob.address, 1n, { nonce: 0n })]);
    const good = encodeBlobStream(payloadOf(inline));
    expect(runBlobs(good).receipts?.txs).toEqual([Receipt.OK]);
    const undecodable = { message: Receipt.UNDECODABLE, txs: [] };
    const padFrom = Math.ceil((4 + payloadOf(inline).length) / FIELD_ELEMENT_DATA);
    const empty = run(encodeBatch([]));
    // top byte of element 0 (the length prefix) and of element 3 (inside the data)
    for (const element of [0, 3, padFrom - 1]) {
      const bad = encodeBlobStream(payloadOf(inline));
      bad[0].blob[element * 32] = 1;
      const r = runBlobs(bad);
      expect(r.receipts).toEqual(undecodable);
      // an empty batch: the nonce and balances are untouched, as in an empty 0x00 batch
      expect(balanceOf(app.tree(r.globalState), alice.address)).toBe(1000n);
      expect(r.steps).toBeGreaterThan(0);
    }
    // a top byte in the padding, in the first padding element and in the blob's last element
    for (const element of [padFrom, 4095]) {
      const pad = encodeBlobStream(payloadOf(inline));
      pad[0].blob[element * 32] = 1;
      expect(runBlobs(pad).receipts, `element ${element}`).toEqual(undecodable);
    }
    const h = good[0].versionedHash;
    const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
    for (const msg of [
      Uint8Array.of(0x02), // no hash
      cat(Uint8Array.of(0x02), h, Uint8Array.of(0)), // 1 + 32k + 1
      cat(Uint8Array.of(0x02), h.subarray(0, 31)),
      cat(Uint8Array.of(0x03), h.subarray(0, 31)),
      cat(Uint8Array.of(0x03), h, Uint8Array.of(0)),
    ]) {
      expect(run(msg).receipts, toHex(msg)).toEqual(undecodable);
    }
    // a certified payload whose tx list does not decode
    const bad = payloadOf(inline).slice(0, -1);
    expect(run(certifiedMessage(store.add(bad))).receipts).toEqual(undecodable);
    expect(empty.receipts).toEqual({ message: Receipt.OK, txs: [] });
  });

  it('an unknown blob or certified data hash stops the run: host data unavailable, not a trap (native and interpreter)', () => {
    const unknown = keccak_256(Uint8Array.of(7));
    for (const msg of [blobMessage([unknown]), certifiedMessage(unknown)]) {
      const host = { preimages: (k: number, h: Uint8Array) => store.get(h, k), globalState: funded };
      expect(() => runNative(app.bytes, { ...host, inbox: msg })).toThrow(HostDataUnavailableError);
      const m = newMachine(app.program, funded, {
        inboxMessage: () => msg,
        preimage: (k, h) => store.get(h, k),
      });
      expect(() => m.run()).toThrow(HostDataUnavailableError);
      expect(m.status).toBe(0); // still running: resumable once the data is there
    }
  });

  it('cost: interpreter steps per transfer on each path, native time', async () => {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) txs.push(await transfer(alice, bob.address, 1n, { nonce: BigInt(i) }));
    const paths = {
      inline: (b: Uint8Array) => b,
      blob: (b: Uint8Array) => postBlobs(encodeBlobStream(payloadOf(b))),
      certified: (b: Uint8Array) => certifiedMessage(store.add(payloadOf(b).slice())),
    };
    const perTx: Record<string, number> = {};
    const fixed: Record<string, number> = {};
    const nativeMs: Record<string, number> = {};
    for (const [name, toMsg] of Object.entries(paths)) {
      const msg = toMsg(encodeBatch(txs));
      const full = run(msg);
      nativeMs[name] = Math.min(...[0, 1, 2].map(() => app.run(funded, msg, { interpret: false }).nativeMs));
      expect(full.receipts?.txs).toEqual(Array(30).fill(Receipt.OK));
      const empty = run(toMsg(encodeBatch([])));
      perTx[name] = Math.round((full.steps - empty.steps) / 30);
      fixed[name] = empty.steps;
    }
    console.log(
      `steps per transfer: inline ${perTx.inline}, blob ${perTx.blob}, certified ${perTx.certified}; ` +
        `empty batch: inline ${fixed.inline}, blob ${fixed.blob} (one blob), certified ${fixed.certified}; ` +
        `native ms for 30 transfers: ${Object.entries(nativeMs)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ')}`,
    );
    // inline pays readMessage's growth copies (memory.copy, ~15 steps a byte); 0x03 copies with
    // words when its buffer grows; 0x02 reads every element in place and copies nothing
    expect(perTx.certified).toBeLessThan(perTx.inline);
    expect(perTx.blob).toBeLessThan(perTx.certified);
  });
});
