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
import { NodeMetrics } from './metrics.ts';
import { observeL1Tx } from './metrics-hooks.ts';
import { type ChainClients, type DerivedChain, deriveChain } from './roles.ts';
import { type ProverEvent, ValidityProver } from './validity-prover.ts';

/** One range proved and its assertion confirmed: the inbox positions [from, to) it covers. */
export interface ProvedRangeLine extends ProverEvent {
  from: bigint;
  to: bigint;
}

export interface ProverRole {
  prover: ValidityProver;
  derivation: Derivation;
  follower: DerivedChain;
  /** its Prometheus metrics (role = its name: assertions confirmed, L1 gas, derived head; docs/node.md §8) */
  metrics: NodeMetrics;
  /** derive what L1 has, then one prover round; returns the ranges it proved (each assertion confirmed) */
  tick(): Promise<ProvedRangeLine[]>;
}

/** The progress line of a proved range (`modex node --role prover`): positions, records, proofs, ms, the confirmation. */
export function provedRangeLine(r: ProvedRangeLine): string {
  return (
    `range ${r.from}..${r.to - 1n} proved: ${r.records} records, ${r.chunks} proof${r.chunks === 1 ? '' : 's'}, ${Math.round(r.proveMs)} ms; ` +
    `assertion ${r.id.slice(0, 10)} ${r.created ? 'created and ' : ''}confirmed at L1 block ${r.l1Block} (gas ${r.gas})`
  );
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
  /** the process's metrics (default: a registry of its own) */
  metrics?: NodeMetrics;
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
  const metrics = o.metrics ?? new NodeMetrics();
  const role = o.name;
  return {
    prover,
    derivation,
    follower,
    metrics,
    async tick() {
      await derivation.poll();
      metrics.head.set({ role }, follower.length - 1);
      const before = prover.events.length;
      await prover.tick();
      const fresh = prover.events.slice(before);
      if (fresh.length === 0) return [];
      // the positions each confirmed assertion covers, as the Rollup holds them
      const records = await c.rollup.assertions(c.deployBlock);
      const end = (id: string) => records.find((r) => r.id === id)?.data.end.inboxPosition ?? 0n;
      return fresh.map((e) => {
        metrics.assertions.inc({ role, event: 'confirmed' });
        observeL1Tx(metrics, role, e.created ? 'prove-and-create' : 'prove-and-confirm', e.gas);
        return { ...e, from: end(e.prevId), to: end(e.id) };
      });
    },
  };
}
