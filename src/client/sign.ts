/**
 * The signed-transaction envelope of the SDK (docs/stf.md "Signed transactions"):
 *
 * ```
 * body = app u8 ‖ op u8 ‖ chainId u64 BE ‖ nonce u64 BE ‖ args
 * tx   = body ‖ r (32) ‖ s (32) ‖ v (1, 27 or 28)
 * ```
 *
 * signed over keccak256(body) as an EIP-191 personal message, so any viem account signs it with
 * `account.signMessage({ message: { raw: keccak256(body) } })` (a local key, or a wallet).
 */
import {
  type Account,
  bytesToHex,
  concat,
  type Hex,
  hexToBytes,
  keccak256,
  numberToBytes,
  toBytes,
} from 'viem';
import { ModexError } from '../core/errors.ts';

const U64_MAX = (1n << 64n) - 1n;

export interface TransactionFields {
  /** the app id byte (token 0x02, kv 0x01, an app made with `modex new`: its `modex.app.json`) */
  app: number;
  /** the operation byte, app-defined */
  op: number;
  /** the chain's id (`getChainId`) */
  chainId: bigint | number;
  /** the sender's next nonce (`getNonce({ address, blockTag: 'pending' })`) */
  nonce: bigint | number;
  /** the op's arguments, app-defined */
  args?: Hex | Uint8Array;
}

/** A field out of range for the envelope (code `CLIENT_INVALID_TX`). */
export class InvalidTransactionFieldsError extends ModexError {
  constructor(message: string) {
    super('CLIENT_INVALID_TX', `invalid transaction: ${message}`);
  }
}

function byte(x: number, what: string): number {
  if (!Number.isInteger(x) || x < 0 || x > 255)
    throw new InvalidTransactionFieldsError(`${what} ${x} is not a byte`);
  return x;
}

function u64(x: bigint | number, what: string): Uint8Array {
  const v = BigInt(x);
  if (v < 0n || v > U64_MAX) throw new InvalidTransactionFieldsError(`${what} ${x} is not a u64`);
  return numberToBytes(v, { size: 8 });
}

/** The unsigned body: app ‖ op ‖ chainId ‖ nonce ‖ args. */
export function encodeTransactionBody(f: TransactionFields): Uint8Array {
  const args =
    f.args === undefined ? new Uint8Array() : typeof f.args === 'string' ? hexToBytes(f.args) : f.args;
  return concat([
    Uint8Array.of(byte(f.app, 'app'), byte(f.op, 'op')),
    u64(f.chainId, 'chainId'),
    u64(f.nonce, 'nonce'),
    args,
  ]);
}

export interface SignTransactionParameters extends TransactionFields {
  /** a viem account that can sign messages (e.g. `privateKeyToAccount(key)`) */
  account: Account;
}

/** Signs a transaction; returns the raw bytes to send with `sendRawTransaction`, as hex. */
export async function signTransaction({ account, ...fields }: SignTransactionParameters): Promise<Hex> {
  if (!account.signMessage)
    throw new InvalidTransactionFieldsError(
      `account ${account.address} cannot sign messages (use a local account or a wallet client's account)`,
    );
  const body = encodeTransactionBody(fields);
  const signature = await account.signMessage({ message: { raw: keccak256(body) } });
  const sig = toBytes(signature);
  if (sig.length !== 65)
    throw new InvalidTransactionFieldsError(`signature of ${sig.length} bytes, expected 65`);
  return bytesToHex(concat([body, sig]));
}
