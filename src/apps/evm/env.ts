/**
 * The `evm_run_tx` input message (docs/evm.md §2): `env ‖ raw transaction`, env version 1 of 185
 * bytes, built from a state test's `env`. Chain id 1 and flags bit 0 (BLOCKHASH(n) = keccak256 of
 * the decimal ASCII of n, the state-test convention) as the state tests assume.
 */
import { ModexError } from '../../core/errors.ts';
import type { StateTestEnv } from './fixture.ts';

export const ENV_VERSION = 1;
export const ENV_BYTES = 185;
/** flags bit 0: the state tests' BLOCKHASH convention */
export const FLAG_TEST_BLOCKHASH = 1;
/** the state tests' chain id */
export const STATE_TEST_CHAIN_ID = 1n;

// EIP-4844 (Cancun)
const MIN_BLOB_BASE_FEE = 1n;
const BLOB_BASE_FEE_UPDATE_FRACTION = 3338477n;

/** EIP-4844's fake_exponential(factor, numerator, denominator): factor · e^(numerator / denominator). */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n;
  let output = 0n;
  let acc = factor * denominator;
  while (acc > 0n) {
    output += acc;
    acc = (acc * numerator) / (denominator * i);
    i += 1n;
  }
  return output / denominator;
}

/** The blob base fee for `excessBlobGas` (EIP-4844, Cancun's update fraction). */
export const blobBaseFee = (excessBlobGas: bigint): bigint =>
  fakeExponential(MIN_BLOB_BASE_FEE, excessBlobGas, BLOB_BASE_FEE_UPDATE_FRACTION);

/** An env field that does not fit the message's u64 or u256 (the case cannot be run). */
/** A state test's env value that does not fit its field of the env (docs/evm.md §2). */
export class EnvRangeError extends ModexError {
  constructor(message: string) {
    super('EVM_ENV_RANGE', message);
  }
}

function put(out: Uint8Array, at: number, v: bigint, n: number, name: string): void {
  if (v < 0n || v >= 1n << BigInt(8 * n))
    throw new EnvRangeError(`env ${name} = ${v} does not fit ${8 * n} bits`);
  for (let i = n - 1; i >= 0; i--) {
    out[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The 185-byte env of `evm_run_tx` for a state test's env. */
export function encodeEnv(env: StateTestEnv, chainId = STATE_TEST_CHAIN_ID): Uint8Array {
  const out = new Uint8Array(ENV_BYTES);
  out[0] = ENV_VERSION;
  out[1] = FLAG_TEST_BLOCKHASH;
  out.set(env.coinbase, 2);
  put(out, 22, env.number, 8, 'currentNumber');
  put(out, 30, env.timestamp, 8, 'currentTimestamp');
  put(out, 38, env.gasLimit, 8, 'currentGasLimit');
  put(out, 46, chainId, 8, 'chainId');
  put(out, 54, env.baseFee, 32, 'currentBaseFee');
  out.set(env.random, 86);
  put(out, 118, blobBaseFee(env.excessBlobGas), 32, 'blobBaseFee');
  put(out, 150, env.excessBlobGas, 8, 'currentExcessBlobGas');
  return out;
}

/** `env ‖ raw transaction`: the inbox message of one `evm_run_tx` run. */
export function runTxMessage(env: StateTestEnv | Uint8Array, txbytes: Uint8Array): Uint8Array {
  const head = env instanceof Uint8Array ? env : encodeEnv(env);
  if (head.length !== ENV_BYTES) throw new RangeError(`env: ${head.length} bytes, not ${ENV_BYTES}`);
  const out = new Uint8Array(ENV_BYTES + txbytes.length);
  out.set(head, 0);
  out.set(txbytes, ENV_BYTES);
  return out;
}
