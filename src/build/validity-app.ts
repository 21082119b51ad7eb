/**
 * An app that ships its circuit (docs/validity.md §8): `modex build` prepares its validity side
 * (`buildAppValidity`: the circuit compiled, its keys, the binding compiled, the prover module
 * checked) and the node loads its `ValidityApp` (`appValidityApp`) through the factory its prover
 * module exports, given a `ValidityContext` with the circuit and binding modex compiled.
 */
import { pathToFileURL } from 'node:url';
import type { ValidityApp, ValidityAppFactory, ValidityContext } from '../proof/validity/prover-app.ts';
import { setupKeys } from '../zk/index.ts';
import { compileAppBinding } from './validity-binding.ts';
import { compileAppCircuit } from './validity-circuit.ts';
import {
  type AppValidity,
  AppValidityError,
  checkValidityFiles,
  VALIDITY_FACTORY_EXPORT,
} from './validity-manifest.ts';

/** The modex side of an app's validity section (circuit and binding compiled on demand, cached). */
export function validityContext(v: AppValidity, o: { cacheDir?: string } = {}): ValidityContext {
  return {
    appDir: v.appDir,
    circuit: ({ log } = {}) => compileAppCircuit(v, { log, cacheDir: o.cacheDir }),
    binding: async ({ log } = {}) => (await compileAppBinding(v, { log }))?.artifact,
  };
}

/** Imports the prover module and returns its factory; throws VALIDITY_PROVER_MISSING / _INVALID. */
export async function loadValidityFactory(v: AppValidity): Promise<ValidityAppFactory> {
  checkValidityFiles(v);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(v.prover).href)) as Record<string, unknown>;
  } catch (e) {
    throw new AppValidityError(
      'VALIDITY_PROVER_INVALID',
      `prover module ${v.prover} ("validity.prover" of ${v.manifest}) does not load: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const f = mod[VALIDITY_FACTORY_EXPORT];
  if (typeof f !== 'function')
    throw new AppValidityError(
      'VALIDITY_PROVER_INVALID',
      `prover module ${v.prover} ("validity.prover" of ${v.manifest}) must export ${VALIDITY_FACTORY_EXPORT}(ctx), a function returning a ValidityApp (docs/validity.md §8); its exports: ${Object.keys(mod).join(', ') || '(none)'}`,
    );
  return f as ValidityAppFactory;
}

/** The app's `ValidityApp`, from its prover module's factory. */
export async function appValidityApp(v: AppValidity, o: { cacheDir?: string } = {}): Promise<ValidityApp> {
  const factory = await loadValidityFactory(v);
  const app = await factory(validityContext(v, o));
  for (const m of ['setup', 'deployL1', 'prove'] as const)
    if (typeof (app as unknown as Record<string, unknown> | undefined)?.[m] !== 'function')
      throw new AppValidityError(
        'VALIDITY_PROVER_INVALID',
        `${VALIDITY_FACTORY_EXPORT}() of ${v.prover} returned no ValidityApp (it lacks ${m}(); docs/validity.md §8)`,
      );
  return app;
}

/** What `modex build` reports of an app's validity side. */
export interface ValidityBuildResult {
  circuit: string;
  constraints: number;
  publicSignals: number;
  wires: number;
  circuitCached: boolean;
  /** true for the INSECURE development keys (docs/validity.md §4) */
  insecure: boolean;
  /** the keys' domain, 2^power */
  power: number;
  zkey: string;
  keysCached: boolean;
  /** ms the key setup took (0 when cached) */
  setupMs: number;
  /** the binding's contract name (none: the manifest names no binding) */
  binding?: string;
  prover: string;
}

/**
 * Compiles the circuit (cached), prepares its keys (INSECURE dev keys, or from the ceremony file
 * `ptau`; cached), compiles the binding and checks that the prover module exports the factory.
 */
export async function buildAppValidity(
  v: AppValidity,
  o: { ptau?: string; log?: (line: string) => void; cacheDir?: string } = {},
): Promise<ValidityBuildResult> {
  const { log } = o;
  checkValidityFiles(v);
  const c = await compileAppCircuit(v, { log, cacheDir: o.cacheDir });
  log?.(`circuit: ${c.constraints.toLocaleString('en-US')} constraints, ${c.publicSignals} public signals`);
  log?.(
    o.ptau
      ? `keys: from the ceremony file ${o.ptau}…`
      : 'keys: INSECURE development keys (anyone can forge proofs for them: devnets and tests only)…',
  );
  const k = await setupKeys(c.r1cs, { ptau: o.ptau, log, cacheDir: o.cacheDir });
  log?.(`keys: ${k.cached ? 'cached' : `made in ${(k.ms / 1000).toFixed(1)} s`} (2^${k.power}) ${k.zkey}`);
  const b = await compileAppBinding(v, { log });
  await loadValidityFactory(v);
  log?.(`prover: ${v.prover} exports ${VALIDITY_FACTORY_EXPORT}`);
  return {
    circuit: v.circuit,
    constraints: c.constraints,
    publicSignals: c.publicSignals,
    wires: c.wires,
    circuitCached: c.cached,
    insecure: k.insecure,
    power: k.power,
    zkey: k.zkey,
    keysCached: k.cached,
    setupMs: k.cached ? 0 : k.ms,
    binding: b?.artifact.contractName,
    prover: v.prover,
  };
}
