/**
 * One chain of a report config on a shared L1: the roles `modex devnet` runs (src/node/roles.ts:
 * deployment, sequencer role with JSON-RPC and batcher, validator roles deriving from L1), started
 * the way DevnetRun starts them, with the L1 clock driven by the caller (`round`). Attested chains
 * (`proof.module: "attested"`, docs/attested.md) with `attest`: the local validators are registered
 * (src/node/local-validators.ts, as the devnet does) and a validator started with `attest` runs
 * their keys (the attester: seals epochs, signs, confirms by attestation).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChainConfig } from '../config/types.ts';
import { ModexError } from '../core/errors.ts';
import { startLocalCommittee } from '../da/committee/local-committee.ts';
import type { L1 } from '../l1/anvil.ts';
import type { ValidatorKey } from '../node/attester.ts';
import { daForConfig } from '../node/da-modules.ts';
import { localAttestation, registerLocalValidators } from '../node/local-validators.ts';
import {
  attachChain,
  deployForConfig,
  type SequencerRole,
  startSequencerRole,
  startValidatorRole,
  type ValidatorRole,
} from '../node/roles.ts';
import type { SettlementDeployment } from '../settlement/ethereum/deploy-settlement.ts';
import { walletFor } from '../settlement/ethereum/inbox.ts';

/**
 * anvil dev accounts: [0] sequencer, [1] honest validator, [2] lying validator, [3] user, [5] owner
 * of the attested chain's local validators (the devnet's DEVNET_VALIDATOR_OWNER)
 */
export const ACCOUNT = { sequencer: 0, honest: 1, liar: 2, user: 3, validatorOwner: 5 } as const;

export class ReportChainError extends ModexError {}

export interface ReportChain {
  config: ChainConfig;
  settlement: SettlementDeployment;
  sequencer: SequencerRole;
  rpcUrl: string;
  validators: (ValidatorRole & { name: string })[];
  /** members of the local DA committee (committee DA), else undefined */
  committeeSize?: number;
  /** attested chains started with `attest`: the local validators registered */
  validatorKeys?: ValidatorKey[];
  /** `attest`: the validator runs the local validators' keys (attested chains started with `attest`) */
  startValidator(o: { name: string; account: number; lie?: boolean; attest?: boolean }): Promise<void>;
  /**
   * every validator's derivation and round, then one L1 block, `warpSeconds` later than the wall
   * clock if no validator acted in the round; returns whether it warped
   */
  round(warpSeconds?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startReportChain(
  l1: L1,
  input: ChainConfig,
  o: {
    log?: (line: string) => void;
    /** attested chains: register `proof.attested.localValidators` local validators so a committee exists */
    attest?: boolean;
  } = {},
): Promise<ReportChain> {
  const config = structuredClone(input);
  const cleanup: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  };
  try {
    let committeeSize: number | undefined;
    const com = config.da.committee;
    if (config.da.module === 'committee' && com && com.members.length === 0) {
      committeeSize = 5;
      const committee = await startLocalCommittee(committeeSize, { assumedHonest: com.assumedHonest });
      cleanup.push(() => committee.close());
      com.members = committee.configMembers;
    }
    const { settlement, source, file: d } = await deployForConfig(l1, config);
    const validatorKeys =
      o.attest && config.proof.module === 'attested'
        ? await registerLocalValidators(l1, settlement, config, {
            owner: l1.accounts[ACCOUNT.validatorOwner],
            log: o.log,
          })
        : undefined;
    // one pool: every attesting role of this chain signs into it (docs/attested.md §7)
    const attestation =
      validatorKeys && settlement.committee
        ? localAttestation(l1, settlement.committee.address, validatorKeys, { config })
        : undefined;
    const chainId = BigInt(config.chain.chainId);
    const dataDir = mkdtempSync(join(tmpdir(), 'modex-report-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const chainFor = (account: number) =>
      attachChain(
        { publicClient: l1.publicClient, walletClient: walletFor(l1, l1.accounts[account].account) },
        d,
        config,
      );
    const sequencer = await startSequencerRole({
      chain: await chainFor(ACCOUNT.sequencer),
      app: source,
      chainId,
      config,
      rpcUrl: l1.rpcUrl,
      sequencerKey: l1.accounts[ACCOUNT.sequencer].privateKey,
      dataDir,
      warn: (l) => o.log?.(l),
    });
    cleanup.push(() => sequencer.close());
    const validators: ReportChain['validators'] = [];
    return {
      config,
      settlement,
      sequencer,
      rpcUrl: sequencer.server.url,
      validators,
      committeeSize,
      validatorKeys,
      async startValidator(v) {
        if (v.attest && !attestation)
          throw new ReportChainError(
            'REPORT_NO_COMMITTEE',
            `${v.name}: attest needs an attested chain started with { attest: true } (proof.module is "${config.proof.module}")`,
          );
        const role = startValidatorRole({
          chain: await chainFor(v.account),
          app: source,
          chainId,
          config,
          name: v.name,
          lie: v.lie,
          maxLies: 1,
          da: daForConfig(config, {
            rpcUrl: l1.rpcUrl,
            rpc: l1.publicClient,
            publicClient: l1.publicClient,
          }),
          ...(v.attest && attestation ? { attest: attestation } : {}),
        });
        validators.push({ ...role, name: v.name });
      },
      async round(warpSeconds = 0) {
        for (const v of validators) await v.tick();
        // the embedded anvil mines only on transactions: one block a round keeps L1 time moving.
        // Like `modex devnet --warp`, time jumps only across rounds where no validator acted
        // (Validator.quiet): a warp must never eat the honest side's challenge-period time
        const warp = warpSeconds > 0 && validators.every((v) => v.validator.quiet);
        if (warp) await l1.testClient.increaseTime({ seconds: Math.ceil(warpSeconds) });
        await l1.testClient.mine({ blocks: 1 });
        return warp;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
