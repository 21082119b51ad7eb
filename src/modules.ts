/**
 * The module registry: every name a chain config may give a layer (`vm.module`, `proof.module`,
 * `da.module`, `settlement.module`, `sequencing.module`, docs/config.md) and what it maps to — an
 * implemented module (`{ check(config) -> problems, create(context) -> instance }`, implementing its
 * layer's interface in src/core) or a planned one, refused with "not implemented yet".
 *
 * The one place that decides (op-challenger's RegisterGameType and op-node's DataSourceFactory are
 * the models): adding a module is a new folder (src/<layer>/<name>/) and one line here. No module
 * imports another module's folder (src/modules.test.ts checks the import graph); a module that
 * needs another (the committee's L1 fallback) gets it through its context.
 *
 * ```ts
 * const da = createDa({ config, rpcUrl, rpc });          // da(name): the committee's fallback
 * const proof = createProof({ config, settlement });     // proof(name): the attested module's fallback
 * moduleProblems(config);   // planned modules and module-specific problems, with paths
 * assertModules(config);    // the same, thrown (ModuleConfigError): what a node role does first
 * ```
 *
 * The node's roles (src/node/roles.ts) create every layer's module here from the chain config and
 * hand the node code the interfaces: the sequencer its `Sequencing`, the validator its
 * `ProofSystem`, derivation and the batcher their `DataAvailability`; the settlement module
 * attaches the contracts' clients itself.
 */
import type { ChainConfig } from './config/types.ts';
import type { DataAvailability } from './core/da.ts';
import { ModexError } from './core/errors.ts';
import type { ConfigProblem, Layer, ModuleDefinition, ModuleStatus, PlannedModule } from './core/module.ts';
import type { ProofSystem } from './core/proof.ts';
import type { Sequencing } from './core/sequencing.ts';
import type { Settlement } from './core/settlement.ts';
import type { ExecutionVm } from './core/vm.ts';
import { committeeModule } from './da/committee/module.ts';
import type { DaModuleContext } from './da/context.ts';
import { l1BlobModule } from './da/l1-blob/module.ts';
import { l1CalldataModule } from './da/l1-calldata/module.ts';
import { type AttestedContext, attestedProofModule } from './proof/attested/proof-system.ts';
import { type FraudClaim, type FraudContext, fraudProofModule } from './proof/fraud/proof-system.ts';
import { noneProofModule } from './proof/none/proof-system.ts';
import { validityProofModule } from './proof/validity/proof-system.ts';
import { type SingleSequencingContext, singleSequencingModule } from './sequencing/single/module.ts';
import {
  type EthereumContracts,
  type EthereumSettlementContext,
  ethereumSettlementModule,
} from './settlement/ethereum/settlement-module.ts';
import {
  type SovereignSettlementContext,
  sovereignSettlementModule,
} from './settlement/sovereign/settlement-module.ts';
import { wasmVmModule } from './vm/wasm/vm-module.ts';

export type { ConfigProblem, Layer, ModuleStatus };

/** The layers, in config order. */
export const LAYERS: readonly Layer[] = ['vm', 'proof', 'da', 'settlement', 'sequencing'];

/**
 * What a proof module is created from: the fraud module's settlement clients, and for the attested
 * module its fallback (`proof(name)`, through the registry) and the attestation pool.
 */
export type ProofModuleContext = FraudContext & AttestedContext<FraudClaim>;

/** What each layer's modules are created from (the node provides it). */
export interface LayerContext {
  vm: unknown;
  proof: ProofModuleContext;
  da: DaModuleContext;
  settlement: EthereumSettlementContext | SovereignSettlementContext;
  sequencing: SingleSequencingContext;
}

/**
 * What the node needs of a settlement module beyond `Settlement`, until derivation, the batcher and
 * the validator's assertion scans use the interface only: the contracts' clients it attached.
 */
export interface NodeSettlement extends Settlement {
  contracts(): Promise<EthereumContracts>;
}

/** What each layer's modules are (the interfaces of src/core). */
export interface LayerInstance {
  vm: ExecutionVm;
  proof: ProofSystem<FraudClaim>;
  da: DataAvailability;
  settlement: NodeSettlement;
  sequencing: Sequencing;
}

export type ImplementedModule<L extends Layer> = ModuleDefinition<
  L,
  ChainConfig,
  LayerContext[L],
  LayerInstance[L]
>;
export type RegisteredModule<L extends Layer> = ImplementedModule<L> | PlannedModule<L>;

const planned = <L extends Layer>(layer: L, name: string, summary: string): PlannedModule<L> => ({
  layer,
  name,
  status: 'planned',
  summary,
});

/** layer -> config name -> module. One line per module. */
export const REGISTRY = {
  vm: {
    wasm: wasmVmModule,
    evm: planned('vm', 'evm', 'EVM interpreter as a wasm guest'),
    mips: planned('vm', 'mips', 'MIPS machine'),
  },
  proof: {
    fraud: fraudProofModule,
    validity: validityProofModule,
    attested: attestedProofModule,
    none: noneProofModule,
  },
  da: {
    'l1-calldata': l1CalldataModule,
    'l1-blob': l1BlobModule,
    committee: committeeModule,
  },
  settlement: {
    ethereum: ethereumSettlementModule,
    sovereign: sovereignSettlementModule,
    modex: planned('settlement', 'modex', 'an L3 on another modex chain'),
  },
  sequencing: {
    single: singleSequencingModule,
    'committee-rotation': planned(
      'sequencing',
      'committee-rotation',
      'a committee of sequencers taking turns',
    ),
  },
} as const satisfies { [L in Layer]: Record<string, RegisteredModule<L>> };

/** The module registered as `name` in `layer`, or undefined. */
export function lookupModule<L extends Layer>(layer: L, name: string): RegisteredModule<L> | undefined {
  const table = REGISTRY[layer] as unknown as Record<string, RegisteredModule<L>>;
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The names of a layer's modules with `status`, in registry order. */
export function modulesWithStatus(layer: Layer, status: ModuleStatus): string[] {
  return Object.values(REGISTRY[layer] as unknown as Record<string, RegisteredModule<Layer>>)
    .filter((m) => m.status === status)
    .map((m) => m.name);
}

/** A config names a module this version cannot create (unknown, or planned). */
export class ModuleNotImplementedError extends ModexError {
  constructor(
    readonly layer: Layer,
    readonly module: string,
  ) {
    super('MODULE_NOT_IMPLEMENTED', notImplementedMessage(layer, module));
  }
}

/** `"<name>" is not implemented yet (planned); implemented: "a", "b"` (what `modex config check` says). */
export function notImplementedMessage(layer: Layer, name: string): string {
  const m = lookupModule(layer, name);
  const implemented = modulesWithStatus(layer, 'implemented')
    .map((n) => `"${n}"`)
    .join(', ');
  return m
    ? `"${name}" is not implemented yet (planned); implemented: ${implemented}`
    : `"${name}" is not a ${layer} module; implemented: ${implemented}`;
}

/** An implemented module, or ModuleNotImplementedError. */
export function implementedModule<L extends Layer>(layer: L, name: string): ImplementedModule<L> {
  const m = lookupModule(layer, name);
  if (m?.status !== 'implemented') throw new ModuleNotImplementedError(layer, name);
  return m;
}

/**
 * Every problem of the modules `config` selects: planned (or unknown) modules at `<layer>.module`,
 * then each implemented module's own check.
 */
export function moduleProblems(config: ChainConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const layer of LAYERS) {
    const name = config[layer].module;
    const m = lookupModule(layer, name);
    if (m?.status !== 'implemented')
      out.push({ path: `${layer}.module`, message: notImplementedMessage(layer, name) });
    else out.push(...m.check(config));
  }
  return out;
}

/** A config whose modules cannot be created (problems listed, one per line). */
export class ModuleConfigError extends ModexError {
  constructor(readonly problems: ConfigProblem[]) {
    super('MODULE_CONFIG_INVALID', problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  }
}

/**
 * Throws ModuleConfigError when `config` names a planned or unknown module for any layer, or a
 * module finds a problem in it (`moduleProblems`): a node role calls it before it starts anything.
 */
export function assertModules(config: ChainConfig): void {
  const problems = moduleProblems(config);
  if (problems.length > 0) throw new ModuleConfigError(problems);
}

/** Creates the module `name` of `layer` (checked against the config first when the context has one). */
export function createModule<L extends Layer>(
  layer: L,
  name: string,
  context: LayerContext[L],
): LayerInstance[L] {
  const m = implementedModule(layer, name);
  const config = (context as { config?: ChainConfig } | undefined)?.config;
  if (config) {
    const problems = m.check(config);
    if (problems.length > 0) throw new ModuleConfigError(problems);
  }
  return m.create(context);
}

/**
 * The DA module of `config.da` (`da.module`), with a context whose `da(name)` creates any other DA
 * module through the registry (the committee's fallback).
 */
export function createDa(context: Omit<DaModuleContext, 'da'>): DataAvailability {
  const ctx: DaModuleContext = { ...context, da: (name) => createModule('da', name, ctx) };
  return createModule('da', context.config.da.module, ctx);
}

/**
 * The proof module of `config.proof` (`proof.module`), with a context whose `proof(name)` creates
 * any other proof module through the registry (the attested module's fallback).
 */
export function createProof(context: Omit<ProofModuleContext, 'proof'>): ProofSystem<FraudClaim> {
  const ctx: ProofModuleContext = { ...context, proof: (name) => createModule('proof', name, ctx) };
  return createModule('proof', context.config.proof.module, ctx);
}
