/**
 * A committee member's key file (`modex da keygen`, docs/da-server.md §1): JSON with the BLS secret
 * key, the public key and its proof of possession (docs/committee.md §1.4), all 0x-hex, written with
 * mode 0600. Reading checks that the public key and the proof belong to the secret key.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { bytesToHex, type Hex, hexToBytes, isHex } from 'viem';
import {
  blsKeyFromSeed,
  blsPublicKey,
  proofOfPossession,
  verifyProofOfPossession,
} from '../../crypto/bls.ts';
import { DaKeyFileError } from './committee-errors.ts';

export interface MemberKey {
  secretKey: Uint8Array;
  /** 256-byte G2 public key */
  publicKey: Uint8Array;
  /** 128-byte G1 proof of possession of the secret key */
  proofOfPossession: Uint8Array;
}

/** The file's JSON shape. */
export interface MemberKeyJson {
  secretKey: Hex;
  publicKey: Hex;
  proofOfPossession: Hex;
}

/** A member key from `seed` (≥ 32 bytes; default 32 random bytes). */
export function generateMemberKey(seed: Uint8Array = randomBytes(32)): MemberKey {
  const { secretKey, publicKey } = blsKeyFromSeed(seed);
  return { secretKey, publicKey, proofOfPossession: proofOfPossession(secretKey) };
}

export function memberKeyToJson(k: MemberKey): MemberKeyJson {
  return {
    secretKey: bytesToHex(k.secretKey),
    publicKey: bytesToHex(k.publicKey),
    proofOfPossession: bytesToHex(k.proofOfPossession),
  };
}

/** Writes the key file with mode 0600; refuses to overwrite an existing file. */
export function writeMemberKeyFile(path: string, k: MemberKey): void {
  try {
    writeFileSync(path, `${JSON.stringify(memberKeyToJson(k), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'it already exists' : (e as Error).message;
    throw new DaKeyFileError(`cannot write key file ${path}: ${why}`, { cause: e });
  }
}

function field(
  j: Record<string, unknown>,
  name: keyof MemberKeyJson,
  bytes: number,
  path: string,
): Uint8Array {
  const v = j[name];
  if (typeof v !== 'string' || !isHex(v) || v.length !== 2 + 2 * bytes)
    throw new DaKeyFileError(`key file ${path}: "${name}" must be ${bytes} bytes as 0x-hex`);
  return hexToBytes(v);
}

/** Reads and checks a key file (DA_KEY_FILE_INVALID when unreadable, malformed or inconsistent). */
export function readMemberKeyFile(path: string): MemberKey {
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DaKeyFileError(
      `cannot read key file ${path}: ${(e as Error).message} (create one with \`npx modex da keygen --out ${path}\`)`,
      { cause: e },
    );
  }
  if (!j || typeof j !== 'object') throw new DaKeyFileError(`key file ${path} is not a JSON object`);
  const o = j as Record<string, unknown>;
  const secretKey = field(o, 'secretKey', 32, path);
  const publicKey = field(o, 'publicKey', 256, path);
  const pop = field(o, 'proofOfPossession', 128, path);
  let derived: Uint8Array;
  try {
    derived = blsPublicKey(secretKey);
  } catch (e) {
    throw new DaKeyFileError(`key file ${path}: the secret key is not a valid BLS scalar`, { cause: e });
  }
  if (bytesToHex(derived) !== bytesToHex(publicKey))
    throw new DaKeyFileError(`key file ${path}: the public key does not belong to the secret key`);
  if (!verifyProofOfPossession(publicKey, pop))
    throw new DaKeyFileError(`key file ${path}: the proof of possession does not verify`);
  return { secretKey, publicKey, proofOfPossession: pop };
}
