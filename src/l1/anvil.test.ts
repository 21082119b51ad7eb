import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectL1, type L1, startAnvil } from './anvil.ts';
import { L1UnreachableError } from './errors.ts';
import { isAnvil } from './process-registry.ts';

let l1: L1;
beforeAll(async () => {
  l1 = await startAnvil();
});
afterAll(async () => {
  await l1?.stop();
});

describe('startAnvil', () => {
  it('listens on loopback and answers with the dev chain', async () => {
    expect(l1.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(l1.embedded).toBe(true);
    expect(l1.chainId).toBe(31337);
    expect(await l1.publicClient.getChainId()).toBe(31337);
    expect(isAnvil(l1.pid!)).toBe(true);
  });

  it('exposes the funded dev accounts of the default mnemonic', async () => {
    expect(l1.accounts).toHaveLength(10);
    expect(l1.accounts[0].address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect(privateKeyToAddress(l1.accounts[1].privateKey)).toBe(l1.accounts[1].address);
    expect(await l1.publicClient.getBalance({ address: l1.accounts[9].address })).toBe(10_000n * 10n ** 18n);
    expect(l1.walletClient.account.address).toBe(l1.accounts[0].address);
  });

  it('runs a hardfork with EIP-4844 blobs', async () => {
    const block = await l1.publicClient.getBlock();
    expect(block.blobGasUsed).toBe(0n);
    expect(typeof (await l1.publicClient.getBlobBaseFee())).toBe('bigint');
  });

  it('fund adds to a balance', async () => {
    const addr = privateKeyToAddress(generatePrivateKey());
    await l1.fund(addr, 5n);
    await l1.fund(addr, 7n);
    expect(await l1.publicClient.getBalance({ address: addr })).toBe(12n);
  });

  it('stop kills the process and is idempotent', async () => {
    const other = await startAnvil();
    const pid = other.pid!;
    expect(isAnvil(pid)).toBe(true);
    await other.stop();
    await other.stop();
    expect(isAnvil(pid)).toBe(false);
    await expect(connectL1(other.rpcUrl, { timeoutMs: 1_000 })).rejects.toBeInstanceOf(L1UnreachableError);
  });
});

describe('connectL1', () => {
  it('attaches to an existing endpoint without owning it', async () => {
    const ext = await connectL1(l1.rpcUrl);
    expect(ext.embedded).toBe(false);
    expect(ext.pid).toBeUndefined();
    expect(ext.chainId).toBe(31337);
    await ext.stop();
    expect(await l1.publicClient.getChainId()).toBe(31337);
    const addr = privateKeyToAddress(generatePrivateKey());
    await ext.fund(addr, 1000n); // external path: a transfer from accounts[0]
    expect(await l1.publicClient.getBalance({ address: addr })).toBe(1000n);
  });

  it('reports an unreachable URL with code L1_UNREACHABLE', async () => {
    const err = await connectL1('http://127.0.0.1:1', { timeoutMs: 1_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(L1UnreachableError);
    expect(err.code).toBe('L1_UNREACHABLE');
    expect(err.message).toContain('http://127.0.0.1:1');
  });
});
