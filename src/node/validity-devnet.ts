/**
 * The validity devnet (docs/validity.md §7; `modex devnet --config examples/validity.config.json`
 * or `examples/hybrid.config.json`): embedded anvil (or --rpc), the app's circuit and keys (cached),
 * the settlement contracts with the ValidityVerifier in the Rollup's committee slot, the sequencer
 * and its batcher (uncompressed calldata), the prover role and the app's workload.
 *
 * - `proof.module: "validity"` (zk-rollup), scenario demo: the prover proves every range and
 *   creates and confirms each assertion in one transaction; result `confirmed` once the workload's
 *   withdrawal is paid on L1. `finality_s` is from the L1 block of the batch holding the
 *   withdrawal's L2 block to the confirmation that covers it.
 * - `proof.disputes: "validity"` (hybrid), scenario fraud: a liar posts a wrong assertion; the
 *   prover role's challenger (./hybrid-challenger.ts) challenges it (no bisection), the liar cannot
 *   prove it within the prove window, the challenger rejects it (`rejectUnproven`, the bonds to it),
 *   then the prover creates and confirms the correct assertion with a proof. The devnet stages these
 *   rounds so its `honest_moves` are the game's, in order; `modex node --role prover` runs the
 *   challenger and the prover in every round (the right assertion is confirmed without waiting). Result `honest-won`; `honest_moves` lists its transactions after the
 *   liar's assertion.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, type Hex, numberToHex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { validityAppFor } from '../apps/validity-apps.ts';
import { type WorkloadResult, workloadFor } from '../apps/workloads.ts';
import type { ChainConfig } from '../config/types.ts';
import { ModexError } from '../core/errors.ts';
import { openL1 } from '../l1/anvil.ts';
import type { ValidityKeys } from '../proof/validity/prover-app.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import type { AppChain } from './app-chain.ts';
import { honestAssertion } from './attester.ts';
import { daForConfig } from './da-modules.ts';
import type { HybridMove } from './hybrid-challenger.ts';
import { startProverRole } from './prover-role.ts';
import {
  attachAccount,
  type ChainClients,
  type deployForConfig,
  startSequencerRole,
  writeDeploymentFile,
} from './roles.ts';
import { deployValidityChain } from './validity-chain.ts';

export type ValidityDevnetResultKind = 'confirmed' | 'honest-won' | 'timeout' | 'stopped';

export interface HonestMove {
  kind: 'challenge' | 'reject-unproven' | 'prove-and-confirm';
  txHash: Hex;
  gas: string;
}

export interface ValidityDevnetResult {
  result: ValidityDevnetResultKind;
  scenario: 'demo' | 'fraud';
  proof: 'validity' | 'fraud+validity';
  l2_blocks: number;
  /** assertions confirmed by a proof */
  assertions: number;
  /** Groth16 proofs verified on L1 */
  proofs: number;
  records_proved: number;
  /** per proved assertion: ms proving, L1 gas of the confirming transaction */
  prove_ms: number[];
  confirm_gas: string[];
  /**
   * seconds from the workload's withdrawal executed on L2 (its receipt) to its send root confirmed by
   * a proof on L1 (the batch's posting, the proving and the confirming transaction)
   */
  finality_s: number | null;
  /** the optimistic alternative: the config's challenge period (fraud chains wait this long) */
  challenge_period_s: number;
  withdrawal_paid: boolean;
  circuit: { chunk_size: number; constraints: number; insecure: boolean; setup_s: number; cached: boolean };
  /** hybrid fraud scenario: the honest side's transactions after the liar's assertion */
  honest_moves?: HonestMove[];
  hybrid_dispute_gas?: string;
  elapsed_s: number;
}

export interface ValidityDevnetOptions {
  config: ChainConfig;
  rpc?: string;
  scenario: 'demo' | 'fraud';
  untilConfirmed: boolean;
  timeoutMs: number;
  tickMs?: number;
  log: (line: string) => void;
}

export class ValidityDevnetError extends ModexError {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ValidityDevnet {
  private stopping = false;
  private readonly t0 = Date.now();

  constructor(private readonly o: ValidityDevnetOptions) {}

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<ValidityDevnetResult> {
    const cleanup: (() => Promise<void>)[] = [];
    try {
      return await this.runInner(cleanup);
    } finally {
      for (const c of cleanup.reverse()) await c().catch(() => {});
    }
  }

  private async runInner(cleanup: (() => Promise<void>)[]): Promise<ValidityDevnetResult> {
    const { config, log } = this.o;
    const hybrid = config.proof.module !== 'validity';
    if (hybrid && this.o.scenario !== 'fraud')
      log('note: a hybrid chain plays its game only with --scenario fraud; demo proves every assertion');
    if (!hybrid && this.o.scenario === 'fraud')
      throw new ValidityDevnetError(
        'DEVNET_NO_FRAUD_SCENARIO',
        'a zk-rollup (proof.module "validity") has no disputes to lose: every assertion is proven when created; use --scenario demo, or examples/hybrid.config.json for a dispute decided by a proof',
      );
    const tickMs = this.o.tickMs ?? 500;
    const rpc = this.o.rpc ?? config.settlement.rpcUrl ?? 'embedded';
    log(
      `[1/5] settlement layer: ${rpc === 'embedded' ? 'starting embedded anvil' : `connecting to ${rpc}`}...`,
    );
    const l1 = await openL1(rpc);
    cleanup.push(() => l1.stop());
    log(`      up at ${l1.rpcUrl} (L1 chain id ${l1.chainId})`);

    log("[2/5] the app's circuit and keys, then the contracts...");
    if (!(await validityAppFor(config.vm)))
      throw new ValidityDevnetError(
        'DEVNET_NO_CIRCUIT',
        `app ${config.vm.app ?? config.vm.stf} ships no validity circuit (docs/validity.md §6)`,
      );
    const chainId = BigInt(config.chain.chainId);
    const {
      settlement: s,
      source,
      file: d,
      validity: vapp,
      keys,
    } = await deployValidityChain(l1, config, { log: (l) => log(`      ${l}`) });
    for (const [name, address] of Object.entries(s.addresses)) log(`      ${name.padEnd(19)} ${address}`);

    log(
      '[3/5] sequencer and batcher (uncompressed calldata: the proofs bind the batches as L1 reads them)...',
    );
    const dataDir = mkdtempSync(join(tmpdir(), 'modex-validity-devnet-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    writeDeploymentFile(join(dataDir, 'deployment.json'), d);
    const chainFor = (account: number) => attachAccount(l1, d, config, account);
    const sequencer = await startSequencerRole({
      chain: await chainFor(0),
      app: source,
      chainId,
      config,
      rpcUrl: l1.rpcUrl,
      sequencerKey: l1.accounts[0].privateKey,
      dataDir,
      warn: (l) => log(`      ${l}`),
    });
    cleanup.push(() => sequencer.close());
    log(`      sequencer JSON-RPC at ${sequencer.server.url}`);

    const da = () =>
      daForConfig(config, { rpcUrl: l1.rpcUrl, rpc: l1.publicClient, publicClient: l1.publicClient });
    log(`[4/5] prover${this.o.scenario === 'fraud' ? ', and a liar posting a wrong assertion' : ''}...`);
    const honest = await chainFor(1);
    const moves: HonestMove[] = [];
    let liarId: Hex | undefined;
    let liarPrev: Hex | undefined;
    let rejected = false;
    // the prover role's challenger (docs/validity.md §6.3) plays the honest side's game
    const onMove = (m: HybridMove) => {
      moves.push({ kind: m.kind, txHash: m.txHash, gas: m.gas.toString() });
      if (m.kind === 'reject-unproven' && m.id === liarId) rejected = true;
    };
    const prover = startProverRole({
      chain: honest,
      app: source,
      chainId,
      config,
      validity: vapp,
      name: 'prover',
      da: da(),
      log: (l) => log(`      ${l}`),
      onMove,
    });
    const liar =
      this.o.scenario === 'fraud' ? await this.startLiar(await chainFor(2), source, chainId) : undefined;

    log(`[5/5] workload: ${(await workloadFor(config.vm.app ?? ''))?.description ?? 'none'}...`);
    const workload = await workloadFor(config.vm.app ?? '');
    const user = l1.accounts[3].account as PrivateKeyAccount;
    const bridge = s.bridge.connect(walletFor(l1, user));
    let result: WorkloadResult | undefined;
    let executedAt = 0;
    let failed: unknown;
    workload
      ?.run({
        rpcUrl: sequencer.server.url,
        account: user,
        deposited: 10n ** 18n,
        log,
        sent: () => {},
        stopped: () => this.stopping,
        deposit: async (to, amount) => {
          await bridge.depositEth(to, amount);
        },
      })
      .then(
        (r) => {
          result = r;
          executedAt = Date.now();
        },
        (e) => {
          failed = e;
        },
      );

    let withdrawalPaid = false;
    let finality: number | null = null;
    const deadline = Date.now() + this.o.timeoutMs;
    const end = (r: ValidityDevnetResultKind) =>
      this.result(r, prover.prover.events, keys, moves, finality, withdrawalPaid, prover.follower.chain());
    for (;;) {
      if (this.stopping) return end('stopped');
      if (failed) throw failed;
      if (Date.now() > deadline) return end('timeout');
      if (liar && liarId === undefined) {
        // the liar goes first: the game is about its assertion, the first after genesis
        await prover.derivation.poll();
        const posted = await liar.tick();
        liarId = posted?.id;
        liarPrev = posted?.prevId;
      } else if (liar && !rejected) {
        // the game, staged: the prover role's challenger challenges the liar's assertion, then rejects
        // it once its prove window is over (the role itself runs its prover in the same rounds)
        await prover.derivation.poll();
        await prover.challenger?.tick();
      } else {
        // the prover role's round: the prover creates and confirms the right assertion with a proof
        // the honest move of the game: the right assertion in the liar's place (later ones are the chain going on)
        for (const e of await prover.tick())
          if (liar && e.prevId === liarPrev)
            moves.push({ kind: 'prove-and-confirm', txHash: e.txHash, gas: e.gas.toString() });
      }
      if (result?.withdrawal !== undefined && !withdrawalPaid) {
        const paid = await this.tryWithdraw(prover.follower.chain(), result.withdrawal, s, bridge);
        if (paid) {
          withdrawalPaid = true;
          finality = (Date.now() - executedAt) / 1000;
        }
      }
      const confirmed = prover.prover.events.length > 0;
      if (this.o.untilConfirmed) {
        if (liar && rejected && confirmed && moves.some((m) => m.kind === 'prove-and-confirm'))
          return end('honest-won');
        if (!liar && withdrawalPaid) return end('confirmed');
      }
      await sleep(tickMs);
    }
  }

  /** The liar: once the blocks after genesis are derived, posts the assertion with a wrong state root. */
  private async startLiar(chain: ChainClients, source: { name: string; bytes: Uint8Array }, chainId: bigint) {
    const { config, log } = this.o;
    const { startValidatorRole } = await import('./roles.ts');
    const role = startValidatorRole({ chain, app: source, chainId, config, name: 'liar', log: () => {} });
    return {
      tick: async (): Promise<{ id: Hex; prevId: Hex } | undefined> => {
        await role.derivation.poll();
        const records = await chain.rollup.assertions(chain.deployBlock);
        const latest = await chain.rollup.latestConfirmed();
        const prev = records.find((r) => r.id === latest);
        if (!prev) return undefined;
        const h = honestAssertion(role.follower, chain.params.heights, prev.data);
        if (!h) return undefined;
        const wrong = { ...h.end, stateRoot: numberToHex(0xbad, { size: 32 }) };
        const tx = await chain.rollup.createAssertion(
          prev.data,
          wrong,
          h.historyInner,
          await chain.rollup.assertionBond(),
        );
        log(
          `      liar: posted ${tx.id.slice(0, 10)} claiming state root ${wrong.stateRoot.slice(0, 10)}… for L2 blocks ${prev.data.end.inboxPosition}..${h.end.inboxPosition - 1n}`,
        );
        return { id: tx.id, prevId: tx.data.prevId };
      },
    };
  }

  /** Pays withdrawal `index` on L1 once a confirmed send root contains it; returns its finality. */
  private async tryWithdraw(
    chain: AppChain,
    index: bigint,
    s: Awaited<ReturnType<typeof deployForConfig>>['settlement'],
    bridge: Awaited<ReturnType<typeof deployForConfig>>['settlement']['bridge'],
  ): Promise<boolean> {
    if (chain.withdrawalCount() <= index) return false;
    for (let n = chain.length; n > 0; n--) {
      const root = bytesToHex(chain.stateAt(n).bytes32[1]);
      if (!(await s.rollup.isConfirmedSendRoot(root))) continue;
      let p: ReturnType<AppChain['withdrawalProof']>;
      try {
        p = chain.withdrawalProof(index, n);
      } catch {
        return false; // the newest confirmed state does not hold it yet
      }
      const tx = await bridge.executeWithdrawal(
        p.withdrawal,
        bytesToHex(p.sendRoot),
        p.proof.map((x) => bytesToHex(x)),
      );
      this.o.log(
        `      withdrawal ${index} paid on L1: ${p.withdrawal.amount} wei to ${p.withdrawal.to} (gas ${tx.gasUsed})`,
      );
      return true;
    }
    return false;
  }

  private result(
    result: ValidityDevnetResultKind,
    events: { proveMs: number; gas: bigint; chunks: number; records: number }[],
    keys: ValidityKeys,
    moves: HonestMove[],
    finality: number | null,
    withdrawalPaid: boolean,
    chain: AppChain,
  ): ValidityDevnetResult {
    const { config } = this.o;
    const hybrid = config.proof.module !== 'validity';
    return {
      result,
      scenario: this.o.scenario,
      proof: hybrid ? 'fraud+validity' : 'validity',
      l2_blocks: chain.length,
      assertions: events.length,
      proofs: events.reduce((n, e) => n + e.chunks, 0),
      records_proved: events.reduce((n, e) => n + e.records, 0),
      prove_ms: events.map((e) => Math.round(e.proveMs)),
      confirm_gas: events.map((e) => e.gas.toString()),
      finality_s: finality,
      challenge_period_s: config.proof.challengePeriodSeconds,
      withdrawal_paid: withdrawalPaid,
      circuit: {
        chunk_size: keys.chunkSize,
        constraints: keys.constraints,
        insecure: keys.insecure,
        setup_s: Math.round(keys.setupMs) / 1000,
        cached: keys.cached,
      },
      ...(this.o.scenario === 'fraud'
        ? {
            honest_moves: moves,
            hybrid_dispute_gas: moves.reduce((n, m) => n + BigInt(m.gas), 0n).toString(),
          }
        : {}),
      elapsed_s: (Date.now() - this.t0) / 1000,
    };
  }
}
