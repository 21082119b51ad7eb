/**
 * `modex bench dispute`: full disputes on the embedded anvil (docs/dispute.md). For each step
 * height (2^20, 2^28, 2^36 machine steps per block) a token chain is deployed, a deposit is
 * confirmed, and then an honest validator and a liar assert a block of signed transfers; the liar
 * lies about the block's result, so the dispute goes through every level down to the block's last
 * machine step. Reports the honest party's transactions and gas until its assertion is confirmed,
 * and the gas of posting an assertion.
 */

import { privateKeyToAccount } from 'viem/accounts';
import { runGenesis } from '../src/apps/sdk/app-entry.ts';
import { PreimageStore } from '../src/apps/sdk/preimage-store.ts';
import { App } from '../src/apps/sdk/run-app.ts';
import { TOKEN_CHAIN_ID, transfer } from '../src/apps/token/client.ts';
import { type L1, openL1 } from '../src/l1/anvil.ts';
import type { MoveKind } from '../src/proof/fraud/challenger.ts';
import { HonestClaim, LyingClaim } from '../src/proof/fraud/claim.ts';
import type { DisputeParams } from '../src/settlement/ethereum/deploy-settlement.ts';
import { type AssertionData, nextBlockCount } from '../src/settlement/ethereum/dispute-hash.ts';
import { encodeTxList } from '../src/settlement/ethereum/message.ts';
import { machineLine } from '../src/util/bench-stats.ts';
import { compileProgram } from '../src/vm/wasm/program.ts';
import { playUntil, setupDisputeFixture } from '../test/dispute-fixture.ts';

export interface DisputeBenchRow {
  /** log2 of the machine steps a block's dispute covers (Σ step heights) */
  steps_log2: number;
  steps: number;
  heights: number[];
  /** machine steps the disputed block actually ran */
  block_steps: number;
  honest_moves: number;
  honest_gas: number;
  honest_moves_by_kind: Partial<Record<MoveKind, number>>;
  liar_moves: number;
  liar_gas: number;
  /** L1 seconds from the rival assertion to the honest confirmation (challenge period included) */
  l1_seconds: number;
  wall_seconds: number;
}

export interface DisputeBenchResult {
  /** createAssertion by a validator already staked (the steady state) */
  assertion_gas: number;
  /** createAssertion by a new staker (its bond transferred in the same call) */
  first_assertion_gas: number;
  confirm_assertion_gas: number;
  challenge_period_s: number;
  transfers_in_block: number;
  disputes: DisputeBenchRow[];
  machine: string;
}

export interface DisputeBenchOptions {
  /** step heights to measure (default 20, 28, 36) */
  stepLogs?: number[];
  transfers?: number;
  rpc?: string;
  log?: (line: string) => void;
}

/** The step levels for a total step height: a bottom level of 2^20 steps, then levels of 16 bits. */
export function stepHeights(total: number): number[] {
  const out: number[] = [];
  let rest = total;
  const bottom = Math.min(20, rest);
  rest -= bottom;
  while (rest > 0) {
    const h = Math.min(16, rest);
    out.unshift(h);
    rest -= h;
  }
  return [...out, bottom];
}

const PERIOD = 3600n;

export async function benchDispute(opts: DisputeBenchOptions = {}): Promise<DisputeBenchResult> {
  const log = opts.log ?? (() => {});
  const transfers = opts.transfers ?? 3;
  const prog = compileProgram(new App('token').bytes);
  const l1: L1 = await openL1(opts.rpc ?? 'embedded');
  const rows: DisputeBenchRow[] = [];
  let assertionGas = 0;
  let firstAssertionGas = 0;
  let confirmGas = 0;
  try {
    for (const stepLog of opts.stepLogs ?? [20, 28, 36]) {
      const params: DisputeParams = {
        heights: [8, ...stepHeights(stepLog)],
        challengePeriod: PERIOD,
        assertionBond: 10n ** 18n,
        edgeBond: 10n ** 17n,
      };
      log(`2^${stepLog} steps: heights [${params.heights.join(', ')}], deploying`);
      const store = new PreimageStore();
      // the chain id lives in the genesis state (docs/app-abi.md §2)
      const genesis = runGenesis(new App('token', store), TOKEN_CHAIN_ID);
      const f = await setupDisputeFixture(l1, {
        prog,
        params,
        genesis,
        preimages: { preimage: (kind, hash) => store.get(hash, kind), onPreimageHint: store.hint },
      });
      // message 0: a deposit (through the bridge), confirmed without a dispute
      const user = privateKeyToAccount(`0x${'42'.repeat(32)}`);
      await f.settlement.bridge.depositEth(user.address, 10n ** 18n);
      await f.postBatch(new Uint8Array([0, 0, 0, 0]));
      const txs: Uint8Array[] = [];
      for (let i = 0; i < transfers; i++) {
        const to = `0x${(0x1000 + i).toString(16).padStart(40, '0')}` as const;
        txs.push(await transfer(user, to, 1000n, { nonce: BigInt(i) }));
      }
      await f.postBatch(encodeTxList(txs));
      const firstClaim = new HonestClaim(f.ctx, f.genesis, 1);
      const first = f.agent('first', 1, firstClaim, f.genesisData);
      await first.postAssertion();
      firstAssertionGas = Number(first.moves[0].gasUsed);
      await f.elapse(Number(PERIOD));
      await first.advance();
      confirmGas = Number(first.moves.at(-1)?.gasUsed ?? 0);
      const prev = first.assertion as AssertionData;
      const blocks = nextBlockCount(prev, params.heights[0]);
      const claim = new HonestClaim(f.ctx, firstClaim.endState(), blocks);
      const blockSteps = claim.steps(blocks - 1);
      log(`  the disputed block runs ${blockSteps} machine steps; honest and liar assert`);
      // the honest validator is already staked (on the confirmed assertion): the steady-state cost
      const honest = f.agent('honest', 1, claim, prev, (l) => log(`  ${l}`));
      const liar = f.agent('liar', 2, new LyingClaim(claim, blocks - 1), prev, (l) => log(`  ${l}`));
      const t0 = Date.now();
      await honest.postAssertion();
      assertionGas = Number(honest.moves[0].gasUsed);
      await liar.postAssertion();
      const l1Start = (await l1.publicClient.getBlock()).timestamp;
      await playUntil(f, [honest, liar], () => honest.isConfirmed(), { step: 60, maxRounds: 400 });
      const l1End = (await l1.publicClient.getBlock()).timestamp;
      const h = honest.totals();
      const byKind: Partial<Record<MoveKind, number>> = {};
      for (const m of honest.moves) byKind[m.kind] = (byKind[m.kind] ?? 0) + 1;
      rows.push({
        steps_log2: stepLog,
        steps: 2 ** stepLog,
        heights: params.heights,
        block_steps: blockSteps,
        honest_moves: h.moves,
        honest_gas: Number(h.gas),
        honest_moves_by_kind: byKind,
        liar_moves: liar.totals().moves,
        liar_gas: Number(liar.totals().gas),
        l1_seconds: Number(l1End - l1Start),
        wall_seconds: (Date.now() - t0) / 1000,
      });
      log(`  honest won: ${h.moves} transactions, ${h.gas} gas`);
    }
  } finally {
    await l1.stop();
  }
  return {
    assertion_gas: assertionGas,
    first_assertion_gas: firstAssertionGas,
    confirm_assertion_gas: confirmGas,
    challenge_period_s: Number(PERIOD),
    transfers_in_block: transfers,
    disputes: rows,
    machine: machineLine(),
  };
}

export function formatDisputeBench(r: DisputeBenchResult): string {
  const lines = [
    `assertion: ${r.assertion_gas} gas (staked validator), ${r.first_assertion_gas} gas (new staker with its bond); confirmation ${r.confirm_assertion_gas} gas`,
    `disputed block: ${r.transfers_in_block} signed transfers; challenge period ${r.challenge_period_s} s`,
    '',
    '| steps | heights | block steps | honest txs | honest gas | gas/move | liar txs | L1 time (s) | wall (s) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.disputes.map(
      (d) =>
        `| 2^${d.steps_log2} | [${d.heights.join(', ')}] | ${d.block_steps} | ${d.honest_moves} | ${d.honest_gas.toLocaleString('en-US')} | ${Math.round(d.honest_gas / d.honest_moves).toLocaleString('en-US')} | ${d.liar_moves} | ${d.l1_seconds} | ${d.wall_seconds.toFixed(1)} |`,
    ),
    '',
    ...r.disputes.map(
      (d) =>
        `2^${d.steps_log2}: ${Object.entries(d.honest_moves_by_kind)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
    ),
  ];
  return lines.join('\n');
}
