/**
 * The node-side preimage store: keccak256 preimages keyed by hex hash, fed by the guest's
 * `hint_preimage` calls (every new state-tree node and value) and by {@link PreimageStore.add}.
 * The empty state tree is the zero hash and needs no preimage (docs/stf.md "State tree").
 */
import { keccak256Into } from '../vm/wasm/keccak.ts';

/** lowercase hex without 0x (a view, no copy) */
export const toHex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export class PreimageStore {
  readonly map = new Map<string, Uint8Array>();

  /** Records `bytes` as a keccak256 preimage; returns its hash. */
  add(bytes: Uint8Array): Uint8Array {
    return this.record(bytes.slice());
  }

  /** records `bytes` (kept as is, not copied) under its keccak256 hash */
  private record(bytes: Uint8Array, known?: Uint8Array): Uint8Array {
    const h = known ?? keccak256Into(bytes, new Uint8Array(32));
    this.map.set(toHex(h), bytes);
    return h;
  }

  /** the preimage of a hash, for preimage kind 0 (keccak256); undefined otherwise */
  get(hash: Uint8Array, kind = 0): Uint8Array | undefined {
    return kind === 0 ? this.map.get(toHex(hash)) : undefined;
  }

  /**
   * a callback for HostData.onPreimageHint / HostContext.onPreimageHint: both hand over a fresh
   * copy of the guest's bytes, which is kept without copying it again
   */
  readonly hint = (bytes: Uint8Array, hash?: Uint8Array): void => {
    this.record(bytes, hash);
  };

  get size(): number {
    return this.map.size;
  }
}
