/**
 * What an app with a validity circuit gives the node (docs/validity.md §6): the app implements it
 * (`src/apps/<app>/validity.ts`, or the prover module its modex.app.json names, §8) and the node
 * loads it through src/apps/validity-apps.ts, so the node and this module import no app. The app knows its circuit, how to turn inbox messages into
 * the circuit's witness, and its L1 binding (contracts/validity/IValidityBinding.sol).
 */
import type { Abi, Address, Hex } from 'viem';
import type { L1 } from '../../l1/anvil.ts';

/** A global state as the settlement contracts hold it (docs/machine.md §2.3). */
export interface SettledState {
  stateRoot: Hex;
  sendRoot: Hex;
  inboxPosition: bigint;
  positionInMessage: bigint;
}

/** The app's circuit, compiled, with its proving keys (cached by content hash, src/zk). */
export interface ValidityKeys {
  /** records (transactions, deposits) per proof */
  chunkSize: number;
  /** the circuit's constraints */
  constraints: number;
  /** true for development keys anyone can forge proofs for (docs/validity.md §4) */
  insecure: boolean;
  /** ms the setup took (0 when cached) */
  setupMs: number;
  /** whether keys came from the cache */
  cached: boolean;
}

/** The app's L1 side, deployed next to the settlement contracts. */
export interface ValidityL1 {
  /** snarkjs's Groth16Verifier of the app's circuit */
  groth16: Address;
  /** the app's IValidityBinding */
  binding: Address;
}

/** One range of inbox messages to prove: an assertion from `prevEnd` to `end`. */
export interface ProveRange {
  chainId: bigint;
  /** the inbox message at a position (every position below `end.inboxPosition` is known) */
  message(position: bigint): Uint8Array;
  /** a keccak256 preimage from the node's store (state-tree nodes and values), or undefined */
  preimage(hash: Uint8Array): Uint8Array | undefined;
  prevEnd: SettledState;
  end: SettledState;
  log?: (line: string) => void;
}

/** The proofs of one range and what the binding needs besides them. */
export interface ProvedRange {
  /** one Groth16 proof per chunk: a, b, c as 8 words (src/zk `proofCalldata`, flattened) */
  proofs: bigint[][];
  /** the public signals of each chunk (what the binding recomputes on L1) */
  publicSignals: bigint[][];
  /** the binding's `witness` bytes (inclusion proofs, intermediate roots, the outbox frontier, …) */
  witness: Hex;
  /** records proved (transactions and deposits L1 extracted from the messages) */
  records: number;
  /** ms spent proving (witness and Groth16) */
  proveMs: number;
}

export interface ValidityApp {
  readonly name: string;
  /** Compiles the circuit and derives its keys: from `ptau` (a ceremony file), else INSECURE dev keys. */
  setup(o: { ptau?: string; log?: (line: string) => void }): Promise<ValidityKeys>;
  /** Deploys the app's verifier and binding on L1 (after `setup`). */
  deployL1(l1: L1, o: { chainId: bigint }): Promise<ValidityL1>;
  /** Proves one range (after `setup`); ranges are proved in inbox order. */
  prove(range: ProveRange): Promise<ProvedRange>;
}

/** A compiled circuit, as src/zk's `compileCircuit` gives it (docs/validity.md §1). */
export interface AppCircuit {
  /** path of the .r1cs */
  r1cs: string;
  /** path of the witness generator (.wasm; `witness_calculator.js` beside it) */
  wasm: string;
  constraints: number;
  publicSignals: number;
}

/** A compiled contract (what src/l1's `deploy` takes). */
export interface AppContract {
  contractName: string;
  sourceName: string;
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
}

/**
 * What modex gives the factory of an app that ships its circuit (docs/validity.md §8): the app's
 * own circuit, compiled by modex (cached by content hash), and its binding, compiled by solc. The
 * app supplies the rest (the witness, the binding's witness bytes, which contract to deploy).
 */
export interface ValidityContext {
  /** the app directory (holds modex.app.json) */
  appDir: string;
  /** the circuit of `validity.circuit`, compiled (from the cache once `modex build` ran) */
  circuit(o?: { log?: (line: string) => void }): Promise<AppCircuit>;
  /** the contract of `validity.binding` (undefined when the manifest names none) */
  binding(o?: { log?: (line: string) => void }): Promise<AppContract | undefined>;
}

/** The prover module's export `validityApp` (docs/validity.md §8). */
export type ValidityAppFactory = (ctx: ValidityContext) => ValidityApp | Promise<ValidityApp>;
