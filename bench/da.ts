/**
 * `modex bench da` (docs/node.md §3, bench/RESULTS.md): L1 cost of each DA module on the token
 * workload, through the real batcher and inbox on anvil:
 *
 * - per module (`l1-calldata`, `l1-blob`, `committee`): L1 execution gas per transaction (the
 *   postBatch transactions' gasUsed / transactions), blob gas per transaction (l1-blob), and bytes
 *   per transaction that L1 carries (calldata payload, or 131,072 bytes per blob);
 * - the committee certificate's on-chain check (`CommitteeKeysets.verifyCertificate`, EIP-2537),
 *   per batch, whatever the batch size;
 * - certificate latency (`CommitteeDa.store` until a certificate) p50/p99 with 5 and 20 local members.
 */
import { privateKeyToAccount } from 'viem/accounts';
import { transfer } from '../src/apps/token/client.ts';
import type { DaConfig } from '../src/config/types.ts';
import type { DataAvailability } from '../src/core/da.ts';
import { requiredSigners } from '../src/da/committee/certificate.ts';
import { CommitteeDa } from '../src/da/committee/committee-da.ts';
import { CommitteeKeysetsClient } from '../src/da/committee/keysets.ts';
import { type LocalCommittee, startLocalCommittee } from '../src/da/committee/local-committee.ts';
import { L1CalldataDa } from '../src/da/l1-calldata/l1-calldata.ts';
import { type L1, openL1 } from '../src/l1/anvil.ts';
import { Batcher } from '../src/node/batcher.ts';
import { COMMITTEE_RETENTION_SECONDS, daForConfig, deployCommittee } from '../src/node/da-modules.ts';
import { deployInbox, InboxClient } from '../src/settlement/ethereum/inbox.ts';
import { batchMessage, encodeTxList } from '../src/settlement/ethereum/message.ts';
import { machineLine, type Percentiles, percentiles } from '../src/util/bench-stats.ts';

export interface DaBenchOptions {
  /** batches posted per module (default 3) */
  batches?: number;
  /** token transfers per batch (default 500) */
  txsPerBatch?: number;
  /** committee sizes for the latency measurement (default 5 and 20) */
  committeeSizes?: number[];
  /** certificates per committee size for the latency measurement (default 40) */
  certificates?: number;
  rpc?: string;
  log?: (line: string) => void;
}

export interface DaModuleCost {
  /** L1 execution gas of the postBatch transactions per transaction */
  gas_per_tx: number;
  /** bytes L1 carries per transaction (calldata payload; blobs: 131,072 per blob) */
  bytes_per_tx: number;
  /** median postBatch gas per batch */
  gas_per_batch: number;
  /** l1-blob: blob gas per transaction (EIP-4844 blob gas, priced apart from execution gas) */
  blob_gas_per_tx?: number;
  blobs_per_batch?: number;
  /** committee: gas of the certificate per batch: its check (verifyCertificate, EIP-2537) and its calldata */
  certificate_gas?: number;
  certificate_gas_parts?: { execution: number; calldata: number };
  /** committee: certificate bytes */
  certificate_bytes?: number;
}

export interface DaBenchResult {
  machine: string;
  workload: { batches: number; txs_per_batch: number; batch_bytes: number; tx_bytes: number };
  modules: Record<'l1-calldata' | 'l1-blob' | 'committee', DaModuleCost>;
  /** committee size → certificate latency (ms) */
  certificate_latency_ms: Record<string, Percentiles & { members: number; signers: number }>;
}

const USER = privateKeyToAccount(`0x${'a1'.repeat(32)}`);

async function tokenBatches(batches: number, perBatch: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let nonce = 0n;
  for (let b = 0; b < batches; b++) {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < perBatch; i++) {
      const to = `0x${(0x10000 + b * perBatch + i).toString(16).padStart(40, '0')}` as const;
      txs.push(await transfer(USER, to, 1000n + BigInt(i), { nonce: nonce++ }));
    }
    out.push(encodeTxList(txs));
  }
  return out;
}

/** Posts `batches` through `da` with the batcher to a fresh inbox; returns the receipts' gas. */
async function postAll(da: DataAvailability, batches: Uint8Array[], inbox: InboxClient) {
  const batcher = new Batcher({ inbox, da, attempts: 1 });
  await batcher.start();
  const rows: { gas: bigint; blobGas: bigint; bytes: number; pointer: string; fallback: boolean }[] = [];
  for (let i = 0; i < batches.length; i++) {
    const p = await batcher.submit({
      position: BigInt(i),
      message: batchMessage(0, batches[i]),
      delayedRead: 0n,
    });
    const r = p.tx?.receipt as { gasUsed: bigint; blobGasUsed?: bigint } | undefined;
    if (!r || !p.da) throw new Error(`bench da: batch ${i} was not posted now`);
    rows.push({
      gas: r.gasUsed,
      blobGas: r.blobGasUsed ?? 0n,
      bytes: p.da.bytes,
      pointer: p.da.pointer,
      fallback: p.da.usedFallback,
    });
  }
  return rows;
}

async function freshInbox(l1: L1): Promise<InboxClient> {
  const d = await deployInbox(l1, { sequencer: l1.accounts[0].address, maxDelaySeconds: 3600 });
  return InboxClient.attach(l1, d.address, { fromBlock: d.deployBlock });
}

const med = (xs: number[]) => percentiles(xs).p50;

export async function benchDa(opts: DaBenchOptions = {}): Promise<DaBenchResult> {
  const log = opts.log ?? (() => {});
  const nBatches = opts.batches ?? 3;
  const perBatch = opts.txsPerBatch ?? 500;
  const txs = nBatches * perBatch;
  log(`bench da: signing ${txs} token transfers (${nBatches} batches of ${perBatch})...`);
  const batches = await tokenBatches(nBatches, perBatch);
  const batchBytes = batches[0].length;
  const l1 = await openL1(opts.rpc ?? 'embedded');
  const committees: LocalCommittee[] = [];
  try {
    const cost = (rows: Awaited<ReturnType<typeof postAll>>): DaModuleCost => ({
      gas_per_tx: Number(rows.reduce((a, r) => a + r.gas, 0n)) / txs,
      bytes_per_tx: rows.reduce((a, r) => a + r.bytes, 0) / txs,
      gas_per_batch: med(rows.map((r) => Number(r.gas))),
    });
    const modules = {} as DaBenchResult['modules'];

    log('bench da: l1-calldata...');
    modules['l1-calldata'] = cost(await postAll(new L1CalldataDa(), batches, await freshInbox(l1)));

    log('bench da: l1-blob (KZG commitments and proofs per blob)...');
    const blobDa = daForConfig({ da: { module: 'l1-blob' } }, { rpcUrl: l1.rpcUrl, rpc: l1.publicClient });
    const blobRows = await postAll(blobDa, batches, await freshInbox(l1));
    modules['l1-blob'] = {
      ...cost(blobRows),
      blob_gas_per_tx: Number(blobRows.reduce((a, r) => a + r.blobGas, 0n)) / txs,
      blobs_per_batch: med(blobRows.map((r) => r.bytes / 131_072)),
    };

    log('bench da: committee (5 local members, 4 signatures per certificate)...');
    const committee = await startLocalCommittee(5, { assumedHonest: 2 });
    committees.push(committee);
    const daConfig: DaConfig = {
      module: 'committee',
      committee: {
        members: committee.configMembers,
        assumedHonest: 2,
        fallback: 'l1-calldata',
        timeoutMs: 10_000,
      },
    };
    const inbox = await freshInbox(l1);
    const deployed = await deployCommittee(l1, inbox, daConfig);
    const comDa = daForConfig({ da: daConfig }, { rpcUrl: l1.rpcUrl });
    const comRows = await postAll(comDa, batches, inbox);
    if (comRows.some((r) => r.pointer !== 'certificate'))
      throw new Error('bench da: the committee fell back');
    const stored = await comDa.store(batches[0]);
    if (stored.pointer.kind !== 'certificate') throw new Error('bench da: no certificate');
    const keysets = await CommitteeKeysetsClient.attach(l1, deployed.keysets);
    const cg = await keysets.certificateGas(stored.pointer.certificate);
    modules.committee = {
      ...cost(comRows),
      certificate_gas: Number(cg.total - cg.base),
      certificate_gas_parts: { execution: Number(cg.execution), calldata: Number(cg.calldata) },
      certificate_bytes: stored.pointer.certificate.length,
    };

    const latency: DaBenchResult['certificate_latency_ms'] = {};
    for (const n of opts.committeeSizes ?? [5, 20]) {
      const m = opts.certificates ?? 40;
      log(`bench da: certificate latency, ${n} members, ${m} certificates of ${batchBytes} bytes...`);
      const c = n === 5 ? committee : await startLocalCommittee(n);
      if (c !== committee) committees.push(c);
      const times: number[] = [];
      const da = new CommitteeDa({
        members: c.members,
        keyset: c.keyset,
        timeoutMs: 30_000,
        retentionSeconds: COMMITTEE_RETENTION_SECONDS,
        fallback: new L1CalldataDa(),
        onEvent: (e) => {
          if (e.type === 'store' && e.certified) times.push(e.latencyMs);
        },
      });
      for (let i = 0; i < m; i++) {
        const data = batches[i % batches.length].slice();
        data[data.length - 1] ^= i + 1; // a distinct batch each time
        await da.store(data);
      }
      latency[String(n)] = {
        ...percentiles(times),
        members: n,
        signers: requiredSigners(c.keyset),
      };
    }
    return {
      machine: machineLine(),
      workload: {
        batches: nBatches,
        txs_per_batch: perBatch,
        batch_bytes: batchBytes,
        tx_bytes: batchBytes / perBatch,
      },
      modules,
      certificate_latency_ms: latency,
    };
  } finally {
    for (const c of committees) await c.close().catch(() => {});
    await l1.stop();
  }
}

const f0 = (x: number | undefined) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));

export function formatDaBench(r: DaBenchResult): string {
  const lines = [
    `machine: ${r.machine}`,
    `workload: ${r.workload.batches} batches × ${r.workload.txs_per_batch} token transfers (${r.workload.batch_bytes} bytes per batch, ${r.workload.tx_bytes.toFixed(1)} bytes per transfer)`,
    '',
    '| module      | L1 gas / tx | blob gas / tx | L1 bytes / tx | gas / batch | certificate gas |',
    '| ----------- | ----------- | ------------- | ------------- | ----------- | --------------- |',
  ];
  for (const [name, m] of Object.entries(r.modules)) {
    lines.push(
      `| ${name.padEnd(11)} | ${f0(m.gas_per_tx).padStart(11)} | ${f0(m.blob_gas_per_tx).padStart(13)} | ${m.bytes_per_tx.toFixed(1).padStart(13)} | ${f0(m.gas_per_batch).padStart(11)} | ${f0(m.certificate_gas).padStart(15)} |`,
    );
  }
  lines.push(
    '',
    '| committee | signatures | certificate p50 | p99 |',
    '| --------- | ---------- | --------------- | --- |',
  );
  for (const l of Object.values(r.certificate_latency_ms)) {
    lines.push(`| ${l.members} members | ${l.signers} | ${l.p50.toFixed(1)} ms | ${l.p99.toFixed(1)} ms |`);
  }
  return lines.join('\n');
}
