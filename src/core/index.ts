/** The core of modex: shared types, errors and the five module interfaces. Imports nothing outside src/core. */
export type {
  BatchPosting,
  BatchPreimage,
  DataAvailability,
  InboxBatch,
  PostingOptions,
  ResolvedBatch,
  StoredBatch,
} from './da.ts';
export { ModexError } from './errors.ts';
export type {
  ConfigProblem,
  Layer,
  ModuleDefinition,
  ModuleStatus,
  PlannedModule,
} from './module.ts';
export type {
  AssertionEvidence,
  Dispute,
  DisputeMove,
  FinalityModel,
  ProofSystem,
  StateClaim,
  Verdict,
} from './proof.ts';
export type { OpenBlock, Sequencing } from './sequencing.ts';
export type { InboxRecord, Settlement, SettlementDeployment, SettlementReceipt } from './settlement.ts';
export type * from './types.ts';
export type {
  ExecutionInput,
  ExecutionResult,
  ExecutionVm,
  LoadedProgram,
  MachineStatus,
  PreimageKind,
  PreimageOracle,
  SteppableMachine,
} from './vm.ts';

import type { DataAvailability } from './da.ts';
import type { ProofSystem } from './proof.ts';
import type { Sequencing } from './sequencing.ts';
import type { Settlement } from './settlement.ts';
import type { ExecutionVm } from './vm.ts';

/** One module per layer: what a chain is assembled from. No module refers to another's implementation. */
export interface ChainModules {
  vm: ExecutionVm;
  proof: ProofSystem;
  da: DataAvailability;
  settlement: Settlement;
  sequencing: Sequencing;
}
