/**
 * The batch circuit's input (docs/validity.md §3): T transfer slots applied to the model in order,
 * each with the sender's leaf and path before its debit and the recipient's after it; slots past
 * the transfers are padding. Only accepted transfers are provable: a rejected one throws.
 */
import { createHash } from 'node:crypto';
import { ModexError } from '../../core/errors.ts';
import type { ZReceiptCode, ZTokenState } from './model.ts';
import { ZReceipt } from './model.ts';
import { DEPTH } from './tree.ts';
import { encodeBody, type SignedZTx, ZOP } from './tx.ts';

/** bytes of a transfer body (§2.2); a padding slot is this many zero bytes */
export const TRANSFER_BODY_LEN = 38;

/** The batch cannot be proved by the circuit (too many slots, not a transfer, a rejected transfer). */
export class ZTokenWitnessError extends ModexError {
  constructor(
    message: string,
    readonly receipt?: ZReceiptCode,
  ) {
    super('ZTOKEN_NOT_PROVABLE', message);
  }
}

export type CircuitInput = Record<string, string | string[] | string[][]>;

/** batchHash: SHA-256 of the T bodies, the digest's low 253 bits (§3) */
export function batchHash(bodies: readonly Uint8Array[], slots: number): bigint {
  const data = new Uint8Array(slots * TRANSFER_BODY_LEN);
  bodies.forEach((b, i) => {
    data.set(b, i * TRANSFER_BODY_LEN);
  });
  const d = createHash('sha256').update(data).digest();
  return BigInt(`0x${d.toString('hex')}`) & ((1n << 253n) - 1n);
}

/**
 * Applies `txs` (transfers, at most `slots`) to `state` (which changes) and returns the circuit's
 * input for a batch of `slots`.
 */
export function circuitInput(state: ZTokenState, txs: readonly SignedZTx[], slots: number): CircuitInput {
  if (txs.length > slots)
    throw new ZTokenWitnessError(`${txs.length} transfers do not fit a batch of ${slots}`);
  const preRoot = state.root;
  const cols: Record<string, string[]> = {};
  const paths: Record<'fromPath' | 'toPath', string[][]> = { fromPath: [], toPath: [] };
  const push = (k: string, v: bigint | number) => {
    cols[k] ??= [];
    cols[k].push(v.toString());
  };
  const bodies: Uint8Array[] = [];
  for (let t = 0; t < slots; t++) {
    const s = txs[t];
    if (s === undefined) {
      for (const k of ['enabled', 'nonce', 'from', 'to', 'amount', 'R8x', 'R8y', 'S']) push(k, 0);
      for (const k of ['fromAx', 'fromAy', 'fromBal', 'fromNonce', 'toAx', 'toAy', 'toBal', 'toNonce'])
        push(k, 0);
      paths.fromPath.push(Array(DEPTH).fill('0'));
      paths.toPath.push(Array(DEPTH).fill('0'));
      continue;
    }
    const { tx, sig } = s;
    if (tx.op !== ZOP.transfer) throw new ZTokenWitnessError(`slot ${t} is op ${tx.op}, not a transfer`);
    const from = state.account(tx.from);
    const fromPath = state.tree.path(tx.from);
    const r = state.apply(s);
    if (r !== ZReceipt.OK)
      throw new ZTokenWitnessError(`slot ${t}: the transfer is rejected (receipt ${r})`, r);
    // the recipient as it was after the debit (its credit undone); its siblings are the same
    const toNow = state.account(tx.to);
    const to = { ...toNow, balance: toNow.balance - tx.amount };
    const toPath = state.tree.path(tx.to);
    push('enabled', 1);
    push('nonce', tx.nonce);
    push('from', tx.from);
    push('to', tx.to);
    push('amount', tx.amount);
    push('R8x', sig.R8[0]);
    push('R8y', sig.R8[1]);
    push('S', sig.S);
    push('fromAx', from.ax);
    push('fromAy', from.ay);
    push('fromBal', from.balance);
    push('fromNonce', from.nonce);
    push('toAx', to.ax);
    push('toAy', to.ay);
    push('toBal', to.balance);
    push('toNonce', to.nonce);
    paths.fromPath.push(fromPath.map(String));
    paths.toPath.push(toPath.map(String));
    bodies.push(encodeBody(tx));
  }
  return {
    preRoot: preRoot.toString(),
    postRoot: state.root.toString(),
    batchHash: batchHash(bodies, slots).toString(),
    chainId: state.chainId.toString(),
    ...cols,
    ...paths,
  };
}
