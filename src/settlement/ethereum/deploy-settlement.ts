/**
 * Deploys the whole ethereum settlement layer of one chain (docs/dispute.md §1, docs/inbox.md):
 * Inbox → PreimageOracle → OneStepProver(inbox, oracle) → ChallengeManager(prover, module, params)
 * → [ValidatorCommittee(params), with `attested`] → Rollup(inbox, challengeManager, genesis,
 * committee, `attestationVerifier`'s or 0) → ChallengeManager.initialize(rollup) → [committee.initialize(rollup)] →
 * Bridge(inbox, rollup) wired into the inbox. Returns the addresses and clients.
 */
import { type Address, type Hex, zeroAddress } from 'viem';
import { ModexError } from '../../core/errors.ts';
import type { L1, L1WalletClient } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { BridgeClient, deployBridge } from './bridge.ts';
import type { SolGlobalState } from './dispute-hash.ts';
import { deployInbox, InboxClient, sendContractTx } from './inbox.ts';
import { ChallengeClient, PreimageOracleClient, RollupClient } from './rollup.ts';
import {
  type CommitteeParams,
  deployValidatorCommittee,
  type ValidatorCommitteeClient,
} from './validator-committee.ts';

export interface DisputeParams {
  /** heights[0]: block level; heights[1..]: step levels (dispute.md §1) */
  heights: number[];
  /** seconds */
  challengePeriod: bigint;
  assertionBond: bigint;
  edgeBond: bigint;
}

/**
 * dispute.md §1's defaults: 2^8 messages per assertion, 2^36 steps per block in three levels of
 * 2^12 (the bottom level hashes every step of a 4096-step range, so a validator's histories stay
 * cheap whatever the block's size), 60 s.
 */
export const DEFAULT_DISPUTE_PARAMS: DisputeParams = {
  heights: [8, 12, 12, 12],
  challengePeriod: 60n,
  assertionBond: 10n ** 18n,
  edgeBond: 10n ** 17n,
};

export interface SettlementAddresses {
  inbox: Address;
  oracle: Address;
  prover: Address;
  challengeManager: Address;
  rollup: Address;
  bridge: Address;
  /** the ValidatorCommittee (docs/attested.md), when the chain is attested */
  committee?: Address;
  /** the `attestationVerifier` deployed in the committee slot (e.g. a ValidityVerifier) */
  attestationVerifier?: Address;
}

export interface SettlementDeployment {
  addresses: SettlementAddresses;
  /** L1 block of the first deployment: readers scan logs from here */
  deployBlock: bigint;
  params: DisputeParams;
  genesis: SolGlobalState;
  inbox: InboxClient;
  oracle: PreimageOracleClient;
  rollup: RollupClient;
  challenges: ChallengeClient;
  bridge: BridgeClient;
  /** the validator committee's client, when the chain is attested (docs/attested.md) */
  committee?: ValidatorCommitteeClient;
}

export async function deploySettlement(
  l1: L1,
  p: {
    sequencer: Address;
    maxDelaySeconds: bigint | number;
    /** the STF's 5 module words (docs/machine.md §4.3) */
    moduleFields: Hex[];
    genesis: SolGlobalState;
    params?: DisputeParams;
    /** deploy a ValidatorCommittee with these parameters and let it confirm (docs/attested.md) */
    attested?: CommitteeParams;
    /**
     * deploys the contract for the Rollup's `committee` slot once the inbox exists, e.g. a
     * ValidityVerifier (docs/validity.md §5, zk-rollup confirmation); not with `attested`
     */
    attestationVerifier?: (inbox: Address) => Promise<Address>;
    /**
     * docs/validity.md §6, hybrid disputes: seconds a challenged assertion has to be proven by the
     * validity verifier in the committee slot (default 0: no challenges without bisection)
     */
    proveWindow?: bigint | number;
  },
): Promise<SettlementDeployment> {
  const params = p.params ?? DEFAULT_DISPUTE_PARAMS;
  const inbox = await deployInbox(l1, { sequencer: p.sequencer, maxDelaySeconds: p.maxDelaySeconds });
  const oracle = await deploy(l1, await getArtifact('PreimageOracle'));
  const prover = await deploy(l1, await getArtifact('OneStepProver'), [inbox.address, oracle.address]);
  const cmArtifact = await getArtifact('ChallengeManager');
  const cm = await deploy(l1, cmArtifact, [
    prover.address,
    p.moduleFields,
    params.heights,
    params.challengePeriod,
    params.edgeBond,
  ]);
  const committee = p.attested ? await deployValidatorCommittee(l1, p.attested) : undefined;
  if (committee && p.attestationVerifier)
    throw new ModexError(
      'SETTLEMENT_BAD_DEPLOYMENT',
      'deploySettlement: `attested` and `attestationVerifier` both fill the Rollup’s committee slot; pass one',
    );
  const verifier = p.attestationVerifier ? await p.attestationVerifier(inbox.address) : undefined;
  if (p.proveWindow && !verifier && !committee)
    throw new ModexError(
      'SETTLEMENT_BAD_DEPLOYMENT',
      'deploySettlement: a prove window (hybrid disputes) needs a validity verifier in the committee slot (`attestationVerifier`)',
    );
  const rollup = await deploy(l1, await getArtifact('Rollup'), [
    inbox.address,
    cm.address,
    params.assertionBond,
    params.challengePeriod,
    p.genesis,
    committee?.address ?? verifier ?? zeroAddress,
    BigInt(p.proveWindow ?? 0),
  ]);
  await sendContractTx(l1, 'ChallengeManager', {
    address: cm.address,
    abi: cmArtifact.abi,
    functionName: 'initialize',
    args: [rollup.address],
  });
  if (committee) await committee.initialize(rollup.address);
  const bridge = await deployBridge(l1, { inbox: inbox.address, sendRoots: rollup.address });
  const addresses: SettlementAddresses = {
    inbox: inbox.address,
    oracle: oracle.address,
    prover: prover.address,
    challengeManager: cm.address,
    rollup: rollup.address,
    bridge: bridge.address,
    ...(committee ? { committee: committee.address } : {}),
    ...(verifier ? { attestationVerifier: verifier } : {}),
  };
  return {
    addresses,
    deployBlock: inbox.deployBlock,
    params,
    genesis: p.genesis,
    inbox: await InboxClient.attach(l1, inbox.address, { fromBlock: inbox.deployBlock }),
    oracle: await PreimageOracleClient.at(l1, oracle.address),
    rollup: await RollupClient.at(l1, rollup.address),
    challenges: await ChallengeClient.at(l1, cm.address),
    bridge: await BridgeClient.attach(l1, bridge.address),
    ...(committee ? { committee } : {}),
  };
}

/** The deployment's clients, with writes signed by `wallet` (one validator's or user's view). */
export function connectSettlement(
  s: SettlementDeployment,
  wallet: L1WalletClient,
): Pick<SettlementDeployment, 'inbox' | 'oracle' | 'rollup' | 'challenges' | 'bridge' | 'committee'> {
  const clients = { publicClient: s.rollup.clients.publicClient, walletClient: wallet };
  return {
    inbox: s.inbox.connect(wallet),
    oracle: s.oracle.as(clients),
    rollup: s.rollup.as(clients),
    challenges: s.challenges.as(clients),
    bridge: s.bridge.connect(wallet),
    ...(s.committee ? { committee: s.committee.as(clients) } : {}),
  };
}
