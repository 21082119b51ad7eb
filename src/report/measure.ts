/**
 * What `modex report` measures on one config's chain (src/report/chain.ts), on the shared L1:
 *
 * - `measureWorkload`: a deposit through the bridge, then `txs` signed token transfers sent one at a
 *   time over JSON-RPC (the modex client): soft-confirmation latency, L1 inclusion of each block,
 *   the batches' L1 gas, calldata and blob bytes (read back from L1 receipts), and finality: an
 *   honest validator's assertion covering the last block confirmed on L1. The challenge period
 *   (7 days by default) is warped on anvil right after that assertion is posted; finality is the
 *   period plus the wall time measured. Attested chains (docs/attested.md): the local validators
 *   are registered and the honest validator runs their keys; finality is the confirmation by
 *   attestation (§4), wall time with no warp, and the committee's L1 gas (confirmAttested or the
 *   fast path's createAttestedAssertion, sealEpoch) is measured next to the batches'.
 * - `measureDispute`: a fresh chain whose first block is a batch of transfers, an honest validator and
 *   one that lies about it (the devnet's fraud scenario, docs/node.md §6): the dispute is played to
 *   the one-step proof on L1, then each side's L1 gas and bond balance is read back from L1. On an
 *   attested chain this is the fallback dispute (§4: with a rival the committee cannot confirm):
 *   no local validators are registered there, so no quorum can confirm the honest assertion before
 *   the liar's rival exists; the game is the fraud module's.
 */
import { performance } from 'node:perf_hooks';
import { type AbiFunction, type Address, type Hex, toFunctionSelector } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { getBalance } from '../apps/token/actions.ts';
import { transfer } from '../apps/token/client.ts';
import { createModexClient } from '../client/client.ts';
import type { ChainConfig } from '../config/types.ts';
import { ModexError } from '../core/errors.ts';
import type { L1 } from '../l1/anvil.ts';
import { getArtifact } from '../l1/contracts.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import { percentiles } from '../util/bench-stats.ts';
import { ACCOUNT, type ReportChain, startReportChain } from './chain.ts';
import { l1Transactions, selectorOf, sum } from './l1-ledger.ts';

export class ReportTimeoutError extends ModexError {
  constructor(what: string, seconds: number) {
    super('REPORT_TIMEOUT', `modex report: ${what} did not happen within ${seconds} s`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POST_BATCH = selectorOf('postBatch(uint64,uint64,uint8,bytes)');
const GLOBAL_STATE = '(bytes32,bytes32,uint64,uint64)';
const CREATE_ASSERTION = selectorOf(
  `createAssertion((bytes32,bytes32,uint64,${GLOBAL_STATE},bytes32,uint64),${GLOBAL_STATE},bytes32)`,
);

/** The selector of `contract`'s function `fn`, from the built ABI (it follows the contracts' source). */
async function abiSelector(contract: string, fn: string): Promise<Hex> {
  const item = (await getArtifact(contract)).abi.find(
    (x): x is AbiFunction => x.type === 'function' && x.name === fn,
  );
  if (!item)
    throw new ModexError('REPORT_NO_SELECTOR', `${contract} has no function ${fn}: rebuild the contracts`);
  return toFunctionSelector(item);
}

export interface MeasureOptions {
  /** ms between rounds (validators, one L1 block; default 500) */
  tickMs?: number;
  /** give up on one wait after this long (default 300 s) */
  timeoutS?: number;
  log?: (line: string) => void;
}

/**
 * Runs `chain.round()` every tick in the background; `warp(s)` adds s seconds to L1 time once, at
 * the next round where no validator acts.
 */
class Clock {
  private stopped = false;
  private pendingWarp = 0;
  private running: Promise<void>;
  warpPerRound = 0;
  rounds = 0;
  lastError?: unknown;

  constructor(
    private readonly chain: ReportChain,
    private readonly tickMs: number,
  ) {
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const w = this.pendingWarp + this.warpPerRound;
      try {
        if (await this.chain.round(w)) this.pendingWarp = 0;
        this.rounds++;
      } catch (e) {
        this.lastError = e;
      }
      await sleep(this.tickMs);
    }
  }

  warp(seconds: number): void {
    this.pendingWarp += seconds;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}

async function until<T>(
  what: string,
  timeoutS: number,
  f: () => Promise<T | undefined | false>,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new ReportTimeoutError(what, timeoutS);
    await sleep(everyMs);
  }
}

export interface WorkloadMeasure {
  txs: number;
  /** batches posted (postBatch transactions) */
  batches: number;
  /** the batches per DA path (calldata, blob, certificate, `… (fallback)`) */
  da_paths: Record<string, number>;
  /** postBatch execution gas per transaction */
  l1_gas_per_tx: number;
  /** EIP-4844 blob gas per transaction (priced apart from execution gas) */
  blob_gas_per_tx: number;
  /** calldata bytes of the postBatch transactions per transaction */
  calldata_bytes_per_tx: number;
  /** blob bytes (131,072 per blob) per transaction */
  blob_bytes_per_tx: number;
  /** sendRawTransaction → soft confirmation, ms */
  soft_confirmation_ms: { p50: number; p99: number };
  /** sent → its block in the L1 inbox, s (median) */
  l1_inclusion_s: number;
  /**
   * sent → an assertion covering its block confirmed on L1 (median): the challenge period + `wall_s`
   * (`by: 'challenge-period'`, the period warped on anvil), or the wall time to the committee's
   * confirmation (`by: 'attestation'`, attested chains: `challenge_period_s` 0, no warp)
   */
  finality: {
    s: number;
    challenge_period_s: number;
    wall_s: number;
    warped: boolean;
    by: 'challenge-period' | 'attestation';
  };
  /** the honest validator's createAssertion (attested chains: or createAttestedAssertion), gas (median) */
  assertion_gas: number;
  /**
   * attested chains: the committee's L1 transactions over the same window as the batches (the
   * honest validator's attester: confirmAttested, sealEpoch), their gas per transaction of the workload
   */
  attestation?: {
    /** confirmAttested and createAttestedAssertion transactions */
    confirmations: number;
    /** of which createAttestedAssertion: created and confirmed in one transaction (its gas includes the creation) */
    created_confirmed: number;
    confirm_gas_per_tx: number;
    seals: number;
    seal_gas_per_tx: number;
    /** L1 blocks mined over the window (anvil mines one per round and one per transaction: epochs are short) */
    l1_blocks: number;
    /** local validators registered (every one in every committee: docs/report.md) */
    validators: number;
  };
}

export async function measureWorkload(
  l1: L1,
  config: ChainConfig,
  opts: MeasureOptions & { txs: number },
): Promise<WorkloadMeasure & { committeeSize?: number }> {
  const log = opts.log ?? (() => {});
  const timeoutS = opts.timeoutS ?? 300;
  const attested = config.proof.module === 'attested';
  const chain = await startReportChain(l1, config, { log, attest: attested });
  const clock = new Clock(chain, opts.tickMs ?? 500);
  try {
    await chain.startValidator({ name: 'validator-1', account: ACCOUNT.honest, attest: attested });
    const honest = l1.accounts[ACCOUNT.honest].address;
    const startBlock = await l1.publicClient.getBlockNumber();
    const user = l1.accounts[ACCOUNT.user].account as PrivateKeyAccount;
    const deposit = 10n ** 18n;
    await chain.settlement.bridge.connect(walletFor(l1, user)).depositEth(user.address, deposit);
    const client = createModexClient({ url: chain.rpcUrl, pollingInterval: 100 });
    log(`deposit sent through the bridge; waiting for it on L2`);
    await until('the deposit on L2', timeoutS, async () => (await getBalance(client, user)) >= deposit);
    const nonce = await client.getNonce({ address: user.address, blockTag: 'pending' });
    const chainId = BigInt(chain.config.chain.chainId);
    const raws: Uint8Array[] = [];
    for (let i = 0; i < opts.txs; i++) {
      const to = `0x${(0x2000 + i).toString(16).padStart(40, '0')}` as Address;
      raws.push(await transfer(user, to, 10n ** 12n, { nonce: nonce + BigInt(i), chainId }));
    }
    log(`sending ${opts.txs} signed transfers, one at a time`);
    const sent: { at: number; ms: number; block: number }[] = [];
    for (const raw of raws) {
      const t = performance.now();
      const c = await client.sendRawTransaction({ serializedTransaction: raw });
      sent.push({ at: t, ms: performance.now() - t, block: c.block });
    }
    const lastBlock = Math.max(...sent.map((s) => s.block));
    // when each block reached the L1 inbox
    const includedAt = new Map<number, number>();
    const firstBlock = Math.min(...sent.map((s) => s.block));
    await until('the batches on L1', timeoutS, async () => {
      const count = Number(await chain.settlement.inbox.messageCount());
      const now = performance.now();
      for (let b = firstBlock; b < count && b <= lastBlock; b++)
        if (!includedAt.has(b)) includedAt.set(b, now);
      return count > lastBlock;
    });
    log(`on L1 (blocks ${firstBlock}..${lastBlock}); waiting for an assertion that covers them`);
    const rollup = chain.settlement.rollup;
    const covering = await until('an assertion covering the workload', timeoutS, async () =>
      (await rollup.assertions(startBlock)).find(
        (a) =>
          a.asserter.toLowerCase() === honest.toLowerCase() && a.data.end.inboxPosition > BigInt(lastBlock),
      ),
    );
    const period = attested ? 0 : chain.config.proof.challengePeriodSeconds;
    if (attested)
      log(`assertion ${covering.id.slice(0, 10)} posted; waiting for the committee's attestation`);
    else {
      log(
        `assertion ${covering.id.slice(0, 10)} posted; warping L1 time by the challenge period (${period} s)`,
      );
      clock.warp(period + 1);
    }
    await until(
      'the assertion confirmed',
      timeoutS,
      async () => (await rollup.status(covering.id)) === 'confirmed',
    );
    const confirmedAt = performance.now();
    await clock.stop();
    const endBlock = await l1.publicClient.getBlockNumber();
    const txs = await l1Transactions(l1, startBlock, endBlock, [
      l1.accounts[ACCOUNT.sequencer].address,
      honest,
    ]);
    const inbox = chain.settlement.inbox.address.toLowerCase();
    const batches = txs.filter((t) => t.to?.toLowerCase() === inbox && t.selector === POST_BATCH);
    // attested chains: the attester's fast path creates and confirms an assertion in one transaction
    const createAttested = attested ? await abiSelector('Rollup', 'createAttestedAssertion') : undefined;
    const assertions = txs.filter((t) => t.selector === CREATE_ASSERTION || t.selector === createAttested);
    const attester = chain.validators[0].attester;
    if (attested && !attester?.events.some((e) => e.kind === 'attested' && e.id === covering.id))
      throw new ModexError(
        'REPORT_NOT_ATTESTED',
        `assertion ${covering.id} was confirmed, but not by attestation: the committee did not confirm it`,
      );
    let attestation: WorkloadMeasure['attestation'];
    if (attested) {
      const [confirm, seal] = await Promise.all([
        abiSelector('Rollup', 'confirmAttested'),
        abiSelector('ValidatorCommittee', 'sealEpoch'),
      ]);
      const confirms = txs.filter((t) => t.selector === confirm || t.selector === createAttested);
      const seals = txs.filter((t) => t.selector === seal);
      attestation = {
        confirmations: confirms.length,
        created_confirmed: confirms.filter((t) => t.selector === createAttested).length,
        confirm_gas_per_tx: sum(confirms, (t) => t.gasUsed) / opts.txs,
        seals: seals.length,
        seal_gas_per_tx: sum(seals, (t) => t.gasUsed) / opts.txs,
        l1_blocks: Number(endBlock - startBlock) + 1,
        validators: chain.validatorKeys?.length ?? 0,
      };
    }
    const n = opts.txs;
    const med = (xs: number[]) => percentiles(xs).p50;
    const lat = percentiles(sent.map((s) => s.ms));
    const wall = med(sent.map((s) => (confirmedAt - s.at) / 1000));
    return {
      txs: n,
      batches: batches.length,
      da_paths: { ...chain.sequencer.batchesByDa },
      l1_gas_per_tx: sum(batches, (t) => t.gasUsed) / n,
      blob_gas_per_tx: sum(batches, (t) => t.blobGasUsed) / n,
      calldata_bytes_per_tx: sum(batches, (t) => t.inputBytes) / n,
      blob_bytes_per_tx: sum(batches, (t) => t.blobBytes) / n,
      soft_confirmation_ms: { p50: lat.p50, p99: lat.p99 },
      l1_inclusion_s: med(sent.map((s) => ((includedAt.get(s.block) ?? Number.NaN) - s.at) / 1000)),
      finality: {
        s: period + wall,
        challenge_period_s: period,
        wall_s: wall,
        warped: !attested,
        by: attested ? 'attestation' : 'challenge-period',
      },
      assertion_gas: med(assertions.map((t) => Number(t.gasUsed))),
      ...(attestation ? { attestation } : {}),
      committeeSize: chain.committeeSize,
    };
  } finally {
    await clock.stop();
    await chain.close();
  }
}

export interface DisputeSide {
  /** L1 transactions sent from its assertion to the end of the dispute */
  txs: number;
  gas: number;
  /** bonds won (positive) or lost (negative), wei: balance change + fees paid + a stake still held */
  bonds_wei: string;
}

export interface DisputeMeasure {
  honest: DisputeSide;
  liar: DisputeSide;
  /** transfers in the disputed block */
  block_txs: number;
  /** L1 time from the assertions to the liar's stake taken (warped on anvil) */
  l1_seconds: number;
  wall_s: number;
}

export async function measureDispute(
  l1: L1,
  config: ChainConfig,
  opts: MeasureOptions & { blockTxs?: number },
): Promise<DisputeMeasure> {
  const log = opts.log ?? (() => {});
  const timeoutS = opts.timeoutS ?? 300;
  // the disputed block is sealed after 1 s instead of the block age: the dispute's cost does not
  // depend on it, and the run is shorter
  const c = structuredClone(config);
  c.sequencing.batch = { ...c.sequencing.batch, maxAgeSeconds: 1 };
  const chain = await startReportChain(l1, c, { log });
  // rounds without validators first: they start once the disputed block is on L1
  const clock = new Clock(chain, opts.tickMs ?? 500);
  try {
    const client = createModexClient({ url: chain.rpcUrl, pollingInterval: 100 });
    const sender = l1.accounts[ACCOUNT.user].account as PrivateKeyAccount;
    const chainId = BigInt(chain.config.chain.chainId);
    const k = opts.blockTxs ?? 5;
    // block 0 is the first an assertion covers: a batch of transfers (unfunded: each receipt is the
    // STF's insufficient-balance; every signature is still checked), through the config's DA
    let last = 0;
    for (let i = 0; i < k; i++) {
      const to = `0x${(0x3000 + i).toString(16).padStart(40, '0')}` as Address;
      const c = await client.sendRawTransaction({
        serializedTransaction: await transfer(sender, to, 1n, { nonce: BigInt(i), chainId }),
      });
      last = Math.max(last, c.block);
    }
    await until(
      'the disputed batch on L1',
      timeoutS,
      async () => (await chain.settlement.inbox.messageCount()) > BigInt(last),
    );
    const honestAddr = l1.accounts[ACCOUNT.honest].address;
    const liarAddr = l1.accounts[ACCOUNT.liar].address;
    const [b0h, b0l] = await Promise.all([
      l1.publicClient.getBalance({ address: honestAddr }),
      l1.publicClient.getBalance({ address: liarAddr }),
    ]);
    const startBlock = await l1.publicClient.getBlock();
    const t0 = performance.now();
    await chain.startValidator({ name: 'validator-1', account: ACCOUNT.honest });
    await chain.startValidator({ name: 'validator-2 (lying)', account: ACCOUNT.liar, lie: true });
    // the dispute lasts at least the challenge period of L1 time: warp 1/40 of it per round in which
    // no validator acts (the devnet's --warp 2 on a 60 s period is 1/30)
    const period = chain.config.proof.challengePeriodSeconds;
    clock.warpPerRound = Math.max(1, Math.ceil(period / 40));
    log(`validator-1 (honest) and validator-2 (lying) start; L1 time +${clock.warpPerRound} s a round`);
    const honest = chain.validators[0].validator;
    let moves = 0;
    await until(
      "the liar's stake taken",
      timeoutS * 2,
      async () => {
        const m = honest.events.filter((e) => e.kind === 'move').length;
        if (m > moves && m % 4 === 0) log(`${m} honest moves`);
        moves = m;
        if (clock.lastError)
          log(`round failed (retried): ${(clock.lastError as Error).message.split('\n')[0]}`);
        clock.lastError = undefined;
        return honest.events.some((e) => e.kind === 'slashed');
      },
      250,
    );
    // a few more rounds: the honest side collects the edge bonds
    const r = clock.rounds;
    await until('the last rounds', 60, async () => clock.rounds >= r + 4);
    await clock.stop();
    const wall = (performance.now() - t0) / 1000;
    const endBlock = await l1.publicClient.getBlock();
    const txs = await l1Transactions(l1, startBlock.number + 1n, endBlock.number, [honestAddr, liarAddr]);
    const bond = BigInt(chain.config.proof.bond);
    const zero = `0x${'00'.repeat(32)}`;
    const side = async (addr: Address, before: bigint): Promise<DisputeSide> => {
      const mine = txs.filter((t) => t.from.toLowerCase() === addr.toLowerCase());
      const after = await l1.publicClient.getBalance({ address: addr });
      const staked = (await chain.settlement.rollup.latestStaked(addr)) !== zero ? bond : 0n;
      const fees = mine.reduce((a, t) => a + t.fee, 0n);
      return {
        txs: mine.length,
        gas: sum(mine, (t) => t.gasUsed),
        bonds_wei: (after - before + fees + staked).toString(),
      };
    };
    return {
      honest: await side(honestAddr, b0h),
      liar: await side(liarAddr, b0l),
      block_txs: k,
      l1_seconds: Number(endBlock.timestamp - startBlock.timestamp),
      wall_s: wall,
    };
  } finally {
    await clock.stop();
    await chain.close();
  }
}
