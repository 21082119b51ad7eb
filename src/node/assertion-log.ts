/**
 * The assertions a role has seen on L1 (`AssertionCreated` records, in creation order), kept up to
 * date incrementally: each scan reads only the blocks since the last one, plus the last
 * REORG_MARGIN blocks again (their records are replaced), so an assertion dropped by a reorg
 * leaves. The validator and the attester each keep one.
 */
import type { AssertionRecord, RollupClient } from '../settlement/ethereum/rollup.ts';

/** L1 blocks re-read every scan, so assertions dropped by a reorg leave the view. */
export const REORG_MARGIN = 64n;

export class AssertionLog {
  records: AssertionRecord[] = [];
  /** the last L1 block scanned (undefined before the first scan) */
  scannedTo?: bigint;

  constructor(
    private readonly rollup: RollupClient,
    private readonly fromBlock: bigint,
  ) {}

  /** Scans up to L1's head; returns the records new in this scan (those of the re-read margin included) and the head. */
  async scan(): Promise<{ fresh: AssertionRecord[]; head: bigint }> {
    // uncached (viem caches it for its polling interval): an assertion mined just before this scan
    // must be seen
    const head = await this.rollup.clients.publicClient.getBlockNumber({ cacheTime: 0 });
    let from = this.fromBlock;
    if (this.scannedTo !== undefined && this.scannedTo - REORG_MARGIN > from)
      from = this.scannedTo - REORG_MARGIN;
    const fresh = await this.rollup.assertions(from, head);
    this.records = [...this.records.filter((r) => r.blockNumber < from), ...fresh];
    this.scannedTo = head;
    return { fresh, head };
  }
}
