/**
 * The guest's Ethereum transaction decoder (tx.ts through the test guest test/tx_probe.ts, docs/evm.md "Transactions"):
 * viem-signed transactions of every type decoded field by field with the signer recovered, and
 * malformed or invalid encodings each refused with its code, natively and interpreted (App.run
 * checks that both agree).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import {
  bytesToHex,
  fromRlp,
  type Hex,
  hexToBytes,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  serializeTransaction,
  type TransactionSerializable,
  toRlp,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, genesis } from '../../../src/apps/sdk/run-app.ts';

const account = privateKeyToAccount(`0x${'42'.repeat(32)}`);
const CHAIN = 1n;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

interface Decoded {
  error: number;
  type?: number;
  isCreate?: boolean;
  hasChainId?: boolean;
  chainId?: bigint;
  nonce?: bigint;
  gasLimit?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  value?: bigint;
  maxFeePerBlobGas?: bigint;
  to?: Hex;
  sender?: Hex;
  sigHash?: Hex;
  data?: Hex;
  accessList?: { address: Hex; storageKeys: Hex[] }[];
  accessSlotTotal?: number;
  blobHashes?: Hex[];
}

const le256 = (b: Uint8Array): bigint => {
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
};

let app: App;
beforeAll(() => {
  app = new App('apps/evm/test/tx_probe.ts');
});

function decode(raw: Uint8Array | Hex, chainId = CHAIN): Decoded {
  const bytes = typeof raw === 'string' ? hexToBytes(raw) : raw;
  const msg = new Uint8Array(8 + bytes.length);
  new DataView(msg.buffer).setBigUint64(0, chainId);
  msg.set(bytes, 8);
  const gs = genesis();
  const run = app.run(gs, msg);
  const rec = app.store.get(run.globalState.bytes32[0]);
  if (!rec) throw new Error('probe record not hinted');
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const error = dv.getUint32(0);
  if (error !== 0) return { error };
  let q = 4;
  const take = (n: number) => {
    const s = rec.subarray(q, q + n);
    q += n;
    return s;
  };
  const u32 = () => {
    const v = dv.getUint32(q);
    q += 4;
    return v;
  };
  const u64 = () => {
    const v = dv.getBigUint64(q);
    q += 8;
    return v;
  };
  const [type, isCreate, hasChainId] = take(3);
  const out: Decoded = { error, type, isCreate: isCreate === 1, hasChainId: hasChainId === 1 };
  out.chainId = u64();
  out.nonce = u64();
  out.gasLimit = u64();
  out.gasPrice = le256(take(32));
  out.maxFeePerGas = le256(take(32));
  out.maxPriorityFeePerGas = le256(take(32));
  out.value = le256(take(32));
  out.maxFeePerBlobGas = le256(take(32));
  out.to = bytesToHex(take(20));
  out.sender = bytesToHex(take(20));
  out.sigHash = bytesToHex(take(32));
  out.data = bytesToHex(take(u32()));
  const count = u32();
  out.accessSlotTotal = u32();
  const addrs = Array.from({ length: count }, () => bytesToHex(take(20)));
  out.accessList = addrs.map((address) => {
    const n = dv.getUint32(q, true);
    q += 4;
    return { address, storageKeys: Array.from({ length: n }, () => bytesToHex(take(32))) };
  });
  out.blobHashes = Array.from({ length: u32() }, () => bytesToHex(take(32)));
  expect(q).toBe(rec.length);
  return out;
}

const to = '0x00000000000000000000000000000000000000aa' as const;
const accessList = [
  {
    address: '0x00000000000000000000000000000000000000bb' as Hex,
    storageKeys: [`0x${'01'.repeat(32)}` as Hex],
  },
  {
    address: '0x00000000000000000000000000000000000000cc' as Hex,
    storageKeys: [`0x${'00'.repeat(32)}` as Hex, `0x${'ff'.repeat(32)}` as Hex],
  },
  { address: '0x00000000000000000000000000000000000000dd' as Hex, storageKeys: [] },
];
const blobHash = (i: number): Hex => `0x01${i.toString(16).padStart(62, '0')}`;

const cases: [string, TransactionSerializable][] = [
  ['legacy without a chain id', { type: 'legacy', nonce: 0, gasPrice: 10n, gas: 21000n, to, value: 1n }],
  [
    'legacy EIP-155 with data',
    {
      type: 'legacy',
      chainId: 1,
      nonce: 7,
      gasPrice: 10n ** 12n,
      gas: 100000n,
      to,
      value: 0n,
      data: '0x1234',
    },
  ],
  [
    'legacy create with 100 bytes of data',
    { type: 'legacy', chainId: 1, nonce: 300, gasPrice: 1n, gas: 1000000n, data: `0x${'60'.repeat(100)}` },
  ],
  [
    'EIP-2930 with an access list',
    { type: 'eip2930', chainId: 1, nonce: 1, gasPrice: 5n, gas: 50000n, to, value: 2n ** 255n, accessList },
  ],
  [
    'EIP-1559',
    {
      type: 'eip1559',
      chainId: 1,
      nonce: Number.MAX_SAFE_INTEGER,
      maxFeePerGas: 2n ** 200n,
      maxPriorityFeePerGas: 3n,
      gas: 2n ** 64n - 1n,
      to,
      value: 0n,
      data: '0x00',
      accessList,
    },
  ],
  [
    'EIP-1559 create',
    { type: 'eip1559', chainId: 1, nonce: 0, maxFeePerGas: 7n, maxPriorityFeePerGas: 0n, gas: 60000n },
  ],
  [
    'EIP-4844',
    {
      type: 'eip4844',
      chainId: 1,
      nonce: 9,
      maxFeePerGas: 100n,
      maxPriorityFeePerGas: 2n,
      maxFeePerBlobGas: 12345n,
      gas: 90000n,
      to,
      value: 5n,
      data: `0x${'ab'.repeat(70)}`,
      accessList: accessList.slice(0, 1),
      blobVersionedHashes: [blobHash(1), blobHash(2), blobHash(3)],
    },
  ],
];

describe('decodeEvmTx: viem-signed transactions of every type', () => {
  for (const [name, t] of cases) {
    it(name, async () => {
      const raw = await account.signTransaction(t);
      const d = decode(raw);
      expect(d.error).toBe(0);
      // expected values from the input (viem's parser drops zero fields and refuses nonces over 2^53)
      const p = t as TransactionSerializable & Record<string, unknown>;
      const typeNo = { legacy: 0, eip2930: 1, eip1559: 2, eip4844: 3 }[p.type as string];
      expect(d.type).toBe(typeNo);
      expect(d.sender).toBe(account.address.toLowerCase());
      if (BigInt(p.nonce ?? 0) < 2n ** 53n)
        expect(d.sender).toBe(
          (await recoverTransactionAddress({ serializedTransaction: raw as never })).toLowerCase(),
        );
      expect(d.nonce).toBe(BigInt(p.nonce ?? 0));
      expect(d.gasLimit).toBe(p.gas);
      expect(d.value).toBe(p.value ?? 0n);
      expect(d.data).toBe(p.data ?? '0x');
      expect(d.isCreate).toBe(p.to === undefined);
      expect(d.to).toBe(p.to ? p.to.toLowerCase() : `0x${'00'.repeat(20)}`);
      expect(d.hasChainId).toBe(p.chainId !== undefined);
      expect(d.chainId).toBe(BigInt(p.chainId ?? 0));
      if (p.type === 'legacy' || p.type === 'eip2930') {
        expect(d.gasPrice).toBe(p.gasPrice);
        expect(d.maxFeePerGas).toBe(p.gasPrice);
        expect(d.maxPriorityFeePerGas).toBe(p.gasPrice);
      } else {
        expect(d.maxFeePerGas).toBe(p.maxFeePerGas);
        expect(d.maxPriorityFeePerGas).toBe(p.maxPriorityFeePerGas);
      }
      expect(d.maxFeePerBlobGas).toBe(p.type === 'eip4844' ? p.maxFeePerBlobGas : 0n);
      const al = p.type === 'legacy' ? [] : ((p.accessList as typeof accessList | undefined) ?? []);
      expect(d.accessList).toEqual(
        al.map((e) => ({ address: e.address.toLowerCase(), storageKeys: e.storageKeys })),
      );
      expect(d.accessSlotTotal).toBe(al.reduce((n, e) => n + e.storageKeys.length, 0));
      expect(d.blobHashes).toEqual(p.type === 'eip4844' ? p.blobVersionedHashes : []);
      // a parse by viem agrees on the type (its parser is independent of our reader)
      if (BigInt(p.nonce ?? 0) < 2n ** 53n) expect(parseTransaction(raw).type).toBe(p.type);
      // the signing hash: keccak of the unsigned serialization
      expect(d.sigHash).toBe(keccak256(serializeTransaction(t)));
    });
  }
});

// --- malformed and invalid encodings ------------------------------------------------------------

type Rlp = Hex | Rlp[];
const envelope = (raw: Hex): { prefix: Uint8Array; items: Rlp[] } => {
  const b = hexToBytes(raw);
  const typed = b[0] < 0x80;
  return {
    prefix: typed ? b.subarray(0, 1) : new Uint8Array(0),
    items: fromRlp(bytesToHex(typed ? b.subarray(1) : b), 'hex') as Rlp[],
  };
};
const reseal = (prefix: Uint8Array, items: Rlp[]): Uint8Array => {
  const body = hexToBytes(toRlp(items as never));
  return new Uint8Array([...prefix, ...body]);
};
const intHex = (v: bigint): Hex =>
  v === 0n ? '0x' : `0x${v.toString(16).padStart(Math.ceil(v.toString(16).length / 2) * 2, '0')}`;
/** re-signs `t` with field `i` of the rlp list replaced (the signature is made over the new fields) */
function withField(t: TransactionSerializable, i: number, value: Rlp): Promise<Uint8Array> {
  return signedItems(t, (items) => {
    items[i] = value;
  });
}
async function signedItems(t: TransactionSerializable, edit: (unsigned: Rlp[]) => void): Promise<Uint8Array> {
  const raw = await account.signTransaction(t);
  const { prefix, items } = envelope(raw);
  const sigAt = items.length - 3;
  const unsigned = items.slice(0, sigAt);
  edit(unsigned);
  const legacy = prefix.length === 0;
  // the legacy signing list of an EIP-155 tx ends with [chainId, 0, 0]
  const signing = legacy && t.chainId ? [...unsigned, intHex(BigInt(t.chainId)), '0x', '0x'] : unsigned;
  const h = keccak_256(new Uint8Array([...prefix, ...hexToBytes(toRlp(signing as never))]));
  const sig = secp256k1.sign(h, hexToBytes(`0x${'42'.repeat(32)}`), { prehash: false, format: 'recovered' });
  const rec = sig[0];
  const r = BigInt(bytesToHex(sig.subarray(1, 33)));
  const s = BigInt(bytesToHex(sig.subarray(33, 65)));
  const v = legacy ? (t.chainId ? BigInt(t.chainId) * 2n + 35n : 27n) + BigInt(rec) : BigInt(rec);
  return reseal(prefix, [...unsigned, intHex(v), intHex(r), intHex(s)]);
}

const legacy155: TransactionSerializable = {
  type: 'legacy',
  chainId: 1,
  nonce: 1,
  gasPrice: 10n,
  gas: 21000n,
  to,
  value: 1n,
};
const eip1559: TransactionSerializable = {
  type: 'eip1559',
  chainId: 1,
  nonce: 1,
  maxFeePerGas: 10n,
  maxPriorityFeePerGas: 1n,
  gas: 21000n,
  to,
  value: 1n,
  accessList,
};
const blob: TransactionSerializable = {
  type: 'eip4844',
  chainId: 1,
  nonce: 1,
  maxFeePerGas: 10n,
  maxPriorityFeePerGas: 1n,
  maxFeePerBlobGas: 1n,
  gas: 21000n,
  to,
  blobVersionedHashes: [blobHash(1)],
};

describe('decodeEvmTx: refusals', () => {
  it('the re-signing helper makes valid transactions (so that each refusal below is its edit alone)', async () => {
    expect(decode(await withField(legacy155, 0, '0x05')).error).toBe(0);
    expect(decode(await withField(eip1559, 1, '0x05')).error).toBe(0);
    expect(decode(await withField(blob, 1, '0x05')).error).toBe(0);
  });

  it('malformed RLP: empty, truncated, trailing bytes, a string envelope (30)', async () => {
    const raw = hexToBytes(await account.signTransaction(eip1559));
    expect(decode(new Uint8Array(0)).error).toBe(30);
    for (const cut of [1, 2, 10, 40, raw.length - 1])
      expect(decode(raw.subarray(0, cut)).error, `cut ${cut}`).toBe(30);
    expect(decode(new Uint8Array([...raw, 0])).error).toBe(30);
    const leg = hexToBytes(await account.signTransaction(legacy155));
    expect(decode(leg.subarray(0, leg.length - 1)).error).toBe(30);
    expect(decode(new Uint8Array([...leg, 0x80])).error).toBe(30);
    expect(decode(new Uint8Array([0x83, 1, 2, 3])).error).toBe(30);
  });

  it('non-canonical RLP (30): integer with a leading zero, a wrapped single byte, a long form under 56', async () => {
    expect(decode(await withField(legacy155, 0, '0x0005')).error).toBe(30);
    expect(decode(await withField(eip1559, 1, '0x00')).error).toBe(30);
    // 0x81 0x05 instead of 0x05 for the nonce
    const raw = hexToBytes(await withField(legacy155, 0, '0x05').then(bytesToHex));
    const at = raw.indexOf(0x05);
    const wrapped = new Uint8Array([...raw.subarray(0, at), 0x81, ...raw.subarray(at)]);
    wrapped[1] += 1; // the list's length (short form: 0xc0+len at [0]; here long form 0xf8 len)
    expect(raw[0]).toBe(0xf8);
    expect(decode(wrapped).error).toBe(30);
    // the same list with a long-form header for a 3-byte payload
    expect(decode(new Uint8Array([0xf8, 0x03, 0x01, 0x02, 0x03])).error).toBe(30);
    // a 5-byte string in long form (0xb8 0x05) as the data of an otherwise valid list
    expect(decode(new Uint8Array([0xc7, 0xb8, 0x05, 1, 2, 3, 4, 5])).error).toBe(30);
  });

  it('wrong field shapes (30): 19-byte to, an access-list address of 21 bytes, a 31-byte key, extra fields', async () => {
    expect(decode(await withField(legacy155, 3, `0x${'11'.repeat(19)}`)).error).toBe(30);
    expect(decode(await withField(eip1559, 8, [[`0x${'11'.repeat(21)}`, []]])).error).toBe(30);
    expect(
      decode(await withField(eip1559, 8, [[`0x${'11'.repeat(20)}`, [`0x${'22'.repeat(31)}`]]])).error,
    ).toBe(30);
    expect(decode(await withField(eip1559, 8, '0x')).error).toBe(30);
    expect(decode(await signedItems(eip1559, (u) => u.push('0x01'))).error).toBe(30);
    expect(decode(await withField(eip1559, 7, [])).error).toBe(30);
  });

  it('unsupported types (16)', async () => {
    const raw = hexToBytes(await account.signTransaction(eip1559));
    for (const t of [0x00, 0x04, 0x05, 0x7f]) {
      const b = raw.slice();
      b[0] = t;
      expect(decode(b).error, `type ${t}`).toBe(16);
    }
  });

  it('wrong chain id (18): typed and EIP-155', async () => {
    expect(decode(await account.signTransaction({ ...eip1559, chainId: 5 })).error).toBe(18);
    expect(decode(await account.signTransaction({ ...legacy155, chainId: 5 })).error).toBe(18);
    expect(decode(await account.signTransaction(eip1559), 5n).error).toBe(18);
    expect(
      decode(await account.signTransaction({ type: 'legacy', nonce: 0, gasPrice: 1n, gas: 21000n, to }), 5n)
        .error,
    ).toBe(0);
  });

  it('bad signatures (17): v not 27/28/EIP-155, yParity 2, high s, r or s zero, r not a point', async () => {
    const set = (i: number, v: Rlp) => (sig: Rlp[]) => {
      sig[i] = v;
    };
    const sealWith = async (t: TransactionSerializable, f: (sig: Rlp[]) => void) => {
      const { prefix, items } = envelope(await account.signTransaction(t));
      const sig = items.slice(-3);
      f(sig);
      return reseal(prefix, [...items.slice(0, -3), ...sig]);
    };
    expect(decode(await sealWith(legacy155, set(0, '0x1d'))).error).toBe(17); // v = 29
    expect(decode(await sealWith(legacy155, set(0, '0x'))).error).toBe(17); // v = 0
    expect(decode(await sealWith(eip1559, set(0, '0x02'))).error).toBe(17);
    expect(decode(await sealWith(eip1559, set(1, '0x'))).error).toBe(17);
    expect(decode(await sealWith(eip1559, set(2, '0x'))).error).toBe(17);
    expect(decode(await sealWith(eip1559, set(1, `0x${'ff'.repeat(32)}`))).error).toBe(17);
    // high s: (r, n - s) with the other parity is the same signature in the upper half (EIP-2)
    const high = await sealWith(eip1559, (s) => {
      s[0] = s[0] === '0x' ? '0x01' : '0x';
      s[2] = intHex(N - BigInt(s[2] as Hex));
    });
    expect(decode(high).error).toBe(17);
    // the same high-s signature on a legacy pre-155 tx
    const highLegacy = await sealWith({ type: 'legacy', nonce: 0, gasPrice: 1n, gas: 21000n, to }, (s) => {
      s[0] = s[0] === '0x1b' ? '0x1c' : '0x1b';
      s[2] = intHex(N - BigInt(s[2] as Hex));
    });
    expect(decode(highLegacy).error).toBe(17);
    // a tampered field keeps a valid signature of another signer, not a refusal
    const other = await sealWith(eip1559, (sig) => {
      sig[1] = intHex(BigInt(sig[1] as Hex) ^ 1n);
    });
    const d = decode(other);
    if (d.error === 0) expect(d.sender).not.toBe(account.address.toLowerCase());
    else expect(d.error).toBe(17);
  });

  it('nonce 2^64 - 1 and wider (21, EIP-2681); gas limit of 2^64 (31)', async () => {
    expect(decode(await withField(legacy155, 0, intHex(2n ** 64n - 1n))).error).toBe(21);
    expect(decode(await withField(eip1559, 1, intHex(2n ** 64n))).error).toBe(21);
    expect(decode(await withField(eip1559, 1, intHex(2n ** 64n - 2n))).error).toBe(0);
    expect(decode(await withField(eip1559, 4, intHex(2n ** 64n))).error).toBe(31);
    expect(decode(await withField(legacy155, 2, intHex(2n ** 64n))).error).toBe(31);
    // a value wider than 256 bits does not decode
    expect(decode(await withField(eip1559, 6, intHex(2n ** 256n))).error).toBe(30);
  });

  it('invalid blob transactions (29): no hash, 7 hashes, version 0x02, a create', async () => {
    expect(decode(await withField(blob, 10, [])).error).toBe(29);
    expect(
      decode(
        await withField(
          blob,
          10,
          Array.from({ length: 7 }, (_, i) => blobHash(i)),
        ),
      ).error,
    ).toBe(29);
    expect(
      decode(
        await withField(
          blob,
          10,
          Array.from({ length: 6 }, (_, i) => blobHash(i)),
        ),
      ).error,
    ).toBe(0);
    expect(decode(await withField(blob, 10, [`0x02${'00'.repeat(31)}`])).error).toBe(29);
    expect(decode(await withField(blob, 5, '0x')).error).toBe(29);
    expect(decode(await withField(blob, 10, [`0x01${'00'.repeat(30)}`])).error).toBe(30);
  });
});

describe('decodeEvmTx: mutated inputs never trap', () => {
  it('random byte flips, cuts and insertions of signed transactions of every type give an answer on both engines', async () => {
    let seed = 12345;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const raws = await Promise.all([legacy155, eip1559, blob].map((t) => account.signTransaction(t)));
    const codes = new Set<number>();
    for (let i = 0; i < 90; i++) {
      const b = [...hexToBytes(raws[i % raws.length])];
      const kind = next(3);
      const at = next(b.length);
      if (kind === 0) b[at] ^= 1 << next(8);
      else if (kind === 1) b.splice(at);
      else b.splice(at, 0, next(256));
      // App.run throws if a run traps or the engines disagree
      const d = decode(Uint8Array.from(b));
      codes.add(d.error);
      expect([0, 16, 17, 18, 21, 29, 30, 31]).toContain(d.error);
    }
    expect(codes.has(30)).toBe(true);
  });
});
