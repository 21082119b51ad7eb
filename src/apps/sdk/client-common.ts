/**
 * Transaction and inbox-message encoding shared by the app clients (docs/stf.md "Signed
 * transactions", "Inbox message format"). Signing: `account.signMessage({ message: { raw: digest } })`.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { hexToBytes, type LocalAccount } from 'viem';

export interface TxHeader {
  app: number;
  op: number;
  chainId: bigint;
  nonce: bigint;
}

export function encodeBody(h: TxHeader, args: Uint8Array): Uint8Array {
  const b = new Uint8Array(18 + args.length);
  const dv = new DataView(b.buffer);
  b[0] = h.app;
  b[1] = h.op;
  dv.setBigUint64(2, h.chainId);
  dv.setBigUint64(10, h.nonce);
  b.set(args, 18);
  return b;
}

/** body ‖ r ‖ s ‖ v, signed by `account` over keccak256(body) as an EIP-191 personal message */
export async function signTx(account: LocalAccount, body: Uint8Array): Promise<Uint8Array> {
  const digest = keccak_256(body);
  const sig = hexToBytes(await account.signMessage({ message: { raw: digest } }));
  const out = new Uint8Array(body.length + 65);
  out.set(body, 0);
  out.set(sig, body.length);
  return out;
}

/** inbox message kind 0x00: count u32 ‖ (len u32 ‖ tx)* */
export function encodeBatch(txs: Uint8Array[]): Uint8Array {
  const len = 5 + txs.reduce((n, t) => n + 4 + t.length, 0);
  const m = new Uint8Array(len);
  const dv = new DataView(m.buffer);
  m[0] = 0x00;
  dv.setUint32(1, txs.length);
  let off = 5;
  for (const t of txs) {
    dv.setUint32(off, t.length);
    m.set(t, off + 4);
    off += 4 + t.length;
  }
  return m;
}

export const u16 = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff);

export const u256 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
};

export const bytesToBig = (b: Uint8Array): bigint => b.reduce((x, y) => (x << 8n) | BigInt(y), 0n);

export const addr = (a: `0x${string}`): Uint8Array => hexToBytes(a);

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};

/** state key 0x01 ‖ address: the sender's next nonce */
export const nonceKey = (a: `0x${string}`): Uint8Array => concat(Uint8Array.of(0x01), addr(a));
