/**
 * A chain proven by validity proofs (docs/validity.md §6): zk-rollup (`proof.module: "validity"`)
 * or hybrid disputes (`proof.disputes: "validity"`). One deploy step for `modex deploy` and the
 * validity devnet (the app's circuit keys, its Groth16 verifier and binding, the ValidityVerifier in
 * the Rollup's committee slot, the settlement contracts), the prover's keys for `modex node --role
 * prover`, and which roles such a chain runs.
 *
 * The app's prover comes from its name (src/apps/validity-apps.ts, which imports the app only when a
 * chain runs it), so this file imports no app.
 */
import type { Address } from 'viem';
import { validityAppFor } from '../apps/validity-apps.ts';
import type { ChainConfig } from '../config/types.ts';
import { ModexError } from '../core/errors.ts';
import type { L1 } from '../l1/anvil.ts';
import type { ValidityApp, ValidityKeys } from '../proof/validity/prover-app.ts';
import { deployValidityVerifier } from '../proof/validity/validity-verifier.ts';
import { type DeploymentFile, deployForConfig, provenByValidity, type ValidityDeployment } from './roles.ts';

export class ValidityChainError extends ModexError {}

/** The validity mode of a chain config, or undefined for a chain without validity proofs. */
export function validityModeOf(config: Pick<ChainConfig, 'proof'>): ValidityDeployment['mode'] | undefined {
  if (!provenByValidity(config)) return undefined;
  return config.proof.module === 'validity' ? 'zk-rollup' : 'hybrid';
}

/**
 * The app's prover (a built-in app by name, or a `vm.stf` app whose modex.app.json has a `validity`
 * section, docs/validity.md §8), or a typed error naming why the app has none.
 */
async function validityAppOf(vm: { app?: string; stf?: string }, what: string): Promise<ValidityApp> {
  const vapp = await validityAppFor(vm.stf !== undefined ? { stf: vm.stf } : { app: vm.app });
  if (!vapp)
    throw new ValidityChainError(
      'NODE_NO_CIRCUIT',
      `${what} ${vm.stf ?? vm.app} ships no validity circuit (docs/validity.md §6, §8): run it with proof.module "fraud" (or "attested")`,
    );
  return vapp;
}

/**
 * Deploys a validity chain from `l1`'s first account: sets up the app's circuit keys (cached by
 * content hash; INSECURE development keys unless `proof.validity.ptau` names a ceremony file),
 * deploys the app's Groth16 verifier and binding and the ValidityVerifier in the Rollup's committee
 * slot with the settlement contracts (`deployForConfig`). The deployment file records them
 * (`validity`). Progress lines go to `log`.
 */
export async function deployValidityChain(
  l1: L1,
  config: ChainConfig,
  opts: { sequencer?: Address; log?: (line: string) => void } = {},
): Promise<Awaited<ReturnType<typeof deployForConfig>> & { validity: ValidityApp; keys: ValidityKeys }> {
  const mode = validityModeOf(config);
  if (!mode)
    throw new ValidityChainError(
      'NODE_NOT_VALIDITY',
      'deployValidityChain: the config has neither proof.module "validity" nor proof.disputes "validity"',
    );
  const log = opts.log ?? (() => {});
  const vapp = await validityAppOf(config.vm, 'app');
  const keys = await vapp.setup({ ptau: config.proof.validity?.ptau, log });
  const chainId = BigInt(config.chain.chainId);
  let l1Side: { groth16: Address; binding: Address } | undefined;
  const r = await deployForConfig(l1, config, {
    sequencer: opts.sequencer,
    validityVerifier: async (inbox) => {
      const a = await vapp.deployL1(l1, { chainId });
      l1Side = a;
      log(`Groth16 verifier ${a.groth16}, ${vapp.name} binding ${a.binding}`);
      return deployValidityVerifier(l1, { inbox, binding: a.binding, groth16: a.groth16 });
    },
  });
  const a = l1Side as { groth16: Address; binding: Address };
  r.file.validity = {
    mode,
    app: vapp.name,
    groth16: a.groth16,
    binding: a.binding,
    chunkSize: keys.chunkSize,
    constraints: keys.constraints,
    insecure: keys.insecure,
  };
  return { ...r, validity: vapp, keys };
}

/**
 * The prover's side of a deployed validity chain: the app's prover with its keys set up (from the
 * cache when the deployment made them on this machine) and checked against the deployment's circuit
 * (chunk size, constraints, whether the keys are INSECURE development keys).
 */
export async function proverKeysFor(
  d: DeploymentFile,
  config: Pick<ChainConfig, 'proof'>,
  log?: (line: string) => void,
): Promise<{ validity: ValidityApp; keys: ValidityKeys }> {
  const v = d.validity;
  if (!v) throw notValidity('prover');
  const vapp = await validityAppOf(
    d.stf !== undefined ? { stf: d.stf } : { app: d.app },
    "the deployment's app",
  );
  const keys = await vapp.setup({ ptau: config.proof.validity?.ptau, log });
  const got = { chunkSize: keys.chunkSize, constraints: keys.constraints, insecure: keys.insecure };
  const want = { chunkSize: v.chunkSize, constraints: v.constraints, insecure: v.insecure };
  if (JSON.stringify(got) !== JSON.stringify(want))
    throw new ValidityChainError(
      'NODE_VALIDITY_KEYS_MISMATCH',
      `the prover's circuit keys (${JSON.stringify(got)}) are not the deployment's (${JSON.stringify(want)}): use the same app version and proof.validity.ptau as \`modex deploy\``,
    );
  return { validity: vapp, keys };
}

function notValidity(role: string): ValidityChainError {
  return new ValidityChainError(
    'NODE_PROVER_NOT_VALIDITY',
    `--role ${role}: this chain is not proven by validity proofs (the deployment has no validity verifier; proof.module "validity" or proof.disputes "validity", docs/validity.md §6): run --role validator`,
  );
}

/**
 * Whether `role` runs on the chain of deployment `d` with `config` (docs/node.md §6): the config
 * and the deployment must agree on the validity mode; a prover needs a validity chain; a zk-rollup
 * has no validators (its assertions are proven when created; hybrid chains have both).
 */
export function checkValidityRole(
  role: 'sequencer' | 'validator' | 'prover',
  config: Pick<ChainConfig, 'proof'>,
  d: Pick<DeploymentFile, 'validity'>,
): void {
  const mode = validityModeOf(config);
  if ((mode ?? 'none') !== (d.validity?.mode ?? 'none'))
    throw new ValidityChainError(
      'NODE_VALIDITY_CONFIG_MISMATCH',
      `the config's proof mode is ${mode ?? 'without validity proofs'}, the deployment's ${d.validity?.mode ?? 'without validity proofs'}: pass the config the chain was deployed with (--config)`,
    );
  if (role === 'prover' && !d.validity) throw notValidity(role);
  if (role === 'validator' && d.validity?.mode === 'zk-rollup')
    throw new ValidityChainError(
      'NODE_NO_VALIDATORS',
      '--role validator: this chain is a zk-rollup (proof.module "validity"): it has no validators and no disputes; every assertion is created and confirmed with a proof by the prover: run --role prover (docs/validity.md §6.1)',
    );
}
