/**
 * Shared data types of modex. Plain data only (no classes, no behaviour), so every module and the
 * wire formats can agree on them. Imports nothing outside src/core.
 */

/** A 0x-prefixed lowercase-or-mixed-case hex string. */
export type Hex = `0x${string}`;
/** A 32-byte value as 0x + 64 hex digits (hashes, roots, storage words). */
export type Hash32 = Hex;
/** A 20-byte account address as 0x + 40 hex digits. */
export type Address = Hex;

/** Names of the modules each layer can be configured with (implemented or planned). */
export type VmModuleName = 'wasm' | 'evm' | 'mips';
export type ProofModuleName = 'fraud' | 'validity' | 'attested' | 'none';
export type DaModuleName = 'l1-calldata' | 'l1-blob' | 'committee';
export type SettlementModuleName = 'ethereum' | 'sovereign' | 'modex';
export type SequencingModuleName = 'single' | 'committee-rotation';

/**
 * The machine's global state: what links one STF execution to the chain (docs/machine.md §2.3). It
 * is read and written by the guest through host ops and is part of every machine hash. The one
 * global-state type of modex: the machine, the node and the proof systems all use it; contracts'
 * ABI encodings convert at their boundary.
 */
export interface GlobalState {
  /** [stateRoot, sendRoot]: the L2 state root and the root of the outbox (L2 -> L1 messages). */
  bytes32: [Uint8Array, Uint8Array];
  /** [inboxPosition, positionInMessage]: next inbox message to read, and progress inside it. */
  u64: [bigint, bigint];
}

/** An L2 transaction as submitted by a user (the signed envelope is VM-specific bytes). */
export interface L2Transaction {
  /** keccak256 of `raw`. */
  hash: Hash32;
  /** Recovered sender. */
  from: Address;
  /** Per-sender sequence number; a transaction with a wrong nonce is rejected by the STF. */
  nonce: bigint;
  /** The encoded, signed transaction exactly as the STF will decode it. */
  raw: Uint8Array;
}

/** Where an inbox message came from. */
export type MessageKind =
  /** A batch of L2 blocks posted by the sequencer. */
  | 'batch'
  /** An L1-originated message (deposit, forced transaction) from the delayed inbox. */
  | 'delayed';

/** One entry of the L1 inbox, in the order fixed by the inbox accumulator. */
export interface InboxMessage {
  /** Position in the inbox (0-based, dense). */
  index: bigint;
  kind: MessageKind;
  /** L1 block number and timestamp at which the message was accumulated. */
  l1BlockNumber: bigint;
  l1Timestamp: bigint;
  /** Sender on L1 (sequencer for batches, the original L1 sender for delayed messages). */
  sender: Address;
  /** The message payload after DA resolution (for batches: the decompressed batch bytes). */
  data: Uint8Array;
  /** The inbox accumulator after this message: keccak(prevAcc ‖ keccak(message)) (docs/inbox.md). */
  accumulator: Hash32;
}

/** Header of an L2 block. */
export interface L2BlockHeader {
  number: bigint;
  parentHash: Hash32;
  /** Seconds since the epoch; non-decreasing; bounded by the L1 timestamp of its batch. */
  timestamp: bigint;
  /** Global state after executing the block. */
  postState: GlobalState;
  /** Number of inbox messages consumed up to and including this block. */
  inboxPosition: bigint;
  hash: Hash32;
}

/** An ordered set of transactions executed as one unit by the VM. */
export interface L2Block {
  header: L2BlockHeader;
  transactions: L2Transaction[];
}

/** A range of L2 blocks packed for DA: the unit the batcher posts. */
export interface Batch {
  /** Sequence number of the batch (dense, starting at 0). */
  sequenceNumber: bigint;
  /** First and last L2 block numbers contained (inclusive). */
  firstBlock: bigint;
  lastBlock: bigint;
  /** The encoded, compressed batch bytes exactly as given to the DA module. */
  data: Uint8Array;
  /** keccak256 of `data`. */
  dataHash: Hash32;
}

/**
 * What the DA module returns for a batch and what goes into the L1 inbox. The settlement layer
 * stores the pointer; derivation resolves it back into bytes with `DataAvailability.retrieve`.
 */
export type DaPointer =
  /** The batch bytes themselves, posted as L1 calldata. */
  | { kind: 'calldata'; data: Uint8Array }
  /**
   * EIP-4844 blobs: versioned hashes of the blobs that carry the batch, in order. `sidecars` is set
   * by `store` (what the batcher's type-3 transaction carries); `l1BlockNumber` by derivation (where
   * to fetch the blobs back).
   */
  | {
      kind: 'blob';
      versionedHashes: Hash32[];
      sidecars?: { blobs: Uint8Array[]; commitments: Uint8Array[]; proofs: Uint8Array[] };
      l1BlockNumber?: bigint;
    }
  /** A data availability certificate: enough committee members promise to serve `dataHash`. */
  | {
      kind: 'certificate';
      dataHash: Hash32;
      /** Unix seconds until which members promise to serve the data. */
      expiry: bigint;
      /** Hash of the committee keyset the signatures are checked against. */
      keysetHash: Hash32;
      /** The certificate's bytes as posted to the inbox (docs/committee.md §3). */
      certificate: Uint8Array;
    };

/**
 * A claim posted to the settlement layer: "after consuming the inbox up to `inboxPosition`,
 * the STF reaches `globalState`". Assertions form a chain through `prevAssertionHash`.
 */
export interface Assertion {
  /** Hash identifying the assertion on the settlement layer. */
  hash: Hash32;
  prevAssertionHash: Hash32;
  /** State after the assertion: [stateRoot, sendRoot] and [inboxPosition, positionInMessage]. */
  globalState: GlobalState;
  /** Inbox accumulator at `globalState.u64[0]`, binding the assertion to a fixed input. */
  inboxAccumulator: Hash32;
  /** Number of L2 blocks executed since the previous assertion. */
  blockCount: bigint;
  /** Total machine steps executed since the previous assertion (for step bisection). */
  machineSteps: bigint;
  /** Hash identifying the STF (for wasm: the module root). */
  moduleRoot: Hash32;
  /** Who posted it and the bond they locked (wei). */
  asserter: Address;
  bond: bigint;
}

/** Lifecycle of an assertion on the settlement layer. */
export type AssertionStatus = 'pending' | 'challenged' | 'confirmed' | 'rejected';

/** An L2 -> L1 message committed to by `sendRoot` (e.g. a withdrawal). */
export interface OutboxMessage {
  /** Index in the outbox Merkle tree. */
  index: bigint;
  sender: Address;
  to: Address;
  value: bigint;
  data: Uint8Array;
}
