/**
 * Finality of a running chain, read from L1 alone: for every batch in the inbox, the L1 blocks
 * and seconds from the batch's inclusion to the confirmation of the first assertion that covers it
 * (an assertion whose end inbox position is past the batch's). The attested bench compares the
 * attested chain with the fraud-only one with it (`modex bench attested`, docs/attested.md).
 */
import { type Hex, parseEventLogs } from 'viem';
import type { SettlementDeployment } from '../src/settlement/ethereum/deploy-settlement.ts';

export interface BatchFinality {
  position: bigint;
  batchBlock: bigint;
  confirmedBlock: bigint;
  blocks: number;
  seconds: number;
  /** how the covering assertion was confirmed */
  by: 'attestation' | 'challenge-period' | 'dispute';
}

/** Every batch of the inbox whose covering assertion is confirmed, in inbox order. */
export async function batchFinality(
  s: Pick<SettlementDeployment, 'inbox' | 'rollup' | 'deployBlock'>,
): Promise<BatchFinality[]> {
  const client = s.rollup.clients.publicClient;
  const count = await s.inbox.messageCount();
  const messages = count > 0n ? await s.inbox.readMessages(0n, count) : [];
  const created = await s.rollup.assertions(s.deployBlock);
  const endOf = new Map(created.map((r) => [r.id, r.data.end.inboxPosition]));
  const logs = await client.getLogs({ address: s.rollup.address, fromBlock: s.deployBlock });
  const attested = new Set(
    parseEventLogs({ abi: s.rollup.abi, logs, eventName: 'AssertionAttested' }).map(
      (l) => (l as unknown as { args: { id: Hex } }).args.id,
    ),
  );
  const confirmations = parseEventLogs({ abi: s.rollup.abi, logs, eventName: 'AssertionConfirmed' })
    .map((l) => {
      const a = (l as unknown as { args: { id: Hex; byChallenge: boolean } }).args;
      return { id: a.id, byChallenge: a.byChallenge, block: l.blockNumber, end: endOf.get(a.id) ?? 0n };
    })
    .filter((c) => c.end > 0n)
    .sort((a, b) => Number(a.block - b.block));
  const times = new Map<bigint, bigint>();
  const timeOf = async (b: bigint) => {
    let t = times.get(b);
    if (t === undefined) {
      t = (await client.getBlock({ blockNumber: b })).timestamp;
      times.set(b, t);
    }
    return t;
  };
  const out: BatchFinality[] = [];
  for (const m of messages) {
    if (m.source !== 'batch') continue;
    const c = confirmations.find((x) => x.end > m.position && x.block >= m.l1BlockNumber);
    if (!c) continue;
    out.push({
      position: m.position,
      batchBlock: m.l1BlockNumber,
      confirmedBlock: c.block,
      blocks: Number(c.block - m.l1BlockNumber),
      seconds: Number((await timeOf(c.block)) - m.l1Timestamp),
      by: attested.has(c.id) ? 'attestation' : c.byChallenge ? 'dispute' : 'challenge-period',
    });
  }
  return out;
}
