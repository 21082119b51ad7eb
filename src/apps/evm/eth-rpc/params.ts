/**
 * Parameters of the Ethereum JSON-RPC (docs/evm-rpc.md §2): every bad one is −32602 naming the param.
 * Quantities are 0x hex without leading zeros (leading zeros accepted on input), data 0x hex bytes.
 */
import type { Hex } from 'viem';
import { InvalidParamsError } from '../../../node/errors.ts';

export type BlockRef = { tag: 'latest' | 'earliest' } | { number: number } | { hash: Hex };

const TAGS = new Set(['latest', 'pending', 'safe', 'finalized']);

/**
 * A block parameter: a tag (`latest`, `pending`, `safe`, `finalized` are the head; `earliest` is 0),
 * a 0x quantity, or an EIP-1898 object `{ blockNumber }` / `{ blockHash }`. `undefined` = latest.
 */
export function blockRef(x: unknown, name = 'block'): BlockRef {
  if (x === undefined || x === null) return { tag: 'latest' };
  if (typeof x === 'string') {
    if (TAGS.has(x)) return { tag: 'latest' };
    if (x === 'earliest') return { tag: 'earliest' };
    if (/^0x[0-9a-fA-F]{1,13}$/.test(x)) return { number: Number.parseInt(x.slice(2), 16) };
  }
  if (typeof x === 'object' && !Array.isArray(x)) {
    const o = x as { blockNumber?: unknown; blockHash?: unknown };
    if (o.blockHash !== undefined) return { hash: hash32(o.blockHash, `${name}.blockHash`) };
    if (o.blockNumber !== undefined) return blockRef(o.blockNumber, `${name}.blockNumber`);
  }
  throw new InvalidParamsError(
    `${name} must be a 0x quantity, "latest", "pending", "safe", "finalized", "earliest" or { blockHash }`,
  );
}

export function hash32(x: unknown, name: string): Hex {
  if (typeof x !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(x))
    throw new InvalidParamsError(`${name} must be 0x-prefixed 32-byte hex`);
  return x.toLowerCase() as Hex;
}

export function address(x: unknown, name: string): Hex {
  if (typeof x !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(x))
    throw new InvalidParamsError(`${name} must be a 0x-prefixed 20-byte address`);
  return x.toLowerCase() as Hex;
}

/** 0x hex bytes (an even number of digits). */
export function data(x: unknown, name: string): Uint8Array {
  // Buffer's decoder stops at the first bad digit: a shorter result means one (no regex over a
  // transaction's hex on eth_sendRawTransaction's path)
  if (typeof x === 'string' && x.length % 2 === 0 && x.startsWith('0x')) {
    const b = Buffer.from(x.slice(2), 'hex');
    if (b.length * 2 === x.length - 2) return new Uint8Array(b);
  }
  throw new InvalidParamsError(`${name} must be 0x-prefixed hex bytes`);
}

/** A 0x quantity up to 2^256 − 1. */
export function quantity(x: unknown, name: string): bigint {
  if (typeof x === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(x)) return BigInt(x);
  throw new InvalidParamsError(`${name} must be a 0x quantity`);
}

export function bool(x: unknown, name: string): boolean {
  if (x === undefined) return false;
  if (typeof x !== 'boolean') throw new InvalidParamsError(`${name} must be true or false`);
  return x;
}

export function arity(params: unknown[], min: number, max: number): void {
  if (params.length < min || params.length > max)
    throw new InvalidParamsError(
      `expected ${min === max ? min : `${min} to ${max}`} param${max === 1 ? '' : 's'}, got ${params.length}`,
    );
}

/** A non-negative bigint as a 0x quantity. */
export const qty = (v: bigint | number): Hex => `0x${v.toString(16)}`;

export const hex = (b: Uint8Array): Hex =>
  `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
