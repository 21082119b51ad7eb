/**
 * The Ethereum JSON-RPC's errors (docs/evm-rpc.md §6): each carries the JSON-RPC code and data it is
 * answered with (`rpcCode`, `rpcData`, with `answersWithOwnCode`: read by the server's error mapping,
 * src/node/rpc.ts).
 */
import { ModexError } from '../../../core/errors.ts';

/** An error answered with its own JSON-RPC code and data. */
export class EthRpcError extends ModexError {
  /** tells the server (src/node/rpc.ts) to answer `rpcCode` and `rpcData` as they are */
  readonly answersWithOwnCode = true;
  constructor(
    code: string,
    readonly rpcCode: number,
    message: string,
    readonly rpcData?: unknown,
  ) {
    super(code, message);
  }
}

/** The transaction was refused by the EVM app's admission (−32000, geth's message; `data.reason` is the app's name). */
export class EthTxRefusedError extends EthRpcError {
  constructor(message: string, reason: string, code: number) {
    super('ETH_TX_REFUSED', -32000, message, { reason, code });
  }
}

/** eth_call / eth_estimateGas: the call failed (code 3, `data` = the revert data, as geth answers). */
export class ExecutionRevertedError extends EthRpcError {
  constructor(data: string) {
    super('ETH_EXECUTION_REVERTED', 3, 'execution reverted', data);
  }
}

/** eth_call / eth_estimateGas: the call cannot start (value above the balance, gas too low or too high, …). */
export class CallRefusedError extends EthRpcError {
  constructor(message: string, reason: string) {
    super('ETH_CALL_REFUSED', -32000, message, { reason });
  }
}

/** eth_getLogs over too many blocks, or a filter id that does not exist (any more). */
export class EthLimitError extends EthRpcError {
  constructor(message: string) {
    super('ETH_LIMIT', -32005, message);
  }
}

export class FilterNotFoundError extends EthRpcError {
  constructor() {
    super('ETH_FILTER_NOT_FOUND', -32000, 'filter not found');
  }
}

/** geth's messages for the EVM app's refusal names (docs/evm.md §3). */
const GETH_MESSAGES: Record<string, string> = {
  tx_type_not_supported: 'transaction type not supported',
  bad_signature: 'invalid sender',
  wrong_chain_id: 'invalid chain id',
  nonce_too_low: 'nonce too low',
  nonce_too_high: 'nonce too high',
  nonce_max: 'nonce has max value',
  intrinsic_gas_too_low: 'intrinsic gas too low',
  gas_limit_above_block: 'exceeds block gas limit',
  insufficient_funds: 'insufficient funds for gas * price + value',
  fee_cap_below_base_fee: 'max fee per gas less than block base fee',
  tip_above_fee_cap: 'max priority fee per gas higher than max fee per gas',
  initcode_too_large: 'max initcode size exceeded',
  sender_not_eoa: 'sender not an eoa',
  blob_tx_invalid: 'invalid blob transaction',
  malformed_tx: 'rlp: malformed transaction',
  gas_overflow: 'gas uint64 overflow',
};

/** The Ethereum-style message of a refusal named `reason` by the app. */
export const gethMessage = (reason: string): string =>
  GETH_MESSAGES[reason] ?? `transaction refused: ${reason}`;
