/**
 * The attestation transport between validator nodes (docs/attested.md §7.1): a node's members'
 * signatures are posted to its peers' follower JSON-RPC (`modex_submitAttestations`), where each
 * goes through the peer's pool after two checks: the public key is the validator's registered key
 * (so nobody takes another validator's place in the pool), and the signature verifies over the
 * digest the pool computes itself (`AttestationPool.add`, §3.1). A node's members sign only what
 * it derived itself; a peer's signatures only add to the quorum the contract checks again (§4).
 *
 * `GossipPool` is an `AttestationPool` whose own signatures (those `add`ed by this node's
 * attester) are pushed to every peer in the background, in batches, retried while a peer is
 * unreachable, never blocking a round. Signatures received from peers are not relayed: validators
 * peer with each other directly.
 */
import { type Hex, isHex } from 'viem';
import type { AssertionData } from '../settlement/ethereum/dispute-hash.ts';
import { AttestationPool } from './attester.ts';
import { InvalidParamsError } from './errors.ts';

/** One signature on the wire: quantities as decimal strings, bytes as 0x-hex (§7.1). */
export interface AttestationJson {
  validator: number;
  publicKey: Hex;
  epoch: string;
  assertion: {
    prevId: Hex;
    prevStateHash: Hex;
    blockCount: string;
    end: { stateRoot: Hex; sendRoot: Hex; inboxPosition: string; positionInMessage: string };
    historyRoot: Hex;
    nextInboxPosition: string;
  };
  signature: Hex;
}

type Entry = Parameters<AttestationPool['add']>[0];

/** Most signatures one `modex_submitAttestations` call takes. */
export const MAX_ATTESTATIONS_PER_CALL = 256;

export function attestationToJson(e: Entry): AttestationJson {
  const a = e.assertion;
  return {
    validator: e.validator,
    publicKey: e.publicKey,
    epoch: e.epoch.toString(),
    assertion: {
      prevId: a.prevId,
      prevStateHash: a.prevStateHash,
      blockCount: a.blockCount.toString(),
      end: {
        stateRoot: a.end.stateRoot,
        sendRoot: a.end.sendRoot,
        inboxPosition: a.end.inboxPosition.toString(),
        positionInMessage: a.end.positionInMessage.toString(),
      },
      historyRoot: a.historyRoot,
      nextInboxPosition: a.nextInboxPosition.toString(),
    },
    signature: e.signature,
  };
}

function hex(x: unknown, bytes: number, what: string): Hex {
  if (typeof x !== 'string' || !isHex(x) || x.length !== 2 + 2 * bytes)
    throw new Error(`${what} must be ${bytes} bytes as 0x-hex`);
  return x.toLowerCase() as Hex;
}

function uint(x: unknown, what: string, max = 2n ** 64n - 1n): bigint {
  const s = typeof x === 'number' && Number.isSafeInteger(x) ? String(x) : x;
  if (typeof s !== 'string' || !/^[0-9]{1,20}$/.test(s) || BigInt(s) > max)
    throw new Error(`${what} must be a uint64 as a decimal string`);
  return BigInt(s);
}

/** Parses one wire signature; throws a plain Error naming the bad field. */
export function attestationFromJson(x: unknown): Entry {
  if (typeof x !== 'object' || x === null) throw new Error('not an object');
  const o = x as Record<string, unknown>;
  const a = o.assertion as Record<string, unknown> | null | undefined;
  if (typeof a !== 'object' || a === null) throw new Error('assertion must be an object');
  const end = a.end as Record<string, unknown> | null | undefined;
  if (typeof end !== 'object' || end === null) throw new Error('assertion.end must be an object');
  const validator = Number(uint(o.validator, 'validator', 65535n));
  const assertion: AssertionData = {
    prevId: hex(a.prevId, 32, 'assertion.prevId'),
    prevStateHash: hex(a.prevStateHash, 32, 'assertion.prevStateHash'),
    blockCount: uint(a.blockCount, 'assertion.blockCount'),
    end: {
      stateRoot: hex(end.stateRoot, 32, 'assertion.end.stateRoot'),
      sendRoot: hex(end.sendRoot, 32, 'assertion.end.sendRoot'),
      inboxPosition: uint(end.inboxPosition, 'assertion.end.inboxPosition'),
      positionInMessage: uint(end.positionInMessage, 'assertion.end.positionInMessage'),
    },
    historyRoot: hex(a.historyRoot, 32, 'assertion.historyRoot'),
    nextInboxPosition: uint(a.nextInboxPosition, 'assertion.nextInboxPosition'),
  };
  return {
    validator,
    publicKey: hex(o.publicKey, 256, 'publicKey'),
    epoch: uint(o.epoch, 'epoch'),
    assertion,
    signature: hex(o.signature, 128, 'signature'),
  };
}

/** What `modex_submitAttestations` answers: how many were new, and how many the pool held already. */
export interface SubmitResult {
  added: number;
  known: number;
}

/** Where `modex_submitAttestations` delivers (a `GossipPool`). */
export interface AttestationSink {
  receive(batch: unknown): Promise<SubmitResult>;
}

export interface GossipOptions {
  /** the peers' follower JSON-RPC URLs (`--attest-peer`) */
  peers?: string[];
  /** validator index -> its registered public key (ValidatorCommitteeClient.publicKeys) */
  registeredKey: (validator: number) => Promise<Hex>;
  /** ms before a failed push is tried again (default 1,000) */
  retryMs?: number;
  /** most signatures queued for one peer; the oldest are dropped past it (default 10,000) */
  maxQueue?: number;
  log?: (line: string) => void;
}

interface Peer {
  url: string;
  queue: Entry[];
  busy: boolean;
  timer?: ReturnType<typeof setTimeout>;
  /** the last failure logged (logged once until a push succeeds) */
  failing?: string;
}

/** An AttestationPool that pushes its own signatures to peers and takes theirs (`receive`). */
export class GossipPool extends AttestationPool implements AttestationSink {
  private readonly peers: Peer[];
  private readonly o: GossipOptions;
  private closed = false;
  /** this node's own signatures (the newest `maxQueue`), queued again for a peer added later */
  private readonly own: Entry[] = [];
  /** signatures pushed to peers (accepted by them: new or known), for tests and logs */
  pushed = 0;

  constructor(domain: { chainId: bigint; committee: Hex }, o: GossipOptions) {
    super(domain);
    this.o = o;
    this.peers = (o.peers ?? []).map((url) => ({ url, queue: [], busy: false }));
  }

  /** The attester's signatures: kept, then queued for every peer. */
  override add(e: Entry): boolean {
    const added = super.add(e);
    if (added && !this.closed) {
      this.own.push(e);
      trim(this.own, this.o.maxQueue);
      for (const p of this.peers) this.enqueue(p, [e]);
    }
    return added;
  }

  /** Adds a peer; this node's signatures so far are pushed to it too. */
  addPeer(url: string): void {
    const p: Peer = { url, queue: [], busy: false };
    this.peers.push(p);
    this.enqueue(p, this.own);
  }

  /** Resolves once every peer's queue is empty (pushed or refused); a peer that stays down keeps it waiting. */
  async idle(): Promise<void> {
    while (!this.closed && this.peers.some((p) => p.queue.length > 0 || p.busy))
      await new Promise((r) => setTimeout(r, 20));
  }

  private enqueue(p: Peer, entries: readonly Entry[]): void {
    if (entries.length === 0 || this.closed) return;
    p.queue.push(...entries);
    trim(p.queue, this.o.maxQueue);
    this.schedule(p, 0);
  }

  /**
   * A peer's batch (`modex_submitAttestations` params[0]): each signature is kept when its key is
   * the validator's registered key and it verifies; the others are refused with an
   * InvalidParamsError (JSON-RPC −32602) naming them, after the good ones were kept.
   */
  async receive(batch: unknown): Promise<SubmitResult> {
    if (!Array.isArray(batch))
      throw new InvalidParamsError('params[0] must be an array of attestations (docs/attested.md §7.1)');
    if (batch.length > MAX_ATTESTATIONS_PER_CALL)
      throw new InvalidParamsError(
        `${batch.length} attestations in one call; at most ${MAX_ATTESTATIONS_PER_CALL}`,
      );
    let added = 0;
    let known = 0;
    const refused: string[] = [];
    for (const [i, x] of batch.entries()) {
      try {
        const e = attestationFromJson(x);
        let registered: Hex;
        try {
          registered = await this.o.registeredKey(e.validator);
        } catch {
          throw new Error(`validator ${e.validator} is not registered`);
        }
        if (registered.toLowerCase() !== e.publicKey)
          throw new Error(`publicKey is not validator ${e.validator}'s registered key`);
        if (super.add(e)) added++;
        else known++;
      } catch (err) {
        refused.push(`#${i}: ${(err as Error).message}`);
      }
    }
    if (refused.length > 0)
      throw new InvalidParamsError(
        `${refused.length} of ${batch.length} attestation(s) refused (${added} new kept): ${refused.join('; ')}`,
      );
    return { added, known };
  }

  /** Stops pushing (queued signatures are dropped). */
  close(): void {
    this.closed = true;
    for (const p of this.peers) {
      clearTimeout(p.timer);
      p.queue.length = 0;
    }
  }

  private schedule(p: Peer, ms: number): void {
    if (p.busy || p.timer || this.closed) return;
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.push(p);
    }, ms);
    p.timer.unref?.();
  }

  /** Posts the peer's queue in batches; on a transport failure keeps it and tries again later. */
  private async push(p: Peer): Promise<void> {
    if (p.busy || this.closed) return;
    p.busy = true;
    try {
      while (p.queue.length > 0 && !this.closed) {
        const batch = p.queue.slice(0, MAX_ATTESTATIONS_PER_CALL);
        let res: { result?: SubmitResult; error?: { code: number; message: string } };
        try {
          const r = await fetch(p.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: 1,
              method: 'modex_submitAttestations',
              params: [batch.map(attestationToJson)],
            }),
            signal: AbortSignal.timeout(10_000),
          });
          res = (await r.json()) as typeof res;
        } catch (e) {
          const why = `cannot reach attestation peer ${p.url} (${(e as Error).message}); retrying`;
          if (p.failing !== why) this.o.log?.(why);
          p.failing = why;
          p.busy = false;
          this.schedule(p, this.o.retryMs ?? 1_000);
          return;
        }
        p.queue.splice(0, batch.length);
        p.failing = undefined;
        // a refusal is the peer's judgement of these signatures (it does not know the validator
        // yet, or does not have the method): sending them again would not change it
        if (res.error) this.o.log?.(`attestation peer ${p.url} refused: ${res.error.message}`);
        else this.pushed += batch.length;
      }
    } finally {
      p.busy = false;
    }
  }
}

/** drops the oldest entries past `max` (default 10,000) */
function trim(q: unknown[], max = 10_000): void {
  if (q.length > max) q.splice(0, q.length - max);
}
