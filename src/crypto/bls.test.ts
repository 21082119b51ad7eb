/**
 * docs/committee.md §1: EIP-2537 encodings (c0 first), RFC 9380 hash_to_G1 vectors, KeyGen,
 * sign/verify/aggregate and proofs of possession, and that malformed input is refused, never thrown.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex, hexToBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  blsAggregatePublicKeys,
  blsAggregateSignatures,
  blsKeyFromSeed,
  blsPublicKey,
  blsSign,
  blsVerify,
  decodeG1,
  decodeG2,
  encodeG2,
  hashToG1Bytes,
  POP_DST,
  proofOfPossession,
  SIGNATURE_DST,
  signingMessage,
  verifyProofOfPossession,
} from './bls.ts';

const seed = (i: number) => new Uint8Array(32).fill(i + 1);
const keys = Array.from({ length: 4 }, (_, i) => blsKeyFromSeed(seed(i)));
const msg = signingMessage(`0x${'ab'.repeat(32)}`, 1_700_000_000n);
const pad = (hex: string) => '00'.repeat(16) + hex;

describe('EIP-2537 encodings', () => {
  it('encodes the G2 generator as x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1 (EIP-2537 order, not ZCash c1-first)', () => {
    const g = bytesToHex(encodeG2(bls12_381.G2.Point.BASE));
    // EIP-2537 / RFC 9380 §8.8.2 generator of G2: x = x_c0 + x_c1·u
    expect(g.slice(2, 130)).toBe(
      pad('024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8'),
    );
    expect(g.slice(130, 258)).toBe(
      pad('13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e'),
    );
    expect(decodeG2(hexToBytes(g))?.equals(bls12_381.G2.Point.BASE)).toBe(true);
  });

  it('hash_to_G1 matches RFC 9380 J.9.1 (msg "" and "abc")', () => {
    const dst = 'QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
    const empty = bytesToHex(hashToG1Bytes(new Uint8Array(), dst));
    expect(empty).toBe(
      `0x${pad('052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1')}${pad('08ba738453bfed09cb546dbb0783dbb3a5f1f566ed67bb6be0e8c67e2e81a4cc68ee29813bb7994998f3eae0c9c6a265')}`,
    );
    const abc = bytesToHex(hashToG1Bytes(new TextEncoder().encode('abc'), dst));
    expect(abc.slice(2, 130)).toBe(
      pad('03567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903'),
    );
  });

  it('refuses malformed points: wrong length, non-zero padding, x ≥ p, off-curve, outside the subgroup', () => {
    const pk = keys[0].publicKey;
    expect(decodeG2(pk.subarray(1))).toBeUndefined();
    const padded = pk.slice();
    padded[0] = 1;
    expect(decodeG2(padded)).toBeUndefined();
    const bigX = pk.slice();
    bigX.fill(0xff, 16, 64);
    expect(decodeG2(bigX)).toBeUndefined();
    const offCurve = pk.slice();
    offCurve[255] ^= 1;
    expect(decodeG2(offCurve)).toBeUndefined();
    // (x, y) = (0, 2) is on y² = x³ + 4 but not in the prime-order subgroup of G1
    const small = new Uint8Array(128);
    small[127] = 2;
    expect(bls12_381.G1.Point.fromAffine({ x: 0n, y: 2n }).isTorsionFree()).toBe(false);
    expect(decodeG1(small)).toBeUndefined();
    expect(decodeG1(new Uint8Array(128))?.is0()).toBe(true);
  });
});

describe('keys and signatures', () => {
  it('KeyGen is deterministic, seed-dependent, and refuses short seeds', () => {
    expect(blsKeyFromSeed(seed(0))).toEqual(keys[0]);
    expect(bytesToHex(keys[1].secretKey)).not.toBe(bytesToHex(keys[0].secretKey));
    expect(keys[0].secretKey).toHaveLength(32);
    expect(keys[0].publicKey).toHaveLength(256);
    expect(blsPublicKey(keys[0].secretKey)).toEqual(keys[0].publicKey);
    expect(() => blsKeyFromSeed(new Uint8Array(31))).toThrow(RangeError);
    // draft-irtf-cfrg-bls-signature KeyGen is HKDF over the seed: same secret as noble's pk·G2
    expect(bytesToHex(blsPublicKey(keys[0].secretKey))).toBe(
      bytesToHex(encodeG2(bls12_381.shortSignatures.getPublicKey(keys[0].secretKey))),
    );
  });

  it('signingMessage is dataHash ‖ expiry u64 BE', () => {
    const m = signingMessage(`0x${'11'.repeat(32)}`, 0x0102030405060708n);
    expect(bytesToHex(m)).toBe(`0x${'11'.repeat(32)}0102030405060708`);
    expect(() => signingMessage(`0x${'11'.repeat(31)}`, 0n)).toThrow(RangeError);
    expect(() => signingMessage(`0x${'11'.repeat(32)}`, 1n << 64n)).toThrow(RangeError);
  });

  it('signs and verifies; a different message, key or DST fails', () => {
    const sig = blsSign(keys[0].secretKey, msg);
    expect(sig).toHaveLength(128);
    expect(blsVerify(keys[0].publicKey, msg, sig)).toBe(true);
    const other = msg.slice();
    other[39] ^= 1;
    expect(blsVerify(keys[0].publicKey, other, sig)).toBe(false);
    expect(blsVerify(keys[1].publicKey, msg, sig)).toBe(false);
    // the two DSTs hash the same message to different points
    expect(bytesToHex(hashToG1Bytes(msg, POP_DST))).not.toBe(bytesToHex(hashToG1Bytes(msg, SIGNATURE_DST)));
    // agrees with noble's short-signature verify (G1 signatures, G2 keys)
    const nobleSig = bls12_381.shortSignatures.sign(
      bls12_381.shortSignatures.hash(msg, SIGNATURE_DST),
      keys[0].secretKey,
    );
    expect(nobleSig.equals(decodeG1(sig)!)).toBe(true);
  });

  it('blsVerify returns false, never throws, on malformed input', () => {
    const sig = blsSign(keys[0].secretKey, msg);
    expect(blsVerify(keys[0].publicKey.subarray(1), msg, sig)).toBe(false);
    expect(blsVerify(keys[0].publicKey, msg, sig.subarray(0, 100))).toBe(false);
    expect(blsVerify(new Uint8Array(256), msg, new Uint8Array(128))).toBe(false);
    expect(blsVerify(keys[0].publicKey, msg, new Uint8Array(128).fill(0xff))).toBe(false);
    expect(blsVerify(undefined as unknown as Uint8Array, msg, sig)).toBe(false);
    expect(blsVerify(keys[0].publicKey, undefined as unknown as Uint8Array, sig)).toBe(false);
  });

  it('an aggregate signature verifies against the aggregate key, and not without one signer', () => {
    const sigs = keys.map((k) => blsSign(k.secretKey, msg));
    const agg = blsAggregateSignatures(sigs);
    const aggPk = blsAggregatePublicKeys(keys.map((k) => k.publicKey));
    expect(blsVerify(aggPk, msg, agg)).toBe(true);
    expect(blsVerify(blsAggregatePublicKeys(keys.slice(1).map((k) => k.publicKey)), msg, agg)).toBe(false);
    expect(blsVerify(aggPk, msg, blsAggregateSignatures(sigs.slice(1)))).toBe(false);
    expect(() => blsAggregateSignatures([])).toThrow(RangeError);
    expect(() => blsAggregatePublicKeys([keys[0].publicKey, new Uint8Array(255)])).toThrow(/public key 1/);
  });

  it('proof of possession verifies for its own key only', () => {
    const pop = proofOfPossession(keys[0].secretKey);
    expect(verifyProofOfPossession(keys[0].publicKey, pop)).toBe(true);
    expect(verifyProofOfPossession(keys[1].publicKey, pop)).toBe(false);
    // a signature of the key bytes under the batch DST is not a PoP
    expect(verifyProofOfPossession(keys[0].publicKey, blsSign(keys[0].secretKey, keys[0].publicKey))).toBe(
      false,
    );
    expect(verifyProofOfPossession(keys[0].publicKey, new Uint8Array(3))).toBe(false);
  });
});
