/** What the node's JSON-RPC answers, as the client returns it (docs/node.md §2). */
import type { Hex } from 'viem';
import type { Withdrawal } from '../core/app.ts';

export type { Withdrawal };

/** A block number, or the latest stored block. */
export type BlockTag = number | 'latest';

/** `modex_sendRawTransaction`'s soft confirmation: the transaction's place, final unless L1 disagrees. */
export interface SoftConfirmation {
  /** keccak256 of the raw transaction */
  hash: Hex;
  block: number;
  index: number;
}

/** A transaction the sequencer acknowledged whose block is not executed and stored yet. */
export interface PendingTransaction {
  status: 'pending';
  block: number;
  index: number;
}

/** An executed transaction's receipt. */
export interface TransactionReceipt {
  /** the app's name of `code` (`ok`, `bad_nonce`, …; `status_<n>` for an unnamed code) */
  status: string;
  code: number;
  block: number;
  index: number;
  /** the state root after the block */
  stateRoot: Hex;
}

/** A stored block (`modex_getBlock`). */
export interface Block {
  /** inbox position */
  number: number;
  /** `batch`: a sequencer block; `delayed`: a delayed inbox message (e.g. a deposit) */
  kind: 'batch' | 'delayed';
  messageHash: Hex;
  stateRoot: Hex;
  sendRoot: Hex;
  /** message-level receipt status */
  status?: number;
  /** one receipt code per transaction */
  receipts: number[];
  txCount: number;
  txHashes: Hex[];
  delayedIndex?: number;
  delayedRead: number;
  /** ms since the epoch */
  sealedAt: number;
  /** the message bytes (with `withMessage`) */
  message?: Hex;
}

/** A query's answer (`modex_query`). */
export interface QueryResult {
  /** `ok`, or the app's name of the failure (`malformed`, `unknown_op`, …) */
  status: string;
  code: number;
  result: Hex;
}

/** A withdrawal with its outbox proof: what `Bridge.executeWithdrawal` takes on L1. */
export interface WithdrawalProof {
  withdrawal: Withdrawal;
  /** 32 siblings, leaf level first */
  proof: Hex[];
  /** the send root the proof is against (the state's `bytes32[1]` after the block asked about) */
  sendRoot: Hex;
}
