/**
 * The node-side preimage store: keccak256 preimages keyed by hex hash, fed by the guest's
 * `hint_preimage` calls (every new state-tree node and value) and by {@link PreimageStore.add}.
 * The empty state tree is the zero hash and needs no preimage (docs/stf.md "State tree").
 */
import { keccak_256 } from '@noble/hashes/sha3.js';

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export class PreimageStore {
  readonly map = new Map<string, Uint8Array>();

  /** Records `bytes` as a keccak256 preimage; returns its hash. */
  add(bytes: Uint8Array): Uint8Array {
    const h = keccak_256(bytes);
    this.map.set(toHex(h), bytes.slice());
    return h;
  }

  /** the preimage of a hash, for preimage kind 0 (keccak256); undefined otherwise */
  get(hash: Uint8Array, kind = 0): Uint8Array | undefined {
    return kind === 0 ? this.map.get(toHex(hash)) : undefined;
  }

  /** a callback for HostData.onPreimageHint / HostContext.onPreimageHint */
  readonly hint = (bytes: Uint8Array): void => {
    this.add(bytes);
  };

  get size(): number {
    return this.map.size;
  }
}
