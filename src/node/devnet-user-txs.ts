/**
 * The devnet's "your transactions": the transactions of the sequencer's stored blocks that the
 * devnet's own workload did not send. The sender comes from the SDK's signed envelope
 * (src/client/sign.ts: `body ‖ r ‖ s ‖ v`, an EIP-191 signature over keccak256(body)); a
 * transaction of an app with another envelope shows without a sender, and counts as the user's
 * unless the workload reported its hash (`excludeHash`, e.g. the EVM app's workload).
 */
import { type Hex, hashMessage, hexToBytes, keccak256 } from 'viem';
import { recoverPublicKey } from '../crypto/ecrecover.ts';
import { decodeTxList, messageTxList } from '../settlement/ethereum/message.ts';
import type { Sequencer } from './sequencer.ts';

export interface UserTx {
  hash: Hex;
  block: number;
  index: number;
  /** the app's receipt name (`ok`, `insufficient_balance`, …) */
  status: string;
  /** the SDK envelope's signer, when the transaction has one */
  from?: Hex;
}

/** The signer of an SDK-envelope transaction (docs/stf.md "Signed transactions"), or undefined. */
export function envelopeSender(raw: Uint8Array): Hex | undefined {
  if (raw.length < 18 + 65) return undefined;
  const body = raw.subarray(0, raw.length - 65);
  const v = raw[raw.length - 1];
  if (v !== 27 && v !== 28) return undefined;
  const digest = hexToBytes(hashMessage({ raw: keccak256(body) }));
  const pub = recoverPublicKey(digest, raw.subarray(raw.length - 65, raw.length - 1), v - 27);
  if (pub?.length !== 65) return undefined;
  return `0x${keccak256(pub.subarray(1)).slice(-40)}` as Hex;
}

/** Transactions a block carries at most that are looked at (the rest count, without detail). */
const PER_BLOCK = 200;

export class UserTxTracker {
  private scanned = -1;
  /** the user's transactions seen so far */
  count = 0;
  /** the latest ones, newest first */
  readonly recent: UserTx[] = [];

  /** hashes of the workload's own transactions (lower-case), whatever their format */
  private readonly excludedHashes = new Set<string>();

  /** `exclude`: senders of the devnet's own workload (compared lower-case) */
  constructor(
    private readonly exclude: readonly string[],
    private readonly keep = 5,
  ) {}

  /** Leaves out the transaction `hash` (one the workload sent; reported before its block is stored). */
  excludeHash(hash: string): void {
    this.excludedHashes.add(hash.toLowerCase());
  }

  /** Looks at the blocks stored since the last call. */
  scan(seq: Pick<Sequencer, 'head' | 'block' | 'receiptNames'>): void {
    const ex = new Set(this.exclude.map((a) => a.toLowerCase()));
    for (let n = this.scanned + 1; n <= seq.head; n++) {
      const b = seq.block(n, true);
      if (!b) break;
      this.scanned = n;
      if (b.kind !== 'batch' || !b.message) continue;
      const list = messageTxList(hexToBytes(b.message));
      const txs = list ? decodeTxList(list) : undefined;
      if (!txs) continue;
      txs.forEach((raw, i) => {
        const hash = b.txHashes[i] ?? keccak256(raw);
        if (this.excludedHashes.has(hash.toLowerCase())) return;
        const from = i < PER_BLOCK ? envelopeSender(raw) : undefined;
        if (from && ex.has(from)) return;
        this.count++;
        const code = b.receipts[i];
        const name = code === undefined ? 'pending' : seq.receiptNames[code] || `status_${code}`;
        this.recent.unshift({
          hash,
          block: n,
          index: i,
          status: name,
          ...(from ? { from } : {}),
        });
      });
      this.recent.splice(this.keep);
    }
  }
}
