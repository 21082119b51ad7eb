import type { Client } from '../client.ts';

/** The app's receipt names, index = code (docs/app-abi.md §5; '' for an unnamed code). */
export async function getReceiptNames(client: Client): Promise<string[]> {
  return client.request<string[]>({ method: 'modex_receiptNames' });
}
