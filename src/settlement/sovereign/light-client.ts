/**
 * The sovereign light client (docs/sovereign.md §5): it follows the headers several full nodes
 * announce, keeps headers only, checks every header's input (the inbox accumulator) against L1, and
 * where peers disagree on a block (or on demand, `check`) takes the block's witness from the peers,
 * executes that one block with the machine over the witness's preimages only (docs/sovereign.md
 * §4.2), and so learns the true post-state: every peer that announced another root, withheld its
 * witness or served a bad one is marked dishonest and no longer followed.
 *
 * ```ts
 * const lc = new LightClient({ app, genesis, l1: inboxReader, peers: [new RpcPeer(url1), new RpcPeer(url2)] });
 * await lc.sync();            // fetches, compares, decides disagreements
 * lc.head;                    // the latest accepted header
 * lc.peerReports();           // [{ name, honest, reason?, block?, detail? }]
 * ```
 */
import type { ReplayEngine } from '../../apps/sdk/replay.ts';
import type { GlobalState, Hash32 } from '../../core/types.ts';
import { BadProofError, PeerProtocolError } from './errors.ts';
import { checkProof, type ProofApp } from './fraud-proof.ts';
import { genesisHash, headerState, parseHeader, type SovereignHeader, sameState } from './header.ts';
import type { SovereignPeer } from './peer.ts';

/** Why a peer is dishonest (docs/sovereign.md §5). */
export type Dishonesty = 'wrong-root' | 'wrong-input' | 'withheld' | 'bad-proof' | 'bad-header';

/** What the light client reads of L1: the inbox's accumulators (docs/inbox.md §3). */
export interface InboxAccumulators {
  /** acc(n), the accumulator after the first n messages; throws when L1 has fewer */
  accumulator(n: bigint): Promise<Hash32>;
}

export interface PeerReport {
  name: string;
  honest: boolean;
  reason?: Dishonesty;
  /** the block it was caught at */
  block?: number;
  detail?: string;
  /** headers received */
  headers: number;
}

export type LightClientEvent =
  | { kind: 'accepted'; number: number; hash: Hash32; stateRoot: Hash32; by: 'agreement' | 'proof' }
  | { kind: 'disagreement'; number: number; roots: { peer: string; stateRoot: Hash32 }[] }
  | { kind: 'proof'; peer: string; number: number; ok: boolean; ms: number; error?: string }
  | { kind: 'dishonest'; peer: string; reason: Dishonesty; number: number; detail: string }
  | { kind: 'unreachable'; peer: string; detail: string };

export interface LightClientOptions {
  /** the chain's app (the config's wasm) */
  app: ProofApp;
  /** its genesis global state (the app's modex_genesis for the chain id) */
  genesis: GlobalState;
  l1: InboxAccumulators;
  peers: SovereignPeer[];
  /** how witnesses are executed: the native runner (default) or the step interpreter */
  engine?: ReplayEngine;
  onEvent?: (e: LightClientEvent) => void;
}

interface PeerEntry {
  peer: SovereignPeer;
  headers: SovereignHeader[];
  honest: boolean;
  reason?: Dishonesty;
  block?: number;
  detail?: string;
}

const PAGE = 1_000;
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LightClient {
  /** accepted[n]: the accepted header of block n */
  readonly accepted: SovereignHeader[] = [];
  private readonly peers: PeerEntry[];
  private readonly accs = new Map<number, Hash32>();
  private readonly genesisHash: Hash32;
  /** ms each witness execution took, by block (the bench reads it) */
  readonly proofTimes: { number: number; ms: number }[] = [];

  constructor(private readonly opts: LightClientOptions) {
    if (opts.peers.length === 0) throw new RangeError('a light client needs at least one peer');
    this.peers = opts.peers.map((peer) => ({ peer, headers: [], honest: true }));
    this.genesisHash = genesisHash(opts.genesis);
  }

  /** the latest accepted header */
  get head(): SovereignHeader | undefined {
    return this.accepted.at(-1);
  }

  peerReports(): PeerReport[] {
    return this.peers.map((p) => ({
      name: p.peer.name,
      honest: p.honest,
      ...(p.reason ? { reason: p.reason, block: p.block, detail: p.detail } : {}),
      headers: p.headers.length,
    }));
  }

  private emit(e: LightClientEvent): void {
    this.opts.onEvent?.(e);
  }

  private live(): PeerEntry[] {
    return this.peers.filter((p) => p.honest);
  }

  private mark(p: PeerEntry, reason: Dishonesty, block: number, detail: string): void {
    if (!p.honest) return;
    p.honest = false;
    p.reason = reason;
    p.block = block;
    p.detail = detail;
    this.emit({ kind: 'dishonest', peer: p.peer.name, reason, number: block, detail });
  }

  private async acc(n: number): Promise<Hash32> {
    let a = this.accs.get(n);
    if (!a) {
      a = (await this.opts.l1.accumulator(BigInt(n))).toLowerCase() as Hash32;
      this.accs.set(n, a);
    }
    return a;
  }

  /** Fetches a peer's new headers; checks their shape, chaining and inputs (L1's accumulators). */
  private async fetch(p: PeerEntry): Promise<void> {
    for (;;) {
      let raw: unknown[];
      try {
        raw = await p.peer.headers(p.headers.length, PAGE);
      } catch (e) {
        if (e instanceof PeerProtocolError && !('rpcCode' in e))
          this.mark(p, 'bad-header', p.headers.length, errText(e));
        else this.emit({ kind: 'unreachable', peer: p.peer.name, detail: errText(e) });
        return;
      }
      for (const r of raw) {
        const n = p.headers.length;
        let h: SovereignHeader;
        try {
          h = parseHeader(r);
        } catch (e) {
          this.mark(p, 'bad-header', n, errText(e));
          return;
        }
        const parent = n === 0 ? this.genesisHash : p.headers[n - 1].hash;
        if (h.number !== n || h.parentHash !== parent || h.inboxCount !== n + 1) {
          this.mark(
            p,
            'bad-header',
            n,
            `header ${h.number} does not follow its header ${n - 1} (number, parent hash or inbox count)`,
          );
          return;
        }
        let l1Acc: Hash32;
        try {
          l1Acc = await this.acc(h.inboxCount);
        } catch (e) {
          // L1 (as this client reads it) has not got that message yet: wait, do not judge
          this.emit({ kind: 'unreachable', peer: 'L1', detail: errText(e) });
          return;
        }
        if (l1Acc !== h.accumulator) {
          this.mark(
            p,
            'wrong-input',
            n,
            `header ${n} claims inbox accumulator ${h.accumulator}, L1's inbox has ${l1Acc}`,
          );
          return;
        }
        p.headers.push(h);
      }
      if (raw.length < PAGE) return;
    }
  }

  /**
   * One round: fetches every live peer's new headers, then accepts blocks in order while the live
   * peers that have them agree, deciding each disagreement with witnesses. Returns the head's number.
   */
  async sync(): Promise<number | undefined> {
    await Promise.all(this.live().map((p) => this.fetch(p)));
    for (;;) {
      const n = this.accepted.length;
      const having = this.live().filter((p) => p.headers.length > n);
      if (having.length === 0) break;
      const hashes = new Set(having.map((p) => p.headers[n].hash));
      if (hashes.size === 1) {
        this.accept(having[0].headers[n], 'agreement');
        continue;
      }
      this.emit({
        kind: 'disagreement',
        number: n,
        roots: having.map((p) => ({ peer: p.peer.name, stateRoot: p.headers[n].stateRoot })),
      });
      const truth = await this.decide(n);
      const right = truth && this.live().find((p) => p.headers.length > n);
      if (!right) break; // nobody served a valid witness, or every peer that has block n lied: wait
      this.accept(right.headers[n], 'proof');
    }
    return this.head?.number;
  }

  private accept(h: SovereignHeader, by: 'agreement' | 'proof'): void {
    this.accepted.push(h);
    this.emit({ kind: 'accepted', number: h.number, hash: h.hash, stateRoot: h.stateRoot, by });
  }

  /**
   * docs/sovereign.md §5: asks every live peer that announced block `n` for its witness, checks each
   * (§4.2), and marks the peers that withheld one, served a bad one or announced a root other than
   * the true post-state. Returns the true post-state, or undefined when no witness was valid.
   */
  private async decide(n: number): Promise<GlobalState | undefined> {
    const pre = n === 0 ? this.opts.genesis : headerState(this.accepted[n - 1]);
    const accumulators: [Hash32, Hash32] = [await this.acc(n), await this.acc(n + 1)];
    const asked = this.live().filter((p) => p.headers.length > n);
    let truth: GlobalState | undefined;
    for (const p of asked) {
      let raw: unknown;
      try {
        raw = await p.peer.proof(n);
      } catch (e) {
        this.mark(p, 'withheld', n, `announced block ${n} but did not serve its proof: ${errText(e)}`);
        continue;
      }
      const t0 = performance.now();
      try {
        const post = checkProof(raw, {
          number: n,
          app: this.opts.app,
          preState: pre,
          accumulators,
          engine: this.opts.engine,
        });
        const ms = performance.now() - t0;
        this.proofTimes.push({ number: n, ms });
        this.emit({ kind: 'proof', peer: p.peer.name, number: n, ok: true, ms });
        if (truth && !sameState(truth, post))
          throw new Error(`block ${n}: two valid witnesses executed to different states`);
        truth = post;
      } catch (e) {
        if (!(e instanceof BadProofError)) throw e;
        this.emit({
          kind: 'proof',
          peer: p.peer.name,
          number: n,
          ok: false,
          ms: performance.now() - t0,
          error: e.code,
        });
        this.mark(p, 'bad-proof', n, `${e.code}: ${e.message}`);
      }
    }
    if (!truth) return undefined;
    for (const p of asked)
      if (p.honest && !sameState(headerState(p.headers[n]), truth))
        this.mark(
          p,
          'wrong-root',
          n,
          `announced state root ${p.headers[n].stateRoot} for block ${n}; executing its witness gives ${hex(truth.bytes32[0])}`,
        );
    return truth;
  }

  /**
   * On demand (docs/sovereign.md §5): decides block `n` (accepted, or the next one) with witnesses
   * whatever the peers announce; an accepted header found wrong is dropped with every header after it.
   */
  async check(n: number): Promise<GlobalState | undefined> {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.accepted.length)
      throw new RangeError(
        `block ${n} is neither accepted nor the next block (head: ${this.accepted.length - 1})`,
      );
    await Promise.all(this.live().map((p) => this.fetch(p)));
    const truth = await this.decide(n);
    if (truth && n < this.accepted.length && !sameState(headerState(this.accepted[n]), truth))
      this.accepted.length = n;
    return truth;
  }
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
