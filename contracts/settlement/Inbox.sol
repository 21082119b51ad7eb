// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICertificateVerifier} from "../da/ICertificateVerifier.sol";
import {IInbox} from "./IInbox.sol";

/// The settlement inbox, inbox v1 (docs/inbox.md). Section numbers (§n) refer to that document.
///
/// Positions 0, 1, 2, ... each hold one message (kind byte first, docs/stf.md "Inbox messages").
/// Sequencer batches and delayed messages (user transaction lists, bridge deposits) share this one
/// sequence. Only the accumulator is stored per position (§3); the machine §6.2 commitment the one-step
/// prover reads is computed on demand by `merkleizeMessage` (§4).
contract Inbox is IInbox {
    /// §6.1: the largest transaction list `sendMessage` accepts (the stored message is one byte longer).
    uint256 public constant MAX_DELAYED_TX_LIST_BYTES = 65_536;

    /// §2 message kinds.
    uint8 internal constant KIND_L2_TXS = 0x00;
    uint8 internal constant KIND_DEPOSIT = 0x01;
    uint8 internal constant KIND_BLOBS = 0x02;
    uint8 internal constant KIND_CERTIFICATE = 0x03;
    uint8 internal constant KIND_BROTLI_TXS = 0x04;
    /// §6.4: the L1-time tick, written only by `tick()` (never a batch kind).
    uint8 internal constant KIND_TICK = 0x05;

    /// §8 MessageAppended.source
    uint8 internal constant SOURCE_BATCH = 0;
    uint8 internal constant SOURCE_DELAYED = 1;

    address public immutable override sequencer;
    uint64 public immutable override maxDelaySeconds;
    address public immutable deployer;
    address public override bridge;
    /// §5.3: the committee's certificate checker (zero: batch kind 0x03 is refused).
    ICertificateVerifier public override certificateVerifier;
    /// §5.3: a certificate's expiry must be at least block.timestamp + this (seconds; same slot as the verifier).
    uint64 public override certificateMinLifetime;

    // One slot: the four counters.
    uint64 public override messageCount;
    uint64 public override batchCount;
    uint64 public override delayedCount;
    uint64 public override delayedIncluded;

    /// accs[p] = acc(p + 1), the accumulator after the message at position p (§3).
    mapping(uint64 => bytes32) internal accs;
    /// machine §6.2 commitments of merkleized positions (a keccak output, never zero).
    mapping(uint64 => bytes32) internal hashes;

    struct Delayed {
        bytes32 messageKeccak;
        uint64 timestamp;
        uint64 blockNumber;
    }

    mapping(uint64 => Delayed) internal delayed;

    /// §6.4: the L1 block number of the last `tick()` (zero: none yet); at most one tick per L1 block.
    uint64 public override lastTickBlock;

    constructor(address sequencer_, uint64 maxDelaySeconds_) {
        if (sequencer_ == address(0)) revert ZeroAddress();
        sequencer = sequencer_;
        maxDelaySeconds = maxDelaySeconds_;
        deployer = msg.sender;
    }

    /// §7: registers the bridge, once, by the deployer (the bridge is deployed after the inbox).
    function initializeBridge(address bridge_) external override {
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        if (bridge != address(0)) revert BridgeAlreadyInitialized(bridge);
        if (bridge_ == address(0)) revert ZeroAddress();
        bridge = bridge_;
        emit BridgeInitialized(bridge_);
    }

    /// §5.3: registers the committee's certificate checker and the shortest lifetime (seconds) a posted
    /// certificate must have left, once, by the deployer (chains with committee DA).
    function initializeCertificateVerifier(address verifier, uint64 minLifetime) external override {
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        if (address(certificateVerifier) != address(0)) {
            revert CertificateVerifierAlreadyInitialized(address(certificateVerifier));
        }
        if (verifier == address(0)) revert ZeroAddress();
        if (minLifetime == 0) revert ZeroCertificateLifetime();
        certificateVerifier = ICertificateVerifier(verifier);
        certificateMinLifetime = minLifetime;
        emit CertificateVerifierInitialized(verifier, minLifetime);
    }

    // ---------------------------------------------------------------- views

    /// §3: acc(n), the accumulator after the first n messages (acc(0) = 0).
    function accumulator(uint64 n) public view override returns (bytes32) {
        uint64 count = messageCount;
        if (n > count) revert AccumulatorOutOfRange(n, count);
        return n == 0 ? bytes32(0) : accs[n - 1];
    }

    /// §4: the machine §6.2 commitment of the message at `position`; zero past the end; reverts
    /// MessageNotMerkleized for an existing position nobody has merkleized yet.
    function messageHash(uint64 position) external view override returns (bytes32) {
        if (position >= messageCount) return bytes32(0);
        bytes32 h = hashes[position];
        if (h == bytes32(0)) revert MessageNotMerkleized(position);
        return h;
    }

    function isMerkleized(uint64 position) external view override returns (bool) {
        return hashes[position] != bytes32(0);
    }

    /// §6: the keccak256 and L1 time of delayed message `index`.
    function delayedMessage(uint64 index)
        external
        view
        override
        returns (bytes32 messageKeccak, uint64 timestamp, uint64 blockNumber)
    {
        if (index >= delayedCount) revert DelayedIndexOutOfRange(index, delayedCount);
        Delayed storage d = delayed[index];
        return (d.messageKeccak, d.timestamp, d.blockNumber);
    }

    // ---------------------------------------------------------------- sequencer (§5)

    /// §5: appends the delayed messages in [delayedIncluded, delayedRead), then the batch message
    /// `kind ‖ payload`. Only the sequencer, only as the transaction's top-level call.
    function postBatch(uint64 sequenceNumber, uint64 delayedRead, uint8 kind, bytes calldata payload)
        external
        override
    {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        // Derivation reads the payload from the transaction's calldata (§10): the transaction must be a
        // direct call of an account without code (a 7702-delegated EOA has code, 23 bytes).
        if (msg.sender != tx.origin || msg.sender.code.length != 0) revert NotDirectCall(msg.sender, tx.origin);
        uint64 batches = batchCount;
        if (sequenceNumber < batches) revert BatchAlreadyPosted(sequenceNumber, batches);
        if (sequenceNumber > batches) revert SequenceNumberGap(sequenceNumber, batches);
        bytes32 messageKeccak = _batchMessageKeccak(kind, payload);
        _checkDelayedRead(delayedRead, false);

        (uint64 position, bytes32 acc) = _includeDelayed(delayedRead);
        _append(position, acc, messageKeccak, SOURCE_BATCH, sequenceNumber);
        messageCount = position + 1;
        batchCount = batches + 1;
        emit BatchPosted(sequenceNumber, position, kind, delayedRead, payload.length);
    }

    /// §5: appends the delayed messages in [delayedIncluded, delayedRead) without a batch.
    function includeDelayed(uint64 delayedRead) external override {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        _checkDelayedRead(delayedRead, true);
        (uint64 position,) = _includeDelayed(delayedRead);
        messageCount = position;
    }

    /// §2, §5: keccak256 of the message a batch of this kind appends: `0x00 ‖ payload` and
    /// `0x04 ‖ payload` (a brotli-compressed list, inflated by the STF) (§5.1),
    /// `0x02 ‖ blobhash(0) ‖ … ‖ blobhash(k-1)` (§5.2), `0x03 ‖ dataHash` of a valid certificate (§5.3).
    function _batchMessageKeccak(uint8 kind, bytes calldata payload) internal view returns (bytes32 h) {
        if (kind == KIND_L2_TXS || kind == KIND_BROTLI_TXS) {
            // message = kind ‖ payload, hashed from scratch memory (nothing is allocated)
            assembly ("memory-safe") {
                let ptr := mload(0x40)
                mstore8(ptr, kind)
                calldatacopy(add(ptr, 1), payload.offset, payload.length)
                h := keccak256(ptr, add(payload.length, 1))
            }
            return h;
        }
        if (kind == KIND_BLOBS) {
            if (payload.length != 0) revert BlobBatchPayloadNotEmpty(payload.length);
            uint256 n;
            assembly ("memory-safe") {
                let ptr := mload(0x40)
                mstore8(ptr, kind)
                for {} 1 {} {
                    let vh := blobhash(n)
                    if iszero(vh) { break }
                    mstore(add(add(ptr, 1), mul(n, 32)), vh)
                    n := add(n, 1)
                }
                h := keccak256(ptr, add(1, mul(n, 32)))
            }
            if (n == 0) revert NoBlobs();
            return h;
        }
        if (kind == KIND_CERTIFICATE) {
            ICertificateVerifier v = certificateVerifier;
            if (address(v) == address(0)) revert UnsupportedBatchKind(kind);
            // reverts with the verifier's own error for a bad certificate, so it never enters the inbox
            // (it checked the structure: the payload is a certificate v1 of at least 458 bytes)
            bytes32 dataHash = v.verifyCertificate(payload);
            // the members promised to keep the data until `expiry` (docs/committee.md §3: bytes [65, 73));
            // it must outlast the challenge period plus a margin, so a validator can still fetch it
            uint64 expiry = uint64(bytes8(payload[65:73]));
            uint256 minExpiry = block.timestamp + certificateMinLifetime;
            if (expiry < minExpiry) revert CertificateLifetimeTooShort(expiry, minExpiry);
            return keccak256(abi.encodePacked(kind, dataHash));
        }
        revert UnsupportedBatchKind(kind);
    }

    // ---------------------------------------------------------------- delayed inbox (§6)

    /// §6.1: queues the message `0x00 ‖ txList` (a user's L2 transaction list) in the delayed inbox.
    function sendMessage(bytes calldata txList) external override returns (uint64 index) {
        if (txList.length > MAX_DELAYED_TX_LIST_BYTES) {
            revert MessageTooLarge(txList.length, MAX_DELAYED_TX_LIST_BYTES);
        }
        return _enqueue(abi.encodePacked(KIND_L2_TXS, txList));
    }

    /// §6.1, §7.1: queues the deposit message `0x01 ‖ to ‖ amount` (only the bridge).
    function enqueueDeposit(address to, uint256 amount) external override returns (uint64 index) {
        if (msg.sender != bridge || msg.sender == address(0)) revert NotBridge(msg.sender);
        return _enqueue(abi.encodePacked(KIND_DEPOSIT, to, amount));
    }

    /// §6.4: queues the tick `0x05 ‖ block.timestamp u64 ‖ block.number u64` (anyone; at most one per
    /// L1 block, else TickTooSoon): a delayed message like a deposit, so the sequencer includes it within
    /// maxDelaySeconds or anyone forces it in; the chain's STF may take its time from it (docs/evm.md §4).
    function tick() external override returns (uint64 index) {
        uint64 last = lastTickBlock;
        if (block.number <= last) revert TickTooSoon(last);
        lastTickBlock = uint64(block.number);
        return _enqueue(abi.encodePacked(KIND_TICK, uint64(block.timestamp), uint64(block.number)));
    }

    /// §6.3: anyone appends the delayed messages in [delayedIncluded, delayedRead) once message
    /// `delayedRead - 1` has waited `maxDelaySeconds`, exactly as the sequencer would have.
    function forceInclusion(uint64 delayedRead) external override {
        _checkDelayedRead(delayedRead, true);
        uint64 last = delayedRead - 1;
        uint256 allowedAt = uint256(delayed[last].timestamp) + maxDelaySeconds;
        if (block.timestamp < allowedAt) revert ForceInclusionTooEarly(last, allowedAt);
        (uint64 position,) = _includeDelayed(delayedRead);
        messageCount = position;
        emit ForcedInclusion(delayedRead, msg.sender);
    }

    function _enqueue(bytes memory message) internal returns (uint64 index) {
        index = delayedCount;
        delayed[index] = Delayed(keccak256(message), uint64(block.timestamp), uint64(block.number));
        delayedCount = index + 1;
        emit DelayedMessageSent(index, msg.sender, message, uint64(block.timestamp));
    }

    function _checkDelayedRead(uint64 delayedRead, bool mustAdvance) internal view {
        uint64 included = delayedIncluded;
        if (delayedRead < included) revert DelayedReadBehind(delayedRead, included);
        uint64 count = delayedCount;
        if (delayedRead > count) revert DelayedReadBeyondCount(delayedRead, count);
        if (mustAdvance && delayedRead == included) revert NothingToInclude(delayedRead);
    }

    /// Appends delayed messages [delayedIncluded, delayedRead) (range already checked); returns the next
    /// free position and the accumulator there. The caller stores messageCount.
    function _includeDelayed(uint64 delayedRead) internal returns (uint64 position, bytes32 acc) {
        position = messageCount;
        acc = position == 0 ? bytes32(0) : accs[position - 1];
        uint64 i = delayedIncluded;
        if (i == delayedRead) return (position, acc);
        for (; i < delayedRead; ++i) {
            acc = _append(position, acc, delayed[i].messageKeccak, SOURCE_DELAYED, i);
            ++position;
        }
        delayedIncluded = delayedRead;
    }

    /// §3: acc(p + 1) = keccak256(acc(p) ‖ keccak256(message)).
    function _append(uint64 position, bytes32 prevAcc, bytes32 messageKeccak, uint8 source, uint64 sourceIndex)
        internal
        returns (bytes32 acc)
    {
        assembly ("memory-safe") {
            mstore(0, prevAcc)
            mstore(32, messageKeccak)
            acc := keccak256(0, 64)
        }
        accs[position] = acc;
        emit MessageAppended(position, source, messageKeccak, acc, sourceIndex);
    }

    // ---------------------------------------------------------------- merkleization (§4)

    /// §4: checks `message` against the accumulator at `position` and stores its machine §6.2 commitment
    /// (docs/machine.md): keccak(word(len) ‖ root of its zero-padded 32-byte chunks). Idempotent.
    function merkleizeMessage(uint64 position, bytes calldata message) external override returns (bytes32 h) {
        uint64 count = messageCount;
        if (position >= count) revert PositionOutOfRange(position, count);
        h = hashes[position];
        if (h != bytes32(0)) return h;
        bytes32 prev = position == 0 ? bytes32(0) : accs[position - 1];
        bytes32 expected = accs[position];
        bytes32 acc;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, message.offset, message.length)
            mstore(32, keccak256(ptr, message.length))
            mstore(0, prev)
            acc := keccak256(0, 64)
        }
        if (acc != expected) revert MessageMismatch(position);
        h = chunkHash(message);
        hashes[position] = h;
        emit MessageMerkleized(position, h);
    }

    /// §4 (docs/machine.md §4.2, §6.2): keccak(word(len) ‖ root), root over ceil(len / 32) leaves
    /// (the last zero-padded) in a tree of depth ceil(log2(leaves)), missing leaves zero; one leaf:
    /// the root is the leaf; no leaf (len 0): the root is the zero word. Hashed in place in memory.
    function chunkHash(bytes calldata message) public pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let len := message.length
            let ptr := mload(0x40)
            calldatacopy(ptr, message.offset, len)
            mstore(add(ptr, len), 0) // zero-pad the last chunk
            let n := shr(5, add(len, 31))
            let root := 0
            if n {
                let z := 0 // the root of an all-zero subtree of the current level's height
                for {} gt(n, 1) {} {
                    if and(n, 1) {
                        mstore(add(ptr, shl(5, n)), z)
                        n := add(n, 1)
                    }
                    n := shr(1, n)
                    for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                        mstore(add(ptr, shl(5, i)), keccak256(add(ptr, shl(6, i)), 64))
                    }
                    mstore(0, z)
                    mstore(32, z)
                    z := keccak256(0, 64)
                }
                root := mload(ptr)
            }
            mstore(0, len)
            mstore(32, root)
            h := keccak256(0, 64)
        }
    }
}
