import { bytesToHex, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { blsAggregatePublicKeys, blsKeyFromSeed, verifyWith } from '../crypto/bls.ts';
import { attestationLength, buildAttestation, decodeAttestation, encodeAttestation } from './attestation.ts';
import { ATTEST_DST, attestationDigest, signAttestation } from './message.ts';

const keys = Array.from({ length: 5 }, (_, i) => blsKeyFromSeed(new Uint8Array(32).fill(i + 1)));
const digest = attestationDigest({
  chainId: 31337n,
  committee: '0x00000000000000000000000000000000000000aa',
  epoch: 7n,
  prevId: `0x${'11'.repeat(32)}`,
  assertionId: `0x${'22'.repeat(32)}`,
});
const members = [9, 3, 0, 4, 1];

function build(signers: number[], threshold = 4) {
  return buildAttestation({
    epoch: 7n,
    members,
    memberKeys: keys.map((k) => k.publicKey),
    signatures: new Map(signers.map((p) => [p, signAttestation(keys[p].secretKey, digest)])),
    threshold,
  });
}

describe('attestation bytes (docs/attested.md §3.2)', () => {
  it('round-trips, with the length of §3.2', () => {
    const a = build([0, 1, 3, 4]);
    const hex = encodeAttestation(a);
    expect((hex.length - 2) / 2).toBe(attestationLength(5, 1));
    expect((hex.length - 2) / 2).toBe(393 + 2 + 10 + 1 + 2 + 256);
    const back = decodeAttestation(hex);
    expect(back.epoch).toBe(7n);
    expect(back.members).toEqual(members);
    expect(back.nonSigners.map((n) => n.position)).toEqual([2]);
    expect(bytesToHex(back.nonSigners[0].publicKey)).toBe(bytesToHex(keys[2].publicKey));
    expect(bytesToHex(back.signature)).toBe(bytesToHex(a.signature));
    expect(bytesToHex(back.aggregateKey)).toBe(bytesToHex(a.aggregateKey));
  });

  it('the aggregate verifies against the aggregate key minus the non-signers (what §4 checks)', () => {
    const a = build([0, 1, 3, 4]);
    const signersKey = blsAggregatePublicKeys([0, 1, 3, 4].map((p) => keys[p].publicKey));
    expect(verifyWith(signersKey, Buffer.from(digest.slice(2), 'hex'), a.signature, ATTEST_DST)).toBe(true);
    // the whole committee's key does not verify a partial aggregate
    expect(verifyWith(a.aggregateKey, Buffer.from(digest.slice(2), 'hex'), a.signature, ATTEST_DST)).toBe(
      false,
    );
  });

  it('refuses a quorum short of the threshold, and positions outside the committee', () => {
    expect(() => build([0, 1, 3])).toThrow(/3 of 5 members signed; a quorum needs 4/);
    const sig = signAttestation(keys[0].secretKey, digest);
    expect(() =>
      buildAttestation({
        epoch: 7n,
        members,
        memberKeys: keys.map((k) => k.publicKey),
        signatures: new Map([0, 1, 2, 3, 5].map((p) => [p, sig])),
        threshold: 4,
      }),
    ).toThrow(/position 5, outside the committee of 5/);
  });

  it('refuses malformed bytes with what is wrong', () => {
    const hex = encodeAttestation(build([0, 1, 2, 3, 4]));
    const bytes = Buffer.from(hex.slice(2), 'hex');
    expect(() => decodeAttestation('0x')).toThrow(/empty/);
    expect(() => decodeAttestation(`0x02${hex.slice(4)}` as Hex)).toThrow(/unsupported version 2/);
    expect(() => decodeAttestation(bytes.subarray(0, 100))).toThrow(/shorter than the header/);
    expect(() => decodeAttestation(Buffer.concat([bytes, Buffer.of(0)]))).toThrow(
      /expected 406 for 5 members/,
    );
    for (const e of [
      () => decodeAttestation(bytes.subarray(0, bytes.length - 1)),
      () => encodeAttestation({ ...build([0, 1, 2, 3]), epoch: 1n << 64n }),
      () => encodeAttestation({ ...build([0, 1, 2, 3]), signature: new Uint8Array(127) }),
    ])
      expect(e).toThrow(expect.objectContaining({ code: 'ATTEST_MALFORMED' }));
  });
});
