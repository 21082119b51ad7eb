/**
 * eth_call and eth_estimateGas (docs/evm-rpc.md §2) over the guest's query `0x12` (docs/evm.md §4):
 * the message runs on the block's state with gas price 0 and no nonce, fee or signature check.
 * eth_estimateGas searches the least gas that succeeds, as geth does (binary search between the
 * gas used and the cap, stopping within 1.5%).
 */
import { hexToBytes } from 'viem';
import { InvalidParamsError } from '../../../node/errors.ts';
import type { RpcBackend } from '../../../node/rpc.ts';
import { CallRefusedError, ExecutionRevertedError, gethMessage } from './errors.ts';
import { BLOCK_GAS_LIMIT } from './header.ts';
import { address, data, hex, quantity } from './params.ts';
import { type CallMessage, callQuery, parseCallResult } from './records.ts';

/** A transaction object of eth_call / eth_estimateGas, parsed (without the block number). */
export type CallArgs = Omit<CallMessage, 'number'> & { gasGiven: boolean };

export function callArgs(x: unknown): CallArgs {
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw new InvalidParamsError('transaction must be an object');
  const o = x as Record<string, unknown>;
  const d = o.input ?? o.data;
  if (o.input !== undefined && o.data !== undefined && o.input !== o.data)
    throw new InvalidParamsError('transaction.input and transaction.data differ');
  const gas = o.gas === undefined || o.gas === null ? BLOCK_GAS_LIMIT : quantity(o.gas, 'transaction.gas');
  if (gas >= 2n ** 64n) throw new InvalidParamsError('transaction.gas must fit in 64 bits');
  return {
    from: hexToBytes(
      o.from === undefined || o.from === null ? `0x${'00'.repeat(20)}` : address(o.from, 'transaction.from'),
    ),
    to: o.to === undefined || o.to === null ? undefined : hexToBytes(address(o.to, 'transaction.to')),
    gas,
    gasGiven: o.gas !== undefined && o.gas !== null,
    value: o.value === undefined || o.value === null ? 0n : quantity(o.value, 'transaction.value'),
    data: d === undefined || d === null ? new Uint8Array(0) : data(d, 'transaction.input'),
  };
}

export interface CallOutcome {
  success: boolean;
  gasUsed: bigint;
  returnData: Uint8Array;
}

/**
 * Runs the message on the state after modex block `position` (Ethereum block `position + 1`);
 * a message that cannot start is a CallRefusedError (or −32602 for a malformed one).
 */
export async function runCall(b: RpcBackend, m: CallMessage, position: number): Promise<CallOutcome> {
  const r = await b.query(callQuery(m), position);
  if (r.status !== 0) {
    const reason = b.receiptNames[r.status] || `status_${r.status}`;
    if (reason === 'malformed' || reason === 'unknown_op')
      throw new InvalidParamsError(`the EVM app refused the call query: ${reason}`);
    throw new CallRefusedError(gethMessage(reason), reason);
  }
  return parseCallResult(r.result);
}

/** eth_call's answer: the return data, or code 3 with the revert data. */
export async function ethCall(b: RpcBackend, a: CallArgs, number: number): Promise<string> {
  const r = await runCall(b, { ...a, number: BigInt(number) }, number - 1);
  if (!r.success) throw new ExecutionRevertedError(hex(r.returnData));
  return hex(r.returnData);
}

/** eth_estimateGas: the least gas limit with which the message succeeds (within 1.5%). */
export async function estimateGas(b: RpcBackend, a: CallArgs, number: number): Promise<bigint> {
  const at = (gas: bigint) => runCall(b, { ...a, gas, number: BigInt(number) }, number - 1);
  const ok = async (gas: bigint): Promise<boolean> => {
    try {
      return (await at(gas)).success;
    } catch (e) {
      // too little gas to start (intrinsic gas): a failure of this limit, not of the message
      if (
        e instanceof CallRefusedError &&
        (e.rpcData as { reason: string }).reason === 'intrinsic_gas_too_low'
      )
        return false;
      throw e;
    }
  };
  const cap = a.gas;
  const first = await at(cap);
  if (!first.success) throw new ExecutionRevertedError(hex(first.returnData));
  let lo = first.gasUsed - 1n;
  let hi = cap;
  // geth's optimistic guess: most messages need little more than they use (refunds, the 63/64 rule)
  const guess = ((first.gasUsed + 2_300n) * 64n) / 63n;
  if (guess < hi) {
    if (await ok(guess)) hi = guess;
    else lo = guess;
  }
  while (lo + 1n < hi) {
    if ((hi - lo) * 1000n < hi * 15n) break;
    const mid = (lo + hi) / 2n;
    if (await ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
