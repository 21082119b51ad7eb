/**
 * What committee members sign (docs/attested.md §3.1): a 32-byte digest of the assertion, its
 * parent, the epoch and the committee contract, hashed to G1 under a DST of its own.
 */
import { type Address, encodeAbiParameters, type Hex, hexToBytes, keccak256, toBytes } from 'viem';
import { signWith, verifyWith } from '../crypto/bls.ts';

/** §3.1: the hash_to_G1 domain separation tag of attestations. */
export const ATTEST_DST = 'MODEX_ATTEST_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_';

/** §3.1: keccak256("modex.attestation.v1"). */
export const ATTEST_TAG: Hex = keccak256(toBytes('modex.attestation.v1'));

export interface AttestedAssertion {
  /** the settlement layer's chain id */
  chainId: bigint;
  /** the ValidatorCommittee contract */
  committee: Address;
  epoch: bigint;
  prevId: Hex;
  assertionId: Hex;
}

/** §3.1: keccak256(abi.encode(tag, chainId, committee, epoch, prevId, assertionId)). */
export function attestationDigest(a: AttestedAssertion): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'uint64' },
        { type: 'bytes32' },
        { type: 'bytes32' },
      ],
      [ATTEST_TAG, a.chainId, a.committee, a.epoch, a.prevId, a.assertionId],
    ),
  );
}

/** A member's 128-byte G1 signature of `digest` (§3.1). */
export function signAttestation(secretKey: Uint8Array, digest: Hex): Uint8Array {
  return signWith(secretKey, hexToBytes(digest), ATTEST_DST);
}

/** Whether `signature` is `publicKey`'s signature of `digest`; false (never throws) on malformed input. */
export function verifyAttestationSignature(
  publicKey: Uint8Array,
  digest: Hex,
  signature: Uint8Array,
): boolean {
  if (!/^0x[0-9a-fA-F]{64}$/.test(digest)) return false;
  return verifyWith(publicKey, hexToBytes(digest), signature, ATTEST_DST);
}
