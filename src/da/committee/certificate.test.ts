/**
 * docs/committee.md §2–§3 off chain: keyset hash bytes, certificate v1 round trip and layout,
 * malformed bytes refused with DA_INVALID_POINTER, buildCertificate's thresholds and bad signatures,
 * and every rule of checkCertificate.
 */
import { bytesToHex, concat, type Hex, keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import { blsAggregatePublicKeys, blsKeyFromSeed, blsSign, signingMessage } from '../../crypto/bls.ts';
import { DaInvalidPointerError } from '../errors.ts';
import {
  buildCertificate,
  CERTIFICATE_HEADER_BYTES,
  type Certificate,
  CommitteeCertificateError,
  checkCertificate,
  decodeCertificate,
  encodeCertificate,
  type Keyset,
  keysetHash,
  requiredSigners,
} from './certificate.ts';

const members = Array.from({ length: 5 }, (_, i) => blsKeyFromSeed(new Uint8Array(32).fill(0x40 + i)));
const keyset: Keyset = { assumedHonest: 3, publicKeys: members.map((m) => m.publicKey) };
const dataHash = keccak256(new TextEncoder().encode('batch'));
const expiry = 1_800_000_000n;
const msg = signingMessage(dataHash, expiry);
const sigsOf = (idx: number[], m = msg) => new Map(idx.map((i) => [i, blsSign(members[i].secretKey, m)]));

describe('keysets', () => {
  it('keysetHash is keccak256(u8 assumedHonest ‖ u8 n ‖ pk_0 ‖ …) and depends on order and threshold', () => {
    expect(keysetHash(keyset)).toBe(keccak256(concat([Uint8Array.of(3, 5), ...keyset.publicKeys])));
    expect(keysetHash({ ...keyset, assumedHonest: 2 })).not.toBe(keysetHash(keyset));
    expect(keysetHash({ ...keyset, publicKeys: [...keyset.publicKeys].reverse() })).not.toBe(
      keysetHash(keyset),
    );
    expect(requiredSigners(keyset)).toBe(3);
    expect(requiredSigners({ assumedHonest: 1, publicKeys: keyset.publicKeys })).toBe(5);
    expect(() => keysetHash({ assumedHonest: 6, publicKeys: keyset.publicKeys })).toThrow(RangeError);
    expect(() => keysetHash({ assumedHonest: 0, publicKeys: keyset.publicKeys })).toThrow(RangeError);
    expect(() => keysetHash({ assumedHonest: 1, publicKeys: [new Uint8Array(255)] })).toThrow(RangeError);
  });
});

describe('certificate v1 bytes', () => {
  it('round-trips and lays out version ‖ keyset ‖ dataHash ‖ expiry ‖ sig ‖ aggKey ‖ count ‖ nonSigners', () => {
    const c = buildCertificate(keyset, dataHash, expiry, sigsOf([0, 2, 4]));
    const b = encodeCertificate(c);
    expect(b.length).toBe(458 + 2 * 256);
    expect(CERTIFICATE_HEADER_BYTES).toBe(458);
    expect(b[0]).toBe(1);
    expect(bytesToHex(b.subarray(1, 33))).toBe(keysetHash(keyset));
    expect(bytesToHex(b.subarray(33, 65))).toBe(dataHash);
    expect(bytesToHex(b.subarray(65, 73))).toBe('0x000000006b49d200');
    expect(bytesToHex(b.subarray(33, 73))).toBe(bytesToHex(msg));
    expect(bytesToHex(b.subarray(201, 457))).toBe(bytesToHex(blsAggregatePublicKeys(keyset.publicKeys)));
    expect(b[457]).toBe(2);
    expect(decodeCertificate(b)).toEqual(c);
  });

  it('refuses malformed bytes with DA_INVALID_POINTER', () => {
    const b = encodeCertificate(buildCertificate(keyset, dataHash, expiry, sigsOf([0, 2, 4])));
    const bad = (x: Uint8Array, re: RegExp) => {
      expect(() => decodeCertificate(x)).toThrow(DaInvalidPointerError);
      expect(() => decodeCertificate(x)).toThrow(re);
    };
    bad(new Uint8Array(), /empty/);
    bad(Uint8Array.of(2, ...b.subarray(1)), /version 2/);
    bad(b.subarray(0, 457), /at least 458/);
    bad(b.subarray(0, b.length - 1), /2 non-signers is 970 bytes/);
    bad(concat([b, new Uint8Array(1)]), /970 bytes, got 971/);
    try {
      decodeCertificate(new Uint8Array());
    } catch (e) {
      expect((e as DaInvalidPointerError).code).toBe('DA_INVALID_POINTER');
    }
  });
});

describe('buildCertificate and checkCertificate', () => {
  it('builds valid certificates with 0, 1 and 2 (the max) non-signers, sorted by keccak256(pk)', () => {
    for (const idx of [
      [0, 1, 2, 3, 4],
      [1, 2, 3, 4],
      [0, 3, 4],
    ]) {
      const c = buildCertificate(keyset, dataHash, expiry, sigsOf(idx));
      expect(checkCertificate(keyset, c)).toBeUndefined();
      expect(c.nonSigners.length).toBe(5 - idx.length);
      const hashes = c.nonSigners.map((pk) => BigInt(keccak256(pk)));
      expect([...hashes].sort((a, b) => (a < b ? -1 : 1))).toEqual(hashes);
    }
  });

  it('refuses too few signers, unknown members and bad signatures (naming them)', () => {
    expect(() => buildCertificate(keyset, dataHash, expiry, sigsOf([0, 1]))).toThrow(
      /2 of 5 members signed.*needs 3/,
    );
    expect(() => buildCertificate(keyset, dataHash, expiry, sigsOf([0, 1]))).toThrow(
      CommitteeCertificateError,
    );
    const extra = sigsOf([0, 1, 2]);
    extra.set(5, extra.get(0)!);
    expect(() => buildCertificate(keyset, dataHash, expiry, extra)).toThrow(/member 5/);
    const wrong = sigsOf([0, 1, 2, 3]);
    wrong.set(3, blsSign(members[3].secretKey, signingMessage(dataHash, expiry + 1n)));
    expect(() => buildCertificate(keyset, dataHash, expiry, wrong)).toThrow(/members 3 do not verify/);
  });

  it('checkCertificate names each broken rule', () => {
    const good = buildCertificate(keyset, dataHash, expiry, sigsOf([0, 2, 4]));
    const check = (c: Partial<Certificate>) => checkCertificate(keyset, { ...good, ...c });
    expect(check({ keysetHash: keysetHash({ ...keyset, assumedHonest: 2 }) })).toMatch(/^UnknownKeyset/);
    expect(check({ nonSigners: [...good.nonSigners, members[0].publicKey] })).toMatch(/^TooManyNonSigners/);
    expect(check({ aggregateKey: members[0].publicKey })).toMatch(/^AggregateKeyMismatch/);
    expect(check({ nonSigners: [...good.nonSigners].reverse() })).toMatch(/^NonSignersNotSorted/);
    expect(check({ nonSigners: [good.nonSigners[0], good.nonSigners[0]] })).toMatch(/^NonSignersNotSorted/);
    const outsider = blsKeyFromSeed(new Uint8Array(32).fill(0x99)).publicKey;
    expect(check({ nonSigners: [outsider] })).toMatch(/^NotAMember/);
    // valid shape, but a signer is listed as non-signer: the key no longer matches the signature
    expect(check({ nonSigners: [good.nonSigners[0]] })).toMatch(/^BadAggregateSignature/);
    expect(check({ expiry: expiry + 1n })).toMatch(/^BadAggregateSignature/);
    expect(check({ dataHash: keccak256('0x01') as Hex })).toMatch(/^BadAggregateSignature/);
    expect(check({ signature: new Uint8Array(128) })).toMatch(/^BadAggregateSignature/);
  });
});
