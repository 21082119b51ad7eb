/**
 * Committee DA (`da.module: "committee"`, docs/da-server.md §3–§4): an AnyTrust-style data
 * availability committee with an L1 fallback.
 *
 * - `store` sends the batch to every member in parallel (`POST /v1/store`), checks each returned
 *   BLS signature against that member's configured key (a bad one is reported, never aggregated),
 *   and as soon as K = n + 1 − assumedHonest valid signatures are in, aggregates them into a
 *   certificate (docs/committee.md §3). When K can no longer be reached, or the timeout passes
 *   first, the batch goes to the fallback (L1) instead: members misbehaving never make `store`
 *   fail. The next batch tries the committee again; a member that failed is skipped for a short,
 *   growing backoff (default 1 s doubling to 30 s, reset by a success).
 * - `retrieve` of a certificate checks it (keyset, aggregate signature), then asks the members,
 *   signers first from a random start, each with a timeout, and returns the first bytes whose
 *   keccak256 is the certified data hash; a member serving other bytes is skipped and reported.
 *   Nobody has them → DA_UNAVAILABLE. Any other pointer kind is the fallback's.
 * - Pointer encoding: `0x03 ‖ encodeCertificate(c)`; other kinds are the fallback's.
 */
import { bytesToHex, type Hex, hexToBytes, isHex, keccak256 } from 'viem';
import type {
  BatchPosting,
  DataAvailability,
  InboxBatch,
  PostingOptions,
  ResolvedBatch,
  StoredBatch,
} from '../../core/da.ts';
import { ModexError } from '../../core/errors.ts';
import type { DaPointer } from '../../core/types.ts';
import { blsVerify, signingMessage } from '../../crypto/bls.ts';
import { keccak256Hex } from '../../crypto/keccak.ts';
import { BATCH_KIND, BATCH_PREIMAGE_KIND, batchMessage, DA_POINTER_KIND } from '../batch-message.ts';
import { DaBatchTooLargeError, DaInvalidPointerError, DaUnavailableError } from '../errors.ts';
import {
  buildCertificate,
  type Certificate,
  checkCertificate,
  decodeCertificate,
  encodeCertificate,
  type Keyset,
  keysetHash,
  requiredSigners,
} from './certificate.ts';
import { DaCommitteeConfigError } from './committee-errors.ts';
import { DA_SERVER_DEFAULT_MAX_BYTES, type StoreResponse } from './server.ts';

/** A member as the client knows it: where it listens and its BLS public key (256 bytes). */
export interface CommitteeMember {
  url: string;
  publicKey: Uint8Array;
}

/** Why one member did not contribute. */
export interface MemberFailure {
  /** index in the keyset */
  member: number;
  url: string;
  reason: string;
}

/** What the client reports (the bench and the devnet summary listen). */
export type CommitteeDaEvent =
  | {
      type: 'store';
      dataHash: Hex;
      bytes: number;
      /** true: certified by the committee; false: stored with the fallback */
      certified: boolean;
      /** ms from the call to the certificate (or to the fallback's answer) */
      latencyMs: number;
      /** keyset indices of the members whose signatures are in the certificate */
      signers: number[];
      /** members that failed before the decision (a failure after it is reported as `member-failed`) */
      failures: MemberFailure[];
    }
  | ({ type: 'member-failed'; op: 'store' | 'retrieve'; dataHash: Hex } & MemberFailure)
  | { type: 'retrieve'; dataHash: Hex; member: number; latencyMs: number; failures: MemberFailure[] };

export interface CommitteeDaOptions {
  /** the members to talk to; each public key must be in the keyset */
  members: CommitteeMember[];
  keyset: Keyset;
  /** ms a `store` waits for K signatures before the fallback; also each member's retrieve timeout */
  timeoutMs: number;
  /** seconds members are asked to keep a batch (the certificate's expiry = now + this) */
  retentionSeconds: number;
  /** where batches go when the committee cannot certify (e.g. L1CalldataDa) */
  fallback: DataAvailability;
  onEvent?: (e: CommitteeDaEvent) => void;
  /** the members' size limit (default 1 MiB, the server default) */
  memberMaxBytes?: number;
  /** a failed member is skipped for base·2^(failures−1) ms, at most max (default 1,000 / 30,000; 0 disables) */
  backoffMs?: { base: number; max: number };
  /** clock in unix seconds (default the system clock) */
  now?: () => number;
  /**
   * The certificates `retrieve` gets come from the inbox, which verified them on L1 (docs/inbox.md
   * §5.3): check their shape and fetch by data hash, whatever keyset signed them (a reader after a
   * rotation). Default false: `retrieve` also checks the keyset and the aggregate signature.
   */
  certificatesVerifiedOnL1?: boolean;
  /** retrieve asks members from a random start (default true; false: in keyset order, for tests) */
  randomStart?: boolean;
}

interface Member extends CommitteeMember {
  index: number;
  failures: number;
  skipUntil: number;
}

const HASH32 = /^0x[0-9a-fA-F]{64}$/;

/** A member's answer that is not a valid signature or not the batch (its message is the reason). */
class MemberFault extends ModexError {
  constructor(message: string) {
    super('DA_COMMITTEE_MEMBER_FAULT', message);
  }
}

function describeError(e: unknown): string {
  if (e instanceof MemberFault) return e.message;
  const err = e as Error & { cause?: { code?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timeout';
  return err?.cause?.code ? `unreachable (${err.cause.code})` : `unreachable (${err?.message ?? e})`;
}

const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * fetch, retried (up to 3 times) when a pooled keep-alive connection turns out to be dead (the
 * member restarted since the last request): that is not the member failing now.
 */
async function fetchMember(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (e) {
      const code = (e as { cause?: { code?: string } }).cause?.code;
      // the pool may hold several dead connections to the member: each fails at once
      if (attempt >= 4 || !code || !STALE_SOCKET.has(code) || init.signal?.aborted) throw e;
    }
  }
}

export class CommitteeDa implements DataAvailability {
  readonly name = 'committee' as const;
  readonly maxBatchBytes: number;
  readonly keysetHash: Hex;
  private readonly members: Member[];
  private readonly required: number;
  private readonly backoff: { base: number; max: number };
  private readonly now: () => number;
  /** checkCertificate's answer by keccak256(certificate bytes), the 256 most recent */
  private readonly checked = new Map<Hex, string | undefined>();

  constructor(private readonly opts: CommitteeDaOptions) {
    const { keyset, members } = opts;
    try {
      this.keysetHash = keysetHash(keyset);
    } catch (e) {
      throw new DaCommitteeConfigError(`bad keyset: ${(e as Error).message}`);
    }
    this.required = requiredSigners(keyset);
    const index = new Map(keyset.publicKeys.map((pk, i) => [bytesToHex(pk), i]));
    this.members = members.map((m) => {
      const i = index.get(bytesToHex(m.publicKey));
      if (i === undefined)
        throw new DaCommitteeConfigError(
          `member ${m.url}: its public key ${bytesToHex(m.publicKey).slice(0, 18)}… is not in the keyset`,
        );
      return { ...m, url: m.url.replace(/\/+$/, ''), index: i, failures: 0, skipUntil: 0 };
    });
    if (new Set(this.members.map((m) => m.index)).size !== this.members.length)
      throw new DaCommitteeConfigError('two members have the same public key');
    if (this.members.length < this.required)
      throw new DaCommitteeConfigError(
        `${this.members.length} members can never give the ${this.required} signatures the keyset needs`,
      );
    if (!(opts.timeoutMs > 0))
      throw new DaCommitteeConfigError(`timeoutMs ${opts.timeoutMs} must be positive`);
    if (!Number.isSafeInteger(opts.retentionSeconds) || opts.retentionSeconds <= 0)
      throw new DaCommitteeConfigError(
        `retentionSeconds ${opts.retentionSeconds} must be a positive integer`,
      );
    this.maxBatchBytes = Math.min(
      opts.memberMaxBytes ?? DA_SERVER_DEFAULT_MAX_BYTES,
      opts.fallback.maxBatchBytes,
    );
    this.backoff = opts.backoffMs ?? { base: 1000, max: 30_000 };
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** A certificate from K members, else the fallback's pointer (never fails because of members). */
  async store(data: Uint8Array): Promise<StoredBatch> {
    if (data.length > this.maxBatchBytes)
      throw new DaBatchTooLargeError(data.length, this.maxBatchBytes, this.name);
    const t0 = performance.now();
    const dataHash = keccak256Hex(data);
    const expiry = BigInt(this.now() + this.opts.retentionSeconds);
    const { certificate, signers, failures } = await this.collect(data, dataHash, expiry);
    let out: StoredBatch;
    if (certificate) {
      out = { pointer: this.pointerOf(certificate), dataHash, usedFallback: false };
    } else {
      const f = await this.opts.fallback.store(data);
      out = { ...f, usedFallback: true };
    }
    const latencyMs = performance.now() - t0;
    this.emit({
      type: 'store',
      dataHash,
      bytes: data.length,
      certified: certificate !== undefined,
      latencyMs,
      signers,
      failures,
    });
    return out;
  }

  /**
   * Sends to every member not backing off and resolves once K signatures make a certificate, or K
   * can no longer be reached, or at the timeout. Signatures are checked optimistically: as soon as K
   * well-formed ones are in, `buildCertificate` verifies their aggregate (one pairing check); only
   * when that fails is each verified against its member's key, and the bad ones are dropped and
   * reported (docs/da-server.md §3). Requests still running go on until the timeout (more members
   * keep the batch) and still update the members' backoff.
   */
  private collect(
    data: Uint8Array,
    dataHash: Hex,
    expiry: bigint,
  ): Promise<{ certificate?: Certificate; signers: number[]; failures: MemberFailure[] }> {
    const message = signingMessage(dataHash, expiry);
    const candidates = new Map<number, Uint8Array>();
    const verified = new Set<number>();
    const failures: MemberFailure[] = [];
    const nowMs = Date.now();
    const active = this.members.filter((m) => m.skipUntil <= nowMs);
    for (const m of this.members)
      if (m.skipUntil > nowMs)
        failures.push({ member: m.index, url: m.url, reason: 'skipped: backing off after failures' });
    const byIndex = new Map(this.members.map((m) => [m.index, m]));
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    return new Promise((resolve) => {
      let pending = active.length;
      let decided = false;
      const decide = (certificate?: Certificate) => {
        if (decided) return;
        decided = true;
        clearTimeout(timer);
        const signers = [...candidates.keys()].sort((a, b) => a - b);
        resolve({ certificate, signers: certificate ? signers : [], failures: [...failures] });
      };
      const timer = setTimeout(() => {
        for (const m of active)
          if (!candidates.has(m.index) && !failures.some((f) => f.member === m.index))
            failures.push({ member: m.index, url: m.url, reason: 'timeout' });
        decide();
      }, this.opts.timeoutMs);
      const reject = (m: Member, reason: string) => {
        this.failed(m);
        if (!decided) failures.push({ member: m.index, url: m.url, reason });
        else if (!failures.some((f) => f.member === m.index))
          this.emit({ type: 'member-failed', op: 'store', dataHash, member: m.index, url: m.url, reason });
      };
      const settle = () => {
        if (decided) return;
        if (candidates.size >= this.required) {
          try {
            return decide(buildCertificate(this.opts.keyset, dataHash, expiry, candidates));
          } catch {
            for (const [i, sig] of candidates) {
              if (verified.has(i)) continue;
              if (blsVerify(byIndex.get(i)!.publicKey, message, sig)) verified.add(i);
              else {
                candidates.delete(i);
                reject(byIndex.get(i)!, 'bad signature (does not verify against its key)');
              }
            }
            if (candidates.size >= this.required) {
              try {
                return decide(buildCertificate(this.opts.keyset, dataHash, expiry, candidates));
              } catch {
                // unreachable: valid signatures always aggregate; wait for more
              }
            }
          }
        }
        if (candidates.size + pending < this.required) decide();
      };
      settle();
      for (const m of active) {
        this.storeOn(m, data, dataHash, expiry, signal).then(
          (sig) => {
            pending--;
            this.succeeded(m);
            if (!decided) candidates.set(m.index, sig);
            settle();
          },
          (e: unknown) => {
            pending--;
            reject(m, describeError(e));
            settle();
          },
        );
      }
    });
  }

  /** One member's well-formed (not yet verified) signature, else a MemberFault or the fetch error. */
  private async storeOn(
    m: Member,
    data: Uint8Array,
    dataHash: Hex,
    expiry: bigint,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const r = await fetchMember(`${m.url}/v1/store?expiry=${expiry}`, {
      method: 'POST',
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
      signal,
    });
    const body = (await r.json().catch(() => undefined)) as
      | (Partial<StoreResponse> & { error?: { code?: string; message?: string } })
      | undefined;
    if (!r.ok)
      throw new MemberFault(
        `HTTP ${r.status}${body?.error ? ` ${body.error.code}: ${body.error.message}` : ''}`,
      );
    if (!body || body.dataHash?.toLowerCase() !== dataHash || body.expiry !== Number(expiry))
      throw new MemberFault('answered for another data hash or expiry');
    if (typeof body.signature !== 'string' || !isHex(body.signature) || body.signature.length !== 2 + 256)
      throw new MemberFault('answered without a 128-byte signature');
    return hexToBytes(body.signature);
  }

  private succeeded(m: Member): void {
    m.failures = 0;
    m.skipUntil = 0;
  }

  private failed(m: Member): void {
    m.failures++;
    if (this.backoff.base <= 0) return;
    const ms = Math.min(this.backoff.base * 2 ** Math.min(m.failures - 1, 30), this.backoff.max);
    m.skipUntil = Date.now() + ms;
  }

  private pointerOf(c: Certificate): DaPointer {
    return {
      kind: 'certificate',
      dataHash: c.dataHash,
      expiry: c.expiry,
      keysetHash: c.keysetHash,
      certificate: encodeCertificate(c),
    };
  }

  /** The certified bytes from the first member that serves them; DA_UNAVAILABLE when none does. */
  /** where a batch goes when the committee cannot certify it (or L1 refuses the certificate) */
  get fallback(): DataAvailability {
    return this.opts.fallback;
  }

  /**
   * A certificate: `postBatch(0x03, certificate)`; the inbox verifies it and appends
   * `0x03 ‖ dataHash` (docs/inbox.md §5.3). Other pointers (the fallback's) are posted as the fallback posts them.
   */
  posting(stored: StoredBatch, opts?: PostingOptions): BatchPosting {
    const p = stored.pointer;
    if (p?.kind !== 'certificate') return this.opts.fallback.posting(stored, opts);
    const why = this.checkShape(p);
    if (why) throw new DaInvalidPointerError(why);
    return {
      kind: BATCH_KIND.certificate,
      payload: p.certificate,
      message: batchMessage(BATCH_KIND.certificate, hexToBytes(p.dataHash)),
      pointer: 'certificate',
      usedFallback: stored.usedFallback,
    };
  }

  /**
   * A certificate batch: the certified bytes from the members (the inbox verified the certificate,
   * the postBatch payload), which the STF reads as the kind-0 preimage of the message's data hash.
   * Other kinds are the fallback's.
   */
  async resolve(batch: InboxBatch): Promise<ResolvedBatch> {
    if (batch.message[0] !== BATCH_KIND.certificate) return this.opts.fallback.resolve(batch);
    if (!batch.payload)
      throw new DaInvalidPointerError(
        'a certificate message read without its batch payload (the certificate)',
      );
    const data = await this.retrieve(this.decodePointer(batchMessage(BATCH_KIND.certificate, batch.payload)));
    return {
      data,
      preimages: [{ kind: BATCH_PREIMAGE_KIND.keccak256, hash: batch.message.subarray(1), bytes: data }],
    };
  }

  /** `0x03 ‖ dataHash` carries `data` when its hash is keccak256(data); other kinds: the fallback's answer. */
  async carries(message: Uint8Array, data: Uint8Array): Promise<boolean> {
    if (message[0] !== BATCH_KIND.certificate) return this.opts.fallback.carries(message, data);
    return bytesToHex(message.subarray(1)) === keccak256(data);
  }

  async retrieve(pointer: DaPointer): Promise<Uint8Array> {
    if (pointer?.kind !== 'certificate') return this.opts.fallback.retrieve(pointer);
    const why = this.opts.certificatesVerifiedOnL1 ? this.checkShape(pointer) : this.checkPointer(pointer);
    if (why) throw new DaInvalidPointerError(why);
    const t0 = performance.now();
    const dataHash = pointer.dataHash.toLowerCase() as Hex;
    const nonSigners = new Set(decodeCertificate(pointer.certificate).nonSigners.map((k) => bytesToHex(k)));
    const start = this.opts.randomStart === false ? 0 : Math.floor(Math.random() * this.members.length);
    const rotated = [...this.members.slice(start), ...this.members.slice(0, start)];
    const order = [
      ...rotated.filter((m) => !nonSigners.has(bytesToHex(m.publicKey))),
      ...rotated.filter((m) => nonSigners.has(bytesToHex(m.publicKey))),
    ];
    const failures: MemberFailure[] = [];
    for (const m of order) {
      try {
        const r = await fetchMember(`${m.url}/v1/batch/${dataHash}`, {
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        if (!r.ok) throw new MemberFault(`HTTP ${r.status}`);
        const bytes = new Uint8Array(await r.arrayBuffer());
        if (keccak256Hex(bytes) !== dataHash)
          throw new MemberFault('served bytes whose keccak256 is not the certified data hash');
        this.emit({
          type: 'retrieve',
          dataHash,
          member: m.index,
          latencyMs: performance.now() - t0,
          failures,
        });
        return bytes;
      } catch (e) {
        const failure = { member: m.index, url: m.url, reason: describeError(e) };
        failures.push(failure);
        this.emit({ type: 'member-failed', op: 'retrieve', dataHash, ...failure });
      }
    }
    throw new DaUnavailableError(
      `no committee member served batch ${dataHash} (expiry ${pointer.expiry}): ` +
        failures.map((f) => `member ${f.member} ${f.url}: ${f.reason}`).join('; '),
    );
  }

  /** Certificates: shape, keyset and aggregate signature (docs/committee.md §3); others: the fallback's check. */
  checkPointer(pointer: DaPointer): string | undefined {
    if (!pointer || typeof pointer !== 'object') return 'not a pointer object';
    if (pointer.kind !== 'certificate') return this.opts.fallback.checkPointer(pointer);
    const shape = this.checkShape(pointer);
    if (shape) return shape;
    const c = decodeCertificate(pointer.certificate);
    if (c.keysetHash.toLowerCase() !== this.keysetHash.toLowerCase())
      return `the certificate is for keyset ${c.keysetHash}, this committee's is ${this.keysetHash}`;
    // the signature check costs a pairing (~30 ms): remember recent answers (derivation checks, then retrieves)
    const key = keccak256(pointer.certificate);
    if (this.checked.has(key)) return this.checked.get(key);
    const why = checkCertificate(this.opts.keyset, c);
    if (this.checked.size >= 256) this.checked.delete(this.checked.keys().next().value!);
    this.checked.set(key, why);
    return why;
  }

  /** A certificate pointer's bytes decode and agree with its fields (no keyset, no signature check). */
  private checkShape(pointer: DaPointer & { kind: 'certificate' }): string | undefined {
    if (!(pointer.certificate instanceof Uint8Array)) return 'certificate pointer without certificate bytes';
    if (typeof pointer.dataHash !== 'string' || !HASH32.test(pointer.dataHash))
      return 'certificate pointer: dataHash is not 32-byte hex';
    if (typeof pointer.keysetHash !== 'string' || !HASH32.test(pointer.keysetHash))
      return 'certificate pointer: keysetHash is not 32-byte hex';
    if (typeof pointer.expiry !== 'bigint') return 'certificate pointer: expiry is not a bigint';
    let c: Certificate;
    try {
      c = decodeCertificate(pointer.certificate);
    } catch (e) {
      return `certificate does not decode: ${(e as Error).message}`;
    }
    if (c.dataHash.toLowerCase() !== pointer.dataHash.toLowerCase())
      return 'the certificate is for another data hash than the pointer';
    if (c.expiry !== pointer.expiry) return 'the certificate has another expiry than the pointer';
    if (c.keysetHash.toLowerCase() !== pointer.keysetHash.toLowerCase())
      return 'the certificate names another keyset than the pointer';
    return undefined;
  }

  /** `0x03 ‖ certificate bytes` for certificates; other kinds are the fallback's encoding. */
  encodePointer(pointer: DaPointer): Uint8Array {
    if (pointer?.kind !== 'certificate') return this.opts.fallback.encodePointer(pointer);
    if (!(pointer.certificate instanceof Uint8Array))
      throw new DaInvalidPointerError('certificate pointer without certificate bytes');
    const out = new Uint8Array(1 + pointer.certificate.length);
    out[0] = DA_POINTER_KIND.certificate;
    out.set(pointer.certificate, 1);
    return out;
  }

  /** Inverse of encodePointer (DA_INVALID_POINTER when the certificate does not decode). */
  decodePointer(bytes: Uint8Array): DaPointer {
    if (!(bytes instanceof Uint8Array) || bytes[0] !== DA_POINTER_KIND.certificate)
      return this.opts.fallback.decodePointer(bytes);
    const certificate = bytes.slice(1);
    const c = decodeCertificate(certificate);
    return {
      kind: 'certificate',
      dataHash: c.dataHash,
      expiry: c.expiry,
      keysetHash: c.keysetHash,
      certificate,
    };
  }

  private emit(e: CommitteeDaEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // a listener's bug must not fail a store
    }
  }
}
