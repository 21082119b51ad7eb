/**
 * The ztoken prover's side of contracts/validity/ZTokenBinding.sol (docs/validity.md §5): from the
 * messages of an assertion's range, the previous and the new state and the circuit's per-chunk
 * results (the account root after each chunk, the accepted masks), the chunks' records and public
 * signals (`preRoot, postRoot, recordWords[k], acceptedMask, chainId`, validity v1.1), the binding's witness (the
 * inclusion proofs of key 0x20, the roots between chunks, the masks, the outbox frontier) and the
 * send root L1 will compute, with the withdrawals it appends. Records are records.ts's.
 */
import { encodeAbiParameters, type Hex, parseAbiParameters, toHex } from 'viem';
import { ModexError } from '../../core/errors.ts';
import {
  decodeFrontier,
  FRONTIER_KEY,
  type Frontier,
  frontierAppend,
  frontierRoot,
} from '../../proof/validity/outbox-frontier.ts';
import { withdrawalLeaf } from '../sdk/outbox.ts';
import { type StateTree, stateProofRoot } from '../sdk/state-tree.ts';
import { chunkRecords, decodeRecord, ROP, recordsOf, recordWords } from './records.ts';
import { readBE } from './tx.ts';

/** the state key of the account root (docs/validity.md §2.1) */
export const ACCOUNT_ROOT_KEY = Uint8Array.of(0x20);

/** The prover's data is inconsistent with what L1 will check (nothing was sent). */
export class ZTokenBindingError extends ModexError {
  constructor(message: string) {
    super('ZTOKEN_BINDING_INVALID', message);
  }
}

export interface ZTokenWitness {
  preRoot: bigint;
  preProof: Uint8Array[];
  postRoot: bigint;
  postProof: Uint8Array[];
  /** the account root after chunk j, j < chunks − 1 */
  midRoots: bigint[];
  masks: bigint[];
  frontier: Frontier;
}

/** A withdrawal L1 appends to the outbox (`from` = the account index as a 20-byte integer). */
export interface BoundWithdrawal {
  index: bigint;
  from: Hex;
  to: Hex;
  amount: bigint;
}

export interface ZTokenProofPlan {
  /** each chunk's records (T each, padded) and public signals, in snarkjs's order */
  chunks: { records: Uint8Array[]; signals: bigint[] }[];
  witness: ZTokenWitness;
  /** what ZTokenBinding.publicSignals returns as the new send root */
  sendRoot: Uint8Array;
  withdrawals: BoundWithdrawal[];
}

/** the account root at key 0x20 of `tree` with its inclusion proof */
export function accountRootProof(tree: StateTree): { root: bigint; proof: Uint8Array[] } {
  const p = tree.prove(ACCOUNT_ROOT_KEY);
  if (p?.value.length === 32) return { root: readBE(p.value, 0, 32), proof: p.siblings };
  throw new ZTokenBindingError(
    `the state ${toHex(tree.root)} holds no 32-byte account root at key 0x20: not a ztoken state`,
  );
}

const hex20 = (v: bigint): Hex => toHex(v, { size: 20 });

/**
 * The chunks, witness and send root of an assertion: `messages` from inbox position `start`,
 * `chunkRoots[j]` the account root after chunk j and `masks[j]` its accepted mask (from the circuit's
 * witness). With no records there are no chunks (L1 then requires the account root unchanged).
 */
export function zTokenProofPlan(p: {
  messages: readonly Uint8Array[];
  start: bigint;
  chainId: bigint;
  slots: number;
  prevState: StateTree;
  newState: StateTree;
  chunkRoots: readonly bigint[];
  masks: readonly bigint[];
}): ZTokenProofPlan {
  const records = recordsOf(p.messages, p.chainId, p.start);
  const chunks = records.length === 0 ? [] : chunkRecords(records, p.slots);
  if (p.chunkRoots.length !== chunks.length || p.masks.length !== chunks.length)
    throw new ZTokenBindingError(
      `${records.length} records make ${chunks.length} chunks, but ${p.chunkRoots.length} roots and ${p.masks.length} masks were given`,
    );
  const pre = accountRootProof(p.prevState);
  const post = accountRootProof(p.newState);
  const last = chunks.length === 0 ? pre.root : p.chunkRoots[chunks.length - 1];
  if (last !== post.root)
    throw new ZTokenBindingError(
      `the last chunk ends at account root ${last}, the new state holds ${post.root}`,
    );
  const frontier0 = decodeFrontier(p.prevState.get(FRONTIER_KEY));
  let frontier = frontier0;
  const withdrawals: BoundWithdrawal[] = [];
  const planned = chunks.map((records, j) => {
    const mask = p.masks[j];
    if (mask >> BigInt(p.slots) !== 0n)
      throw new ZTokenBindingError(`mask ${mask} of chunk ${j} exceeds ${p.slots} slots`);
    records.forEach((rec, i) => {
      if (((mask >> BigInt(i)) & 1n) === 0n || rec[0] !== ROP.withdraw) return;
      const r = decodeRecord(rec);
      const w = { index: frontier.count, from: hex20(BigInt(r.idx)), to: hex20(r.A), amount: r.amount };
      withdrawals.push(w);
      frontier = frontierAppend(frontier, withdrawalLeaf(w));
    });
    const signals = [
      j === 0 ? pre.root : p.chunkRoots[j - 1],
      p.chunkRoots[j],
      ...recordWords(records),
      mask,
      p.chainId,
    ];
    return { records, signals };
  });
  return {
    chunks: planned,
    witness: {
      preRoot: pre.root,
      preProof: pre.proof,
      postRoot: post.root,
      postProof: post.proof,
      midRoots: p.chunkRoots.slice(0, Math.max(0, chunks.length - 1)),
      masks: [...p.masks],
      frontier: frontier0,
    },
    sendRoot: frontierRoot(frontier),
    withdrawals,
  };
}

const WITNESS = parseAbiParameters(
  '(bytes32 preRoot, bytes32[] preProof, bytes32 postRoot, bytes32[] postProof, bytes32[] midRoots, uint256[] masks, (uint64 count, bytes32[32] branch) frontier)',
);
const word = (v: bigint): Hex => toHex(v, { size: 32 });

/** the witness bytes ZTokenBinding.publicSignals decodes */
export function encodeZTokenWitness(w: ZTokenWitness): Hex {
  return encodeAbiParameters(WITNESS, [
    {
      preRoot: word(w.preRoot),
      preProof: w.preProof.map((s) => toHex(s)),
      postRoot: word(w.postRoot),
      postProof: w.postProof.map((s) => toHex(s)),
      midRoots: w.midRoots.map(word),
      masks: w.masks,
      frontier: { count: w.frontier.count, branch: w.frontier.branch.map((b) => toHex(b)) },
    },
  ] as never);
}

/** ZTokenBinding._checkState: the account root's proof hashes to `stateRoot` */
export function accountRootProven(
  stateRoot: Uint8Array,
  root: bigint,
  proof: readonly Uint8Array[],
): boolean {
  const value = Buffer.from(word(root).slice(2), 'hex');
  return Buffer.from(stateProofRoot(ACCOUNT_ROOT_KEY, value, proof)).equals(Buffer.from(stateRoot));
}
