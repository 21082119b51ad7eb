/**
 * The hashes of docs/dispute.md §2.1, §3 and §4 in TypeScript, mirroring
 * contracts/settlement/DisputeTypes.sol (`DisputeHash`), and the Solidity structs as plain data.
 */
import { bytesToHex, concatHex, type Hex, hexToBytes, keccak256, numberToHex } from 'viem';
import type { GlobalState } from '../../vm/wasm/machine.ts';

/** `GlobalState` as the contracts take it. */
export interface SolGlobalState {
  stateRoot: Hex;
  sendRoot: Hex;
  inboxPosition: bigint;
  positionInMessage: bigint;
}

/** §2.1 */
export interface AssertionData {
  prevId: Hex;
  prevStateHash: Hex;
  blockCount: bigint;
  end: SolGlobalState;
  historyRoot: Hex;
  nextInboxPosition: bigint;
}

/** §4 */
export interface EdgeRef {
  level: number;
  origin: Hex;
  start: bigint;
  w: number;
  startState: Hex;
  root: Hex;
}

export const ZERO32: Hex = `0x${'00'.repeat(32)}`;

const word = (n: bigint | number): Hex => numberToHex(BigInt(n), { size: 32 });

export function toSolState(gs: GlobalState): SolGlobalState {
  return {
    stateRoot: bytesToHex(gs.bytes32[0]),
    sendRoot: bytesToHex(gs.bytes32[1]),
    inboxPosition: gs.u64[0],
    positionInMessage: gs.u64[1],
  };
}

export function fromSolState(g: SolGlobalState): GlobalState {
  return {
    bytes32: [hexToBytes(g.stateRoot), hexToBytes(g.sendRoot)],
    u64: [g.inboxPosition, g.positionInMessage],
  };
}

/** docs/machine.md §2.3 */
export function stateHash(g: SolGlobalState): Hex {
  return keccak256(concatHex([g.stateRoot, g.sendRoot, word(g.inboxPosition), word(g.positionInMessage)]));
}

/** §2.1: keccak256(abi.encode(AssertionData)) */
export function assertionId(a: AssertionData): Hex {
  return keccak256(
    concatHex([
      a.prevId,
      a.prevStateHash,
      word(a.blockCount),
      a.end.stateRoot,
      a.end.sendRoot,
      word(a.end.inboxPosition),
      word(a.end.positionInMessage),
      a.historyRoot,
      word(a.nextInboxPosition),
    ]),
  );
}

/** §3 `H(start ‖ end ‖ inner)` */
export function nodeHex(start: Hex, end: Hex, inner: Hex): Hex {
  return keccak256(concatHex([start, end, inner]));
}

/** §4 key(e) */
export function edgeKey(e: Pick<EdgeRef, 'level' | 'origin' | 'start' | 'w' | 'startState'>): Hex {
  return keccak256(concatHex([word(e.level), e.origin, word(e.start), word(e.w), e.startState]));
}

/** §4 id(e) */
export function edgeId(e: EdgeRef): Hex {
  return keccak256(concatHex([edgeKey(e), e.root]));
}

/** The genesis assertion's data (§2.1), as Rollup's constructor builds it. */
export function genesisAssertion(genesis: SolGlobalState): AssertionData {
  return {
    prevId: ZERO32,
    prevStateHash: ZERO32,
    blockCount: 0n,
    end: genesis,
    historyRoot: ZERO32,
    nextInboxPosition: genesis.inboxPosition + 1n,
  };
}

/** §2.2: the number of inbox messages (blocks) the assertions that follow `prev` consume. */
export function nextBlockCount(prev: AssertionData, layerZeroHeight: number): number {
  const start = prev.end.inboxPosition;
  const cap = start + (1n << BigInt(layerZeroHeight));
  const target = prev.nextInboxPosition < cap ? prev.nextInboxPosition : cap;
  return Number(target - start);
}
