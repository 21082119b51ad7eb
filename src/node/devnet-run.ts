/**
 * The devnet (docs/node.md §6): one process runs a whole modex chain of any app (`vm.app`, a
 * built-in one, or `vm.stf`, a built `.wasm`) on an L1 — the settlement contracts, a sequencer with
 * its JSON-RPC endpoint, the batcher, and two validators, each deriving the chain from L1 alone —
 * then drives a workload through the public interfaces: an ETH deposit through the bridge (any
 * app gets it as the SDK's deposit message), then the app's demo workload if it has one
 * (src/apps/workloads.ts: for token, signed transfers and a withdrawal paid on L1 once its send root
 * is confirmed). With the `fraud` scenario the second validator lies about every block it asserts;
 * the honest one disputes it down to a one-step proof and takes its stake: that needs only blocks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { AppWorkload, WorkloadContext, WorkloadResult } from '../apps/workloads.ts';
import { workloadFor } from '../apps/workloads.ts';
import type { ChainConfig } from '../config/types.ts';
import { requiredSigners } from '../da/committee/certificate.ts';
import { startLocalCommittee } from '../da/committee/local-committee.ts';
import { type L1, openL1 } from '../l1/anvil.ts';
import type { SettlementDeployment } from '../settlement/ethereum/deploy-settlement.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import type { AppChain } from './app-chain.ts';
import type { Attester, AttesterEvent } from './attester.ts';
import { daForConfig } from './da-modules.ts';
import { type UserTx, UserTxTracker } from './devnet-user-txs.ts';
import { localAttestation, registerLocalValidators } from './local-validators.ts';
import {
  attachAccount,
  deployForConfig,
  type SequencerRole,
  startSequencerRole,
  startValidatorRole,
  writeDeploymentFile,
} from './roles.ts';
import type { Sequencer } from './sequencer.ts';
import type { Validator } from './validator.ts';

export type DevnetScenario = 'demo' | 'fraud';

/** `l1.accounts` index the devnet does not use but funds on L2 with a deposit: the user's to try */
export const DEVNET_YOUR_ACCOUNT = 4;
/** `l1.accounts` index that registers (owns) the attested chain's local validators */
export const DEVNET_VALIDATOR_OWNER = 5;

export interface DevnetRunOptions {
  config: ChainConfig;
  /** settlement RPC, default config.settlement.rpcUrl or the embedded anvil */
  rpc?: string;
  scenario?: DevnetScenario;
  /** exit once the scenario's result is known (otherwise keep running until stop()) */
  untilConfirmed?: boolean;
  /** node data directory (default a fresh temporary one, removed at the end) */
  dataDir?: string;
  /**
   * embedded anvil only: L1 seconds added per tick in which no validator acts (speeds up challenge
   * periods without shortening a dispute's: see Validator.quiet)
   */
  warpSeconds?: number;
  /** ms between ticks of the validators and the summary (default 500) */
  tickMs?: number;
  /** give up after this long (default 10 minutes) */
  timeoutMs?: number;
  /** no workload and no waiting: stop once every role is up (tests, CI) */
  exitWhenReady?: boolean;
  /** committee DA with no members configured: members of the local committee started (default 5) */
  committeeSize?: number;
  /** called once every role is up, before the workload */
  onReady?: (info: DevnetReadyInfo) => void;
  /**
   * called every round with the chain's state (the CLI draws its screen from it); when given, the
   * run does not log a summary line itself
   */
  onStatus?: (status: DevnetStatus) => void;
  /** awaited once the run has ended, while L1 is still up (benches read L1 there) */
  onEnd?: (settlement: SettlementDeployment) => Promise<void>;
  log?: (line: string) => void;
}

export interface DevnetReadyInfo {
  l1: L1;
  settlement: SettlementDeployment;
  rpcUrl: string;
  /** the explorer page (docs/explorer.md), served at `GET /` of the sequencer's JSON-RPC port */
  explorerUrl: string;
  moduleRoot: Hex;
  dataDir: string;
  /** the chain's own (L2) id, `chain.chainId`; the settlement layer's is `l1.chainId` */
  chainId: bigint;
  /** the app's name (built-in) or its wasm file */
  app: string;
}

/** The chain as the devnet sees it, every round (`onStatus`). */
export interface DevnetStatus {
  elapsed_s: number;
  l2_blocks: number;
  batches: number;
  batches_by_da: Record<string, number>;
  l1_inbox: number;
  assertions: number;
  confirmed: number;
  dispute_moves: number;
  slashed: number;
  /** the app's demo workload: running, done (its withdrawal paid when it has one) */
  workload: 'running' | 'done';
  withdrawal_paid: boolean;
  /** transactions the devnet's workload did not send: how many, the latest first */
  user_txs: { count: number; recent: UserTx[] };
}

export interface DevnetResult {
  result: 'confirmed' | 'honest-won' | 'timeout' | 'stopped';
  l2_blocks: number;
  batches: number;
  assertions: number;
  confirmed_assertions: number;
  dispute_moves: number;
  withdrawal_paid: boolean;
  first_block_s: number | null;
  elapsed_s: number;
  rpc_url: string;
  settlement_rpc: string;
  contracts: Record<string, string>;
  /** the DA module and the batches posted per DA path (calldata, blob, certificate, `… (fallback)`) */
  da: { module: string; batches: Record<string, number> };
  /** attested chains (docs/attested.md): epochs seen, assertions confirmed by attestation */
  epochs?: number;
  attested?: number;
  /** attested chains: assertions confirmed the fraud way (challenge period or dispute) instead */
  fallbacks?: number;
  /** attested chains: validators slashed (wrong root, equivocation) */
  slashed?: number;
  /**
   * attested chains: L1 blocks from an attested assertion's creation, and from the batch of its
   * last block, to its confirmation (median and max over the run)
   */
  attestation_l1_blocks?: {
    from_assertion: { median: number; max: number };
    from_batch: { median: number; max: number };
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** consecutive failed rounds after which the devnet stops with the last error */
const MAX_FAILED_ROUNDS = 5;

export class DevnetRun {
  private stopping = false;
  private readonly t0 = Date.now();
  private cleanup: (() => Promise<void>)[] = [];
  l1?: L1;
  settlement?: SettlementDeployment;

  constructor(private readonly o: DevnetRunOptions) {}

  private log(line: string): void {
    this.o.log?.(line);
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<DevnetResult> {
    try {
      return await this.runInner();
    } finally {
      for (const c of this.cleanup.reverse()) await c().catch(() => {});
    }
  }

  private async runInner(): Promise<DevnetResult> {
    const { config } = this.o;
    const scenario = this.o.scenario ?? 'demo';
    const tickMs = this.o.tickMs ?? 500;
    const rpc = this.o.rpc ?? config.settlement.rpcUrl ?? 'embedded';
    this.log(
      `[1/5] settlement layer: ${rpc === 'embedded' ? 'starting embedded anvil' : `connecting to ${rpc}`}...`,
    );
    const l1 = await openL1(rpc);
    this.l1 = l1;
    this.cleanup.push(() => l1.stop());
    this.log(`      up at ${l1.rpcUrl} (L1 chain id ${l1.chainId})`);

    this.log('[2/5] STF and contracts: loading the app and deploying...');
    const com = config.da.committee;
    if (config.da.module === 'committee' && com && com.members.length === 0) {
      const n = this.o.committeeSize ?? 5;
      const committee = await startLocalCommittee(n, { assumedHonest: Math.min(com.assumedHonest, n) });
      this.cleanup.push(() => committee.close());
      com.members = committee.configMembers;
      this.log(
        `      DA committee: ${n} local members (modex da-server), ${requiredSigners(committee.keyset)} signatures ` +
          `per certificate, fallback ${com.fallback}: ${committee.members.map((m) => m.url).join(' ')}`,
      );
    }
    const { settlement: s, app, source, file: d } = await deployForConfig(l1, config);
    const chainId = BigInt(config.chain.chainId);
    this.log(
      `      app ${source.path ?? source.name}, module root ${app.moduleRoot}, L2 chain id ${chainId}`,
    );
    if (d.committee) this.log(`      committee keyset ${d.committee.keysetHash} at ${d.committee.keysets}`);
    const daOf = () =>
      daForConfig(config, { rpcUrl: l1.rpcUrl, rpc: l1.publicClient, publicClient: l1.publicClient });
    this.settlement = s;
    for (const [name, address] of Object.entries(s.addresses))
      this.log(`      ${name.padEnd(16)} ${address}`);
    const keys =
      config.proof.module === 'attested'
        ? await registerLocalValidators(l1, s, config, {
            owner: l1.accounts[DEVNET_VALIDATOR_OWNER] ?? l1.accounts[0],
            log: (l) => this.log(`      ${l}`),
            stopped: () => this.stopping,
          })
        : undefined;

    this.log('[3/5] sequencer and batcher: starting...');
    const dataDir = this.o.dataDir ?? mkdtempSync(join(tmpdir(), 'modex-devnet-'));
    if (!this.o.dataDir) this.cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    writeDeploymentFile(join(dataDir, 'deployment.json'), d);
    // each role's settlement module (through the registry: `settlement.module`) signing with its account
    const chainFor = (account: number) => attachAccount(l1, d, config, account);
    const sequencer = await startSequencerRole({
      chain: await chainFor(0),
      app: source,
      chainId,
      config,
      rpcUrl: l1.rpcUrl,
      sequencerKey: l1.accounts[0].privateKey,
      dataDir,
      warn: (l) => this.log(`      ${l}`),
      onError: (e) => {
        if (!this.stopping) this.log(`      sequencer stopped: ${(e as Error).message}`);
      },
    });
    this.cleanup.push(() => sequencer.close());
    const seq = sequencer.seq;
    const server = sequencer.server;
    this.log(`      sequencer JSON-RPC at ${server.url}`);

    const appWorkload = config.vm.app ? await workloadFor(config.vm.app) : undefined;
    this.log(`[4/5] validators: 2 (${scenario === 'fraud' ? 'one honest, one lying' : 'both honest'})...`);
    const roles: (ReturnType<typeof startValidatorRole> & {
      name: string;
      account: number;
      lie: boolean;
      v: Validator;
      f: ReturnType<typeof startValidatorRole>['follower'];
    })[] = [];
    const attest =
      keys && s.committee
        ? localAttestation(l1, s.committee.address, keys, {
            config,
            colludeWith: scenario === 'fraud' ? l1.accounts[2].address : undefined,
            log: (l) => this.log(`      ${l}`),
          })
        : undefined;
    for (const r of [
      { name: 'validator-1', account: 1, lie: false },
      { name: 'validator-2', account: 2, lie: scenario === 'fraud' },
    ]) {
      const role = startValidatorRole({
        chain: await chainFor(r.account),
        app: source,
        chainId,
        config,
        name: r.lie ? `${r.name} (lying)` : r.name,
        lie: r.lie,
        maxLies: 1,
        // the workload's transactions are what the liar lies about, when it says so
        ...(r.lie && appWorkload?.disputeTransactions ? { lieAboutTransactions: true } : {}),
        da: daOf(),
        log: (l: string) => this.log(`      ${l}`),
        metrics: sequencer.metrics, // one registry: GET /metrics of the sequencer's port shows every role
        // attested chains: validator-1's process runs the local committee members
        ...(attest && !r.lie && r.account === 1 ? { attest } : {}),
      });
      roles.push({ ...r, ...role, v: role.validator, f: role.follower });
    }

    this.o.onReady?.({
      l1,
      settlement: s,
      rpcUrl: server.url,
      explorerUrl: server.url,
      moduleRoot: app.moduleRoot,
      dataDir,
      chainId,
      app: config.vm.app ?? source.path ?? source.name,
    });
    if (this.o.exitWhenReady) {
      return this.result('stopped', sequencer, roles, false);
    }
    this.log(
      `[5/5] workload: a deposit through the bridge${appWorkload ? `, ${appWorkload.description}` : ''}...`,
    );
    const user = l1.accounts[3].account as PrivateKeyAccount;
    const userBridge = s.bridge.connect(walletFor(l1, user));
    const deposit = 10n ** 18n;
    try {
      await userBridge.depositEth(user.address, deposit);
      // the account the devnet leaves to the user (printed as "yours"): 1 ETH on L2 to try it with
      const yours = l1.accounts[DEVNET_YOUR_ACCOUNT];
      if (yours)
        await s.bridge
          .connect(walletFor(l1, yours.account as PrivateKeyAccount))
          .depositEth(yours.address, deposit);
    } catch (e) {
      if (this.stopping) return this.result('stopped', sequencer, roles, false);
      throw e;
    }
    const userTxs = new UserTxTracker([user.address]);
    const workload = this.workload(appWorkload, {
      rpcUrl: server.url,
      account: user,
      deposited: deposit,
      sent: (hash) => userTxs.excludeHash(hash),
    });

    let withdrawalPaid = false;
    let lastSummary = 0;
    const validators: Validator[] = roles.map((r) => r.v);
    const attested = () =>
      roles.reduce((n, r) => n + (r.attester?.events.filter((e) => e.kind === 'attested').length ?? 0), 0);
    const status = async (done: boolean): Promise<DevnetStatus> => {
      userTxs.scan(seq);
      const st = await this.status(seq, sequencer, validators, { done, withdrawalPaid, userTxs });
      return { ...st, confirmed: st.confirmed + attested() };
    };
    let workloadDone = false;
    const deadline = this.t0 + (this.o.timeoutMs ?? 600_000);
    let result: DevnetResult['result'] = 'stopped';
    const honest = roles[0];
    /** the honest validator's events from when its chain had the deposit's block (generic workload) */
    let coveredFrom: number | undefined;
    let failedRounds = 0;
    while (!this.stopping) {
      if (Date.now() > deadline) {
        result = 'timeout';
        break;
      }
      try {
        for (const r of roles) await r.tick();
        const w = await workload.state();
        if (w.withdrawal !== undefined && !withdrawalPaid)
          withdrawalPaid = await this.tryWithdraw(honest.f.chain(), w.withdrawal, userBridge);
        if (coveredFrom === undefined) {
          // the deposit is a (delayed) block of its own
          let depositBlock = -1;
          for (let n = 0; n <= seq.head && depositBlock < 0; n++)
            if (seq.block(n)?.kind === 'delayed') depositBlock = n;
          if (depositBlock >= 0 && honest.f.length > depositBlock) coveredFrom = honest.v.events.length;
        }
        // no withdrawal to pay: an assertion made since the deposit's block was derived is confirmed
        const after = coveredFrom === undefined ? [] : honest.v.events.slice(coveredFrom);
        const asserted = after.findIndex((e) => e.kind === 'assertion');
        const assertedIds = new Set(after.flatMap((e) => (e.kind === 'assertion' ? [e.id] : [])));
        const depositConfirmed =
          asserted >= 0 &&
          (after.slice(asserted).some((e) => e.kind === 'confirmed') ||
            (honest.attester?.events ?? []).some((e) => e.kind === 'attested' && assertedIds.has(e.id)));
        workloadDone = w.done && (w.withdrawal === undefined ? depositConfirmed : withdrawalPaid);
        if (this.o.onStatus) this.o.onStatus(await status(workloadDone));
        else if (Date.now() - lastSummary > 2000) {
          lastSummary = Date.now();
          this.log(
            await this.summary(
              seq,
              sequencer,
              roles.map((r) => r.v),
            ),
          );
        }
        if (this.o.untilConfirmed) {
          const done =
            scenario === 'fraud'
              ? honest.v.events.some((e) => e.kind === 'slashed') &&
                // attested: the colluders who signed the losing root slashed too
                (!honest.attester ||
                  honest.attester.events.some((e) => e.kind === 'slashed' && e.reason === 'wrong-root')) &&
                w.done &&
                (w.withdrawal === undefined || withdrawalPaid)
              : workloadDone;
          if (done) {
            result = scenario === 'fraud' ? 'honest-won' : 'confirmed';
            break;
          }
        }
        if (l1.embedded) {
          // the embedded anvil mines only on transactions, so an idle L1's latest timestamp stands
          // still and a challenge period would never pass: mine an empty block each round (its time
          // is the wall clock's, plus the warp). The warp only crosses rounds in which no validator
          // had anything to do (Validator.quiet): during a dispute L1 time keeps the wall clock's
          // pace, so the honest side's answers never cost it challenge-period time (docs/node.md §5)
          if (this.o.warpSeconds && roles.every((r) => r.v.quiet))
            await l1.testClient.increaseTime({ seconds: this.o.warpSeconds });
          await l1.testClient.mine({ blocks: 1 });
        }
        failedRounds = 0;
      } catch (e) {
        // a signal kills the embedded anvil at once (src/l1/process-registry.ts): not an error then
        if (this.stopping) break;
        // a round can lose a race on L1 (another party's transaction came first): the next round
        // reads the state again. The same failure MAX_FAILED_ROUNDS times in a row ends the devnet
        if (++failedRounds >= MAX_FAILED_ROUNDS) throw e;
        this.log(`round failed (retrying): ${(e as Error).message.split('\n')[0]}`);
      }
      await sleep(tickMs);
    }
    if (!this.stopping && this.o.onStatus) this.o.onStatus(await status(workloadDone));
    else if (!this.stopping)
      this.log(
        await this.summary(
          seq,
          sequencer,
          roles.map((r) => r.v),
        ),
      );
    if (honest.attester) this.latency = await this.attestationLatency(s, honest.attester.events);
    if (!this.stopping) await this.o.onEnd?.(s);
    return this.result(result, sequencer, roles, withdrawalPaid);
  }

  /** L1 blocks from creation, and from the batch of the last block, to each attested confirmation. */
  private async attestationLatency(
    s: SettlementDeployment,
    events: AttesterEvent[],
  ): Promise<DevnetResult['attestation_l1_blocks']> {
    const attested = events.flatMap((e) => (e.kind === 'attested' ? [e] : []));
    if (attested.length === 0) return undefined;
    const records = new Map((await s.rollup.assertions(s.deployBlock)).map((r) => [r.id, r]));
    const fromAssertion: number[] = [];
    const fromBatch: number[] = [];
    for (const e of attested) {
      const r = records.get(e.id);
      if (!r) continue;
      fromAssertion.push(Number(e.l1Block - r.blockNumber));
      const last = r.data.end.inboxPosition - 1n;
      const [m] = await s.inbox.readMessages(last, last + 1n);
      if (m) fromBatch.push(Number(e.l1Block - m.l1BlockNumber));
    }
    const stat = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return {
        median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
        max: sorted[sorted.length - 1] ?? 0,
      };
    };
    return { from_assertion: stat(fromAssertion), from_batch: stat(fromBatch) };
  }

  private latency: DevnetResult['attestation_l1_blocks'];

  private result(
    result: DevnetResult['result'],
    sequencer: SequencerRole,
    roles: { v: Validator; attester?: Attester }[],
    withdrawalPaid: boolean,
  ): DevnetResult {
    const { seq, batches } = sequencer;
    const firstBlockAt = sequencer.firstBlockAt;
    const events = roles.flatMap((r) => r.v.events);
    return {
      result,
      l2_blocks: seq.status().head + 1,
      batches,
      assertions: events.filter((e) => e.kind === 'assertion').length,
      // by the challenge period or a dispute, or (attested chains) by the committee
      confirmed_assertions:
        events.filter((e) => e.kind === 'confirmed').length +
        roles.reduce((n, r) => n + (r.attester?.events.filter((e) => e.kind === 'attested').length ?? 0), 0),
      dispute_moves: roles[0].v.events.filter((e) => e.kind === 'move').length,
      withdrawal_paid: withdrawalPaid,
      first_block_s: firstBlockAt === undefined ? null : (firstBlockAt - this.t0) / 1000,
      elapsed_s: (Date.now() - this.t0) / 1000,
      rpc_url: sequencer.server.url,
      settlement_rpc: this.l1?.rpcUrl ?? '',
      contracts: { ...(this.settlement?.addresses ?? {}) },
      da: { module: this.o.config.da.module, batches: { ...sequencer.batchesByDa } },
      ...(this.o.config.proof.module === 'attested' ? this.attestedResult(roles) : {}),
    };
  }

  /** `epochs`, `attested`, `fallbacks`, `slashed` (and the latency) of an attested chain. */
  private attestedResult(roles: { v: Validator; attester?: Attester }[]): Partial<DevnetResult> {
    const events = roles.flatMap((r) => r.attester?.events ?? []);
    const confirmedOtherwise = new Set(
      roles.flatMap((r) => r.v.events.flatMap((e) => (e.kind === 'confirmed' ? [e.id] : []))),
    );
    return {
      epochs: roles.reduce((n, r) => Math.max(n, r.attester?.epochsSeen.size ?? 0), 0),
      attested: events.filter((e) => e.kind === 'attested').length,
      fallbacks: confirmedOtherwise.size,
      slashed: events.reduce((n, e) => n + (e.kind === 'slashed' ? e.validators.length : 0), 0),
      ...(this.latency ? { attestation_l1_blocks: this.latency } : {}),
    };
  }

  /** The app's demo workload (if any), driven in the background through the sequencer's JSON-RPC. */
  private workload(
    w: AppWorkload | undefined,
    ctx: Omit<WorkloadContext, 'log' | 'stopped'>,
  ): { state(): Promise<{ done: boolean; withdrawal?: bigint }> } {
    let result: WorkloadResult | undefined = w ? undefined : {};
    let error: unknown;
    if (w)
      w.run({ ...ctx, log: (l) => this.log(l), stopped: () => this.stopping }).then(
        (r) => {
          result = r;
        },
        (e) => {
          error = e;
        },
      );
    return {
      state: async () => {
        if (error) throw error;
        return { done: result !== undefined, withdrawal: result?.withdrawal };
      },
    };
  }

  /** Pays withdrawal `index` on L1 once a confirmed send root contains it. */
  private async tryWithdraw(
    chain: AppChain,
    index: bigint,
    bridge: SettlementDeployment['bridge'],
  ): Promise<boolean> {
    const s = this.settlement as SettlementDeployment;
    if (chain.withdrawalCount() <= index) return false;
    // the newest confirmed state that contains the withdrawal
    for (let n = chain.length; n > 0; n--) {
      const root = bytesToHex(chain.stateAt(n).bytes32[1]);
      if (!(await s.rollup.isConfirmedSendRoot(root))) continue;
      let p: ReturnType<AppChain['withdrawalProof']>;
      try {
        p = chain.withdrawalProof(index, n);
      } catch {
        return false;
      }
      const tx = await bridge.executeWithdrawal(
        p.withdrawal,
        bytesToHex(p.sendRoot),
        p.proof.map((x) => bytesToHex(x)),
      );
      this.log(
        `      withdrawal ${index} paid on L1: ${p.withdrawal.amount} wei to ${p.withdrawal.to} (gas ${tx.gasUsed})`,
      );
      return true;
    }
    return false;
  }

  private async status(
    seq: Sequencer,
    sequencer: SequencerRole,
    validators: Validator[],
    o: { done: boolean; withdrawalPaid: boolean; userTxs: UserTxTracker },
  ): Promise<DevnetStatus> {
    const events = validators.flatMap((v) => v.events);
    const count = (kind: string) => events.filter((e) => e.kind === kind).length;
    return {
      elapsed_s: (Date.now() - this.t0) / 1000,
      l2_blocks: seq.status().head + 1,
      batches: sequencer.batches,
      batches_by_da: { ...sequencer.batchesByDa },
      l1_inbox: Number(await (this.settlement as SettlementDeployment).inbox.messageCount()),
      assertions: count('assertion'),
      confirmed: count('confirmed'),
      dispute_moves: count('move'),
      slashed: count('slashed'),
      workload: o.done ? 'done' : 'running',
      withdrawal_paid: o.withdrawalPaid,
      user_txs: { count: o.userTxs.count, recent: [...o.userTxs.recent] },
    };
  }

  private async summary(seq: Sequencer, sequencer: SequencerRole, validators: Validator[]): Promise<string> {
    const s = this.settlement as SettlementDeployment;
    const st = seq.status();
    const events = validators.flatMap((v) => v.events);
    const assertions = events.filter((e) => e.kind === 'assertion').length;
    const confirmed = events.filter((e) => e.kind === 'confirmed').length;
    const moves = events.filter((e) => e.kind === 'move').length;
    const l1Messages = await s.inbox.messageCount();
    const t = ((Date.now() - this.t0) / 1000).toFixed(1);
    const byDa = Object.entries(sequencer.batchesByDa)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    return `[${t}s] L2 blocks ${st.head + 1} · batches ${sequencer.batches}${byDa ? ` (${byDa})` : ''}, L1 inbox ${l1Messages} · assertions ${assertions} · confirmed ${confirmed}${moves ? ` · dispute moves ${moves}` : ''}`;
  }
}
