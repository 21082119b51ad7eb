/**
 * The reference EVM of `modex bench evm`: @ethereumjs/vm (Cancun) in this process, running the same
 * raw transactions as the modex guest. Setup (not timed): every account funded, the token deployed
 * by its creation transaction. Timed: `runTx` of each transfer, in order, in one block context.
 */
import { createBlock } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTxFromRLP } from '@ethereumjs/tx';
import { createAccount, createAddressFromString, hexToBytes } from '@ethereumjs/util';
import { createVM, runTx } from '@ethereumjs/vm';
import type { Hex } from 'viem';
import {
  EVM_BENCH_BASE_FEE,
  EVM_BENCH_ETHER,
  EVM_BENCH_GAS_LIMIT,
  type EvmWorkload,
} from './evm-workload.ts';

export interface ReferenceRun {
  /** wall time of the timed transfers, ms */
  ms: number;
  /** gas used per transfer (all equal after the first of each sender pair in this workload) */
  gasUsed: bigint[];
  /** every transfer succeeded */
  allOk: boolean;
}

/** Runs the workload on @ethereumjs/vm; `count` transfers are timed (default: all). */
export async function runOnEthereumjs(w: EvmWorkload, count = w.transfers.length): Promise<ReferenceRun> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
  const vm = await createVM({ common });
  for (const a of [w.deployer, ...w.holders])
    await vm.stateManager.putAccount(
      createAddressFromString(a.address),
      createAccount({ balance: EVM_BENCH_ETHER }),
    );
  const block = createBlock(
    {
      header: {
        number: 1n,
        gasLimit: EVM_BENCH_GAS_LIMIT,
        baseFeePerGas: EVM_BENCH_BASE_FEE,
        timestamp: 1_700_000_000n,
        coinbase: '0x00000000000000000000000000000000000000c0',
      },
    },
    { common },
  );
  const run = (raw: Hex) =>
    runTx(vm, { tx: createTxFromRLP(hexToBytes(raw), { common }), block, skipBlockGasLimitValidation: true });
  const deployed = await run(w.deployTx);
  if (deployed.execResult.exceptionError)
    throw new Error(`@ethereumjs/vm: the token deploy failed: ${deployed.execResult.exceptionError.error}`);
  const gasUsed: bigint[] = [];
  let allOk = true;
  const t0 = performance.now();
  for (const raw of w.transfers.slice(0, count)) {
    const r = await run(raw);
    gasUsed.push(r.totalGasSpent);
    if (r.execResult.exceptionError) allOk = false;
  }
  return { ms: performance.now() - t0, gasUsed, allOk };
}
