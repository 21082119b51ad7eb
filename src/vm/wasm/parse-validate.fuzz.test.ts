/**
 * Fuzzing (docs/fuzzing.md): mutated wasm modules into the parser, the validator and lowering.
 * Seeds: the built-in apps (guest/apps/*\/*.wasm), random valid STF modules (test/wasm/random-module.ts)
 * and the host-I/O and loop modules of the proof corpus; a second target mutates the WebAssembly
 * 2.0 suite's modules (../shared/conformance/wasm-spec) that V8 accepts. Properties:
 * - parse, validate and lower throw only typed errors (ModexError: WasmParseError, WasmValidationError,
 *   WasmUnsupportedError, LoweringError, MachineLimitsError), never a RangeError/TypeError or a hang;
 * - nothing modex accepts is rejected by V8 (`new WebAssembly.Module`). The other way round is
 *   allowed on purpose: modex refuses floats, SIMD, several tables, other imports, …
 *   (validate.ts's header); those refusals must be WasmUnsupportedError (a feature) and the V8-valid
 *   modules modex calls *invalid* (WasmValidationError / WasmParseError) are counted and must be none.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformancePath, hasConformance } from '../../../test/conformance.ts';
import { type FuzzRng, fuzz, fuzzTimeout, mutate } from '../../../test/fuzz/fuzz.ts';
import { loopModule } from '../../../test/wasm/proof-corpus.ts';
import { randomModule } from '../../../test/wasm/random-module.ts';
import { ModexError } from '../../core/errors.ts';
import { WasmParseError, WasmUnsupportedError, WasmValidationError } from './errors.ts';
import { lower } from './lower.ts';
import { V8Wasm } from './native.ts';
import { parseModule } from './parse.ts';
import { validateModule } from './validate.ts';

const app = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../guest/apps/${name}/${name}.wasm`, import.meta.url)));

const seeds: Uint8Array[] = [
  app('token'),
  app('kv'),
  loopModule(),
  ...[1, 2, 3, 4, 5, 6].map((s) => randomModule(s, { maxPages: 2, trapRate: 0.05 })),
];

/** what modex says about `bytes`: 'ok' or the error class; throws anything untyped */
function modex(bytes: Uint8Array): string {
  try {
    const validated = validateModule(parseModule(bytes), { resolveImport: () => true });
    lower(validated);
    return 'ok';
  } catch (e) {
    if (e instanceof WasmParseError) return 'parse';
    if (e instanceof WasmValidationError) return 'invalid';
    if (e instanceof WasmUnsupportedError) return 'unsupported';
    if (e instanceof ModexError) return `${e.name} (${e.code})`;
    throw e;
  }
}

function v8(bytes: Uint8Array): string | undefined {
  try {
    new V8Wasm.Module(bytes);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('fuzz: wasm parser and validator', () => {
  it('the seeds are valid for both', () => {
    for (const s of seeds) {
      expect(modex(s)).toBe('ok');
      expect(v8(s)).toBeUndefined();
    }
  });

  it(
    'mutated modules: typed errors only; nothing accepted that V8 rejects',
    async () => {
      /** modules V8 accepts that modex calls malformed or invalid (not a refused feature): must stay empty */
      const stricter: string[] = [];
      await fuzz('wasm-parse-validate', 1000, (rng: FuzzRng, _i, show) => {
        const bytes = mutate(rng, rng.pick(seeds), seeds);
        show(bytes);
        const ours = modex(bytes);
        const theirs = v8(bytes);
        if (ours === 'ok' && theirs !== undefined)
          throw new Error(`modex accepts a module V8 rejects: ${theirs}`);
        if (theirs === undefined && (ours === 'parse' || ours === 'invalid')) stricter.push(ours);
        return `${ours}${theirs === undefined ? '/v8-ok' : '/v8-rejects'}`;
      });
      expect(stricter).toEqual([]);
    },
    fuzzTimeout(120_000),
  );

  // the WebAssembly 2.0 suite's binary modules that V8 accepts: reference types, tables, element
  // and data segments of every kind, imports and exports the seeds above do not have
  const SPEC_DIR = conformancePath('wasm-spec/json');
  const specSeeds = hasConformance('wasm-spec/json')
    ? readdirSync(SPEC_DIR)
        .filter((f) => f.endsWith('.wasm'))
        .sort()
        .map((f) => new Uint8Array(readFileSync(join(SPEC_DIR, f))))
        .filter((b) => v8(b) === undefined)
    : [];
  it.skipIf(specSeeds.length === 0)(
    'mutated spec-suite modules: typed errors only; nothing accepted that V8 rejects, nothing V8 accepts called invalid',
    async () => {
      expect(specSeeds.length).toBeGreaterThan(500);
      const stricter: string[] = [];
      await fuzz('wasm-parse-validate-spec', 3000, (rng: FuzzRng, _i, show) => {
        const bytes = mutate(rng, rng.pick(specSeeds), specSeeds);
        show(bytes);
        const ours = modex(bytes);
        const theirs = v8(bytes);
        if (ours === 'ok' && theirs !== undefined)
          throw new Error(`modex accepts a module V8 rejects: ${theirs}`);
        if (theirs === undefined && (ours === 'parse' || ours === 'invalid')) stricter.push(ours);
        return `${ours}${theirs === undefined ? '/v8-ok' : '/v8-rejects'}`;
      });
      expect(stricter).toEqual([]);
    },
    fuzzTimeout(120_000),
  );
});
