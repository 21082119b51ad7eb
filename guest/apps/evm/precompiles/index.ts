// The EVM precompiles 0x01–0x0a (Cancun; docs/evm.md "Precompiles"): `runPrecompile` charges the gas
// and runs one. 0x01 goes through the `ecrecover` host op, 0x02–0x05 and 0x09 are computed in the
// guest, 0x06–0x08 and 0x0a are read through the precompile preimage oracle (docs/machine.md §6.3),
// whose answer L1 checks with its own precompile.
import { alloc32, copyBytes, readU32BE } from "../../../sdk/bytes";
import { precompileOracle } from "../../../sdk/precompile-oracle";
import { blake2fCompress } from "./blake2f";
import { ECRECOVER_GAS, ecrecoverRun } from "./ecrecover";
import { MODEXP_GAS_INFINITE, modexpGas, modexpOutLen, modexpRun } from "./modexp";
import { ripemd160 } from "./ripemd160";
import { sha256 } from "./sha256";

/**
 * The outcome of a precompile call. `ok == false`: out of gas or invalid input; the caller then
 * consumes all the gas it gave (`gasUsed` is that gas) and there is no output.
 */
export class PrecompileResult {
  ok: bool = false;
  gasUsed: u64 = 0;
  /** the output (not necessarily aligned) */
  out: usize = 0;
  outLen: i32 = 0;
}

/** the gas of an input that no call can pay (a cost that does not fit in a u64, or invalid input) */
export const PRECOMPILE_GAS_INFINITE: u64 = U64.MAX_VALUE;

/** whether the address with last byte `id` (the others zero) is a precompile (Cancun: 1–10) */
export function isPrecompile(id: i32): bool {
  return id >= 1 && id <= 10;
}

@inline function words(len: i32): u64 {
  return (<u64>len + 31) >> 5;
}

/**
 * The gas precompile `id` charges for the input ({@link PRECOMPILE_GAS_INFINITE} when no call can
 * pay it). Yellow Paper appendix E; EIP-2565 (modexp), EIP-1108 (bn254), EIP-152 (blake2f, one gas
 * per round), EIP-4844 (point evaluation).
 */
export function precompileGas(id: i32, input: usize, inputLen: i32): u64 {
  switch (id) {
    case 1:
      return ECRECOVER_GAS;
    case 2:
      return 60 + 12 * words(inputLen);
    case 3:
      return 600 + 120 * words(inputLen);
    case 4:
      return 15 + 3 * words(inputLen);
    case 5:
      return modexpGas(input, inputLen);
    case 6:
      return 150;
    case 7:
      return 6000;
    case 8:
      return 45000 + 34000 * <u64>(inputLen / 192);
    case 9:
      return inputLen == 213 ? <u64>readU32BE(input) : 0;
    case 10:
      return 50000;
  }
  return PRECOMPILE_GAS_INFINITE;
}

function fail(r: PrecompileResult, gas: u64): PrecompileResult {
  r.ok = false;
  r.gasUsed = gas;
  r.out = 0;
  r.outLen = 0;
  return r;
}

/** the one result object, reused by every call (no allocation per call outside the arena) */
const RESULT = new PrecompileResult();

/**
 * Runs precompile `id` (1–10) on the `inputLen` bytes at `input` with `gas` available. The output
 * is allocated in the SDK arena (released with the caller's transaction). The returned object is
 * the same for every call: read it before the next one.
 */
export function runPrecompile(id: i32, input: usize, inputLen: i32, gas: u64): PrecompileResult {
  const r = RESULT;
  r.out = 0;
  r.outLen = 0;
  if (!isPrecompile(id) || inputLen < 0) return fail(r, gas);
  const cost = precompileGas(id, input, inputLen);
  if (cost == PRECOMPILE_GAS_INFINITE || cost == MODEXP_GAS_INFINITE || cost > gas) return fail(r, gas);
  r.ok = true;
  r.gasUsed = cost;
  switch (id) {
    case 1:
      r.out = ecrecoverRun(input, inputLen);
      r.outLen = r.out == 0 ? 0 : 32;
      break;
    case 2:
      r.out = alloc32(32);
      r.outLen = 32;
      sha256(input, inputLen, r.out);
      break;
    case 3:
      // a 32-byte word: 12 zero bytes, then the 20-byte hash
      r.out = alloc32(32);
      r.outLen = 32;
      store<u64>(r.out, 0);
      store<u32>(r.out, 0, 8);
      ripemd160(input, inputLen, r.out + 12);
      break;
    case 4:
      r.out = alloc32(inputLen);
      r.outLen = inputLen;
      copyBytes(r.out, input, inputLen);
      break;
    case 5: {
      const out = modexpRun(input, inputLen);
      if (out == 0) return fail(r, gas);
      r.out = out;
      r.outLen = modexpOutLen;
      break;
    }
    case 6:
    case 7:
    case 10: {
      if (id == 10 && inputLen != 192) return fail(r, gas);
      const out = precompileOracle(<u8>id, input, inputLen);
      if (out.len < 0) return fail(r, gas);
      r.out = out.ptr;
      r.outLen = out.len;
      break;
    }
    case 8: {
      if (inputLen % 192 != 0) return fail(r, gas);
      const out = precompileOracle(<u8>id, input, inputLen);
      if (out.len < 0) return fail(r, gas);
      r.out = out.ptr;
      r.outLen = out.len;
      break;
    }
    case 9: {
      // rounds (4, BE) ‖ h (64) ‖ m (128) ‖ t (16) ‖ f (1); h, m, t little-endian u64 words
      if (inputLen != 213) return fail(r, gas);
      const f = load<u8>(input + 212);
      if (f > 1) return fail(r, gas);
      r.out = alloc32(64);
      r.outLen = 64;
      copyBytes(r.out, input + 4, 64);
      blake2fCompress(readU32BE(input), r.out, input + 68, load<u64>(input + 196), load<u64>(input + 204), f == 1);
      break;
    }
  }
  return r;
}
