/**
 * Cross-field rules on a complete config: planned modules are refused, and so are module
 * combinations that cannot work. Every rule says why. Documented in docs/config.md.
 */
import { VALIDITY_APP_NAMES, whyNoValidityCircuit } from '../apps/validity-apps.ts';
import { DEFAULTS, L1_SLOT_SECONDS, minWithdrawalDelayEpochs } from './defaults.ts';
import { type Layer, MODULE_STATUS, modulesWithStatus } from './modules.ts';
import type { Issues } from './reader.ts';
import type { ChainConfig } from './types.ts';

/** anvil's chain id: the settlement chain id when settlement.rpcUrl is "embedded". */
export const EMBEDDED_L1_CHAIN_ID = 31_337;
/** Usable batch bytes per transport. Calldata: stay under the 128 KiB tx size limit; blobs: 6 blobs × 126,976 stream bytes − the 4-byte length (docs/blob.md §1). */
export const DA_MAX_BATCH_BYTES = { 'l1-calldata': 120_000, 'l1-blob': 6 * 126_976 - 4 } as const;

/**
 * docs/committee.md §5: a certificate must outlive the challenge period by this margin (1 day), so a
 * validator offline for less than the margin when a batch is posted can still fetch it and dispute.
 */
export const CERTIFICATE_LIFETIME_MARGIN_SECONDS = DEFAULTS.committee.lifetimeMarginSeconds;
/**
 * The batcher asks for at least this much more than the inbox's minimum (1 hour): a certificate is
 * posted after it is signed (the signature timeout, L1 inclusion); one that lands later is refused
 * by the inbox and the batch goes through the fallback.
 */
export const CERTIFICATE_POSTING_ALLOWANCE_SECONDS = 3_600;

/** `baseDir`: the config file's directory, against which a relative `vm.stf` resolves (default: cwd). */
export function checkRules(c: ChainConfig, issues: Issues, o: { baseDir?: string } = {}): void {
  checkImplemented(c, issues);
  const { proof, da, settlement: st, sequencing: sq, vm } = c;

  // vm
  if (vm.app !== undefined && vm.stf !== undefined) {
    issues.add('vm.stf', 'set either vm.app (a built-in STF) or vm.stf (a path to your .wasm), not both');
  }
  if (vm.app !== undefined && vm.module !== 'wasm') {
    issues.add('vm.app', `built-in apps are wasm STFs; they cannot run on vm.module "${vm.module}"`);
  }

  // proof <-> settlement
  if (proof.module === 'none' && st.module !== 'sovereign') {
    issues.add(
      'proof.module',
      `"none" requires settlement.module "sovereign": without proofs, settlement "${st.module}" could not check state claims and its bridge would be unsafe`,
    );
  }
  if (proof.module !== 'none' && st.module === 'sovereign') {
    issues.add(
      'proof.module',
      `"${proof.module}" proofs need contracts to verify them: use settlement.module "ethereum" or "modex", or proof.module "none" for a sovereign chain`,
    );
  }
  if ((proof.module === 'fraud' || proof.module === 'attested') && proof.challengePeriodSeconds < 1) {
    issues.add(
      'proof.challengePeriodSeconds',
      `got 0; "${proof.module}" proofs need a challenge period of at least 1 second for a dispute to be possible`,
    );
  }
  if ((proof.module === 'fraud' || proof.module === 'attested') && BigInt(proof.bond) === 0n) {
    issues.add(
      'proof.bond',
      `got "0"; "${proof.module}" proofs need a non-zero bond so that a wrong assertion costs something`,
    );
  }

  // docs/validity.md §6: hybrid disputes are a mode of the fraud module
  if (proof.disputes === 'validity' && proof.module !== 'fraud') {
    issues.add(
      'proof.disputes',
      `"validity" decides rival assertions of proof.module "fraud" by one validity proof; with "${proof.module}" use "bisection"`,
    );
  }
  if (proof.module === 'validity' || proof.disputes === 'validity') {
    const what = proof.module === 'validity' ? 'proof.module "validity"' : 'proof.disputes "validity"';
    const why = whyNoValidityCircuit(vm, o.baseDir);
    if (why !== undefined)
      issues.add(
        vm.stf !== undefined ? 'vm.stf' : 'vm.app',
        vm.stf !== undefined
          ? `${what} needs an app that ships a validity circuit: ${why}`
          : `${what} needs an app that ships a validity circuit (built-in: ${VALIDITY_APP_NAMES.map((n) => `"${n}"`).join(', ')}); ${vm.app !== undefined ? `"${vm.app}"` : 'the app'} has none (docs/validity.md §6; an app built with \`modex build\` gets one from the "validity" section of its modex.app.json, §8)`,
      );
    if (da.module !== 'l1-calldata')
      issues.add(
        'da.module',
        `${what} reads the batches on L1 to bind the proof to them: use "l1-calldata" (got "${da.module}", docs/validity.md §5)`,
      );
  }
  if (proof.validity !== undefined && proof.module !== 'validity' && proof.disputes !== 'validity') {
    issues.add(
      'proof.validity',
      `only used by proof.module "validity" or proof.disputes "validity"; remove it for "${proof.module}"`,
    );
  }

  if (proof.module === 'attested') checkAttested(c, issues);
  else if (proof.attested !== undefined) {
    issues.add('proof.attested', `only used by proof.module "attested"; remove it for "${proof.module}"`);
  }

  // settlement
  // a sovereign chain's inbox is on L1 too (docs/sovereign.md §1, §6)
  const onL1 = st.module === 'ethereum' || st.module === 'sovereign';
  if (onL1 && st.rpcUrl === undefined) {
    issues.add(
      'settlement.rpcUrl',
      `required for settlement "${st.module}": "embedded" (start anvil) or a JSON-RPC URL`,
    );
  }
  if (!onL1 && st.rpcUrl !== undefined) {
    issues.add('settlement.rpcUrl', `only used by settlement "ethereum"; remove it for "${st.module}"`);
  }
  if (st.module === 'modex' && st.parent === undefined) {
    issues.add(
      'settlement.parent',
      'required for settlement "modex" (L3): { "rpcUrl": ..., "chainId": ... } of the parent chain',
    );
  }
  if (st.module !== 'modex' && st.parent !== undefined) {
    issues.add('settlement.parent', `only used by settlement "modex"; remove it for "${st.module}"`);
  }
  if (onL1 && st.rpcUrl === 'embedded' && c.chain.chainId === EMBEDDED_L1_CHAIN_ID) {
    issues.add(
      'chain.chainId',
      `got ${EMBEDDED_L1_CHAIN_ID}, the id of the embedded settlement chain (anvil); L2 and L1 must differ or signed transactions replay across them`,
    );
  }
  if (st.module === 'modex' && st.parent && st.parent.chainId === c.chain.chainId) {
    issues.add(
      'chain.chainId',
      `got ${c.chain.chainId}, the same as settlement.parent.chainId; a chain cannot settle on itself`,
    );
  }

  // da
  const blobPath =
    da.module === 'l1-blob'
      ? 'da.module'
      : da.committee?.fallback === 'l1-blob'
        ? 'da.committee.fallback'
        : undefined;
  if (blobPath && st.module !== 'ethereum') {
    issues.add(
      blobPath,
      `"l1-blob" needs EIP-4844 blobs, which only settlement "ethereum" has (got "${st.module}"); use "l1-calldata"`,
    );
  }
  if (st.module === 'sovereign' && da.module === 'committee') {
    issues.add(
      'da.module',
      '"committee" certificates are checked by a keyset contract beside the inbox, which a sovereign chain (the inbox alone on L1, docs/sovereign.md §1) does not deploy; use "l1-calldata"',
    );
  }
  if (da.module === 'committee') checkCommittee(c, issues);
  else if (da.committee !== undefined) {
    issues.add('da.committee', `only used by da.module "committee"; remove it for "${da.module}"`);
  }
  const transport = da.module === 'committee' ? da.committee?.fallback : da.module;
  if (transport && sq.batch.maxBytes > DA_MAX_BATCH_BYTES[transport]) {
    const via =
      da.module === 'committee' ? ` (the committee's fallback must be able to carry any batch)` : '';
    issues.add(
      'sequencing.batch.maxBytes',
      `got ${sq.batch.maxBytes}; "${transport}" carries at most ${DA_MAX_BATCH_BYTES[transport]} bytes per batch${via}`,
    );
  }

  // sequencing
  if (sq.module === 'committee-rotation') {
    const members = sq.committee?.members ?? [];
    if (members.length < 2) {
      issues.add(
        'sequencing.committee.members',
        `got ${members.length} member(s); rotation needs at least 2 sequencer addresses`,
      );
    }
  } else if (sq.committee !== undefined) {
    issues.add(
      'sequencing.committee',
      `only used by sequencing.module "committee-rotation"; remove it for "${sq.module}"`,
    );
  }
  // L1-time ticks (docs/inbox.md §6.4): the inbox of "ethereum" and "sovereign" (the same contract,
  // docs/sovereign.md §1) has tick(); among the built-in apps only the EVM reads them (the others
  // answer unknown_kind), so a tick would pay L1 gas and an inbox message for nothing
  if (sq.tickSeconds !== undefined && vm.app !== undefined && vm.app !== 'evm') {
    issues.add(
      'sequencing.tickSeconds',
      `the built-in app "${vm.app}" ignores L1-time ticks (only "evm" reads them, docs/evm.md "Time"); each tick would cost about 80k L1 gas for nothing: remove sequencing.tickSeconds`,
    );
  }
}

function checkCommittee(c: ChainConfig, issues: Issues): void {
  const com = c.da.committee;
  if (!com) return;
  const n = com.members.length;
  if (n === 0) {
    issues.add(
      'da.committee.members',
      'got no members; committee DA needs at least one member { url, address }',
    );
    return;
  }
  if (com.assumedHonest > n) {
    issues.add(
      'da.committee.assumedHonest',
      `got ${com.assumedHonest}; cannot exceed the number of members (${n}); a certificate needs members - assumedHonest + 1 signatures`,
    );
  }
  const seen = new Map<string, number>();
  com.members.forEach((m, i) => {
    const key = (m.publicKey ?? '').toLowerCase();
    const first = seen.get(key);
    if (first !== undefined && key !== '') {
      issues.add(
        `da.committee.members[${i}].publicKey`,
        `duplicate of members[${first}].publicKey; each member needs its own key (\`npx modex da keygen\`)`,
      );
    } else seen.set(key, i);
  });
  // issue 19 (4): members may delete a batch at its certificate's expiry; it must outlive the
  // challenge period by a margin, or a validator offline meanwhile can never derive the chain
  const challenge = c.proof.challengePeriodSeconds;
  const minLifetime = com.minLifetimeSeconds ?? challenge + CERTIFICATE_LIFETIME_MARGIN_SECONDS;
  const retention = com.retentionSeconds ?? DEFAULTS.committee.retentionSeconds;
  const floor = challenge + CERTIFICATE_LIFETIME_MARGIN_SECONDS;
  if (minLifetime < floor) {
    issues.add(
      'da.committee.minLifetimeSeconds',
      `got ${minLifetime}; must be at least proof.challengePeriodSeconds (${challenge}) + a margin of ${CERTIFICATE_LIFETIME_MARGIN_SECONDS} s (1 day) = ${floor}: ` +
        'members may delete a batch when its certificate expires, and a validator that was offline must still be able to fetch it and dispute',
    );
  }
  const want = Math.max(minLifetime, floor) + CERTIFICATE_POSTING_ALLOWANCE_SECONDS;
  if (retention < want) {
    issues.add(
      'da.committee.retentionSeconds',
      `got ${retention}; must be at least da.committee.minLifetimeSeconds (${Math.max(minLifetime, floor)}, itself at least proof.challengePeriodSeconds + 1 day) ` +
        `+ ${CERTIFICATE_POSTING_ALLOWANCE_SECONDS} s for signing and posting = ${want}: the inbox refuses a certificate with less lifetime left ` +
        '(and the members run with --min-retention ≤ this ≤ --max-retention)',
    );
  }
}

/** docs/attested.md §1.1: the committee's parameters together. */
function checkAttested(c: ChainConfig, issues: Issues): void {
  const a = c.proof.attested;
  if (!a) return;
  if (a.assumedHonest > a.activeSize) {
    issues.add(
      'proof.attested.assumedHonest',
      `got ${a.assumedHonest}; cannot exceed proof.attested.activeSize (${a.activeSize}): a quorum is activeSize − assumedHonest + 1 signatures`,
    );
  }
  if (BigInt(a.stake) === 0n) {
    issues.add(
      'proof.attested.stake',
      'got "0"; validators need a non-zero stake so that equivocation and wrong roots cost something (docs/attested.md §5)',
    );
  }
  // docs/attested.md §6: a wrong-root signer who exits at once must still be slashable once the
  // dispute is over (at most about two challenge periods: ours and the rival's timers)
  const heldSeconds = (a.exitDelayEpochs + a.withdrawalDelayEpochs) * a.epochBlocks * L1_SLOT_SECONDS;
  const needed = 2 * c.proof.challengePeriodSeconds;
  if (heldSeconds <= needed) {
    issues.add(
      'proof.attested.withdrawalDelayEpochs',
      `got ${a.withdrawalDelayEpochs}; a validator that exits gets its stake back after (exitDelayEpochs ${a.exitDelayEpochs} + withdrawalDelayEpochs) × epochBlocks ${a.epochBlocks} × ${L1_SLOT_SECONDS} s = ${heldSeconds} s, ` +
        `which must exceed 2 × proof.challengePeriodSeconds = ${needed} s, or a member who signed a wrong root leaves before the dispute can slash it (docs/attested.md §6); ` +
        `use at least ${minWithdrawalDelayEpochs(a, c.proof.challengePeriodSeconds)}`,
    );
  }
  if (a.localValidators > 0 && a.localValidators < a.assumedHonest) {
    issues.add(
      'proof.attested.localValidators',
      `got ${a.localValidators}; an epoch needs at least proof.attested.assumedHonest (${a.assumedHonest}) eligible validators to be sealed (docs/attested.md §2.2); use 0 for none`,
    );
  }
}

function checkImplemented(c: ChainConfig, issues: Issues): void {
  const layers: Layer[] = ['vm', 'proof', 'da', 'settlement', 'sequencing'];
  for (const layer of layers) {
    const name = c[layer].module;
    const status = (MODULE_STATUS[layer] as Record<string, string>)[name];
    if (status === 'planned') {
      issues.add(
        `${layer}.module`,
        `"${name}" is not implemented yet (planned); implemented: ${modulesWithStatus(layer, 'implemented')
          .map((m) => `"${m}"`)
          .join(', ')}`,
      );
    }
  }
}
