/**
 * kv app actions over the modex client (src/client): set and delete signed with the SDK envelope
 * and sent to a node, values read with the app's query `0x10 ‖ owner ‖ key` (empty answer: none).
 * Keys and values are bytes (`Uint8Array` or 0x-hex; `toHex('name')` from viem for text).
 *
 * ```ts
 * import * as kv from 'modex/apps/kv';
 * const { hash } = await kv.set(client, { account, key: toHex('greeting'), value: toHex('hello') });
 * await client.waitForTransactionReceipt({ hash });
 * await kv.get(client, { owner: account.address, key: toHex('greeting') });   // '0x68656c6c6f'
 * ```
 */
import {
  type Account,
  type Address,
  bytesToHex,
  concat,
  type Hex,
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
import { KV_APP } from './client.ts';

export const KV_OP = { set: 0x01, delete: 0x02 } as const;
/** the kv app's query kinds (docs/app-abi.md §4: 0x10 and up are the app's) */
export const KV_QUERY = { get: 0x10 } as const;

type Bytes = Hex | Uint8Array;
const bytes = (b: Bytes): Uint8Array => (typeof b === 'string' ? hexToBytes(b) : b);

function withLength(b: Bytes, what: string): Uint8Array {
  const x = bytes(b);
  if (x.length > 0xffff) throw new InvalidTransactionFieldsError(`${what} of ${x.length} bytes > 65535`);
  return concat([numberToBytes(x.length, { size: 2 }), x]);
}

interface KvTxParameters {
  account: Account;
  key: Bytes;
  /** default: the sender's pending nonce, asked of the node */
  nonce?: bigint;
  /** default: the node's chain id */
  chainId?: bigint;
}

async function send(
  client: Client,
  op: number,
  p: KvTxParameters,
  args: Uint8Array,
): Promise<SoftConfirmation> {
  const [chainId, nonce] = await Promise.all([
    p.chainId ?? getChainId(client),
    p.nonce ?? getNonce(client, { address: p.account.address, blockTag: 'pending' }),
  ]);
  const raw = await signTransaction({ account: p.account, app: KV_APP, op, chainId, nonce, args });
  return sendRawTransaction(client, { serializedTransaction: raw });
}

/** Sets the sender's `key` to `value`; resolves with the soft confirmation. */
export async function set(client: Client, p: KvTxParameters & { value: Bytes }): Promise<SoftConfirmation> {
  return send(client, KV_OP.set, p, concat([withLength(p.key, 'key'), withLength(p.value, 'value')]));
}

/** Deletes the sender's `key` (also exported as `delete`). */
export async function deleteKey(client: Client, p: KvTxParameters): Promise<SoftConfirmation> {
  return send(client, KV_OP.delete, p, withLength(p.key, 'key'));
}

export { deleteKey as delete };

function ownerBytes(a: Address): Uint8Array {
  if (!isAddress(a, { strict: false }))
    throw new InvalidTransactionFieldsError(`owner ${a} is not an address`);
  return hexToBytes(a);
}

/** `owner`'s value at `key` after `block` (default the latest); undefined when it has none. */
export async function get(
  client: Client,
  { owner, key, block }: { owner: Address; key: Bytes; block?: BlockTag },
): Promise<Hex | undefined> {
  const data = bytesToHex(concat([Uint8Array.of(KV_QUERY.get), ownerBytes(owner), bytes(key)]));
  const r = await query(client, { data, block });
  if (r.code !== 0) throw new QueryFailedError(data, r.status, r.code);
  return r.result === '0x' ? undefined : r.result;
}
