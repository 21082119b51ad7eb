/**
 * Demo workloads of the built-in apps, keyed by app name: what `modex devnet` drives through the
 * sequencer's JSON-RPC after its generic part (an L1 deposit through the bridge, which any app gets
 * as the SDK's deposit message, docs/app-abi.md §7). An app without one here gets only that: the
 * chain, its assertions and (with `--scenario fraud`) a dispute need nothing app-specific.
 *
 * Each workload is imported only when its app runs, so the node (src/node) imports no app.
 */
import type { LocalAccount, PrivateKeyAccount } from 'viem/accounts';

export interface WorkloadContext {
  /** the sequencer's JSON-RPC URL */
  rpcUrl: string;
  /** an account funded on L1; the devnet deposited to it through the bridge (maybe not included yet) */
  account: PrivateKeyAccount;
  /** the amount deposited, wei */
  deposited: bigint;
  log: (line: string) => void;
  /**
   * tells the devnet the hash of a transaction the workload sent, as soon as it is acknowledged:
   * the devnet's "your transactions" leaves it out (it recognizes the workload's own transactions by
   * their sender only in the SDK's envelope; an app with its own format, as evm, reports them here)
   */
  sent: (hash: `0x${string}`) => void;
  /** true once the devnet is stopping */
  stopped: () => boolean;
  /**
   * deposits `amount` wei through the L1 bridge to the 20-byte L2 address `to` (given by devnets
   * whose app addresses its accounts its own way, as ztoken does; the workload then makes its own
   * deposit instead of the devnet's)
   */
  deposit?: (to: `0x${string}`, amount: bigint) => Promise<void>;
}

export interface WorkloadResult {
  /** a withdrawal (outbox index) the devnet pays on L1 once a confirmed send root contains it */
  withdrawal?: bigint;
}

export interface AppWorkload {
  /** what it does, for the devnet's log */
  description: string;
  /**
   * the fraud scenario's liar waits for a block of this workload's transactions and lies about it
   * (so the dispute bisects through the app executing them), instead of lying about the first block
   */
  disputeTransactions?: boolean;
  /** drives the chain; resolves once its transactions are executed on L2 */
  run(ctx: WorkloadContext): Promise<WorkloadResult>;
}

const WORKLOADS: Record<string, () => Promise<AppWorkload>> = {
  token: async () => (await import('./token/demo.ts')).tokenDemo,
  evm: async () => (await import('./evm/demo.ts')).evmDemo,
  ztoken: async () => (await import('./ztoken/demo.ts')).ztokenDemo,
};

/** The demo workload of built-in app `app`, or undefined (the devnet's generic workload only). */
export async function workloadFor(app: string): Promise<AppWorkload | undefined> {
  return Object.hasOwn(WORKLOADS, app) ? WORKLOADS[app]() : undefined;
}

/**
 * The signed transactions of batch `i` of the sovereign devnet's workload (docs/sovereign.md), for a
 * built-in app that has them; nonces count from 0 with `i`.
 */
export type BatchTransactions = (i: number, account: LocalAccount, chainId: bigint) => Promise<Uint8Array[]>;

const BATCH_TRANSACTIONS: Record<string, () => Promise<BatchTransactions>> = {
  kv: async () => {
    const { kvSet } = await import('./kv/client.ts');
    const utf8 = (s: string) => new TextEncoder().encode(s);
    return async (i, account, chainId) => [
      await kvSet(account, utf8(`key-${i}`), utf8(`value-${i}`), { nonce: BigInt(i), chainId }),
    ];
  },
};

/** Batch transactions of built-in app `app`, or undefined (its batches are empty: each still a block). */
export async function batchTransactionsFor(app: string | undefined): Promise<BatchTransactions | undefined> {
  return app !== undefined && Object.hasOwn(BATCH_TRANSACTIONS, app) ? BATCH_TRANSACTIONS[app]() : undefined;
}
