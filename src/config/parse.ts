/**
 * Shape check of a raw config document (parsed JSON): types, ranges, allowed values, unknown
 * fields. Produces a ConfigInput (defaults not yet applied). Cross-field rules live in rules.ts.
 */
import type { Address, Hex } from '../core/types.ts';
import type { Issues } from './reader.ts';
import { ADDRESS, arr, HTTP_URL, int, join, obj, oneOf, RPC_URL, str } from './reader.ts';
import {
  BUILTIN_APPS,
  type ConfigInput,
  DA_FALLBACKS,
  DA_MODULES,
  DISPUTE_MODES,
  PROOF_MODULES,
  SEQUENCING_MODULES,
  SETTLEMENT_MODULES,
  VM_MODULES,
} from './types.ts';

/** docs/committee.md §1: G2 public key (256 bytes) and G1 proof of possession (128 bytes), hex. */
const BLS_PUBLIC_KEY = /^0x[0-9a-fA-F]{512}$/;
const BLS_POP = /^0x[0-9a-fA-F]{256}$/;

const DAY = 86_400;
/** Largest chain id that fits EIP-155 signing comfortably (2^53 - 1 keeps it a safe JS number). */
const MAX_CHAIN_ID = Number.MAX_SAFE_INTEGER;
const SECTIONS = ['$schema', 'chain', 'vm', 'proof', 'da', 'settlement', 'sequencing'];

export function parseConfigShape(raw: unknown, issues: Issues): ConfigInput {
  const root = obj(issues, '', raw, SECTIONS);
  if (raw === undefined) issues.add('', 'got nothing; expected a JSON object');
  if (!root) return {};
  const out: ConfigInput = {};

  const chain = obj(issues, 'chain', root.chain, ['name', 'chainId']);
  if (chain) {
    out.chain = {
      name: str(issues, 'chain.name', chain.name, {
        pattern: /^[a-z0-9][a-z0-9-]{0,62}$/,
        hint: 'lowercase letters, digits and dashes, at most 63 characters',
      }),
      chainId: int(issues, 'chain.chainId', chain.chainId, 1, MAX_CHAIN_ID),
    };
  }

  const vm = obj(issues, 'vm', root.vm, ['module', 'app', 'stf', 'limits']);
  if (vm) {
    const limits = obj(issues, 'vm.limits', vm.limits, [
      'maxStepsPerMessage',
      'maxMemoryPages',
      'maxTransactionsPerBlock',
    ]);
    out.vm = {
      module: oneOf(issues, 'vm.module', vm.module, VM_MODULES),
      app: oneOf(issues, 'vm.app', vm.app, BUILTIN_APPS),
      stf: str(issues, 'vm.stf', vm.stf, { hint: 'path to the STF .wasm, relative to the config file' }),
      limits: limits && {
        maxStepsPerMessage: int(
          issues,
          'vm.limits.maxStepsPerMessage',
          limits.maxStepsPerMessage,
          1,
          2 ** 53 - 1,
        ),
        maxMemoryPages: int(
          issues,
          'vm.limits.maxMemoryPages',
          limits.maxMemoryPages,
          1,
          65_536,
          '(64 KiB pages)',
        ),
        maxTransactionsPerBlock: int(
          issues,
          'vm.limits.maxTransactionsPerBlock',
          limits.maxTransactionsPerBlock,
          1,
          100_000,
        ),
      },
    };
  }

  const proof = obj(issues, 'proof', root.proof, [
    'module',
    'challengePeriodSeconds',
    'bond',
    'attested',
    'disputes',
    'validity',
  ]);
  if (proof) {
    const val = obj(issues, 'proof.validity', proof.validity, ['ptau', 'proveWindowSeconds']);
    const att = obj(issues, 'proof.attested', proof.attested, [
      'activeSize',
      'assumedHonest',
      'epochBlocks',
      'stake',
      'entryDelayEpochs',
      'exitDelayEpochs',
      'withdrawalDelayEpochs',
      'slashRewardPercent',
      'localValidators',
    ]);
    const p = (k: string) => `proof.attested.${k}`;
    out.proof = {
      module: oneOf(issues, 'proof.module', proof.module, PROOF_MODULES),
      challengePeriodSeconds: int(
        issues,
        'proof.challengePeriodSeconds',
        proof.challengePeriodSeconds,
        0,
        60 * DAY,
        'seconds (60 days at most)',
      ),
      bond: parseWei(issues, 'proof.bond', proof.bond),
      disputes: oneOf(issues, 'proof.disputes', proof.disputes, DISPUTE_MODES),
      // docs/validity.md §4, §6
      validity: val && {
        ptau: str(issues, 'proof.validity.ptau', val.ptau, {
          hint: 'a path to a ceremony .ptau file, relative to the config file',
        }),
        proveWindowSeconds: int(
          issues,
          'proof.validity.proveWindowSeconds',
          val.proveWindowSeconds,
          1,
          60 * DAY,
          'seconds (60 days at most)',
        ),
      },
      // docs/attested.md §1.1
      attested: att && {
        activeSize: int(issues, p('activeSize'), att.activeSize, 1, 255, 'members'),
        assumedHonest: int(issues, p('assumedHonest'), att.assumedHonest, 1, 255, 'members'),
        epochBlocks: int(issues, p('epochBlocks'), att.epochBlocks, 1, 1_000_000, 'L1 blocks'),
        stake: parseWei(issues, p('stake'), att.stake),
        entryDelayEpochs: int(issues, p('entryDelayEpochs'), att.entryDelayEpochs, 2, 1_000_000, 'epochs'),
        exitDelayEpochs: int(issues, p('exitDelayEpochs'), att.exitDelayEpochs, 2, 1_000_000, 'epochs'),
        withdrawalDelayEpochs: int(
          issues,
          p('withdrawalDelayEpochs'),
          att.withdrawalDelayEpochs,
          0,
          1_000_000,
          'epochs',
        ),
        slashRewardPercent: int(issues, p('slashRewardPercent'), att.slashRewardPercent, 0, 100, 'percent'),
        localValidators: int(issues, p('localValidators'), att.localValidators, 0, 1_024, 'validators'),
      },
    };
  }

  const da = obj(issues, 'da', root.da, ['module', 'committee', 'beaconUrl']);
  if (da) {
    const committee = obj(issues, 'da.committee', da.committee, [
      'members',
      'assumedHonest',
      'fallback',
      'timeoutMs',
      'retentionSeconds',
      'minLifetimeSeconds',
    ]);
    out.da = {
      module: oneOf(issues, 'da.module', da.module, DA_MODULES),
      beaconUrl: str(issues, 'da.beaconUrl', da.beaconUrl, { pattern: HTTP_URL, hint: 'an http(s) URL' }),
      committee: committee && {
        members: arr(issues, 'da.committee.members', committee.members)?.map((m, i) => {
          const p = join('da.committee.members', i);
          const member = obj(issues, p, m, ['url', 'publicKey', 'proofOfPossession']);
          if (!member) {
            if (m === undefined) issues.add(p, 'expected an object { url, publicKey, proofOfPossession }');
            return {};
          }
          return {
            url: str(issues, join(p, 'url'), member.url, { pattern: HTTP_URL, hint: 'an http(s) URL' }),
            publicKey: str(issues, join(p, 'publicKey'), member.publicKey, {
              pattern: BLS_PUBLIC_KEY,
              hint: 'a 0x-prefixed 256-byte BLS12-381 G2 public key (`npx modex da keygen` prints it)',
            }) as Hex | undefined,
            proofOfPossession: str(issues, join(p, 'proofOfPossession'), member.proofOfPossession, {
              pattern: BLS_POP,
              hint: 'a 0x-prefixed 128-byte proof of possession (`npx modex da keygen` prints it)',
            }) as Hex | undefined,
          };
        }),
        assumedHonest: int(issues, 'da.committee.assumedHonest', committee.assumedHonest, 1, 1_000),
        fallback: oneOf(issues, 'da.committee.fallback', committee.fallback, DA_FALLBACKS),
        timeoutMs: int(issues, 'da.committee.timeoutMs', committee.timeoutMs, 1, 600_000, 'milliseconds'),
        retentionSeconds: int(
          issues,
          'da.committee.retentionSeconds',
          committee.retentionSeconds,
          1,
          365 * DAY,
          'seconds (365 days at most)',
        ),
        minLifetimeSeconds: int(
          issues,
          'da.committee.minLifetimeSeconds',
          committee.minLifetimeSeconds,
          1,
          365 * DAY,
          'seconds (365 days at most)',
        ),
      },
    };
  }

  const st = obj(issues, 'settlement', root.settlement, ['module', 'rpcUrl', 'parent']);
  if (st) {
    const parent = obj(issues, 'settlement.parent', st.parent, ['rpcUrl', 'chainId']);
    const rpcUrl =
      st.rpcUrl === 'embedded'
        ? 'embedded'
        : str(issues, 'settlement.rpcUrl', st.rpcUrl, {
            pattern: RPC_URL,
            hint: '"embedded" or an http(s)/ws(s) JSON-RPC URL',
          });
    out.settlement = {
      module: oneOf(issues, 'settlement.module', st.module, SETTLEMENT_MODULES),
      rpcUrl,
      parent: parent && {
        rpcUrl: str(issues, 'settlement.parent.rpcUrl', parent.rpcUrl, {
          pattern: RPC_URL,
          hint: "the parent modex node's http(s)/ws(s) JSON-RPC URL",
        }),
        chainId: int(issues, 'settlement.parent.chainId', parent.chainId, 1, MAX_CHAIN_ID),
      },
    };
  }

  const sq = obj(issues, 'sequencing', root.sequencing, [
    'module',
    'maxDelaySeconds',
    'batch',
    'tickSeconds',
    'committee',
  ]);
  if (sq) {
    const batch = obj(issues, 'sequencing.batch', sq.batch, ['maxBytes', 'maxAgeSeconds']);
    const committee = obj(issues, 'sequencing.committee', sq.committee, ['members', 'rotationSeconds']);
    out.sequencing = {
      module: oneOf(issues, 'sequencing.module', sq.module, SEQUENCING_MODULES),
      maxDelaySeconds: int(issues, 'sequencing.maxDelaySeconds', sq.maxDelaySeconds, 1, 30 * DAY, 'seconds'),
      batch: batch && {
        maxBytes: int(issues, 'sequencing.batch.maxBytes', batch.maxBytes, 1_024, 16 * 1024 * 1024, 'bytes'),
        maxAgeSeconds: int(issues, 'sequencing.batch.maxAgeSeconds', batch.maxAgeSeconds, 1, DAY, 'seconds'),
      },
      tickSeconds: int(issues, 'sequencing.tickSeconds', sq.tickSeconds, 1, DAY, 'seconds'),
      committee: committee && {
        members: arr(issues, 'sequencing.committee.members', committee.members)?.map(
          (m, i) =>
            str(issues, join('sequencing.committee.members', i), m, {
              pattern: ADDRESS,
              hint: 'a 0x-prefixed 20-byte hex address',
            }) as Address,
        ),
        rotationSeconds: int(
          issues,
          'sequencing.committee.rotationSeconds',
          committee.rotationSeconds,
          1,
          30 * DAY,
          'seconds',
        ),
      },
    };
  }
  return out;
}

/** Wei amounts: a decimal string (JSON numbers lose precision above 2^53) or a safe integer. */
function parseWei(issues: Issues, path: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && /^(0|[1-9][0-9]{0,77})$/.test(v)) return v;
  issues.add(
    path,
    `got ${JSON.stringify(v)}; expected an amount in wei as a decimal string, e.g. "1000000000000000000"`,
  );
  return undefined;
}
