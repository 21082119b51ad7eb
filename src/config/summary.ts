import type { ChainConfig } from './types.ts';

/** One-line description of a chain config, e.g. for `modex config check` and `modex devnet`. */
export function summarizeConfig(c: ChainConfig): string {
  const stf = c.vm.app ? `app ${c.vm.app}` : `stf ${c.vm.stf}`;
  const a = c.proof.attested;
  const proof =
    c.proof.module === 'attested' && a
      ? `attested proofs (committees of ${a.activeSize}, ${a.assumedHonest} assumed honest, epochs of ${a.epochBlocks} L1 blocks, ` +
        `stake ${formatWei(a.stake)}; fallback: challenge ${formatSeconds(c.proof.challengePeriodSeconds)}, bond ${formatWei(c.proof.bond)})`
      : c.proof.module === 'fraud' && c.proof.disputes === 'validity'
        ? `fraud proofs with hybrid disputes (challenge ${formatSeconds(c.proof.challengePeriodSeconds)}, bond ${formatWei(c.proof.bond)}; a challenge is decided by a validity proof within ${formatSeconds(c.proof.validity?.proveWindowSeconds ?? c.proof.challengePeriodSeconds)})`
        : c.proof.module === 'fraud' || c.proof.module === 'attested'
          ? `${c.proof.module} proofs (challenge ${formatSeconds(c.proof.challengePeriodSeconds)}, bond ${formatWei(c.proof.bond)})`
          : c.proof.module === 'validity'
            ? `validity proofs (zk-rollup: each assertion confirmed by a Groth16 proof${c.proof.validity?.ptau ? '' : ', INSECURE development keys'})`
            : `${c.proof.module} proofs`;
  const da =
    c.da.module === 'committee' && c.da.committee
      ? `committee DA (${c.da.committee.members.length} members, ${c.da.committee.assumedHonest} assumed honest, fallback ${c.da.committee.fallback})`
      : `${c.da.module} DA`;
  const st =
    c.settlement.module === 'ethereum'
      ? `ethereum settlement (${c.settlement.rpcUrl === 'embedded' ? 'embedded anvil' : c.settlement.rpcUrl})`
      : c.settlement.module === 'modex'
        ? `modex settlement (parent chain ${c.settlement.parent?.chainId})`
        : 'sovereign';
  const ticks =
    c.sequencing.tickSeconds === undefined
      ? ''
      : `, L1 time every ${formatSeconds(c.sequencing.tickSeconds)}`;
  const sq = `${c.sequencing.module} sequencer (forced inclusion after ${formatSeconds(c.sequencing.maxDelaySeconds)}${ticks})`;
  return `${c.chain.name} (chain id ${c.chain.chainId}): ${c.vm.module} VM with ${stf}, ${proof}, ${da}, ${st}, ${sq}`;
}

export function formatSeconds(s: number): string {
  if (s % 86_400 === 0 && s > 0) return `${s / 86_400}d`;
  if (s % 3_600 === 0 && s > 0) return `${s / 3_600}h`;
  if (s % 60 === 0 && s > 0) return `${s / 60}m`;
  return `${s}s`;
}

export function formatWei(wei: string): string {
  const v = BigInt(wei);
  const unit = 10n ** 18n;
  if (v % unit === 0n) return `${v / unit} ETH`;
  if (v % 10n ** 9n === 0n) return `${v / 10n ** 9n} gwei`;
  return `${v} wei`;
}
