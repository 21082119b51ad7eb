/**
 * Fuzzing (docs/fuzzing.md): mutated committee certificates (docs/committee.md §3) into the
 * off-chain parser and check (`decodeCertificate`, `checkCertificate`) and into
 * `CommitteeKeysets.verifyCertificate` on anvil (one anvil for the file). Seeds: valid certificates
 * of a 5-member keyset (assumedHonest 3) with 0, 1 and 2 non-signers. Properties: every mutation
 * that changes the bytes is refused off chain (a DaInvalidPointerError from the parser, or a reason
 * from the check; nothing else thrown) and reverts on chain; the seeds pass both.
 */
import { bytesToHex, type Hex, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz, fuzzTimeout, mutate, mutateOnce } from '../../../test/fuzz/fuzz.ts';
import { blsKeyFromSeed, blsSign, proofOfPossession, signingMessage } from '../../crypto/bls.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { SettlementRevertError } from '../../settlement/ethereum/errors.ts';
import { DaInvalidPointerError } from '../errors.ts';
import {
  buildCertificate,
  checkCertificate,
  decodeCertificate,
  encodeCertificate,
  type Keyset,
} from './certificate.ts';
import { type CommitteeKeysetsClient, deployCommitteeKeysets } from './keysets.ts';

const members = Array.from({ length: 5 }, (_, i) => {
  const seed = new Uint8Array(32);
  seed[0] = 0x5a;
  seed[1] = i;
  return blsKeyFromSeed(seed);
});
const keyset: Keyset = { assumedHonest: 3, publicKeys: members.map((m) => m.publicKey) };

function certify(signers: number[], dataHash: Hex, expiry: bigint): Uint8Array {
  const m = signingMessage(dataHash, expiry);
  return encodeCertificate(
    buildCertificate(
      keyset,
      dataHash,
      expiry,
      new Map(signers.map((i) => [i, blsSign(members[i].secretKey, m)])),
    ),
  );
}

/** off chain: undefined when accepted, else the reason; throws only what is not a typed refusal */
function offChain(bytes: Uint8Array): string | undefined {
  let c: ReturnType<typeof decodeCertificate>;
  try {
    c = decodeCertificate(bytes);
  } catch (e) {
    if (e instanceof DaInvalidPointerError) return 'parse';
    throw e;
  }
  const reason = checkCertificate(keyset, c);
  return reason === undefined ? undefined : reason.split(':')[0];
}

let l1: L1;
let registry: CommitteeKeysetsClient;
let seeds: Uint8Array[] = [];
/** the chain's time when the seeds were made */
let now = 0n;

beforeAll(async () => {
  l1 = await startAnvil();
  registry = await deployCommitteeKeysets(l1);
  await registry.registerKeyset(
    keyset,
    members.map((m) => proofOfPossession(m.secretKey)),
  );
  now = (await l1.publicClient.getBlock()).timestamp;
  const far = now + 10n * 365n * 86_400n;
  seeds = [
    certify([0, 1, 2, 3, 4], keccak256(Uint8Array.of(1)), far),
    certify([0, 2, 4, 3], keccak256(Uint8Array.of(2)), far),
    certify([1, 3, 4], keccak256(Uint8Array.of(3)), far + 1n),
  ];
}, 120_000);

afterAll(async () => {
  await l1?.stop();
});

describe('fuzz: committee certificates', () => {
  it('the seeds pass the off-chain check and verifyCertificate', async () => {
    for (const s of seeds) {
      expect(offChain(s)).toBeUndefined();
      expect(await registry.verifyCertificate(s)).toBe(bytesToHex(s.subarray(33, 65)));
    }
  });

  it(
    'every mutated certificate is refused off chain (typed) and on chain',
    async () => {
      await fuzz('certificate', 1000, async (rng, _i, show) => {
        const seed = rng.pick(seeds);
        // mostly in place: a length change is refused by the first check
        const bytes = rng.chance(0.7)
          ? mutateOnce(rng, seed, seeds, rng.pick(['flip', 'set', 'boundary'] as const))
          : mutate(rng, seed, seeds);
        show(bytes);
        if (bytesToHex(bytes) === bytesToHex(seed)) return 'unchanged';
        const off = offChain(bytes);
        if (off === undefined) throw new Error('the off-chain check accepts a mutated certificate');
        let onChain: string | undefined;
        try {
          await registry.verifyCertificate(bytes);
        } catch (e) {
          // a typed revert; its error name is the off-chain check's (the parser's: the contract's
          // length and version checks)
          expect(e, (e as Error).message).toBeInstanceOf(SettlementRevertError);
          onChain = (e as SettlementRevertError).errorName;
        }
        if (onChain === undefined)
          throw new Error(`verifyCertificate accepts a mutated certificate (off chain: ${off})`);
        if (off === 'parse')
          expect(['MalformedCertificate', 'UnsupportedCertificateVersion']).toContain(onChain);
        // an expiry mutated into the past: the contract checks the clock before the signers (the
        // off-chain check has no clock; the changed expiry breaks the signature anyway)
        else if (onChain === 'CertificateExpired')
          expect(decodeCertificate(bytes).expiry).toBeLessThan(now + 3_600n);
        // a signature that is not a G1 point: the precompile refuses it on chain, blsVerify off chain
        else if (!(off === 'BadAggregateSignature' && onChain === 'PrecompileFailed'))
          expect(onChain, 'the same refusal on and off chain').toBe(off);
        return off === 'parse' ? onChain : off;
      });
    },
    fuzzTimeout(120_000),
  );
});
