/**
 * The local validators of an attested chain (docs/attested.md): what `modex devnet` and
 * `modex report` run in-process so that a committee exists. `registerLocalValidators` registers
 * deterministic devnet keys (localValidatorKey) on the deployed ValidatorCommittee (§1.3) and, on an
 * embedded L1, mines until every one is eligible (§1.3, §2.3); `localAttestation` builds the
 * validator role's `attest` option (src/node/roles.ts): the keys, the in-process attestation pool
 * (§7) and, for a fraud scenario, the colluding signing policy.
 */
import type { Address, Hex } from 'viem';
import { formatWei } from '../config/summary.ts';
import type { ChainConfig } from '../config/types.ts';
import { ModexError } from '../core/errors.ts';
import type { DevAccount } from '../l1/accounts.ts';
import type { L1 } from '../l1/anvil.ts';
import type { AttestationSource } from '../proof/attested/proof-system.ts';
import type { SettlementDeployment } from '../settlement/ethereum/deploy-settlement.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';
import { AttestationPool, localValidatorKey, type SigningPolicy, type ValidatorKey } from './attester.ts';

export class LocalValidatorsError extends ModexError {}

export interface RegisterLocalValidatorsOptions {
  /** the account that registers (owns) the validators and pays their stakes */
  owner: DevAccount;
  /** how many to register (default `proof.attested.localValidators`) */
  count?: number;
  log?: (line: string) => void;
  /** checked before each registration: stop early (the keys registered so far are returned) */
  stopped?: () => boolean;
}

/**
 * Registers `count` (default `proof.attested.localValidators`) validators with deterministic devnet
 * keys from one account, then (embedded L1) mines until every one is eligible. Returns their keys.
 */
export async function registerLocalValidators(
  l1: L1,
  s: SettlementDeployment,
  config: ChainConfig,
  o: RegisterLocalValidatorsOptions,
): Promise<ValidatorKey[]> {
  const a = config.proof.attested;
  const committee = s.committee;
  if (!a || !committee)
    throw new LocalValidatorsError(
      'LOCAL_VALIDATORS_NO_COMMITTEE',
      'proof.module "attested" needs proof.attested and a deployed validator committee (deployForConfig deploys it)',
    );
  const log = o.log ?? (() => {});
  const t = Date.now();
  const n = o.count ?? a.localValidators;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new LocalValidatorsError(
      'LOCAL_VALIDATORS_BAD_COUNT',
      `validators to register: got ${n}, need an integer ≥ 0`,
    );
  log(
    `validator committee: registering ${n} local validators (stake ${formatWei(a.stake)} each); ` +
      `committees of ${a.activeSize}, ${a.assumedHonest} assumed honest (a quorum is ${a.activeSize - a.assumedHonest + 1}), epochs of ${a.epochBlocks} L1 blocks`,
  );
  const c = committee.as({ publicClient: l1.publicClient, walletClient: walletFor(l1, o.owner.account) });
  const keys: ValidatorKey[] = [];
  for (let i = 0; i < n; i++) {
    if (o.stopped?.()) break;
    const k = localValidatorKey(i);
    await c.register(k.publicKey, k.proofOfPossession, BigInt(a.stake));
    keys.push(k);
    if ((i + 1) % 25 === 0 || i + 1 === n) log(`${i + 1}/${n} validators registered`);
  }
  const eligible = (await committee.currentEpoch()) + BigInt(a.entryDelayEpochs);
  if (l1.embedded)
    while ((await committee.currentEpoch()) < eligible) await l1.testClient.mine({ blocks: a.epochBlocks });
  log(
    `${keys.length} validators registered in ${((Date.now() - t) / 1000).toFixed(1)} s, every one eligible from epoch ${eligible}`,
  );
  return keys;
}

/** A validator role's `attest` option (src/node/roles.ts startValidatorRole). */
export interface LocalAttestation {
  keys: ValidatorKey[];
  pool: AttestationPool & AttestationSource;
  policy?: SigningPolicy;
}

/**
 * The attestation pool of the committee `committee` on `l1` and the members `keys` sign into it.
 * With `colludeWith` (the devnet's fraud scenario) the committee of the epoch of the lie colludes
 * with that asserter but its first `proof.attested.assumedHonest` members: they sign its assertions
 * and never their honest rivals; the honest ones sign only what they derived (docs/attested.md §6).
 * Until the lie nobody signs. Without it every member signs exactly the honest assertions.
 */
export function localAttestation(
  l1: L1,
  committee: Hex,
  keys: ValidatorKey[],
  o: { config: ChainConfig; colludeWith?: Address; log?: (line: string) => void },
): LocalAttestation {
  const pool = new AttestationPool({ chainId: BigInt(l1.chainId), committee });
  if (!o.colludeWith) return { keys, pool };
  const h = o.config.proof.attested?.assumedHonest ?? 1;
  const liarAddress = o.colludeWith.toLowerCase();
  const byLiar = (r: { asserter: string }) => r.asserter.toLowerCase() === liarAddress;
  /** the committee of the epoch the lie is first signed in, but its first h members */
  let colluders: Set<number> | undefined;
  const policy: SigningPolicy = ({ record, siblings, honest, validator, epoch }) => {
    if (byLiar(record)) {
      colluders ??= new Set(epoch.members.slice(h));
      return colluders.has(validator);
    }
    // nobody signs until the liar has lied (so that no colluder has signed the lie's honest
    // rival yet); then the colluders never sign a rival of the lie
    if (!colluders) return false;
    return honest && !(colluders.has(validator) && siblings.some(byLiar));
  };
  o.log?.(
    `fraud scenario: the committee of the epoch of the lie, but its first ${h} members, colludes with validator-2 and signs its assertions`,
  );
  return { keys, pool, policy };
}
