/**
 * The ztoken app's reference model (docs/validity.md §2): accounts in the Poseidon tree, the rules
 * of §2.2 in their order, deposits and the withdrawal outbox. The wasm STF and the circuit are
 * checked against it.
 */
import type { ZkCrypto } from './crypto.ts';
import { type Account, AccountTree, EMPTY_ACCOUNT, leafHash } from './tree.ts';
import {
  accountAddress,
  decodeTx,
  indexAddress,
  messageOf,
  readBE,
  type SignedZTx,
  U128,
  ZOP,
  type ZTx,
} from './tx.ts';

/** receipt codes: the SDK's (docs/app-abi.md §5) and the app's own from 16 */
export const ZReceipt = {
  OK: 0,
  MALFORMED: 1,
  WRONG_APP: 2,
  WRONG_CHAIN: 3,
  BAD_SIGNATURE: 4,
  BAD_NONCE: 5,
  UNKNOWN_OP: 6,
  INSUFFICIENT_BALANCE: 7,
  OVERFLOW: 8,
  NO_ACCOUNT: 16,
  ACCOUNT_TAKEN: 17,
  BAD_KEY: 18,
} as const;
export type ZReceiptCode = (typeof ZReceipt)[keyof typeof ZReceipt];

export interface ZWithdrawal {
  /** the sender's account index as a 20-byte big-endian integer (§2.2: L1 cannot compute Poseidon) */
  from: Uint8Array;
  /** the L1 recipient, a 160-bit integer */
  to: bigint;
  amount: bigint;
}

export class ZTokenState {
  readonly tree: AccountTree;
  private readonly accounts = new Map<number, Account>();
  readonly outbox: ZWithdrawal[] = [];

  constructor(
    readonly z: ZkCrypto,
    readonly chainId: bigint,
  ) {
    this.tree = new AccountTree(z);
  }

  get root(): bigint {
    return this.tree.root;
  }

  account(index: number): Account {
    return this.accounts.get(index) ?? EMPTY_ACCOUNT;
  }

  private write(index: number, a: Account): void {
    this.accounts.set(index, a);
    this.tree.set(index, leafHash(this.z, a));
  }

  /** an L1 deposit to a 20-byte address (§2.2); amount is the bridge's u256 */
  deposit(to: Uint8Array, amount: bigint): ZReceiptCode {
    if (to.length !== 20) return ZReceipt.MALFORMED;
    const index = Number(readBE(to, 0, 2));
    const a = this.account(index);
    if (a.ax === 0n) return ZReceipt.NO_ACCOUNT;
    const addr = accountAddress(this.z, index, [a.ax, a.ay]);
    if (!addr.every((v, i) => v === to[i])) return ZReceipt.NO_ACCOUNT;
    if (a.balance + amount >= U128) return ZReceipt.OVERFLOW;
    this.write(index, { ...a, balance: a.balance + amount });
    return ZReceipt.OK;
  }

  /** one transaction's bytes (§2.2): decoded, checked, applied or rejected with no effect */
  applyBytes(bytes: Uint8Array): ZReceiptCode {
    const d = decodeTx(bytes, this.z.p);
    if (!d.ok)
      return d.reason === 'malformed'
        ? ZReceipt.MALFORMED
        : d.reason === 'wrong_app'
          ? ZReceipt.WRONG_APP
          : ZReceipt.UNKNOWN_OP;
    return this.apply(d.signed);
  }

  /** §2.2 rules 2–6 and the effects */
  apply({ tx, sig }: SignedZTx): ZReceiptCode {
    const z = this.z;
    if (tx.chainId !== this.chainId) return ZReceipt.WRONG_CHAIN;
    if (tx.op === ZOP.open) {
      if (this.account(tx.index).ax !== 0n) return ZReceipt.ACCOUNT_TAKEN;
      if (!z.isAccountKey(tx.key)) return ZReceipt.BAD_KEY;
      if (!z.verifyPoseidon(messageOf(z, tx), sig, tx.key)) return ZReceipt.BAD_SIGNATURE;
      if (tx.nonce !== 0n) return ZReceipt.BAD_NONCE;
      this.write(tx.index, { ax: tx.key[0], ay: tx.key[1], balance: 0n, nonce: 1n });
      return ZReceipt.OK;
    }
    const from = this.account(tx.from);
    if (from.ax === 0n) return ZReceipt.NO_ACCOUNT;
    if (!z.verifyPoseidon(messageOf(z, tx), sig, [from.ax, from.ay])) return ZReceipt.BAD_SIGNATURE;
    if (tx.nonce !== from.nonce) return ZReceipt.BAD_NONCE;
    return tx.op === ZOP.transfer ? this.transfer(tx, from) : this.withdraw(tx, from);
  }

  private transfer(tx: Extract<ZTx, { op: 0x01 }>, from: Account): ZReceiptCode {
    const to0 = this.account(tx.to);
    if (to0.ax === 0n) return ZReceipt.NO_ACCOUNT;
    if (tx.amount > from.balance) return ZReceipt.INSUFFICIENT_BALANCE;
    // the credit is checked in the tree after the debit (a transfer to oneself never overflows)
    const to1 = tx.to === tx.from ? { ...from, balance: from.balance - tx.amount } : to0;
    if (to1.balance + tx.amount >= U128) return ZReceipt.OVERFLOW;
    this.write(tx.from, { ...from, balance: from.balance - tx.amount, nonce: from.nonce + 1n });
    const to = this.account(tx.to);
    this.write(tx.to, { ...to, balance: to.balance + tx.amount });
    return ZReceipt.OK;
  }

  private withdraw(tx: Extract<ZTx, { op: 0x02 }>, from: Account): ZReceiptCode {
    if (tx.amount > from.balance) return ZReceipt.INSUFFICIENT_BALANCE;
    this.write(tx.from, { ...from, balance: from.balance - tx.amount, nonce: from.nonce + 1n });
    this.outbox.push({
      from: indexAddress(tx.from),
      to: tx.to,
      amount: tx.amount,
    });
    return ZReceipt.OK;
  }

  /** a batch (docs/stf.md: the transaction list), in order: one receipt per transaction */
  applyBatch(txs: readonly Uint8Array[]): ZReceiptCode[] {
    return txs.map((t) => this.applyBytes(t));
  }
}
