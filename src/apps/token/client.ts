/**
 * Client of the token app (app 0x02, guest/apps/token): transfers, withdrawals, deposit messages,
 * balances read through the preimage store. The outbox (withdrawal leaves, Merkle proofs) is the
 * SDK's: src/apps/sdk/outbox.ts.
 */
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
