/**
 * A sovereign chain's full node, on top of the chain it derived (docs/sovereign.md §3, §4.3): it
 * announces one header per executed block and serves each block's witness (fraud proof) — the
 * JSON-RPC methods `modex_sovereignHead`, `modex_sovereignHeaders` and `modex_sovereignFraudProof`,
 * served beside a follower's (`sovereignMethods`). It never posts assertions: a sovereign chain has
 * nothing to post them to.
 *
 * `behaviour` makes a dishonest node on purpose, for the devnet's fraud scenario and the light
 * client's tests: `lieFrom: n` announces a wrong state root from block n on (every later header
 * chained on the lie, as a real liar would), `withhold: true` refuses every proof.
 *
 * ```ts
 * const node = new SovereignFullNode(appChain);          // appChain: what derivation executes
 * node.headers(0, 10); node.proof(3);
 * await startRpcServer(backend, { methods: sovereignMethods(node) });
 * ```
 */
import type { Hash32 } from '../core/types.ts';
import { keccak256Hex } from '../crypto/keccak.ts';
import { buildProof, type FraudProof } from '../settlement/sovereign/fraud-proof.ts';
import { genesisHash, makeHeader, type SovereignHeader, ZERO_HASH } from '../settlement/sovereign/header.ts';
import type { AppChain } from './app-chain.ts';
import { InvalidParamsError } from './errors.ts';
import type { Method } from './rpc.ts';

/** docs/sovereign.md §3: most headers one `modex_sovereignHeaders` answers */
export const MAX_HEADERS = 1_000;

export interface SovereignBehaviour {
  /** announce a wrong state root from this block on (a lying node) */
  lieFrom?: number;
  /** refuse every fraud proof (a withholding node) */
  withhold?: boolean;
}

/** What the node is asked about a block it has not executed, or refuses on purpose. */
export class ProofWithheldError extends InvalidParamsError {}

export class SovereignFullNode {
  private readonly cache: SovereignHeader[] = [];
  /** acc[p]: the inbox accumulator after p messages */
  private readonly acc: Hash32[] = [ZERO_HASH];

  constructor(
    readonly chain: AppChain,
    readonly behaviour: SovereignBehaviour = {},
  ) {}

  /** number of blocks executed */
  get length(): number {
    return this.chain.length;
  }

  /** the message objects the cached headers were made from (an AppChain re-executes with new ones) */
  private readonly made: Uint8Array[] = [];

  private sync(): void {
    // derivation may have truncated the chain (an L1 reorg) and executed other messages since:
    // drop every header from the first message that is not the one it was made from
    const n = this.chain.length;
    let keep = Math.min(this.made.length, n);
    while (keep > 0 && this.made[keep - 1] !== this.chain.messages[keep - 1]) keep--;
    this.made.length = keep;
    if (this.cache.length > keep) this.cache.length = keep;
    if (this.acc.length > keep + 1) this.acc.length = keep + 1;
    while (this.acc.length <= n) {
      const p = this.acc.length - 1;
      const m = this.chain.messages[p];
      this.acc.push(
        keccak256Hex(
          Buffer.concat([
            Buffer.from(this.acc[p].slice(2), 'hex'),
            Buffer.from(keccak256Hex(m).slice(2), 'hex'),
          ]),
        ),
      );
    }
    while (this.cache.length < n) {
      const b = this.cache.length;
      const parent = b === 0 ? genesisHash(this.chain.stateAt(0)) : this.cache[b - 1].hash;
      const gs = this.chain.stateAt(b + 1);
      const lie = this.behaviour.lieFrom !== undefined && b >= this.behaviour.lieFrom;
      const announced = lie
        ? {
            bytes32: [
              new Uint8Array(Buffer.from(keccak256Hex(gs.bytes32[0]).slice(2), 'hex')),
              gs.bytes32[1],
            ] as [Uint8Array, Uint8Array],
            u64: gs.u64,
          }
        : gs;
      this.cache.push(makeHeader(b, parent, this.acc[b + 1], announced));
      this.made.push(this.chain.messages[b]);
    }
  }

  /** the latest header, or undefined before block 0 */
  head(): SovereignHeader | undefined {
    this.sync();
    return this.cache.at(-1);
  }

  /** up to `count` headers from block `from` (docs/sovereign.md §3) */
  headers(from: number, count: number): SovereignHeader[] {
    this.sync();
    return this.cache.slice(from, from + Math.min(count, MAX_HEADERS));
  }

  /** docs/sovereign.md §4.3: the witness of block `n` */
  proof(n: number): FraudProof {
    if (this.behaviour.withhold) throw new ProofWithheldError(`block ${n}: this node withholds its proofs`);
    if (!Number.isSafeInteger(n) || n < 0 || n >= this.chain.length)
      throw new InvalidParamsError(`block ${n} is not executed here (head: ${this.chain.length - 1})`);
    const store = this.chain.store;
    return buildProof(this.chain.app, n, this.chain.stateAt(n), this.chain.messages[n], (kind, h) =>
      store.get(h, kind),
    );
  }
}

const count = (x: unknown, what: string): number => {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0)
    throw new InvalidParamsError(`${what} must be a non-negative integer`);
  return x;
};

/** The full node's JSON-RPC methods (docs/sovereign.md §3, §4). */
export function sovereignMethods(node: SovereignFullNode): Record<string, Method> {
  return {
    modex_sovereignHead: () => {
      const h = node.head();
      return h ? { number: h.number, hash: h.hash } : null;
    },
    modex_sovereignHeaders: (_s, p) => node.headers(count(p[0], 'from'), count(p[1] ?? MAX_HEADERS, 'count')),
    modex_sovereignFraudProof: (_s, p) => node.proof(count(p[0], 'block')),
  };
}
