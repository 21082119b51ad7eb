/**
 * The application layer: what a node knows of an app, all of it read from the app's wasm through
 * the app ABI (docs/app-abi.md). The node never decodes a transaction, a receipt or a withdrawal
 * itself: it asks the app (admission, queries, receipt names) or reads the SDK's state conventions
 * (receipts, withdrawals, chain id). Implemented by src/apps/sdk/app-runtime.ts for wasm STFs.
 */
import type { Address, GlobalState, Hex } from './types.ts';

/** The app ABI version this node speaks (docs/app-abi.md). */
export const APP_ABI_VERSION = 1;

/** What admission says of a raw transaction (docs/app-abi.md §3). */
export type Admission =
  | {
      ok: true;
      /** keccak256 of the raw bytes */
      hash: Hex;
      /** the recovered sender */
      sender: Address;
      /** the replay key's sequence number: the sender's nonce this transaction uses */
      nonce: bigint;
    }
  | {
      ok: false;
      hash: Hex;
      /** a receipt code (docs/app-abi.md §5) saying why the app refuses it */
      code: number;
      /** the code's name as the app declares it */
      reason: string;
    };

/** Receipts of one executed inbox message (docs/app-abi.md §5). */
export interface MessageReceipts {
  /** message-level status: 0 for a decoded batch, the deposit's status, unknown_kind, undecodable */
  message: number;
  /** one status per transaction of a batch, in order */
  txs: number[];
}

/** One withdrawal (outbox leaf, docs/app-abi.md §6), as the STF recorded it in its state. */
export interface Withdrawal {
  index: bigint;
  /** the L2 account that withdrew */
  from: Address;
  /** the L1 recipient */
  to: Address;
  /** wei */
  amount: bigint;
}

/** The result of a read-only query (docs/app-abi.md §4). */
export interface QueryResult {
  /** 0 when the app answered; else a receipt code (e.g. unknown query) */
  status: number;
  /** the app's answer bytes (empty on error) */
  result: Uint8Array;
}

/** A loaded app: the node's whole view of the STF. */
export interface AppRuntime {
  /** the module root: identifies the STF on the settlement layer */
  readonly moduleRoot: Hex;
  /** names of receipt codes, index = code (docs/app-abi.md §5); unnamed codes are '' */
  readonly receiptNames: readonly string[];
  /** The global state at genesis for `chainId` (the app's `modex_genesis`). */
  genesis(chainId: bigint): GlobalState;
  /**
   * Admission of a raw transaction against the state root `stateRoot` (natively, metered); `hash`:
   * its keccak256 when the caller has it already.
   */
  admit(raw: Uint8Array, stateRoot: Uint8Array, hash?: Hex): Admission;
  /** A read-only query against any state root the node has. */
  query(stateRoot: Uint8Array, data: Uint8Array): QueryResult;
  /** The receipts the STF wrote for the message at `position`, read from the state after it. */
  receipts(stateRoot: Uint8Array, position: bigint): MessageReceipts | undefined;
  /** The outbox leaves recorded in the state `stateRoot` (from index `from`). */
  withdrawals(stateRoot: Uint8Array, from?: bigint): Withdrawal[];
  /** The name of a receipt code (`status_<n>` for one the app does not name). */
  receiptName(code: number): string;
}
