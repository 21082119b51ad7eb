import { encodeFunctionData, type Hex, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { getArtifact } from '../src/l1/contracts.ts';
import { rpcCall } from '../test/node-utils.ts';
import { benchEvmChain, checkBalances, expectedBalances, PER_HOLDER, setUp } from './evm-chain.ts';
import { AnvilChain } from './evm-chain-chains.ts';
import { lanesOf } from './evm-chain-load.ts';
import { EVM_BENCH_CHAIN_ID, erc20Workload } from './evm-workload.ts';

describe('modex bench evm-chain', () => {
  it('expectedBalances: one unit from sender i % s to (i + 1) % s, a full round changes nothing', () => {
    const P = PER_HOLDER;
    expect(expectedBalances(3, 3)).toEqual([P, P, P]);
    expect(expectedBalances(3, 4)).toEqual([P - 1n, P + 1n, P]);
    expect(expectedBalances(3, 5)).toEqual([P - 1n, P, P + 1n]);
  });

  it('lanesOf: every sender in one lane, its transactions in order', () => {
    const senders = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0];
    const lanes = lanesOf(senders, 2);
    expect(lanes).toHaveLength(2);
    expect(lanes.flat().sort((a, b) => a - b)).toEqual(senders.map((_, i) => i));
    for (const l of lanes) {
      expect([...l].sort((a, b) => a - b)).toEqual(l);
      for (const i of l)
        expect(lanes.filter((m) => m.some((j) => senders[j] === senders[i]))).toHaveLength(1);
    }
    expect(lanesOf([0, 0, 0], 64)).toEqual([[0, 1, 2]]);
  });

  it('runs both chains: every transfer acknowledged and succeeded, balances as the transfers imply', async () => {
    const r = await benchEvmChain({ txs: 30, senders: 6, reps: 2, concurrency: 4 });
    expect(r.reps).toHaveLength(2);
    for (const x of r.reps)
      for (const c of [x.modex, x.anvil]) {
        expect(c).toMatchObject({ txs: 30, acknowledged: 30, succeeded: 30, not_succeeded: {} });
        expect(c.tx_per_second).toBeGreaterThan(0);
        expect(c.latency_ms.p50).toBeLessThanOrEqual(c.latency_ms.p99);
      }
    expect(r.all_executed).toBe(true);
    expect(r.balances).toEqual({
      checked: 6,
      modex_mismatches: 0,
      anvil_mismatches: 0,
      total: (6n * PER_HOLDER).toString(),
    });
    // the same EVM: the same gas for the same transfer
    expect(r.gas_per_transfer.modex).toBeGreaterThan(21_000);
    expect(r.gas_per_transfer.modex).toBe(r.gas_per_transfer.anvil);
    expect(r.ratio).toBeCloseTo(r.tx_per_second / r.anvil_tx_per_second, 9);
    expect(Number.isFinite(r.ratio)).toBe(true);
  }, 180_000);

  it('checkBalances counts a holder whose balance differs from the expected one', async () => {
    const w = await erc20Workload({ holders: 3, transfers: 2 });
    const anvil = await AnvilChain.open({ chainId: BigInt(EVM_BENCH_CHAIN_ID) });
    try {
      await setUp(anvil, w);
      const holders = w.holders.map((h) => h.address);
      expect(await checkBalances(anvil, w.token, holders, expectedBalances(3, 0))).toEqual({
        mismatches: 0,
        total: 3n * PER_HOLDER,
      });
      for (const raw of w.transfers) await rpcCall(anvil.url, 'eth_sendRawTransaction', [raw]);
      const hashes: Hex[] = w.transfers.map((t) => keccak256(t));
      await anvil.settled(hashes);
      expect((await anvil.outcomes(hashes)).map((o) => o.status)).toEqual(['success', 'success']);
      // 0 → 1 and 1 → 2 moved one unit each: holder 0 lost one, holder 2 gained one
      expect((await checkBalances(anvil, w.token, holders, expectedBalances(3, 2))).mismatches).toBe(0);
      expect((await checkBalances(anvil, w.token, holders, expectedBalances(3, 0))).mismatches).toBe(2);
      expect((await checkBalances(anvil, w.token, holders, expectedBalances(3, 1))).mismatches).toBe(2);
      // a transfer of more than the sender holds reverts: status 0, counted as a failure; an unknown hash has no receipt
      const abi = (await getArtifact('BenchErc20')).abi as readonly unknown[];
      const tooMuch = await privateKeyToAccount(w.holders[2].key).signTransaction({
        type: 'eip1559',
        chainId: EVM_BENCH_CHAIN_ID,
        nonce: 0,
        to: w.token,
        data: encodeFunctionData({ abi, functionName: 'transfer', args: [holders[0], 2n * PER_HOLDER] }),
        gas: 100_000n,
        maxFeePerGas: 2_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      });
      await rpcCall(anvil.url, 'eth_sendRawTransaction', [tooMuch]);
      await anvil.settled([keccak256(tooMuch)]);
      const [failed, missing] = await anvil.outcomes([keccak256(tooMuch), keccak256('0x01')]);
      expect(failed.status).toBe('failure');
      expect(missing.status).toBe('missing');
      expect((await checkBalances(anvil, w.token, holders, expectedBalances(3, 2))).mismatches).toBe(0);
    } finally {
      await anvil.close();
    }
  }, 60_000);
});
