/**
 * The batch circuit against the model (docs/validity.md §3): on random batches (full, partial,
 * transfers to oneself) the model's post-root is the one the circuit accepts, and no other; a bad
 * signature, an overdraft, a bad nonce, an unopened or overflowing recipient, another chain id or
 * another batch hash make the witness fail, as the model rejects the same transfers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ZTokenCircuit, ztokenCircuit } from './circuit.ts';
import { zkCrypto } from './crypto.ts';
import { ZReceipt, ZTokenState } from './model.ts';
import { accountAddress, encodeTx, type SignedZTx, signTx, U128, ZOP } from './tx.ts';
import { type CircuitInput, circuitInput, ZTokenWitnessError } from './witness.ts';

const z = await zkCrypto();
const CHAIN = 412n;
const T = 2;
const N = 6; // accounts
const users = Array.from({ length: N }, (_, i) => {
  const prv = Uint8Array.from({ length: 32 }, (_, j) => i * 31 + j);
  return { prv, key: z.publicKey(prv), index: i * 9973 + 1 }; // spread over the tree
});

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

/** two identical states: one for the circuit input, one the model runs on transaction bytes */
function states(): [ZTokenState, ZTokenState] {
  const make = () => {
    const s = new ZTokenState(z, CHAIN);
    for (const [i, u] of users.entries()) {
      const open = signTx(z, u.prv, { op: ZOP.open, chainId: CHAIN, nonce: 0n, index: u.index, key: u.key });
      expect(s.apply(open)).toBe(ZReceipt.OK);
      expect(s.deposit(accountAddress(z, u.index, u.key), 1000n * BigInt(i + 1))).toBe(ZReceipt.OK);
    }
    return s;
  };
  return [make(), make()];
}

function transfer(s: ZTokenState, from: number, to: number, amount: bigint): SignedZTx {
  const u = users[from];
  return signTx(z, u.prv, {
    op: ZOP.transfer,
    chainId: CHAIN,
    nonce: s.account(u.index).nonce,
    from: u.index,
    to: users[to].index,
    amount,
  });
}

/** a slot's transfer re-signed with other fields (the circuit input's slot t) */
function resign(input: CircuitInput, t: number, who: number, fields: { amount?: bigint; nonce?: bigint }) {
  const col = (k: string) => input[k] as string[];
  const tx = {
    op: ZOP.transfer,
    chainId: BigInt(input.chainId as string),
    nonce: fields.nonce ?? BigInt(col('nonce')[t]),
    from: Number(col('from')[t]),
    to: Number(col('to')[t]),
    amount: fields.amount ?? BigInt(col('amount')[t]),
  } as const;
  const { sig } = signTx(z, users[who].prv, tx);
  const out = structuredClone(input);
  const set = (k: string, v: bigint) => {
    (out[k] as string[])[t] = v.toString();
  };
  set('amount', tx.amount);
  set('nonce', tx.nonce);
  set('R8x', sig.R8[0]);
  set('R8y', sig.R8[1]);
  set('S', sig.S);
  return out;
}

const bump = (input: CircuitInput, k: string) => ({
  ...input,
  [k]: (BigInt(input[k] as string) + 1n).toString(),
});

let circuit: ZTokenCircuit;

describe('ztoken circuit against the model (slow: compiles the circuit once, cached)', () => {
  beforeAll(async () => {
    circuit = await ztokenCircuit(T);
  }, 600_000);

  it('random batches: the circuit accepts the model post-root and no other', async () => {
    const [s, m] = states();
    const r = rng(17);
    for (let round = 0; round < 3; round++) {
      const n = round === 1 ? 1 : T; // a partial batch: padding in the last slot
      const txs: SignedZTx[] = [];
      for (let k = 0; k < n; k++) {
        const from = r(N);
        const to = round === 2 && k === 0 ? from : r(N); // a transfer to oneself in round 2
        // applied to m as it goes, so the nonces and balances of later transfers are right
        const bal = m.account(users[from].index).balance;
        const t = transfer(m, from, to, BigInt(r(Number(bal) + 1)));
        expect(m.applyBatch([encodeTx(t)])).toEqual([ZReceipt.OK]);
        txs.push(t);
      }
      const pre = s.root;
      const input = circuitInput(s, txs, T);
      expect(s.root).toBe(m.root);
      expect(BigInt(input.preRoot as string)).toBe(pre);
      expect(BigInt(input.postRoot as string)).toBe(m.root);
      const w = await circuit.witness(input);
      // the public inputs follow the constant 1 (no outputs)
      expect(w.slice(1, 5)).toEqual([pre, m.root, BigInt(input.batchHash as string), CHAIN]);
      await expect(circuit.witness(bump(input, 'postRoot'))).rejects.toThrow(/satisfy/);
      if (round === 0) {
        await expect(circuit.witness(bump(input, 'batchHash'))).rejects.toThrow(/satisfy/);
        await expect(circuit.witness(bump(input, 'chainId'))).rejects.toThrow(/satisfy/);
        await expect(circuit.witness(bump(input, 'preRoot'))).rejects.toThrow(/satisfy/);
      }
    }
    expect(circuit.constraints).toBeGreaterThan(0);
  }, 300_000);

  it('a bad signature, an overdraft, a bad nonce: the model rejects, the witness fails', async () => {
    const [s, m] = states();
    const good = transfer(m, 0, 1, 10n); // users[0] holds 1000
    const input = circuitInput(s, [good], T);
    await circuit.witness(input); // the unchanged input is satisfied
    // the model's verdicts on the same transfers
    const bad = [
      signTx(z, users[2].prv, good.tx), // signed by another key
      transfer(m, 0, 1, 1001n), // overdraft
      signTx(z, users[0].prv, { ...good.tx, nonce: 2n }),
    ];
    expect(bad.map((t) => m.apply(t))).toEqual([
      ZReceipt.BAD_SIGNATURE,
      ZReceipt.INSUFFICIENT_BALANCE,
      ZReceipt.BAD_NONCE,
    ]);
    for (const t of bad) expect(() => circuitInput(m, [t], T)).toThrow(ZTokenWitnessError);
    // the circuit's: the same fields, each signed as the model saw it
    await expect(circuit.witness(resign(input, 0, 2, {}))).rejects.toThrow(/satisfy/);
    await expect(circuit.witness(resign(input, 0, 0, { amount: 1001n }))).rejects.toThrow(/satisfy/);
    await expect(circuit.witness(resign(input, 0, 0, { nonce: 2n }))).rejects.toThrow(/satisfy/);
    const s2 = structuredClone(input);
    (s2.S as string[])[0] = (BigInt((input.S as string[])[0]) + 1n).toString();
    await expect(circuit.witness(s2)).rejects.toThrow(/satisfy/);
  }, 300_000);

  it('an unopened or overflowing recipient: the model rejects, the witness fails', async () => {
    const [s, m] = states();
    // users[1] holds 2^128 − 5: a credit of 1 fits, one of 10 overflows
    const a1 = accountAddress(z, users[1].index, users[1].key);
    expect(m.deposit(a1, U128 - 2005n)).toBe(ZReceipt.OK);
    expect(s.deposit(a1, U128 - 2005n)).toBe(ZReceipt.OK);
    const over = transfer(m, 0, 1, 10n);
    expect(m.apply(over)).toBe(ZReceipt.OVERFLOW);
    expect(() => circuitInput(m, [over], T)).toThrow(ZTokenWitnessError);
    // the circuit: the credit is forced into the input from an accepted transfer of 1
    const ok = transfer(s, 0, 1, 1n);
    const input = circuitInput(s, [ok], T);
    await circuit.witness(input);
    await expect(circuit.witness(resign(input, 0, 0, { amount: 10n }))).rejects.toThrow(/satisfy/);

    const [s3] = states();
    const toNobody = signTx(z, users[0].prv, {
      op: ZOP.transfer,
      chainId: CHAIN,
      nonce: 1n,
      from: users[0].index,
      to: 7,
      amount: 0n,
    });
    expect(s3.apply(toNobody)).toBe(ZReceipt.NO_ACCOUNT);
    // a well-formed input for it: the recipient's empty leaf and its real path after the debit
    const in3 = circuitInput(s3, [transfer(s3, 0, 2, 0n)], T);
    const empty = s3.tree.path(7);
    const x = structuredClone(in3);
    for (const k of ['toAx', 'toAy', 'toBal', 'toNonce']) (x[k] as string[])[0] = '0';
    (x.toPath as string[][])[0] = empty.map(String);
    (x.to as string[])[0] = '7';
    await expect(circuit.witness(resign(x, 0, 0, { amount: 0n }))).rejects.toThrow(/satisfy/);
  }, 300_000);
});
