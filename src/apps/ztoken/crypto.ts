/**
 * circomlibjs's Poseidon, BabyJubJub and EdDSA-Poseidon (docs/validity.md §2) over plain bigints:
 * `await zkCrypto()` once, then every call is synchronous.
 */
import { buildEddsa, type Eddsa } from 'circomlibjs';

export type Point = readonly [bigint, bigint];
export interface Signature {
  R8: Point;
  S: bigint;
}

export interface ZkCrypto {
  /** Poseidon over field elements (circomlib's constants; 1 to 16 inputs) */
  poseidon(inputs: readonly bigint[]): bigint;
  /** the public key of a private key (any bytes; circomlibjs prunes its blake512) */
  publicKey(prv: Uint8Array): Point;
  signPoseidon(prv: Uint8Array, msg: bigint): Signature;
  /** circomlibjs verifyPoseidon: R8 and A on the curve, S < l, S·B8 = R8 + 8·h·A */
  verifyPoseidon(msg: bigint, sig: Signature, a: Point): boolean;
  /** a point of the prime-order subgroup other than the identity (an `open` key, §2.2) */
  isAccountKey(a: Point): boolean;
  /** the BN254 scalar field's modulus */
  p: bigint;
  /** BabyJubJub's prime subgroup order */
  subOrder: bigint;
}

export const FIELD_P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

let built: Promise<ZkCrypto> | undefined;

export function zkCrypto(): Promise<ZkCrypto> {
  built ??= buildEddsa().then(make);
  return built;
}

function make(e: Eddsa): ZkCrypto {
  const F = e.F;
  const pt = (p: Point) => [F.e(p[0]), F.e(p[1])] as [Uint8Array, Uint8Array];
  const obj = (p: [Uint8Array, Uint8Array]): Point => [F.toObject(p[0]), F.toObject(p[1])];
  const inField = (p: Point) => p[0] >= 0n && p[0] < FIELD_P && p[1] >= 0n && p[1] < FIELD_P;
  return {
    poseidon: (inputs) => F.toObject(e.poseidon(inputs.map((x) => F.e(x)))),
    publicKey: (prv) => obj(e.prv2pub(prv)),
    signPoseidon: (prv, msg) => {
      const s = e.signPoseidon(prv, F.e(msg));
      return { R8: obj(s.R8), S: s.S };
    },
    verifyPoseidon: (msg, sig, a) =>
      inField(sig.R8) && inField(a) && e.verifyPoseidon(F.e(msg), { R8: pt(sig.R8), S: sig.S }, pt(a)),
    isAccountKey: (a) => inField(a) && a[0] !== 0n && e.babyJub.inSubgroup(pt(a)),
    p: FIELD_P,
    subOrder: e.babyJub.subOrder,
  };
}
