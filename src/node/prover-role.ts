/**
 * The prover role (docs/validity.md §6; `modex node --role prover`, the validity devnet): derives the
 * chain from L1 alone, as a validator does (Derivation over an AppChain), and runs the prover
 * (./validity-prover.ts) with the app's circuit. The app's prover comes from its name
 * (src/apps/validity-apps.ts), loaded by the caller, so this file imports no app.
 */
import type { AppSource } from '../apps/sdk/app-runtime.ts';
import type { ChainConfig } from '../config/types.ts';
import type { DataAvailability } from '../core/da.ts';
import type { ValidityApp } from '../proof/validity/prover-app.ts';
import type { Derivation } from './derivation.ts';
import { type ChainClients, type DerivedChain, deriveChain } from './roles.ts';
import { ValidityProver } from './validity-prover.ts';

export interface ProverRole {
  prover: ValidityProver;
  derivation: Derivation;
  follower: DerivedChain;
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
  const { derivation, follower } = deriveChain(o);
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
