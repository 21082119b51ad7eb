/**
 * A modex EVM chain settling on anvil, in this process, for `bench l3` and its test (docs/l3.md):
 * anvil (L1); the EVM chain's settlement deployed there from examples/evm.config.json
 * (`deployForConfig`); its sequencer role (`startSequencerRole`: the `evm` app in its block worker,
 * the batcher posting every block to the L1 inbox, the Ethereum JSON-RPC); its dev account funded by
 * a deposit through the L1 bridge. `l2` is a viem view of the EVM chain's JSON-RPC (`connectL1`),
 * which the L3's settlement is driven through.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { builtinAppBytes } from '../src/apps/sdk/builtin-apps.ts';
import { loadConfig } from '../src/config/load.ts';
import { devAccounts } from '../src/l1/accounts.ts';
import { connectL1, type L1, startAnvil } from '../src/l1/anvil.ts';
import { REPO_ROOT } from '../src/l1/contracts.ts';
import { attachChain, type ChainClients, deployForConfig, startSequencerRole } from '../src/node/roles.ts';
import type { InboxEntry } from '../src/settlement/ethereum/inbox.ts';

export interface L2OnAnvil {
  /** anvil: the L1 */
  anvil: L1;
  /** the EVM chain (the L2) through its Ethereum JSON-RPC; accounts[0] funded by an L1 deposit, accounts[1] not */
  l2: L1;
  /** the L2's contracts on L1 */
  chain: ChainClients;
  /** waits until every L2 block up to the head is on L1; the inbox entries carrying them */
  posted(): Promise<InboxEntry[]>;
  /** L1 gas of the postBatch that carried the L2 transaction `l2Tx`, and its batch's bytes */
  carrier(l2Tx: Hex, entries: InboxEntry[]): Promise<{ gasUsed: bigint; bytes: number; kind: number }>;
  close(): Promise<void>;
}

/** the L2's accounts: anvil's dev keys 2 and 3 (key 0 is the L2's sequencer and batcher on L1) */
export const L2_KEYS: Hex[] = devAccounts(4)
  .slice(2)
  .map((a) => a.privateKey);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts anvil (at `hardfork`, default cancun) and an EVM chain on it; deposits `fund` wei to the L2's dev account. */
export async function startL2OnAnvil(
  o: {
    fund?: bigint;
    hardfork?: string;
    blockAgeSeconds?: number;
    /**
     * the batcher's L1-time ticks (sequencing.tickSeconds); default off, unlike the example config:
     * the bench measures the L2 before any tick and ticks by hand (tickL2 in l3.test.ts)
     */
    tickSeconds?: number;
  } = {},
): Promise<L2OnAnvil> {
  const anvil = await startAnvil({ hardfork: o.hardfork ?? 'cancun' });
  const dir = mkdtempSync(join(tmpdir(), 'modex-l3-l2-'));
  let role: Awaited<ReturnType<typeof startSequencerRole>> | undefined;
  try {
    const config = loadConfig(join(REPO_ROOT, 'examples/evm.config.json'));
    config.sequencing.batch = { ...config.sequencing.batch, maxAgeSeconds: o.blockAgeSeconds ?? 0.5 };
    config.sequencing.tickSeconds = o.tickSeconds;
    const { file } = await deployForConfig(anvil, config);
    const chain = await attachChain(anvil, file);
    role = await startSequencerRole({
      chain,
      app: { name: 'evm', bytes: builtinAppBytes('evm') },
      chainId: BigInt(config.chain.chainId),
      config,
      rpcUrl: anvil.rpcUrl,
      sequencerKey: anvil.accounts[0].privateKey,
      dataDir: join(dir, 'seq'),
      l1CheckMs: 0,
    });
    const url = role.server.url;
    const l2 = await connectL1(url, { privateKeys: L2_KEYS, pollingIntervalMs: 50 });
    const fund = o.fund ?? 10n ** 21n;
    await chain.bridge.connect(anvil.walletClient).depositEth(l2.accounts[0].address, fund);
    for (let i = 0; (await l2.publicClient.getBalance({ address: l2.accounts[0].address })) < fund; i++) {
      if (i > 600) throw new Error('the L1 deposit did not reach the L2 within 60 s');
      await sleep(100);
    }
    const seq = role.seq;
    const r = role;
    return {
      anvil,
      l2,
      chain,
      async posted() {
        await seq.idle();
        const head = BigInt(seq.head + 1);
        for (let i = 0; (await chain.inbox.messageCount()) < head; i++) {
          if (i > 600) throw new Error(`the L2's blocks did not reach L1 within 60 s (head ${head})`);
          await sleep(100);
        }
        return chain.inbox.readMessages(0n, head);
      },
      async carrier(l2Tx, entries) {
        const rc = await l2.publicClient.getTransactionReceipt({ hash: l2Tx });
        const e = entries[Number(rc.blockNumber) - 1]; // Ethereum block n = inbox position n − 1
        if (!e?.batch) throw new Error(`the L2 block of ${l2Tx} is not a batch on L1`);
        const l1rc = await anvil.publicClient.getTransactionReceipt({ hash: e.txHash });
        return { gasUsed: l1rc.gasUsed, bytes: e.batch.payload.length, kind: e.batch.kind };
      },
      async close() {
        await r.close();
        await anvil.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await role?.close().catch(() => {});
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
