/**
 * Errors of the settlement inbox and bridge bindings. Every custom error of Inbox.sol and Bridge.sol
 * (docs/inbox.md §9) surfaces as an InboxRevertError or BridgeRevertError whose `code` is stable
 * (`INBOX_` / `BRIDGE_` + the Solidity error name in SCREAMING_SNAKE_CASE) and whose message says
 * what to do; `errorName` and `args` carry the decoded revert.
 */
import { type Abi, BaseError, ContractFunctionRevertedError, decodeErrorResult, type Hex } from 'viem';
import { ModexError } from '../../core/errors.ts';

/** Contract names the bindings know; any other settlement contract name works too (generic messages). */
export type SettlementContract = 'Inbox' | 'Bridge' | (string & {});

/** Explains a decoded revert (its arguments in ABI order) and says what to do. */
export type DescribeRevert = (args: readonly unknown[]) => string;
type Describe = DescribeRevert;

/** docs/inbox.md §9: what each inbox revert means and what to do about it. */
const INBOX_ERRORS: Record<string, Describe> = {
  ZeroAddress: () => 'an address argument is the zero address; pass a real sequencer / bridge address',
  NotDeployer: ([caller]) =>
    `initializeBridge / initializeCertificateVerifier was called by ${caller}, not by the inbox's deployer; call it from the deploying account`,
  CertificateVerifierAlreadyInitialized: ([v]) =>
    `the inbox's certificate verifier is already set to ${v}; it can be set once only (rotate keysets in that verifier instead)`,
  ZeroCertificateLifetime: () =>
    "the inbox's shortest certificate lifetime must be positive; pass da.committee.minLifetimeSeconds (at least proof.challengePeriodSeconds + 86400)",
  CertificateLifetimeTooShort: ([expiry, minExpiry]) =>
    `the certificate expires at ${expiry}, before ${minExpiry} (this block's time + the inbox's minimum certificate lifetime): ` +
    'its members may delete the data before a validator can fetch it; certify again with a later expiry ' +
    '(da.committee.retentionSeconds above da.committee.minLifetimeSeconds plus the posting delay) or post the batch through the fallback',
  BlobBatchPayloadNotEmpty: ([len]) =>
    `a blob batch (kind 0x02) carries its data in blobs; its payload must be empty (got ${len} bytes)`,
  NoBlobs: () =>
    'a blob batch (kind 0x02) was posted by a transaction without blobs; send postBatch as an EIP-4844 (type-3) transaction',
  BridgeAlreadyInitialized: ([bridge]) =>
    `the inbox's bridge is already set to ${bridge}; it can be set once only (deploy a new inbox to change it)`,
  NotSequencer: ([caller]) =>
    `${caller} is not the inbox's sequencer; post batches and include delayed messages from the sequencer account`,
  NotBridge: ([caller]) =>
    `${caller} is not the inbox's bridge; deposits are enqueued only by Bridge.depositEth (was initializeBridge called?)`,
  NotDirectCall: ([sender, origin]) =>
    `postBatch must be the top-level call of a transaction sent by an account without code (sender ${sender}, ` +
    `origin ${origin}); send it directly from the sequencer EOA, not through a contract or an EIP-7702 delegation`,
  BatchAlreadyPosted: ([seq, count]) =>
    `batch ${seq} is already posted (batchCount = ${count}); if this is a retry, the first attempt landed: read batchCount before posting the next batch`,
  SequenceNumberGap: ([seq, count]) =>
    `batch sequence number ${seq} skips ahead of batchCount = ${count}; post batch ${count} first`,
  UnsupportedBatchKind: ([kind]) =>
    `batch kind ${kind} is not supported: 0x00 (transaction list), 0x02 (blobs), 0x03 (certificate, once the deployer registered a certificate verifier) and 0x04 (brotli list); 0x01 (deposit) and 0x05 (tick) are written by the inbox only`,
  DelayedReadBehind: ([read, included]) =>
    `delayedRead ${read} is below delayedIncluded = ${included} (those delayed messages are already in the inbox, e.g. forced); read delayedIncluded and retry`,
  DelayedReadBeyondCount: ([read, count]) =>
    `delayedRead ${read} is beyond delayedCount = ${count}; only sent delayed messages can be included`,
  NothingToInclude: ([read]) =>
    `delayedRead ${read} equals delayedIncluded: there is no delayed message to include`,
  ForceInclusionTooEarly: ([index, allowedAt]) =>
    `delayed message ${index} can be forced from L1 time ${allowedAt} on (its timestamp + maxDelaySeconds); wait and retry`,
  TickTooSoon: ([block]) =>
    `a tick was already queued in this L1 block (${block}); at most one tick per L1 block (docs/inbox.md §6.4): retry in a later block`,
  MessageTooLarge: ([len, max]) =>
    `the transaction list is ${len} bytes; the delayed inbox accepts at most ${max}; split it into several messages`,
  AccumulatorOutOfRange: ([n, count]) =>
    `accumulator(${n}) asked for more messages than the inbox holds (${count})`,
  PositionOutOfRange: ([pos, count]) => `inbox position ${pos} does not exist yet (messageCount = ${count})`,
  DelayedIndexOutOfRange: ([index, count]) =>
    `delayed message ${index} does not exist (delayedCount = ${count})`,
  MessageMismatch: ([pos]) =>
    `the bytes given for inbox position ${pos} do not match its accumulator; pass the exact message (readMessages)`,
  MessageNotMerkleized: ([pos]) =>
    `the commitment of inbox position ${pos} is not computed yet; call merkleizeMessage (InboxClient.merkleize) first`,
};

/** docs/inbox.md §9: bridge reverts. */
const BRIDGE_ERRORS: Record<string, Describe> = {
  ZeroAddress: () => 'the inbox or send-roots address is the zero address',
  ZeroDeposit: () => 'a deposit must carry a positive amount of ETH',
  ZeroRecipient: () => 'the L2 recipient of a deposit cannot be the zero address',
  BadProofLength: ([len, expected]) =>
    `a withdrawal proof has ${expected} siblings (leaf level first), not ${len}; build it with outboxProof`,
  WithdrawalIndexOutOfRange: ([index]) =>
    `withdrawal index ${index} does not fit the depth-32 outbox tree (max 2^32 - 1)`,
  SendRootNotConfirmed: ([root]) =>
    `send root ${root} is not confirmed on L1 yet; wait until an assertion with this send root is confirmed`,
  WithdrawalAlreadySpent: ([index]) => `withdrawal ${index} was already executed; each index pays out once`,
  InvalidWithdrawalProof: ([index, computed, root]) =>
    `withdrawal ${index} with this (from, to, amount) and proof hashes to ${computed}, not the send root ${root}; ` +
    'check the fields and rebuild the proof against that root',
  TransferFailed: ([to, amount]) =>
    `sending ${amount} wei to ${to} failed (the recipient rejected ETH or ran out of gas)`,
};

const TABLES: Record<string, Record<string, Describe>> = {
  Inbox: INBOX_ERRORS,
  Bridge: BRIDGE_ERRORS,
};

/**
 * Registers the explanations of another settlement contract's custom errors, so that its reverts
 * (through `sendContractTx` / `toSettlementError`) carry actionable messages too.
 */
export function registerRevertDescriptions(contract: string, table: Record<string, DescribeRevert>): void {
  TABLES[contract] = { ...TABLES[contract], ...table };
}

/**
 * What custom error `name` of a settlement contract means, with its arguments (e.g. a log line's
 * `TimerTooLow(0, 60)`), from every registered table; undefined for an unknown name.
 */
export function describeRevertByName(name: string, args: readonly unknown[]): string | undefined {
  for (const table of Object.values(TABLES)) if (Object.hasOwn(table, name)) return table[name](args);
  return undefined;
}

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** A decoded custom-error revert of a settlement contract (code: contract and error name in SCREAMING_SNAKE_CASE). */
export class SettlementRevertError extends ModexError {
  readonly contract: SettlementContract;
  /** the Solidity error name, e.g. `ForceInclusionTooEarly` */
  readonly errorName: string;
  readonly args: readonly unknown[];
  constructor(contract: SettlementContract, errorName: string, args: readonly unknown[], cause?: unknown) {
    const describe = TABLES[contract]?.[errorName];
    super(
      `${snake(contract)}_${snake(errorName)}`,
      `${contract}.${errorName}: ${describe ? describe(args) : `reverted (${args.map(String).join(', ')})`}`,
      { cause },
    );
    this.contract = contract;
    this.errorName = errorName;
    this.args = args;
  }
}

/** An Inbox.sol revert (codes `INBOX_*`, docs/inbox.md §9). */
export class InboxRevertError extends SettlementRevertError {
  constructor(errorName: string, args: readonly unknown[], cause?: unknown) {
    super('Inbox', errorName, args, cause);
  }
}

/** A Bridge.sol revert (codes `BRIDGE_*`, docs/inbox.md §9). */
export class BridgeRevertError extends SettlementRevertError {
  constructor(errorName: string, args: readonly unknown[], cause?: unknown) {
    super('Bridge', errorName, args, cause);
  }
}

/** A settlement transaction failed for a reason that is not one of the contracts' errors. */
export class SettlementTxError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SETTLEMENT_TX_FAILED', message, options);
  }
}

/** Reading the inbox found data that does not match the chain (docs/inbox.md §10). */
export class InboxReadError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INBOX_READ_FAILED', message, options);
  }
}

/**
 * The decoded custom error inside a viem error, if any: viem's own decoding (contract calls), else the
 * raw revert data of the RPC error decoded with `abi` (deployments, raw transactions).
 */
export function revertOf(e: unknown, abi?: Abi): { errorName: string; args: readonly unknown[] } | undefined {
  if (!(e instanceof BaseError)) return undefined;
  const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
  if (r instanceof ContractFunctionRevertedError && r.data?.errorName) {
    return { errorName: r.data.errorName, args: r.data.args ?? [] };
  }
  if (!abi) return undefined;
  let data: Hex | undefined;
  e.walk((x) => {
    const d = (x as { data?: unknown }).data;
    if (typeof d === 'string' && /^0x[0-9a-fA-F]{8}/.test(d)) data = d as Hex;
    else if (d && typeof (d as { data?: unknown }).data === 'string') data = (d as { data: Hex }).data;
    return false;
  });
  if (!data) return undefined;
  try {
    const d = decodeErrorResult({ abi, data });
    return { errorName: d.errorName, args: (d.args ?? []) as readonly unknown[] };
  } catch {
    return undefined;
  }
}

/**
 * The contracts a contract calls whose errors bubble up through it, checked before the others:
 * Rollup.confirmAttested calls ValidatorCommittee.verifyAttestation (docs/attested.md §4).
 */
const CALLEES: Record<string, string[]> = { Rollup: ['ValidatorCommittee'] };

/**
 * Maps a viem error of a call to `contract` to a typed error. A decoded custom error belongs to
 * `contract` when it has no registered table or its table knows the name, else to a contract it
 * calls (CALLEES), else to the Inbox, the Bridge or CommitteeKeysets when theirs does (an inbox
 * revert bubbling up through the bridge is an InboxRevertError; a bad certificate posted to the
 * inbox is CommitteeKeysets' error; a bad attestation given to the rollup is ValidatorCommittee's).
 * Any other failure becomes a SettlementTxError saying what was attempted. `abi` decodes raw revert
 * data viem did not decode (deployments).
 */
export function toSettlementError(
  e: unknown,
  contract: SettlementContract,
  what: string,
  abi?: Abi,
): ModexError {
  const r = revertOf(e instanceof ModexError ? e.cause : e, abi);
  if (e instanceof ModexError && !r) return e;
  if (r) {
    const owner =
      [contract, ...(CALLEES[contract] ?? []), 'Inbox', 'Bridge', 'CommitteeKeysets'].find(
        (c) => TABLES[c] && r.errorName in TABLES[c],
      ) ?? contract;
    if (owner === 'Inbox') return new InboxRevertError(r.errorName, r.args, e);
    if (owner === 'Bridge') return new BridgeRevertError(r.errorName, r.args, e);
    return new SettlementRevertError(owner, r.errorName, r.args, e);
  }
  const first = e instanceof BaseError ? e.shortMessage : (e as Error)?.message;
  return new SettlementTxError(`${what} failed: ${first ?? String(e)}`, { cause: e });
}
