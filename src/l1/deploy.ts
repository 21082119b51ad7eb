/** Deploying compiled artifacts to the settlement layer with viem. */
import {
  type Abi,
  type Address,
  type GetContractReturnType,
  getContract,
  type TransactionReceipt,
} from 'viem';
import type { L1, L1PublicClient, L1WalletClient } from './anvil.ts';
import type { Artifact } from './contracts.ts';
import { DeployError } from './errors.ts';

export interface Deployed<TAbi extends Abi = Abi> {
  address: Address;
  /** viem contract instance: `.read.*`, `.write.*`, `.simulate.*`, `.estimateGas.*`. */
  contract: GetContractReturnType<TAbi, { public: L1PublicClient; wallet: L1WalletClient }>;
  receipt: TransactionReceipt;
}

/**
 * Deploys `artifact` with constructor `args` from `from` (default the L1's first account), waits
 * for the receipt and returns the address and a contract instance. Throws DeployError when the
 * deployment reverts or the artifact has no bytecode (abstract contract or interface).
 */
export async function deploy<TAbi extends Abi = Abi>(
  l1: L1,
  artifact: Artifact & { abi: TAbi },
  args: readonly unknown[] = [],
  opts: { from?: L1WalletClient } = {},
): Promise<Deployed<TAbi>> {
  if (artifact.bytecode === '0x') {
    throw new DeployError(
      `${artifact.contractName} has no bytecode (abstract contract or interface); deploy a concrete contract`,
    );
  }
  const wallet = opts.from ?? l1.walletClient;
  let receipt: TransactionReceipt;
  try {
    const hash = await wallet.deployContract({
      abi: artifact.abi as Abi,
      bytecode: artifact.bytecode,
      args: args as unknown[],
    });
    receipt = await l1.publicClient.waitForTransactionReceipt({ hash });
  } catch (e) {
    throw new DeployError(
      `deploying ${artifact.contractName} failed: ${(e as Error).message.split('\n')[0]}`,
      {
        cause: e,
      },
    );
  }
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new DeployError(`deploying ${artifact.contractName} reverted (tx ${receipt.transactionHash})`);
  }
  const address = receipt.contractAddress;
  const contract = getContract({
    abi: artifact.abi as TAbi,
    address,
    client: { public: l1.publicClient, wallet },
  }) as Deployed<TAbi>['contract'];
  return { address, contract, receipt };
}
