/**
 * Committee health for the explorer (docs/explorer.md): the DA committee's members from the chain
 * config, each asked for `GET /v1/health` (docs/da-server.md; 1.5 s timeout, answers kept 2 s),
 * and what the certificates on L1 say (how many batches each member signed or missed).
 */
import { type Hex, keccak256 } from 'viem';
import type { DaConfig } from '../config/types.ts';
import type { BatchView } from './views.ts';

export interface CommitteeMemberView {
  url: string;
  /** keccak256 of the member's public key (what the page shows) */
  keyHash: Hex;
  healthy: boolean;
  /** batches the member stores, and its own faults, from /v1/health */
  stored: number | null;
  faults: string[];
  latencyMs: number | null;
  error: string | null;
  /** whether its signature is in the latest certificate on L1 (null: none yet) */
  signedLatest: boolean | null;
}

export interface CommitteeView {
  /** the config's DA module; `members` is empty unless it is `committee` */
  module: string;
  members: CommitteeMemberView[];
  assumedHonest: number | null;
  /** signatures a certificate needs: N + 1 − H */
  required: number | null;
  fallback: string | null;
  timeoutMs: number | null;
  /** batches on L1 by DA path: certificate, and the fallback's */
  batches: { certificate: number; fallback: number; total: number };
  /** the keyset of the latest certificate on L1 */
  keysetHash: Hex | null;
  /** members that did not sign the latest certificate */
  latestNonSigners: number | null;
}

const HEALTH_TTL_MS = 2_000;
const HEALTH_TIMEOUT_MS = 1_500;

export class CommitteeHealth {
  private last: { at: number; members: Promise<CommitteeMemberView[]> } | undefined;

  constructor(private readonly da: DaConfig) {}

  private members(): Promise<CommitteeMemberView[]> {
    if (this.last && Date.now() - this.last.at < HEALTH_TTL_MS) return this.last.members;
    const members = Promise.all((this.da.committee?.members ?? []).map((m) => probe(m.url, m.publicKey)));
    this.last = { at: Date.now(), members };
    return members;
  }

  /** `batches`: counts by DA path; `latestCertificate`: the newest certificate batch on L1 */
  async view(
    batches: CommitteeView['batches'],
    latestCertificate: BatchView | undefined,
  ): Promise<CommitteeView> {
    const c = this.da.module === 'committee' ? this.da.committee : undefined;
    const latest = latestCertificate?.certificate ?? null;
    const n = c?.members.length ?? 0;
    return {
      module: this.da.module,
      members: c
        ? (await this.members()).map((m) => ({
            ...m,
            signedLatest: latest ? !latest.nonSignerKeys.includes(m.keyHash) : null,
          }))
        : [],
      assumedHonest: c ? c.assumedHonest : null,
      required: c ? n + 1 - c.assumedHonest : null,
      fallback: c ? c.fallback : null,
      timeoutMs: c ? c.timeoutMs : null,
      batches,
      keysetHash: latest?.keysetHash ?? null,
      latestNonSigners: latest?.nonSigners ?? null,
    };
  }
}

async function probe(url: string, publicKey: Hex): Promise<CommitteeMemberView> {
  const keyHash = keccak256(publicKey);
  const t0 = Date.now();
  try {
    const r = await fetch(`${url.replace(/\/$/, '')}/v1/health`, {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    const latencyMs = Date.now() - t0;
    if (!r.ok) return down(url, keyHash, `HTTP ${r.status}`, latencyMs);
    const h = (await r.json()) as { stored?: number; faults?: string[] };
    const faults = Array.isArray(h.faults) ? h.faults.map(String) : [];
    return {
      url,
      keyHash,
      healthy: faults.length === 0,
      stored: typeof h.stored === 'number' ? h.stored : null,
      faults,
      latencyMs,
      error: null,
      signedLatest: null,
    };
  } catch (e) {
    return down(url, keyHash, (e as Error).message.split('\n')[0], null);
  }
}

const down = (url: string, keyHash: Hex, error: string, latencyMs: number | null): CommitteeMemberView => ({
  url,
  keyHash,
  healthy: false,
  stored: null,
  faults: [],
  latencyMs,
  error,
  signedLatest: null,
});
