/**
 * A modex EVM chain in the test's process for the real-client tests (src/apps/evm/clients.e2e.test.ts):
 * a Sequencer running the built-in `evm` app in its block worker, as `modex devnet` and `modex start`
 * run it, with its JSON-RPC server serving the Ethereum JSON-RPC (docs/evm-rpc.md) beside modex_*,
 * and no L1: accounts are funded by deposit messages (docs/evm.md chain path, kind `0x01 ‖ to ‖
 * amount`) through the sequencer's delayed path, as the bridge's deposits arrive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { rpcExtensionFor } from '../../src/apps/rpc-extensions.ts';
import { builtinAppBytes } from '../../src/apps/sdk/builtin-apps.ts';
import { WorkerExecutor } from '../../src/node/block-worker.ts';
import { type RpcServer, startRpcServer } from '../../src/node/rpc.ts';
import { type DelayedMessageIn, Sequencer } from '../../src/node/sequencer.ts';
import { depositMessage } from '../../src/settlement/ethereum/message.ts';

/** anvil's first dev key (well known; only ever funded on test chains) */
export const DEV_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const DEV_ADDRESS = privateKeyToAccount(DEV_KEY).address;

export interface EvmTestChain {
  /** the sequencer's JSON-RPC URL (eth_* and modex_*) */
  url: string;
  chainId: bigint;
  /** credits `wei` to `to` through a deposit message; resolves once it is in a block */
  deposit(to: Hex, wei: bigint): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the chain and deposits `fund` wei to the dev account (DEV_ADDRESS). */
export async function startEvmTestChain(o: { chainId: bigint; fund: bigint }): Promise<EvmTestChain> {
  const dataDir = mkdtempSync(join(tmpdir(), 'modex-evm-clients-'));
  const deposits: DelayedMessageIn[] = [];
  const failure: { error?: unknown } = {};
  let seq: Sequencer | undefined;
  let server: RpcServer | undefined;
  try {
    seq = await Sequencer.open({
      dataDir,
      executor: new WorkerExecutor({
        app: { name: 'evm', bytes: builtinAppBytes('evm') },
        chainId: o.chainId,
      }),
      // a block seals 300 ms after its first transaction; ethers v6's `wait()` gets its receipt
      // because eth_getTransactionReceipt waits for a pending transaction's block (docs/evm-rpc.md §2)
      maxBlockAgeMs: 300,
      delayed: () => deposits,
      delayedPollMs: 50,
      onError: (e) => {
        failure.error ??= e;
      },
    });
    // the Ethereum JSON-RPC as the node serves it for vm.app evm (src/apps/rpc-extensions.ts)
    const ext = await rpcExtensionFor('evm', seq);
    server = await startRpcServer(seq, { methods: ext?.methods, upgrade: ext?.upgrade });
  } catch (e) {
    await server?.close().catch(() => {});
    await seq?.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const s = seq;
  const srv = server;
  const chain: EvmTestChain = {
    url: srv.url,
    chainId: o.chainId,
    async deposit(to, wei) {
      deposits.push({ index: deposits.length, data: depositMessage(to, wei) });
      await s.pollDelayed();
      while (s.status().delayedIncluded < deposits.length) {
        if (failure.error) throw failure.error;
        await sleep(20);
      }
      await s.idle();
    },
    async close() {
      await srv.close();
      await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await chain.deposit(DEV_ADDRESS, o.fund);
  return chain;
}
