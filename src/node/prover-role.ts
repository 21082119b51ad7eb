/**
 * The prover role (docs/validity.md §6; `modex node --role prover`, the validity devnet): derives the
 * chain from L1 alone, as a validator does (Derivation over an AppChain), and runs the prover
 * (./validity-prover.ts) with the app's circuit. On a hybrid chain (`proof.disputes: "validity"`,
 * §6.3) it also runs the challenger (./hybrid-challenger.ts): a wrong assertion is challenged and,
 * unproven after the prove window, rejected (its asserter's stake to the prover). The app's prover comes from its name
 * (src/apps/validity-apps.ts), loaded by the caller, so this file imports no app.
 */
import type { AppSource } from '../apps/sdk/app-runtime.ts';
import type { ChainConfig } from '../config/types.ts';
import type { DataAvailability } from '../core/da.ts';
import type { ValidityApp } from '../proof/validity/prover-app.ts';
import type { Derivation } from './derivation.ts';
import { HybridChallenger, type HybridMove } from './hybrid-challenger.ts';
import { NodeMetrics } from './metrics.ts';
import { observeL1Tx } from './metrics-hooks.ts';
import { type ChainClients, type DerivedChain, deriveChain, provenByValidity } from './roles.ts';
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
  /** hybrid chains: challenges and rejects wrong assertions (undefined on a zk-rollup) */
  challenger?: HybridChallenger;
  /** its Prometheus metrics (role = its name: assertions confirmed, L1 gas, derived head; docs/node.md §8) */
  metrics: NodeMetrics;
  /**
   * derive what L1 has, then one challenger round (hybrid chains; its moves go to `onMove` and the
   * log) and one prover round; returns the ranges it proved (each assertion confirmed)
   */
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
  /** hybrid chains: each challenge and rejection, as it is mined */
  onMove?: (m: HybridMove) => void;
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
  // docs/validity.md §6.3: a zk-rollup has nothing to challenge (every assertion is proven when created)
  const challenger =
    provenByValidity(o.config) && o.config.proof.module !== 'validity'
      ? new HybridChallenger({
          name: o.name,
          rollup: c.rollup,
          follower,
          heights: c.params.heights,
          fromBlock: c.deployBlock,
          log: o.log,
          onMove: (m) => {
            metrics.assertions.inc({ role, event: m.kind === 'challenge' ? 'challenged' : 'rejected' });
            observeL1Tx(metrics, role, m.kind, m.gas);
            o.onMove?.(m);
          },
        })
      : undefined;
  return {
    prover,
    derivation,
    follower,
    challenger,
    metrics,
    async tick() {
      await derivation.poll();
      metrics.head.set({ role }, follower.length - 1);
      // the challenge first (its period is the deadline; proving takes seconds); a failing
      // challenger round does not stop the prover's, the error is thrown after both
      let failed: unknown;
      await challenger?.tick().catch((e) => {
        failed = e;
      });
      const before = prover.events.length;
      await prover.tick();
      if (failed) throw failed;
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
