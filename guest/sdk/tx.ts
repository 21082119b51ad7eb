// Signed transactions (docs/stf.md "Signed transactions"):
//   tx     := body ‖ r (32) ‖ s (32) ‖ v (1)
//   body   := app u8 ‖ op u8 ‖ chainId u64 ‖ nonce u64 ‖ args
import { alloc32, readU64BE } from "./bytes";
import { keccak256 } from "./keccak";
import { recoverPersonal } from "./sig";

export const HEADER_LEN: i32 = 18;
export const SIG_LEN: i32 = 65;

export class Tx {
  app: u32 = 0;
  op: u32 = 0;
  chainId: u64 = 0;
  nonce: u64 = 0;
  /** args (body after the header) */
  args: usize = 0;
  argsLen: i32 = 0;
  body: usize = 0;
  bodyLen: i32 = 0;
  /** the sig: r at sig, s at sig + 32, v at sig + 64 */
  sig: usize = 0;
}

/** Decodes the header; null if the tx is too short to hold a header and a signature. */
export function decodeTx(ptr: usize, len: i32): Tx | null {
  if (len < HEADER_LEN + SIG_LEN) return null;
  const tx = new Tx();
  tx.body = ptr;
  tx.bodyLen = len - SIG_LEN;
  tx.app = <u32>load<u8>(ptr);
  tx.op = <u32>load<u8>(ptr, 1);
  tx.chainId = readU64BE(ptr + 2);
  tx.nonce = readU64BE(ptr + 10);
  tx.args = ptr + <usize>HEADER_LEN;
  tx.argsLen = tx.bodyLen - HEADER_LEN;
  tx.sig = ptr + <usize>tx.bodyLen;
  return tx;
}

/** The signer's address (a pointer to 20 bytes), or 0 if the signature is invalid. */
export function txSigner(tx: Tx): usize {
  const digest = alloc32(32);
  keccak256(tx.body, tx.bodyLen, digest);
  const word = recoverPersonal(digest, tx.sig, tx.sig + 32, <u32>load<u8>(tx.sig, 64));
  return word == 0 ? 0 : word + 12;
}
