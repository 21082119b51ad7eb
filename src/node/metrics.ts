/**
 * The node's Prometheus metrics (docs/node.md §8): one `NodeMetrics` per node — a prom-client
 * `Registry` of its own, never the global default, so that several nodes in one process (the
 * devnet, tests) do not collide — shared by the roles that run in one process and labelled by role
 * (`sequencer`, `batcher`, or the validator's name). What fills them is in metrics-hooks.ts; the
 * sequencer role serves them at `GET /metrics` of its JSON-RPC port, a lone validator at its
 * `--metrics-port`.
 *
 * Cheap on the sequencer's hot path: per transaction one counter increment and one histogram
 * observation on children bound once (about 1.5 µs), nothing per transaction allocated by us; gauges
 * are read when scraped.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSource } from '../util/metrics-http.ts';

/** Latency buckets (seconds): 0.5 ms … 10 s. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Disk timings (seconds): 50 µs … 1 s. */
const DISK_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
/** Transactions per block. */
const TX_BUCKETS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
/** Bytes of a block or a batch. */
const BYTE_BUCKETS = [64, 256, 1024, 4096, 16384, 65536, 131072, 262144, 524288, 1048576];
/** DA store (a committee's certificate: every member's signature): 1 ms … 30 s. */
const DA_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/** A collector run before each scrape (gauges read from the roles' state). */
export type Collector = () => void | Promise<void>;

export class NodeMetrics implements MetricsSource {
  readonly registry: Registry;
  private readonly collectors: Collector[] = [];

  // sequencer: transactions
  readonly txAdmitted: Counter<'role'>;
  readonly txRejected: Counter<'role' | 'reason'>;
  readonly softConfirmation: Histogram<'role'>;
  readonly mempool: Gauge<'role'>;
  // blocks (sequencer: sealed and stored; validators: derived)
  readonly blocks: Counter<'role' | 'kind'>;
  readonly blockTxs: Histogram<'role'>;
  readonly blockBytes: Histogram<'role'>;
  readonly head: Gauge<'role'>;
  // WAL and store
  readonly walFlush: Histogram<'role'>;
  readonly walRecords: Counter<'role'>;
  readonly walBytes: Counter<'role'>;
  readonly storePut: Histogram<'role'>;
  // batcher and DA
  readonly batches: Counter<'role' | 'da' | 'fallback'>;
  readonly batchBytes: Histogram<'role' | 'form'>;
  readonly daStore: Histogram<'role' | 'da' | 'fallback'>;
  readonly daFallbacks: Counter<'role'>;
  // L1
  readonly l1Gas: Counter<'role' | 'kind'>;
  readonly l1Txs: Counter<'role' | 'kind'>;
  // validators
  readonly assertions: Counter<'role' | 'event'>;
  readonly assertionLag: Gauge<'role' | 'assertion'>;
  readonly disputesOpen: Gauge<'role'>;
  readonly disputes: Counter<'role' | 'outcome'>;
  readonly disputeMoves: Counter<'role' | 'kind'>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
      new Histogram<L>({ name, help, labelNames, buckets, registers });

    this.txAdmitted = counter(
      'modex_transactions_admitted_total',
      'transactions admitted and acknowledged (soft-confirmed: in the WAL, fsynced)',
      ['role'],
    );
    this.txRejected = counter(
      'modex_transactions_rejected_total',
      "modex_sendRawTransaction refusals by reason: the app's admission reason (bad_nonce, bad_signature, …), busy, duplicate, bad_request, unavailable, internal",
      ['role', 'reason'],
    );
    this.softConfirmation = histogram(
      'modex_soft_confirmation_seconds',
      'modex_sendRawTransaction of an admitted transaction: request parsed to soft confirmation (WAL fsynced)',
      ['role'],
      LATENCY_BUCKETS,
    );
    this.mempool = gauge(
      'modex_mempool_transactions',
      'transactions acknowledged (or being acknowledged) and not yet in a stored block',
      ['role'],
    );
    this.blocks = counter(
      'modex_blocks_total',
      'L2 blocks stored (sequencer) or derived from L1 (validators), by kind (batch, delayed)',
      ['role', 'kind'],
    );
    this.blockTxs = histogram(
      'modex_block_transactions',
      'transactions per stored batch block',
      ['role'],
      TX_BUCKETS,
    );
    this.blockBytes = histogram(
      'modex_block_bytes',
      "bytes of a stored block's inbox message",
      ['role'],
      BYTE_BUCKETS,
    );
    this.head = gauge(
      'modex_head_block',
      'latest L2 block: stored (sequencer) or derived (validators); -1 before the first',
      ['role'],
    );
    this.walFlush = histogram(
      'modex_wal_flush_seconds',
      'one WAL group commit: write + fdatasync of every record queued meanwhile',
      ['role'],
      DISK_BUCKETS,
    );
    this.walRecords = counter('modex_wal_records_total', 'WAL records made durable', ['role']);
    this.walBytes = counter('modex_wal_bytes_total', 'bytes written to the WAL', ['role']);
    this.storePut = histogram(
      'modex_store_put_seconds',
      'writing one block to the LMDB store (until it is on disk)',
      ['role'],
      DISK_BUCKETS,
    );
    this.batches = counter(
      'modex_batches_posted_total',
      'batches posted to L1 by DA path (calldata, blob, certificate) and whether the committee fell back',
      ['role', 'da', 'fallback'],
    );
    this.batchBytes = histogram(
      'modex_batch_bytes',
      'bytes of a posted batch: raw (the transaction list) and posted (what L1 carried: compressed calldata, blobs, or the certificate)',
      ['role', 'form'],
      BYTE_BUCKETS,
    );
    this.daStore = histogram(
      'modex_da_store_seconds',
      "storing a batch through the DA module before posting (committee: until enough members' signatures, or the fallback: fallback=true)",
      ['role', 'da', 'fallback'],
      DA_BUCKETS,
    );
    this.daFallbacks = counter(
      'modex_da_fallbacks_total',
      'committee batches posted through the L1 fallback: signatures missing (timeout) or the certificate refused on L1',
      ['role'],
    );
    this.l1Gas = counter(
      'modex_l1_gas_total',
      'L1 gas spent by kind: batch, include-delayed, tick, assertion, confirm-assertion, slash, the dispute moves (layer-zero-edge, dissect, subchallenge, one-step-proof, …) and the hybrid ones (challenge, reject-unproven)',
      ['role', 'kind'],
    );
    this.l1Txs = counter('modex_l1_transactions_total', 'L1 transactions sent, by the same kinds', [
      'role',
      'kind',
    ]);
    this.assertions = counter(
      'modex_assertions_total',
      'assertions this validator or prover posted, and assertions of its path it saw confirmed (event: posted, confirmed); a prover on a hybrid chain also counts those it challenged and rejected (event: challenged, rejected)',
      ['role', 'event'],
    );
    this.assertionLag = gauge(
      'modex_assertion_lag_blocks',
      "L2 blocks between the validator's derived head and the end of the newest assertion of its path (assertion=asserted) or of the latest confirmed one (assertion=confirmed)",
      ['role', 'assertion'],
    );
    this.disputesOpen = gauge(
      'modex_disputes_open',
      'assertions of this validator that have a rival and are not decided yet',
      ['role'],
    );
    this.disputes = counter(
      'modex_disputes_total',
      'disputes of this validator by outcome: won (its assertion confirmed), lost (a rival confirmed)',
      ['role', 'outcome'],
    );
    this.disputeMoves = counter(
      'modex_dispute_moves_total',
      'dispute moves this validator made on L1, by kind',
      ['role', 'kind'],
    );
  }

  /** Runs `c` before each scrape (e.g. to set gauges from a role's state). */
  collect(c: Collector): void {
    this.collectors.push(c);
  }

  get contentType(): Registry['contentType'] {
    return this.registry.contentType;
  }

  /** The text exposition (the collectors run first). */
  async metrics(): Promise<string> {
    for (const c of this.collectors) {
      try {
        await c();
      } catch {
        // a failing collector leaves its gauges as they were
      }
    }
    return this.registry.metrics();
  }
}
