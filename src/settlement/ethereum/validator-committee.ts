/**
 * viem bindings of the attested proof module's validator committee
 * (contracts/attest/ValidatorCommittee.sol, docs/attested.md §1–§5): deployment, registration with
 * a proof of possession, exit and withdrawal, epochs and their sealing (the client finds the
 * checkpoint and the members' keys itself), the attestation check as an `eth_call` with its gas,
 * and both slashings. Reverts surface as SettlementRevertError with contract `ValidatorCommittee`
 * (codes `VALIDATOR_COMMITTEE_*`) and the messages below.
 */
import { type Abi, type Address, bytesToHex, type Hex, hexToBytes, parseEventLogs } from 'viem';
import { seedCheckpoint } from '../../attest/sampling.ts';
import type { L1, L1WalletClient } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { ContractClient } from './contract-client.ts';
import { registerRevertDescriptions, SettlementTxError, toSettlementError } from './errors.ts';
import { type L1Clients, sendContractTx, type TxResult } from './inbox.ts';

const CONTRACT = 'ValidatorCommittee';
/** §2.1: what recording an epoch's randomness costs at most (3 storage slots from zero, the event) */
const CHECKPOINT_GAS_MARGIN = 70_000n;

/** docs/attested.md §1–§5: what each ValidatorCommittee revert means and what to do. */
export const VALIDATOR_COMMITTEE_ERRORS: Record<string, (args: readonly unknown[]) => string> = {
  BadParameters: () =>
    'invalid committee parameters (§1.1): 1 ≤ activeSize ≤ 255, 1 ≤ assumedHonest ≤ activeSize, epochBlocks ≥ 1, ' +
    'stake > 0, entryDelayEpochs ≥ 2, exitDelayEpochs ≥ 2, slashRewardPercent ≤ 100',
  NotDeployer: ([caller]) =>
    `${caller} is not the committee's deployer; only it links the rollup (initialize)`,
  AlreadyInitialized: ([rollup]) => `the committee is already linked to rollup ${rollup}; it is linked once`,
  NotInitialized: () =>
    'the committee is not linked to a rollup (initialize was not called, or was given the zero address)',
  WrongStake: ([expected, sent]) => `register sends exactly the stake, ${expected} wei (sent ${sent})`,
  BadPublicKey: () => 'the public key is not a 256-byte EIP-2537 G2 point other than the identity',
  DuplicateKey: ([h]) =>
    `a validator with this public key (hash ${h}) is registered already; each key registers once: use a new key`,
  TooManyValidators: () => 'the committee holds its maximum of 1024 validators; no more can register',
  BadProofOfPossession: () =>
    'the proof of possession does not verify: it must be proofOfPossession(secretKey), the signature of the 256-byte public key under the PoP DST (docs/committee.md §1.4)',
  UnknownValidator: ([i]) => `no validator ${i} is registered`,
  NotOwner: ([caller]) =>
    `${caller} does not own this validator; exit and withdraw from the registering account`,
  AlreadyExiting: ([i]) => `validator ${i} is exiting already`,
  NotExiting: ([i]) => `validator ${i} has not exited: call exit first, then withdraw after the delays`,
  TooEarly: ([epoch]) =>
    `the stake can be withdrawn from epoch ${epoch} on (exitAt + withdrawalDelayEpochs); wait`,
  Slashed: ([i]) => `validator ${i} was slashed: its stake cannot be withdrawn`,
  AlreadyWithdrawn: ([i]) => `validator ${i}'s stake was withdrawn already`,
  TransferFailed: ([to, amount]) =>
    `sending ${amount} wei to ${to} failed (it rejects ETH); call from an account that accepts ETH`,
  BadCheckpoint: ([f]) =>
    `epoch ${f} is not the seed's checkpoint: use the newest epoch with recorded randomness at least two epochs before the sealed one (§2.1; sealEpoch finds it)`,
  EpochNotSealable: ([e, current]) =>
    `epoch ${e} cannot be sealed in epoch ${current}: only the current and the next epoch can (§2.2)`,
  EpochAlreadySealed: ([e]) => `epoch ${e} is sealed already; nothing to do`,
  TooFewValidators: ([m, h]) =>
    `only ${m} validators are eligible in the epoch, fewer than assumedHonest = ${h}: register more validators (they are eligible entryDelayEpochs after registering)`,
  WrongKeyCount: ([expected, given]) => `the committee has ${expected} members but ${given} keys were given`,
  KeyMismatch: ([i]) =>
    `key ${i} is not its validator's registered public key (for a seal: member i's key in committee order; for an attestation: non-signer i's key)`,
  UnsupportedAttestationVersion: ([v]) => `attestation version ${v} is not supported (only 1, §3.2)`,
  MalformedAttestation: ([len]) => `an attestation of ${len} bytes does not parse as version 1 (§3.2)`,
  UnknownEpoch: ([e]) => `epoch ${e} is not sealed: seal it (sealEpoch) before attesting in it`,
  StaleEpoch: ([e, current]) =>
    `the attestation's epoch ${e} is neither the current epoch ${current} nor the previous one: sign again with the current committee (§4)`,
  AggregateKeyMismatch: ([given, sealed]) =>
    `the attestation's aggregate key hashes to ${given}, not the sealed ${sealed}: it must be the sum of ALL the epoch's members' keys`,
  MembersMismatch: () =>
    "the attestation's member list is not the sealed committee of its epoch (EpochSealed, in order)",
  TooFewSigners: ([signers, threshold]) =>
    `${signers} members signed; a quorum needs ${threshold}: collect more signatures or let the assertion take the challenge period`,
  NonSignersNotSorted: ([i]) =>
    `non-signer ${i}'s position is not strictly after the previous one, or is outside the committee`,
  BadAggregateSignature: () =>
    "the aggregate signature does not verify against the signers' key (aggregate key − Σ non-signers) over the digest of (chainId, committee, epoch, prevId, assertionId) (§3.1)",
  SameAssertion: () => 'equivocation needs signatures on two different assertions',
  AlreadySlashed: ([i]) => `validator ${i} is slashed already`,
  BadSignature: ([i]) => `signature ${i} does not verify for this validator and assertion (§3.1)`,
  NotRejected: ([id]) =>
    `assertion ${id} did not lose (unknown to the rollup, or its parent has no confirmed child, or confirmed it): only signers of a rejected assertion are slashed`,
  NotSorted: ([i]) =>
    `validator index ${i} of the list is not strictly after the previous one (the list must be non-empty)`,
  KeysLengthMismatch: ([expected, given]) =>
    `keys must be the ${expected} bytes of the listed validators' keys, got ${given}`,
  PrecompileFailed: ([a]) =>
    `precompile ${a} rejected its input (a point that is not a valid EIP-2537 encoding on the curve / in the subgroup)`,
  BlsPrecompilesMissing: () =>
    'this chain lacks the EIP-2537 BLS12-381 precompiles (a hardfork before Prague): the committee cannot be deployed here',
};
registerRevertDescriptions(CONTRACT, VALIDATOR_COMMITTEE_ERRORS);

/** §1.1: the committee's parameters (fixed at deployment). */
export interface CommitteeParams {
  activeSize: number;
  assumedHonest: number;
  epochBlocks: number;
  stake: bigint;
  entryDelayEpochs: number;
  exitDelayEpochs: number;
  withdrawalDelayEpochs: number;
  slashRewardPercent: number;
}

/** One registered validator (§1.3, §1.4). */
export interface ValidatorInfo {
  index: number;
  owner: Address;
  publicKey: Hex;
  activeFrom: bigint;
  /** 0: not exiting */
  exitAt: bigint;
  slashed: boolean;
  withdrawn: boolean;
}

/** A sealed epoch (§2.2). */
export interface EpochInfo {
  epoch: bigint;
  /** validator indices in committee order */
  members: number[];
  threshold: number;
  seed: Hex;
}

/** The gas of a `verifyAttestation` call (eth_estimateGas) and its parts. */
export interface AttestationGas {
  /** eth_estimateGas of a transaction calling verifyAttestation */
  total: bigint;
  /** 4 / 16 gas per zero / non-zero byte of the ABI-encoded call */
  calldata: bigint;
  /** total − 21,000 − calldata: what the check itself costs */
  execution: bigint;
}

export type SlashReason = 'equivocation' | 'wrong-root';

/** One signature of §5's equivocation evidence. */
export interface SignedAssertion {
  epoch: bigint;
  assertionId: Hex;
  signature: Hex;
}

let abiCache: Promise<Abi> | undefined;
/** The ValidatorCommittee ABI (from the compiled artifact). */
export function validatorCommitteeAbi(): Promise<Abi> {
  abiCache ??= getArtifact(CONTRACT).then((a) => a.abi);
  return abiCache;
}

/** §1.1's bounds, checked before deploying (the constructor's BadParameters, said precisely). */
export function checkCommitteeParams(p: CommitteeParams): string[] {
  const errors: string[] = [];
  const int = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;
  if (!int(p.activeSize, 1, 255)) errors.push(`activeSize must be an integer in 1..255, got ${p.activeSize}`);
  if (!int(p.assumedHonest, 1, p.activeSize))
    errors.push(
      `assumedHonest must be an integer in 1..activeSize (${p.activeSize}), got ${p.assumedHonest}`,
    );
  if (!int(p.epochBlocks, 1, Number.MAX_SAFE_INTEGER))
    errors.push(`epochBlocks must be ≥ 1, got ${p.epochBlocks}`);
  if (p.stake <= 0n) errors.push(`stake must be positive, got ${p.stake}`);
  if (!int(p.entryDelayEpochs, 2, Number.MAX_SAFE_INTEGER))
    errors.push(`entryDelayEpochs must be ≥ 2 (§2.3), got ${p.entryDelayEpochs}`);
  if (!int(p.exitDelayEpochs, 2, Number.MAX_SAFE_INTEGER))
    errors.push(`exitDelayEpochs must be ≥ 2 (§2.3), got ${p.exitDelayEpochs}`);
  if (!int(p.withdrawalDelayEpochs, 0, Number.MAX_SAFE_INTEGER))
    errors.push(`withdrawalDelayEpochs must be ≥ 0, got ${p.withdrawalDelayEpochs}`);
  if (!int(p.slashRewardPercent, 0, 100))
    errors.push(`slashRewardPercent must be an integer in 0..100, got ${p.slashRewardPercent}`);
  return errors;
}

/** Deploys ValidatorCommittee(params) from `from` (default the L1's first account). */
export async function deployValidatorCommittee(
  l1: L1,
  p: CommitteeParams,
  opts: { from?: L1WalletClient } = {},
): Promise<ValidatorCommitteeClient> {
  const bad = checkCommitteeParams(p);
  if (bad.length > 0) throw new SettlementTxError(`ValidatorCommittee parameters: ${bad.join('; ')}`);
  const from = opts.from ?? l1.walletClient;
  const artifact = await getArtifact(CONTRACT);
  let d: Awaited<ReturnType<typeof deploy>>;
  try {
    d = await deploy(
      l1,
      artifact,
      [
        p.activeSize,
        p.assumedHonest,
        BigInt(p.epochBlocks),
        p.stake,
        BigInt(p.entryDelayEpochs),
        BigInt(p.exitDelayEpochs),
        BigInt(p.withdrawalDelayEpochs),
        p.slashRewardPercent,
      ],
      { from },
    );
  } catch (e) {
    throw toSettlementError(e, CONTRACT, `deploying ${CONTRACT}`, artifact.abi);
  }
  return ValidatorCommitteeClient.at({ publicClient: l1.publicClient, walletClient: from }, d.address, {
    fromBlock: d.receipt.blockNumber,
  });
}

type Args = Record<string, unknown>;
const argsOf = (l: unknown) => (l as { args: Args }).args;

/** Client of one deployed ValidatorCommittee. Writes are signed by `clients.walletClient` (see `as`). */
export class ValidatorCommitteeClient extends ContractClient {
  /** log scans start here (the deployment block, when known) */
  readonly fromBlock: bigint;
  /** index -> public key (registration is permanent) */
  private readonly keys: Map<number, Hex>;

  private constructor(
    clients: L1Clients,
    address: Address,
    abi: Abi,
    fromBlock: bigint,
    keys: Map<number, Hex>,
  ) {
    super(clients, address, abi, CONTRACT);
    this.fromBlock = fromBlock;
    this.keys = keys;
  }

  static async at(
    clients: L1Clients,
    address: Address,
    o: { fromBlock?: bigint } = {},
  ): Promise<ValidatorCommitteeClient> {
    return new ValidatorCommitteeClient(
      clients,
      address,
      await validatorCommitteeAbi(),
      o.fromBlock ?? 0n,
      new Map(),
    );
  }

  /** The same contract, with writes signed by `clients.walletClient`. */
  as(clients: L1Clients): ValidatorCommitteeClient {
    return new ValidatorCommitteeClient(clients, this.address, this.abi, this.fromBlock, this.keys);
  }

  /** Every `eventName` event of the contract since `fromBlock`, in order. */
  private events(eventName: string): Promise<unknown[]> {
    return this.clients.publicClient.getContractEvents({
      address: this.address,
      abi: this.abi,
      eventName,
      fromBlock: this.fromBlock,
      toBlock: 'latest',
    });
  }

  // ---------------------------------------------------------------- §1 parameters and epochs

  async params(): Promise<CommitteeParams> {
    const [k, h, e, stake, entry, exit, withdrawal, pct] = await Promise.all([
      this.read<number>('activeSize'),
      this.read<number>('assumedHonest'),
      this.read<bigint>('epochBlocks'),
      this.read<bigint>('stake'),
      this.read<bigint>('entryDelayEpochs'),
      this.read<bigint>('exitDelayEpochs'),
      this.read<bigint>('withdrawalDelayEpochs'),
      this.read<number>('slashRewardPercent'),
    ]);
    return {
      activeSize: Number(k),
      assumedHonest: Number(h),
      epochBlocks: Number(e),
      stake,
      entryDelayEpochs: Number(entry),
      exitDelayEpochs: Number(exit),
      withdrawalDelayEpochs: Number(withdrawal),
      slashRewardPercent: Number(pct),
    };
  }

  startBlock(): Promise<bigint> {
    return this.read('startBlock');
  }

  /** §1.2: the epoch of the latest block. */
  currentEpoch(): Promise<bigint> {
    return this.read('currentEpoch');
  }

  /** The address of the linked rollup (zero before `initialize`). */
  rollup(): Promise<Address> {
    return this.read('rollup');
  }

  /** Links the rollup (deployer only, once; deploySettlement does it). */
  initialize(rollup: Address): Promise<TxResult> {
    return this.send('initialize', [rollup]);
  }

  // ---------------------------------------------------------------- §1.3, §1.4 validators

  /**
   * A transaction of a function that calls `checkpoint()` (§2.1): the first one of an epoch also
   * records its randomness (three more storage slots), which an estimate made in the epoch before,
   * or after another transaction recorded it, does not include; so the gas limit gets that margin.
   */
  private async sendCheckpointing(
    functionName: string,
    args: readonly unknown[],
    value?: bigint,
  ): Promise<TxResult> {
    let gas: bigint;
    try {
      gas = await this.clients.publicClient.estimateContractGas({
        address: this.address,
        abi: this.abi,
        functionName,
        args,
        value,
        account: this.clients.walletClient.account,
      });
    } catch (e) {
      throw toSettlementError(e, CONTRACT, `${CONTRACT}.${functionName}`);
    }
    return sendContractTx(
      this.clients,
      CONTRACT,
      { address: this.address, abi: this.abi, functionName, args, value },
      { gas: gas + CHECKPOINT_GAS_MARGIN },
    );
  }

  /** §1.3: registers `publicKey` (256 bytes) with its proof of possession, sending `stake`. */
  async register(publicKey: Hex, pop: Hex, stake: bigint): Promise<{ index: number; gasUsed: bigint }> {
    const tx = await this.sendCheckpointing('register', [publicKey, pop], stake);
    const [ev] = parseEventLogs({ abi: this.abi, logs: tx.receipt.logs, eventName: 'ValidatorRegistered' });
    const index = Number(argsOf(ev).index);
    this.keys.set(index, publicKey.toLowerCase() as Hex);
    return { index, gasUsed: tx.gasUsed };
  }

  /** §1.4: starts leaving (owner only). */
  async exit(index: number): Promise<{ gasUsed: bigint }> {
    return { gasUsed: (await this.send('exit', [index])).gasUsed };
  }

  /** §1.4: pays the stake back after the delays (owner only). */
  async withdraw(index: number): Promise<{ gasUsed: bigint }> {
    return { gasUsed: (await this.send('withdraw', [index])).gasUsed };
  }

  validatorCount(): Promise<number> {
    return this.read<number>('validatorCount').then(Number);
  }

  /** Every registered validator, from the ValidatorRegistered events and the current state. */
  async validators(): Promise<ValidatorInfo[]> {
    const logs = await this.events('ValidatorRegistered');
    const registered = logs.map(argsOf);
    return Promise.all(
      registered.map(async (a) => {
        const index = Number(a.index);
        const publicKey = (a.publicKey as Hex).toLowerCase() as Hex;
        this.keys.set(index, publicKey);
        const v = await this.read<{ exitAt: bigint; slashed: boolean; withdrawn: boolean }>('validator', [
          index,
        ]);
        return {
          index,
          owner: a.owner as Address,
          publicKey,
          activeFrom: a.activeFrom as bigint,
          exitAt: v.exitAt,
          slashed: v.slashed,
          withdrawn: v.withdrawn,
        };
      }),
    );
  }

  /**
   * The public keys of validators `indices` (from the registration events, cached). An index past
   * the registered count is refused by one call, without a scan of the events.
   */
  async publicKeys(indices: readonly number[]): Promise<Hex[]> {
    const missing = indices.filter((i) => !this.keys.has(i));
    if (missing.length > 0) {
      const count = await this.validatorCount();
      const unknown = missing.find((i) => i >= count);
      if (unknown !== undefined)
        throw new SettlementTxError(
          `validator ${unknown} is not registered on ValidatorCommittee ${this.address}`,
        );
      await this.validators();
    }
    return indices.map((i) => {
      const k = this.keys.get(i);
      if (!k)
        throw new SettlementTxError(`validator ${i} is not registered on ValidatorCommittee ${this.address}`);
      return k;
    });
  }

  // ---------------------------------------------------------------- §2 epochs

  /** §2.1: the epochs whose randomness is recorded (RandomnessRecorded events). */
  async checkpoints(): Promise<bigint[]> {
    const logs = await this.events('RandomnessRecorded');
    return logs.map((l) => argsOf(l).epoch as bigint);
  }

  /** §2.1: records the current epoch's randomness if nobody did yet. */
  checkpoint(): Promise<TxResult> {
    return this.sendCheckpointing('checkpoint', []);
  }

  /** §2.1: the checkpoint epoch a seal of `e` uses; undefined when there is none (e < 2). */
  async checkpointFor(e: bigint): Promise<bigint | undefined> {
    return seedCheckpoint(await this.checkpoints(), e);
  }

  /** §2.2 steps 1–2 as the contract computes them now (an eth_call): the committee and seed of `e`. */
  async sample(e: bigint, f?: bigint): Promise<{ members: number[]; seed: Hex; checkpoint: bigint }> {
    const checkpoint = f ?? (await this.checkpointFor(e));
    if (checkpoint === undefined)
      throw new SettlementTxError(
        `epoch ${e} has no seed: no randomness is recorded two epochs before it (§2.1)`,
      );
    const [members, seed] = await this.read<readonly [readonly number[], Hex]>('sampleCommittee', [
      e,
      checkpoint,
    ]);
    return { members: members.map(Number), seed, checkpoint };
  }

  /** §2.2: seals epoch `e` (the current or the next one), finding the checkpoint and the members' keys. */
  async sealEpoch(e: bigint): Promise<{ members: number[]; gasUsed: bigint }> {
    const { members, checkpoint } = await this.sample(e);
    const keys = await this.publicKeys(members);
    const tx = await this.sendCheckpointing('sealEpoch', [e, checkpoint, keys]);
    const [ev] = parseEventLogs({ abi: this.abi, logs: tx.receipt.logs, eventName: 'EpochSealed' });
    return { members: (argsOf(ev).members as readonly number[]).map(Number), gasUsed: tx.gasUsed };
  }

  /** Sealed epoch `e` (from its EpochSealed event); undefined when it is not sealed. */
  async epoch(e: bigint): Promise<EpochInfo | undefined> {
    const info = await this.read<{ size: number }>('epochInfo', [e]);
    if (Number(info.size) === 0) return undefined;
    const logs = await this.clients.publicClient.getContractEvents({
      address: this.address,
      abi: this.abi,
      eventName: 'EpochSealed',
      args: { epoch: e },
      fromBlock: this.fromBlock,
      toBlock: 'latest',
    });
    const a = logs.length > 0 ? argsOf(logs[0]) : undefined;
    if (!a)
      throw new SettlementTxError(
        `epoch ${e} is sealed but its EpochSealed event was not found from block ${this.fromBlock}`,
      );
    return {
      epoch: e,
      members: (a.members as readonly number[]).map(Number),
      threshold: Number(a.threshold),
      seed: a.seed as Hex,
    };
  }

  // ---------------------------------------------------------------- §3, §4 attestations

  /** §3.1 as the contract computes it (for cross-checks; src/attest/message.ts is the off-chain one). */
  digest(epoch: bigint, prevId: Hex, assertionId: Hex): Promise<Hex> {
    return this.read('digest', [epoch, prevId, assertionId]);
  }

  /** §4: the attestation's epoch if it is valid now, else a typed revert (VALIDATOR_COMMITTEE_*). */
  verifyAttestation(prevId: Hex, assertionId: Hex, att: Hex): Promise<bigint> {
    return this.read('verifyAttestation', [prevId, assertionId, att]);
  }

  /** eth_estimateGas of a verifyAttestation transaction, and its parts (typed revert if invalid). */
  async attestationGas(prevId: Hex, assertionId: Hex, att: Hex): Promise<AttestationGas> {
    const args = [prevId, assertionId, att] as const;
    let total: bigint;
    try {
      total = await this.clients.publicClient.estimateContractGas({
        address: this.address,
        abi: this.abi,
        functionName: 'verifyAttestation',
        args,
        account: this.clients.walletClient.account,
      });
    } catch (e) {
      throw toSettlementError(e, CONTRACT, `${CONTRACT}.verifyAttestation (estimateGas)`);
    }
    const calldata = calldataGas(this.encode('verifyAttestation', args));
    return { total, calldata, execution: total - 21_000n - calldata };
  }

  // ---------------------------------------------------------------- §5 accountability

  /** §5: slashes validator `index` for signing `a` and `b`, two different children of `prevId`. */
  async slashEquivocation(o: {
    index: number;
    publicKey: Hex;
    prevId: Hex;
    a: SignedAssertion;
    b: SignedAssertion;
  }): Promise<{ gasUsed: bigint }> {
    const tx = await this.send('slashEquivocation', [o.index, o.publicKey, o.prevId, o.a, o.b]);
    return { gasUsed: tx.gasUsed };
  }

  /** §5: slashes validators `indices` (ascending) whose aggregate `signature` is on a losing assertion. */
  async slashWrongRoot(o: {
    epoch: bigint;
    prevId: Hex;
    assertionId: Hex;
    indices: number[];
    keys: Hex[];
    signature: Hex;
  }): Promise<{ gasUsed: bigint }> {
    const keys = bytesToHex(concatBytes(o.keys.map((k) => hexToBytes(k))));
    const tx = await this.send('slashWrongRoot', [
      o.epoch,
      o.prevId,
      o.assertionId,
      o.indices,
      keys,
      o.signature,
    ]);
    return { gasUsed: tx.gasUsed };
  }

  /** Every slashing so far (ValidatorSlashed events), in order. */
  async slashed(): Promise<{ index: number; reason: SlashReason; by: Address }[]> {
    const logs = await this.events('ValidatorSlashed');
    return logs.map((l) => {
      const a = argsOf(l);
      return {
        index: Number(a.index),
        reason: Number(a.reason) === 1 ? 'equivocation' : 'wrong-root',
        by: a.by as Address,
      };
    });
  }
}

/** 4 / 16 gas per zero / non-zero byte of `data`. */
export function calldataGas(data: Hex): bigint {
  let gas = 0n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === '00' ? 4n : 16n;
  return gas;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
