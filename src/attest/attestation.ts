/**
 * Attestation bytes, version 1 (docs/attested.md §3.2): an epoch committee's aggregate signature
 * of one assertion, with what `ValidatorCommittee.verifyAttestation` needs to check it (§4).
 */
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { blsAggregatePublicKeys, blsAggregateSignatures, G1_BYTES, G2_BYTES } from '../crypto/bls.ts';
import { AttestationError } from './errors.ts';

export const ATTESTATION_VERSION = 1;

/** §3.2 offsets */
const OFF_EPOCH = 1;
const OFF_SIGNATURE = 9;
const OFF_AGGREGATE_KEY = OFF_SIGNATURE + G1_BYTES;
const OFF_SIZE = OFF_AGGREGATE_KEY + G2_BYTES;
const OFF_MEMBERS = OFF_SIZE + 2;

export interface NonSigner {
  /** position in the committee (`members`) */
  position: number;
  publicKey: Uint8Array;
}

export interface Attestation {
  epoch: bigint;
  /** aggregate G1 signature of the signers */
  signature: Uint8Array;
  /** Σ of every member's G2 key */
  aggregateKey: Uint8Array;
  /** validator indices in committee order */
  members: number[];
  /** ascending by position */
  nonSigners: NonSigner[];
}

const malformed = (why: string) =>
  new AttestationError('ATTEST_MALFORMED', `attestation: ${why} (docs/attested.md §3.2)`);

/** The byte length of a v1 attestation of `size` members and `nonSigners` non-signers. */
export function attestationLength(size: number, nonSigners: number): number {
  return OFF_MEMBERS + 2 * size + 1 + 2 * nonSigners + G2_BYTES * nonSigners;
}

/** §3.2 bytes of `a` (checks the field sizes, not the signature). */
export function encodeAttestation(a: Attestation): Hex {
  const k = a.members.length;
  const c = a.nonSigners.length;
  if (k < 1 || k > 0xffff) throw malformed(`a committee of ${k} members`);
  if (c > 255) throw malformed(`${c} non-signers (at most 255)`);
  if (a.epoch < 0n || a.epoch >= 1n << 64n) throw malformed(`epoch ${a.epoch} does not fit a u64`);
  if (a.signature.length !== G1_BYTES) throw malformed(`a signature of ${a.signature.length} bytes`);
  if (a.aggregateKey.length !== G2_BYTES)
    throw malformed(`an aggregate key of ${a.aggregateKey.length} bytes`);
  const out = new Uint8Array(attestationLength(k, c));
  const view = new DataView(out.buffer);
  out[0] = ATTESTATION_VERSION;
  view.setBigUint64(OFF_EPOCH, a.epoch, false);
  out.set(a.signature, OFF_SIGNATURE);
  out.set(a.aggregateKey, OFF_AGGREGATE_KEY);
  view.setUint16(OFF_SIZE, k, false);
  a.members.forEach((m, i) => {
    if (!Number.isInteger(m) || m < 0 || m > 0xffff) throw malformed(`member ${i} is ${m}`);
    view.setUint16(OFF_MEMBERS + 2 * i, m, false);
  });
  let at = OFF_MEMBERS + 2 * k;
  out[at++] = c;
  a.nonSigners.forEach((n) => {
    view.setUint16(at, n.position, false);
    at += 2;
  });
  a.nonSigners.forEach((n, i) => {
    if (n.publicKey.length !== G2_BYTES)
      throw malformed(`non-signer ${i}'s key is ${n.publicKey.length} bytes`);
    out.set(n.publicKey, at);
    at += G2_BYTES;
  });
  return bytesToHex(out);
}

/** Parses §3.2 bytes; throws AttestationError `ATTEST_MALFORMED` naming what is wrong. */
export function decodeAttestation(input: Hex | Uint8Array): Attestation {
  const b = typeof input === 'string' ? hexToBytes(input) : input;
  if (b.length === 0) throw malformed('empty');
  if (b[0] !== ATTESTATION_VERSION) throw malformed(`unsupported version ${b[0]}`);
  if (b.length < OFF_MEMBERS) throw malformed(`${b.length} bytes, shorter than the header`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const k = view.getUint16(OFF_SIZE, false);
  if (b.length < OFF_MEMBERS + 2 * k + 1) throw malformed(`${b.length} bytes for ${k} members`);
  const c = b[OFF_MEMBERS + 2 * k];
  if (b.length !== attestationLength(k, c))
    throw malformed(
      `${b.length} bytes, expected ${attestationLength(k, c)} for ${k} members and ${c} non-signers`,
    );
  const members = Array.from({ length: k }, (_, i) => view.getUint16(OFF_MEMBERS + 2 * i, false));
  const posAt = OFF_MEMBERS + 2 * k + 1;
  const keysAt = posAt + 2 * c;
  const nonSigners = Array.from({ length: c }, (_, i) => ({
    position: view.getUint16(posAt + 2 * i, false),
    publicKey: b.slice(keysAt + G2_BYTES * i, keysAt + G2_BYTES * (i + 1)),
  }));
  return {
    epoch: view.getBigUint64(OFF_EPOCH, false),
    signature: b.slice(OFF_SIGNATURE, OFF_AGGREGATE_KEY),
    aggregateKey: b.slice(OFF_AGGREGATE_KEY, OFF_SIZE),
    members,
    nonSigners,
  };
}

export interface AttestationInput {
  epoch: bigint;
  /** the epoch's committee: validator indices in committee order (EpochSealed) */
  members: readonly number[];
  /** the members' G2 public keys, in the same order */
  memberKeys: readonly Uint8Array[];
  /** position in `members` -> that member's signature of the digest (§3.1) */
  signatures: ReadonlyMap<number, Uint8Array>;
  /** signers needed (§1.1) */
  threshold: number;
}

/**
 * The attestation of the signatures collected (§3.2): their sum, the epoch's aggregate key and the
 * members who did not sign. Throws `ATTEST_TOO_FEW_SIGNERS` below the threshold and
 * `ATTEST_BAD_INPUT` for a position outside the committee. Does not verify the signatures.
 */
export function buildAttestation(o: AttestationInput): Attestation {
  const k = o.members.length;
  if (o.memberKeys.length !== k)
    throw new AttestationError('ATTEST_BAD_INPUT', `${k} members but ${o.memberKeys.length} keys`);
  for (const p of o.signatures.keys())
    if (!Number.isInteger(p) || p < 0 || p >= k)
      throw new AttestationError(
        'ATTEST_BAD_INPUT',
        `signature at position ${p}, outside the committee of ${k}`,
      );
  if (o.signatures.size < o.threshold)
    throw new AttestationError(
      'ATTEST_TOO_FEW_SIGNERS',
      `${o.signatures.size} of ${k} members signed; a quorum needs ${o.threshold}`,
    );
  const positions = [...o.signatures.keys()].sort((a, b) => a - b);
  const nonSigners: NonSigner[] = [];
  for (let p = 0; p < k; p++)
    if (!o.signatures.has(p)) nonSigners.push({ position: p, publicKey: o.memberKeys[p] });
  return {
    epoch: o.epoch,
    signature: blsAggregateSignatures(positions.map((p) => o.signatures.get(p) as Uint8Array)),
    aggregateKey: blsAggregatePublicKeys([...o.memberKeys]),
    members: [...o.members],
    nonSigners,
  };
}
