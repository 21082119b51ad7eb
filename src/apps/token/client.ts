/**
 * Client of the token app (app 0x02, guest/apps/token): transfers, withdrawals, deposit messages,
 * balances read through the preimage store, and the outbox (withdrawal leaves, Merkle proofs).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { LocalAccount } from 'viem';
import { addr, bytesToBig, concat, encodeBody, signTx, u256 } from '../sdk/client-common.ts';
import type { StateTree } from '../sdk/state-tree.ts';

export { nonceOf } from '../kv/client.ts';

export const TOKEN_APP = 0x02;
/**
 * The chain id the token examples and tests use by default. The app has no chain id of its own: a
 * chain's id is given at genesis (`modex_genesis`, docs/app-abi.md §2) from `chain.chainId`.
 */
export const TOKEN_CHAIN_ID = 0x6d6f6465780002n;

/** query kind 0x10 ‖ address: the balance, u256 BE (docs/app-abi.md §4) */
export const balanceQuery = (a: `0x${string}`): Uint8Array => concat(Uint8Array.of(0x10), addr(a));

export interface TokenTxOpts {
  nonce: bigint;
  chainId?: bigint;
}

const body = (op: number, to: `0x${string}`, amount: bigint, o: TokenTxOpts) =>
  encodeBody(
    { app: TOKEN_APP, op, chainId: o.chainId ?? TOKEN_CHAIN_ID, nonce: o.nonce },
    concat(addr(to), u256(amount)),
  );

export const transferBody = (to: `0x${string}`, amount: bigint, o: TokenTxOpts) => body(0x01, to, amount, o);
export const withdrawBody = (to: `0x${string}`, amount: bigint, o: TokenTxOpts) => body(0x02, to, amount, o);
export const transfer = (a: LocalAccount, to: `0x${string}`, amount: bigint, o: TokenTxOpts) =>
  signTx(a, transferBody(to, amount, o));
export const withdraw = (a: LocalAccount, to: `0x${string}`, amount: bigint, o: TokenTxOpts) =>
  signTx(a, withdrawBody(to, amount, o));

/** inbox message kind 0x01: to (20) ‖ amount (32) */
export const depositMessage = (to: `0x${string}`, amount: bigint): Uint8Array =>
  concat(Uint8Array.of(0x01), addr(to), u256(amount));

export const balanceKey = (a: `0x${string}`): Uint8Array => concat(Uint8Array.of(0x03), addr(a));

export function balanceOf(tree: StateTree, a: `0x${string}`): bigint {
  const v = tree.get(balanceKey(a));
  return v ? bytesToBig(v) : 0n;
}

export interface Withdrawal {
  index: bigint;
  from: `0x${string}`;
  to: `0x${string}`;
  amount: bigint;
}

export const OUTBOX_DEPTH = 32;

/** keccak256(index u64 ‖ from ‖ to ‖ amount u256) (docs/stf.md "Outbox") */
export function withdrawalLeaf(w: Withdrawal): Uint8Array {
  const idx = new Uint8Array(8);
  new DataView(idx.buffer).setBigUint64(0, w.index);
  return keccak_256(concat(idx, addr(w.from), addr(w.to), u256(w.amount)));
}

const pair = (a: Uint8Array, b: Uint8Array) => keccak_256(concat(a, b));

const ZEROS: Uint8Array[] = [new Uint8Array(32)];
for (let i = 0; i < OUTBOX_DEPTH; i++) ZEROS.push(pair(ZEROS[i], ZEROS[i]));

/** the root of the depth-32 outbox tree over `leaves` (missing leaves = zero) */
export function outboxRoot(leaves: Uint8Array[]): Uint8Array {
  let level = leaves;
  for (let h = 0; h < OUTBOX_DEPTH; h++) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(pair(level[i], level[i + 1] ?? ZEROS[h]));
    level = next;
  }
  return level[0] ?? ZEROS[OUTBOX_DEPTH];
}

/** the Merkle proof (32 siblings, leaf level first) of leaf `index` */
export function outboxProof(leaves: Uint8Array[], index: number): Uint8Array[] {
  const proof: Uint8Array[] = [];
  let level = leaves;
  let i = index;
  for (let h = 0; h < OUTBOX_DEPTH; h++) {
    proof.push(level[i ^ 1] ?? ZEROS[h]);
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(pair(level[j], level[j + 1] ?? ZEROS[h]));
    level = next;
    i >>= 1;
  }
  return proof;
}

/** what L1 checks: the leaf with its proof hashes up to the send root */
export function verifyWithdrawal(sendRoot: Uint8Array, w: Withdrawal, proof: Uint8Array[]): boolean {
  let node = withdrawalLeaf(w);
  let i = w.index;
  for (const sib of proof) {
    node = i & 1n ? pair(sib, node) : pair(node, sib);
    i >>= 1n;
  }
  return Buffer.from(node).equals(Buffer.from(sendRoot));
}
