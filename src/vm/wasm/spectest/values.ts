/**
 * Value conversion and comparison for spectest scripts. Script values are
 * `{ type, value: "<unsigned decimal>" }`; the runner and engines use unsigned bigints.
 * References are the machine's i32 values (docs/machine.md §5.5): `null` is 0, the script's
 * externref N is N + 1; a funcref result is only compared for being null or not. f32 and f64
 * values are their bit patterns (the lowered module's i32 and i64, docs/softfloat.md); an expected
 * `nan:canonical` or `nan:arithmetic` result matches by the NaN's pattern.
 */
import { SpecScriptError } from './errors.ts';

/** A typed value as it appears in a script's `args` and `expected` lists. */
export interface SpecValueJson {
  type: string;
  /** unsigned decimal; absent for result types only known by type (e.g. assert_trap expected) */
  value?: string;
}

const BITS: Readonly<Record<string, bigint>> = { i32: 32n, i64: 64n, f32: 32n, f64: 64n };

const REF_TYPES = new Set(['funcref', 'externref']);

/** Whether the runner (and the machine) can handle values of this type. */
export function isSupportedType(type: string): boolean {
  return Object.hasOwn(BITS, type) || REF_TYPES.has(type);
}

/** A reference's value as the machine holds it: null 0, externref N as N + 1 (< 2^32). */
function parseRef(v: SpecValueJson): bigint {
  if (v.value === 'null') return 0n;
  if (v.type === 'externref' && v.value !== undefined && /^\d+$/.test(v.value)) {
    const n = BigInt(v.value) + 1n;
    if (n >> 32n !== 0n) throw new SpecScriptError(`externref value ${v.value} out of range`);
    return n;
  }
  throw new SpecScriptError(
    `bad ${v.type} value ${JSON.stringify(v.value)}: expected "null" or an externref number`,
  );
}

/** The first value type in `values` the runner cannot handle, if any. */
export function unsupportedType(values: readonly SpecValueJson[] | undefined): string | undefined {
  return values?.find((v) => !isSupportedType(v.type))?.type;
}

/** Parses an i32/i64 script value into an unsigned bigint, checking its range. */
export function parseSpecValue(v: SpecValueJson): bigint {
  if (REF_TYPES.has(v.type)) return parseRef(v);
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
    // a reference result with no value: any non-null reference
    if (REF_TYPES.has(expected[i].type) && expected[i].value === undefined) {
      if (actual[i] === 0n) return `result ${i}: expected a non-null ${expected[i].type}, got null`;
      continue;
    }
    const nan = nanMismatch(expected[i], actual[i]);
    if (nan !== undefined) {
      if (nan === '') continue;
      return `result ${i}: ${nan}`;
    }
    const want = parseSpecValue(expected[i]);
    if (want !== actual[i]) {
      return `result ${i}: expected ${formatValue(expected[i].type, want)}, got ${formatValue(expected[i].type, actual[i])}`;
    }
  }
  return undefined;
}

/** `i32:4294967295 (-1)`: unsigned value with its signed reading if different. */
export function formatValue(type: string, v: bigint): string {
  if (REF_TYPES.has(type))
    return v === 0n ? `${type}:null` : type === 'externref' ? `externref:${v - 1n}` : 'funcref:non-null';
  const bits = Object.hasOwn(BITS, type) ? BITS[type] : undefined;
  const signed = bits === undefined ? v : BigInt.asIntN(Number(bits), v);
  return signed === v ? `${type}:${v}` : `${type}:${v} (${signed})`;
}

const formatValues = (vs: readonly bigint[]): string => `[${vs.join(', ')}]`;

/**
 * For an expected `nan:canonical` / `nan:arithmetic` float result: '' when `actual` is such a NaN,
 * else what is wrong; undefined when the expected value is not a NaN pattern. Canonical: exponent
 * all ones and only the quiet bit of the fraction set (either sign); arithmetic: the quiet bit set.
 */
function nanMismatch(expected: SpecValueJson, actual: bigint): string | undefined {
  const v = expected.value;
  if ((expected.type !== 'f32' && expected.type !== 'f64') || !v?.startsWith('nan:')) return undefined;
  const wide = expected.type === 'f64';
  const frac = wide ? 52n : 23n;
  const expBits = wide ? 0x7ffn : 0xffn;
  const quiet = 1n << (frac - 1n);
  const exp = (actual >> frac) & expBits;
  const f = actual & ((1n << frac) - 1n);
  const ok = exp === expBits && (v === 'nan:canonical' ? f === quiet : (f & quiet) !== 0n);
  return ok ? '' : `expected ${expected.type}:${v}, got ${formatValue(expected.type, actual)}`;
}
