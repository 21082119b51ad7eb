/** Client of the kv app (app 0x01, guest/apps/kv): build and sign set/delete, read through the preimage store. */
import type { LocalAccount } from 'viem';
import { addr, bytesToBig, concat, encodeBody, nonceKey, signTx, u16 } from '../sdk/client-common.ts';
import type { StateTree } from '../sdk/state-tree.ts';

export const KV_APP = 0x01;
/**
 * The chain id the kv examples and tests use by default. The app has no chain id of its own: a
 * chain's id is given at genesis (`modex_genesis`, docs/app-abi.md §2) from `chain.chainId`.
 */
export const KV_CHAIN_ID = 0x6d6f6465780001n;

export interface KvTxOpts {
  nonce: bigint;
  chainId?: bigint;
}

export function kvSetBody(key: Uint8Array, value: Uint8Array, o: KvTxOpts): Uint8Array {
  return encodeBody(
    { app: KV_APP, op: 0x01, chainId: o.chainId ?? KV_CHAIN_ID, nonce: o.nonce },
    concat(u16(key.length), key, u16(value.length), value),
  );
}

export function kvDeleteBody(key: Uint8Array, o: KvTxOpts): Uint8Array {
  return encodeBody(
    { app: KV_APP, op: 0x02, chainId: o.chainId ?? KV_CHAIN_ID, nonce: o.nonce },
    concat(u16(key.length), key),
  );
}

export const kvSet = (account: LocalAccount, key: Uint8Array, value: Uint8Array, o: KvTxOpts) =>
  signTx(account, kvSetBody(key, value, o));
export const kvDelete = (account: LocalAccount, key: Uint8Array, o: KvTxOpts) =>
  signTx(account, kvDeleteBody(key, o));

/** state key of the kv entry (owner, key): 0x02 ‖ owner ‖ key */
export const kvStateKey = (owner: `0x${string}`, key: Uint8Array): Uint8Array =>
  concat(Uint8Array.of(0x02), addr(owner), key);

/** query kind 0x10 ‖ owner (20) ‖ key: the value (empty when absent; docs/app-abi.md §4) */
export const kvQuery = (owner: `0x${string}`, key: Uint8Array): Uint8Array =>
  concat(Uint8Array.of(0x10), addr(owner), key);

export const kvGet = (tree: StateTree, owner: `0x${string}`, key: Uint8Array): Uint8Array | undefined =>
  tree.get(kvStateKey(owner, key));

export function nonceOf(tree: StateTree, a: `0x${string}`): bigint {
  const v = tree.get(nonceKey(a));
  return v ? bytesToBig(v) : 0n;
}
