// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICertificateVerifier} from "../da/ICertificateVerifier.sol";
import {IInboxMessages} from "../osp/IInboxMessages.sol";

/// The settlement inbox (docs/inbox.md, inbox v1): one dense sequence of messages (positions 0, 1, ...)
/// fed by the sequencer's batches and by the delayed inbox (user messages, bridge deposits), with a
/// hash accumulator over it (§3), lazily computed machine §6.2 message commitments (§4) and forced inclusion
/// of delayed messages after `maxDelaySeconds` (§6).
interface IInbox is IInboxMessages {
    // ---- events (§8) ----

    /// A message was appended at `position`; `source` 0 = sequencer batch, 1 = delayed message;
    /// `sourceIndex` is the batch sequence number or the delayed index; `accumulator` = acc(position + 1).
    event MessageAppended(
        uint64 indexed position, uint8 source, bytes32 messageKeccak, bytes32 accumulator, uint64 sourceIndex
    );
    /// The sequencer posted batch `sequenceNumber` at `position` (after the delayed messages up to `delayedRead`).
    event BatchPosted(uint64 indexed sequenceNumber, uint64 position, uint8 kind, uint64 delayedRead, uint256 length);
    /// Delayed message `index` (the full message bytes, kind byte first) was sent by `sender`.
    event DelayedMessageSent(uint64 indexed index, address indexed sender, bytes message, uint64 timestamp);
    /// Anyone forced the delayed messages below `delayedRead` into the inbox (§6.3).
    event ForcedInclusion(uint64 indexed delayedRead, address by);
    /// The machine §6.2 commitment of the message at `position` was computed and stored.
    event MessageMerkleized(uint64 indexed position, bytes32 messageHash);
    /// The deployer registered the bridge (the only account allowed to enqueue deposits).
    event BridgeInitialized(address bridge);
    /// The deployer registered the committee's certificate checker and the shortest certificate lifetime (§5.3).
    event CertificateVerifierInitialized(address verifier, uint64 minLifetime);

    // ---- errors (§9) ----

    error ZeroAddress();
    error NotDeployer(address caller);
    error BridgeAlreadyInitialized(address bridge);
    error NotSequencer(address caller);
    error NotBridge(address caller);
    /// postBatch must be the transaction's top-level call from an account without code (EIP-7702 delegation
    /// included), so that derivation can read the payload from the transaction's calldata.
    error NotDirectCall(address sender, address origin);
    error BatchAlreadyPosted(uint64 sequenceNumber, uint64 batchCount);
    error SequenceNumberGap(uint64 sequenceNumber, uint64 batchCount);
    error UnsupportedBatchKind(uint8 kind);
    /// §5.2: a blob batch (kind 0x02) carries its data in the transaction's blobs, not in the payload.
    error BlobBatchPayloadNotEmpty(uint256 length);
    /// §5.2: a blob batch was posted by a transaction without blobs.
    error NoBlobs();
    error CertificateVerifierAlreadyInitialized(address verifier);
    /// §5.3: the shortest certificate lifetime must be positive.
    error ZeroCertificateLifetime();
    /// §5.3: a certificate must stay valid (its members keep the data) until at least now + minLifetime.
    error CertificateLifetimeTooShort(uint64 expiry, uint256 minExpiry);
    error DelayedReadBehind(uint64 delayedRead, uint64 delayedIncluded);
    error DelayedReadBeyondCount(uint64 delayedRead, uint64 delayedCount);
    error NothingToInclude(uint64 delayedRead);
    error ForceInclusionTooEarly(uint64 delayedIndex, uint256 allowedAt);
    error MessageTooLarge(uint256 length, uint256 max);
    /// §6.4: a tick was already queued in L1 block `lastTickBlock` (this one).
    error TickTooSoon(uint64 lastTickBlock);
    error AccumulatorOutOfRange(uint64 n, uint64 messageCount);
    error PositionOutOfRange(uint64 position, uint64 messageCount);
    error DelayedIndexOutOfRange(uint64 index, uint64 delayedCount);
    error MessageMismatch(uint64 position);
    error MessageNotMerkleized(uint64 position);

    // ---- functions ----

    function sequencer() external view returns (address);
    function maxDelaySeconds() external view returns (uint64);
    function bridge() external view returns (address);
    function certificateVerifier() external view returns (ICertificateVerifier);
    function certificateMinLifetime() external view returns (uint64);
    function messageCount() external view returns (uint64);
    function batchCount() external view returns (uint64);
    function delayedCount() external view returns (uint64);
    function delayedIncluded() external view returns (uint64);
    function accumulator(uint64 n) external view returns (bytes32);
    function delayedMessage(uint64 index)
        external
        view
        returns (bytes32 messageKeccak, uint64 timestamp, uint64 blockNumber);
    function isMerkleized(uint64 position) external view returns (bool);

    function initializeBridge(address bridge_) external;
    function initializeCertificateVerifier(address verifier, uint64 minLifetime) external;
    function postBatch(uint64 sequenceNumber, uint64 delayedRead, uint8 kind, bytes calldata payload) external;
    function includeDelayed(uint64 delayedRead) external;
    function sendMessage(bytes calldata txList) external returns (uint64 index);
    function enqueueDeposit(address to, uint256 amount) external returns (uint64 index);
    function tick() external returns (uint64 index);
    function lastTickBlock() external view returns (uint64);
    function forceInclusion(uint64 delayedRead) external;
    function merkleizeMessage(uint64 position, bytes calldata message) external returns (bytes32);
}
