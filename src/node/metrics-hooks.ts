/**
 * What fills the node's metrics (metrics.ts, docs/node.md §8), kept out of the roles: each hook
 * reads a role's own events, callbacks and counters, so the roles carry one line per hook.
 *
 * - transactions: `transactionObserver`, called by the JSON-RPC server for each
 *   `modex_sendRawTransaction` answered (admitted with its latency, or refused with its reason);
 * - the sequencer's blocks, WAL and store: `watchSequencer` (its block subscription, the WAL's
 *   `onFlush`, the store's `onPut`, gauges read when scraped);
 * - the batcher: `observePosted` for each batch posted (bytes, DA path, DA store time, gas),
 *   `observeL1Tx` for any other L1 transaction of a role (`includeDelayed`);
 * - validators: `watchValidator` reads its events and disputes when scraped (nothing on its path).
 */
import type { PostedBlock } from './batcher.ts';
import type { NodeMetrics } from './metrics.ts';
import type { TransactionObserver } from './rpc.ts';
import type { Sequencer } from './sequencer.ts';
import type { Validator } from './validator.ts';

/** JSON-RPC error codes → the `reason` label of a refusal that is not the app's. */
const REASONS: Record<number, string> = {
  [-32003]: 'duplicate',
  [-32005]: 'busy',
  [-32602]: 'bad_request',
  [-32600]: 'bad_request',
  [-32000]: 'unavailable',
};

/**
 * The `reason` of a refused `modex_sendRawTransaction`: the app's admission reason
 * (`data.reason`: bad_nonce, bad_signature, …), else from the JSON-RPC code.
 */
export function refusalReason(error: { code: number; data?: unknown }): string {
  const data = error.data as { reason?: unknown } | undefined;
  if (typeof data?.reason === 'string' && data.reason !== '') return data.reason;
  return REASONS[error.code] ?? 'internal';
}

/** Counts each transaction answered over JSON-RPC: admitted (and its latency) or refused by reason. */
export function transactionObserver(m: NodeMetrics, role = 'sequencer'): TransactionObserver {
  // children bound once: the hot path does no label lookups
  const admitted = m.txAdmitted.labels(role);
  const latency = m.softConfirmation.labels(role);
  // series present (at 0) from the first scrape
  admitted.inc(0);
  m.softConfirmation.zero({ role });
  return (error, seconds) => {
    if (error === undefined) {
      admitted.inc();
      latency.observe(seconds);
    } else m.txRejected.inc({ role, reason: refusalReason(error) });
  };
}

/** Blocks stored, WAL group commits, store writes, the head and the mempool of a sequencer. */
export function watchSequencer(m: NodeMetrics, seq: Sequencer, role = 'sequencer'): () => void {
  const walFlush = m.walFlush.labels(role);
  const walRecords = m.walRecords.labels(role);
  const walBytes = m.walBytes.labels(role);
  const storePut = m.storePut.labels(role);
  const blockTxs = m.blockTxs.labels(role);
  const blockBytes = m.blockBytes.labels(role);
  walRecords.inc(0);
  walBytes.inc(0);
  m.walFlush.zero({ role });
  m.storePut.zero({ role });
  seq.wal.onFlush = (ms, records, bytes) => {
    walFlush.observe(ms / 1000);
    walRecords.inc(records);
    walBytes.inc(bytes);
  };
  seq.store.onPut = (ms) => storePut.observe(ms / 1000);
  const unsubscribe = seq.subscribe((b) => {
    m.blocks.inc({ role, kind: b.kind });
    if (b.kind === 'batch') {
      blockTxs.observe(b.txCount);
      blockBytes.observe(b.message.length);
    }
  });
  m.collect(() => {
    const s = seq.status();
    m.head.set({ role }, s.head);
    m.mempool.set({ role }, s.mempool);
  });
  return () => {
    unsubscribe();
    seq.wal.onFlush = undefined;
    seq.store.onPut = undefined;
  };
}

/** An L1 transaction a role sent: its gas under `kind`. */
export function observeL1Tx(m: NodeMetrics, role: string, kind: string, gas: bigint): void {
  m.l1Gas.inc({ role, kind }, Number(gas));
  m.l1Txs.inc({ role, kind });
}

/** A batch the batcher posted now (not one found on L1 already): sizes, DA path, DA store time, gas. */
export function observePosted(m: NodeMetrics, posted: PostedBlock, role = 'batcher'): void {
  if (posted.alreadyPosted) return;
  m.batchBytes.observe({ role, form: 'raw' }, posted.block.message.length - 1);
  if (posted.da) {
    const { pointer, usedFallback, bytes, storeMs } = posted.da;
    const fallback = String(usedFallback);
    m.batches.inc({ role, da: pointer, fallback });
    m.batchBytes.observe({ role, form: 'posted' }, bytes);
    if (storeMs !== undefined) m.daStore.observe({ role, da: pointer, fallback }, storeMs / 1000);
    if (usedFallback) m.daFallbacks.inc({ role });
  }
  if (posted.tx) observeL1Tx(m, role, 'batch', posted.tx.gasUsed);
}

/**
 * A validator (`role` = its name): assertions posted and confirmed, dispute moves and the L1 gas of
 * each, disputes open, won and lost, the assertion lag and the derived head; read from the
 * validator's events and state when scraped.
 */
export function watchValidator(
  m: NodeMetrics,
  v: Validator,
  derived: { readonly length: number },
  role: string,
): void {
  let seen = 0;
  const counted = new Set<string>();
  m.collect(() => {
    for (; seen < v.events.length; seen++) {
      const e = v.events[seen];
      if (e.kind === 'assertion') {
        m.assertions.inc({ role, event: 'posted' });
        if (e.gas !== undefined) observeL1Tx(m, role, 'assertion', e.gas);
      } else if (e.kind === 'confirmed') {
        m.assertions.inc({ role, event: 'confirmed' });
        if (e.gas !== undefined) observeL1Tx(m, role, 'confirm-assertion', e.gas);
      } else if (e.kind === 'slashed') {
        if (e.gas !== undefined) observeL1Tx(m, role, 'slash', e.gas);
      } else if (e.kind === 'move') {
        const kind = e.move.split(' ', 1)[0];
        m.disputeMoves.inc({ role, kind });
        observeL1Tx(m, role, kind, e.gas);
      }
    }
    let open = 0;
    for (const [id, outcome] of v.disputes) {
      if (outcome === 'open') open++;
      else if (!counted.has(id)) {
        counted.add(id);
        m.disputes.inc({ role, outcome });
      }
    }
    m.disputesOpen.set({ role }, open);
    const head = derived.length - 1;
    m.head.set({ role }, head);
    if (v.assertedPosition !== undefined)
      m.assertionLag.set({ role, assertion: 'asserted' }, Math.max(0, derived.length - v.assertedPosition));
    if (v.confirmedPosition !== undefined)
      m.assertionLag.set({ role, assertion: 'confirmed' }, Math.max(0, derived.length - v.confirmedPosition));
  });
}
