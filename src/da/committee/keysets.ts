/**
 * viem bindings of the committee's keyset registry and certificate check
 * (contracts/da/CommitteeKeysets.sol, docs/committee.md §2, §4): deployment, keyset registration
 * (with every member's proof of possession) and invalidation, the certificate check as an
 * `eth_call`, and its gas. Reverts surface as SettlementRevertError with contract
 * `CommitteeKeysets` (codes `COMMITTEE_KEYSETS_*`) and the messages below.
 */
import { type Abi, type Address, bytesToHex, type Hex, parseEventLogs } from 'viem';
import type { L1, L1WalletClient } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { ContractClient } from '../../settlement/ethereum/contract-client.ts';
import {
  registerRevertDescriptions,
  SettlementTxError,
  toSettlementError,
} from '../../settlement/ethereum/errors.ts';
import type { L1Clients, TxResult } from '../../settlement/ethereum/inbox.ts';
import { type Keyset, keysetHash } from './certificate.ts';

const CONTRACT = 'CommitteeKeysets';

/** docs/committee.md §4.4: what each CommitteeKeysets revert means and what to do. */
registerRevertDescriptions(CONTRACT, {
  NotOwner: ([caller]) =>
    `${caller} is not the registry's owner; register and invalidate keysets from the owner account`,
  ZeroOwner: () => 'the registry owner cannot be the zero address',
  BadKeysetSize: ([n, h]) =>
    `a keyset has 1..255 members and 1 ≤ assumedHonest ≤ n (got n = ${n}, assumedHonest = ${h})`,
  ProofCountMismatch: ([pks, pops]) =>
    `${pks} public keys but ${pops} proofs of possession; give one proof per key, in order`,
  BadPublicKey: ([i]) => `public key ${i} is not a 256-byte EIP-2537 G2 point other than the identity`,
  DuplicateMember: ([i]) => `public key ${i} appears twice in the keyset; each member once`,
  BadProofOfPossession: ([i]) =>
    `member ${i}'s proof of possession does not verify (proofOfPossession(secretKey) signs the 256-byte public key under the PoP DST)`,
  KeysetAlreadyRegistered: ([h]) =>
    `keyset ${h} is already registered (or was, and is invalidated; invalidation is permanent)`,
  UnknownKeyset: ([h]) =>
    `keyset ${h} is not registered on this CommitteeKeysets contract; register it first`,
  KeysetInvalidated: ([h]) => `keyset ${h} is invalidated (rotated out); sign with the current keyset`,
  MalformedCertificate: ([len]) =>
    `a certificate of ${len} bytes does not parse as certificate v1 (docs/committee.md §3)`,
  UnsupportedCertificateVersion: ([v]) => `certificate version ${v} is not supported (only 1)`,
  CertificateExpired: ([expiry, now]) =>
    `the certificate expired at ${expiry} (L1 time is ${now}); get a fresh certificate or post the batch to L1`,
  TooManyNonSigners: ([count, max]) => `${count} members did not sign; the keyset allows at most ${max}`,
  AggregateKeyMismatch: ([given, registered]) =>
    `the certificate's aggregate key hashes to ${given}, not the keyset's ${registered}; it must be the sum of ALL members' keys`,
  NotAMember: ([h]) => `non-signer key with hash ${h} is not a member of the keyset`,
  NonSignersNotSorted: ([i]) =>
    `non-signer ${i} is not after the previous one by keccak256(publicKey) (sorted, no duplicates)`,
  BadAggregateSignature: () =>
    "the aggregate signature does not verify over (dataHash, expiry) against the signers' key (aggregateKey − Σ nonSigners)",
  PrecompileFailed: ([a]) =>
    `precompile ${a} rejected its input (a point in the certificate is not a valid EIP-2537 encoding on the curve / in the subgroup) or is missing (a chain before Prague)`,
  BlsPrecompilesMissing: () =>
    'this chain lacks the EIP-2537 BLS12-381 precompiles (it runs a hardfork before Prague): committee certificates cannot be checked here; settle on a Prague chain or use l1-calldata / l1-blob DA',
});

/** docs/committee.md §2.3: the stored record of a keyset. */
export interface KeysetInfo {
  registered: boolean;
  invalidated: boolean;
  assumedHonest: number;
  size: number;
  maxNonSigners: number;
  registeredAt: bigint;
  invalidatedAt: bigint;
  aggregateKeyHash: Hex;
}

/** The gas of a `verifyCertificate` call (eth_estimateGas) and its parts. */
export interface CertificateGas {
  /** eth_estimateGas of a transaction calling verifyCertificate(certificate) */
  total: bigint;
  /** the 21,000 of any transaction */
  base: bigint;
  /** 4 / 16 gas per zero / non-zero byte of the ABI-encoded call */
  calldata: bigint;
  /** the rest: what the check itself costs */
  execution: bigint;
}

let abiCache: Promise<Abi> | undefined;
/** The CommitteeKeysets ABI (from the compiled artifact). */
export function committeeKeysetsAbi(): Promise<Abi> {
  abiCache ??= getArtifact(CONTRACT).then((a) => a.abi);
  return abiCache;
}

/** Deploys CommitteeKeysets(owner) from `from` (default the L1's first account; owner default: `from`). */
export async function deployCommitteeKeysets(
  l1: L1,
  opts: { owner?: Address; from?: L1WalletClient } = {},
): Promise<CommitteeKeysetsClient> {
  const from = opts.from ?? l1.walletClient;
  const artifact = await getArtifact(CONTRACT);
  let d: Awaited<ReturnType<typeof deploy>>;
  try {
    d = await deploy(l1, artifact, [opts.owner ?? from.account.address], { from });
  } catch (e) {
    throw toSettlementError(e, CONTRACT, `deploying ${CONTRACT}`, artifact.abi);
  }
  return CommitteeKeysetsClient.attach({ publicClient: l1.publicClient, walletClient: from }, d.address);
}

const u8 = (b: Uint8Array) => bytesToHex(b);

/** Client of one deployed CommitteeKeysets. Writes are signed by `walletClient` (see `connect`). */
export class CommitteeKeysetsClient extends ContractClient {
  static async attach(c: L1Clients, address: Address): Promise<CommitteeKeysetsClient> {
    return new CommitteeKeysetsClient(c, address, await committeeKeysetsAbi(), CONTRACT);
  }

  /** The same contract, with writes signed by `wallet`. */
  connect(wallet: L1WalletClient): CommitteeKeysetsClient {
    return new CommitteeKeysetsClient(
      { publicClient: this.clients.publicClient, walletClient: wallet },
      this.address,
      this.abi,
      CONTRACT,
    );
  }

  /** §2.2: registers `keyset` (pops[i] = proofOfPossession of member i); owner only. */
  async registerKeyset(keyset: Keyset, pops: Uint8Array[]): Promise<TxResult & { keysetHash: Hex }> {
    const r = await this.send('registerKeyset', [
      keyset.assumedHonest,
      keyset.publicKeys.map(u8),
      pops.map(u8),
    ]);
    const [ev] = parseEventLogs({ abi: this.abi, logs: r.receipt.logs, eventName: 'KeysetRegistered' });
    const got = (ev as unknown as { args: { keysetHash: Hex } } | undefined)?.args.keysetHash;
    const expected = keysetHash(keyset);
    if (got !== expected) {
      throw new SettlementTxError(
        `CommitteeKeysets registered keyset ${got}, but docs/committee.md §2.1 gives ${expected}: the contract and this client disagree`,
      );
    }
    return { ...r, keysetHash: expected };
  }

  /** §2.4: refuses the keyset's certificates from now on; owner only. */
  invalidateKeyset(hash: Hex): Promise<TxResult> {
    return this.send('invalidateKeyset', [hash]);
  }

  /** §2.3: the stored record (all zero/false when unknown). */
  async keysetInfo(hash: Hex): Promise<KeysetInfo> {
    return { ...(await this.read<KeysetInfo>('keysetInfo', [hash])) };
  }

  /** §4: the certificate's data hash if it is valid now, else a typed revert (COMMITTEE_KEYSETS_*). */
  verifyCertificate(certificate: Uint8Array): Promise<Hex> {
    return this.read<Hex>('verifyCertificate', [u8(certificate)]);
  }

  /** §4.5: eth_estimateGas of a verifyCertificate transaction, and its parts (typed revert if invalid). */
  async certificateGas(certificate: Uint8Array): Promise<CertificateGas> {
    const args = [u8(certificate)] as const;
    let total: bigint;
    try {
      total = await this.clients.publicClient.estimateContractGas({
        address: this.address,
        abi: this.abi,
        functionName: 'verifyCertificate',
        args,
        account: this.clients.walletClient.account,
      });
    } catch (e) {
      throw toSettlementError(e, CONTRACT, `${CONTRACT}.verifyCertificate (estimateGas)`);
    }
    const data = this.encode('verifyCertificate', args);
    let calldata = 0n;
    for (let i = 2; i < data.length; i += 2) calldata += data.slice(i, i + 2) === '00' ? 4n : 16n;
    const base = 21_000n;
    return { total, base, calldata, execution: total - base - calldata };
  }
}
