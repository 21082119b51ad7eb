/**
 * The node's roles (docs/node.md): the sequencer role (sequencer + JSON-RPC + batcher) and the
 * validator role (derivation + validator), each against any settlement endpoint, and the deployment
 * file that tells separate processes where the chain's contracts are.
 *
 * A role creates each layer's module through the registry (src/modules.ts) from the chain config —
 * a config naming a planned module is refused before anything starts — and hands the node code the
 * interfaces: the sequencer its `Sequencing`, the validator its `ProofSystem`. The settlement
 * module attaches the contracts' clients itself (`attachChain`); the fraud proof system gets the
 * ones it disputes through in its context.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { rpcExtensionFor } from '../apps/rpc-extensions.ts';
import { type AppSource, appLimitsOf, appSourceOf, loadApp, type WasmApp } from '../apps/sdk/app-runtime.ts';
import { withDefaults } from '../config/defaults.ts';
import type { ChainConfig } from '../config/types.ts';
import type { DataAvailability } from '../core/da.ts';
import { ModexError } from '../core/errors.ts';
import type { ProofSystem } from '../core/proof.ts';
import type { Sequencing } from '../core/sequencing.ts';
import type { ExecutionVm } from '../core/vm.ts';
import { createExplorer } from '../explorer/index.ts';
import type { L1 } from '../l1/anvil.ts';
import { assertModules, createModule, createProof, type NodeSettlement } from '../modules.ts';
import { moduleFieldsHex } from '../proof/fraud/claim.ts';
import type { FraudClaim } from '../proof/fraud/proof-system.ts';
import {
  DEFAULT_DISPUTE_PARAMS,
  type DisputeParams,
  deploySettlement,
  type SettlementAddresses,
  type SettlementDeployment,
} from '../settlement/ethereum/deploy-settlement.ts';
import type { SolGlobalState } from '../settlement/ethereum/dispute-hash.ts';
import { toSolState } from '../settlement/ethereum/dispute-hash.ts';
import { type L1Clients, walletFor } from '../settlement/ethereum/inbox.ts';
import type { EthereumContracts } from '../settlement/ethereum/settlement-module.ts';
import type { CommitteeParams } from '../settlement/ethereum/validator-committee.ts';
import { AppChain } from './app-chain.ts';
import type { AttestationSink } from './attestation-gossip.ts';
import { type AttestationPool, Attester, type SigningPolicy, type ValidatorKey } from './attester.ts';
import { BatchFeeder } from './batch-feeder.ts';
import { type BatcherWorker, batcherWorkerFor } from './batcher-worker.ts';
import { WorkerExecutor } from './block-worker.ts';
import {
  type CommitteeDeployment,
  committeeMinLifetime,
  daForConfig,
  deployCommittee,
} from './da-modules.ts';
import { Derivation } from './derivation.ts';
import { attestationMethods, FollowerRpc } from './follower-rpc.ts';
import { NodeMetrics } from './metrics.ts';
import {
  observeL1Tx,
  observePosted,
  transactionObserver,
  watchSequencer,
  watchValidator,
} from './metrics-hooks.ts';
import { checkAgainstL1, type L1CheckResult, RecoveryFailedError } from './recovery.ts';
import { type RpcServer, startRpcServer } from './rpc.ts';
import { Sequencer } from './sequencer.ts';
import { Validator } from './validator.ts';
import type { ProverFollower } from './validity-prover.ts';

/** `deployment.json`: where one chain's contracts are (written by `modex deploy` and the devnet). */
export interface DeploymentFile {
  version: 1;
  /** the settlement layer's chain id */
  chainId: number;
  /** the app: a built-in app's name (`vm.app`), or the name of the `.wasm` given as `vm.stf` */
  app: string;
  /** `vm.stf`: the app's `.wasm` (an absolute path) */
  stf?: string;
  /** the chain's own id (the config's `chain.chainId`), given to the app at genesis (docs/app-abi.md §2) */
  appChainId: string;
  /** the app's module root (checked against the wasm the roles load) */
  moduleRoot: Hex;
  deployBlock: string;
  addresses: SettlementAddresses;
  params: { heights: number[]; challengePeriod: string; assertionBond: string; edgeBond: string };
  genesis: { stateRoot: Hex; sendRoot: Hex; inboxPosition: string; positionInMessage: string };
  /** committee DA: the CommitteeKeysets contract (the inbox's certificate verifier) and the keyset registered */
  committee?: CommitteeDeployment;
  /** validity proofs (docs/validity.md §6): the app's circuit and its L1 side (`addresses.attestationVerifier`: the ValidityVerifier) */
  validity?: ValidityDeployment;
}

/** A validity chain's circuit and L1 side, as `modex deploy` set them up (src/node/validity-chain.ts). */
export interface ValidityDeployment {
  /** zk-rollup: `proof.module "validity"`; hybrid: `proof.disputes "validity"` */
  mode: 'zk-rollup' | 'hybrid';
  /** the name of the app whose circuit proves the chain (the prover loads it as the roles load the app: `stf`, else `app`) */
  app: string;
  /** snarkjs's Groth16Verifier of the circuit, and the app's IValidityBinding */
  groth16: Address;
  binding: Address;
  /** the circuit's records per proof, constraints, and whether its keys are INSECURE development keys */
  chunkSize: number;
  constraints: number;
  insecure: boolean;
}

export class DeploymentFileError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NODE_DEPLOYMENT_INVALID', message, options);
  }
}

export function deploymentFile(
  s: SettlementDeployment,
  chainId: number,
  app: { name: string; stf?: string; chainId: bigint; moduleRoot: Hex },
): DeploymentFile {
  return {
    version: 1,
    chainId,
    app: app.name,
    ...(app.stf ? { stf: app.stf } : {}),
    appChainId: app.chainId.toString(),
    moduleRoot: app.moduleRoot,
    deployBlock: s.deployBlock.toString(),
    addresses: s.addresses,
    params: {
      heights: s.params.heights,
      challengePeriod: s.params.challengePeriod.toString(),
      assertionBond: s.params.assertionBond.toString(),
      edgeBond: s.params.edgeBond.toString(),
    },
    genesis: {
      stateRoot: s.genesis.stateRoot,
      sendRoot: s.genesis.sendRoot,
      inboxPosition: s.genesis.inboxPosition.toString(),
      positionInMessage: s.genesis.positionInMessage.toString(),
    },
  };
}

/** The dispute parameters a chain config asks for (docs/dispute.md §1: edge bond = bond / 10). */
/** docs/validity.md §6: zk-rollup mode never confirms by time (the longest period the Rollup holds) */
export const NO_CONFIRMATION_BY_TIME = 2n ** 64n - 1n;

/** True when the chain's assertions are proven (zk-rollup) or its disputes decided (hybrid) by validity proofs. */
export function provenByValidity(config: Pick<ChainConfig, 'proof'>): boolean {
  return config.proof.module === 'validity' || config.proof.disputes === 'validity';
}

export function disputeParamsOf(config: Pick<ChainConfig, 'proof'>): DisputeParams {
  const bond = BigInt(config.proof.bond);
  return {
    ...DEFAULT_DISPUTE_PARAMS,
    challengePeriod:
      config.proof.module === 'validity'
        ? NO_CONFIRMATION_BY_TIME
        : BigInt(config.proof.challengePeriodSeconds),
    assertionBond: bond,
    edgeBond: bond / 10n,
  };
}

/** The validator committee a chain config asks for (`proof.attested`, docs/attested.md §1.1). */
export function committeeParamsOf(config: Pick<ChainConfig, 'proof'>): CommitteeParams {
  const a = config.proof.attested;
  if (!a)
    throw new ModexError(
      'NODE_ATTESTED_CONFIG_MISSING',
      'proof.module "attested" needs proof.attested (load the config with loadConfig, which fills the defaults)',
    );
  return {
    activeSize: a.activeSize,
    assumedHonest: a.assumedHonest,
    epochBlocks: a.epochBlocks,
    stake: BigInt(a.stake),
    entryDelayEpochs: a.entryDelayEpochs,
    exitDelayEpochs: a.exitDelayEpochs,
    withdrawalDelayEpochs: a.withdrawalDelayEpochs,
    slashRewardPercent: a.slashRewardPercent,
  };
}

/**
 * Deploys the settlement layer of a chain config's app (`vm.app`, a built-in one, or `vm.stf`, a
 * built `.wasm`) from `l1`'s first account; the sequencer defaults to that account. The genesis
 * state is the app's (`modex_genesis` with `chain.chainId`). Returns the deployment and its file.
 */
export async function deployForConfig(
  l1: L1,
  config: Pick<ChainConfig, 'vm' | 'proof' | 'sequencing' | 'da' | 'chain'>,
  opts: {
    sequencer?: Address;
    /** validity proofs (docs/validity.md §5): deploys the Rollup's verifier once the inbox exists */
    validityVerifier?: (inbox: Address) => Promise<Address>;
  } = {},
): Promise<{ settlement: SettlementDeployment; app: WasmApp; source: AppSource; file: DeploymentFile }> {
  if (provenByValidity(config) && !opts.validityVerifier)
    throw new ModexError(
      'NODE_VALIDITY_VERIFIER_MISSING',
      'this chain is proven by validity proofs (docs/validity.md §6): deploy it with `deployValidityChain` (src/node/validity-chain.ts), which sets up the circuit keys and deploys the verifier and binding',
    );
  const source = appSourceOf(config.vm);
  const app = loadApp(source.bytes, source.name, { limits: appLimitsOf(config.vm.limits) });
  const chainId = BigInt(config.chain.chainId);
  const settlement = await deploySettlement(l1, {
    sequencer: opts.sequencer ?? l1.accounts[0].address,
    maxDelaySeconds: config.sequencing.maxDelaySeconds,
    moduleFields: moduleFieldsHex(app.program),
    genesis: toSolState(app.genesis(chainId)),
    params: disputeParamsOf(config),
    ...(config.proof.module === 'attested' ? { attested: committeeParamsOf(config) } : {}),
    ...(opts.validityVerifier ? { attestationVerifier: opts.validityVerifier } : {}),
    // docs/validity.md §6: hybrid disputes' prove window
    ...(config.proof.disputes === 'validity' && config.proof.validity
      ? { proveWindow: BigInt(config.proof.validity.proveWindowSeconds) }
      : {}),
  });
  const file = deploymentFile(settlement, l1.chainId, {
    name: source.name,
    stf: config.vm.stf ? source.path : undefined,
    chainId,
    moduleRoot: app.moduleRoot,
  });
  if (config.da.module === 'committee')
    file.committee = await deployCommittee(l1, settlement.inbox, config.da, committeeMinLifetime(config));
  return { settlement, app, source, file };
}

/**
 * The app of a deployment: its wasm (the `stf` file, or the built-in app's) and the chain id of its
 * genesis. Throws when the wasm's module root is not the one deployed.
 */
export function appOfDeployment(d: DeploymentFile): { source: AppSource; chainId: bigint } {
  if (d.stf && !existsSync(d.stf))
    throw new DeploymentFileError(
      `the deployment's app ${d.stf} does not exist (build it, or copy it there)`,
    );
  const source = appSourceOf(d.stf ? { stf: d.stf } : { app: d.app });
  const root = loadApp(source.bytes, source.name).moduleRoot;
  if (root !== d.moduleRoot)
    throw new DeploymentFileError(
      `app ${d.stf ?? d.app} has module root ${root}, the deployment's is ${d.moduleRoot} (rebuilt since the deployment?)`,
    );
  return { source, chainId: BigInt(d.appChainId) };
}

export function writeDeploymentFile(path: string, d: DeploymentFile): void {
  mkdirSync(dirname(path), { recursive: true }); // e.g. `modex devnet --data-dir NEW_DIR`
  writeFileSync(path, `${JSON.stringify(d, null, 2)}\n`);
}

const ADDRESS_KEYS: (keyof SettlementAddresses)[] = [
  'inbox',
  'oracle',
  'prover',
  'challengeManager',
  'rollup',
  'bridge',
];

export function readDeploymentFile(path: string): DeploymentFile {
  let d: DeploymentFile;
  try {
    d = JSON.parse(readFileSync(path, 'utf8')) as DeploymentFile;
  } catch (e) {
    throw new DeploymentFileError(`cannot read deployment file ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const bad = (what: string) =>
    new DeploymentFileError(
      `deployment file ${path}: ${what} (write it with \`npx modex deploy --out ${path}\`)`,
    );
  if (d?.version !== 1) throw bad('version must be 1');
  for (const k of ADDRESS_KEYS) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(d.addresses?.[k] ?? '')) throw bad(`addresses.${k} is not an address`);
  }
  if (!Array.isArray(d.params?.heights) || d.params.heights.length < 2)
    throw bad('params.heights must list ≥ 2 heights');
  if (!/^\d+$/.test(d.deployBlock ?? '')) throw bad('deployBlock must be a decimal block number');
  if (typeof d.app !== 'string') throw bad('app must name the STF');
  if (!/^\d+$/.test(d.appChainId ?? '')) throw bad("appChainId must be the chain's id, decimal");
  if (d.stf !== undefined && typeof d.stf !== 'string') throw bad("stf must be the path of the app's .wasm");
  if (d.validity !== undefined) {
    const v = d.validity;
    if (v.mode !== 'zk-rollup' && v.mode !== 'hybrid')
      throw bad('validity.mode must be "zk-rollup" or "hybrid"');
    if (typeof v.app !== 'string') throw bad('validity.app must name the app whose circuit proves the chain');
    if (!/^0x[0-9a-fA-F]{40}$/.test(d.addresses.attestationVerifier ?? ''))
      throw bad('addresses.attestationVerifier (the ValidityVerifier) is not an address');
  }
  return d;
}

export function paramsOf(d: DeploymentFile): DisputeParams {
  return {
    heights: d.params.heights,
    challengePeriod: BigInt(d.params.challengePeriod),
    assertionBond: BigInt(d.params.assertionBond),
    edgeBond: BigInt(d.params.edgeBond),
  };
}

export function genesisOf(d: DeploymentFile): SolGlobalState {
  return {
    stateRoot: d.genesis.stateRoot,
    sendRoot: d.genesis.sendRoot,
    inboxPosition: BigInt(d.genesis.inboxPosition),
    positionInMessage: BigInt(d.genesis.positionInMessage),
  };
}

/**
 * A deployed chain: its settlement module (created through the registry) and the contracts'
 * clients the module attached, signing with `clients.walletClient`.
 */
export interface ChainClients extends EthereumContracts {
  settlement: NodeSettlement;
}

/**
 * A devnet role's chain: the settlement module of `config` over deployment `d`, signing with L1
 * account `account` (each role its own account).
 */
export function attachAccount(
  l1: L1,
  d: DeploymentFile,
  config: Pick<ChainConfig, 'settlement'>,
  account: number,
): Promise<ChainClients> {
  return attachChain(
    { publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[account].account) },
    d,
    config,
  );
}

/** The settlement module of `config` (default `ethereum`) over a deployment, with its contracts' clients. */
export async function attachChain(
  clients: L1Clients,
  d: DeploymentFile,
  config: Pick<ChainConfig, 'settlement'> = { settlement: { module: 'ethereum' } },
): Promise<ChainClients> {
  const settlement = createModule('settlement', config.settlement.module, {
    config,
    l1: clients,
    deployment: { addresses: d.addresses, deployBlock: BigInt(d.deployBlock), params: paramsOf(d) },
  });
  return { ...(await settlement.contracts()), settlement };
}

/** The modules a role runs, each created through the registry from the chain config. */
export interface RoleModules {
  vm: ExecutionVm;
  sequencing: Sequencing;
  proof: ProofSystem<FraudClaim>;
  settlement: NodeSettlement;
}

/**
 * Creates the modules `config` names (`vm.module`, `sequencing.module`, `proof.module`; the
 * chain's settlement module is `chain.settlement`) through the registry. Throws ModuleConfigError
 * before creating anything when a layer names a planned or unknown module.
 */
export function roleModules(
  config: ChainConfig,
  chain: ChainClients,
  o: { sequencer?: Address; attestations?: AttestationPool } = {},
): RoleModules {
  assertModules(config);
  const { rollup, challenges, inbox, oracle } = chain;
  return {
    vm: createModule('vm', config.vm.module, undefined),
    sequencing: createModule('sequencing', config.sequencing.module, { config, sequencer: o.sequencer }),
    // fraud disputes play through the settlement contracts' clients: the module's extension (the
    // attested module gets the fraud module as its fallback, created with the same clients)
    proof: createProof({
      config,
      settlement: { rollup, challenges, inbox, oracle },
      ...(o.attestations ? { attestations: o.attestations } : {}),
    }),
    settlement: chain.settlement,
  };
}

export interface SequencerRole {
  seq: Sequencer;
  /** the modules it runs (created through the registry) */
  modules: RoleModules;
  server: RpcServer;
  batcher: BatcherWorker;
  /** its Prometheus metrics (served at `GET /metrics` of the JSON-RPC server; docs/node.md §8) */
  metrics: NodeMetrics;
  /** batches posted by this process */
  readonly batches: number;
  /** batches posted by this process per DA path: calldata, blob, certificate, or `<path> (fallback)` */
  readonly batchesByDa: Record<string, number>;
  firstBlockAt?: number;
  close(): Promise<void>;
}

/** The sequencer role: sequencer, its JSON-RPC server and the batcher (the wallet must be the inbox's sequencer). */
export async function startSequencerRole(o: {
  chain: ChainClients;
  /** the app's wasm (`appOfDeployment`) */
  app: Pick<AppSource, 'name' | 'bytes'>;
  /** the chain id of the app's genesis */
  chainId: bigint;
  /**
   * The chain config: every layer's module is created from it through the registry (refused
   * before anything starts when one is planned); `da`: where batches go (the batcher's worker
   * builds the module with `daForConfig`).
   */
  config: ChainConfig;
  /** the settlement endpoint and the sequencer's key: the batcher's worker signs postBatch with it */
  rpcUrl: string;
  sequencerKey: Hex;
  dataDir: string;
  port?: number;
  host?: string;
  log?: (line: string) => void;
  /** problems the node recovers from by itself, e.g. the batcher halted and restarting (default `log`) */
  warn?: (line: string) => void;
  /** the sequencer stopped on an error (default: logged) */
  onError?: (e: unknown) => void;
  /**
   * how often the store is checked against L1 besides at start and after a halt (default 30,000
   * ms; 0: never): a reorg that put another message under a posted batch is found within it and the
   * sequencer re-executes from L1 (docs/node.md §2.2)
   */
  l1CheckMs?: number;
  /** how the batcher's posts are retried, and the halted batcher restarted (tests shorten them) */
  batcherRetry?: { attempts?: number; retryDelayMs?: number; retryMs?: number; maxRetryMs?: number };
  /** the process's metrics, shared with the other roles it runs (default: a registry of its own) */
  metrics?: NodeMetrics;
}): Promise<SequencerRole> {
  const metrics = o.metrics ?? new NodeMetrics();
  const modules = roleModules(o.config, o.chain, {
    sequencer: privateKeyToAccount(o.sequencerKey).address,
  });
  const { inbox } = o.chain;
  // the STF and the batcher run in worker threads (a block's execution, and its batch's encoding,
  // signing and DA work, never hold up the JSON-RPC thread); both load side by side
  const newExecutor = () =>
    new WorkerExecutor({
      app: o.app,
      chainId: o.chainId,
      limits: appLimitsOf(o.config.vm.limits),
    });
  const executor = newExecutor();
  // reads L1's batches for the check against L1 (recovery.ts): whether one carries a stored block,
  // and the transactions of another writer's
  const readDa = daForConfig(o.config, {
    rpcUrl: o.rpcUrl,
    rpc: inbox.publicClient,
    publicClient: inbox.publicClient,
  });
  const batcher = batcherWorkerFor(inbox, {
    rpcUrl: o.rpcUrl,
    privateKey: o.sequencerKey,
    da: o.config.da,
    // docs/validity.md §5: validity proofs bind the batches as L1 reads them, uncompressed
    compress: !provenByValidity(o.config),
    attempts: o.batcherRetry?.attempts,
    retryDelayMs: o.batcherRetry?.retryDelayMs,
    // L1 time for the chain (docs/node.md §3 "Ticks"): Inbox.tick() every tickSeconds, from the worker
    tickSeconds: o.config.sequencing.tickSeconds,
    onEvent: (e) => {
      if (e.type === 'tick') observeL1Tx(metrics, 'sequencer', 'tick', e.gasUsed);
      else if (e.type === 'tick-failed')
        (o.warn ?? o.log)?.(
          `tick failed (retried in ${o.config.sequencing.tickSeconds} s): ${(e.error as Error).message.split('\n')[0]}`,
        );
    },
  });
  try {
    await batcher.start(); // L1 reachable and the DA module valid, or the role does not start
  } catch (e) {
    await Promise.all([executor.close(), batcher.close()]);
    throw e;
  }
  const role = { batches: 0, batchesByDa: {} } as {
    batches: number;
    batchesByDa: Record<string, number>;
    firstBlockAt?: number;
  };
  // one check against L1 at a time (each may re-execute from L1)
  let checking: Promise<unknown> = Promise.resolve();
  const checkL1 = (): Promise<L1CheckResult> => {
    const p = checking.then(() => checkAgainstL1({ inbox, da: readDa, seq }));
    checking = p.catch(() => {});
    return p.then((r) => {
      const x = r.recovered;
      if (x)
        (o.warn ?? o.log)?.(
          `L1 differs from the sequencer from position ${x.from}: re-executed from L1 (${x.adopted} L1 blocks taken in, ` +
            `${x.replayed} transactions replayed, ${x.onL1} on L1 already, ${x.dropped.length} dropped` +
            `${x.dropped.length ? `: ${[...new Set(x.dropped.map((d) => d.reason))].join(', ')}` : ''})`,
        );
      return r;
    });
  };
  /** the inbox positions of the batches found on L1 already, counted in role.batchesByDa */
  const countedOnL1 = new Set<bigint>();
  const feeder = new BatchFeeder({
    batcher,
    // restart the batcher, check the store against L1 and re-execute from L1 where they differ
    resync: async () => {
      await batcher.start();
      return (await checkL1()).messageCount;
    },
    isFatal: (e) => e instanceof RecoveryFailedError,
    head: () => seq.head + 1,
    block: (n) => seq.sealedBlock(n),
    onPosted: (posted, b) => {
      observePosted(metrics, posted);
      const path = posted.da && `${posted.da.pointer}${posted.da.usedFallback ? ' (fallback)' : ''}`;
      if (posted.alreadyPosted) {
        // on L1 already: a retried post whose first transaction landed (under load), or re-checked
        // after a restart or a halt; its DA path counts once per position
        if (path && !countedOnL1.has(posted.position)) {
          countedOnL1.add(posted.position);
          role.batchesByDa[path] = (role.batchesByDa[path] ?? 0) + 1;
        }
        return;
      }
      role.batches++;
      if (path) role.batchesByDa[path] = (role.batchesByDa[path] ?? 0) + 1;
      const how = posted.da
        ? ` as ${posted.da.pointer}${posted.da.usedFallback ? ' (committee fallback)' : ''}`
        : '';
      o.log?.(`batch for block ${b.number} posted${how} (${b.txCount} txs)`);
    },
    onRetry: (e, ms) =>
      (o.warn ?? o.log)?.(
        `batcher halted (${(e as Error).message.split('\n')[0]}); restarting it in ${ms} ms`,
      ),
    onFatal: (e) => seq.stop(e),
    retryMs: o.batcherRetry?.retryMs,
    maxRetryMs: o.batcherRetry?.maxRetryMs,
  });
  const seq: Sequencer = await Sequencer.open({
    dataDir: o.dataDir,
    executor,
    newExecutor,
    sequencing: modules.sequencing,
    delayed: async () =>
      (await inbox.pendingDelayed()).messages.map((m) => ({
        index: m.index,
        data: m.data,
        l1Timestamp: m.timestamp,
      })),
    onError: o.onError,
    onBlockSealed: (b) => {
      role.firstBlockAt ??= Date.now();
      feeder.pump();
      if (b.kind === 'delayed') includeLater(b.number, b.delayedRead);
    },
  });
  // Delayed messages reach L1 with the next batch's delayedRead; a delayed block that no batch
  // follows (a deposit on an idle chain) is included on its own after the block age: `includeDelayed`.
  const ageMs = (o.config.sequencing.batch?.maxAgeSeconds ?? 10) * 1000;
  const timers = new Set<NodeJS.Timeout>();
  function includeLater(number: number, delayedRead: number): void {
    const t = setTimeout(async () => {
      timers.delete(t);
      if (seq.head > number) return; // a batch (or another delayed block) follows: it carries it
      try {
        if ((await inbox.delayedIncluded()) >= BigInt(delayedRead)) return;
        const tx = await inbox.includeDelayed(BigInt(delayedRead));
        observeL1Tx(metrics, 'sequencer', 'include-delayed', tx.gasUsed);
        o.log?.(`delayed messages up to ${delayedRead} included on L1 (block ${number}, no batch after it)`);
      } catch (e) {
        (o.warn ?? o.log)?.(`includeDelayed(${delayedRead}) failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }, ageMs);
    t.unref();
    timers.add(t);
  }
  // the store checked against L1 from the last agreed position (recovering if they differ), then
  // fed from L1's message count: blocks stored before a crash and never posted go to L1 first
  await feeder.start();
  const l1CheckMs = o.l1CheckMs ?? 30_000;
  if (l1CheckMs > 0) {
    const t = setInterval(() => {
      checkL1().then(
        (r) => r.recovered && feeder.resyncNow(new Error('the periodic check against L1 re-executed')),
        (e) => {
          if (e instanceof RecoveryFailedError) seq.stop(e);
          else (o.warn ?? o.log)?.(`check against L1 failed: ${(e as Error).message.split('\n')[0]}`);
        },
      );
    }, l1CheckMs);
    t.unref();
    timers.add(t);
  }
  watchSequencer(metrics, seq);
  // the explorer: its page at GET /, its methods read the chain's L1 contracts (docs/explorer.md)
  const explorer = explorerRoutes(o.chain, o.config);
  // the app's own methods (the EVM chain's Ethereum JSON-RPC, docs/evm-rpc.md)
  const extension = await rpcExtensionFor(o.config.vm.app, seq);
  const server = await startRpcServer(seq, {
    port: o.port ?? 0,
    host: o.host,
    metrics,
    onTransaction: transactionObserver(metrics),
    ...explorer,
    methods: { ...explorer.methods, ...extension?.methods },
    upgrade: extension?.upgrade,
  });
  return Object.assign(role, {
    seq,
    modules,
    server,
    batcher,
    metrics,
    async close() {
      for (const t of timers) clearTimeout(t);
      feeder.stop();
      await checking;
      await server.close();
      await seq.close();
      await batcher.close();
    },
  });
}

/** The explorer's page and JSON-RPC methods, as `startRpcServer` options. */
function explorerRoutes(chain: ChainClients, config: ChainConfig) {
  const x = createExplorer({ contracts: chain, config });
  return { methods: x.methods, get: x.serve };
}

/**
 * The chain as L1 (and DA) give it, executed: an AppChain fed by a Derivation through the follower's
 * JSON-RPC backend (which indexes each batch's transactions as DA resolved them), and the follower
 * view validators and provers read: states, execution contexts, inbox messages and preimages.
 */
export function deriveChain(o: {
  chain: ChainClients;
  app: Pick<AppSource, 'name' | 'bytes'>;
  chainId: bigint;
  config: ChainConfig;
  da?: DataAvailability;
  sequencerUrl?: string;
}): { rpc: FollowerRpc; derivation: Derivation; follower: DerivedChain } {
  const ex = new AppChain({
    app: loadApp(o.app.bytes, o.app.name, { limits: appLimitsOf(o.config.vm.limits) }),
    chainId: o.chainId,
  });
  const rpc = new FollowerRpc({ chain: ex, sequencerUrl: o.sequencerUrl });
  const derivation = new Derivation({ inbox: o.chain.inbox, executor: rpc.executor, da: o.da });
  rpc.attach(derivation);
  const host = () => ex.executionContext(o.chain.params.heights).host;
  const follower: DerivedChain = {
    get length() {
      return ex.length;
    },
    stateAt: (n: number) => ex.stateAt(n),
    executionContext: (h: number[]) => ex.executionContext(h),
    txCount: (n: number) => ex.receipts(n)?.txs.length ?? 0,
    message: (p: bigint) => (p < BigInt(ex.length) ? host().inboxMessage(p) : undefined),
    preimage: (h: Uint8Array) => host().preimage(0, h),
    chain: () => ex,
  };
  return { rpc, derivation, follower };
}

/** What `deriveChain` follows: a validator's ChainFollower, a prover's inputs, and the AppChain. */
export type DerivedChain = ProverFollower & { chain(): AppChain };

export interface ValidatorRole {
  validator: Validator;
  /** attested chains: seals epochs, signs, confirms by attestation, slashes (docs/attested.md §7) */
  attester?: Attester;
  /** the modules it runs (created through the registry) */
  modules: RoleModules;
  derivation: Derivation;
  follower: DerivedChain;
  /** the read-only JSON-RPC backend over the derived chain (served by `startFollowerRpc`) */
  rpc: FollowerRpc;
  /** its Prometheus metrics (label role = its name; docs/node.md §8) */
  metrics: NodeMetrics;
  /** derive what L1 has, then (attested) the attester's fast path, one validator round and one attester round */
  tick(): Promise<void>;
}

/** The validator role: derivation from L1 alone and the validator (wallet = its staking key). */
/**
 * L1 blocks a validator without committee members waits, once it could post an assertion on an
 * attested chain, before it posts it (docs/attested.md §7): the committee's fast path goes first.
 */
export const ATTESTED_YIELD_BLOCKS = 4;

export function startValidatorRole(o: {
  chain: ChainClients;
  /** the app's wasm (`appOfDeployment`) */
  app: Pick<AppSource, 'name' | 'bytes'>;
  /** the chain id of the app's genesis */
  chainId: bigint;
  /**
   * The chain config: its modules are created from it through the registry (refused when one is
   * planned). Default: the modules a deployment file describes (wasm, fraud, ethereum, single).
   */
  config?: ChainConfig;
  name: string;
  lie?: boolean;
  maxLies?: number;
  /** dishonest mode: lie only about a block of transactions (`ValidatorOptions.lieAboutTransactions`) */
  lieAboutTransactions?: boolean;
  /** reads blob and certificate batches (default l1-calldata; `daForConfig`) */
  da?: DataAvailability;
  log?: (line: string) => void;
  /** the process's metrics, shared with the other roles it runs (default: a registry of its own) */
  metrics?: NodeMetrics;
  /** the sequencer's JSON-RPC URL, named when the follower's JSON-RPC refuses a transaction */
  sequencerUrl?: string;
  /**
   * attested chains (`proof.module: "attested"`): the committee members this node runs, the
   * attestation pool they sign into, and which assertions they sign (default: the honest ones)
   */
  attest?: { keys: ValidatorKey[]; pool: AttestationPool; policy?: SigningPolicy };
}): ValidatorRole {
  const c = o.chain;
  const config = o.config ?? withDefaults({});
  const modules = roleModules(config, c, { attestations: o.attest?.pool });
  const { rpc, derivation, follower } = deriveChain({ ...o, chain: c, config });
  const ex = follower.chain();
  const validator = new Validator({
    name: o.name,
    rollup: c.rollup,
    proof: modules.proof,
    follower,
    heights: c.params.heights,
    fromBlock: c.deployBlock,
    lie: o.lie,
    maxLies: o.maxLies,
    lieAboutTransactions: o.lieAboutTransactions,
    // attested chains: a node without committee members leaves the fast path first (§7)
    ...(config.proof.module === 'attested' && !o.attest && !o.lie
      ? { yieldBlocks: ATTESTED_YIELD_BLOCKS }
      : {}),
    log: o.log,
  });
  const metrics = o.metrics ?? new NodeMetrics();
  watchValidator(metrics, validator, ex, o.name);
  if (o.attest && config.proof.module === 'attested' && !c.committee)
    throw new DeploymentFileError(
      'proof.module is "attested" but the deployment has no validator committee (addresses.committee): deploy it with this config',
    );
  const attester =
    o.attest && c.committee
      ? new Attester({
          name: `${o.name} attester`,
          committee: c.committee,
          rollup: c.rollup,
          pool: o.attest.pool,
          keys: o.attest.keys,
          follower,
          heights: c.params.heights,
          fromBlock: c.deployBlock,
          policy: o.attest.policy,
          log: o.log,
        })
      : undefined;
  return {
    validator,
    attester,
    modules,
    derivation,
    follower,
    rpc,
    metrics,
    async tick() {
      await derivation.poll();
      // attested chains: the fast path first (created and confirmed in one transaction), so the
      // validator does not post the same assertion a block earlier (docs/attested.md §7)
      await attester?.fastPath();
      await validator.tick();
      await attester?.tick();
    },
  };
}

/**
 * Serves a validator role's read-only JSON-RPC (docs/node.md §2.1): the sequencer's read methods
 * over the derived chain, the explorer at `GET /` (docs/explorer.md) and, with `metrics`, the
 * Prometheus metrics at `GET /metrics`. `modex_sendRawTransaction` is refused (−32004).
 */
export async function startFollowerRpc(
  role: Pick<ValidatorRole, 'rpc'>,
  o: {
    chain: ChainClients;
    /** the chain config (default: the modules a deployment file describes) */
    config?: ChainConfig;
    /** default 0 (any free port) */
    port?: number;
    host?: string;
    /** served at `GET /metrics` too (e.g. the role's `metrics`) */
    metrics?: NodeMetrics;
    /** attested chains: serve `modex_submitAttestations` into this pool (docs/attested.md §7.1) */
    attestations?: AttestationSink;
  },
): Promise<RpcServer> {
  const config = o.config ?? withDefaults({});
  const explorer = explorerRoutes(o.chain, config);
  // the app's own methods (the EVM chain's Ethereum JSON-RPC, docs/evm-rpc.md)
  const extension = await rpcExtensionFor(config.vm.app, role.rpc);
  return startRpcServer(role.rpc, {
    port: o.port ?? 0,
    host: o.host,
    metrics: o.metrics,
    ...explorer,
    methods: {
      ...explorer.methods,
      ...(o.attestations ? attestationMethods(o.attestations) : {}),
      ...extension?.methods,
    },
    upgrade: extension?.upgrade,
  });
}
