/**
 * Real Ethereum clients against a modex EVM chain (issue 20 item 4): one chain for the file, the
 * built-in `evm` app in a sequencer with the Ethereum JSON-RPC (test/evm-clients/chain.ts).
 *
 * - ethers v6: deploy an ERC-20 (contracts/test/BenchErc20.sol, solc), transfer, read the
 *   `Transfer` events (receipt logs and eth_getLogs), wait for receipts; a reverted transfer is
 *   refused by estimation and, sent anyway, mined with status 0 and no effect.
 * - Foundry from npm: `forge create` (compiled offline with the npm solc, test/evm-clients/solc.mjs)
 *   of test/evm-clients/foundry/src/Counter.sol, `cast send` / `cast call` against it, and a
 *   withdrawal through the precompile 0x64 (docs/evm.md chain path) from the contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Contract, ContractFactory, type EventLog, JsonRpcProvider, type Log, Wallet } from 'ethers';
import { getAddress, type Hex, keccak256, pad, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_ADDRESS,
  DEV_KEY,
  type EvmTestChain,
  startEvmTestChain,
} from '../../../test/evm-clients/chain.ts';
import { foundry, foundryProject, lastJsonObject, SOLC_WRAPPER } from '../../../test/evm-clients/foundry.ts';
import { rpcCall } from '../../../test/node-utils.ts';
import { getArtifact } from '../../l1/contracts.ts';

const CHAIN_ID = 424_242n;
const FUND = 10n ** 20n;
const BOB = getAddress('0x000000000000000000000000000000000000b0b0');
const CAROL = getAddress('0x000000000000000000000000000000000000ca10');

let chain: EvmTestChain;
beforeAll(async () => {
  chain = await startEvmTestChain({ chainId: CHAIN_ID, fund: FUND });
}, 120_000);
afterAll(async () => {
  await chain?.close();
});

const lower = (s: string) => s.toLowerCase();

describe('ethers v6 against a modex EVM chain', () => {
  it('deploys an ERC-20, transfers, reads Transfer events, waits for receipts; a revert changes nothing', {
    timeout: 120_000,
  }, async () => {
    const provider = new JsonRpcProvider(chain.url, undefined, { pollingInterval: 100 });
    try {
      expect((await provider.getNetwork()).chainId).toBe(CHAIN_ID);
      const wallet = new Wallet(DEV_KEY, provider);
      expect(await provider.getBalance(DEV_ADDRESS)).toBe(FUND);

      const artifact = await getArtifact('BenchErc20');
      const minted = 10n ** 21n;
      const factory = new ContractFactory(artifact.abi as never, artifact.bytecode, wallet);
      const deployed = await factory.deploy([DEV_ADDRESS, CAROL], minted);
      const deployReceipt = await deployed.deploymentTransaction()?.wait();
      expect(deployReceipt?.status).toBe(1);
      const address = await deployed.getAddress();
      expect(lower(deployReceipt?.contractAddress ?? '')).toBe(lower(address));
      expect(await provider.getCode(address)).toBe(artifact.deployedBytecode);
      const token = new Contract(address, artifact.abi as never, wallet);
      expect(await token.totalSupply()).toBe(2n * minted);

      const tx = await token.transfer(BOB, 123n);
      const receipt = await tx.wait();
      expect(receipt.status).toBe(1);
      expect(receipt.hash).toBe(tx.hash);
      expect(receipt.blockNumber).toBeGreaterThan(deployReceipt?.blockNumber ?? Number.POSITIVE_INFINITY);
      const transfers = (receipt.logs as Log[]).map((l) => token.interface.parseLog(l));
      expect(transfers.map((e) => [e?.name, ...(e?.args ?? [])])).toEqual([
        ['Transfer', DEV_ADDRESS, BOB, 123n],
      ]);
      const block = await provider.getBlock(receipt.blockNumber);
      expect(block?.transactions).toContain(tx.hash);
      expect(await token.balanceOf(BOB)).toBe(123n);
      expect(await token.balanceOf(DEV_ADDRESS)).toBe(minted - 123n);

      // eth_getLogs through the contract's filters: the mints (from 0) and the transfer
      const mints = (await token.queryFilter(
        token.filters.Transfer('0x0000000000000000000000000000000000000000'),
        0,
      )) as EventLog[];
      expect(mints.map((e) => [...e.args])).toEqual([
        ['0x0000000000000000000000000000000000000000', DEV_ADDRESS, minted],
        ['0x0000000000000000000000000000000000000000', CAROL, minted],
      ]);
      const fromDev = (await token.queryFilter(token.filters.Transfer(DEV_ADDRESS), 0)) as EventLog[];
      expect(fromDev.map((e) => [e.transactionHash, ...e.args])).toEqual([[tx.hash, DEV_ADDRESS, BOB, 123n]]);

      // more than the balance: estimation reverts with the contract's custom error
      const refused = (await token.transfer(BOB, minted).catch((e: unknown) => e)) as {
        code?: string;
        data?: Hex;
      };
      expect(refused.code).toBe('CALL_EXCEPTION');
      expect(token.interface.parseError(refused.data ?? '0x')?.args.toArray()).toEqual([
        minted - 123n,
        minted,
      ]);
      expect(token.interface.parseError(refused.data ?? '0x')?.name).toBe('InsufficientBalance');
      // sent anyway (gas given, no estimate): mined, status 0, the balances unchanged
      const failing = await token.transfer(BOB, minted, { gasLimit: 100_000n });
      const failed = await failing.wait().catch((e: { receipt?: { status: number } }) => e.receipt);
      expect(failed?.status).toBe(0);
      expect(await token.balanceOf(BOB)).toBe(123n);
      expect(await token.balanceOf(DEV_ADDRESS)).toBe(minted - 123n);

      // plain ETH
      const eth = await wallet.sendTransaction({ to: CAROL, value: 4_321n });
      expect((await eth.wait())?.status).toBe(1);
      expect(await provider.getBalance(CAROL)).toBe(4_321n);
    } finally {
      provider.destroy();
    }
  });
});

describe('Foundry (forge, cast from npm) against a modex EVM chain', () => {
  it('forge create compiles offline and deploys; cast send and cast call drive the contract; 0x64 withdraws', {
    timeout: 120_000,
  }, async () => {
    const project = foundryProject();
    try {
      const rpc = ['--rpc-url', chain.url];
      const key = ['--private-key', DEV_KEY];
      const created = lastJsonObject<{ deployer: string; deployedTo: Hex; transactionHash: Hex }>(
        await foundry('forge', [
          'create',
          'src/Counter.sol:Counter',
          '--root',
          project.root,
          '--use',
          SOLC_WRAPPER,
          '--offline',
          '--broadcast',
          ...rpc,
          ...key,
          '--json',
          '--constructor-args',
          '7',
        ]),
      );
      expect(lower(created.deployer)).toBe(lower(DEV_ADDRESS));
      const counter = created.deployedTo;
      const compiled = JSON.parse(
        readFileSync(join(project.root, 'out/Counter.sol/Counter.json'), 'utf8'),
      ) as {
        deployedBytecode: { object: Hex };
      };
      expect((await foundry('cast', ['code', counter, ...rpc])).trim()).toBe(
        compiled.deployedBytecode.object,
      );
      const call = async (sig: string) => (await foundry('cast', ['call', counter, sig, ...rpc])).trim();
      expect(await call('number()(uint256)')).toBe('7');

      const send = async (args: string[]) =>
        JSON.parse(await foundry('cast', ['send', counter, ...args, ...rpc, ...key, '--json'])) as {
          status: string;
          transactionHash: Hex;
          logs: { address: string; topics: Hex[]; data: Hex }[];
        };
      const set = await send(['setNumber(uint256)', '41']);
      expect(set.status).toBe('0x1');
      expect(set.logs).toHaveLength(1);
      expect(lower(set.logs[0].address)).toBe(lower(counter));
      expect(set.logs[0].topics).toEqual([
        keccak256(toHex('NumberSet(address,uint256)')),
        lower(pad(DEV_ADDRESS, { size: 32 })),
      ]);
      expect(BigInt(set.logs[0].data)).toBe(41n);
      expect((await send(['increment()'])).status).toBe('0x1');
      expect(await call('number()(uint256)')).toBe('42');
      expect(lower(await call('lastCaller()(address)'))).toBe(lower(DEV_ADDRESS));
      const receipt = JSON.parse(
        await foundry('cast', ['receipt', set.transactionHash, ...rpc, '--json']),
      ) as {
        status: string;
        blockNumber: Hex;
      };
      expect(receipt.status).toBe('0x1');
      expect(BigInt((await foundry('cast', ['block-number', ...rpc])).trim())).toBeGreaterThanOrEqual(
        BigInt(receipt.blockNumber),
      );

      // a withdrawal through 0x64 from the contract: the outbox has (from = the contract, to, amount)
      const outbox = () =>
        rpcCall<{ from: Hex; to: Hex; amount: string }[]>(chain.url, 'modex_getWithdrawals', []);
      const before = (await outbox()).length;
      expect((await send(['withdrawTo(address)', BOB, '--value', '12345'])).status).toBe('0x1');
      const after = await outbox();
      expect(after).toHaveLength(before + 1);
      const w = after[after.length - 1];
      expect([lower(w.from), lower(w.to), w.amount]).toEqual([lower(counter), lower(BOB), '12345']);
      const balance = async (a: string) => (await foundry('cast', ['balance', a, ...rpc])).trim();
      expect(await balance('0x0000000000000000000000000000000000000064')).toBe('0'); // burnt, not kept
      expect(await balance(counter)).toBe('0');
      // value 0: 0x64 fails (all its gas used), the contract's call reverts with no data;
      // estimation refuses it, and no withdrawal is added
      await expect(send(['withdrawTo(address)', BOB])).rejects.toThrow(/execution reverted/);
      expect(await outbox()).toHaveLength(before + 1);
    } finally {
      project.remove();
    }
  });
});
