/**
 * Committee keysets and certificates (docs/committee.md §2, §3): the keyset hash, certificate v1
 * bytes, building a certificate from members' signatures, and the off-chain check that applies the
 * same rules as `CommitteeKeysets.verifyCertificate` (contracts/da/CommitteeKeysets.sol) except the
 * clock and the registry (whether the keyset is registered and live is L1 state).
 */
import { bytesToHex, concat, type Hex, hexToBytes, keccak256 } from 'viem';
import { ModexError } from '../../core/errors.ts';
import {
  blsAggregatePublicKeys,
  blsAggregateSignatures,
  blsVerify,
  decodeG2,
  encodeG2,
  G1_BYTES,
  G2_BYTES,
  signingMessage,
} from '../../crypto/bls.ts';
import { DaInvalidPointerError } from '../errors.ts';

/** docs/committee.md §2.1: `n` members' 256-byte G2 keys; any `assumedHonest` of them are honest. */
export interface Keyset {
  assumedHonest: number;
  publicKeys: Uint8Array[];
}

/** docs/committee.md §3: a decoded certificate v1. */
export interface Certificate {
  keysetHash: Hex;
  dataHash: Hex;
  /** unix seconds; the members keep the data until then, L1 accepts the certificate until then */
  expiry: bigint;
  /** 128-byte aggregate G1 signature of the signers over `signingMessage(dataHash, expiry)` */
  signature: Uint8Array;
  /** 256-byte G2 sum of ALL the keyset's public keys */
  aggregateKey: Uint8Array;
  /** the members that did not sign, strictly ascending by keccak256(publicKey) */
  nonSigners: Uint8Array[];
}

export const CERTIFICATE_VERSION = 0x01;
/** version 1 ‖ keysetHash 32 ‖ dataHash 32 ‖ expiry 8 ‖ signature 128 ‖ aggregateKey 256 ‖ count 1 */
export const CERTIFICATE_HEADER_BYTES = 1 + 32 + 32 + 8 + G1_BYTES + G2_BYTES + 1;

/** `buildCertificate` was given too few, unknown or bad signatures. */
export class CommitteeCertificateError extends ModexError {
  constructor(message: string) {
    super('DA_CERTIFICATE_UNBUILDABLE', message);
  }
}

function checkKeysetShape(k: Keyset): void {
  const n = k.publicKeys.length;
  if (!Number.isInteger(k.assumedHonest) || n < 1 || n > 255 || k.assumedHonest < 1 || k.assumedHonest > n) {
    throw new RangeError(
      `a keyset has 1..255 members and 1 ≤ assumedHonest ≤ n (got n = ${n}, assumedHonest = ${k.assumedHonest})`,
    );
  }
  k.publicKeys.forEach((pk, i) => {
    if (pk.length !== G2_BYTES)
      throw new RangeError(`public key ${i} is ${pk.length} bytes, not ${G2_BYTES}`);
  });
}

/** docs/committee.md §2.1: keccak256(u8 assumedHonest ‖ u8 n ‖ pk_0 ‖ … ‖ pk_{n−1}). */
export function keysetHash(k: Keyset): Hex {
  checkKeysetShape(k);
  return keccak256(concat([Uint8Array.of(k.assumedHonest, k.publicKeys.length), ...k.publicKeys]));
}

/** n + 1 − assumedHonest: enough signers that at least one of them is honest. */
export function requiredSigners(k: Keyset): number {
  return k.publicKeys.length + 1 - k.assumedHonest;
}

const aggregateCache = new Map<Hex, Uint8Array>();

/** The keyset's aggregate key (sum of all members' keys), as certificates carry it (memoized by keyset hash). */
export function keysetAggregateKey(k: Keyset): Uint8Array {
  const hash = keysetHash(k);
  let key = aggregateCache.get(hash);
  if (!key) {
    key = blsAggregatePublicKeys(k.publicKeys);
    if (aggregateCache.size >= 16) aggregateCache.delete(aggregateCache.keys().next().value!);
    aggregateCache.set(hash, key);
  }
  return key.slice();
}

/** docs/committee.md §3: certificate v1 bytes. */
export function encodeCertificate(c: Certificate): Uint8Array {
  if (c.signature.length !== G1_BYTES || c.aggregateKey.length !== G2_BYTES) {
    throw new RangeError('a certificate signature is 128 bytes and its aggregate key 256 bytes');
  }
  if (c.nonSigners.length > 255 || c.nonSigners.some((pk) => pk.length !== G2_BYTES)) {
    throw new RangeError('a certificate lists at most 255 non-signers of 256 bytes each');
  }
  const expiry = new Uint8Array(8);
  new DataView(expiry.buffer).setBigUint64(0, c.expiry, false);
  return concat([
    Uint8Array.of(CERTIFICATE_VERSION),
    hexToBytes(c.keysetHash, { size: 32 }),
    hexToBytes(c.dataHash, { size: 32 }),
    expiry,
    c.signature,
    c.aggregateKey,
    Uint8Array.of(c.nonSigners.length),
    ...c.nonSigners,
  ]);
}

/** docs/committee.md §3: parses certificate v1 bytes (structure only; `checkCertificate` checks the rest). */
export function decodeCertificate(bytes: Uint8Array): Certificate {
  if (bytes.length === 0) throw new DaInvalidPointerError('a committee certificate cannot be empty');
  if (bytes[0] !== CERTIFICATE_VERSION) {
    throw new DaInvalidPointerError(
      `committee certificate version ${bytes[0]} is not supported (only ${CERTIFICATE_VERSION})`,
    );
  }
  if (bytes.length < CERTIFICATE_HEADER_BYTES) {
    throw new DaInvalidPointerError(
      `a committee certificate is at least ${CERTIFICATE_HEADER_BYTES} bytes, got ${bytes.length}`,
    );
  }
  const count = bytes[CERTIFICATE_HEADER_BYTES - 1];
  const expected = CERTIFICATE_HEADER_BYTES + count * G2_BYTES;
  if (bytes.length !== expected) {
    throw new DaInvalidPointerError(
      `a committee certificate with ${count} non-signers is ${expected} bytes, got ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nonSigners: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = CERTIFICATE_HEADER_BYTES + i * G2_BYTES;
    nonSigners.push(bytes.slice(at, at + G2_BYTES));
  }
  return {
    keysetHash: bytesToHex(bytes.subarray(1, 33)),
    dataHash: bytesToHex(bytes.subarray(33, 65)),
    expiry: view.getBigUint64(65, false),
    signature: bytes.slice(73, 73 + G1_BYTES),
    aggregateKey: bytes.slice(201, 201 + G2_BYTES),
    nonSigners,
  };
}

const pkHash = (pk: Uint8Array) => keccak256(pk);

/**
 * A certificate for `dataHash` until `expiry` from the members' signatures (member index ⇒ G1
 * signature over `signingMessage(dataHash, expiry)`). Throws CommitteeCertificateError when fewer
 * than `requiredSigners` sign, an index is not a member, or the aggregate does not verify (naming
 * the members whose signatures are bad).
 */
export function buildCertificate(
  keyset: Keyset,
  dataHash: Hex,
  expiry: bigint,
  signatures: Map<number, Uint8Array>,
): Certificate {
  const hash = keysetHash(keyset);
  const n = keyset.publicKeys.length;
  for (const i of signatures.keys()) {
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new CommitteeCertificateError(`signature of member ${i}: the keyset has members 0..${n - 1}`);
    }
  }
  const need = requiredSigners(keyset);
  if (signatures.size < need) {
    throw new CommitteeCertificateError(
      `${signatures.size} of ${n} members signed; a certificate needs ${need} (n + 1 − assumedHonest ` +
        `with assumedHonest = ${keyset.assumedHonest}); wait for more members or post the batch to L1`,
    );
  }
  const message = signingMessage(dataHash, expiry);
  const indices = [...signatures.keys()];
  let signature: Uint8Array;
  try {
    signature = blsAggregateSignatures(indices.map((i) => signatures.get(i)!));
  } catch {
    signature = new Uint8Array(G1_BYTES);
  }
  const signersKey = blsAggregatePublicKeys(indices.map((i) => keyset.publicKeys[i]));
  if (!blsVerify(signersKey, message, signature)) {
    const bad = indices.filter((i) => !blsVerify(keyset.publicKeys[i], message, signatures.get(i)!));
    throw new CommitteeCertificateError(
      `the signatures of members ${bad.join(', ')} do not verify over (dataHash ${dataHash}, expiry ${expiry}); ` +
        'leave them out of the certificate',
    );
  }
  const nonSigners = keyset.publicKeys
    .filter((_, i) => !signatures.has(i))
    .map((pk) => ({ pk, h: BigInt(pkHash(pk)) }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .map((x) => x.pk);
  return {
    keysetHash: hash,
    dataHash,
    expiry,
    signature,
    aggregateKey: keysetAggregateKey(keyset),
    nonSigners,
  };
}

/**
 * docs/committee.md §4 without the clock and the registry: undefined when `c` is a valid
 * certificate of `keyset`, else the reason (the contract's error name first).
 */
export function checkCertificate(keyset: Keyset, c: Certificate): string | undefined {
  let hash: Hex;
  try {
    hash = keysetHash(keyset);
  } catch (e) {
    return `BadKeysetSize: ${(e as Error).message}`;
  }
  if (c.keysetHash.toLowerCase() !== hash)
    return `UnknownKeyset: the certificate is for keyset ${c.keysetHash}, not ${hash}`;
  const max = keyset.assumedHonest - 1;
  if (c.nonSigners.length > max) return `TooManyNonSigners: ${c.nonSigners.length} > ${max}`;
  let aggregate: Uint8Array;
  try {
    aggregate = keysetAggregateKey(keyset);
  } catch (e) {
    return `BadPublicKey: ${(e as Error).message}`;
  }
  if (bytesToHex(c.aggregateKey) !== bytesToHex(aggregate)) {
    return "AggregateKeyMismatch: the aggregate key is not the sum of the keyset's public keys";
  }
  const members = new Set(keyset.publicKeys.map(pkHash));
  let previous = -1n;
  let sum = decodeG2(new Uint8Array(G2_BYTES))!;
  for (const [i, pk] of c.nonSigners.entries()) {
    const h = pkHash(pk);
    if (BigInt(h) <= previous) return `NonSignersNotSorted: non-signer ${i}`;
    if (!members.has(h)) return `NotAMember: non-signer ${i} (${h})`;
    previous = BigInt(h);
    sum = sum.add(decodeG2(pk)!);
  }
  const signersKey = decodeG2(aggregate)!.subtract(sum);
  if (signersKey.is0()) return "BadAggregateSignature: the signers' key is the identity";
  let message: Uint8Array;
  try {
    message = signingMessage(c.dataHash, c.expiry);
  } catch (e) {
    return `MalformedCertificate: ${(e as Error).message}`;
  }
  if (!blsVerify(encodeG2(signersKey), message, c.signature)) {
    return 'BadAggregateSignature: the signature does not verify against aggregateKey − Σ nonSigners';
  }
  return undefined;
}
