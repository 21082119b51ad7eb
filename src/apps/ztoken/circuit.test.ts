/**
 * The chunk circuit against the model (docs/validity.md §3, §5). From the empty tree, inbox messages
 * with every op and every rejection reason of §2.2 (and a random tail) are turned into records
 * (records.ts), cut into chunks of T = 2 and applied to the model by the witness (witness.ts); the
 * model applying the same messages directly agrees on every receipt and root. For every chunk the
 * circuit accepts the model's roots, record words and accepted mask, and refuses the mask with any
 * one bit flipped (so it accepts exactly the records the model accepts); other post-roots, pre-roots,
 * record words (each of them, in its lowest and highest bit) and chain ids are refused. One chunk is proved with INSECURE dev keys, the proof
 * verifies with its public signals and not with any other.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTxList } from '../../settlement/ethereum/message.ts';
import { devSetup, prove, verify } from '../../zk/index.ts';
import { add, mul, TORSION } from './babyjub.ts';
import { publicSignalNames, publicSignalValues, type ZTokenCircuit, ztokenCircuit } from './circuit.ts';
import { FIELD_P, zkCrypto } from './crypto.ts';
import { ZReceipt, type ZReceiptCode, ZTokenState } from './model.ts';
import { chunkRecords, recordsOf, recordWordCount } from './records.ts';
import {
  accountAddress,
  encodeTx,
  readBE,
  type SignedZTx,
  signTx,
  U128,
  writeBE,
  ZOP,
  type ZTx,
} from './tx.ts';
import { type ChunkWitness, type CircuitInput, chunkInput } from './witness.ts';

const z = await zkCrypto();
const CHAIN = 412n;
const T = 2;
const L = z.subOrder;
const users = Array.from({ length: 6 }, (_, i) => {
  const prv = Uint8Array.from({ length: 32 }, (_, j) => i * 31 + j + 7);
  return { prv, key: z.publicKey(prv), index: i * 9973 + 1 }; // spread over the tree
});
const R = ZReceipt;

/** a deterministic PRNG (xorshift32) */
function rng(seed: number) {
  let x = seed;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const txMessage = (tx: Uint8Array) => {
  const l = encodeTxList([tx]);
  const m = new Uint8Array(1 + l.length);
  m.set(l, 1);
  return m;
};
function depositMessage(to: Uint8Array, amount: bigint): Uint8Array {
  const m = new Uint8Array(53);
  m[0] = 0x01;
  m.set(to, 1);
  writeBE(m, 21, amount, 32);
  return m;
}

/**
 * Messages built against a model that applies them directly (the expected receipts), one record
 * each; `receipts` are that model's verdicts.
 */
class Script {
  readonly m = new ZTokenState(z, CHAIN);
  readonly msgs: Uint8Array[] = [];
  readonly receipts: ZReceiptCode[] = [];
  tx(t: SignedZTx | Uint8Array, want?: ZReceiptCode) {
    const bytes = t instanceof Uint8Array ? t : encodeTx(t);
    const got = this.m.applyBytes(bytes);
    if (want !== undefined) expect(got).toBe(want);
    this.msgs.push(txMessage(bytes));
    this.receipts.push(got);
  }
  deposit(to: Uint8Array, amount: bigint, want?: ZReceiptCode) {
    const got = this.m.deposit(to, amount);
    if (want !== undefined) expect(got).toBe(want);
    this.msgs.push(depositMessage(to, amount));
    this.receipts.push(got);
  }
  nonce(u: number) {
    return this.m.account(users[u].index).nonce;
  }
  balance(u: number) {
    return this.m.account(users[u].index).balance;
  }
  transfer(from: number, to: number, amount: bigint, over: Partial<ZTx> = {}, signer = from): SignedZTx {
    const tx = {
      op: ZOP.transfer,
      chainId: CHAIN,
      nonce: this.nonce(from),
      from: users[from].index,
      to: users[to].index,
      amount,
      ...over,
    } as ZTx;
    return signTx(z, users[signer].prv, tx);
  }
  withdraw(from: number, amount: bigint, over: Partial<ZTx> = {}, signer = from): SignedZTx {
    const tx = {
      op: ZOP.withdraw,
      chainId: CHAIN,
      nonce: this.nonce(from),
      from: users[from].index,
      to: 0xfeedn + BigInt(from),
      amount,
      ...over,
    } as ZTx;
    return signTx(z, users[signer].prv, tx);
  }
  open(u: number, over: Partial<ZTx> = {}, signer = u): SignedZTx {
    const tx = {
      op: ZOP.open,
      chainId: CHAIN,
      nonce: 0n,
      index: users[u].index,
      key: users[u].key,
      ...over,
    } as ZTx;
    return signTx(z, users[signer].prv, tx);
  }
}

/** the transaction's bytes with its signature's field at `at` (0: R8x, 1: R8y, 2: S) replaced */
function patchSig(t: SignedZTx, at: number, f: (v: bigint) => bigint): Uint8Array {
  const b = encodeTx(t);
  const off = b.length - 96 + 32 * at;
  writeBE(b, off, f(readBE(b, off, 32)), 32);
  return b;
}

const addr = (u: number) => accountAddress(z, users[u].index, users[u].key);

/** every op and every rejection reason of §2.2, from the empty tree */
function scenario(): Script {
  const s = new Script();
  for (const u of [0, 1, 2, 3]) s.tx(s.open(u), R.OK);
  for (const u of [0, 1, 2]) s.deposit(addr(u), 1000n * BigInt(u + 1), R.OK);
  // open: taken, keys not in the subgroup or the identity, a bad signature, a bad nonce
  s.tx(s.open(4, { index: users[0].index }), R.ACCOUNT_TAKEN);
  s.tx(s.open(4, { key: add(users[4].key, TORSION[1]) }), R.BAD_KEY);
  s.tx(s.open(4, { key: [0n, 1n] }), R.BAD_KEY);
  s.tx(s.open(4, { key: [0n, FIELD_P - 1n] }), R.BAD_KEY);
  s.tx(s.open(4, { key: TORSION[2] }), R.BAD_KEY);
  s.tx(s.open(4, {}, 3), R.BAD_SIGNATURE);
  s.tx(s.open(4, { nonce: 1n }), R.BAD_NONCE);
  // deposits: to an unopened account, to another key's address, an overflow, the largest that fits
  s.deposit(addr(4), 5n, R.NO_ACCOUNT);
  s.deposit(accountAddress(z, users[0].index, users[1].key), 5n, R.NO_ACCOUNT);
  s.deposit(addr(2), U128 - 3000n, R.OVERFLOW);
  s.deposit(addr(3), U128 - 5n, R.OK);
  // transfers
  s.tx(s.transfer(0, 1, 10n), R.OK);
  s.tx(s.transfer(4, 1, 1n), R.NO_ACCOUNT);
  s.tx(s.transfer(0, 1, 1n, {}, 2), R.BAD_SIGNATURE);
  s.tx(
    patchSig(s.transfer(0, 1, 1n), 2, (v) => v + L),
    R.BAD_SIGNATURE,
  ); // S + l: the same point
  s.tx(
    patchSig(s.transfer(0, 1, 1n), 1, (v) => v + 1n),
    R.BAD_SIGNATURE,
  ); // R8 off the curve
  s.tx(
    patchSig(s.transfer(0, 1, 1n), 0, (v) => v + FIELD_P),
    R.BAD_SIGNATURE,
  ); // R8x ≥ p
  s.tx(s.transfer(0, 1, 1n, { nonce: 7n }), R.BAD_NONCE);
  s.tx(s.transfer(0, 4, 1n), R.NO_ACCOUNT);
  s.tx(s.transfer(0, 1, 991n), R.INSUFFICIENT_BALANCE);
  s.tx(s.transfer(0, 3, 10n), R.OVERFLOW);
  s.tx(s.transfer(0, 3, 5n - 1n), R.OK); // the recipient reaches 2^128 − 1
  s.tx(s.transfer(1, 1, 2010n), R.OK); // to oneself, all of it
  s.tx(s.transfer(1, 0, 2010n), R.OK); // all of it
  // withdrawals
  s.tx(s.withdraw(0, 100n), R.OK);
  s.tx(s.withdraw(4, 1n), R.NO_ACCOUNT);
  s.tx(s.withdraw(0, 1n, {}, 1), R.BAD_SIGNATURE);
  s.tx(s.withdraw(0, 1n, { nonce: 0n }), R.BAD_NONCE);
  s.tx(s.withdraw(2, 3001n), R.INSUFFICIENT_BALANCE);
  // a late open and its deposit
  s.tx(s.open(4), R.OK);
  s.deposit(addr(4), 1n, R.OK);
  // a random tail (accepted or not as the model says)
  const r = rng(23);
  for (let k = 0; k < 9; k++) {
    const a = r(5);
    const amount = BigInt(r(Number(s.balance(a) > 3000n ? 3000n : s.balance(a) + 2n)));
    const what = r(3);
    if (what === 0) s.tx(s.transfer(a, r(6), amount));
    else if (what === 1) s.tx(s.withdraw(a, amount));
    else s.deposit(addr(r(6)), amount);
  }
  return s;
}

const bump = (input: CircuitInput, k: string, by = 1n): CircuitInput => ({
  ...input,
  [k]: (BigInt(input[k] as string) + by).toString(),
});

/** the input with record word `i` + `by` */
const bumpWord = (input: CircuitInput, i: number, by: bigint): CircuitInput => ({
  ...input,
  recordWords: (input.recordWords as string[]).map((v, j) => (j === i ? (BigInt(v) + by).toString() : v)),
});

const signalsOf = (w: ChunkWitness) => publicSignalValues({ ...w, chainId: CHAIN });

let circuit: ZTokenCircuit;

describe('ztoken chunk circuit against the model (slow: compiles the circuit once, cached)', () => {
  const s = scenario();
  const state = new ZTokenState(z, CHAIN);
  const chunks = chunkRecords(recordsOf(s.msgs, CHAIN), T);
  const witnesses: ChunkWitness[] = [];

  beforeAll(async () => {
    circuit = await ztokenCircuit(T);
  }, 900_000);

  it('the records and the model agree: every receipt of the scenario, the same root', () => {
    expect(s.msgs.length).toBe(recordsOf(s.msgs, CHAIN).length);
    for (const c of chunks) witnesses.push(chunkInput(state, c));
    const got = witnesses.flatMap((w) => w.receipts).slice(0, s.receipts.length);
    expect(got).toEqual(s.receipts);
    expect(state.root).toBe(s.m.root);
    // every rejection reason of §2.2 occurs
    for (const code of Object.values(R).filter(
      (c) => c > 1 && c !== R.WRONG_APP && c !== R.WRONG_CHAIN && c !== R.UNKNOWN_OP,
    ))
      expect(s.receipts).toContain(code);
  });

  it('every chunk: the model roots, record words and mask satisfy the circuit', async () => {
    expect(witnesses.length).toBe(chunks.length);
    expect(recordWordCount(T)).toBe(11);
    expect(publicSignalNames(T)).toHaveLength(15);
    for (const w of witnesses) {
      expect(w.recordWords).toHaveLength(11);
      const wit = await circuit.witness(w.input);
      // the public inputs follow the constant 1 (no outputs), in publicSignalNames's order
      expect(wit.slice(1, 1 + publicSignalNames(T).length)).toEqual(signalsOf(w));
    }
  }, 1_800_000);

  it('another mask, post-root, pre-root, record word or chain id is refused', async () => {
    // a chunk with an accepted and a rejected record, and the last one (a padding slot when odd)
    const mixed = witnesses.find((w) => w.acceptedMask === 1 || w.acceptedMask === 2) as ChunkWitness;
    for (const w of [mixed, witnesses[witnesses.length - 1]])
      for (let t = 0; t < T; t++)
        await expect(
          circuit.witness({ ...w.input, acceptedMask: String(w.acceptedMask ^ (1 << t)) }),
        ).rejects.toThrow(/satisfy/);
    // chunk 0: two accepted opens (the chain id enters their signed messages)
    const opens = witnesses[0];
    expect(opens.acceptedMask).toBe(3);
    for (const k of ['postRoot', 'preRoot', 'chainId'])
      await expect(circuit.witness(bump(opens.input, k))).rejects.toThrow(/satisfy/);
    // every word, in its lowest bit and in its highest (the last word's low 21 bytes are padding)
    for (let i = 0; i < recordWordCount(T); i++)
      for (const by of [1n, 1n << 247n])
        await expect(circuit.witness(bumpWord(opens.input, i, by)), `word ${i} + ${by}`).rejects.toThrow(
          /satisfy/,
        );
  }, 900_000);

  it('a prover cannot make a rejected record acceptable: a richer sender leaf, a key without its torsion', async () => {
    const slotOf = (code: ZReceiptCode) => {
      const i = s.receipts.indexOf(code);
      return { w: witnesses[Math.floor(i / T)], t: i % T };
    };
    const poor = slotOf(R.INSUFFICIENT_BALANCE);
    const rich = structuredClone(poor.w.input);
    (rich.bal1 as string[])[poor.t] = (10n ** 9n).toString();
    await expect(circuit.witness(rich)).rejects.toThrow(/satisfy/);
    await expect(
      circuit.witness({ ...rich, acceptedMask: String(poor.w.acceptedMask | (1 << poor.t)) }),
    ).rejects.toThrow(/satisfy/);
    const bad = slotOf(R.BAD_KEY); // the key with a torsion part T_1
    expect((bad.w.input.tSel as string[][])[bad.t]).toEqual(['1', '0', '0']);
    const clean = structuredClone(bad.w.input);
    (clean.tSel as string[][])[bad.t] = ['0', '0', '0'];
    await expect(circuit.witness(clean)).rejects.toThrow(/satisfy/);
  }, 600_000);

  it('a chunk proved with dev keys verifies with its public signals only', async () => {
    const keys = await devSetup(circuit.r1cs);
    const w = witnesses[1];
    const { proof, publicSignals, ms } = await prove(circuit.wasm, keys.zkey, w.input);
    console.log(
      `ztoken chunk T=${T}: ${circuit.constraints} constraints, 2^${keys.power}, prove ${Math.round(ms)} ms`,
    );
    const expected = signalsOf(w).map(String);
    expect(expected).toHaveLength(15);
    expect(publicSignals).toEqual(expected);
    const vkey = keys.vkey;
    expect(await verify(vkey, publicSignals, proof)).toBe(true);
    for (let i = 0; i < expected.length; i++) {
      const other = [...expected];
      other[i] = (BigInt(other[i]) + 1n).toString();
      expect(await verify(vkey, other, proof)).toBe(false);
    }
    expect(mul(users[0].key, L)).toEqual([0n, 1n]); // the users' keys are subgroup points
  }, 1_800_000);
});
