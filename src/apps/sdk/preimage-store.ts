/**
 * The node-side preimage store: keccak256 preimages keyed by their hash, fed by the guest's
 * `hint_preimage` calls (every new state-tree node and value) and by {@link PreimageStore.add}.
 * The empty state tree is the zero hash and needs no preimage (docs/stf.md "State tree").
 *
 * Layout, built so that the native runner's lookups allocate nothing and touch few cache lines
 * (it reads hashes in guest memory and copies preimages straight into it: {@link NativePreimageStore}):
 * - an open-addressing table (linear probing) of entry numbers; the slot comes from the first 8
 *   bytes of the hash mixed with a random per-store seed, so that nobody can grind preimages whose
 *   hashes pile up in one run of slots;
 * - one 128-byte record per entry: its hash (words 0..7), its length (word 8), where a preimage
 *   longer than 64 bytes lies in the overflow arena (word 9), and up to 64 bytes of preimage inline
 *   (words 16..31: every state-tree node fits).
 */
import { randomFillSync } from 'node:crypto';
import { keccak256Into } from '../../crypto/keccak.ts';
import { precompilePreimage } from '../../crypto/precompiles.ts';
import type { NativePreimageStore } from '../../vm/wasm/native.ts';

/** lowercase hex without 0x (a view, no copy) */
export const toHex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

const INITIAL_SLOTS = 1 << 10;
/**
 * Lines of the lookup cache in front of the table: the node's hot hashes (the top of the state tree,
 * which every admission and transaction walks from the root) are found without touching the big
 * table, whose slot and record are two cache misses on a store of a busy chain.
 */
const CACHE_LINES = 1 << 10;
/** words per record */
const REC = 32;
/** word of the record where the inline preimage starts */
const INLINE = 16;
const INLINE_MAX = 64;

/** docs/machine.md §6: preimage kind 1 = a blob by its EIP-4844 versioned hash (docs/blob.md). */
export const BLOB_PREIMAGE_KIND = 1;
/**
 * docs/machine.md §6.3: preimage kind 2 = the result `status ‖ output` of an EVM precompile (0x06,
 * 0x07, 0x08, 0x0a) keyed by keccak256(address ‖ input), whose keccak preimage the guest hinted.
 */
export const PRECOMPILE_PREIMAGE_KIND = 2;

export class PreimageStore implements NativePreimageStore {
  /** entry number + 1 per slot, 0 = free; the length is a power of two, at least twice the entry count */
  private slots = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private rec = new Int32Array(REC * (INITIAL_SLOTS >> 1));
  private recBytes = new Uint8Array(this.rec.buffer);
  /** preimages longer than INLINE_MAX bytes, each at a word boundary */
  private big = new Int32Array(1024);
  private bigBytes = new Uint8Array(this.big.buffer);
  private bigTop = 0;
  private count = 0;
  private readonly seed0: number;
  private readonly seed1: number;
  /** the lookup cache: hash words (8 per line) and entry per line (-1: empty); entries never move */
  private readonly lineWords = new Int32Array(CACHE_LINES * 8);
  private readonly lineEntry = new Int32Array(CACHE_LINES).fill(-1);
  /** a hash copied here to be looked up by words */
  private readonly scratch = new Uint8Array(32);
  private readonly scratchWords = new Int32Array(this.scratch.buffer);

  constructor() {
    const seed = randomFillSync(new Int32Array(2));
    this.seed0 = seed[0];
    this.seed1 = seed[1] | 1;
  }

  /** the first slot to probe for the hash in words w[i..i+8) */
  private slotOf(w: Int32Array, i: number): number {
    let h = Math.imul(w[i] ^ this.seed0, 0x9e3779b1) ^ Math.imul(w[i + 1] ^ this.seed1, 0x85ebca77);
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** the slot holding the hash in words w[i..i+8), or the free slot where it would go */
  private probe(w: Int32Array, i: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const r = this.rec;
    for (let s = this.slotOf(w, i); ; s = (s + 1) & mask) {
      const e = slots[s] - 1;
      if (e < 0) return s;
      const p = e * REC;
      if (
        r[p] === w[i] &&
        r[p + 1] === w[i + 1] &&
        r[p + 2] === w[i + 2] &&
        r[p + 3] === w[i + 3] &&
        r[p + 4] === w[i + 4] &&
        r[p + 5] === w[i + 5] &&
        r[p + 6] === w[i + 6] &&
        r[p + 7] === w[i + 7]
      )
        return s;
    }
  }

  find(words: Int32Array, index: number): number {
    // hashes are keccak outputs: any of their words spreads them over the lines
    const l = (words[index] ^ words[index + 5]) & (CACHE_LINES - 1);
    const lw = this.lineWords;
    const o = l * 8;
    if (
      lw[o] === words[index] &&
      lw[o + 1] === words[index + 1] &&
      lw[o + 2] === words[index + 2] &&
      lw[o + 3] === words[index + 3] &&
      lw[o + 4] === words[index + 4] &&
      lw[o + 5] === words[index + 5] &&
      lw[o + 6] === words[index + 6] &&
      lw[o + 7] === words[index + 7] &&
      this.lineEntry[l] >= 0
    )
      return this.lineEntry[l];
    const e = this.slots[this.probe(words, index)] - 1;
    if (e >= 0) {
      for (let j = 0; j < 8; j++) lw[o + j] = words[index + j];
      this.lineEntry[l] = e;
    }
    return e;
  }

  length(entry: number): number {
    return this.rec[entry * REC + 8];
  }

  copyOut(entry: number, offset: number, mem: Uint8Array, memWords: Int32Array, ptr: number): number {
    const r = this.rec;
    const p = entry * REC;
    const len = r[p + 8];
    const n = offset >= len ? 0 : Math.min(32, len - offset);
    const big = len > INLINE_MAX;
    const srcWords = big ? this.big : r;
    const base = big ? r[p + 9] : p + INLINE; // in words
    let i = 0;
    if (((ptr | offset) & 3) === 0) {
      const q = ptr >>> 2;
      const o = base + (offset >> 2);
      const nw = n >> 2;
      for (let j = 0; j < nw; j++) memWords[q + j] = srcWords[o + j];
      i = nw << 2;
    }
    const src = big ? this.bigBytes : this.recBytes;
    const o = 4 * base + offset;
    for (; i < n; i++) mem[ptr + i] = src[o + i];
    return n;
  }

  record(mem: Uint8Array, memWords: Int32Array, start: number, len: number, hash?: Uint8Array): void {
    if (hash) this.scratch.set(hash);
    else keccak256Into(mem.subarray(start, start + len), this.scratch);
    const s = this.probe(this.scratchWords, 0);
    if (this.slots[s] !== 0) return; // content-addressed: the same bytes
    this.append(s, mem, memWords, start, len);
  }

  /** a new entry for the hash in `scratch`, in free slot `s` */
  private append(s: number, mem: Uint8Array, memWords: Int32Array, start: number, len: number): void {
    const e = this.count;
    if ((e + 1) * REC > this.rec.length) {
      const bigger = new Int32Array(this.rec.length * 2);
      bigger.set(this.rec);
      this.rec = bigger;
      this.recBytes = new Uint8Array(bigger.buffer);
    }
    const r = this.rec;
    const p = e * REC;
    r.set(this.scratchWords, p);
    r[p + 8] = len;
    let dst: number; // in words
    if (len <= INLINE_MAX) {
      r[p + 9] = -1;
      dst = p + INLINE;
    } else {
      const words = (len + 3) >> 2;
      if (this.bigTop + words > this.big.length) {
        const bigger = new Int32Array(Math.max(this.big.length * 2, this.bigTop + words));
        bigger.set(this.big);
        this.big = bigger;
        this.bigBytes = new Uint8Array(bigger.buffer);
      }
      dst = this.bigTop;
      this.bigTop += words;
      r[p + 9] = dst;
    }
    const dstWords = len <= INLINE_MAX ? r : this.big;
    const dstBytes = len <= INLINE_MAX ? this.recBytes : this.bigBytes;
    let i = 0;
    if ((start & 3) === 0) {
      const nw = len >> 2;
      const q = start >>> 2;
      for (let j = 0; j < nw; j++) dstWords[dst + j] = memWords[q + j];
      i = nw << 2;
    }
    for (; i < len; i++) dstBytes[4 * dst + i] = mem[start + i];
    this.count = e + 1;
    this.slots[s] = e + 1;
    if (2 * (e + 1) > this.slots.length) this.rehash(this.slots.length * 2);
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    this.slots = slots;
    this.mask = size - 1;
    const mask = this.mask;
    for (let e = 0; e < this.count; e++) {
      let s = this.slotOf(this.rec, e * REC);
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
  }

  /** entry e's preimage: a view of the store's memory (do not write it) */
  private bytesOf(e: number): Uint8Array {
    const p = e * REC;
    const len = this.rec[p + 8];
    return len > INLINE_MAX
      ? this.bigBytes.subarray(4 * this.rec[p + 9], 4 * this.rec[p + 9] + len)
      : this.recBytes.subarray(4 * (p + INLINE), 4 * (p + INLINE) + len);
  }

  /** blobs by versioned hash (preimage kind 1, docs/blob.md), lowercase hex without 0x */
  private readonly blobsByHash = new Map<string, Uint8Array>();

  /** kind-2 results computed so far, by key (lowercase hex without 0x) */
  private readonly precompileResults = new Map<string, Uint8Array>();

  /**
   * The preimage of a hash: kind 0 (keccak256) from the table, kind 1 (a blob, 131,072 bytes, by its
   * versioned hash) from {@link addBlob}, kind 2 (a precompile's result) computed from the key's
   * keccak preimage `address ‖ input` (hinted by the guest) and memoised; undefined otherwise. A
   * view: do not write it.
   */
  get(hash: Uint8Array, kind = 0): Uint8Array | undefined {
    if (kind === BLOB_PREIMAGE_KIND) return this.blobsByHash.get(toHex(hash));
    if (kind === PRECOMPILE_PREIMAGE_KIND) return this.precompileResult(hash);
    if (kind !== 0 || hash.length !== 32) return undefined;
    this.scratch.set(hash);
    const e = this.find(this.scratchWords, 0);
    return e < 0 ? undefined : this.bytesOf(e);
  }

  /** kind 2: the memoised result, else computed from the key preimage (undefined without it) */
  private precompileResult(key: Uint8Array): Uint8Array | undefined {
    if (key.length !== 32) return undefined;
    const k = toHex(key);
    const known = this.precompileResults.get(k);
    if (known) return known;
    const keyPreimage = this.get(key, 0);
    const result = keyPreimage && precompilePreimage(keyPreimage);
    if (result) this.precompileResults.set(k, result);
    return result;
  }

  /** whether the store has the preimage of `hash` */
  has(hash: Uint8Array): boolean {
    return this.get(hash) !== undefined;
  }

  /**
   * Records a blob as the kind-1 preimage of `versionedHash` (the caller checked the versioned hash
   * against the blob's KZG commitment: derivation reads blobs through L1BlobDa, which does).
   */
  addBlob(versionedHash: Uint8Array, blob: Uint8Array): void {
    this.blobsByHash.set(toHex(versionedHash), blob);
  }

  /**
   * Records the preimages a blob or certificate batch gives the STF (derivation reads them through
   * the DA module): kind 1 blobs by versioned hash, kind 0 data by its keccak256.
   */
  addPreimages(preimages: readonly { kind: number; hash: Uint8Array; bytes: Uint8Array }[] = []): void {
    for (const p of preimages) {
      if (p.kind === BLOB_PREIMAGE_KIND) this.addBlob(p.hash, p.bytes);
      else this.add(p.bytes);
    }
  }

  /** Records `bytes` as a keccak256 preimage; returns its hash. */
  add(bytes: Uint8Array): Uint8Array {
    this.hint(bytes);
    return this.scratch.slice();
  }

  /**
   * a callback for HostData.onPreimageHint / HostContext.onPreimageHint: records `bytes` (copied);
   * `hash`, when given, is keccak256(bytes) (read during the call, not kept)
   */
  readonly hint = (bytes: Uint8Array, hash?: Uint8Array): void => {
    const b = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    this.record(b, new Int32Array(b.buffer, b.byteOffset, b.length >> 2), 0, b.length, hash);
  };

  /** Records every preimage of `other`. */
  addAll(other: PreimageStore): void {
    for (let e = 0; e < other.count; e++) {
      this.scratchWords.set(other.rec.subarray(e * REC, e * REC + 8));
      const s = this.probe(this.scratchWords, 0);
      if (this.slots[s] !== 0) continue;
      const b = other.bytesOf(e); // 4-aligned
      this.append(s, b, new Int32Array(b.buffer, b.byteOffset, b.length >> 2), 0, b.length);
    }
  }

  /**
   * The keccak256 preimages recorded from entry `from` on (entries are numbered in insertion order:
   * `size` before a run, then `exportFrom(thatSize)` gives what the run added), packed as
   * `hash (32) ‖ length u32 ‖ preimage` per entry, each padded to 4 bytes: what a thread that runs
   * the STF sends another one keeping a copy of the state (the sequencer's block worker).
   */
  exportFrom(from: number): Uint8Array {
    let total = 0;
    for (let e = from; e < this.count; e++) total += 36 + ((this.rec[e * REC + 8] + 3) & ~3);
    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    let o = 0;
    for (let e = from; e < this.count; e++) {
      out.set(this.recBytes.subarray(4 * e * REC, 4 * e * REC + 32), o);
      const b = this.bytesOf(e);
      dv.setUint32(o + 32, b.length, true);
      out.set(b, o + 36);
      o += 36 + ((b.length + 3) & ~3);
    }
    return out;
  }

  /** Records the preimages of an {@link exportFrom} (their hashes are taken as given). */
  importPacked(packed: Uint8Array): void {
    const b = packed.byteOffset % 4 === 0 ? packed : packed.slice();
    const words = new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let o = 0; o < b.length; ) {
      const len = dv.getUint32(o + 32, true);
      this.scratchWords.set(words.subarray(o >> 2, (o >> 2) + 8));
      const s = this.probe(this.scratchWords, 0);
      if (this.slots[s] === 0) this.append(s, b, words, o + 36, len);
      o += 36 + ((len + 3) & ~3);
    }
  }

  /** the hashes recorded, as lowercase hex without 0x, in insertion order */
  keys(): string[] {
    return Array.from({ length: this.count }, (_, e) =>
      toHex(this.recBytes.subarray(4 * e * REC, 4 * e * REC + 32)),
    );
  }

  get size(): number {
    return this.count;
  }
}
