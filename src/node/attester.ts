/**
 * The attester (docs/attested.md §7): what a validator node does for the attested proof module.
 * It holds the BLS keys of the committee members it runs and, every round:
 *
 * - seals the current and the next epoch when nobody has (§2.2);
 * - signs, with every key of the current epoch's committee, each pending assertion whose block
 *   count, end state and history root are what it derived itself from L1 and DA (the honest
 *   assertion after its parent, built as the fraud claim builds it), once, never two children of
 *   one parent (§5), and puts the signatures in the attestation pool (§3.1);
 * - when the pool holds a quorum of the current or the previous epoch's committee for an assertion
 *   whose parent is the latest confirmed one and has no rival, builds the attestation (§3.2) and
 *   confirms it (`Rollup.confirmAttested`, §4); otherwise the assertion takes the fraud path;
 * - after a dispute, slashes every validator whose signature the pool holds on the loser, and any
 *   validator the pool caught signing two children of one parent (§5).
 *
 * The pool is in-process (the roles of one process share it: the devnet); a network transport
 * between nodes is not built yet.
 */
import { bytesToHex, type Hex, hexToBytes, keccak256, toBytes } from 'viem';
import { buildAttestation, encodeAttestation } from '../attest/attestation.ts';
import { attestationDigest, signAttestation, verifyAttestationSignature } from '../attest/message.ts';
import { ModexError } from '../core/errors.ts';
import { blsAggregateSignatures, blsKeyFromSeed, proofOfPossession } from '../crypto/bls.ts';
import type { AttestationSource, PooledSignatures } from '../proof/attested/proof-system.ts';
import { HonestClaim } from '../proof/fraud/claim.ts';
import {
  type AssertionData,
  assertionId,
  nextBlockCount,
  type SolGlobalState,
  toSolState,
  ZERO32,
} from '../settlement/ethereum/dispute-hash.ts';
import { SettlementRevertError } from '../settlement/ethereum/errors.ts';
import { type AssertionRecord, predictAssertion, type RollupClient } from '../settlement/ethereum/rollup.ts';
import type { EpochInfo, ValidatorCommitteeClient } from '../settlement/ethereum/validator-committee.ts';
import type { GlobalState } from '../vm/wasm/machine.ts';
import { AssertionLog } from './assertion-log.ts';
import type { ChainFollower } from './validator.ts';

/** A committee member's BLS key pair, and its proof of possession (for `register`). */
export interface ValidatorKey {
  secretKey: Uint8Array;
  /** G2, 256 bytes (EIP-2537), lowercase hex */
  publicKey: Hex;
  /** G1, 128 bytes: the key's proof of possession (docs/committee.md §1.4) */
  proofOfPossession: Hex;
}

/** Validator i's deterministic devnet key: KeyGen(keccak256(`${seed}/${i}`)) (not for real stakes). */
export function localValidatorKey(i: number, seed = 'modex-local-validators'): ValidatorKey {
  const { secretKey, publicKey } = blsKeyFromSeed(toBytes(keccak256(toBytes(`${seed}/${i}`))));
  return {
    secretKey,
    publicKey: bytesToHex(publicKey),
    proofOfPossession: bytesToHex(proofOfPossession(secretKey)),
  };
}

export class AttesterError extends ModexError {}

/** One member's signature of one assertion in one epoch (docs/attested.md §3.1). */
export interface PoolEntry {
  /** the signer's validator index and public key */
  validator: number;
  publicKey: Hex;
  epoch: bigint;
  /** the assertion signed (its parent is `assertion.prevId`) */
  assertion: AssertionData;
  assertionId: Hex;
  digest: Hex;
  signature: Hex;
}

/**
 * The attestation pool: every valid member signature seen, by digest, by assertion and by
 * (validator, parent). A signature is checked against the signer's key before it is kept, over a
 * digest the pool computes itself (the settlement chain id and the committee are the pool's).
 */
export class AttestationPool implements AttestationSource {
  private readonly byDigest = new Map<Hex, Map<number, PoolEntry>>();
  private readonly byAssertion = new Map<Hex, PoolEntry[]>();
  /** `${validator}/${prevId}` -> the entries of that validator on children of that parent */
  private readonly byParent = new Map<string, PoolEntry[]>();

  constructor(readonly domain: { chainId: bigint; committee: Hex }) {}

  digest(epoch: bigint, prevId: Hex, id: Hex): Hex {
    return attestationDigest({ ...this.domain, epoch, prevId, assertionId: id });
  }

  /**
   * Keeps `validator`'s signature of `assertion` in `epoch`. Returns false when the pool holds it
   * already; throws ATTEST_POOL_BAD_SIGNATURE when it does not verify (it is never aggregated).
   */
  add(o: {
    validator: number;
    publicKey: Hex;
    epoch: bigint;
    assertion: AssertionData;
    signature: Hex;
  }): boolean {
    const id = assertionId(o.assertion);
    const digest = this.digest(o.epoch, o.assertion.prevId, id);
    const held = this.byDigest.get(digest) ?? new Map<number, PoolEntry>();
    if (held.has(o.validator)) return false;
    if (!verifyAttestationSignature(hexToBytes(o.publicKey), digest, hexToBytes(o.signature)))
      throw new AttesterError(
        'ATTEST_POOL_BAD_SIGNATURE',
        `validator ${o.validator}'s signature of ${id} in epoch ${o.epoch} does not verify (docs/attested.md §3.1)`,
      );
    const e: PoolEntry = { ...o, publicKey: o.publicKey.toLowerCase() as Hex, assertionId: id, digest };
    held.set(o.validator, e);
    this.byDigest.set(digest, held);
    this.byAssertion.set(id, [...(this.byAssertion.get(id) ?? []), e]);
    const k = `${o.validator}/${o.assertion.prevId}`;
    this.byParent.set(k, [...(this.byParent.get(k) ?? []), e]);
    return true;
  }

  /** validator index -> signature, of one digest */
  signatures(digest: Hex): ReadonlyMap<number, PoolEntry> {
    return this.byDigest.get(digest) ?? new Map();
  }

  /** every signature held on assertion `id` (any epoch) */
  onAssertion(id: Hex): readonly PoolEntry[] {
    return this.byAssertion.get(id) ?? [];
  }

  /** the assertions with signatures in the pool */
  assertions(): Hex[] {
    return [...this.byAssertion.keys()];
  }

  /** the child of `prevId` that `validator` signed other than `id`, if any */
  otherChildSigned(validator: number, prevId: Hex, id: Hex): PoolEntry | undefined {
    return this.byParent.get(`${validator}/${prevId}`)?.find((e) => e.assertionId !== id);
  }

  /** every validator caught signing two different children of one parent, with two such signatures */
  equivocations(): [PoolEntry, PoolEntry][] {
    const out: [PoolEntry, PoolEntry][] = [];
    for (const entries of this.byParent.values()) {
      const other = entries.find((e) => e.assertionId !== entries[0].assertionId);
      if (other) out.push([entries[0], other]);
    }
    return out;
  }

  /** The attested module's evidence: the signatures on the assertion after `prevId` ending in `end`. */
  signaturesFor(prevId: Hex, end: GlobalState, blockCount: bigint): PooledSignatures | undefined {
    const want = toSolState(end);
    for (const entries of this.byAssertion.values()) {
      const a = entries[0].assertion;
      if (a.prevId !== prevId || a.blockCount !== blockCount || !sameState(a.end, want)) continue;
      // the newest epoch's signatures (the ones a confirmation would use)
      let epoch = 0n;
      for (const e of entries) if (e.epoch > epoch) epoch = e.epoch;
      const now = entries.filter((e) => e.epoch === epoch);
      return {
        digest: now[0].digest,
        signatures: now.map((e) => ({ memberIndex: e.validator, signature: e.signature })),
      };
    }
    return undefined;
  }
}

function sameState(a: SolGlobalState, b: SolGlobalState): boolean {
  return (
    a.stateRoot.toLowerCase() === b.stateRoot.toLowerCase() &&
    a.sendRoot.toLowerCase() === b.sendRoot.toLowerCase() &&
    a.inboxPosition === b.inboxPosition &&
    a.positionInMessage === b.positionInMessage
  );
}

/**
 * The honest assertion after `prev` as this node derived it: its block count, end state and
 * history root (the fraud claim's level-0 history over the derived states, docs/dispute.md §2.2);
 * undefined until the follower has derived every block it covers.
 */
export function honestAssertion(
  follower: ChainFollower,
  heights: number[],
  prev: AssertionData,
): { blockCount: bigint; end: SolGlobalState; historyRoot: Hex; historyInner: Hex } | undefined {
  const start = Number(prev.end.inboxPosition);
  const blocks = nextBlockCount(prev, heights[0]);
  if (follower.length < start + blocks) return undefined;
  const known: GlobalState[] = [];
  for (let i = 1; i <= blocks; i++) known.push(follower.stateAt(start + i));
  const claim = new HonestClaim(follower.executionContext(heights), follower.stateAt(start), blocks, known);
  const l0 = claim.level0();
  return {
    blockCount: BigInt(blocks),
    end: toSolState(claim.endState()),
    historyRoot: bytesToHex(l0.root()),
    // what createAssertion takes (the history root's inner node, as the fraud claim posts it)
    historyInner: bytesToHex(l0.inner(0, l0.h)),
  };
}

/** Why `a` (after `prev`) is not the honest assertion, or undefined when it is. */
export function dishonesty(
  honest: { blockCount: bigint; end: SolGlobalState; historyRoot: Hex },
  a: AssertionData,
): string | undefined {
  if (a.blockCount !== honest.blockCount) return `${a.blockCount} blocks, not ${honest.blockCount}`;
  if (!sameState(a.end, honest.end))
    return `end state root ${a.end.stateRoot} is not ours ${honest.end.stateRoot}`;
  if (a.historyRoot.toLowerCase() !== honest.historyRoot.toLowerCase())
    return `history root ${a.historyRoot} is not ours ${honest.historyRoot}`;
  return undefined;
}

/**
 * Whether a member signs an assertion: `honest` is whether it is the node's own derivation,
 * `position` the member's place in the epoch's committee. The default signs exactly the honest
 * ones; the devnet's fraud scenario gives colluding members another.
 */
export type SigningPolicy = (o: {
  record: AssertionRecord;
  /** the other children of its parent */
  siblings: AssertionRecord[];
  honest: boolean;
  validator: number;
  position: number;
  epoch: EpochInfo;
}) => boolean;

export const HONEST_POLICY: SigningPolicy = ({ honest }) => honest;

/** What happened in a round (the devnet counts these). */
export type AttesterEvent =
  | { kind: 'sealed'; epoch: bigint; members: number; gas: bigint }
  | { kind: 'signed'; id: Hex; epoch: bigint; signers: number }
  | { kind: 'refused'; id: Hex; reason: string }
  /** `created`: created and confirmed in one transaction (the fast path, `createAttestedAssertion`) */
  | {
      kind: 'attested';
      id: Hex;
      epoch: bigint;
      signers: number;
      gas: bigint;
      l1Block: bigint;
      created?: boolean;
    }
  /** the assertion cannot be confirmed by attestation: it has a rival (the dispute decides) */
  | { kind: 'fallback'; id: Hex; reason: string }
  | {
      kind: 'slashed';
      reason: 'wrong-root' | 'equivocation';
      validators: number[];
      assertion: Hex;
      gas: bigint;
    };

/** What the attester needs of the committee contract (ValidatorCommitteeClient). */
export type CommitteeChain = Pick<
  ValidatorCommitteeClient,
  | 'address'
  | 'currentEpoch'
  | 'epoch'
  | 'sealEpoch'
  | 'publicKeys'
  | 'validators'
  | 'slashWrongRoot'
  | 'validatorCount'
  | 'slashEquivocation'
>;

export interface AttesterOptions {
  name: string;
  committee: CommitteeChain;
  rollup: RollupClient;
  /** the pool it signs into and aggregates from (shared by the roles of one process) */
  pool: AttestationPool;
  /** the keys of the members it runs (registered on the committee; unregistered ones are idle) */
  keys: ValidatorKey[];
  follower: ChainFollower;
  /** the challenge manager's level heights (docs/dispute.md §1) */
  heights: number[];
  /** L1 block of the deployment (event scans start there) */
  fromBlock: bigint;
  /** which assertions its members sign (default: exactly the honest ones) */
  policy?: SigningPolicy;
  log?: (line: string) => void;
}

/**
 * The reverts of `createAttestedAssertion` a race explains (docs/attested.md §4): a message posted
 * after the prediction (BadAggregateSignature), a child posted meanwhile (HasRival,
 * AssertionExists), a confirmation meanwhile (PrevNotLatestConfirmed), the epoch turned twice
 * (StaleEpoch, UnknownEpoch). The plain path takes over.
 */
const FAST_PATH_RACES = [
  'BadAggregateSignature',
  'HasRival',
  'AssertionExists',
  'PrevNotLatestConfirmed',
  'StaleEpoch',
  'UnknownEpoch',
];

/** predictions made again in one round after a message landed in between */
const FAST_PATH_RETRIES = 2;

/** an assertion judged against the node's derivation: not derived that far yet, or why it is not ours */
type Judgement = { derived: false; why?: undefined } | { derived: true; why?: string };

export class Attester {
  readonly events: AttesterEvent[] = [];
  /** the sealed epochs it has seen current */
  readonly epochsSeen = new Set<bigint>();
  /** validator index -> key, of the registered keys it runs */
  private readonly members = new Map<number, ValidatorKey>();
  private readonly byPublicKey: Map<string, ValidatorKey>;
  private readonly epochs = new Map<bigint, EpochInfo>();
  /** the assertions seen on L1 (AssertionLog: incremental, reorg-safe) */
  private readonly assertionLog: AssertionLog;
  /** assertions known confirmed, and known rejected (a sibling or an ancestor's sibling was confirmed) */
  private readonly confirmed = new Set<Hex>();
  private readonly rejected = new Set<Hex>();
  private readonly slashedValidators = new Set<number>();
  private readonly wrongRootsDone = new Set<Hex>();
  private readonly said = new Set<string>();
  private readonly policy: SigningPolicy;
  private validatorCount?: number;

  constructor(private readonly o: AttesterOptions) {
    this.byPublicKey = new Map(o.keys.map((k) => [k.publicKey.toLowerCase(), k]));
    this.assertionLog = new AssertionLog(o.rollup, o.fromBlock);
    this.policy = o.policy ?? HONEST_POLICY;
  }

  private log(line: string): void {
    this.o.log?.(`[${this.o.name}] ${line}`);
  }

  /** logs `line` once per `key` */
  private once(key: string, line: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.log(line);
  }

  /** The validator indices of the keys it runs (registered ones). */
  get validatorIndices(): number[] {
    return [...this.members.keys()].sort((a, b) => a - b);
  }

  /** Reads which of its keys are registered (and slashed): call after registering. */
  async refreshMembers(): Promise<void> {
    for (const v of await this.o.committee.validators()) {
      const k = this.byPublicKey.get(v.publicKey.toLowerCase());
      if (k) this.members.set(v.index, k);
      if (v.slashed) this.slashedValidators.add(v.index);
    }
  }

  /** sealed epoch `e` (cached once sealed) */
  async epochInfo(e: bigint): Promise<EpochInfo | undefined> {
    if (e < 0n) return undefined;
    const known = this.epochs.get(e);
    if (known) return known;
    const info = await this.o.committee.epoch(e);
    if (info) this.epochs.set(e, info);
    return info;
  }

  private async scan(): Promise<AssertionRecord[]> {
    await this.assertionLog.scan();
    return this.assertionLog.records;
  }

  /** keys not registered yet: reads the validators again when their number changed */
  private async refreshIfGrown(): Promise<void> {
    if (this.members.size < this.o.keys.length) {
      const count = await this.o.committee.validatorCount();
      if (count !== this.validatorCount) await this.refreshMembers();
      this.validatorCount = count;
    }
  }

  /**
   * The fast path (docs/attested.md §4, §7), run before the validator's round: while the latest
   * confirmed assertion L has no child and the node has derived the blocks after it, builds the
   * honest assertion after L, predicts the id it will get, has every member key of the current
   * epoch it runs sign it (where the policy allows and the member signed no other child of L), and
   * with a quorum (those signatures and the pool's) creates and confirms it in one transaction
   * (`createAttestedAssertion`, from the validator's wallet). The fresh signatures join the pool
   * only once the assertion exists: after a revert (a message posted in between changed the id, the
   * epoch turned, another child appeared) no member is bound to a child that was never created, and
   * the plain path (the validator posts, the attester confirms) takes over. When L's only child
   * was posted the plain way (by another validator), it signs and confirms that one first
   * (`confirmAttested`) and goes on from it. Returns the ids created.
   */
  async fastPath(): Promise<Hex[]> {
    const made: Hex[] = [];
    await this.refreshIfGrown();
    const { rollup, follower, heights, pool } = this.o;
    const me = rollup.clients.walletClient.account.address;
    let retries = 0;
    for (;;) {
      const current = await this.o.committee.currentEpoch();
      const info = await this.epochInfo(current);
      if (!info) return made; // the attester's round seals it
      const records = await this.scan();
      const latest = await rollup.latestConfirmed();
      const prev = records.find((r) => r.id === latest);
      if (!prev) return made;
      const kids = records.filter((r) => r.data.prevId === latest);
      if (kids.length > 0) {
        // another validator posted it first (the plain path): sign and confirm it now rather than
        // after the validator's round, then go on from it
        if (kids.length > 1) return made;
        this.sign(kids[0], new Map(records.map((r) => [r.id, r])), info, new Map());
        await this.confirm(kids, current);
        if (!this.confirmed.has(kids[0].id)) return made;
        continue;
      }
      const honest = honestAssertion(follower, heights, prev.data);
      if (!honest) return made;
      const staked = await rollup.latestStaked(me);
      if (staked !== ZERO32 && staked !== latest && (await rollup.status(staked)) !== 'confirmed')
        return made;
      // every other read first: the count is read last, so that a message posted between the
      // prediction and the transaction (a wrong id) is as unlikely as it can be
      const value = staked === ZERO32 ? await rollup.assertionBond() : 0n;
      const memberKeys = (await this.o.committee.publicKeys(info.members)).map((k) => hexToBytes(k));
      const count = await rollup.inboxCount();
      const data = predictAssertion(prev.data, honest.end, honest.historyInner, count, heights[0]);
      const id = assertionId(data);
      const record: AssertionRecord = { id, prevId: latest, asserter: me, data, blockNumber: 0n };
      const digest = pool.digest(info.epoch, latest, id);
      const held = pool.signatures(digest);
      const signatures = new Map<number, Uint8Array>();
      const fresh: { validator: number; publicKey: Hex; signature: Hex }[] = [];
      info.members.forEach((validator, position) => {
        const s = held.get(validator);
        if (s) {
          signatures.set(position, hexToBytes(s.signature));
          return;
        }
        const key = this.members.get(validator);
        if (!key || this.slashedValidators.has(validator)) return;
        if (!this.policy({ record, siblings: [], honest: true, validator, position, epoch: info })) return;
        if (pool.otherChildSigned(validator, latest, id)) return; // §5: never two children of one parent
        const signature = signAttestation(key.secretKey, digest);
        signatures.set(position, signature);
        fresh.push({ validator, publicKey: key.publicKey, signature: bytesToHex(signature) });
      });
      if (signatures.size < info.threshold) {
        this.once(
          `fast/${latest}/${info.epoch}`,
          `no quorum for the honest assertion after ${latest.slice(0, 10)} in epoch ${info.epoch} (${signatures.size} of ${info.threshold}): the validator posts it`,
        );
        return made;
      }
      const att = buildAttestation({
        epoch: info.epoch,
        members: info.members,
        memberKeys,
        signatures,
        threshold: info.threshold,
      });
      let tx: Awaited<ReturnType<RollupClient['createAttestedAssertion']>>;
      try {
        tx = await rollup.createAttestedAssertion(
          prev.data,
          honest.end,
          honest.historyInner,
          encodeAttestation(att),
          value,
        );
      } catch (e) {
        const name = e instanceof SettlementRevertError ? e.errorName : '';
        if (!FAST_PATH_RACES.includes(name)) throw e;
        // a message landed after the count was read: predict again (no member is bound yet)
        if (name === 'BadAggregateSignature' && retries++ < FAST_PATH_RETRIES) {
          if ((await rollup.inboxCount()) !== count) continue;
        }
        this.once(
          `fast-refused/${latest}/${name}`,
          `createAttestedAssertion after ${latest.slice(0, 10)} refused: ${name}; the plain path takes over`,
        );
        return made;
      }
      for (const f of fresh) pool.add({ ...f, epoch: info.epoch, assertion: tx.data });
      this.confirmed.add(tx.id);
      made.push(tx.id);
      this.events.push({
        kind: 'attested',
        id: tx.id,
        epoch: info.epoch,
        signers: signatures.size,
        gas: tx.gasUsed,
        l1Block: tx.blockNumber,
        created: true,
      });
      this.log(
        `created and confirmed ${tx.id.slice(0, 10)} (${honest.blockCount} blocks) in one transaction at L1 block ${tx.blockNumber}: ${signatures.size} signers of epoch ${info.epoch} (gas ${tx.gasUsed})`,
      );
    }
  }

  /** One round: seal, sign, confirm, slash. */
  async tick(): Promise<void> {
    await this.refreshIfGrown();
    // the current epoch's committee must be sealed before it can sign; the next one is sealed after
    // the confirmations (a seal is a transaction: it would delay them by a block)
    let current = await this.o.committee.currentEpoch();
    if (!(await this.epochInfo(current))) {
      await this.seal(current);
      current = await this.o.committee.currentEpoch(); // sealing mines blocks: the epoch may have turned
    }
    const records = await this.scan();
    const byId = new Map(records.map((r) => [r.id, r]));
    const pending: AssertionRecord[] = [];
    for (const r of records) {
      if (r.data.prevId === ZERO32 || this.confirmed.has(r.id) || this.rejected.has(r.id)) continue;
      const status = await this.o.rollup.status(r.id);
      const lost =
        this.rejected.has(r.data.prevId) ||
        records.some((x) => x.data.prevId === r.data.prevId && x.id !== r.id && this.confirmed.has(x.id));
      if (status === 'confirmed') this.confirmed.add(r.id);
      else if (lost)
        this.rejected.add(r.id); // never confirmable: not signed any more
      else if (status === 'pending') pending.push(r);
    }
    const info = await this.epochInfo(current);
    if (info && !this.epochsSeen.has(current)) {
      this.epochsSeen.add(current);
      const mine = info.members.filter((m) => this.members.has(m)).length;
      this.log(
        `epoch ${current}: ${info.members.length} active members, quorum ${info.threshold}; ${mine} of them run here`,
      );
    }
    const judged = new Map<Hex, Judgement>();
    if (info) for (const r of pending) this.sign(r, byId, info, judged);
    await this.confirm(pending, current);
    await this.slashWrongRoots(byId);
    await this.slashEquivocations();
    await this.seal(await this.o.committee.currentEpoch());
  }

  /** §2.2: seals the current and the next epoch when they are not sealed (anyone may). */
  private async seal(current: bigint): Promise<void> {
    for (const e of [current, current + 1n]) {
      if (await this.epochInfo(e)) continue;
      try {
        const { members, gasUsed } = await this.o.committee.sealEpoch(e);
        this.events.push({ kind: 'sealed', epoch: e, members: members.length, gas: gasUsed });
        this.log(`sealed epoch ${e}: ${members.length} members (gas ${gasUsed})`);
      } catch (err) {
        // sealed meanwhile by someone else; too early for a seed, or too few eligible validators:
        // the next round tries again
        const name = err instanceof SettlementRevertError ? err.errorName : '';
        const why = name || (err as Error).message.split('\n')[0];
        if (name === 'EpochAlreadySealed' || name === 'EpochNotSealable') continue;
        if (/no seed|TooFewValidators|BadCheckpoint/.test(why) || err instanceof ModexError)
          this.once(`seal/${e}/${why}`, `cannot seal epoch ${e} yet: ${why}`);
        else throw err;
      }
    }
  }

  /**
   * Whether `r` is on the node's own chain: it is the honest assertion after its parent, and so is
   * every pending ancestor (an honest-looking child of a wrong root is not signed either).
   */
  private judge(r: AssertionRecord, byId: Map<Hex, AssertionRecord>, memo: Map<Hex, Judgement>): Judgement {
    const known = memo.get(r.id);
    if (known) return known;
    const prev = byId.get(r.data.prevId);
    const honest = prev && honestAssertion(this.o.follower, this.o.heights, prev.data);
    let j: Judgement;
    if (!prev || !honest) j = { derived: false };
    else {
      let why = dishonesty(honest, r.data);
      if (!why && prev.data.prevId !== ZERO32 && !this.confirmed.has(prev.id)) {
        const parent = this.judge(prev, byId, memo);
        if (!parent.derived) j = parent;
        else if (parent.why) why = `its parent ${prev.id.slice(0, 10)} is not ours (${parent.why})`;
      }
      j ??= { derived: true, ...(why ? { why } : {}) };
    }
    memo.set(r.id, j);
    return j;
  }

  /** Signs `r` with every member key of `epoch` it runs, where the policy allows (§7). */
  private sign(
    r: AssertionRecord,
    byId: Map<Hex, AssertionRecord>,
    epoch: EpochInfo,
    judged: Map<Hex, Judgement>,
  ): void {
    const j = this.judge(r, byId, judged);
    if (!j.derived) return; // not derived that far yet
    const why = j.why;
    if (why) this.once(`dishonest/${r.id}`, `refuses to sign ${r.id.slice(0, 10)}: ${why}`);
    const digest = this.o.pool.digest(epoch.epoch, r.data.prevId, r.id);
    const held = this.o.pool.signatures(digest);
    const siblings = [...byId.values()].filter((x) => x.data.prevId === r.data.prevId && x.id !== r.id);
    let signed = 0;
    const refused: number[] = [];
    epoch.members.forEach((validator, position) => {
      const key = this.members.get(validator);
      if (!key || held.has(validator) || this.slashedValidators.has(validator)) return;
      if (!this.policy({ record: r, siblings, honest: why === undefined, validator, position, epoch }))
        return;
      // §5: a member never signs two children of one parent
      if (this.o.pool.otherChildSigned(validator, r.data.prevId, r.id)) {
        refused.push(validator);
        return;
      }
      const signature = bytesToHex(signAttestation(key.secretKey, digest));
      if (
        this.o.pool.add({
          validator,
          publicKey: key.publicKey,
          epoch: epoch.epoch,
          assertion: r.data,
          signature,
        })
      )
        signed++;
    });
    if (refused.length > 0)
      this.once(
        `two/${epoch.epoch}/${r.id}`,
        `${refused.length} member(s) of epoch ${epoch.epoch} do not sign ${r.id.slice(0, 10)}: they signed a sibling (validators ${refused.join(', ')})`,
      );
    if (signed > 0) {
      this.events.push({ kind: 'signed', id: r.id, epoch: epoch.epoch, signers: signed });
      this.log(`${signed} member(s) of epoch ${epoch.epoch} signed ${r.id.slice(0, 10)}`);
    }
  }

  /**
   * §4: confirms, in order from the latest confirmed assertion, each pending child whose parent
   * has no rival and for which the pool holds a quorum of the current or the previous epoch.
   */
  private async confirm(pending: AssertionRecord[], current: bigint): Promise<void> {
    const { rollup } = this.o;
    let latest = await rollup.latestConfirmed();
    for (;;) {
      const kids = pending.filter((r) => r.data.prevId === latest);
      if (kids.length === 0) return;
      if (kids.length > 1 || (await rollup.hasRival(latest))) {
        for (const k of kids)
          if (!this.events.some((e) => e.kind === 'fallback' && e.id === k.id)) {
            this.events.push({ kind: 'fallback', id: k.id, reason: 'rival' });
            this.log(`${k.id.slice(0, 10)} has a rival: the dispute decides, not the committee`);
          }
        return;
      }
      const r = kids[0];
      const att = await this.attestationFor(r, current);
      if (!att) return;
      try {
        const tx = await rollup.confirmAttested(r.data, att.bytes);
        const receipt = await rollup.clients.publicClient.getTransactionReceipt({ hash: tx.txHash });
        this.confirmed.add(r.id);
        this.events.push({
          kind: 'attested',
          id: r.id,
          epoch: att.epoch,
          signers: att.signers,
          gas: tx.gasUsed,
          l1Block: receipt.blockNumber,
        });
        this.log(
          `confirmed ${r.id.slice(0, 10)} by attestation: ${att.signers} signers of epoch ${att.epoch} (gas ${tx.gasUsed})`,
        );
      } catch (e) {
        // confirmed by someone else first, a rival appeared, or the epoch turned twice meanwhile:
        // the next round reads the state again
        const name = e instanceof SettlementRevertError ? e.errorName : '';
        if (
          !['NotPending', 'HasRival', 'PrevNotLatestConfirmed', 'StaleEpoch', 'UnknownEpoch'].includes(name)
        )
          throw e;
        this.once(
          `confirm/${r.id}/${name}`,
          `confirmAttested(${r.id.slice(0, 10)}) refused: ${name}; retrying`,
        );
        return;
      }
      latest = r.id;
    }
  }

  /** The attestation bytes of the newest epoch (current, then previous) with a quorum for `r`. */
  async attestationFor(
    r: AssertionRecord,
    current: bigint,
  ): Promise<{ bytes: Hex; epoch: bigint; signers: number } | undefined> {
    for (const e of [current, current - 1n]) {
      const info = await this.epochInfo(e);
      if (!info) continue;
      const held = this.o.pool.signatures(this.o.pool.digest(e, r.data.prevId, r.id));
      const signatures = new Map<number, Uint8Array>();
      info.members.forEach((v, position) => {
        const s = held.get(v);
        if (s) signatures.set(position, hexToBytes(s.signature));
      });
      if (signatures.size < info.threshold) continue;
      const keys = await this.o.committee.publicKeys(info.members);
      const att = buildAttestation({
        epoch: e,
        members: info.members,
        memberKeys: keys.map((k) => hexToBytes(k)),
        signatures,
        threshold: info.threshold,
      });
      return { bytes: encodeAttestation(att), epoch: e, signers: signatures.size };
    }
    return undefined;
  }

  /** §5: slashes the pooled signers of every assertion that lost (its parent confirmed a sibling). */
  private async slashWrongRoots(byId: Map<Hex, AssertionRecord>): Promise<void> {
    for (const id of this.o.pool.assertions()) {
      if (this.wrongRootsDone.has(id) || !byId.has(id)) continue;
      const entries = this.o.pool.onAssertion(id);
      const prevId = entries[0].assertion.prevId;
      const winner = await this.o.rollup.confirmedChild(prevId);
      if (winner === ZERO32) continue;
      this.wrongRootsDone.add(id);
      if (winner === id) continue;
      // one slash per epoch (a signature is over its epoch's digest); each validator once
      const epochs = [...new Set(entries.map((e) => e.epoch))].sort((a, b) => (a < b ? -1 : 1));
      for (const epoch of epochs) {
        const group = entries
          .filter((e) => e.epoch === epoch && !this.slashedValidators.has(e.validator))
          .sort((a, b) => a.validator - b.validator);
        if (group.length === 0) continue;
        try {
          const tx = await this.o.committee.slashWrongRoot({
            epoch,
            prevId,
            assertionId: id,
            indices: group.map((e) => e.validator),
            keys: group.map((e) => e.publicKey),
            signature: bytesToHex(blsAggregateSignatures(group.map((e) => hexToBytes(e.signature)))),
          });
          for (const e of group) this.slashedValidators.add(e.validator);
          const validators = group.map((e) => e.validator);
          this.events.push({
            kind: 'slashed',
            reason: 'wrong-root',
            validators,
            assertion: id,
            gas: tx.gasUsed,
          });
          this.log(
            `slashed ${validators.length} validator(s) for signing the losing ${id.slice(0, 10)} in epoch ${epoch} (gas ${tx.gasUsed})`,
          );
        } catch (e) {
          // slashed meanwhile (by another node, or for equivocation): read the set again next round
          if (!(e instanceof SettlementRevertError && e.errorName === 'AlreadySlashed')) throw e;
          await this.refreshMembers();
          this.wrongRootsDone.delete(id);
        }
      }
    }
  }

  /** §5: slashes every validator the pool caught signing two children of one parent. */
  private async slashEquivocations(): Promise<void> {
    for (const [a, b] of this.o.pool.equivocations()) {
      if (this.slashedValidators.has(a.validator)) continue;
      this.slashedValidators.add(a.validator);
      try {
        const tx = await this.o.committee.slashEquivocation({
          index: a.validator,
          publicKey: a.publicKey,
          prevId: a.assertion.prevId,
          a: { epoch: a.epoch, assertionId: a.assertionId, signature: a.signature },
          b: { epoch: b.epoch, assertionId: b.assertionId, signature: b.signature },
        });
        this.events.push({
          kind: 'slashed',
          reason: 'equivocation',
          validators: [a.validator],
          assertion: a.assertionId,
          gas: tx.gasUsed,
        });
        this.log(
          `slashed validator ${a.validator} for equivocation: it signed ${a.assertionId.slice(0, 10)} and ${b.assertionId.slice(0, 10)} (gas ${tx.gasUsed})`,
        );
      } catch (e) {
        if (!(e instanceof SettlementRevertError && e.errorName === 'AlreadySlashed')) throw e;
      }
    }
  }
}
