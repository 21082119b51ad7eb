/**
 * ztoken transactions (docs/validity.md §2.2): body ‖ R8x (32) ‖ R8y (32) ‖ S (32), integers
 * big-endian; the signed message M = Poseidon(app, op, chainId, nonce, a, b, c). `signTransfer`,
 * `signWithdraw` and `signOpen` are the client side.
 */
import { ModexError } from '../../core/errors.ts';
import type { Point, Signature, ZkCrypto } from './crypto.ts';
import { ACCOUNTS } from './tree.ts';

export const ZTOKEN_APP = 0x03;
export const ZOP = { transfer: 0x01, withdraw: 0x02, open: 0x03 } as const;
export const BODY_LEN = { [ZOP.transfer]: 38, [ZOP.withdraw]: 56, [ZOP.open]: 84 } as const;
export const SIG_LEN = 96;
export const U128 = 1n << 128n;
const U64 = 1n << 64n;

export type ZTx =
  | { op: 0x01; chainId: bigint; nonce: bigint; from: number; to: number; amount: bigint }
  | { op: 0x02; chainId: bigint; nonce: bigint; from: number; to: bigint; amount: bigint }
  | { op: 0x03; chainId: bigint; nonce: bigint; index: number; key: Point };

export interface SignedZTx {
  tx: ZTx;
  sig: Signature;
}

/** A transaction's fields are out of range (client side: nothing was signed). */
export class ZTokenTxError extends ModexError {
  constructor(message: string) {
    super('ZTOKEN_BAD_TX', message);
  }
}

function check(ok: boolean, what: string) {
  if (!ok) throw new ZTokenTxError(what);
}

function validate(tx: ZTx): void {
  check(tx.chainId >= 0n && tx.chainId < U64, `chainId ${tx.chainId} is not a u64`);
  check(tx.nonce >= 0n && tx.nonce < U64, `nonce ${tx.nonce} is not a u64`);
  const idx = (i: number, w: string) =>
    check(
      Number.isInteger(i) && i >= 0 && i < ACCOUNTS,
      `${w} ${i} is not an account index (0 … ${ACCOUNTS - 1})`,
    );
  if (tx.op === ZOP.open) {
    idx(tx.index, 'index');
    return;
  }
  idx(tx.from, 'from');
  if (tx.op === ZOP.transfer) idx(tx.to, 'to');
  else check(tx.to >= 0n && tx.to < 1n << 160n, `to ${tx.to} is not an L1 address`);
  check(tx.amount >= 0n && tx.amount < U128, `amount ${tx.amount} is not a u128`);
}

function put(b: Uint8Array, at: number, v: bigint, n: number): number {
  for (let i = n - 1; i >= 0; i--, v >>= 8n) b[at + i] = Number(v & 0xffn);
  return at + n;
}

function get(b: Uint8Array, at: number, n: number): bigint {
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

export function encodeBody(tx: ZTx): Uint8Array {
  validate(tx);
  const b = new Uint8Array(BODY_LEN[tx.op]);
  b[0] = ZTOKEN_APP;
  b[1] = tx.op;
  let at = put(b, 2, tx.chainId, 8);
  at = put(b, at, tx.nonce, 8);
  if (tx.op === ZOP.open) {
    at = put(b, at, BigInt(tx.index), 2);
    at = put(b, at, tx.key[0], 32);
    put(b, at, tx.key[1], 32);
  } else {
    at = put(b, at, BigInt(tx.from), 2);
    at = tx.op === ZOP.transfer ? put(b, at, BigInt(tx.to), 2) : put(b, at, tx.to, 20);
    put(b, at, tx.amount, 16);
  }
  return b;
}

export function encodeTx({ tx, sig }: SignedZTx): Uint8Array {
  const body = encodeBody(tx);
  const out = new Uint8Array(body.length + SIG_LEN);
  out.set(body);
  put(out, body.length, sig.R8[0], 32);
  put(out, body.length + 32, sig.R8[1], 32);
  put(out, body.length + 64, sig.S, 32);
  return out;
}

export type DecodeResult =
  | { ok: true; signed: SignedZTx }
  | { ok: false; reason: 'malformed' | 'wrong_app' | 'unknown_op' };

/** Decodes a transaction (§2.2 rule 1); a field element ≥ p in the key is malformed. */
export function decodeTx(b: Uint8Array, p: bigint): DecodeResult {
  if (b.length < 2) return { ok: false, reason: 'malformed' };
  if (b[0] !== ZTOKEN_APP) return { ok: false, reason: 'wrong_app' };
  const op = b[1];
  if (op !== ZOP.transfer && op !== ZOP.withdraw && op !== ZOP.open)
    return { ok: false, reason: 'unknown_op' };
  const n = BODY_LEN[op];
  if (b.length !== n + SIG_LEN) return { ok: false, reason: 'malformed' };
  const chainId = get(b, 2, 8);
  const nonce = get(b, 10, 8);
  const sig: Signature = { R8: [get(b, n, 32), get(b, n + 32, 32)], S: get(b, n + 64, 32) };
  let tx: ZTx;
  if (op === ZOP.open) {
    tx = { op, chainId, nonce, index: Number(get(b, 18, 2)), key: [get(b, 20, 32), get(b, 52, 32)] };
    if (tx.key[0] >= p || tx.key[1] >= p) return { ok: false, reason: 'malformed' };
  } else if (op === ZOP.transfer) {
    tx = {
      op,
      chainId,
      nonce,
      from: Number(get(b, 18, 2)),
      to: Number(get(b, 20, 2)),
      amount: get(b, 22, 16),
    };
  } else {
    tx = { op, chainId, nonce, from: Number(get(b, 18, 2)), to: get(b, 20, 20), amount: get(b, 40, 16) };
  }
  return { ok: true, signed: { tx, sig } };
}

/** M = Poseidon(app, op, chainId, nonce, a, b, c) (§2.2) */
export function messageOf(z: ZkCrypto, tx: ZTx): bigint {
  const [a, b, c] =
    tx.op === ZOP.open
      ? [BigInt(tx.index), tx.key[0], tx.key[1]]
      : [BigInt(tx.from), BigInt(tx.to), tx.amount];
  return z.poseidon([BigInt(ZTOKEN_APP), BigInt(tx.op), tx.chainId, tx.nonce, a, b, c]);
}

/** Signs a transaction with an EdDSA-Poseidon private key (any bytes, circomlibjs's convention). */
export function signTx(z: ZkCrypto, prv: Uint8Array, tx: ZTx): SignedZTx {
  validate(tx);
  return { tx, sig: z.signPoseidon(prv, messageOf(z, tx)) };
}

/** An account's address (§2.2): index u16 ‖ the low 18 bytes of Poseidon(ax, ay). */
export function accountAddress(z: ZkCrypto, index: number, key: Point): Uint8Array {
  const out = new Uint8Array(20);
  put(out, 0, BigInt(index), 2);
  put(out, 2, z.poseidon([key[0], key[1]]) & ((1n << 144n) - 1n), 18);
  return out;
}

/** A withdrawal's `from` (§2.2): the account index as a 20-byte big-endian integer. */
export function indexAddress(index: number): Uint8Array {
  const out = new Uint8Array(20);
  put(out, 18, BigInt(index), 2);
  return out;
}

export { get as readBE, put as writeBE };
