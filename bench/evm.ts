/**
 * EVM benchmark (`modex bench evm`, issue 16 item 6): ERC-20 transfers (contracts/test/BenchErc20.sol,
 * compiled with solc) through the modex EVM guest (guest/apps/evm) natively, against the same
 * signed transactions on @ethereumjs/vm (Cancun) in this process.
 *
 * The guest: one `evm_run_tx` run per transaction (docs/evm.md §2: the env, the raw transaction, the
 * state root in, the new root out) on one native session, each run's state root chained into the
 * next, with the node's preimage store (every state-tree read and hinted node): what a node does per
 * transaction, minus batching. Setup (not timed): the accounts funded in a pre-state, the token
 * deployed by its creation transaction on the guest, a warm-up of `warmup` transfers. Steps per
 * transfer: `interpreted` transfers in the step interpreter (the machine a dispute bisects).
 * The two engines run interleaved, `rounds` times; the result is the median of each and the median
 * of the per-round ratios (these machines are shared and noisy).
 */

import { type Hex, hexToBytes } from 'viem';
import { encodeEnv } from '../src/apps/evm/env.ts';
import type { StateTestEnv } from '../src/apps/evm/fixture.ts';
import { EvmGuest } from '../src/apps/evm/guest.ts';
import { evmGuestBytes } from '../src/apps/evm/runner.ts';
import { writePreState } from '../src/apps/evm/world.ts';
import { PreimageStore } from '../src/apps/sdk/preimage-store.ts';
import { runOnEthereumjs } from './evm-ethereumjs.ts';
import {
  EVM_BENCH_BASE_FEE,
  EVM_BENCH_ETHER,
  EVM_BENCH_GAS_LIMIT,
  type EvmWorkload,
  erc20Workload,
} from './evm-workload.ts';

export interface EvmBenchOptions {
  /** token holders = senders (default 200) */
  holders?: number;
  /** timed transfers per round and engine (default 1000) */
  transfers?: number;
  /** interleaved rounds (default 5) */
  rounds?: number;
  /** transfers run in the step interpreter for steps per transfer (default 3) */
  interpreted?: number;
  log?: (line: string) => void;
}

export interface EvmBenchResult {
  /** guest, native: transfers per second, median of the rounds */
  erc20_tx_per_second: number;
  /** @ethereumjs/vm, same transactions, median of the rounds */
  ethereumjs_erc20_tx_per_second: number;
  /** median over the rounds of (guest tx/s ÷ ethereumjs tx/s), measured interleaved */
  speedup_median: number;
  /** machine steps of one transfer in the step interpreter (median of the interpreted ones) */
  steps_per_transfer: number;
  /** EVM gas of one transfer (both engines agree, checked) */
  gas_per_transfer: number;
  transfers: number;
  rounds: number;
  holders: number;
}

const ENV: StateTestEnv = {
  coinbase: hexToBytes('0x00000000000000000000000000000000000000c0'),
  number: 1n,
  timestamp: 1_700_000_000n,
  gasLimit: EVM_BENCH_GAS_LIMIT,
  baseFee: EVM_BENCH_BASE_FEE,
  random: new Uint8Array(32),
  excessBlobGas: 0n,
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The modex EVM guest as the bench drives it: state roots chained from one transaction to the next. */
class GuestChain {
  private readonly guest: EvmGuest;
  private readonly env = encodeEnv(ENV);
  private readonly store = new PreimageStore();
  root: Uint8Array;

  constructor(wasm: Uint8Array, w: EvmWorkload) {
    this.guest = new EvmGuest(wasm);
    const pre = new Map(
      [w.deployer, ...w.holders].map((a) => [
        a.address.slice(2).toLowerCase(),
        { nonce: 0n, balance: EVM_BENCH_ETHER, code: new Uint8Array(0), storage: new Map<string, bigint>() },
      ]),
    );
    this.root = writePreState(this.store, pre);
  }

  /** Applies `raw` with `engine`; returns its gas used and machine steps (throws unless it succeeded). */
  apply(raw: Hex, engine: 'native' | 'interp' = 'native'): { gasUsed: bigint; steps: number } {
    const r = this.guest.runTx(this.store, this.root, this.env, hexToBytes(raw), engine);
    if (!r.applied) throw new Error(`the EVM guest refused a bench transaction: ${r.refusal}`);
    if (!r.success) throw new Error('a bench transaction failed in the EVM guest');
    this.root = r.root;
    return { gasUsed: r.gasUsed, steps: r.steps };
  }
}

export async function benchEvm(opts: EvmBenchOptions = {}): Promise<EvmBenchResult> {
  const holders = opts.holders ?? 200;
  const transfers = opts.transfers ?? 1000;
  const rounds = opts.rounds ?? 5;
  const interpreted = opts.interpreted ?? 3;
  const log = opts.log ?? (() => {});
  const warmup = Math.min(100, transfers);
  log(`signing ${holders} holders' ${(rounds + 1) * transfers + warmup + interpreted} transfers…`);
  // one workload long enough for every round: each round continues the nonces of the last
  const w = await erc20Workload({ holders, transfers: (rounds + 1) * transfers + warmup + interpreted });
  const wasm = evmGuestBytes();
  const guest = new GuestChain(wasm, w);
  guest.apply(w.deployTx);
  let next = 0;
  for (; next < warmup; next++) guest.apply(w.transfers[next]);
  await runOnEthereumjs(w, warmup); // the reference's JIT warm-up

  const guestRates: number[] = [];
  const refRates: number[] = [];
  const ratios: number[] = [];
  let gasGuest = 0n;
  let gasRef = 0n;
  for (let r = 0; r < rounds; r++) {
    const batch = w.transfers.slice(next, next + transfers);
    next += transfers;
    const t0 = performance.now();
    for (const raw of batch) gasGuest = guest.apply(raw).gasUsed;
    const guestRate = (batch.length * 1000) / (performance.now() - t0);
    // the reference replays the workload from its start each round (its own fresh VM), timing
    // as many transfers
    const ref = await runOnEthereumjs(w, transfers);
    if (!ref.allOk) throw new Error('a bench transaction failed on @ethereumjs/vm');
    gasRef = ref.gasUsed[ref.gasUsed.length - 1];
    const refRate = (transfers * 1000) / ref.ms;
    guestRates.push(guestRate);
    refRates.push(refRate);
    ratios.push(guestRate / refRate);
    log(
      `round ${r + 1}/${rounds}: guest ${guestRate.toFixed(0)} tx/s, @ethereumjs/vm ${refRate.toFixed(0)} tx/s`,
    );
  }
  if (gasGuest !== gasRef)
    throw new Error(`gas per transfer differs: guest ${gasGuest}, @ethereumjs/vm ${gasRef}`);
  log(`${interpreted} transfers in the step interpreter…`);
  const steps: number[] = [];
  for (let i = 0; i < interpreted; i++) steps.push(guest.apply(w.transfers[next++], 'interp').steps);
  return {
    erc20_tx_per_second: Math.round(median(guestRates)),
    ethereumjs_erc20_tx_per_second: Math.round(median(refRates)),
    speedup_median: Math.round(median(ratios) * 100) / 100,
    steps_per_transfer: median(steps),
    gas_per_transfer: Number(gasGuest),
    transfers,
    rounds,
    holders,
  };
}

export function formatEvmBench(r: EvmBenchResult): string {
  const rows: [string, string][] = [
    ['ERC-20 transfers/s, modex EVM guest (native)', r.erc20_tx_per_second.toLocaleString('en-US')],
    ['ERC-20 transfers/s, @ethereumjs/vm', r.ethereumjs_erc20_tx_per_second.toLocaleString('en-US')],
    ['guest ÷ @ethereumjs/vm (median of interleaved rounds)', `${r.speedup_median}×`],
    ['machine steps per transfer (interpreter)', r.steps_per_transfer.toLocaleString('en-US')],
    ['EVM gas per transfer (both engines)', r.gas_per_transfer.toLocaleString('en-US')],
    ['transfers per round × rounds, holders', `${r.transfers} × ${r.rounds}, ${r.holders}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
