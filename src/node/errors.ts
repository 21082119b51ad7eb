/**
 * Typed errors of the node's sequencer, WAL and store (docs/node.md §2). Each has a stable `code`;
 * the JSON-RPC server (rpc.ts) maps them to JSON-RPC error codes with `rpcErrorCode`.
 */
import { ModexError } from '../core/errors.ts';

/** The transaction cannot be taken: too large, or refused by the app (JSON-RPC −32602). */
export class InvalidTransactionError extends ModexError {
  constructor(message: string) {
    super('NODE_INVALID_TX', `invalid transaction: ${message}`);
  }
}

/**
 * The app's admission refused the transaction (docs/app-abi.md §3): `reason` is the name of the
 * receipt code it would get (`wrong_chain`, `bad_signature`, `bad_nonce`, …), `receiptCode` the code.
 */
export class TransactionRefusedByAppError extends InvalidTransactionError {
  constructor(
    readonly reason: string,
    readonly receiptCode: number,
  ) {
    super(`refused by the app: ${reason} (receipt code ${receiptCode})`);
  }
}

/** A request's parameters are wrong (JSON-RPC −32602). */
export class InvalidParamsError extends ModexError {
  constructor(message: string) {
    super('NODE_INVALID_PARAMS', `invalid params: ${message}`);
  }
}

/** The transaction (same hash) was already accepted: pending or in a block (JSON-RPC −32003). */
export class DuplicateTransactionError extends ModexError {
  constructor(readonly hash: string) {
    super('NODE_DUPLICATE_TX', `transaction ${hash} already known`);
  }
}

/** The mempool is full: retry later (JSON-RPC −32005). */
export class SequencerBusyError extends ModexError {
  constructor(limit: number) {
    super('NODE_BUSY', `sequencer busy (${limit} transactions waiting), retry later`);
  }
}

/** The sequencer is closed or stopped after a fatal error (JSON-RPC −32000). */
export class SequencerUnavailableError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NODE_UNAVAILABLE', `sequencer unavailable: ${message}`, options);
  }
}

/**
 * The node is a follower (a validator's read-only JSON-RPC, follower-rpc.ts): it takes no
 * transaction (JSON-RPC −32004, EIP-1474 "method not supported").
 */
export class FollowerReadOnlyError extends ModexError {
  constructor(readonly sequencerUrl?: string) {
    super(
      'NODE_READ_ONLY',
      sequencerUrl
        ? `this node is a follower (read-only): send transactions to the sequencer at ${sequencerUrl}`
        : "this node is a follower (read-only): send transactions to the sequencer's JSON-RPC (this node was not given its URL: `--sequencer-url`)",
    );
  }
}

/** The write-ahead log cannot be read back consistently (a damaged record that is not the last one). */
export class WalCorruptError extends ModexError {
  constructor(message: string) {
    super('NODE_WAL_CORRUPT', `write-ahead log: ${message}`);
  }
}

/** What the data directory holds contradicts itself or the executor (e.g. a re-executed block's state root differs). */
export class NodeStateError extends ModexError {
  constructor(message: string) {
    super('NODE_STATE', message);
  }
}

/** JSON-RPC 2.0 error codes used by the node (docs/node.md §2). */
export const RPC_ERROR = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  unavailable: -32000,
  duplicate: -32003,
  /** EIP-1474 "method not supported": `modex_sendRawTransaction` to a follower (read-only) */
  methodNotSupported: -32004,
  busy: -32005,
  /** EIP-1474 "limit exceeded": a batch's responses over the size bound (rpc.ts) */
  limitExceeded: -32005,
} as const;

/** The JSON-RPC error code for an error thrown by a method. */
export function rpcErrorCode(e: unknown): number {
  const code = e instanceof ModexError ? e.code : undefined;
  switch (code) {
    case 'NODE_INVALID_TX':
    case 'NODE_INVALID_PARAMS':
      return RPC_ERROR.invalidParams;
    case 'NODE_DUPLICATE_TX':
      return RPC_ERROR.duplicate;
    case 'NODE_BUSY':
      return RPC_ERROR.busy;
    case 'NODE_UNAVAILABLE':
      return RPC_ERROR.unavailable;
    case 'NODE_READ_ONLY':
      return RPC_ERROR.methodNotSupported;
    default:
      return RPC_ERROR.internal;
  }
}
