/**
 * Sovereign headers (docs/sovereign.md §3): one per block, what a full node announces and a light
 * client keeps. Block n executes inbox message n; its header commits to the inbox accumulator after
 * it (the block's input, checkable on L1) and the global state after it.
 */
import type { GlobalState, Hash32, Hex } from '../../core/types.ts';
import { keccak256Hex } from '../../crypto/keccak.ts';
import { PeerProtocolError } from './errors.ts';

export const HEADER_VERSION = 1;
export const ZERO_HASH: Hash32 = `0x${'00'.repeat(32)}`;
/** docs/sovereign.md §3: the number the genesis hash commits to */
const GENESIS_NUMBER = 2n ** 64n - 1n;

/** A header as announced (docs/sovereign.md §3); `hash` is recomputed, never trusted. */
export interface SovereignHeader {
  version: 1;
  number: number;
  parentHash: Hash32;
  inboxCount: number;
  accumulator: Hash32;
  stateRoot: Hash32;
  sendRoot: Hash32;
  positionInMessage: number;
  hash: Hash32;
}

const hexOf = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex')}`;
const bytesOf = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.slice(2), 'hex'));
const u64 = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
};

function hashFields(number: bigint, h: Omit<SovereignHeader, 'hash' | 'number' | 'version'>): Hash32 {
  const parts = [
    Uint8Array.of(HEADER_VERSION),
    u64(number),
    bytesOf(h.parentHash),
    u64(BigInt(h.inboxCount)),
    bytesOf(h.accumulator),
    bytesOf(h.stateRoot),
    bytesOf(h.sendRoot),
    u64(BigInt(h.positionInMessage)),
  ];
  return keccak256Hex(Buffer.concat(parts));
}

/** The header of block `number` with post-state `gs`, after `parent`'s hash and the inbox accumulator `acc`. */
export function makeHeader(
  number: number,
  parentHash: Hash32,
  accumulator: Hash32,
  gs: GlobalState,
): SovereignHeader {
  const fields = {
    parentHash,
    inboxCount: Number(gs.u64[0]),
    accumulator,
    stateRoot: hexOf(gs.bytes32[0]),
    sendRoot: hexOf(gs.bytes32[1]),
    positionInMessage: Number(gs.u64[1]),
  };
  return { version: 1, number, ...fields, hash: hashFields(BigInt(number), fields) };
}

/** docs/sovereign.md §3: the hash block 0's header names as its parent. */
export function genesisHash(genesis: GlobalState): Hash32 {
  return hashFields(GENESIS_NUMBER, {
    parentHash: ZERO_HASH,
    inboxCount: 0,
    accumulator: ZERO_HASH,
    stateRoot: hexOf(genesis.bytes32[0]),
    sendRoot: hexOf(genesis.bytes32[1]),
    positionInMessage: 0,
  });
}

/** The global state after the header's block. */
export function headerState(
  h: Pick<SovereignHeader, 'stateRoot' | 'sendRoot' | 'inboxCount' | 'positionInMessage'>,
): GlobalState {
  return {
    bytes32: [bytesOf(h.stateRoot), bytesOf(h.sendRoot)],
    u64: [BigInt(h.inboxCount), BigInt(h.positionInMessage)],
  };
}

/** Two global states are the same. */
export function sameState(a: GlobalState, b: GlobalState): boolean {
  return (
    hexOf(a.bytes32[0]) === hexOf(b.bytes32[0]) &&
    hexOf(a.bytes32[1]) === hexOf(b.bytes32[1]) &&
    a.u64[0] === b.u64[0] &&
    a.u64[1] === b.u64[1]
  );
}

const HASH_RE = /^0x[0-9a-f]{64}$/;
const isHash = (x: unknown): x is Hash32 => typeof x === 'string' && HASH_RE.test(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * A header from the wire, its shape checked and its hash recomputed (a header whose `hash` is not
 * its fields' is refused: PeerProtocolError).
 */
export function parseHeader(x: unknown): SovereignHeader {
  const o = x as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new PeerProtocolError('a header must be a JSON object');
  if (o.version !== HEADER_VERSION)
    throw new PeerProtocolError(`header version ${String(o.version)} is not 1`);
  for (const k of ['number', 'inboxCount', 'positionInMessage'] as const)
    if (!isCount(o[k])) throw new PeerProtocolError(`header field ${k} must be a non-negative integer`);
  for (const k of ['parentHash', 'accumulator', 'stateRoot', 'sendRoot', 'hash'] as const)
    if (!isHash(o[k]))
      throw new PeerProtocolError(`header field ${k} must be a 32-byte lowercase hex string`);
  const h = o as unknown as SovereignHeader;
  const fields = {
    parentHash: h.parentHash,
    inboxCount: h.inboxCount,
    accumulator: h.accumulator,
    stateRoot: h.stateRoot,
    sendRoot: h.sendRoot,
    positionInMessage: h.positionInMessage,
  };
  const hash = hashFields(BigInt(h.number), fields);
  if (hash !== h.hash)
    throw new PeerProtocolError(`header ${h.number}: hash ${h.hash} is not its fields' (${hash})`);
  return { version: 1, number: h.number, ...fields, hash };
}
