/**
 * The chain configuration (`modex.config.json`): one module per layer plus its parameters.
 * All values are JSON-compatible (amounts in wei are decimal strings) so a resolved config can be
 * printed or written back unchanged. Documented in docs/config.md.
 */

import { BUILTIN_APP_NAMES } from '../apps/sdk/builtin-apps.ts';
import type {
  Address,
  DaModuleName,
  Hex,
  ProofModuleName,
  SequencingModuleName,
  SettlementModuleName,
  VmModuleName,
} from '../core/types.ts';

export const VM_MODULES = ['wasm', 'evm', 'mips'] as const satisfies readonly VmModuleName[];
export const PROOF_MODULES = [
  'fraud',
  'validity',
  'attested',
  'none',
] as const satisfies readonly ProofModuleName[];
export const DA_MODULES = ['l1-calldata', 'l1-blob', 'committee'] as const satisfies readonly DaModuleName[];
export const DA_FALLBACKS = ['l1-calldata', 'l1-blob'] as const satisfies readonly DaModuleName[];
export const SETTLEMENT_MODULES = [
  'ethereum',
  'sovereign',
  'modex',
] as const satisfies readonly SettlementModuleName[];
export const SEQUENCING_MODULES = [
  'single',
  'committee-rotation',
] as const satisfies readonly SequencingModuleName[];
/**
 * Built-in apps: wasm files shipped with modex (guest/apps/<name>/<name>.wasm, builtinAppPath in
 * src/apps/sdk/builtin-apps.ts), usable as `vm.app` instead of a `vm.stf` path.
 */
export const BUILTIN_APPS = BUILTIN_APP_NAMES;

/** Execution limits enforced by the VM; exceeding one makes the message's execution fail deterministically. */
export interface VmLimits {
  /** Machine steps allowed for one inbox message. */
  maxStepsPerMessage: number;
  /** Linear memory cap in 64 KiB wasm pages. */
  maxMemoryPages: number;
  /** Transactions allowed in one L2 block. */
  maxTransactionsPerBlock: number;
}

export interface VmConfig {
  module: VmModuleName;
  /** Built-in app (see BUILTIN_APPS). Exactly one of `app` and `stf` is set. */
  app?: (typeof BUILTIN_APPS)[number];
  /** Path to an STF binary (.wasm), relative to the config file. */
  stf?: string;
  limits: VmLimits;
}

export interface ProofConfig {
  module: ProofModuleName;
  /** Seconds an assertion stays challengeable: from seconds (devnets) to days (production). */
  challengePeriodSeconds: number;
  /** Bond an asserter locks per assertion, in wei, as a decimal string. */
  bond: string;
  /** Required when module is attested (defaults filled in); refused otherwise. */
  attested?: AttestedConfig;
  /**
   * How rival assertions are decided (module fraud): "bisection" (the interactive game down to a
   * one-step proof) or "validity" (hybrid: one validity proof decides, docs/validity.md §6).
   */
  disputes: DisputeMode;
  /** Validity proofs' settings: filled in for module validity and for disputes "validity"; refused otherwise. */
  validity?: ValidityConfig;
}

/** `proof.disputes` (docs/validity.md §6). */
export const DISPUTE_MODES = ['bisection', 'validity'] as const;
export type DisputeMode = (typeof DISPUTE_MODES)[number];

/** `proof.validity` (docs/validity.md §4, §6). */
export interface ValidityConfig {
  /**
   * A ceremony's prepared powers of tau (.ptau), relative to the config file: the circuit's keys
   * are derived from it. Absent: INSECURE development keys (anyone can forge proofs; devnets only).
   */
  ptau?: string;
  /** hybrid disputes: seconds after a rival assertion appears during which a validity proof decides */
  proveWindowSeconds: number;
}

/**
 * `proof.attested`: the validator committee of the attested proof module (docs/attested.md §1.1),
 * fixed at deployment, plus what the devnet runs in-process.
 */
export interface AttestedConfig {
  /** k: members of each epoch's active committee (1 ≤ k ≤ 255) */
  activeSize: number;
  /** h: active members assumed honest; a quorum is k' − h + 1 signatures (1 ≤ h ≤ k) */
  assumedHonest: number;
  /** L1 blocks per epoch */
  epochBlocks: number;
  /** wei each validator locks, as a decimal string (> 0) */
  stake: string;
  /** epochs from registration to eligibility (≥ 2, docs/attested.md §2.3) */
  entryDelayEpochs: number;
  /** epochs from `exit` to the end of eligibility (≥ 2) */
  exitDelayEpochs: number;
  /** epochs after the exit before the stake can be withdrawn */
  withdrawalDelayEpochs: number;
  /** share of a slashed stake paid to whoever proved the fault (0–100) */
  slashRewardPercent: number;
  /** `modex devnet`: validators it registers and runs in-process (0: none, the chain is a rollup) */
  localValidators: number;
}

export interface CommitteeMember {
  /** Base URL of the member's DA server (`modex da-server`). */
  url: string;
  /** The member's BLS12-381 public key (G2, 256-byte EIP-2537 encoding, docs/committee.md §1). */
  publicKey: Hex;
  /** The member's proof of possession of that key (G1, 128 bytes), checked on L1 at registration. */
  proofOfPossession: Hex;
}

export interface CommitteeDaConfig {
  members: CommitteeMember[];
  /** Members assumed honest: a certificate needs members.length - assumedHonest + 1 signatures. */
  assumedHonest: number;
  /** Where batches go when the committee cannot certify in time. */
  fallback: (typeof DA_FALLBACKS)[number];
  /** How long to wait for signatures before falling back. */
  timeoutMs: number;
  /**
   * Seconds members are asked to keep each batch: a certificate's expiry is the batcher's clock +
   * this. Loaded configs always have it (default 14 days); absent: the default.
   */
  retentionSeconds?: number;
  /**
   * The shortest lifetime (expiry − L1 time) the inbox accepts of a posted certificate, fixed at
   * deployment (docs/committee.md §5). Loaded configs always have it (default
   * proof.challengePeriodSeconds + 1 day); absent: that default.
   */
  minLifetimeSeconds?: number;
}

export interface DaConfig {
  module: DaModuleName;
  /**
   * Beacon API base URL where blobs are read back (l1-blob, or a committee's blob fallback).
   * Default: the settlement RPC URL (anvil serves the beacon blob API on its RPC port).
   */
  beaconUrl?: string;
  /** Required when module is committee; refused otherwise. */
  committee?: CommitteeDaConfig;
}

export interface ParentChainConfig {
  /** JSON-RPC URL of the parent modex chain's node. */
  rpcUrl: string;
  /** Chain id of the parent modex chain. */
  chainId: number;
}

export interface SettlementConfig {
  module: SettlementModuleName;
  /** For ethereum: "embedded" (start anvil) or an http(s)/ws(s) JSON-RPC URL. */
  rpcUrl?: string;
  /** For modex (L3): the chain this chain settles on. */
  parent?: ParentChainConfig;
}

export interface BatchConfig {
  /** Seal a batch before its compressed size exceeds this. */
  maxBytes: number;
  /** Seal a non-empty batch at the latest this many seconds after its first block. */
  maxAgeSeconds: number;
}

export interface SequencingConfig {
  module: SequencingModuleName;
  /** Forced inclusion: a delayed (L1) message older than this must be included; anyone can force it after. */
  maxDelaySeconds: number;
  batch: BatchConfig;
  /**
   * L1 time for the chain: the batcher calls `Inbox.tick()` (docs/inbox.md §6.4) every this many
   * seconds (and once at start) unless the last tick is younger; undefined: nobody ticks. An EVM
   * chain's TIMESTAMP advances only with ticks (docs/evm.md "Time"). docs/node.md §3 "Ticks".
   */
  tickSeconds?: number;
  /** For committee-rotation: the sequencer addresses, and how long each leads. */
  committee?: { members: Address[]; rotationSeconds: number };
}

export interface ChainConfig {
  chain: { name: string; chainId: number };
  vm: VmConfig;
  proof: ProofConfig;
  da: DaConfig;
  settlement: SettlementConfig;
  sequencing: SequencingConfig;
}

type DeepPartial<T> = T extends readonly (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** What a config file may contain: any field may be left out and gets its default (withDefaults). */
export type ConfigInput = DeepPartial<ChainConfig>;
