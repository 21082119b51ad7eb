/**
 * The sequencer's check against L1, and its recovery when they differ (docs/node.md §2.2). The
 * sequencer role runs it at start and whenever its batcher halts or reports a position mismatch
 * (a forced inclusion, a reorg under a posted batch, another writer), before feeding again:
 *
 * 1. Where to start: the store keeps the last 16 positions a check found L1 agreeing with, with
 *    L1's accumulator there (`BlockStore.l1AgreedHistory`). The inbox accumulator is a hash chain
 *    over every message (docs/inbox.md §3), so when L1's `accumulator(n)` still equals the one kept,
 *    positions [0, n) are unchanged: the check starts at the newest such n (0 when none is). There
 *    is no fixed depth: what was posted since the last agreed position is re-read.
 * 2. Compare the stored blocks from there with L1's messages (`readMessages`, in pages): a
 *    delayed block matches L1's delayed message of the same index, a batch block a batch that
 *    carries its transaction list (as the DA module reads it: calldata, brotli, blob, certificate).
 *    The first position that differs, or the end of the shorter of the two, is `from`.
 * 3. When L1 has other messages from `from` on (or more messages than the store), the sequencer
 *    re-executes from L1 (`Sequencer.recover`): L1's messages from `from` up to its message count
 *    become the sequencer's blocks there (a batch as the DA module resolves it), and the displaced
 *    transactions are replayed or dropped with a reason.
 * 4. The new agreed position (and L1's accumulator there) is stored; feeding resumes at L1's
 *    message count, every position below it being the store's.
 */
import type { Hex } from 'viem';
import type { DataAvailability } from '../core/da.ts';
import { ModexError } from '../core/errors.ts';
import { keccak256Hex } from '../crypto/keccak.ts';
import { DaInvalidPointerError } from '../da/errors.ts';
import type { InboxClient, InboxEntry } from '../settlement/ethereum/inbox.ts';
import { batchMessage, decodeTxList, MESSAGE_KIND, messageTxList } from '../settlement/ethereum/message.ts';
import type { L1Block, RecoveryResult, Sequencer } from './sequencer.ts';

/** A recovery the sequencer could not carry out (code SEQUENCER_RECOVERY_FAILED): it stopped. */
export class RecoveryFailedError extends ModexError {
  constructor(from: number, cause: unknown) {
    super(
      'SEQUENCER_RECOVERY_FAILED',
      `re-executing from L1 at position ${from} failed (${(cause as Error)?.message ?? String(cause)}); ` +
        'the sequencer stopped: restart it (the recovery resumes from its store)',
      { cause },
    );
  }
}

export interface L1CheckOptions {
  inbox: Pick<InboxClient, 'messageCount' | 'readMessages' | 'accumulator'>;
  /** reads batches: whether one carries a stored block, and the transactions of another writer's */
  da: DataAvailability;
  seq: Sequencer;
  /** positions read per `readMessages` (default 256) */
  pageSize?: number;
}

export interface L1CheckResult {
  /** L1's message count: every stored block below it is L1's; feed the batcher from here */
  messageCount: number;
  /** where the comparison started (the last agreed position, or 0 after a reorg below it) */
  checkedFrom: number;
  /** positions compared */
  checked: number;
  /** set when the sequencer re-executed from L1 */
  recovered?: RecoveryResult;
}

/**
 * Compares the sequencer's store with L1 and recovers when they differ (see the file comment).
 * Throws L1 and DA read failures as they are (the caller retries), and {@link RecoveryFailedError}
 * when the sequencer's recovery itself failed.
 */
export async function checkAgainstL1(o: L1CheckOptions): Promise<L1CheckResult> {
  const { inbox, seq } = o;
  const page = BigInt(o.pageSize ?? 256);
  const mc = Number(await inbox.messageCount());
  const stored = () => seq.head + 1;
  // 1. from the last agreed position, if L1 still has the same messages below it
  let start = 0;
  let agreedAcc: Hex | undefined;
  const anchor = seq.store.l1Agreed;
  for (const a of [...seq.store.l1AgreedHistory].reverse()) {
    if (a.n > mc || a.n > stored()) continue;
    if ((await inbox.accumulator(BigInt(a.n))) === a.accumulator) {
      start = a.n;
      agreedAcc = a.accumulator;
      break;
    }
  }
  // 2. compare
  const end = Math.min(stored(), mc);
  let from = end;
  let tail: InboxEntry[] = [];
  outer: for (let p = start; p < end; p += Number(page)) {
    const entries = await inbox.readMessages(BigInt(p), BigInt(Math.min(p + Number(page), end)));
    for (const [i, e] of entries.entries()) {
      if (!(await agrees(e, p + i, o))) {
        from = p + i;
        tail = entries.slice(i);
        break outer;
      }
      agreedAcc = e.accumulator;
    }
  }
  let recovered: RecoveryResult | undefined;
  // a block L1 gave the sequencer that L1 no longer has is not the sequencer's to post
  let foreign = -1;
  for (let n = from; n < stored() && foreign < 0; n++) if (seq.sealedBlock(n)?.fromL1) foreign = n;
  if (from < end || mc > stored() || foreign >= 0) {
    if (from === end && mc <= stored()) from = foreign;
    // 3. L1's messages from `from` on become the sequencer's blocks there
    const l1: InboxEntry[] = tail.filter((e) => Number(e.position) < mc);
    for (let p = from + l1.length; p < mc; p += Number(page))
      l1.push(...(await inbox.readMessages(BigInt(p), BigInt(Math.min(p + Number(page), mc)))));
    const blocks = await Promise.all(l1.map((e) => l1Block(e, o.da)));
    try {
      recovered = await seq.recover(from, blocks);
    } catch (e) {
      throw new RecoveryFailedError(from, e);
    }
    if (l1.length > 0) agreedAcc = l1[l1.length - 1].accumulator;
    from = from + l1.length;
  }
  // 4. the new agreed position
  if (agreedAcc !== undefined && from > 0 && (anchor?.n !== from || anchor.accumulator !== agreedAcc))
    await seq.store.setL1Agreed({ n: from, accumulator: agreedAcc });
  return { messageCount: mc, checkedFrom: start, checked: end - start, recovered };
}

/** Whether L1's message `e` is the stored block `n`. */
async function agrees(e: InboxEntry, n: number, o: L1CheckOptions): Promise<boolean> {
  const b = o.seq.sealedBlock(n);
  if (!b) return false;
  if (e.source === 'delayed') return b.kind === 'delayed' && b.delayedIndex === Number(e.sourceIndex);
  if (b.kind !== 'batch') return false;
  if (keccak256Hex(b.message) === e.messageKeccak) return true;
  const list = messageTxList(b.message);
  return list !== undefined && (await o.da.carries(e.data, list));
}

/**
 * An L1 message as the sequencer executes it: a delayed message as it is; a batch as the DA module
 * resolves it (`0x00 ‖ list`, the sequencer's own form, which the STF executes as it executes the
 * pointer), or as it is when its pointer is not valid (an empty block by the STF's rule).
 * DA_UNAVAILABLE is thrown (the caller retries later).
 */
export async function l1Block(e: InboxEntry, da: DataAvailability): Promise<L1Block> {
  if (e.source === 'delayed') {
    const list = messageTxList(e.data);
    return {
      kind: 'delayed',
      message: e.data,
      txs: (e.data[0] === MESSAGE_KIND.l2Transactions && list && decodeTxList(list)) || [],
      delayedIndex: Number(e.sourceIndex),
    };
  }
  try {
    const r = await da.resolve({
      position: e.position,
      message: e.data,
      payload: e.batch?.payload,
      l1BlockNumber: e.l1BlockNumber,
    });
    return {
      kind: 'batch',
      message: batchMessage(MESSAGE_KIND.l2Transactions, r.data),
      txs: decodeTxList(r.data) ?? [],
    };
  } catch (err) {
    if (err instanceof DaInvalidPointerError) return { kind: 'batch', message: e.data, txs: [] };
    throw err;
  }
}
