/**
 * Token app actions over the modex client (src/client): transfers and withdrawals signed with the
 * SDK envelope and sent to a node, balances read with the app's query `0x10 ‖ address` → u256 BE.
 *
 * ```ts
 * const client = createModexClient({ url });
 * const { hash } = await transfer(client, { account, to, amount: 5n });   // nonce and chain id asked of the node
 * await client.waitForTransactionReceipt({ hash });
 * await getBalance(client, { address: to });                             // 5n
 * ```
 */
import {
  type Account,
  type Address,
  bytesToHex,
  concat,
  hexToBigInt,
  hexToBytes,
  isAddress,
  numberToBytes,
} from 'viem';
import { getChainId } from '../../client/actions/getChainId.ts';
import { getNonce } from '../../client/actions/getNonce.ts';
import { query } from '../../client/actions/query.ts';
import { sendRawTransaction } from '../../client/actions/sendRawTransaction.ts';
import type { Client } from '../../client/client.ts';
import { QueryFailedError } from '../../client/errors.ts';
import { InvalidTransactionFieldsError, signTransaction } from '../../client/sign.ts';
import type { BlockTag, SoftConfirmation } from '../../client/types.ts';
import { TOKEN_APP } from './client.ts';

export const TOKEN_OP = { transfer: 0x01, withdraw: 0x02 } as const;
/** the token app's query kinds (docs/app-abi.md §4: 0x10 and up are the app's) */
export const TOKEN_QUERY = { balance: 0x10 } as const;

function addressBytes(a: Address, what: string): Uint8Array {
  if (!isAddress(a, { strict: false }))
    throw new InvalidTransactionFieldsError(`${what} ${a} is not an address`);
  return hexToBytes(a);
}

function u256(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 256n) throw new InvalidTransactionFieldsError(`amount ${v} is not a u256`);
  return numberToBytes(v, { size: 32 });
}

export interface TokenTxParameters {
  account: Account;
  /** L2 recipient (transfer) or L1 recipient (withdraw) */
  to: Address;
  /** in the token's smallest unit (wei for ETH deposited through the bridge) */
  amount: bigint;
  /** default: the sender's pending nonce, asked of the node */
  nonce?: bigint;
  /** default: the node's chain id */
  chainId?: bigint;
}

/** Signs a token transaction (`op`) without sending it. */
export async function signTokenTransaction(
  client: Client,
  op: number,
  { account, to, amount, nonce, chainId }: TokenTxParameters,
) {
  const [c, n] = await Promise.all([
    chainId ?? getChainId(client),
    nonce ?? getNonce(client, { address: account.address, blockTag: 'pending' }),
  ]);
  return signTransaction({
    account,
    app: TOKEN_APP,
    op,
    chainId: c,
    nonce: n,
    args: concat([addressBytes(to, 'to'), u256(amount)]),
  });
}

/** Transfers `amount` to `to`; resolves with the soft confirmation. */
export async function transfer(client: Client, p: TokenTxParameters): Promise<SoftConfirmation> {
  return sendRawTransaction(client, {
    serializedTransaction: await signTokenTransaction(client, TOKEN_OP.transfer, p),
  });
}

/**
 * Burns `amount` on L2 and records a withdrawal to the L1 address `to` (paid by the bridge once a
 * confirmed state contains it: `getWithdrawalProof`).
 */
export async function withdraw(client: Client, p: TokenTxParameters): Promise<SoftConfirmation> {
  return sendRawTransaction(client, {
    serializedTransaction: await signTokenTransaction(client, TOKEN_OP.withdraw, p),
  });
}

/** `address`'s balance after `block` (default the latest). */
export async function getBalance(
  client: Client,
  { address, block }: { address: Address; block?: BlockTag },
): Promise<bigint> {
  const data = bytesToHex(concat([Uint8Array.of(TOKEN_QUERY.balance), addressBytes(address, 'address')]));
  const r = await query(client, { data, block });
  if (r.code !== 0) throw new QueryFailedError(data, r.status, r.code);
  return r.result === '0x' ? 0n : hexToBigInt(r.result);
}
