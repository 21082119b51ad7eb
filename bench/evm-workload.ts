/**
 * The ERC-20 workload of `modex bench evm` (issue 16 item 6): the same signed transactions for every
 * EVM the bench runs. `contracts/test/BenchErc20.sol` compiled with solc (the project's contract
 * build), deployed by a deployer with `holders` funded accounts, then `transfers` transfers of one
 * token unit: sender i % holders → sender (i + 1) % holders, each sender's nonces in order. All raw
 * transactions are EIP-1559, chain id 1, signed with viem (deterministic keys), so both engines
 * decode and recover them the same way.
 */
import { encodeAbiParameters, encodeFunctionData, getContractAddress, type Hex, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { getArtifact } from '../src/l1/contracts.ts';

export const EVM_BENCH_CHAIN_ID = 1;
/** the block's base fee; every transaction pays max fee 2 gwei, tip 1 gwei */
export const EVM_BENCH_BASE_FEE = 1_000_000_000n;
export const EVM_BENCH_GAS_LIMIT = 30_000_000n;
/** every account's starting ether (wei): plenty for gas */
export const EVM_BENCH_ETHER = 10n ** 21n;
const MAX_FEE = 2_000_000_000n;
const TIP = 1_000_000_000n;

export interface EvmWorkload {
  /** the deployer (nonce 0 deploys) and the token holders, with their private keys */
  deployer: { address: Hex; key: Hex };
  holders: { address: Hex; key: Hex }[];
  token: Hex;
  /** the contract creation transaction (raw) */
  deployTx: Hex;
  /** the transfers (raw), in order */
  transfers: Hex[];
  /** the deployed token's runtime bytecode (for engines given a pre-state instead of the deploy) */
  runtimeCode: Hex;
}

const keyOf = (label: string, i: number): Hex =>
  keccak256(new TextEncoder().encode(`modex bench evm ${label} ${i}`));

/** Builds and signs the workload (deterministic: the same bytes on every run). */
export async function erc20Workload(opts: { holders: number; transfers: number }): Promise<EvmWorkload> {
  const artifact = await getArtifact('BenchErc20');
  const mk = (key: Hex) => ({ address: privateKeyToAccount(key).address, key });
  const deployer = mk(keyOf('deployer', 0));
  const holders = Array.from({ length: opts.holders }, (_, i) => mk(keyOf('holder', i)));
  const perHolder = 10n ** 24n;
  const ctorArgs = encodeAbiParameters(
    [{ type: 'address[]' }, { type: 'uint256' }],
    [holders.map((h) => h.address), perHolder],
  );
  const sign = (key: Hex, tx: { nonce: number; to?: Hex; data: Hex; gas: bigint }) =>
    privateKeyToAccount(key).signTransaction({
      type: 'eip1559',
      chainId: EVM_BENCH_CHAIN_ID,
      maxFeePerGas: MAX_FEE,
      maxPriorityFeePerGas: TIP,
      value: 0n,
      ...tx,
    });
  const deployTx = await sign(deployer.key, {
    nonce: 0,
    data: `${artifact.bytecode}${ctorArgs.slice(2)}` as Hex,
    gas: 1_000_000n + 30_000n * BigInt(opts.holders),
  });
  const token = getContractAddress({ from: deployer.address, nonce: 0n });
  const abi = artifact.abi as readonly unknown[];
  const nonces = new Array<number>(opts.holders).fill(0);
  const transfers: Hex[] = [];
  for (let i = 0; i < opts.transfers; i++) {
    const from = i % opts.holders;
    const to = holders[(from + 1) % opts.holders].address;
    const data = encodeFunctionData({ abi, functionName: 'transfer', args: [to, 1n] });
    transfers.push(await sign(holders[from].key, { nonce: nonces[from]++, to: token, data, gas: 100_000n }));
  }
  return { deployer, holders, token, deployTx, transfers, runtimeCode: artifact.deployedBytecode as Hex };
}
