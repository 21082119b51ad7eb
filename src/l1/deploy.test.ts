import { BaseError, ContractFunctionRevertedError } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type L1, startAnvil } from './anvil.ts';
import { type Artifact, getArtifact } from './contracts.ts';
import { deploy } from './deploy.ts';
import { DeployError } from './errors.ts';

let l1: L1;
let counter: Artifact;
beforeAll(async () => {
  [l1, counter] = await Promise.all([startAnvil(), getArtifact('Counter')]);
});
afterAll(async () => {
  await l1?.stop();
});

describe('deploy', () => {
  it('deploys with constructor args, then writes and reads', async () => {
    const { address, contract, receipt } = await deploy(l1, counter, [5n]);
    expect(receipt.status).toBe('success');
    expect(await l1.publicClient.getCode({ address })).toBe(counter.deployedBytecode);
    expect(await contract.read.count()).toBe(5n);
    const hash = await contract.write.increment();
    await l1.publicClient.waitForTransactionReceipt({ hash });
    const hash2 = await contract.write.add([10n]);
    await l1.publicClient.waitForTransactionReceipt({ hash: hash2 });
    expect(await contract.read.count()).toBe(16n);
  });

  it('surfaces a revert with its custom error', async () => {
    const { contract } = await deploy(l1, counter, [0n]);
    const err = await contract.write.add([101n]).catch((e) => e);
    expect(err).toBeInstanceOf(BaseError);
    const revert = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
    expect(revert).toBeInstanceOf(ContractFunctionRevertedError);
    expect((revert as ContractFunctionRevertedError).data?.errorName).toBe('TooLarge');
    expect((revert as ContractFunctionRevertedError).data?.args).toEqual([101n, 100n]);
    expect(await contract.read.count()).toBe(0n);
  });

  it('rejects an artifact without bytecode', async () => {
    const err = await deploy(l1, { ...counter, bytecode: '0x' }).catch((e) => e);
    expect(err).toBeInstanceOf(DeployError);
    expect(err.code).toBe('DEPLOY_FAILED');
  });

  it('reports a deployment with wrong constructor args', async () => {
    await expect(deploy(l1, counter, [])).rejects.toThrow(/deploying Counter failed/);
  });
});
