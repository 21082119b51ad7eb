import { bytesToHex, type Hex } from 'viem';
import type { Client } from '../client.ts';
import type { SoftConfirmation } from '../types.ts';

export interface SendRawTransactionParameters {
  /** the signed transaction (`signTransaction`'s result) */
  serializedTransaction: Hex | Uint8Array;
}

/**
 * Sends a signed transaction (`modex_sendRawTransaction`); resolves with its soft confirmation
 * once the sequencer has it durably at a block and index. Throws `TransactionRefusedError` (with the
 * app's `reason`, e.g. `bad_nonce`) when the app's admission refuses it.
 */
export async function sendRawTransaction(
  client: Client,
  { serializedTransaction }: SendRawTransactionParameters,
): Promise<SoftConfirmation> {
  const raw =
    typeof serializedTransaction === 'string' ? serializedTransaction : bytesToHex(serializedTransaction);
  return client.request<SoftConfirmation>({ method: 'modex_sendRawTransaction', params: [raw] });
}
