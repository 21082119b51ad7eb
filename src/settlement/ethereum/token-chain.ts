/**
 * A follower of a token-app chain (guest/apps/token, docs/stf.md) over the settlement inbox: it keeps
 * the chain's PreimageStore, executes every inbox message in position order with the token program
 * (natively and in the interpreter, which must agree: `App.run`), and exposes the global state after
 * each position, receipts, balances, nonces and the outbox (the withdrawals, to prove them on L1).
 *
 * ```ts
 * const chain = new TokenChain();
 * await chain.sync(inbox);                       // executes the new positions (InboxClient.readMessages)
 * chain.balanceOf(user);                         // at the head
 * const w = chain.withdrawalProof(0);            // { withdrawal, proof, sendRoot } for Bridge.executeWithdrawal
 * new HonestClaim(chain.executionContext(heights), chain.stateAt(1), 1)   // validators
 * ```
 *
 * Withdrawals are found by decoding each batch's transactions: a withdraw (app 0x02, op 0x02) whose
 * receipt status is OK appended one outbox leaf (its `from` is the recovered signer), in batch order.
 * After every message the outbox root of those leaves must equal the STF's send root (else it
 * throws: the follower and the STF disagree).
 */
import { getAddress, type Hex, hexToBytes, keccak256, recoverMessageAddress } from 'viem';
import { bytesToBig } from '../../apps/sdk/client-common.ts';
import { type PreimageStore, toHex } from '../../apps/sdk/preimage-store.ts';
import { App, type AppRun, genesis, Receipt, type Receipts, readReceipts } from '../../apps/sdk/run-app.ts';
import {
  balanceOf,
  nonceOf,
  OUTBOX_DEPTH,
  outboxProof,
  outboxRoot,
  TOKEN_APP,
  type Withdrawal,
  withdrawalLeaf,
} from '../../apps/token/client.ts';
import type { ExecutionContext } from '../../proof/fraud/claim.ts';
import type { GlobalState, HostData } from '../../vm/wasm/machine.ts';
import type { InboxClient } from './inbox.ts';
import { decodeTxList, MESSAGE_KIND, messageTxList } from './message.ts';

const OP_WITHDRAW = 0x02;
/** app u8 ‖ op u8 ‖ chainId u64 ‖ nonce u64 */
const HEADER = 18;
const SIGNATURE = 65;

export class TokenChain {
  readonly app: App;
  /** messages[p]: the inbox message at position p, executed */
  readonly messages: Uint8Array[] = [];
  /** runs[p]: the execution of message p (steps, receipts, …) */
  readonly runs: AppRun[] = [];
  /** the outbox leaves so far, by withdrawal index */
  readonly withdrawals: Withdrawal[] = [];
  /** states[n]: the global state after the first n messages (states[0] = genesis) */
  private readonly states: GlobalState[];

  /** also run every message in the interpreter and require agreement (default true; nodes pass false) */
  private readonly interpret: boolean;

  constructor(opts: { app?: App; genesis?: GlobalState; interpret?: boolean } = {}) {
    this.app = opts.app ?? new App('token');
    this.states = [opts.genesis ?? genesis()];
    this.interpret = opts.interpret ?? true;
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
   * Executes `message` at the next position; returns its run. A blob or certificate batch (docs/inbox.md
   * §5.2, §5.3) needs `ctx`: its data (`resolved`, the transaction list) and the preimages the STF
   * reads it from, as derivation got them through the DA module.
   */
  async execute(
    message: Uint8Array,
    ctx?: { resolved?: Uint8Array; preimages?: { kind: number; hash: Uint8Array; bytes: Uint8Array }[] },
  ): Promise<AppRun> {
    const position = this.length;
    this.app.store.addPreimages(ctx?.preimages);
    const run = this.app.run(this.stateAt(), message, { interpret: this.interpret });
    this.messages.push(message);
    this.runs.push(run);
    this.states.push(run.globalState);
    const kind = message[0];
    const pointer = kind === MESSAGE_KIND.blobBatch || kind === MESSAGE_KIND.certificateBatch;
    await this.collectWithdrawals(pointer ? ctx?.resolved : messageTxList(message), run.receipts, kind);
    const expected =
      this.withdrawals.length > 0 ? outboxRoot(this.withdrawals.map(withdrawalLeaf)) : undefined;
    if (expected && toHex(expected) !== toHex(run.globalState.bytes32[1])) {
      throw new Error(
        `token chain: after position ${position} the STF's send root is 0x${toHex(run.globalState.bytes32[1])}, ` +
          `but the ${this.withdrawals.length} withdrawals found hash to 0x${toHex(expected)}`,
      );
    }
    return run;
  }

  /** Reads the inbox positions not executed yet (up to `to`, default all) and executes them in order. */
  async sync(inbox: InboxClient, to?: bigint): Promise<AppRun[]> {
    const entries = await inbox.readMessages(BigInt(this.length), to ?? (await inbox.messageCount()));
    const out: AppRun[] = [];
    for (const e of entries) {
      if (e.position !== BigInt(this.length)) throw new Error(`token chain: got position ${e.position}`);
      out.push(await this.execute(e.data));
    }
    return out;
  }

  /** the withdrawals of a transaction list the STF ran (kinds 0x00, 0x02–0x04: `txList` is its data) */
  private async collectWithdrawals(
    txList: Uint8Array | undefined,
    receipts: Receipts | undefined,
    kind: number,
  ): Promise<void> {
    if (kind === MESSAGE_KIND.deposit || !txList || receipts?.message !== Receipt.OK) return;
    const txs = decodeTxList(txList) ?? [];
    for (const [i, tx] of txs.entries()) {
      if (receipts.txs[i] !== Receipt.OK || tx[0] !== TOKEN_APP || tx[1] !== OP_WITHDRAW) continue;
      const body = tx.subarray(0, tx.length - SIGNATURE);
      const from = await recoverMessageAddress({
        message: { raw: hexToBytes(keccak256(body)) },
        signature: tx.subarray(tx.length - SIGNATURE),
      });
      const to = getAddress(`0x${toHex(body.subarray(HEADER, HEADER + 20))}`);
      const amount = bytesToBig(body.subarray(HEADER + 20, HEADER + 52));
      this.withdrawals.push({ index: BigInt(this.withdrawals.length), from, to, amount });
    }
  }

  /** receipts of the message at `position` */
  receipts(position: number): Receipts | undefined {
    return readReceipts(this.store, this.stateAt(position + 1).bytes32[0], BigInt(position));
  }

  /** token balance of `a` after the first `n` messages (default: all) */
  balanceOf(a: Hex, n = this.length): bigint {
    return balanceOf(this.app.tree(this.stateAt(n)), a);
  }

  nonceOf(a: Hex, n = this.length): bigint {
    return nonceOf(this.app.tree(this.stateAt(n)), a);
  }

  /**
   * Withdrawal `index` with its Merkle proof against the send root after the first `n` messages
   * (default: all); that root must contain it (`n` at or after the message that withdrew).
   */
  withdrawalProof(
    index: number,
    n = this.length,
  ): { withdrawal: Withdrawal; proof: Uint8Array[]; sendRoot: Uint8Array } {
    const sendRoot = this.stateAt(n).bytes32[1];
    const count = this.withdrawalCount(n);
    if (index >= count)
      throw new RangeError(`withdrawal ${index} is not in the send root after ${n} messages`);
    const leaves = this.withdrawals.slice(0, count).map(withdrawalLeaf);
    return { withdrawal: this.withdrawals[index], proof: outboxProof(leaves, index), sendRoot };
  }

  /** the number of outbox leaves after the first `n` messages (the count u64 of state key 0x04) */
  withdrawalCount(n = this.length): number {
    const frontier = this.app.tree(this.stateAt(n)).get(Uint8Array.of(0x04));
    if (frontier && frontier.length !== 8 + 32 * OUTBOX_DEPTH)
      throw new Error('token chain: bad outbox frontier');
    return frontier ? Number(bytesToBig(frontier.subarray(0, 8))) : 0;
  }

  /** Host data over the executed messages and the store (for HonestClaim, one-step proofs). */
  hostData(): HostData {
    return {
      inboxMessage: (p) => this.messages[Number(p)],
      preimage: (kind, hash) => this.store.get(hash, kind),
      onPreimageHint: this.store.hint,
    };
  }

  /** What a validator's HonestClaim needs: the token program, the level heights, the host data. */
  executionContext(heights: number[]): ExecutionContext {
    return { prog: this.app.program, heights, host: this.hostData() };
  }
}
