import { hexToBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { blsKeyFromSeed, blsSign } from '../crypto/bls.ts';
import { attestationDigest, signAttestation, verifyAttestationSignature } from './message.ts';

const base = {
  chainId: 31337n,
  committee: '0x00000000000000000000000000000000000000aa',
  epoch: 3n,
  prevId: `0x${'11'.repeat(32)}`,
  assertionId: `0x${'22'.repeat(32)}`,
} as const;
const key = blsKeyFromSeed(new Uint8Array(32).fill(7));

describe('the signed message (docs/attested.md §3.1)', () => {
  it('commits to every field', () => {
    const d = attestationDigest(base);
    const variants = [
      { chainId: 1n },
      { committee: '0x00000000000000000000000000000000000000ab' as const },
      { epoch: 4n },
      { prevId: `0x${'12'.repeat(32)}` as const },
      { assertionId: `0x${'23'.repeat(32)}` as const },
    ];
    for (const v of variants) expect(attestationDigest({ ...base, ...v })).not.toBe(d);
  });

  it('verifies its own signature and nothing else', () => {
    const d = attestationDigest(base);
    const sig = signAttestation(key.secretKey, d);
    expect(verifyAttestationSignature(key.publicKey, d, sig)).toBe(true);
    expect(verifyAttestationSignature(key.publicKey, attestationDigest({ ...base, epoch: 4n }), sig)).toBe(
      false,
    );
    const other = blsKeyFromSeed(new Uint8Array(32).fill(8));
    expect(verifyAttestationSignature(other.publicKey, d, sig)).toBe(false);
    // a DA certificate signature of the same bytes is not an attestation (its own DST)
    expect(verifyAttestationSignature(key.publicKey, d, blsSign(key.secretKey, hexToBytes(d)))).toBe(false);
    expect(verifyAttestationSignature(key.publicKey, '0x1234', sig)).toBe(false);
    expect(verifyAttestationSignature(key.publicKey, d, new Uint8Array(128))).toBe(false);
  });
});
