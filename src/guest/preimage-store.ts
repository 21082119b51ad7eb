/**
 * The node-side preimage store: keccak256 preimages keyed by their hash, fed by the guest's
 * `hint_preimage` calls (every new state-tree node and value) and by {@link PreimageStore.add}.
 * The empty state tree is the zero hash and needs no preimage (docs/stf.md "State tree").
 *
 * An open-addressing hash table (linear probing) over the 32-byte hashes, kept in one byte array:
 * a lookup reads the hash where it lies (e.g. in guest memory, {@link PreimageStore.getAt}) and
 * allocates nothing. The slot comes from the first 8 bytes of the hash mixed with a random
 * per-store seed, so that nobody can grind preimages whose hashes pile up in one run of slots.
 */
import { randomFillSync } from 'node:crypto';
import { keccak256Into } from '../vm/wasm/keccak.ts';

/** lowercase hex without 0x (a view, no copy) */
export const toHex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

const INITIAL_SLOTS = 1 << 10;

export class PreimageStore {
  /** entry number + 1 per slot, 0 = free; the length is a power of two, at least twice the entry count */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** entry i's hash at [32 i, 32 i + 32) */
  private hashes = new Uint8Array(32 * (INITIAL_SLOTS >> 1));
  private readonly values: Uint8Array[] = [];
  private readonly seed0: number;
  private readonly seed1: number;

  constructor() {
    const seed = randomFillSync(new Int32Array(2));
    this.seed0 = seed[0];
    this.seed1 = seed[1] | 1;
  }

  /** the first slot to probe for the hash at b[o..o+32) */
  private slotOf(b: Uint8Array, o: number): number {
    const w0 = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) ^ this.seed0;
    const w1 = (b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24)) ^ this.seed1;
    let h = Math.imul(w0, 0x9e3779b1) ^ Math.imul(w1, 0x85ebca77);
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** the entry number of the hash at b[o..o+32), or -1 */
  private find(b: Uint8Array, o: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const hashes = this.hashes;
    for (let s = this.slotOf(b, o); ; s = (s + 1) & mask) {
      const e = slots[s] - 1;
      if (e < 0) return -1;
      const p = e << 5;
      let i = 0;
      while (i < 32 && hashes[p + i] === b[o + i]) i++;
      if (i === 32) return e;
    }
  }

  /**
   * The preimage of the 32-byte hash at bytes[offset..offset+32) (read in place, not kept), for
   * preimage kind 0 (keccak256); undefined if unknown or of another kind.
   */
  getAt(bytes: Uint8Array, offset: number, kind = 0): Uint8Array | undefined {
    if (kind !== 0) return undefined;
    const e = this.find(bytes, offset);
    return e < 0 ? undefined : this.values[e];
  }

  /** the preimage of a hash, for preimage kind 0 (keccak256); undefined otherwise */
  get(hash: Uint8Array, kind = 0): Uint8Array | undefined {
    return hash.length === 32 ? this.getAt(hash, 0, kind) : undefined;
  }

  /** whether the store has the preimage of `hash` */
  has(hash: Uint8Array): boolean {
    return hash.length === 32 && this.find(hash, 0) >= 0;
  }

  /** Records `bytes` as a keccak256 preimage; returns its hash. */
  add(bytes: Uint8Array): Uint8Array {
    const h = keccak256Into(bytes, new Uint8Array(32));
    this.put(h, bytes.slice());
    return h;
  }

  /** records `value` (kept as is, not copied) under the 32-byte `hash` (copied); a known hash is left as it is */
  private put(hash: Uint8Array, value: Uint8Array): void {
    const slots = this.slots;
    const mask = this.mask;
    const hashes = this.hashes;
    let s = this.slotOf(hash, 0);
    for (;;) {
      const e = slots[s] - 1;
      if (e < 0) break;
      const p = e << 5;
      let i = 0;
      while (i < 32 && hashes[p + i] === hash[i]) i++;
      if (i === 32) return; // content-addressed: the same bytes
      s = (s + 1) & mask;
    }
    const n = this.values.length;
    if ((n + 1) << 5 > hashes.length) {
      const bigger = new Uint8Array(hashes.length * 2);
      bigger.set(hashes);
      this.hashes = bigger;
    }
    this.hashes.set(hash, n << 5);
    this.values.push(value);
    slots[s] = n + 1;
    if (2 * (n + 1) > slots.length) this.rehash(slots.length * 2);
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    this.slots = slots;
    this.mask = size - 1;
    const mask = this.mask;
    const n = this.values.length;
    for (let e = 0; e < n; e++) {
      let s = this.slotOf(this.hashes, e << 5);
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
  }

  /**
   * a callback for HostData.onPreimageHint / HostContext.onPreimageHint: both hand over a fresh
   * copy of the guest's bytes, which is kept without copying it again; `hash`, when given, is
   * keccak256(bytes) (read during the call, not kept)
   */
  readonly hint = (bytes: Uint8Array, hash?: Uint8Array): void => {
    this.put(hash ?? keccak256Into(bytes, scratch), bytes);
  };

  /** Records every preimage of `other` (its values are shared, not copied). */
  addAll(other: PreimageStore): void {
    const n = other.values.length;
    for (let e = 0; e < n; e++) this.put(other.hashes.subarray(e << 5, (e + 1) << 5), other.values[e]);
  }

  /** the hashes recorded, as lowercase hex without 0x, in insertion order */
  keys(): string[] {
    return this.values.map((_, e) => toHex(this.hashes.subarray(e << 5, (e + 1) << 5)));
  }

  get size(): number {
    return this.values.length;
  }
}

const scratch = new Uint8Array(32);
