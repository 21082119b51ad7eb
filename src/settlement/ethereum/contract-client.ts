/**
 * The base of the settlement contract clients (rollup, challenge manager, preimage oracle, committee
 * keysets): reads and transactions of one contract through `readContractTx` / `sendContractTx`, so
 * every revert becomes a typed error named after `contractName`.
 */
import { type Abi, type Address, encodeFunctionData, type Hex } from 'viem';
import type { SettlementContract } from './errors.ts';
import { type L1Clients, readContractTx, sendContractTx, type TxResult } from './inbox.ts';

export abstract class ContractClient {
  constructor(
    readonly clients: L1Clients,
    readonly address: Address,
    readonly abi: Abi,
    private readonly contractName: SettlementContract,
  ) {}

  protected read<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    return readContractTx(this.clients, this.contractName, {
      address: this.address,
      abi: this.abi,
      functionName,
      args,
    });
  }

  protected send(functionName: string, args: readonly unknown[], value?: bigint): Promise<TxResult> {
    return sendContractTx(this.clients, this.contractName, {
      address: this.address,
      abi: this.abi,
      functionName,
      args,
      value,
    });
  }

  /** calldata of `functionName(args)` (for multicall) */
  encode(functionName: string, args: readonly unknown[]): Hex {
    return encodeFunctionData({ abi: this.abi, functionName, args });
  }
}
