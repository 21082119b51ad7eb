/**
 * The committee's BLS signatures (docs/committee.md §1): min-sig BLS12-381 as in Arbitrum AnyTrust,
 * public keys in G2 and signatures in G1, over @noble/curves. Every point crosses this module in
 * EIP-2537's uncompressed encoding (G1: 128 bytes = x ‖ y; G2: 256 bytes = x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1;
 * each field element 64 bytes, 16 leading zero bytes then 48 bytes big-endian), so the bytes the
 * members sign and the contract checks are the same bytes.
 *
 * - Messages are hashed to G1 with RFC 9380 hash_to_curve (expand_message_xmd SHA-256, SSWU, RO)
 *   under `SIGNATURE_DST`; a batch's message is `dataHash ‖ expiry u64 BE` (§1.3).
 * - Proof of possession: the member's signature over its own 256-byte public key under `POP_DST`
 *   (§1.4); aggregation of same-message signatures is only safe over keys whose PoP was checked.
 * - Secret keys: 32 bytes big-endian, 0 < sk < r; `blsKeyFromSeed` is the KeyGen of
 *   draft-irtf-cfrg-bls-signature-05 §2.3 (HKDF-SHA-256) (§1.2).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type Hex, hexToBytes } from 'viem';

/** docs/committee.md §1.3: DST of batch signatures. */
export const SIGNATURE_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_';
/** docs/committee.md §1.4: DST of proofs of possession. */
export const POP_DST = 'BLS_POP_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_';

export const G1_BYTES = 128;
export const G2_BYTES = 256;
export const SECRET_KEY_BYTES = 32;
/** `signingMessage` length: dataHash 32 ‖ expiry 8. */
export const SIGNING_MESSAGE_BYTES = 40;

export interface BlsKeyPair {
  /** 32 bytes, big-endian scalar in (0, r) */
  secretKey: Uint8Array;
  /** 256-byte EIP-2537 G2 point */
  publicKey: Uint8Array;
}

const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;
const Fp = bls12_381.fields.Fp;
const R = bls12_381.fields.Fr.ORDER;
const P = Fp.ORDER;

// ---- EIP-2537 encodings ------------------------------------------------------------------------

function writeFp(out: Uint8Array, offset: number, v: bigint): void {
  for (let i = 63; i >= 16; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** An Fp element from 64 bytes (16 zero bytes of padding, then < p), else undefined. */
function readFp(b: Uint8Array, offset: number): bigint | undefined {
  for (let i = 0; i < 16; i++) if (b[offset + i] !== 0) return undefined;
  let v = 0n;
  for (let i = 16; i < 64; i++) v = (v << 8n) | BigInt(b[offset + i]);
  return v < P ? v : undefined;
}

/** EIP-2537 encoding of a G1 point (the identity is 128 zero bytes). */
export function encodeG1(p: G1Point): Uint8Array {
  const out = new Uint8Array(G1_BYTES);
  if (p.is0()) return out;
  const { x, y } = p.toAffine();
  writeFp(out, 0, x);
  writeFp(out, 64, y);
  return out;
}

/** EIP-2537 encoding of a G2 point: x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1 (the identity is 256 zero bytes). */
export function encodeG2(p: G2Point): Uint8Array {
  const out = new Uint8Array(G2_BYTES);
  if (p.is0()) return out;
  const { x, y } = p.toAffine();
  writeFp(out, 0, x.c0);
  writeFp(out, 64, x.c1);
  writeFp(out, 128, y.c0);
  writeFp(out, 192, y.c1);
  return out;
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

/**
 * A G1 point from its EIP-2537 encoding, checked on the curve and in the prime-order subgroup;
 * undefined when malformed. The identity (all zeros) decodes to ZERO.
 */
export function decodeG1(b: Uint8Array): G1Point | undefined {
  if (!(b instanceof Uint8Array) || b.length !== G1_BYTES) return undefined;
  if (isZero(b)) return G1.ZERO;
  const x = readFp(b, 0);
  const y = readFp(b, 64);
  if (x === undefined || y === undefined) return undefined;
  try {
    const p = G1.fromAffine({ x, y });
    p.assertValidity();
    return p;
  } catch {
    return undefined;
  }
}

/** A G2 point from its EIP-2537 encoding (on the curve, in the subgroup), else undefined. */
export function decodeG2(b: Uint8Array): G2Point | undefined {
  if (!(b instanceof Uint8Array) || b.length !== G2_BYTES) return undefined;
  if (isZero(b)) return G2.ZERO;
  const c = [0, 64, 128, 192].map((o) => readFp(b, o));
  if (c.some((v) => v === undefined)) return undefined;
  const [x0, x1, y0, y1] = c as bigint[];
  try {
    const p = G2.fromAffine({ x: { c0: x0, c1: x1 }, y: { c0: y0, c1: y1 } });
    p.assertValidity();
    return p;
  } catch {
    return undefined;
  }
}

// ---- keys ---------------------------------------------------------------------------------------

function scalarOf(secretKey: Uint8Array): bigint {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_BYTES) {
    throw new TypeError(`a BLS secret key is ${SECRET_KEY_BYTES} bytes, got ${secretKey?.length}`);
  }
  let s = 0n;
  for (const b of secretKey) s = (s << 8n) | BigInt(b);
  if (s === 0n || s >= R) throw new RangeError('a BLS secret key must be a scalar in (0, r)');
  return s;
}

function scalarBytes(s: bigint): Uint8Array {
  const out = new Uint8Array(SECRET_KEY_BYTES);
  for (let i = SECRET_KEY_BYTES - 1; i >= 0; i--) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

const KEYGEN_SALT = new TextEncoder().encode('BLS-SIG-KEYGEN-SALT-');

/**
 * Deterministic key pair from `seed` (≥ 32 bytes): KeyGen(IKM = seed, key_info = "") of
 * draft-irtf-cfrg-bls-signature-05 §2.3 (docs/committee.md §1.2).
 */
export function blsKeyFromSeed(seed: Uint8Array): BlsKeyPair {
  if (!(seed instanceof Uint8Array) || seed.length < 32) {
    throw new RangeError(`a BLS key seed must be at least 32 bytes, got ${seed?.length}`);
  }
  const ikm = new Uint8Array(seed.length + 1); // IKM ‖ I2OSP(0, 1)
  ikm.set(seed);
  const info = Uint8Array.of(0, 48); // key_info ("") ‖ I2OSP(L = 48, 2)
  let salt: Uint8Array = KEYGEN_SALT;
  for (;;) {
    salt = sha256(salt);
    const okm = expand(sha256, extract(sha256, ikm, salt), info, 48);
    let v = 0n;
    for (const b of okm) v = (v << 8n) | BigInt(b);
    const sk = v % R;
    if (sk !== 0n) {
      const secretKey = scalarBytes(sk);
      return { secretKey, publicKey: blsPublicKey(secretKey) };
    }
  }
}

/** The 256-byte G2 public key sk·G2 of a 32-byte secret key. */
export function blsPublicKey(secretKey: Uint8Array): Uint8Array {
  return encodeG2(G2.BASE.multiply(scalarOf(secretKey)));
}

// ---- messages and signatures --------------------------------------------------------------------

/** docs/committee.md §1.3: `dataHash (32) ‖ expiry (u64 big-endian)`, the 40 bytes members sign. */
export function signingMessage(dataHash: Hex | Uint8Array, expiry: bigint): Uint8Array {
  const h = typeof dataHash === 'string' ? hexToBytes(dataHash) : dataHash;
  if (h.length !== 32) throw new RangeError(`a data hash is 32 bytes, got ${h.length}`);
  if (expiry < 0n || expiry >= 1n << 64n) throw new RangeError(`expiry ${expiry} does not fit a u64`);
  const out = new Uint8Array(SIGNING_MESSAGE_BYTES);
  out.set(h);
  new DataView(out.buffer).setBigUint64(32, expiry, false);
  return out;
}

/** RFC 9380 hash_to_curve to G1 (expand_message_xmd SHA-256, SSWU, RO) under `dst`. */
export function hashToG1(message: Uint8Array, dst: string = SIGNATURE_DST): G1Point {
  return bls12_381.G1.hashToCurve(message, { DST: dst }) as G1Point;
}

/** EIP-2537 encoding of `hashToG1(message, dst)` (what the contract's hashToG1 returns). */
export function hashToG1Bytes(message: Uint8Array, dst: string = SIGNATURE_DST): Uint8Array {
  return encodeG1(hashToG1(message, dst));
}

/** A G1 signature of `message` hashed to G1 under `dst` (other protocols' domains: docs/attested.md §3.1). */
export function signWith(secretKey: Uint8Array, message: Uint8Array, dst: string): Uint8Array {
  return encodeG1(hashToG1(message, dst).multiply(scalarOf(secretKey)));
}

/** e(sig, G2) == e(H(m), pk) ⇔ e(sig, −G2) · e(H(m), pk) == 1; false on any malformed input. */
export function verifyWith(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  dst: string,
): boolean {
  try {
    const pk = decodeG2(publicKey);
    const sig = decodeG1(signature);
    if (!pk || !sig || pk.is0() || sig.is0() || !(message instanceof Uint8Array)) return false;
    const gt = bls12_381.pairingBatch([
      { g1: sig, g2: G2.BASE.negate() },
      { g1: hashToG1(message, dst), g2: pk },
    ]);
    return bls12_381.fields.Fp12.eql(gt, bls12_381.fields.Fp12.ONE);
  } catch {
    return false;
  }
}

/** A 128-byte G1 signature of `message` (any bytes; batches sign `signingMessage`). */
export function blsSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return signWith(secretKey, message, SIGNATURE_DST);
}

/** Whether `signature` is `publicKey`'s signature of `message`; false (never throws) on malformed input. */
export function blsVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verifyWith(publicKey, message, signature, SIGNATURE_DST);
}

function decodeAll<T>(items: Uint8Array[], decode: (b: Uint8Array) => T | undefined, what: string): T[] {
  if (items.length === 0) throw new RangeError(`cannot aggregate zero ${what}s`);
  return items.map((b, i) => {
    const p = decode(b);
    if (!p) throw new RangeError(`${what} ${i} is not a valid EIP-2537 point of the prime-order subgroup`);
    return p;
  });
}

/** The sum of G1 signatures (throws a RangeError naming the first malformed one). */
export function blsAggregateSignatures(sigs: Uint8Array[]): Uint8Array {
  return encodeG1(decodeAll(sigs, decodeG1, 'signature').reduce((a, b) => a.add(b)));
}

/** The sum of G2 public keys (throws a RangeError naming the first malformed one). */
export function blsAggregatePublicKeys(pks: Uint8Array[]): Uint8Array {
  return encodeG2(decodeAll(pks, decodeG2, 'public key').reduce((a, b) => a.add(b)));
}

/** docs/committee.md §1.4: the signature of the member's own 256-byte public key under `POP_DST`. */
export function proofOfPossession(secretKey: Uint8Array): Uint8Array {
  return signWith(secretKey, blsPublicKey(secretKey), POP_DST);
}

/** Whether `pop` proves possession of `publicKey`'s secret key; false on malformed input. */
export function verifyProofOfPossession(publicKey: Uint8Array, pop: Uint8Array): boolean {
  return verifyWith(publicKey, publicKey, pop, POP_DST);
}
