/** Defaults for every optional config field: `{}` is a complete devnet-like chain. See docs/config.md. */
import type {
  AttestedConfig,
  ChainConfig,
  ConfigInput,
  DaConfig,
  ProofConfig,
  SequencingConfig,
  SettlementConfig,
  VmConfig,
} from './types.ts';

export const DEFAULTS = {
  chain: { name: 'modex-devnet', chainId: 412_346 },
  vm: {
    module: 'wasm',
    limits: { maxStepsPerMessage: 2 ** 40, maxMemoryPages: 1_024, maxTransactionsPerBlock: 1_000 },
  },
  defaultApp: 'token',
  proof: {
    module: 'fraud',
    challengePeriodSeconds: 7 * 86_400,
    bond: '1000000000000000000',
    disputes: 'bisection',
  },
  /** docs/attested.md §1.1, the devnet column */
  attested: {
    activeSize: 20,
    assumedHonest: 2,
    epochBlocks: 4,
    stake: '1000000000000000000',
    entryDelayEpochs: 2,
    exitDelayEpochs: 2,
    withdrawalDelayEpochs: 4,
    slashRewardPercent: 50,
    localValidators: 100,
  },
  da: { module: 'l1-calldata' },
  committee: {
    assumedHonest: 1,
    fallback: 'l1-calldata',
    timeoutMs: 5_000,
    /** 14 days (docs/committee.md §5): within the members' default 8..15-day window */
    retentionSeconds: 14 * 86_400,
    /** the default minLifetimeSeconds is proof.challengePeriodSeconds + this margin (1 day) */
    lifetimeMarginSeconds: 86_400,
  },
  settlement: { module: 'ethereum', rpcUrl: 'embedded' },
  sequencing: { module: 'single', maxDelaySeconds: 86_400, batch: { maxBytes: 100_000, maxAgeSeconds: 10 } },
  rotationSeconds: 3_600,
} as const;

/** Seconds per L1 slot (Ethereum): what epochs are measured in when delays are compared with times. */
export const L1_SLOT_SECONDS = 12;

/**
 * The smallest `withdrawalDelayEpochs` that keeps an exiting validator's stake until two challenge
 * periods have passed (docs/attested.md §6), at least 0.
 */
export function minWithdrawalDelayEpochs(
  a: { exitDelayEpochs: number; epochBlocks: number },
  challengePeriodSeconds: number,
): number {
  const epochs = Math.floor((2 * challengePeriodSeconds) / (a.epochBlocks * L1_SLOT_SECONDS)) + 1;
  return Math.max(epochs - a.exitDelayEpochs, 0);
}

/** Fills every missing field with its default. Does not validate (parse first, check rules after). */
export function withDefaults(input: ConfigInput): ChainConfig {
  const d = DEFAULTS;
  const vmIn = input.vm ?? {};
  const vm: VmConfig = {
    module: vmIn.module ?? d.vm.module,
    limits: { ...d.vm.limits, ...stripUndefined(vmIn.limits ?? {}) },
  };
  if (vmIn.stf !== undefined) vm.stf = vmIn.stf;
  if (vmIn.app !== undefined || vmIn.stf === undefined) vm.app = vmIn.app ?? d.defaultApp;

  const daIn = input.da ?? {};
  const da: DaConfig = { module: daIn.module ?? d.da.module };
  if (daIn.beaconUrl !== undefined) da.beaconUrl = daIn.beaconUrl;
  if (daIn.committee !== undefined || da.module === 'committee') {
    const c = daIn.committee ?? {};
    da.committee = {
      members: (c.members ?? []).map((m) => ({
        url: m.url ?? '',
        publicKey: m.publicKey ?? '0x',
        proofOfPossession: m.proofOfPossession ?? '0x',
      })),
      assumedHonest: c.assumedHonest ?? d.committee.assumedHonest,
      fallback: c.fallback ?? d.committee.fallback,
      timeoutMs: c.timeoutMs ?? d.committee.timeoutMs,
      retentionSeconds: c.retentionSeconds ?? d.committee.retentionSeconds,
      minLifetimeSeconds:
        c.minLifetimeSeconds ??
        (input.proof?.challengePeriodSeconds ?? d.proof.challengePeriodSeconds) +
          d.committee.lifetimeMarginSeconds,
    };
  }

  const stIn = input.settlement ?? {};
  const settlement: SettlementConfig = { module: stIn.module ?? d.settlement.module };
  if (stIn.rpcUrl !== undefined) settlement.rpcUrl = stIn.rpcUrl;
  else if (settlement.module === 'ethereum') settlement.rpcUrl = d.settlement.rpcUrl;
  if (stIn.parent !== undefined) {
    settlement.parent = { rpcUrl: stIn.parent.rpcUrl ?? '', chainId: stIn.parent.chainId ?? 0 };
  }

  const sqIn = input.sequencing ?? {};
  const sequencing: SequencingConfig = {
    module: sqIn.module ?? d.sequencing.module,
    maxDelaySeconds: sqIn.maxDelaySeconds ?? d.sequencing.maxDelaySeconds,
    batch: { ...d.sequencing.batch, ...stripUndefined(sqIn.batch ?? {}) },
  };
  if (sqIn.tickSeconds !== undefined) sequencing.tickSeconds = sqIn.tickSeconds;
  if (sqIn.committee !== undefined || sequencing.module === 'committee-rotation') {
    sequencing.committee = {
      members: (sqIn.committee?.members ?? []).filter((m) => m !== undefined),
      rotationSeconds: sqIn.committee?.rotationSeconds ?? d.rotationSeconds,
    };
  }

  const { attested: attIn, validity: valIn, ...prIn } = input.proof ?? {};
  const proof: ProofConfig = { ...d.proof, ...stripUndefined(prIn) };
  // docs/validity.md §4, §6: the prove window defaults to the challenge period
  if (valIn !== undefined || proof.module === 'validity' || proof.disputes === 'validity')
    proof.validity = {
      proveWindowSeconds: valIn?.proveWindowSeconds ?? proof.challengePeriodSeconds,
      ...(valIn?.ptau !== undefined ? { ptau: valIn.ptau } : {}),
    };
  if (attIn !== undefined || proof.module === 'attested') {
    const a = { ...d.attested, ...stripUndefined(attIn ?? {}) } as AttestedConfig;
    // default: long enough to keep a wrong-root signer's stake through a dispute (rules.ts)
    if (attIn?.withdrawalDelayEpochs === undefined)
      a.withdrawalDelayEpochs = Math.max(
        d.attested.withdrawalDelayEpochs,
        minWithdrawalDelayEpochs(a, proof.challengePeriodSeconds),
      );
    proof.attested = a;
  }

  return {
    chain: { ...d.chain, ...stripUndefined(input.chain ?? {}) },
    vm,
    proof,
    da,
    settlement,
    sequencing,
  };
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
