/**
 * secp256k1 public-key recovery for the `ecrecover` host op. Uses libsecp256k1 through the
 * `secp256k1` package's prebuilt native binding when it loads (about 60 µs a call), and
 * @noble/curves otherwise (about 1.4 ms). Both give the same answer for every input the host op
 * passes (r and s already checked to lie in [1, n-1]); `ecrecover.test.ts` checks that they agree.
 */
import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';

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

function toBig(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}
