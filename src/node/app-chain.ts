/**
 * A chain of any app (docs/app-abi.md) over the settlement inbox: it executes the inbox messages in
 * position order with the app's wasm (natively; also interpreted, and the two must agree, with
 * `interpret: true`), keeps the global state after every position, and reads what a node shows from
 * the states alone: receipts, withdrawals (the outbox leaves the STF recorded), and the app's
 * answers to queries. It is the executor of derivation (`truncate` drops the tail), of the
 * sequencer on its own thread (the block worker holds one), and the follower of validators
 * (`executionContext` for their claims and one-step proofs).
 *
 * ```ts
 * const chain = new AppChain({ app: loadApp(bytes, 'probe'), chainId: 1n });
 * await chain.sync(inbox);                        // executes the new positions
 * chain.withdrawalProof(0n);                      // { withdrawal, proof, sendRoot } for Bridge.executeWithdrawal
 * new HonestClaim(chain.executionContext(heights), chain.stateAt(1), 1)   // validators
 * ```
 */

import type { WasmApp } from '../apps/sdk/app-runtime.ts';
import type { PreimageStore } from '../apps/sdk/preimage-store.ts';
import type { AppRun, Receipts } from '../apps/sdk/run-app.ts';
import type { Withdrawal } from '../core/app.ts';
import type { GlobalState, Hex } from '../core/types.ts';
import type { ExecutionContext } from '../proof/fraud/claim.ts';
import type { InboxClient } from '../settlement/ethereum/inbox.ts';
import type { HostData } from '../vm/wasm/machine.ts';
import type { ExecuteContext } from './derivation.ts';

export class AppChain {
  readonly app: WasmApp;
  readonly chainId: bigint;
  /** messages[p]: the inbox message at position p, executed */
  readonly messages: Uint8Array[] = [];
  /** runs[p]: the execution of message p */
  readonly runs: AppRun[] = [];
  /** states[n]: the global state after the first n messages (states[0] = genesis) */
  private readonly states: GlobalState[];
  private readonly interpret: boolean;

  /**
   * `chainId`: the chain config's `chain.chainId`, given to the app's `modex_genesis`; `genesis`
   * instead gives the genesis state outright. `interpret`: also run every message in the
   * interpreter and require agreement (tests; nodes leave it false).
   */
  constructor(opts: { app: WasmApp; chainId: bigint; genesis?: GlobalState; interpret?: boolean }) {
    this.app = opts.app;
    this.chainId = opts.chainId;
    this.states = [opts.genesis ?? opts.app.genesis(opts.chainId)];
    this.interpret = opts.interpret ?? false;
  }

  get store(): PreimageStore {
    return this.app.store;
  }

  /** number of messages executed = the head's inbox position */
  get length(): number {
    return this.messages.length;
  }

  /** the global state after the first `n` messages (default: all) */
  stateAt(n = this.length): GlobalState {
    const s = this.states[n];
    if (!s) throw new RangeError(`no state after ${n} messages (executed ${this.length})`);
    return s;
  }

  /**
   * Executes `message` at the next position. A blob or certificate batch (docs/inbox.md §5.2,
   * §5.3) needs `ctx.preimages`: what the STF reads of it, as derivation got it through the DA module.
   */
  execute(message: Uint8Array, ctx?: Omit<ExecuteContext, 'position'>): AppRun {
    this.app.store.addPreimages(ctx?.preimages);
    const run = this.app.run(this.stateAt(), message, { interpret: this.interpret });
    this.messages.push(message);
    this.runs.push(run);
    this.states.push(run.globalState);
    return run;
  }

  /** Drops the messages at positions ≥ n (reorgs; the store keeps their states, unreachable). */
  truncate(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.length)
      throw new RangeError(`cannot truncate to ${n} messages (executed ${this.length})`);
    this.messages.length = n;
    this.runs.length = n;
    this.states.length = n + 1;
  }

  /** Reads the inbox positions not executed yet (up to `to`, default all) and executes them in order. */
  async sync(inbox: InboxClient, to?: bigint): Promise<AppRun[]> {
    const entries = await inbox.readMessages(BigInt(this.length), to ?? (await inbox.messageCount()));
    const out: AppRun[] = [];
    for (const e of entries) {
      if (e.position !== BigInt(this.length)) throw new Error(`app chain: got position ${e.position}`);
      out.push(this.execute(e.data));
    }
    return out;
  }

  /** receipts of the message at `position` */
  receipts(position: number): Receipts | undefined {
    return this.app.receipts(this.stateAt(position + 1).bytes32[0], BigInt(position));
  }

  /** the app's answer to `data` after the first `n` messages (default all) */
  query(data: Uint8Array, n = this.length): { status: number; result: Uint8Array } {
    return this.app.query(this.stateAt(n).bytes32[0], data);
  }

  /** `a`'s next nonce after the first `n` messages (the SDK's nonce query) */
  nonceOf(a: Hex, n = this.length): bigint {
    return this.app.nonceOf(this.stateAt(n).bytes32[0], a);
  }

  /** the withdrawals recorded after the first `n` messages (default all), from index `from` */
  withdrawals(from = 0n, n = this.length): Withdrawal[] {
    return this.app.withdrawals(this.stateAt(n).bytes32[0], from);
  }

  /** the number of outbox leaves after the first `n` messages */
  withdrawalCount(n = this.length): bigint {
    return this.app.withdrawalCount(this.stateAt(n).bytes32[0]);
  }

  /**
   * Withdrawal `index` with its Merkle proof against the send root after the first `n` messages
   * (default: all); that state must contain it.
   */
  withdrawalProof(
    index: bigint,
    n = this.length,
  ): { withdrawal: Withdrawal; proof: Uint8Array[]; sendRoot: Uint8Array } {
    return this.app.withdrawalProof(this.stateAt(n), index);
  }

  /** Host data over the executed messages and the store (for HonestClaim, one-step proofs). */
  hostData(): HostData {
    return {
      inboxMessage: (p) => this.messages[Number(p)],
      preimage: (kind, hash) => this.store.get(hash, kind),
      onPreimageHint: this.store.hint,
    };
  }

  /** What a validator's HonestClaim needs: the app's program, the level heights, the host data. */
  executionContext(heights: number[]): ExecutionContext {
    return { prog: this.app.program, heights, host: this.hostData() };
  }
}
