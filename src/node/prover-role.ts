/**
 * The prover role (docs/validity.md §6; `modex node --role prover`, the validity devnet): derives the
 * chain from L1 alone, as a validator does (Derivation over an AppChain), and runs the prover
 * (./validity-prover.ts) with the app's circuit. The app's prover comes from its name
 * (src/apps/validity-apps.ts), loaded by the caller, so this file imports no app.
 */
import { type AppSource, appLimitsOf, loadApp } from '../apps/sdk/app-runtime.ts';
import type { ChainConfig } from '../config/types.ts';
import type { DataAvailability } from '../core/da.ts';
import type { ValidityApp } from '../proof/validity/prover-app.ts';
import { AppChain } from './app-chain.ts';
import { Derivation } from './derivation.ts';
import { FollowerRpc } from './follower-rpc.ts';
import type { ChainClients } from './roles.ts';
import { type ProverFollower, ValidityProver } from './validity-prover.ts';

export interface ProverRole {
  prover: ValidityProver;
  derivation: Derivation;
  follower: ProverFollower & { chain(): AppChain };
  /** derive what L1 has, then one prover round */
  tick(): Promise<void>;
}

export function startProverRole(o: {
  chain: ChainClients;
  app: Pick<AppSource, 'name' | 'bytes'>;
  chainId: bigint;
  config: ChainConfig;
  /** the app's prover, set up (`ValidityApp.setup`) */
  validity: ValidityApp;
  name: string;
  da?: DataAvailability;
  log?: (line: string) => void;
}): ProverRole {
  const c = o.chain;
  const ex = new AppChain({
    app: loadApp(o.app.bytes, o.app.name, { limits: appLimitsOf(o.config.vm.limits) }),
    chainId: o.chainId,
  });
  const rpc = new FollowerRpc({ chain: ex });
  const derivation = new Derivation({ inbox: c.inbox, executor: rpc.executor, da: o.da });
  rpc.attach(derivation);
  const host = () => ex.executionContext(c.params.heights).host;
  const follower = {
    get length() {
      return ex.length;
    },
    stateAt: (n: number) => ex.stateAt(n),
    executionContext: (h: number[]) => ex.executionContext(h),
    txCount: (n: number) => ex.receipts(n)?.txs.length ?? 0,
    message: (p: bigint) => (p < BigInt(ex.length) ? host().inboxMessage(p) : undefined),
    preimage: (h: Uint8Array) => host().preimage(0, h),
    chain: () => ex,
  };
  const prover = new ValidityProver({
    name: o.name,
    rollup: c.rollup,
    follower,
    heights: c.params.heights,
    app: o.validity,
    chainId: o.chainId,
    fromBlock: c.deployBlock,
    log: o.log,
  });
  return {
    prover,
    derivation,
    follower,
    async tick() {
      await derivation.poll();
      await prover.tick();
    },
  };
}
