/**
 * `modex/client`: a typed client of a modex node's JSON-RPC (docs/node.md §2), in viem's style, and
 * the SDK's signed-transaction envelope. See docs/guide.md.
 */
export { type GetBlockParameters, getBlock } from './actions/getBlock.ts';
export { getBlockNumber } from './actions/getBlockNumber.ts';
export { getChainId } from './actions/getChainId.ts';
export { type GetNonceParameters, getNonce } from './actions/getNonce.ts';
export { getReceiptNames } from './actions/getReceiptNames.ts';
export { getStateRoot } from './actions/getStateRoot.ts';
export { getStatus } from './actions/getStatus.ts';
export {
  type GetTransactionReceiptParameters,
  getTransactionReceipt,
} from './actions/getTransactionReceipt.ts';
export { type GetWithdrawalProofParameters, getWithdrawalProof } from './actions/getWithdrawalProof.ts';
export { type GetWithdrawalsParameters, getWithdrawals } from './actions/getWithdrawals.ts';
export { type QueryParameters, query } from './actions/query.ts';
export { type SendRawTransactionParameters, sendRawTransaction } from './actions/sendRawTransaction.ts';
export {
  type WaitForTransactionReceiptParameters,
  waitForTransactionReceipt,
} from './actions/waitForTransactionReceipt.ts';
export {
  type Client,
  type ClientConfig,
  createModexClient,
  type ModexActions,
  type ModexClient,
} from './client.ts';
export {
  HttpRequestError,
  InvalidParamsRpcError,
  QueryFailedError,
  ReadOnlyNodeRpcError,
  RpcRequestError,
  rpcError,
  SequencerBusyRpcError,
  TransactionKnownError,
  TransactionRefusedError,
  WaitForTransactionReceiptTimeoutError,
} from './errors.ts';
export {
  encodeTransactionBody,
  InvalidTransactionFieldsError,
  type SignTransactionParameters,
  signTransaction,
  type TransactionFields,
} from './sign.ts';
export { type HttpTransportOptions, http, type ModexTransport, type RequestArgs } from './transport.ts';
export type * from './types.ts';
