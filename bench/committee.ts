/**
 * Committee DA measurements (docs/da-server.md §7): time for `CommitteeDa.store` to return a
 * certificate with n in-process members on 127.0.0.1 (p50/p99), the time of one BLS sign and one
 * verify, and of retrieving a certified batch. Members and client share this process's CPU, so
 * the n members' signing is serialised here while real members sign in parallel.
 */
import { keccak256 } from 'viem';
import { blsKeyFromSeed, blsSign, blsVerify, signingMessage } from '../src/crypto/bls.ts';
import { requiredSigners } from '../src/da/committee/certificate.ts';
import { CommitteeDa } from '../src/da/committee/committee-da.ts';
import { startLocalCommittee } from '../src/da/committee/local-committee.ts';
import { COMMITTEE_RETENTION_SECONDS } from '../src/da/committee/module.ts';
import { L1CalldataDa } from '../src/da/l1-calldata/l1-calldata.ts';

export interface CommitteeBenchResult {
  members: number;
  required: number;
  batchBytes: number;
  batches: number;
  fallbacks: number;
  certificateMs: { p50: number; p99: number; max: number };
  retrieveMs: { p50: number; p99: number };
}

export interface BlsBenchResult {
  signMs: number;
  verifyMs: number;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const round = (x: number) => Math.round(x * 10) / 10;

/** Mean time of one BLS sign and one verify over `iterations` (after a warm-up). */
export function benchBls(iterations = 20): BlsBenchResult {
  const k = blsKeyFromSeed(new Uint8Array(32).fill(1));
  const m = signingMessage(keccak256('0x01'), 1n);
  let sig = blsSign(k.secretKey, m);
  blsVerify(k.publicKey, m, sig);
  let t = performance.now();
  for (let i = 0; i < iterations; i++) sig = blsSign(k.secretKey, m);
  const signMs = (performance.now() - t) / iterations;
  t = performance.now();
  for (let i = 0; i < iterations; i++) if (!blsVerify(k.publicKey, m, sig)) throw new Error('verify failed');
  const verifyMs = (performance.now() - t) / iterations;
  return { signMs: round(signMs), verifyMs: round(verifyMs) };
}

/** `batches` stores (and retrieves) of `batchBytes` random bytes with `members` healthy local members. */
export async function benchCommittee(opts: {
  members: number;
  assumedHonest?: number;
  batches?: number;
  batchBytes?: number;
}): Promise<CommitteeBenchResult> {
  const batches = opts.batches ?? 50;
  const batchBytes = opts.batchBytes ?? 100_000;
  const committee = await startLocalCommittee(opts.members, { assumedHonest: opts.assumedHonest });
  try {
    const latencies: number[] = [];
    let fallbacks = 0;
    const da = new CommitteeDa({
      members: committee.members,
      keyset: committee.keyset,
      timeoutMs: 10_000,
      retentionSeconds: COMMITTEE_RETENTION_SECONDS,
      fallback: new L1CalldataDa(),
      onEvent: (e) => {
        if (e.type === 'store') {
          if (e.certified) latencies.push(e.latencyMs);
          else fallbacks++;
        }
      },
    });
    await da.store(crypto.getRandomValues(new Uint8Array(1000))); // warm-up
    latencies.length = 0;
    const retrieves: number[] = [];
    for (let i = 0; i < batches; i++) {
      const data = new Uint8Array(batchBytes);
      for (let o = 0; o < batchBytes; o += 65536) crypto.getRandomValues(data.subarray(o, o + 65536));
      const s = await da.store(data);
      // let the members that answered after the certificate finish, so the next store starts clean
      await new Promise((r) => setTimeout(r, 300));
      const t = performance.now();
      await da.retrieve(s.pointer);
      retrieves.push(performance.now() - t);
    }
    return {
      members: opts.members,
      required: requiredSigners(committee.keyset),
      batchBytes,
      batches,
      fallbacks,
      certificateMs: {
        p50: round(quantile(latencies, 0.5)),
        p99: round(quantile(latencies, 0.99)),
        max: round(Math.max(...latencies)),
      },
      retrieveMs: { p50: round(quantile(retrieves, 0.5)), p99: round(quantile(retrieves, 0.99)) },
    };
  } finally {
    await committee.close();
  }
}
