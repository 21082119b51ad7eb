/**
 * Errors of the modex client. Every one is a `ModexError` (src/core/errors.ts) with a stable `code`;
 * those answering a JSON-RPC error also carry its `rpcCode` (docs/node.md §2) and `data`.
 *
 * | class                             | code                   | when                                                          |
 * | --------------------------------- | ---------------------- | ------------------------------------------------------------- |
 * | `HttpRequestError`                | `CLIENT_HTTP`          | the node did not answer (network, HTTP status, not JSON)      |
 * | `RpcRequestError`                 | `CLIENT_RPC`           | any JSON-RPC error (base of the next four)                    |
 * | `InvalidParamsRpcError`           | `CLIENT_INVALID_PARAMS`| −32602: bad params, an undecodable transaction               |
 * | `TransactionRefusedError`         | `CLIENT_TX_REFUSED`    | −32602 with `data.reason`: the app refused the transaction   |
 * | `TransactionKnownError`           | `CLIENT_TX_KNOWN`      | −32003: the transaction is already known                      |
 * | `ReadOnlyNodeRpcError`            | `CLIENT_READ_ONLY`     | −32004: a follower (read-only) was sent a transaction        |
 * | `SequencerBusyRpcError`           | `CLIENT_BUSY`          | −32005: the mempool is full, retry later                      |
 * | `WaitForTransactionReceiptTimeoutError` | `CLIENT_TIMEOUT` | `waitForTransactionReceipt` gave up                          |
 * | `QueryFailedError`                | `CLIENT_QUERY_FAILED`  | an app helper's query answered a non-zero status             |
 */
import { ModexError } from '../core/errors.ts';

/** The node could not be reached or did not answer JSON-RPC. */
export class HttpRequestError extends ModexError {
  constructor(
    readonly url: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super('CLIENT_HTTP', `${url}: ${message}`, options);
  }
}

/** A JSON-RPC error answered by the node; `rpcCode` is the JSON-RPC error code. */
export class RpcRequestError extends ModexError {
  constructor(
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
    code = 'CLIENT_RPC',
  ) {
    super(code, `${method}: ${rpcMessage} (JSON-RPC ${rpcCode})`);
  }
}

/** −32602: the params were wrong (including a transaction that does not decode). */
export class InvalidParamsRpcError extends RpcRequestError {
  constructor(method: string, rpcMessage: string, data?: unknown, code = 'CLIENT_INVALID_PARAMS') {
    super(method, -32602, rpcMessage, data, code);
  }
}

/** −32602 with `data: { reason, code }`: the app's admission refused the transaction. */
export class TransactionRefusedError extends InvalidParamsRpcError {
  /** the app's receipt name, e.g. `bad_nonce`, `wrong_chain` */
  readonly reason: string;
  /** the receipt code the transaction would get */
  readonly receiptCode: number;
  constructor(method: string, rpcMessage: string, data: { reason: string; code: number }) {
    super(method, rpcMessage, data, 'CLIENT_TX_REFUSED');
    this.reason = data.reason;
    this.receiptCode = data.code;
  }
}

/** −32003: the node already has this transaction (pending or in a block). */
export class TransactionKnownError extends RpcRequestError {
  constructor(method: string, rpcMessage: string, data?: unknown) {
    super(method, -32003, rpcMessage, data, 'CLIENT_TX_KNOWN');
  }
}

/** −32004: the node is a follower (read-only, docs/node.md §2.1): send transactions to the sequencer. */
export class ReadOnlyNodeRpcError extends RpcRequestError {
  constructor(method: string, rpcMessage: string, data?: unknown) {
    super(method, -32004, rpcMessage, data, 'CLIENT_READ_ONLY');
  }
}

/** −32005: the sequencer's mempool is full; retry later. */
export class SequencerBusyRpcError extends RpcRequestError {
  constructor(method: string, rpcMessage: string, data?: unknown) {
    super(method, -32005, rpcMessage, data, 'CLIENT_BUSY');
  }
}

/** The typed error for a JSON-RPC error object. */
export function rpcError(
  method: string,
  e: { code: number; message: string; data?: unknown },
): RpcRequestError {
  const d = e.data as { reason?: unknown; code?: unknown } | undefined;
  switch (e.code) {
    case -32602:
      return typeof d?.reason === 'string' && typeof d.code === 'number'
        ? new TransactionRefusedError(method, e.message, { reason: d.reason, code: d.code })
        : new InvalidParamsRpcError(method, e.message, e.data);
    case -32003:
      return new TransactionKnownError(method, e.message, e.data);
    case -32004:
      return new ReadOnlyNodeRpcError(method, e.message, e.data);
    case -32005:
      return new SequencerBusyRpcError(method, e.message, e.data);
    default:
      return new RpcRequestError(method, e.code, e.message, e.data);
  }
}

/** `waitForTransactionReceipt` did not see the transaction executed in time. */
export class WaitForTransactionReceiptTimeoutError extends ModexError {
  constructor(
    readonly hash: string,
    readonly timeoutMs: number,
    /** what the node said last: unknown (`null`) or pending in a block */
    readonly last: { status: 'pending'; block: number; index: number } | null,
  ) {
    super(
      'CLIENT_TIMEOUT',
      `transaction ${hash} not executed after ${timeoutMs} ms: ${
        last ? `pending at block ${last.block}, index ${last.index}` : 'the node does not know it'
      }`,
    );
  }
}

/** An app helper's query got a status other than 0 (`ok`). */
export class QueryFailedError extends ModexError {
  constructor(
    readonly data: string,
    readonly status: string,
    readonly statusCode: number,
  ) {
    super(
      'CLIENT_QUERY_FAILED',
      `query ${data.slice(0, 20)}${data.length > 20 ? '…' : ''} failed: ${status} (${statusCode})`,
    );
  }
}
