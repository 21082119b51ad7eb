/**
 * The prover (docs/validity.md §6; `modex node --role prover`, the validity devnet): for a chain
 * with `proof.module: "validity"` it proves every assertion before it exists. Each round it takes
 * the latest confirmed assertion L; once the node has derived the blocks after L (the range the
 * Rollup fixes: `prev.nextInboxPosition`), it proves them with the app's circuit
 * (`ValidityApp.prove`, one Groth16 proof per chunk of records) and creates and confirms the next
 * assertion in one transaction (`Rollup.createAttestedAssertion`, the ValidityVerifier in the
 * committee slot). When L already has an honest child (posted by someone else), it proves and
 * confirms that one instead (`confirmAttested`). Ranges queue: while it proves one, batches land
 * and the next round takes them all.
 *
 * Hybrid chains (`proof.disputes: "validity"`) use `proveAssertion` to answer a challenge.
 */
import type { Hex } from 'viem';
import { ModexError } from '../core/errors.ts';
import type { ProvedRange, ValidityApp } from '../proof/validity/prover-app.ts';
import { encodeValidityAttestation, type ProofWords } from '../proof/validity/validity-verifier.ts';
import { type AssertionData, type SolGlobalState, ZERO32 } from '../settlement/ethereum/dispute-hash.ts';
import { SettlementRevertError } from '../settlement/ethereum/errors.ts';
import { type AssertionRecord, predictAssertion, type RollupClient } from '../settlement/ethereum/rollup.ts';
import { dishonesty, honestAssertion } from './attester.ts';
import type { ChainFollower } from './validator.ts';

export class ValidityProverError extends ModexError {}

/** What the follower must give the prover besides `ChainFollower`: the node's preimages. */
export interface ProverFollower extends ChainFollower {
  /** a keccak256 preimage (state-tree nodes and values) of the derived chain */
  preimage(hash: Uint8Array): Uint8Array | undefined;
  /** the inbox message at `position` (derived) */
  message(position: bigint): Uint8Array | undefined;
}

export interface ValidityProverOptions {
  name: string;
  rollup: RollupClient;
  follower: ProverFollower;
  /** the challenge manager's level heights (heights[0] bounds an assertion's blocks) */
  heights: number[];
  app: ValidityApp;
  chainId: bigint;
  /** L1 block of the deployment (event scans start there) */
  fromBlock: bigint;
  log?: (line: string) => void;
}

export type ProverEvent = {
  kind: 'proved';
  id: Hex;
  /** the confirming transaction */
  txHash: Hex;
  prevId: Hex;
  /** L2 blocks (inbox messages) the assertion covers */
  blocks: number;
  records: number;
  chunks: number;
  proveMs: number;
  gas: bigint;
  l1Block: bigint;
  /** true: created and confirmed in one transaction; false: an existing assertion confirmed */
  created: boolean;
};

/** Reverts of createAttestedAssertion a race explains: a message landed after the prediction. */
const RACES = ['WrongAssertion', 'AssertionExists', 'HasRival'];
const RACE_RETRIES = 5;

export class ValidityProver {
  readonly events: ProverEvent[] = [];
  /** the proofs made, by `${prevId}/${end state root}`: a race only re-encodes them */
  private readonly proved = new Map<string, ProvedRange>();

  constructor(private readonly o: ValidityProverOptions) {}

  private log(line: string): void {
    this.o.log?.(`${this.o.name}: ${line}`);
  }

  /** Proves the range of the assertion after `prev` that ends in `end` (cached). */
  async proveRange(prev: AssertionData, end: SolGlobalState): Promise<ProvedRange> {
    const key = JSON.stringify([prev.end, end], (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const held = this.proved.get(key);
    if (held) return held;
    const { follower } = this.o;
    const message = (p: bigint): Uint8Array => {
      const m = follower.message(p);
      if (!m)
        throw new ValidityProverError(
          'PROVER_MESSAGE_MISSING',
          `inbox message ${p} is not derived yet: the prover proves only what its node has executed`,
        );
      return m;
    };
    const blocks = Number(end.inboxPosition - prev.end.inboxPosition);
    this.log(
      `proving L2 blocks ${prev.end.inboxPosition}..${end.inboxPosition - 1n} (${blocks} inbox messages) with ${this.o.app.name}'s circuit...`,
    );
    const r = await this.o.app.prove({
      chainId: this.o.chainId,
      message,
      preimage: (h) => follower.preimage(h),
      prevEnd: prev.end,
      end,
      log: (l) => this.log(`  ${l}`),
    });
    this.log(
      `proved ${r.records} records in ${r.proofs.length} proof${r.proofs.length === 1 ? '' : 's'} (${(r.proveMs / 1000).toFixed(1)} s)`,
    );
    this.proved.set(key, r);
    return r;
  }

  /** The ValidityVerifier's attestation bytes for `next` after `prev`, proved by `r`. */
  attestation(prev: AssertionData, next: AssertionData, r: ProvedRange): Hex {
    const messages: Uint8Array[] = [];
    for (let p = prev.end.inboxPosition; p < next.end.inboxPosition; p++) {
      const m = this.o.follower.message(p);
      if (!m)
        throw new ValidityProverError('PROVER_MESSAGE_MISSING', `inbox message ${p} is not derived yet`);
      messages.push(m);
    }
    return encodeValidityAttestation({
      prev,
      next,
      messages,
      proofs: r.proofs.map((w) => w as unknown as ProofWords),
      witness: r.witness,
    });
  }

  /** One round: proves and confirms every assertion the node has derived the blocks of. */
  async tick(): Promise<void> {
    const { rollup, follower, heights } = this.o;
    const me = rollup.clients.walletClient.account.address;
    for (let retries = 0; ; ) {
      const records = await rollup.assertions(this.o.fromBlock);
      const latest = await rollup.latestConfirmed();
      const prev = records.find((r) => r.id === latest);
      if (!prev) return;
      const honest = honestAssertion(follower, heights, prev.data);
      if (!honest) return; // not derived yet
      const kids = records.filter((r) => r.data.prevId === latest);
      const honestKid = kids.find((k) => dishonesty(honest, k.data) === undefined);
      const r = await this.proveRange(prev.data, honest.end);
      if (honestKid) {
        await this.confirmExisting(prev, honestKid, r);
        continue;
      }
      const staked = await rollup.latestStaked(me);
      if (staked !== ZERO32 && staked !== latest && (await rollup.status(staked)) !== 'confirmed') {
        this.log(`my stake is on ${staked.slice(0, 10)}, not on the latest confirmed assertion: waiting`);
        return;
      }
      const value = staked === ZERO32 ? await rollup.assertionBond() : 0n;
      // the count last: a message landing between the prediction and the transaction changes the id
      const count = await rollup.inboxCount();
      const next = predictAssertion(prev.data, honest.end, honest.historyInner, count, heights[0]);
      try {
        const tx = await rollup.createAttestedAssertion(
          prev.data,
          honest.end,
          honest.historyInner,
          this.attestation(prev.data, next, r),
          value,
        );
        this.record(tx.id, tx.txHash, latest, honest.blockCount, r, tx.gasUsed, tx.blockNumber, true);
        this.log(
          `created and confirmed ${tx.id.slice(0, 10)} (${honest.blockCount} blocks, ${r.proofs.length} proofs) in one transaction at L1 block ${tx.blockNumber} (gas ${tx.gasUsed})`,
        );
      } catch (e) {
        const name = e instanceof SettlementRevertError ? e.errorName : '';
        if (!RACES.includes(name) || retries++ >= RACE_RETRIES) throw e;
        this.log(`createAttestedAssertion raced (${name}): predicting again`);
      }
    }
  }

  private async confirmExisting(prev: AssertionRecord, kid: AssertionRecord, r: ProvedRange): Promise<void> {
    const tx = await this.o.rollup.confirmAttested(kid.data, this.attestation(prev.data, kid.data, r));
    const receipt = await this.o.rollup.clients.publicClient.getTransactionReceipt({ hash: tx.txHash });
    this.record(kid.id, tx.txHash, prev.id, kid.data.blockCount, r, tx.gasUsed, receipt.blockNumber, false);
    this.log(
      `proved and confirmed ${kid.id.slice(0, 10)} (posted by ${kid.asserter.slice(0, 10)}) (gas ${tx.gasUsed})`,
    );
  }

  private record(
    id: Hex,
    txHash: Hex,
    prevId: Hex,
    blocks: bigint,
    r: ProvedRange,
    gas: bigint,
    l1Block: bigint,
    created: boolean,
  ): void {
    this.events.push({
      kind: 'proved',
      id,
      txHash,
      prevId,
      blocks: Number(blocks),
      records: r.records,
      chunks: r.proofs.length,
      proveMs: r.proveMs,
      gas,
      l1Block,
      created,
    });
  }
}
