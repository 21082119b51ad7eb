// The block environment of a transaction (docs/evm.md §2, env v1: 185 bytes, big-endian fields).
import { alloc32, copy32, copyBytes, readU64BE } from "../../sdk/bytes";
import { keccak256 } from "../../sdk/keccak";
import { u256FromBE } from "./u256";
import { zeroMem } from "./mem";

export const ENV_LEN: i32 = 185;
export const ENV_VERSION: u8 = 1;
/** flags bit 0: the state-test BLOCKHASH convention */
export const ENV_FLAG_TEST_BLOCKHASH: u8 = 1;

@unmanaged
export class Env {
  flags: u8;
  /** 20 bytes */
  coinbase: usize;
  number: u64;
  timestamp: u64;
  gasLimit: u64;
  chainId: u64;
  /** u256 (LE limbs) */
  baseFee: usize;
  /** u256 (LE limbs) of the 32-byte prevRandao */
  prevRandao: usize;
  /** u256 (LE limbs) */
  blobBaseFee: usize;
  excessBlobGas: u64;
  /** the modex chain's env: the withdrawal precompile at 0x64 is live (docs/evm.md §4); never in evm_run_tx */
  withdrawals: bool;
}

function newEnv(): Env {
  const e = changetype<Env>(alloc32(<i32>offsetof<Env>()));
  zeroMem(changetype<usize>(e), offsetof<Env>());
  const words = alloc32(96 + 32);
  zeroMem(words, 128);
  e.baseFee = words;
  e.prevRandao = words + 32;
  e.blobBaseFee = words + 64;
  e.coinbase = words + 96;
  return e;
}

/** Decodes env v1 at p (ENV_LEN bytes available); null if the version or a flag is unknown. */
export function decodeEnv(p: usize): Env | null {
  if (load<u8>(p) != ENV_VERSION) return null;
  const flags = load<u8>(p, 1);
  if ((flags & ~ENV_FLAG_TEST_BLOCKHASH) != 0) return null;
  const e = newEnv();
  e.flags = flags;
  copyBytes(e.coinbase, p + 2, 20);
  e.number = readU64BE(p + 22);
  e.timestamp = readU64BE(p + 30);
  e.gasLimit = readU64BE(p + 38);
  e.chainId = readU64BE(p + 46);
  u256FromBE(e.baseFee, p + 54, 32);
  u256FromBE(e.prevRandao, p + 86, 32);
  u256FromBE(e.blobBaseFee, p + 118, 32);
  e.excessBlobGas = readU64BE(p + 150);
  return e;
}

/** The chain's env: zero blob fees, the withdrawal precompile, the given block fields (docs/evm.md §4). */
export function chainEnv(coinbase: usize, number: u64, timestamp: u64, gasLimit: u64, chainId: u64): Env {
  const e = newEnv();
  copyBytes(e.coinbase, coinbase, 20);
  e.number = number;
  e.timestamp = timestamp;
  e.gasLimit = gasLimit;
  e.chainId = chainId;
  e.withdrawals = true;
  return e;
}

/**
 * BLOCKHASH(n) as 32 big-endian bytes at out: with ENV_FLAG_TEST_BLOCKHASH, keccak256 of the
 * decimal ASCII of n for n in [number - 256, number - 1]; otherwise (and outside the range) zero.
 */
export function blockHash(env: Env, n: u64, out: usize): void {
  zeroMem(out, 32);
  if ((env.flags & ENV_FLAG_TEST_BLOCKHASH) == 0) return;
  if (n >= env.number || env.number - n > 256) return;
  const buf = alloc32(32);
  let len: i32 = 0;
  let v = n;
  // digits, most significant first
  const tmp = alloc32(32);
  do {
    store<u8>(tmp + <usize>len, <u8>(0x30 + <u32>(v % 10)));
    len++;
    v /= 10;
  } while (v != 0);
  for (let i: i32 = 0; i < len; i++) store<u8>(buf + <usize>i, load<u8>(tmp + <usize>(len - 1 - i)));
  keccak256(buf, len, out);
}

export { copy32 };
