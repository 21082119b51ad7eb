/**
 * viem bindings of the assertion chain and the challenge manager (contracts/settlement/Rollup.sol,
 * ChallengeManager.sol; docs/dispute.md): assertions, stakes, edges, dissections, timers and
 * one-step proofs. Every write waits for its receipt and returns its gas (the dispute bench sums it).
 */
import './dispute-errors.ts';
import { type Abi, type Address, type Hex, parseEventLogs } from 'viem';
import { getArtifact } from '../../l1/contracts.ts';
import { ContractClient } from './contract-client.ts';
import {
  type AssertionData,
  assertionId,
  type EdgeRef,
  nextBlockCount,
  nodeHex,
  type SolGlobalState,
  stateHash,
} from './dispute-hash.ts';
import { registerRevertDescriptions, revertOf } from './errors.ts';
import type { L1Clients, TxResult } from './inbox.ts';
import { validatorCommitteeAbi } from './validator-committee.ts';

/** docs/attested.md §4: Rollup.confirmAttested's own reverts (the committee's come from ValidatorCommittee). */
registerRevertDescriptions('Rollup', {
  AttestationsDisabled: () =>
    'this rollup was deployed without a validator committee (proof.module is not "attested"): confirm by time or by the dispute instead',
  HasRival: ([prevId]) =>
    `the predecessor ${prevId} has rival children: the dispute decides which one is confirmed, an attestation cannot`,
  NoHybridDisputes: () =>
    'this rollup has no prove window (proof.disputes is not "validity", docs/validity.md §6): dispute with a rival assertion instead',
  AlreadyChallenged: ([id]) =>
    `assertion ${id} is challenged already: prove it, or wait for its prove window to end`,
  ChallengePeriodOver: ([endedAt]) =>
    `the assertion's challenge period ended at ${endedAt}: it can no longer be challenged (it can be confirmed)`,
  Challenged: ([id, proveBy]) =>
    `assertion ${id} is challenged: only a validity proof until ${proveBy} confirms it (then rejectUnproven)`,
  NotChallenged: ([id]) => `assertion ${id} was never challenged: nothing to reject`,
  ProveWindowOpen: ([closesAt]) => `the prove window is open until ${closesAt}: a proof may still come`,
  ProveWindowOver: ([closedAt]) =>
    `the prove window closed at ${closedAt}: the challenged assertion can only be rejected now (docs/validity.md §6)`,
});

const INBOX_COUNT_ABI = [
  {
    type: 'function',
    name: 'messageCount',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ type: 'uint64' }],
  },
] as const;

type ContractName = 'Rollup' | 'ChallengeManager' | 'ValidityVerifier';
const abis = new Map<string, Promise<Abi>>();
function abiOf(name: ContractName): Promise<Abi> {
  let a = abis.get(name);
  if (!a) {
    a = getArtifact(name).then((x) => x.abi);
    abis.set(name, a);
  }
  return a;
}

/**
 * The assertion `createAssertion(prev, end, historyInner)` creates while the inbox holds
 * `inboxCount` messages (docs/dispute.md §2.2; `Rollup._next`): what members sign before
 * `createAttestedAssertion` (docs/attested.md §4). A message posted before it is mined changes its
 * `nextInboxPosition`, and so its id.
 */
export function predictAssertion(
  prev: AssertionData,
  end: SolGlobalState,
  historyInner: Hex,
  inboxCount: bigint,
  layerZeroHeight: number,
): AssertionData {
  const target = prev.end.inboxPosition + BigInt(nextBlockCount(prev, layerZeroHeight));
  const prevStateHash = stateHash(prev.end);
  return {
    prevId: assertionId(prev),
    prevStateHash,
    blockCount: target - prev.end.inboxPosition,
    end,
    historyRoot: nodeHex(prevStateHash, stateHash(end), historyInner),
    nextInboxPosition: inboxCount > target ? inboxCount : target + 1n,
  };
}

/** An assertion as its AssertionCreated event tells it. */
export interface AssertionRecord {
  id: Hex;
  prevId: Hex;
  asserter: Address;
  data: AssertionData;
  blockNumber: bigint;
}

/** `rejected`: challenged and not proven within the prove window (docs/validity.md §6) */
export type AssertionStatus = 'none' | 'pending' | 'confirmed' | 'rejected';
const STATUS: AssertionStatus[] = ['none', 'pending', 'confirmed', 'rejected'];

export class RollupClient extends ContractClient {
  static async at(clients: L1Clients, address: Address): Promise<RollupClient> {
    // the committee's (or the ValidityVerifier's, docs/validity.md §5) errors bubble up through
    // confirmAttested / createAttestedAssertion: decode them too (an app binding's are the app's)
    const own = await abiOf('Rollup');
    const names = new Set(own.filter((x) => x.type === 'error').map((x) => (x as { name: string }).name));
    const verifiers = [...(await validatorCommitteeAbi()), ...(await abiOf('ValidityVerifier'))];
    const extra = verifiers.filter((x) => {
      const name = (x as { name?: string }).name ?? '';
      if (x.type !== 'error' || names.has(name)) return false;
      names.add(name);
      return true;
    });
    return new RollupClient(clients, address, [...own, ...extra] as Abi, 'Rollup');
  }

  /** The same contract, sending from another wallet. */
  as(clients: L1Clients): RollupClient {
    return new RollupClient(clients, this.address, this.abi, 'Rollup');
  }

  /** §2.2. `value` is the bond for a first-time staker (0 when already staked). */
  async createAssertion(
    prev: AssertionData,
    end: SolGlobalState,
    historyInner: Hex,
    value = 0n,
  ): Promise<TxResult & { id: Hex; data: AssertionData }> {
    const tx = await this.send('createAssertion', [prev, end, historyInner], value);
    const [ev] = parseEventLogs({ abi: this.abi, logs: tx.receipt.logs, eventName: 'AssertionCreated' });
    const args = (ev as unknown as { args: { id: Hex; data: AssertionData } }).args;
    return { ...tx, id: args.id, data: args.data };
  }

  confirmAssertion(a: AssertionData): Promise<TxResult> {
    return this.send('confirmAssertion', [a]);
  }

  /**
   * docs/attested.md §4: confirms pending `a` at once with a quorum's attestation (§3.2 bytes).
   * Reverts: AttestationsDisabled, NotPending, PrevNotLatestConfirmed, HasRival (Rollup), and every
   * check of ValidatorCommittee.verifyAttestation (contract ValidatorCommittee).
   */
  async confirmAttested(a: AssertionData, att: Hex): Promise<{ gasUsed: bigint; txHash: Hex }> {
    const tx = await this.send('confirmAttested', [a, att]);
    return { gasUsed: tx.gasUsed, txHash: tx.txHash };
  }

  /**
   * docs/attested.md §4: creates the assertion after `prev` and confirms it in one transaction with
   * a quorum's attestation `att` of the id it gets (`predictAssertion`). `value` is the bond for a
   * first-time staker. Reverts: every revert of `createAssertion`, then AttestationsDisabled,
   * PrevNotLatestConfirmed, HasRival (Rollup) and every check of verifyAttestation (contract
   * ValidatorCommittee; a wrong prediction is BadAggregateSignature).
   */
  async createAttestedAssertion(
    prev: AssertionData,
    end: SolGlobalState,
    historyInner: Hex,
    att: Hex,
    value = 0n,
  ): Promise<TxResult & { id: Hex; data: AssertionData }> {
    const tx = await this.send('createAttestedAssertion', [prev, end, historyInner, att], value);
    const [ev] = parseEventLogs({ abi: this.abi, logs: tx.receipt.logs, eventName: 'AssertionCreated' });
    const args = (ev as unknown as { args: { id: Hex; data: AssertionData } }).args;
    return { ...tx, id: args.id, data: args.data };
  }

  /**
   * docs/validity.md §6 (hybrid disputes): challenges pending `a` within its challenge period with
   * `value` = the assertion bond; it must then be proven within the prove window. Reverts:
   * NoHybridDisputes, NotPending, AlreadyChallenged, ChallengePeriodOver, WrongBond.
   */
  challenge(a: AssertionData, value: bigint): Promise<TxResult> {
    return this.send('challenge', [a], value);
  }

  /**
   * docs/validity.md §6: rejects challenged `a` once its prove window is over without a proof (the
   * bonds to the challenger). Reverts: NotChallenged, NotPending, ProveWindowOpen.
   */
  rejectUnproven(a: AssertionData): Promise<TxResult> {
    return this.send('rejectUnproven', [a]);
  }

  /** docs/validity.md §6: who challenged `id` and when (a zero challenger: not challenged). */
  async challengeOf(id: Hex): Promise<{ challenger: Address; at: bigint }> {
    const [challenger, at] = await this.read<readonly [Address, number]>('challenges', [id]);
    return { challenger, at: BigInt(at) };
  }

  /** docs/validity.md §6: seconds a challenged assertion has to be proven (0: no hybrid disputes). */
  proveWindow(): Promise<bigint> {
    return this.read('proveWindow');
  }

  /** The inbox's message count now (`nextInboxPosition` of an assertion created now, §2.2). */
  async inboxCount(): Promise<bigint> {
    const inbox = await this.read<Address>('inbox');
    return this.clients.publicClient.readContract({
      address: inbox,
      abi: INBOX_COUNT_ABI,
      functionName: 'messageCount',
    });
  }

  /** The committee whose attestations confirm at once (the zero address: none). */
  committee(): Promise<Address> {
    return this.read('committee');
  }

  withdrawStake(): Promise<TxResult> {
    return this.send('withdrawStake', []);
  }

  slash(staker: Address, chain: AssertionData[]): Promise<TxResult> {
    return this.send('slash', [staker, chain]);
  }

  async status(id: Hex): Promise<AssertionStatus> {
    return STATUS[Number(await this.read<number>('assertionStatus', [id]))] ?? 'none';
  }

  hasRival(id: Hex): Promise<boolean> {
    return this.read('hasRival', [id]);
  }

  /** the confirmed child of `id`, or the zero hash */
  confirmedChild(id: Hex): Promise<Hex> {
    return this.read('confirmedChild', [id]);
  }

  latestConfirmed(): Promise<Hex> {
    return this.read('latestConfirmed');
  }

  latestStaked(staker: Address): Promise<Hex> {
    return this.read('latestStakedAssertion', [staker]);
  }

  assertionBond(): Promise<bigint> {
    return this.read('assertionBond');
  }

  challengePeriod(): Promise<bigint> {
    return this.read('challengePeriod');
  }

  isConfirmedSendRoot(root: Hex): Promise<boolean> {
    return this.read('isConfirmedSendRoot', [root]);
  }

  /** Whether `a` (without rivals) is past its challenge period at the latest block (§2.3). */
  async canConfirmByTime(a: AssertionData): Promise<boolean> {
    const [node, period, block] = await Promise.all([
      this.read<readonly [number, boolean, number, number, Address]>('nodes', [assertionId(a)]),
      this.challengePeriod(),
      this.clients.publicClient.getBlock({ blockTag: 'latest' }),
    ]);
    return Number(node[0]) === 1 && block.timestamp >= BigInt(node[2]) + period;
  }

  layerZeroEdgeId(a: AssertionData): Promise<Hex> {
    return this.read('layerZeroEdgeId', [a]);
  }

  /** Who created (and staked on) assertion `id`: swept edge bonds go to it (docs/dispute.md §4.4). */
  asserterOf(id: Hex): Promise<Address> {
    return this.read('asserterOf', [id]);
  }

  /** Every assertion created in [fromBlock, toBlock] (the genesis one included), in creation order. */
  async assertions(fromBlock = 0n, toBlock?: bigint): Promise<AssertionRecord[]> {
    const logs = await this.clients.publicClient.getLogs({
      address: this.address,
      fromBlock,
      toBlock: toBlock ?? 'latest',
    });
    return parseEventLogs({ abi: this.abi, logs, eventName: 'AssertionCreated' }).map((l) => {
      const a = (l as unknown as { args: { id: Hex; prevId: Hex; asserter: Address; data: AssertionData } })
        .args;
      return { id: a.id, prevId: a.prevId, asserter: a.asserter, data: a.data, blockNumber: l.blockNumber };
    });
  }
}

/** (exists, rivaled, timer total, confirmed, dissected) of an edge (ChallengeManager.edgeStatus). */
export interface EdgeStatus {
  exists: boolean;
  rivaled: boolean;
  total: bigint;
  confirmed: boolean;
  dissected: boolean;
}

export class ChallengeClient extends ContractClient {
  static async at(clients: L1Clients, address: Address): Promise<ChallengeClient> {
    // the one-step prover's errors bubble up through confirmEdgeByOneStepProof: decode them too
    const prover = (await getArtifact('OneStepProver')).abi.filter((x) => x.type === 'error');
    const abi = [...(await abiOf('ChallengeManager')), ...prover] as Abi;
    return new ChallengeClient(clients, address, abi, 'ChallengeManager');
  }

  as(clients: L1Clients): ChallengeClient {
    return new ChallengeClient(clients, this.address, this.abi, 'ChallengeManager');
  }

  edgeBond(): Promise<bigint> {
    return this.read('edgeBond');
  }

  /** Every top edge (any level) created since `fromBlock`, from the EdgeCreated events. */
  async topEdges(fromBlock = 0n): Promise<{ id: Hex; key: Hex; edge: EdgeRef; payer: Address }[]> {
    const logs = await this.clients.publicClient.getLogs({
      address: this.address,
      fromBlock,
      toBlock: 'latest',
    });
    return parseEventLogs({ abi: this.abi, logs, eventName: 'EdgeCreated' })
      .map((l) => (l as unknown as { args: { id: Hex; key: Hex; edge: EdgeRef; payer: Address } }).args)
      .map((a) => ({
        id: a.id,
        key: a.key,
        edge: { ...a.edge, level: Number(a.edge.level), w: Number(a.edge.w) },
        payer: a.payer,
      }));
  }

  async levelHeights(): Promise<number[]> {
    return (await this.read<readonly number[]>('levelHeights')).map(Number);
  }

  initialMachineHash(globalStateHash: Hex): Promise<Hex> {
    return this.read('initialMachineHash', [globalStateHash]);
  }

  async edgeStatus(e: EdgeRef): Promise<EdgeStatus> {
    const [exists, rivaled, total, confirmed, dissected] = await this.read<
      [boolean, boolean, bigint, boolean, boolean]
    >('edgeStatus', [e]);
    return { exists, rivaled, total, confirmed, dissected };
  }

  edgeConfirmed(id: Hex): Promise<boolean> {
    return this.read('edgeConfirmed', [id]);
  }

  /** Whether top edge `id` still holds its bond (not refunded or swept yet). */
  bondHeld(id: Hex): Promise<boolean> {
    return this.read('bondHeld', [id]);
  }

  createLayerZeroEdge(a: AssertionData, bond: bigint): Promise<TxResult> {
    return this.send('createLayerZeroEdge', [a], bond);
  }

  createBlockStepEdge(
    c: EdgeRef,
    start: SolGlobalState,
    claimedEnd: Hex,
    endMachine: Hex[],
    inner: Hex,
    bond: bigint,
  ): Promise<TxResult> {
    return this.send('createBlockStepEdge', [c, start, claimedEnd, endMachine, inner], bond);
  }

  createStepSubEdge(c: EdgeRef, claimedEnd: Hex, inner: Hex, bond: bigint): Promise<TxResult> {
    return this.send('createStepSubEdge', [c, claimedEnd, inner], bond);
  }

  dissect(e: EdgeRef, boundaries: Hex[], inners: Hex[]): Promise<TxResult> {
    return this.send('dissect', [e, boundaries, inners]);
  }

  updateTimerCacheByChildren(e: EdgeRef, boundaries: Hex[], inners: Hex[]): Promise<TxResult> {
    return this.send('updateTimerCacheByChildren', [e, boundaries, inners]);
  }

  updateTimerCacheByClaim(c: EdgeRef, sub: EdgeRef): Promise<TxResult> {
    return this.send('updateTimerCacheByClaim', [c, sub]);
  }

  confirmEdgeByOneStepProof(e: EdgeRef, proof: Hex): Promise<TxResult> {
    return this.send('confirmEdgeByOneStepProof', [e, proof]);
  }

  confirmEdgeByPadding(e: EdgeRef): Promise<TxResult> {
    return this.send('confirmEdgeByPadding', [e]);
  }

  confirmEdgeByTime(e: EdgeRef): Promise<TxResult> {
    return this.send('confirmEdgeByTime', [e]);
  }

  multicall(calls: Hex[]): Promise<TxResult> {
    return this.send('multicall', [calls]);
  }

  /** Why `multicall(calls)` would revert now (an eth_call), or undefined when it would succeed. */
  async whyNot(calls: Hex[]): Promise<string | undefined> {
    try {
      await this.clients.publicClient.simulateContract({
        account: this.clients.walletClient.account,
        address: this.address,
        abi: this.abi,
        functionName: 'multicall',
        args: [calls],
      });
      return undefined;
    } catch (e) {
      const r = revertOf(e);
      return r ? `${r.errorName}(${r.args.join(', ')})` : (e as Error).message.split('\n')[0];
    }
  }

  refundEdgeBond(e: EdgeRef): Promise<TxResult> {
    return this.send('refundEdgeBond', [e]);
  }

  sweepEdgeBond(loser: EdgeRef, winner: EdgeRef): Promise<TxResult> {
    return this.send('sweepEdgeBond', [loser, winner]);
  }
}

/** The preimage oracle's binding lives in preimage-oracle.ts (re-exported for existing importers). */
export { PreimageOracleClient } from './preimage-oracle.ts';
