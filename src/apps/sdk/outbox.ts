/**
 * The outbox (docs/stf.md "Outbox", docs/app-abi.md §6): withdrawals are leaves of a depth-32 Merkle
 * tree whose root is the STF's send root (global state `bytes32[1]`); L1's bridge pays a withdrawal
 * proven against a confirmed send root. SDK conventions, the same for every app: the leaves are
 * recorded in the state (key `0x06 ‖ index u64`, read by `AppRuntime.withdrawals`), and a node
 * proves withdrawal `i` from them alone.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Withdrawal } from '../../core/app.ts';
import { addr, concat, u256 } from './client-common.ts';

export type { Withdrawal };

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
