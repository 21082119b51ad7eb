/**
 * Shared fuzzing harness (docs/fuzzing.md): a seeded PRNG, a byte mutator (bit flips, byte
 * insert/delete/overwrite, splices, boundary values) and the loop every `*.fuzz.test.ts` runs.
 *
 * CI runs each target with a fixed seed and a modest iteration count; the long mode scales it:
 * `MODEX_FUZZ_ITERATIONS=N` (iterations per target, instead of each target's CI count) and
 * `MODEX_FUZZ_SEED=S` (a different base seed). A failure names the target, the seed, the iteration
 * and the mutated input in hex, so `replay(hex)` (or the same seed) reproduces it.
 */

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../wasm/random-module.ts';

/** test/wasm/random-module.ts's PRNG (mulberry32), with its seed kept for replay messages. */
export class FuzzRng extends Rng {
  constructor(readonly seed: number) {
    super(seed);
  }
  /** integer in [0, n); 0 for an empty range */
  override int(n: number): number {
    return n <= 0 ? 0 : super.int(n);
  }
}

/** byte values at the edges of the usual encodings (u8, LEB128 continuation, sign bits) */
const BOUNDARY_BYTES = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x40, 0x3f, 0xc0];
/** multi-byte boundary values (big- and little-endian u16/u32/u64 edges, LEB128 maxima) */
const BOUNDARY_RUNS: readonly number[][] = [
  [0xff, 0xff, 0xff, 0xff],
  [0x7f, 0xff, 0xff, 0xff],
  [0x80, 0x00, 0x00, 0x00],
  [0x00, 0x00, 0x00, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
  [0xff, 0xff],
  [0x00, 0x01],
];

export type MutationKind =
  | 'flip'
  | 'set'
  | 'boundary'
  | 'insert'
  | 'delete'
  | 'splice'
  | 'duplicate'
  | 'truncate';
const KINDS: readonly MutationKind[] = [
  'flip',
  'set',
  'boundary',
  'insert',
  'delete',
  'splice',
  'duplicate',
  'truncate',
];

/**
 * One mutation of `input` (never the identity for a non-empty input, except by chance of a `set`
 * to the same value: callers that need a change compare). `donors`: other valid inputs to splice from.
 */
export function mutateOnce(
  rng: FuzzRng,
  input: Uint8Array,
  donors: readonly Uint8Array[] = [],
  kind?: MutationKind,
): Uint8Array {
  const k = kind ?? rng.pick(KINDS);
  const n = input.length;
  const at = rng.int(n + 1);
  switch (k) {
    case 'flip': {
      if (n === 0) return Uint8Array.of(rng.int(256));
      const out = input.slice();
      const i = rng.int(n);
      out[i] ^= 1 << rng.int(8);
      return out;
    }
    case 'set': {
      if (n === 0) return Uint8Array.of(rng.int(256));
      const out = input.slice();
      out[rng.int(n)] = rng.int(256);
      return out;
    }
    case 'boundary': {
      const run = rng.chance(0.5) ? [rng.pick(BOUNDARY_BYTES)] : rng.pick(BOUNDARY_RUNS);
      const out = input.slice();
      const start = rng.int(Math.max(1, n - run.length + 1));
      for (let i = 0; i < run.length && start + i < n; i++) out[start + i] = run[i];
      return n === 0 ? Uint8Array.from(run) : out;
    }
    case 'insert': {
      const len = rng.chance(0.7) ? 1 + rng.int(4) : 1 + rng.int(64);
      const ins = rng.chance(0.5) ? rng.bytes(len) : new Uint8Array(len).fill(rng.pick(BOUNDARY_BYTES));
      return concatBytes(input.subarray(0, at), ins, input.subarray(at));
    }
    case 'delete': {
      if (n === 0) return input.slice();
      const i = rng.int(n);
      const len = Math.min(n - i, rng.chance(0.7) ? 1 + rng.int(4) : 1 + rng.int(64));
      return concatBytes(input.subarray(0, i), input.subarray(i + len));
    }
    case 'splice': {
      const donor = donors.length > 0 ? rng.pick(donors) : input;
      if (donor.length === 0) return input.slice();
      const from = rng.int(donor.length);
      const len = 1 + rng.int(Math.min(256, donor.length - from));
      const piece = donor.subarray(from, from + len);
      if (rng.chance(0.5)) return concatBytes(input.subarray(0, at), piece, input.subarray(at));
      const out = input.slice();
      for (let i = 0; i < piece.length && at + i < n; i++) out[at + i] = piece[i];
      return out;
    }
    case 'duplicate': {
      if (n === 0) return input.slice();
      const i = rng.int(n);
      const len = 1 + rng.int(Math.min(64, n - i));
      return concatBytes(input.subarray(0, at), input.subarray(i, i + len), input.subarray(at));
    }
    case 'truncate':
      return input.slice(0, rng.int(Math.max(1, n)));
  }
}

/** 1–`max` stacked mutations (mostly one: small changes reach deeper into a decoder). */
export function mutate(
  rng: FuzzRng,
  input: Uint8Array,
  donors: readonly Uint8Array[] = [],
  max = 4,
): Uint8Array {
  let out = mutateOnce(rng, input, donors);
  const extra = rng.chance(0.6) ? 0 : rng.int(max);
  for (let i = 0; i < extra; i++) out = mutateOnce(rng, out, donors);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const toHexString = (b: Uint8Array): string =>
  `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;

export const fromHexString = (h: string): Uint8Array =>
  Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${v}: expected a non-negative integer`);
  return n;
};

/** iterations for a target: `MODEX_FUZZ_ITERATIONS` when set (the long mode), else its CI count */
export function fuzzIterations(ci: number): number {
  return envInt('MODEX_FUZZ_ITERATIONS') ?? ci;
}

/** whether the long mode runs (so a test can raise its timeout) */
export const longFuzz = (): boolean => envInt('MODEX_FUZZ_ITERATIONS') !== undefined;

/** a test timeout for a target: the CI one, or none to speak of in the long mode */
export const fuzzTimeout = (ciMs: number): number => (longFuzz() ? 24 * 3600_000 : ciMs);

/** the seed of a target: a fixed one per target, offset by `MODEX_FUZZ_SEED` (default 0) */
export function fuzzSeed(target: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < target.length; i++) h = Math.imul(h ^ target.charCodeAt(i), 0x01000193);
  return (h + (envInt('MODEX_FUZZ_SEED') ?? 0)) >>> 0;
}

/** The failure of one fuzz case: what to replay (a long input is also written to a file). */
export class FuzzFailure extends Error {
  constructor(
    readonly target: string,
    readonly seed: number,
    readonly iteration: number,
    readonly input: string,
    cause: unknown,
  ) {
    let shown = input;
    if (input.length > 4_096) {
      const file = join(tmpdir(), `modex-fuzz-${target}-${seed}-${iteration}.hex`);
      writeFileSync(file, `${input}\n`);
      shown = `${input.slice(0, 4_096)}… (${(input.length - 2) / 2} bytes; the whole input in ${file})`;
    }
    super(
      `fuzz ${target}: seed ${seed} iteration ${iteration} failed: ${(cause as Error)?.message ?? String(cause)}\n` +
        `  replay: the same seed (MODEX_FUZZ_SEED offset ${process.env.MODEX_FUZZ_SEED ?? 0}) runs it again; input (hex) ${shown}`,
      { cause },
    );
    this.name = 'FuzzFailure';
  }
}

export interface FuzzStats {
  iterations: number;
  /** outcome label ⇒ count (e.g. the error codes seen), for the long mode's summary */
  outcomes: Map<string, number>;
}

/**
 * Runs `iterations` cases of `target`: `one(rng, i)` makes and checks one case; it returns a label
 * of the outcome (counted) and reports its input through `show` so a failure can print it. Any
 * throw becomes a FuzzFailure with seed, iteration and input. Prints a one-line summary.
 */
export async function fuzz(
  target: string,
  ciIterations: number,
  one: (rng: FuzzRng, i: number, show: (input: Uint8Array | string) => void) => string | Promise<string>,
): Promise<FuzzStats> {
  const seed = fuzzSeed(target);
  const iterations = fuzzIterations(ciIterations);
  const rng = new FuzzRng(seed);
  const outcomes = new Map<string, number>();
  const t0 = Date.now();
  for (let i = 0; i < iterations; i++) {
    let input = '';
    const show = (x: Uint8Array | string) => {
      input = typeof x === 'string' ? x : toHexString(x);
    };
    try {
      const label = await one(rng, i, show);
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    } catch (e) {
      throw new FuzzFailure(target, seed, i, input, e);
    }
  }
  const top = [...outcomes].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(
    `fuzz ${target}: ${iterations} cases, seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      top.map(([k, v]) => `${k} ${v}`).join(', '),
  );
  return { iterations, outcomes };
}
