/**
 * The outbox frontier on the prover's side (docs/stf.md "Outbox", docs/validity.md §5.3): the
 * deposit-contract incremental Merkle tree of depth 32 kept at state key 0x04 as
 * `count u64 ‖ branch[0..32]`. Mirrors contracts/validity/OutboxFrontier.sol: the send root of a
 * frontier (0x00…00 while empty) and appending a leaf.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';

export const FRONTIER_DEPTH = 32;
/** state key of the frontier (docs/stf.md "State keys") */
export const FRONTIER_KEY = Uint8Array.of(0x04);
const FRONTIER_LEN = 8 + 32 * FRONTIER_DEPTH;

export interface Frontier {
  count: bigint;
  /** 32 entries of 32 bytes */
  branch: Uint8Array[];
}

const pair = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const buf = new Uint8Array(64);
  buf.set(a, 0);
  buf.set(b, 32);
  return keccak_256(buf);
};

export const emptyFrontier = (): Frontier => ({
  count: 0n,
  branch: Array.from({ length: FRONTIER_DEPTH }, () => new Uint8Array(32)),
});

/**
 * The frontier as the state holds it (the value at key 0x04; absent or not 8 + 1024 bytes: empty,
 * as the SDK's `outboxAppend` reads it).
 */
export function decodeFrontier(value: Uint8Array | undefined): Frontier {
  if (value?.length !== FRONTIER_LEN) return emptyFrontier();
  const count = new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0);
  const branch = Array.from({ length: FRONTIER_DEPTH }, (_, h) => value.slice(8 + 32 * h, 8 + 32 * (h + 1)));
  return { count, branch };
}

export function encodeFrontier(f: Frontier): Uint8Array {
  const out = new Uint8Array(FRONTIER_LEN);
  new DataView(out.buffer).setBigUint64(0, f.count);
  f.branch.forEach((b, h) => {
    out.set(b, 8 + 32 * h);
  });
  return out;
}

/** the send root: 0x00…00 while empty, else the depth-32 root (OutboxFrontier.root) */
export function frontierRoot(f: Frontier): Uint8Array {
  if (f.count === 0n) return new Uint8Array(32);
  let r: Uint8Array = new Uint8Array(32);
  let z: Uint8Array = new Uint8Array(32);
  let size = f.count;
  for (let h = 0; h < FRONTIER_DEPTH; h++) {
    r = size & 1n ? pair(f.branch[h], r) : pair(r, z);
    z = pair(z, z);
    size >>= 1n;
  }
  return r;
}

/** appends `leaf` (OutboxFrontier.append, the SDK's outboxAppend); returns a new frontier */
export function frontierAppend(f: Frontier, leaf: Uint8Array): Frontier {
  const branch: Uint8Array[] = f.branch.map((b) => b.slice());
  let node: Uint8Array = leaf;
  let size = f.count + 1n;
  for (let h = 0; h < FRONTIER_DEPTH; h++) {
    if (size & 1n) {
      branch[h] = node;
      break;
    }
    node = pair(branch[h], node);
    size >>= 1n;
  }
  return { count: f.count + 1n, branch };
}
