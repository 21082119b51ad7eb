/**
 * secp256k1 public-key recovery for the `ecrecover` host op. Uses libsecp256k1 through the
 * `secp256k1` package's prebuilt native binding when it loads (about 60 µs a call), and
 * @noble/curves otherwise (about 1.4 ms). Both give the same answer for every input the host op
 * passes (r and s already checked to lie in [1, n-1]); `ecrecover.test.ts` checks that they agree.
 */
import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak256Into } from './keccak.ts';

interface NativeSecp256k1 {
  ecdsaRecover(
    sig: Uint8Array,
    recid: number,
    msg32: Uint8Array,
    compressed: boolean,
    out?: Uint8Array,
  ): Uint8Array;
}

function loadNative(): NativeSecp256k1 | undefined {
  if (process.env.MODEX_NO_NATIVE_SECP256K1) return undefined;
  try {
    // the bindings entry loads only the native addon (no silent fallback to a slow JS curve)
    return createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1;
  } catch {
    return undefined;
  }
}

const native = loadNative();

/** Which implementation is in use: `libsecp256k1` or `noble`. */
export const ECRECOVER_BACKEND: 'libsecp256k1' | 'noble' = native ? 'libsecp256k1' : 'noble';

/** The 65-byte uncompressed public key that signed `hash` with (r ‖ s, recid), or undefined. */
export function recoverPublicKey(hash: Uint8Array, rs: Uint8Array, recid: number): Uint8Array | undefined {
  return native ? recoverNative(native, hash, rs, recid) : recoverNoble(hash, rs, recid);
}

/**
 * Recoveries a node has already done (a sequencer checks every signature when it accepts a
 * transaction): `ecrecoverAt` answers them from here instead of recovering again when the STF's
 * `ecrecover` host op asks the same question. Exact: keyed by the whole input (hash, r, s, recid).
 */
const remembered = new Map<string, Uint8Array>();
const REMEMBER_MAX = 16_384;
const rememberKey = (hash: Uint8Array, rs: Uint8Array, recid: number): string =>
  `${Buffer.from(hash.buffer, hash.byteOffset, 32).toString('latin1')}${Buffer.from(rs.buffer, rs.byteOffset, 64).toString('latin1')}${recid}`;

/** recoveries remembered since the last `takeRecoveries` (what another thread has not seen yet) */
let fresh: [string, Uint8Array][] = [];

/** `recoverPublicKey`, remembering the result for the node's next `ecrecoverAt` of the same input. */
export function recoverAndRemember(hash: Uint8Array, rs: Uint8Array, recid: number): Uint8Array | undefined {
  const pub = recoverPublicKey(hash, rs, recid);
  if (pub) remember(rememberKey(hash, rs, recid), pub);
  return pub;
}

/**
 * The recoveries this thread remembered since the last call, for a thread that runs the STF (the
 * sequencer's block worker): it adds them with `addRecoveries`, so no signature is recovered twice.
 */
export function takeRecoveries(): [string, Uint8Array][] {
  const out = fresh;
  fresh = [];
  return out;
}

/** set while {@link rememberingRecoveries} runs: `ecrecoverAt` remembers what it recovers */
let remembering = false;

/**
 * Runs `fn` with `ecrecoverAt` remembering every recovery it makes, as `recoverAndRemember` does:
 * a sequencer's admission (the app's `modex_admit`, docs/app-abi.md §3) recovers each transaction's
 * signer once, and the block's STF run (here, or in the block worker through `takeRecoveries`)
 * answers its `ecrecover` from it.
 */
export function rememberingRecoveries<T>(fn: () => T): T {
  const was = remembering;
  remembering = true;
  try {
    return fn();
  } finally {
    remembering = was;
  }
}

function remember(key: string, pub: Uint8Array): void {
  if (remembered.size >= REMEMBER_MAX) {
    remembered.clear();
    fresh = [];
  }
  remembered.set(key, pub);
  fresh.push([key, pub]);
}

/** Remembers recoveries another thread did (`takeRecoveries` there); keys are exact inputs. */
export function addRecoveries(entries: readonly [string, Uint8Array][]): void {
  for (const [key, pub] of entries) {
    if (remembered.size >= REMEMBER_MAX) remembered.clear();
    remembered.set(key, pub);
  }
}

export function recoverNoble(hash: Uint8Array, rs: Uint8Array, recid: number): Uint8Array | undefined {
  try {
    const sig = new secp256k1.Signature(toBig(rs.subarray(0, 32)), toBig(rs.subarray(32, 64)), recid);
    return sig.recoverPublicKey(hash.subarray(0, 32)).toBytes(false);
  } catch {
    // r is not the x-coordinate of a curve point, or the recovered point is the point at infinity
    return undefined;
  }
}

export function recoverNative(
  lib: NativeSecp256k1 | undefined,
  hash: Uint8Array,
  rs: Uint8Array,
  recid: number,
): Uint8Array | undefined {
  if (!lib) return undefined;
  try {
    return lib.ecdsaRecover(rs.subarray(0, 64), recid, hash.subarray(0, 32), false);
  } catch {
    return undefined;
  }
}

export const nativeSecp256k1 = native;

/** secp256k1 n, big-endian */
const N_BYTES = Uint8Array.from(
  Buffer.from('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 'hex'),
);

/** 1 ≤ b[o..o+32) (big-endian) < n */
function inScalarRange(b: Uint8Array, o: number): boolean {
  let zero = true;
  for (let i = 0; i < 32 && zero; i++) zero = b[o + i] === 0;
  if (zero) return false;
  for (let i = 0; i < 32; i++) {
    const x = b[o + i];
    if (x !== N_BYTES[i]) return x < N_BYTES[i];
  }
  return false; // equal to n
}

// buffers reused by every ecrecoverAt call (single-threaded; nothing keeps them)
const sigBuf = new Uint8Array(64);
const msgBuf = new Uint8Array(32);
const pubBuf = new Uint8Array(65);
const addrHash = new Uint8Array(32);

/** keccak256 of src[start..start+len) into out[outOff..outOff+32) */
export type Keccak256At = (
  src: Uint8Array,
  start: number,
  len: number,
  out: Uint8Array,
  outOff: number,
) => void;

const keccakAt: Keccak256At = (src, start, len, out, outOff) => {
  keccak256Into(src.subarray(start, start + len), out, outOff);
};

/**
 * The `ecrecover` host op over a byte array (guest memory), with the semantics of host-abi.ts's
 * `ecrecoverWord` (the EVM precompile 0x01: v 27 or 28, r and s in [1, n-1], high s accepted):
 * writes 12 zero bytes ‖ the signer's address to mem[outOff..+32] and returns true, or 32 zero
 * bytes and false. Reads hash = mem[hashOff..+32], r ‖ s = mem[sigOff..+64] (all in bounds).
 * No allocation on the libsecp256k1 path.
 */
export function ecrecoverAt(
  mem: Uint8Array,
  hashOff: number,
  sigOff: number,
  v: number,
  outOff: number,
  keccak: Keccak256At = keccakAt,
): boolean {
  let pub: Uint8Array | undefined;
  if ((v === 27 || v === 28) && inScalarRange(mem, sigOff) && inScalarRange(mem, sigOff + 32)) {
    for (let i = 0; i < 64; i++) sigBuf[i] = mem[sigOff + i];
    for (let i = 0; i < 32; i++) msgBuf[i] = mem[hashOff + i];
    const key = remembered.size > 0 || remembering ? rememberKey(msgBuf, sigBuf, v - 27) : '';
    const known = remembered.size > 0 ? remembered.get(key) : undefined;
    if (known) {
      pubBuf.set(known);
      pub = pubBuf;
    } else if (native) {
      try {
        pub = native.ecdsaRecover(sigBuf, v - 27, msgBuf, false, pubBuf);
      } catch {
        pub = undefined;
      }
    } else {
      pub = recoverNoble(msgBuf, sigBuf, v - 27);
      if (pub) pubBuf.set(pub);
    }
    if (pub && remembering && !known) remember(key, pubBuf.slice());
  }
  if (!pub) {
    mem.fill(0, outOff, outOff + 32);
    return false;
  }
  keccak(pubBuf, 1, 64, addrHash, 0);
  for (let i = 0; i < 12; i++) mem[outOff + i] = 0;
  for (let i = 12; i < 32; i++) mem[outOff + i] = addrHash[i];
  return true;
}

function toBig(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}
