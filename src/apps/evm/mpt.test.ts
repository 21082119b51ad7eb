/**
 * Ethereum's Merkle Patricia trie root, the modex state tree round trip of a pre-state (world.ts) and
 * the fixture parser: a case whose transaction is invalid (`expectException`) has the pre-state's
 * root as its `hash`, so every such case of the conformance suite checks the trie without the EVM.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { toRlp } from 'viem';
import { describe, expect, it } from 'vitest';
import { conformancePath, hasConformance } from '../../../test/conformance.ts';
import { PreimageStore } from '../sdk/preimage-store.ts';
import { StateTree } from '../sdk/state-tree.ts';
import { FixtureError, fixtureFiles, loadFixtureFile, parseFixture } from './fixture.ts';
import { EMPTY_TRIE_ROOT, logsHash, stateRoot, trieRoot } from './mpt.ts';
import { rlpEncode, uintBytes } from './rlp.ts';
import {
  accountKey,
  accountRecord,
  preAccounts,
  readWorld,
  WorldLayoutError,
  writePreState,
} from './world.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('rlp encoder', () => {
  it('agrees with viem on strings, integers and nested lists', () => {
    const items = [
      new Uint8Array(0),
      Uint8Array.of(0x7f),
      Uint8Array.of(0x80),
      new Uint8Array(55).fill(1),
      new Uint8Array(56).fill(2),
      new Uint8Array(300).fill(3),
      uintBytes(0n),
      uintBytes(1024n),
      uintBytes(2n ** 255n),
    ];
    for (const it of items) expect(hex(rlpEncode(it))).toBe(toRlp(it, 'hex').slice(2));
    const nested = [items.slice(0, 3), [items[3], [items[4], items[5]]], []];
    expect(hex(rlpEncode(nested))).toBe(toRlp(nested, 'hex').slice(2));
  });
});

describe('Merkle Patricia trie', () => {
  it('the empty trie and the ethereum/tests "dogs" vector (extension, branch with a value, leaves)', () => {
    expect(hex(EMPTY_TRIE_ROOT)).toBe('56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');
    const dogs: [Uint8Array, Uint8Array][] = [
      [utf8('doe'), utf8('reindeer')],
      [utf8('dog'), utf8('puppy')],
      [utf8('dogglesworth'), utf8('cat')],
    ];
    expect(hex(trieRoot(dogs))).toBe('8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3');
    expect(hex(trieRoot([...dogs].reverse()))).toBe(hex(trieRoot(dogs)));
    expect(hex(trieRoot(dogs.slice(0, 2)))).not.toBe(hex(trieRoot(dogs)));
    expect(() => trieRoot([dogs[0], dogs[0]])).toThrow(/twice/);
  });

  it('the logs hash of no logs is keccak256(rlp([]))', () => {
    expect(hex(logsHash([]))).toBe('1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347');
    const one = { address: new Uint8Array(20).fill(1), topics: [new Uint8Array(32)], data: Uint8Array.of(5) };
    expect(hex(logsHash([one]))).toBe(
      hex(keccak_256(hexToBytes(toRlp([[one.address, one.topics, one.data]])))),
    );
  });
});

const hexToBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));

describe('pre-states of the conformance suite: trie roots and the modex state tree round trip', () => {
  const dir = 'ethereum-tests/GeneralStateTests';
  it.runIf(hasConformance(dir))(
    'every expectException case has hash = the pre-state root, also read back from the modex tree',
    () => {
      let cases = 0;
      for (const f of fixtureFiles([conformancePath(dir)])) {
        for (const t of loadFixtureFile(f)) {
          const ex = t.cases.filter((c) => c.expectException);
          if (ex.length === 0) continue;
          const want = hex(stateRoot(preAccounts(t.pre)));
          const store = new PreimageStore();
          const back = readWorld(store, writePreState(store, t.pre));
          expect(hex(stateRoot(back)), `${f} ${t.name}`).toBe(want);
          for (const c of ex) expect(hex(c.hash), `${f} ${t.name} case ${c.index}`).toBe(want);
          cases += ex.length;
        }
      }
      expect(cases).toBeGreaterThan(1000);
    },
  );
});

describe('world layout checks (readWorld)', () => {
  const addr = new Uint8Array(20).fill(7);
  const rec = accountRecord(addr, {
    nonce: 1n,
    balance: 2n,
    codeHash: keccak_256(new Uint8Array(0)),
    storageCount: 0,
  });
  it('refuses a leaf of another shape, a count that disagrees, and a slot without its account', () => {
    const store = new PreimageStore();
    const t = new StateTree(store);
    t.set(accountKey(addr), rec);
    expect(readWorld(store, t.root).get(hex(addr))?.balance).toBe(2n);
    t.set(Uint8Array.of(0x12, 1), Uint8Array.of(1));
    expect(() => readWorld(store, t.root)).toThrow(WorldLayoutError);
    const t2 = new StateTree(store);
    t2.set(
      accountKey(addr),
      accountRecord(addr, { nonce: 1n, balance: 2n, codeHash: rec.slice(60, 92), storageCount: 1 }),
    );
    expect(() => readWorld(store, t2.root)).toThrow(/storageCount 1, but 0 slots/);
    const t3 = new StateTree(store);
    const pre = new Map([
      [
        hex(addr),
        { balance: 0n, nonce: 0n, code: new Uint8Array(0), storage: new Map([['00'.repeat(32), 5n]]) },
      ],
    ]);
    const root = writePreState(store, pre);
    t3.root = root;
    t3.delete(accountKey(addr));
    expect(() => readWorld(store, t3.root)).toThrow(/no account/);
    // a record under the wrong key (an account stored at another address's key)
    const t4 = new StateTree(store);
    t4.set(accountKey(new Uint8Array(20).fill(8)), rec);
    expect(() => readWorld(store, t4.root)).toThrow(WorldLayoutError);
  });
});

describe('fixture parser', () => {
  const good = {
    t1: {
      env: {
        currentCoinbase: `0x${'aa'.repeat(20)}`,
        currentNumber: '0x01',
        currentTimestamp: '0x03e8',
        currentGasLimit: '0x1000000',
        currentBaseFee: '0x0a',
        currentRandom: `0x${'00'.repeat(32)}`,
        currentExcessBlobGas: '0x00',
      },
      pre: {
        [`0x${'bb'.repeat(20)}`]: { balance: '0x10', nonce: '0x00', code: '0x', storage: { '0x01': '0x02' } },
      },
      transaction: {},
      post: {
        Cancun: [
          {
            indexes: { data: 0, gas: 0, value: 0 },
            hash: `0x${'11'.repeat(32)}`,
            logs: `0x${'22'.repeat(32)}`,
            txbytes: '0x01',
          },
        ],
      },
    },
  };
  it('parses a well-formed test (storage keys normalized to 32 bytes)', () => {
    const [t] = parseFixture(good, 'x.json');
    expect(t.cases).toHaveLength(1);
    expect(t.pre.get('bb'.repeat(20))?.storage.get(`${'00'.repeat(31)}01`)).toBe(2n);
  });
  it('names the file, test and field of a corrupt fixture', () => {
    const bad = structuredClone(good) as unknown as {
      t1: { post: { Cancun: { hash: string }[] }; env: Record<string, unknown> };
    };
    bad.t1.post.Cancun[0].hash = '0x1234';
    expect(() => parseFixture(bad, 'x.json')).toThrow(
      /x\.json: test t1: post\.Cancun\[0\]: hash: expected 32 bytes, got 2/,
    );
    const bad2 = structuredClone(good) as unknown as { t1: Record<string, unknown> };
    delete bad2.t1.pre;
    expect(() => parseFixture(bad2, 'x.json')).toThrow(FixtureError);
    expect(() => parseFixture([1], 'x.json')).toThrow(/expected an object of named state tests/);
  });
});
