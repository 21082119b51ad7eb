/**
 * Demo workloads of the built-in apps, keyed by app name: what `modex devnet` drives through the
 * sequencer's JSON-RPC after its generic part (an L1 deposit through the bridge, which any app gets
 * as the SDK's deposit message, docs/app-abi.md §7). An app without one here gets only that: the
 * chain, its assertions and (with `--scenario fraud`) a dispute need nothing app-specific.
 *
 * Each workload is imported only when its app runs, so the node (src/node) imports no app.
 */
import type { PrivateKeyAccount } from 'viem/accounts';

export interface WorkloadContext {
  /** the sequencer's JSON-RPC URL */
  rpcUrl: string;
  /** an account funded on L1; the devnet deposited to it through the bridge (maybe not included yet) */
  account: PrivateKeyAccount;
  /** the amount deposited, wei */
  deposited: bigint;
  log: (line: string) => void;
  /** true once the devnet is stopping */
  stopped: () => boolean;
}

export interface WorkloadResult {
  /** a withdrawal (outbox index) the devnet pays on L1 once a confirmed send root contains it */
  withdrawal?: bigint;
}

export interface AppWorkload {
  /** what it does, for the devnet's log */
  description: string;
  /** drives the chain; resolves once its transactions are executed on L2 */
  run(ctx: WorkloadContext): Promise<WorkloadResult>;
}

const WORKLOADS: Record<string, () => Promise<AppWorkload>> = {
  token: async () => (await import('./token/demo.ts')).tokenDemo,
};

/** The demo workload of built-in app `app`, or undefined (the devnet's generic workload only). */
export async function workloadFor(app: string): Promise<AppWorkload | undefined> {
  return Object.hasOwn(WORKLOADS, app) ? WORKLOADS[app]() : undefined;
}
