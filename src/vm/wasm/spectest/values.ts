/**
 * Value conversion and comparison for spectest scripts. Script values are
 * `{ type, value: "<unsigned decimal>" }`; the runner and engines use unsigned bigints.
 */
import { SpecScriptError } from './errors.ts';

/** A typed value as it appears in a script's `args` and `expected` lists. */
export interface SpecValueJson {
  type: string;
  /** unsigned decimal; absent for result types only known by type (e.g. assert_trap expected) */
  value?: string;
}

const BITS: Readonly<Record<string, bigint>> = { i32: 32n, i64: 64n };

/** Whether the runner (and the machine) can handle values of this type. */
export function isSupportedType(type: string): boolean {
  return Object.hasOwn(BITS, type);
}

/** The first value type in `values` the runner cannot handle, if any. */
export function unsupportedType(values: readonly SpecValueJson[] | undefined): string | undefined {
  return values?.find((v) => !isSupportedType(v.type))?.type;
}

/** Parses an i32/i64 script value into an unsigned bigint, checking its range. */
export function parseSpecValue(v: SpecValueJson): bigint {
  const bits = Object.hasOwn(BITS, v.type) ? BITS[v.type] : undefined;
  if (bits === undefined) throw new SpecScriptError(`unsupported value type "${v.type}"`);
  if (v.value === undefined || !/^\d+$/.test(v.value)) {
    throw new SpecScriptError(`bad ${v.type} value ${JSON.stringify(v.value)}: expected an unsigned decimal`);
  }
  const n = BigInt(v.value);
  if (n >> bits !== 0n) throw new SpecScriptError(`${v.type} value ${v.value} out of range`);
  return n;
}

/** Compares results to a script's `expected` list; returns a description of the mismatch, or undefined. */
export function compareResults(
  expected: readonly SpecValueJson[],
  actual: readonly bigint[],
): string | undefined {
  if (expected.length !== actual.length) {
    return `expected ${expected.length} result(s), got ${actual.length}: ${formatValues(actual)}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const want = parseSpecValue(expected[i]);
    if (want !== actual[i]) {
      return `result ${i}: expected ${formatValue(expected[i].type, want)}, got ${formatValue(expected[i].type, actual[i])}`;
    }
  }
  return undefined;
}

/** `i32:4294967295 (-1)`: unsigned value with its signed reading if different. */
export function formatValue(type: string, v: bigint): string {
  const bits = Object.hasOwn(BITS, type) ? BITS[type] : undefined;
  const signed = bits === undefined ? v : BigInt.asIntN(Number(bits), v);
  return signed === v ? `${type}:${v}` : `${type}:${v} (${signed})`;
}

const formatValues = (vs: readonly bigint[]): string => `[${vs.join(', ')}]`;
