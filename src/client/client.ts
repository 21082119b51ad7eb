/**
 * The modex client, in viem's style: a client holds a transport; every action is a function of its
 * own (`getChainId(client)`, `query(client, { data })`, … in ./actions/) and `createModexClient`
 * also binds them (`client.getChainId()`), so app helpers can be written as plain functions too
 * (src/apps/token/actions.ts).
 *
 * ```ts
 * const client = createModexClient({ url: 'http://127.0.0.1:8547/' });
 * const raw = await signTransaction({ account, app: 0x02, op: 0x01, chainId: await client.getChainId(),
 *   nonce: await client.getNonce({ address: account.address, blockTag: 'pending' }), args });
 * const { hash } = await client.sendRawTransaction({ serializedTransaction: raw });
 * const receipt = await client.waitForTransactionReceipt({ hash });   // receipt.status === 'ok'
 * ```
 */
import { getBlock } from './actions/getBlock.ts';
import { getBlockNumber } from './actions/getBlockNumber.ts';
import { getChainId } from './actions/getChainId.ts';
import { getNonce } from './actions/getNonce.ts';
import { getReceiptNames } from './actions/getReceiptNames.ts';
import { getStateRoot } from './actions/getStateRoot.ts';
import { getStatus } from './actions/getStatus.ts';
import { getTransactionReceipt } from './actions/getTransactionReceipt.ts';
import { getWithdrawalProof } from './actions/getWithdrawalProof.ts';
import { getWithdrawals } from './actions/getWithdrawals.ts';
import { query } from './actions/query.ts';
import { sendRawTransaction } from './actions/sendRawTransaction.ts';
import { waitForTransactionReceipt } from './actions/waitForTransactionReceipt.ts';
import { http, type ModexTransport, type RequestArgs } from './transport.ts';

/** What every action takes: a transport and the client's defaults. */
export interface Client {
  readonly transport: ModexTransport;
  /** default ms between polls of `waitForTransactionReceipt` */
  readonly pollingInterval: number;
  request<T = unknown>(args: RequestArgs): Promise<T>;
}

export type ClientConfig = { pollingInterval?: number } & (
  | { transport: ModexTransport; url?: never }
  | { url: string; transport?: never }
);

type Rest<F> = F extends (client: Client, ...args: infer A) => infer R ? (...args: A) => R : never;

const ACTIONS = {
  getBlock,
  getBlockNumber,
  getChainId,
  getNonce,
  getReceiptNames,
  getStateRoot,
  getStatus,
  getTransactionReceipt,
  getWithdrawalProof,
  getWithdrawals,
  query,
  sendRawTransaction,
  waitForTransactionReceipt,
};

export type ModexActions = { [K in keyof typeof ACTIONS]: Rest<(typeof ACTIONS)[K]> };

export type ModexClient = Client & ModexActions;

/** A client bound to a node: `{ url }` for JSON-RPC over HTTP, or any `transport`. */
export function createModexClient(config: ClientConfig): ModexClient {
  const transport = config.transport ?? http(config.url as string);
  const client: Client = {
    transport,
    pollingInterval: config.pollingInterval ?? 250,
    request: (args) => transport.request(args),
  };
  const bound = Object.fromEntries(
    Object.entries(ACTIONS).map(([name, fn]) => [
      name,
      (...args: unknown[]) => (fn as (c: Client, ...a: unknown[]) => unknown)(client, ...args),
    ]),
  ) as ModexActions;
  return { ...client, ...bound };
}
