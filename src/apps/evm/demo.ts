/**
 * The EVM app's devnet workload (src/apps/workloads.ts), through the Ethereum JSON-RPC
 * (docs/evm-rpc.md) with viem as any Ethereum tool would use it: once the bridge deposit is the
 * user's balance, deploy an ERC-20 (contracts/test/BenchErc20.sol compiled with solc), transfer
 * tokens and check the `Transfer` events and balances, then withdraw ETH through the withdrawal
 * precompile 0x64 (docs/evm.md, chain path v1); the devnet pays the withdrawal on L1 once a
 * confirmed send root contains it.
 */
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  type Hex,
  http,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { createModexClient } from '../../client/client.ts';
import { ModexError } from '../../core/errors.ts';
import { getArtifact } from '../../l1/contracts.ts';
import type { AppWorkload } from '../workloads.ts';

/** the withdrawal precompile (docs/evm.md, chain path v1) */
export const WITHDRAW_PRECOMPILE: Address = '0x0000000000000000000000000000000000000064';
/** `interface IWithdraw { function withdraw(address to) external payable; }` */
export const WITHDRAW_ABI = [
  {
    type: 'function',
    name: 'withdraw',
    stateMutability: 'payable',
    inputs: [{ name: 'to', type: 'address' }],
    outputs: [],
  },
] as const;

/** The EVM demo found the chain answering something other than what it sent. */
export class EvmDemoError extends ModexError {
  constructor(message: string) {
    super('EVM_DEMO_FAILED', message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** tokens minted to the user by the constructor, and sent per transfer */
const MINTED = 10n ** 24n;
const PER_TRANSFER = 10n ** 18n;
const TRANSFERS = 5;
/** wei withdrawn to L1 */
const WITHDRAWN = 10n ** 17n;

export const evmDemo: AppWorkload = {
  description:
    'an ERC-20 deployed and transferred over eth_* (viem), ETH withdrawn through 0x64 and paid on L1',
  // --scenario fraud: the liar lies about a block of these EVM transactions, so the dispute bisects
  // through the EVM interpreter's wasm steps (not through the deposit's block)
  disputeTransactions: true,
  async run({ rpcUrl, account, deposited, log, stopped, sent }) {
    const transport = http(rpcUrl);
    const probe = createPublicClient({ transport });
    const chain = defineChain({
      id: await probe.getChainId(),
      name: 'modex EVM devnet',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    });
    const pub = createPublicClient({ chain, transport, pollingInterval: 200 });
    const wallet = createWalletClient({ chain, transport, account });
    const receipt = async (hash: Hex, what: string): Promise<TransactionReceipt> => {
      const r = await pub.waitForTransactionReceipt({ hash, timeout: 600_000 });
      if (r.status !== 'success') throw new EvmDemoError(`${what}: receipt status ${r.status} (${hash})`);
      return r;
    };

    // the bridge deposit is the user's ETH once the sequencer included it
    while (!stopped() && (await pub.getBalance({ address: account.address })) < deposited) await sleep(200);

    const artifact = await getArtifact('BenchErc20');
    const abi = artifact.abi;
    // each transaction reported to the devnet as soon as it is acknowledged (not "your transactions")
    const mine = (h: Hex): Hex => {
      sent(h);
      return h;
    };
    const deployHash = mine(
      await wallet.deployContract({ abi, bytecode: artifact.bytecode, args: [[account.address], MINTED] }),
    );
    const deployed = await receipt(deployHash, 'the ERC-20 deployment');
    const token = deployed.contractAddress;
    if (!token)
      throw new EvmDemoError(`the ERC-20 deployment's receipt has no contractAddress (${deployHash})`);
    log(`      workload: ERC-20 deployed at ${token} (L2 block ${deployed.blockNumber})`);

    const recipients: Address[] = Array.from(
      { length: TRANSFERS },
      (_, i) => `0x${(0x2000 + i).toString(16).padStart(40, '0')}` as Address,
    );
    const hashes: Hex[] = [];
    for (const to of recipients)
      hashes.push(
        mine(
          await wallet.writeContract({
            address: token,
            abi,
            functionName: 'transfer',
            args: [to, PER_TRANSFER],
          }),
        ),
      );
    for (const [i, h] of hashes.entries()) {
      const r = await receipt(h, `transfer ${i}`);
      const events = parseEventLogs({ abi, logs: r.logs, eventName: 'Transfer' }) as unknown as {
        args: { from: Address; to: Address; value: bigint };
      }[];
      const e = events[0];
      if (
        events.length !== 1 ||
        e.args.from.toLowerCase() !== account.address.toLowerCase() ||
        e.args.to.toLowerCase() !== recipients[i].toLowerCase() ||
        e.args.value !== PER_TRANSFER
      )
        throw new EvmDemoError(
          `transfer ${i}: its receipt's Transfer events are wrong: ${JSON.stringify(r.logs)}`,
        );
    }
    const left = (await pub.readContract({
      address: token,
      abi,
      functionName: 'balanceOf',
      args: [account.address],
    })) as bigint;
    if (left !== MINTED - BigInt(TRANSFERS) * PER_TRANSFER)
      throw new EvmDemoError(`balanceOf(user) is ${left} after ${TRANSFERS} transfers`);
    log(`      workload: ${TRANSFERS} ERC-20 transfers executed, their Transfer events read back`);

    const before = await modexWithdrawalCount(rpcUrl);
    const w = await receipt(
      mine(
        await wallet.sendTransaction({
          to: WITHDRAW_PRECOMPILE,
          value: WITHDRAWN,
          data: encodeFunctionData({ abi: WITHDRAW_ABI, functionName: 'withdraw', args: [account.address] }),
        }),
      ),
      'the withdrawal through 0x64',
    );
    // the outbox as the node has it (modex_getWithdrawals): the leaf this transaction appended
    const client = createModexClient({ url: rpcUrl });
    const ours = (await client.getWithdrawals({ from: before })).filter(
      (x) => x.from.toLowerCase() === account.address.toLowerCase() && x.amount === WITHDRAWN,
    );
    const leaf = ours[ours.length - 1];
    if (!leaf) throw new EvmDemoError(`the withdrawal of block ${w.blockNumber} is not in the outbox`);
    log(
      `      workload: withdrawal ${leaf.index} of ${WITHDRAWN} wei through 0x64 executed on L2 (block ${w.blockNumber}); ` +
        'waiting for its send root to be confirmed on L1',
    );
    return { withdrawal: leaf.index };
  },
};

/** how many withdrawals the node's outbox has (the next one's index) */
async function modexWithdrawalCount(rpcUrl: string): Promise<bigint> {
  const client = createModexClient({ url: rpcUrl });
  let n = 0n;
  for (;;) {
    const page = await client.getWithdrawals({ from: n });
    if (page.length === 0) return n;
    n = page[page.length - 1].index + 1n;
  }
}
