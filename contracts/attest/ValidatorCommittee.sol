// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Bls12381} from "../da/Bls12381.sol";
import {IAttestationVerifier} from "./IAttestationVerifier.sol";

/// What the committee reads of the rollup to slash a signer of a losing assertion (§5).
interface IRollupOutcomes {
    function assertionStatus(bytes32 id) external view returns (uint8);
    function confirmedChild(bytes32 id) external view returns (bytes32);
}

/// The attested proof module's validator committee (docs/attested.md §1–§5): staked validators with
/// BLS keys (proof of possession checked at registration), epochs of `epochBlocks` L1 blocks, an
/// active committee of `activeSize` members sampled per epoch from RANDAO with a two-epoch lag, the
/// attestation check `Rollup.confirmAttested` calls (one aggregate pairing), and slashing of
/// equivocation and of signatures on a root that lost its dispute.
contract ValidatorCommittee is IAttestationVerifier {
    /// §3.1: the attestation's hash_to_G1 domain, and the proof of possession's (docs/committee.md §1.4).
    bytes internal constant ATTEST_DST = "MODEX_ATTEST_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_";
    bytes internal constant POP_DST = "BLS_POP_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_";
    bytes32 internal constant ATTESTATION_TAG = keccak256("modex.attestation.v1");

    uint256 internal constant MAX_VALIDATORS = 1024;
    /// §2.1: a seed uses a checkpoint at least LAG epochs back
    uint64 internal constant LAG = 2;

    /// §3.2 attestation v1 layout (byte offsets).
    uint8 internal constant ATTESTATION_VERSION = 0x01;
    uint256 internal constant OFF_EPOCH = 1;
    uint256 internal constant OFF_SIGNATURE = 9;
    uint256 internal constant OFF_AGGREGATE_KEY = 137;
    uint256 internal constant OFF_SIZE = 393;
    uint256 internal constant OFF_MEMBERS = 395;

    uint8 internal constant REASON_EQUIVOCATION = 1;
    uint8 internal constant REASON_WRONG_ROOT = 2;

    /// §1.3: one validator. The first slot holds what eligibility reads (§1.4).
    struct Validator {
        uint64 activeFrom;
        /// 0: not exiting
        uint64 exitAt;
        bool slashed;
        bool withdrawn;
        address owner;
        bytes32 pkHash;
    }

    /// §2.2: a sealed epoch (size 0: not sealed).
    struct Epoch {
        bytes32 aggregateKeyHash;
        bytes32 membersHash;
        uint16 size;
        uint16 threshold;
    }

    /// §5: one signature (§3.1) of one validator on `assertionId` in `epoch`.
    struct SignedAssertion {
        uint64 epoch;
        bytes32 assertionId;
        bytes signature;
    }

    // §1.1 parameters
    uint16 public immutable activeSize;
    uint16 public immutable assumedHonest;
    uint64 public immutable epochBlocks;
    uint256 public immutable stake;
    uint64 public immutable entryDelayEpochs;
    uint64 public immutable exitDelayEpochs;
    uint64 public immutable withdrawalDelayEpochs;
    uint8 public immutable slashRewardPercent;
    /// §1.2: epoch 0 begins here (the deployment's block)
    uint64 public immutable startBlock;
    address internal immutable deployer;

    /// the rollup whose assertions are attested (set once by `initialize`)
    IRollupOutcomes public rollup;
    uint16 public validatorCount;
    /// §2.1: the newest checkpointed epoch
    uint64 public lastCheckpoint;
    mapping(uint16 index => Validator) internal _validators;
    mapping(bytes32 pkHash => bool) public keyRegistered;
    mapping(uint64 epoch => bytes32) public randao;
    mapping(uint64 epoch => uint64) public nextCheckpoint;
    mapping(uint64 epoch => Epoch) internal _epochs;

    event ValidatorRegistered(uint16 indexed index, address indexed owner, bytes publicKey, uint64 activeFrom);
    event ValidatorExiting(uint16 indexed index, uint64 exitAt);
    event ValidatorWithdrawn(uint16 indexed index, address indexed owner, uint256 amount);
    event RandomnessRecorded(uint64 indexed epoch, bytes32 value);
    event EpochSealed(uint64 indexed epoch, bytes32 seed, uint16[] members, uint16 threshold);
    event ValidatorSlashed(uint16 indexed index, uint8 reason, address by, uint256 reward);

    error BadParameters();
    error NotDeployer(address caller);
    error AlreadyInitialized(address rollup);
    error NotInitialized();
    error WrongStake(uint256 expected, uint256 sent);
    error BadPublicKey();
    error DuplicateKey(bytes32 pkHash);
    error TooManyValidators();
    error BadProofOfPossession();
    error UnknownValidator(uint16 index);
    error NotOwner(address caller);
    error AlreadyExiting(uint16 index);
    error NotExiting(uint16 index);
    error TooEarly(uint64 epoch);
    error Slashed(uint16 index);
    error AlreadyWithdrawn(uint16 index);
    error TransferFailed(address to, uint256 amount);
    error BadCheckpoint(uint64 f);
    error EpochNotSealable(uint64 epoch, uint64 current);
    error EpochAlreadySealed(uint64 epoch);
    error TooFewValidators(uint256 eligible, uint256 assumedHonest);
    error WrongKeyCount(uint256 expected, uint256 given);
    error KeyMismatch(uint256 i);
    error UnsupportedAttestationVersion(uint8 version);
    error MalformedAttestation(uint256 length);
    error UnknownEpoch(uint64 epoch);
    error StaleEpoch(uint64 epoch, uint64 current);
    error AggregateKeyMismatch(bytes32 given, bytes32 sealed_);
    error MembersMismatch();
    error TooFewSigners(uint256 signers, uint256 threshold);
    error NonSignersNotSorted(uint256 i);
    error BadAggregateSignature();
    error SameAssertion();
    error AlreadySlashed(uint16 index);
    error BadSignature(uint256 i);
    error NotRejected(bytes32 assertionId);
    error NotSorted(uint256 i);
    error KeysLengthMismatch(uint256 expected, uint256 given);

    constructor(
        uint16 activeSize_,
        uint16 assumedHonest_,
        uint64 epochBlocks_,
        uint256 stake_,
        uint64 entryDelayEpochs_,
        uint64 exitDelayEpochs_,
        uint64 withdrawalDelayEpochs_,
        uint8 slashRewardPercent_
    ) {
        if (
            activeSize_ == 0 || activeSize_ > 255 || assumedHonest_ == 0 || assumedHonest_ > activeSize_
                || epochBlocks_ == 0 || stake_ == 0 || entryDelayEpochs_ < LAG || exitDelayEpochs_ < LAG
                || slashRewardPercent_ > 100
        ) revert BadParameters();
        // fail closed: without EIP-2537 the checks below could pass on garbage (docs/committee.md §1)
        Bls12381.requirePrecompiles();
        activeSize = activeSize_;
        assumedHonest = assumedHonest_;
        epochBlocks = epochBlocks_;
        stake = stake_;
        entryDelayEpochs = entryDelayEpochs_;
        exitDelayEpochs = exitDelayEpochs_;
        withdrawalDelayEpochs = withdrawalDelayEpochs_;
        slashRewardPercent = slashRewardPercent_;
        startBlock = uint64(block.number);
        deployer = msg.sender;
        // §2.1: epoch 0's checkpoint, so every epoch from 2 on has a seed
        bytes32 v = keccak256(abi.encode(block.prevrandao, uint64(0)));
        randao[0] = v;
        emit RandomnessRecorded(0, v);
    }

    /// Links the rollup (whose losing assertions `slashWrongRoot` reads); the deployer, once.
    function initialize(IRollupOutcomes rollup_) external {
        if (msg.sender != deployer) revert NotDeployer(msg.sender);
        if (address(rollup) != address(0)) revert AlreadyInitialized(address(rollup));
        if (address(rollup_) == address(0)) revert NotInitialized();
        rollup = rollup_;
    }

    // ------------------------------------------------------------------ §1 validators and epochs

    /// §1.2
    function currentEpoch() public view returns (uint64) {
        return (uint64(block.number) - startBlock) / epochBlocks;
    }

    /// §1.3: registers `publicKey` with its proof of possession and the stake; returns its index.
    function register(bytes calldata publicKey, bytes calldata pop) external payable returns (uint16 index) {
        if (msg.value != stake) revert WrongStake(stake, msg.value);
        if (publicKey.length != Bls12381.G2_BYTES) revert BadPublicKey();
        // pairing buffer: pop ‖ −G2 ‖ H_pop(pk) ‖ pk
        uint256 popAt = _alloc(Bls12381.PAIRING_2_BYTES);
        uint256 pkAt = popAt + 512;
        bytes32 pkHash;
        assembly ("memory-safe") {
            calldatacopy(pkAt, publicKey.offset, 0x100)
            pkHash := keccak256(pkAt, 0x100)
        }
        if (Bls12381.isZeroAt(pkAt, Bls12381.G2_BYTES)) revert BadPublicKey();
        if (keyRegistered[pkHash]) revert DuplicateKey(pkHash);
        if (validatorCount >= MAX_VALIDATORS) revert TooManyValidators();
        if (pop.length != Bls12381.G1_BYTES) revert BadProofOfPossession();
        assembly ("memory-safe") {
            calldatacopy(popAt, pop.offset, 0x80)
        }
        if (Bls12381.isZeroAt(popAt, Bls12381.G1_BYTES)) revert BadProofOfPossession();
        Bls12381.writeNegG2GeneratorAt(popAt + Bls12381.G1_BYTES);
        Bls12381.hashToG1At(pkAt, Bls12381.G2_BYTES, POP_DST, popAt + 384);
        // also puts pk in the G2 subgroup (else the precompile refuses it)
        if (!Bls12381.pairingCheck2At(popAt)) revert BadProofOfPossession();

        checkpoint();
        uint64 activeFrom = currentEpoch() + entryDelayEpochs;
        index = validatorCount;
        validatorCount = index + 1;
        _validators[index] = Validator({
            activeFrom: activeFrom,
            exitAt: 0,
            slashed: false,
            withdrawn: false,
            owner: msg.sender,
            pkHash: pkHash
        });
        keyRegistered[pkHash] = true;
        emit ValidatorRegistered(index, msg.sender, publicKey, activeFrom);
    }

    /// §1.4: eligibility ends `exitDelayEpochs` from now; the owner, once.
    function exit(uint16 index) external {
        Validator storage v = _owned(index);
        if (v.exitAt != 0) revert AlreadyExiting(index);
        uint64 exitAt = currentEpoch() + exitDelayEpochs;
        v.exitAt = exitAt;
        emit ValidatorExiting(index, exitAt);
    }

    /// §1.4: pays the stake back `withdrawalDelayEpochs` after the exit; the owner, once, unless slashed.
    function withdraw(uint16 index) external {
        Validator storage v = _owned(index);
        if (v.exitAt == 0) revert NotExiting(index);
        uint64 at = v.exitAt + withdrawalDelayEpochs;
        if (currentEpoch() < at) revert TooEarly(at);
        if (v.slashed) revert Slashed(index);
        if (v.withdrawn) revert AlreadyWithdrawn(index);
        v.withdrawn = true;
        emit ValidatorWithdrawn(index, msg.sender, stake);
        _pay(msg.sender, stake);
    }

    function _owned(uint16 index) internal view returns (Validator storage v) {
        if (index >= validatorCount) revert UnknownValidator(index);
        v = _validators[index];
        if (v.owner != msg.sender) revert NotOwner(msg.sender);
    }

    /// validator `index` (all zero when unknown)
    function validator(uint16 index) external view returns (Validator memory) {
        return _validators[index];
    }

    // ------------------------------------------------------------------ §2 the active committee

    /// §2.1: records this epoch's randomness if no transaction did yet.
    function checkpoint() public {
        uint64 f = currentEpoch();
        if (randao[f] != 0) return;
        bytes32 v = keccak256(abi.encode(block.prevrandao, f));
        randao[f] = v;
        nextCheckpoint[lastCheckpoint] = f;
        lastCheckpoint = f;
        emit RandomnessRecorded(f, v);
    }

    /// §2.1: epoch e's seed from checkpoint f (the newest checkpoint ≤ e − 2), else BadCheckpoint(f).
    function seedOf(uint64 e, uint64 f) public view returns (bytes32) {
        bytes32 r = randao[f];
        if (r == 0 || uint256(f) + LAG > e) revert BadCheckpoint(f);
        uint64 next = nextCheckpoint[f];
        if (next != 0 && uint256(next) + LAG <= e) revert BadCheckpoint(f);
        return keccak256(abi.encode(r, e));
    }

    /// §2.2 steps 1–2: the committee of epoch e with checkpoint f, from the validators eligible now.
    function sampleCommittee(uint64 e, uint64 f) public view returns (uint16[] memory members, bytes32 seed) {
        seed = seedOf(e, f);
        uint256 n = validatorCount;
        uint256[] memory list = new uint256[](n);
        uint256 m = 0;
        for (uint256 i = 0; i < n; i++) {
            Validator storage v = _validators[uint16(i)];
            (uint64 activeFrom, uint64 exitAt, bool slashed) = (v.activeFrom, v.exitAt, v.slashed);
            if (activeFrom <= e && (exitAt == 0 || e < exitAt) && !slashed) list[m++] = i;
        }
        if (m < assumedHonest) revert TooFewValidators(m, assumedHonest);
        uint256 size = m < activeSize ? m : activeSize;
        members = new uint16[](size);
        for (uint256 j = 0; j < size; j++) {
            uint256 r = uint256(keccak256(abi.encode(seed, j))) % (m - j);
            uint256 picked = list[j + r];
            list[j + r] = list[j];
            list[j] = picked;
            members[j] = uint16(picked);
        }
    }

    /// §2.2: fixes epoch e's committee; `keys[i]` is member i's public key.
    function sealEpoch(uint64 e, uint64 f, bytes[] calldata keys) external {
        checkpoint();
        uint64 current = currentEpoch();
        if (e < current || e > current + 1) revert EpochNotSealable(e, current);
        if (_epochs[e].size != 0) revert EpochAlreadySealed(e);
        (uint16[] memory members, bytes32 seed) = sampleCommittee(e, f);
        uint256 size = members.length;
        if (keys.length != size) revert WrongKeyCount(size, keys.length);
        (bytes32 aggregateKeyHash, bytes32 membersHash) = _aggregateMembers(members, keys);
        uint16 threshold = uint16(size - assumedHonest + 1);
        _epochs[e] = Epoch({
            aggregateKeyHash: aggregateKeyHash,
            membersHash: membersHash,
            size: uint16(size),
            threshold: threshold
        });
        emit EpochSealed(e, seed, members, threshold);
    }

    /// keccak256(Σ keys) after checking each key against its member, and keccak256(u16be members).
    function _aggregateMembers(uint16[] memory members, bytes[] calldata keys)
        internal
        view
        returns (bytes32 aggregateKeyHash, bytes32 membersHash)
    {
        uint256 size = members.length;
        bytes memory packed = new bytes(2 * size);
        uint256 acc = _alloc(2 * Bls12381.G2_BYTES);
        for (uint256 i = 0; i < size; i++) {
            bytes calldata key = keys[i];
            if (key.length != Bls12381.G2_BYTES) revert KeyMismatch(i);
            uint256 dst = i == 0 ? acc : acc + Bls12381.G2_BYTES;
            bytes32 h;
            assembly ("memory-safe") {
                calldatacopy(dst, key.offset, 0x100)
                h := keccak256(dst, 0x100)
            }
            uint16 member = members[i];
            if (h != _validators[member].pkHash) revert KeyMismatch(i);
            if (i > 0) Bls12381.g2AddInPlace(acc);
            packed[2 * i] = bytes1(uint8(member >> 8));
            packed[2 * i + 1] = bytes1(uint8(member));
        }
        assembly ("memory-safe") {
            aggregateKeyHash := keccak256(acc, 0x100)
        }
        membersHash = keccak256(packed);
    }

    /// §2.2: sealed epoch e (size 0: not sealed).
    function epochInfo(uint64 e) external view returns (Epoch memory) {
        return _epochs[e];
    }

    // ------------------------------------------------------------------ §3, §4 attestations

    /// §3.1: the 32-byte message members sign for `assertionId` after `prevId` in `epoch`.
    function digest(uint64 epoch, bytes32 prevId, bytes32 assertionId) public view returns (bytes32) {
        return keccak256(abi.encode(ATTESTATION_TAG, block.chainid, address(this), epoch, prevId, assertionId));
    }

    /// §4: reverts unless `att` is a quorum of epoch e's committee (e current or previous); returns e.
    function verifyAttestation(bytes32 prevId, bytes32 assertionId, bytes calldata att)
        external
        view
        override
        returns (uint64 e)
    {
        uint256 sig;
        (e, sig) = _signersKey(att);
        // a signature at infinity would verify against a signers' key at infinity
        if (Bls12381.isZeroAt(sig, Bls12381.G1_BYTES)) revert BadAggregateSignature();
        Bls12381.writeNegG2GeneratorAt(sig + Bls12381.G1_BYTES);
        _hashDigestAt(digest(e, prevId, assertionId), sig + 384);
        if (!Bls12381.pairingCheck2At(sig)) revert BadAggregateSignature();
    }

    /// §4 steps 1–4: the attestation's epoch, and a pairing buffer holding its signature at `sig`
    /// and the signers' key (aggregate key − Σ non-signers) at `sig + 512`.
    function _signersKey(bytes calldata att) internal view returns (uint64 e, uint256 sig) {
        uint256 size;
        uint256 c;
        (e, size, c) = _parseAttestation(att);
        Epoch storage ep = _epochs[e];
        if (ep.size == 0) revert UnknownEpoch(e);
        uint64 current = currentEpoch();
        if (current != e && current != e + 1) revert StaleEpoch(e, current);
        sig = _alloc(Bls12381.PAIRING_2_BYTES);
        uint256 key = sig + 512;
        bytes32 givenKeyHash;
        assembly ("memory-safe") {
            calldatacopy(sig, add(att.offset, OFF_SIGNATURE), 0x80)
            calldatacopy(key, add(att.offset, OFF_AGGREGATE_KEY), 0x100)
            givenKeyHash := keccak256(key, 0x100)
        }
        if (givenKeyHash != ep.aggregateKeyHash) revert AggregateKeyMismatch(givenKeyHash, ep.aggregateKeyHash);
        if (size != ep.size || keccak256(att[OFF_MEMBERS:OFF_MEMBERS + 2 * size]) != ep.membersHash) {
            revert MembersMismatch();
        }
        uint256 threshold = ep.threshold;
        if (size - c < threshold) revert TooFewSigners(size - c, threshold);
        if (c > 0) _subtractNonSigners(att, size, c, key);
    }

    /// §4 step 1: (epoch, k', c) of a well-formed v1 attestation.
    function _parseAttestation(bytes calldata att) internal pure returns (uint64 e, uint256 size, uint256 c) {
        uint256 len = att.length;
        if (len == 0) revert MalformedAttestation(len);
        if (uint8(att[0]) != ATTESTATION_VERSION) revert UnsupportedAttestationVersion(uint8(att[0]));
        if (len < OFF_MEMBERS + 1) revert MalformedAttestation(len);
        size = uint16(bytes2(att[OFF_SIZE:OFF_MEMBERS]));
        uint256 countAt = OFF_MEMBERS + 2 * size;
        if (len < countAt + 1) revert MalformedAttestation(len);
        c = uint8(att[countAt]);
        if (len != countAt + 1 + c * (2 + Bls12381.G2_BYTES)) revert MalformedAttestation(len);
        e = uint64(bytes8(att[OFF_EPOCH:OFF_SIGNATURE]));
    }

    /// §4 step 4: [key, key + 256) := aggregate key − Σ non-signers' keys, checking their positions
    /// (strictly ascending, < k') and that each key is its member's.
    function _subtractNonSigners(bytes calldata att, uint256 size, uint256 c, uint256 key) internal view {
        uint256 posAt = OFF_MEMBERS + 2 * size + 1;
        uint256 keysAt = posAt + 2 * c;
        uint256 acc = _alloc(2 * Bls12381.G2_BYTES);
        uint256 previous;
        for (uint256 i = 0; i < c; i++) {
            uint256 pos = uint16(bytes2(att[posAt + 2 * i:posAt + 2 * i + 2]));
            if ((i > 0 && pos <= previous) || pos >= size) revert NonSignersNotSorted(i);
            previous = pos;
            uint256 dst = i == 0 ? acc : acc + Bls12381.G2_BYTES;
            bytes32 h;
            assembly ("memory-safe") {
                calldatacopy(dst, add(att.offset, add(keysAt, mul(i, 0x100))), 0x100)
                h := keccak256(dst, 0x100)
            }
            if (h != _memberPkHash(att, pos)) revert KeyMismatch(i);
            if (i > 0) Bls12381.g2AddInPlace(acc);
        }
        // key := −Σ + aggregate key
        Bls12381.g2NegInPlace(acc);
        assembly ("memory-safe") {
            mcopy(add(acc, 0x100), key, 0x100)
        }
        Bls12381.g2AddInPlace(acc);
        assembly ("memory-safe") {
            mcopy(key, acc, 0x100)
        }
    }

    /// the key hash of the member at position `pos` of the attestation's member list
    function _memberPkHash(bytes calldata att, uint256 pos) internal view returns (bytes32) {
        return _validators[uint16(bytes2(att[OFF_MEMBERS + 2 * pos:OFF_MEMBERS + 2 * pos + 2]))].pkHash;
    }

    /// H(d) under ATTEST_DST at `out` (§3.1).
    function _hashDigestAt(bytes32 d, uint256 out) internal view {
        uint256 m = _alloc(32);
        assembly ("memory-safe") {
            mstore(m, d)
        }
        Bls12381.hashToG1At(m, 32, ATTEST_DST, out);
    }

    /// Whether `signature` (128 bytes, not the identity) signs digest `d` under the key at `keyAt`.
    function _verifyAt(uint256 keyAt, bytes calldata signature, bytes32 d) internal view returns (bool) {
        if (signature.length != Bls12381.G1_BYTES) return false;
        uint256 sig = _alloc(Bls12381.PAIRING_2_BYTES);
        assembly ("memory-safe") {
            calldatacopy(sig, signature.offset, 0x80)
            mcopy(add(sig, 0x200), keyAt, 0x100)
        }
        if (Bls12381.isZeroAt(sig, Bls12381.G1_BYTES)) return false;
        Bls12381.writeNegG2GeneratorAt(sig + Bls12381.G1_BYTES);
        _hashDigestAt(d, sig + 384);
        return Bls12381.pairingCheck2At(sig);
    }

    // ------------------------------------------------------------------ §5 accountability

    /// §5: two valid signatures of validator `index` on two different children of `prevId`.
    function slashEquivocation(
        uint16 index,
        bytes calldata publicKey,
        bytes32 prevId,
        SignedAssertion calldata a,
        SignedAssertion calldata b
    ) external {
        if (a.assertionId == b.assertionId) revert SameAssertion();
        uint256 keyAt = _unslashedKey(index, publicKey);
        if (!_verifyAt(keyAt, a.signature, digest(a.epoch, prevId, a.assertionId))) revert BadSignature(0);
        if (!_verifyAt(keyAt, b.signature, digest(b.epoch, prevId, b.assertionId))) revert BadSignature(1);
        uint256 reward = stake * slashRewardPercent / 100;
        _validators[index].slashed = true;
        emit ValidatorSlashed(index, REASON_EQUIVOCATION, msg.sender, reward);
        _pay(msg.sender, reward);
    }

    /// validator `index`'s public key (checked against its hash) in new memory; not slashed yet.
    function _unslashedKey(uint16 index, bytes calldata publicKey) internal view returns (uint256 keyAt) {
        if (index >= validatorCount) revert UnknownValidator(index);
        if (publicKey.length != Bls12381.G2_BYTES) revert KeyMismatch(0);
        keyAt = _alloc(Bls12381.G2_BYTES);
        bytes32 h;
        assembly ("memory-safe") {
            calldatacopy(keyAt, publicKey.offset, 0x100)
            h := keccak256(keyAt, 0x100)
        }
        Validator storage v = _validators[index];
        if (h != v.pkHash) revert KeyMismatch(0);
        if (v.slashed) revert AlreadySlashed(index);
        // its stake is gone: a reward would be paid out of the others' stakes
        if (v.withdrawn) revert AlreadyWithdrawn(index);
    }

    /// §5: an aggregate signature of validators `indices` (strictly ascending; `keys` their public
    /// keys concatenated) on `assertionId`, which lost: its parent `prevId` confirmed another child.
    function slashWrongRoot(
        uint64 epoch,
        bytes32 prevId,
        bytes32 assertionId,
        uint16[] calldata indices,
        bytes calldata keys,
        bytes calldata signature
    ) external {
        _requireRejected(prevId, assertionId);
        bytes32 d = digest(epoch, prevId, assertionId);
        uint256 n = indices.length;
        if (n == 0) revert NotSorted(0);
        if (keys.length != n * Bls12381.G2_BYTES) revert KeysLengthMismatch(n * Bls12381.G2_BYTES, keys.length);
        if (!_verifyAt(_sumKeys(indices, keys), signature, d)) revert BadSignature(0);
        uint256 reward = stake * slashRewardPercent / 100;
        for (uint256 i = 0; i < n; i++) {
            _validators[indices[i]].slashed = true;
            emit ValidatorSlashed(indices[i], REASON_WRONG_ROOT, msg.sender, reward);
        }
        _pay(msg.sender, reward * n);
    }

    /// §5: the rollup knows `assertionId` and `prevId` confirmed another child.
    function _requireRejected(bytes32 prevId, bytes32 assertionId) internal view {
        IRollupOutcomes r = rollup;
        if (address(r) == address(0)) revert NotInitialized();
        bytes32 winner = r.confirmedChild(prevId);
        if (r.assertionStatus(assertionId) == 0 || winner == bytes32(0) || winner == assertionId) {
            revert NotRejected(assertionId);
        }
    }

    /// Σ keys at the returned pointer, checking order, keys and that none is slashed yet.
    function _sumKeys(uint16[] calldata indices, bytes calldata keys) internal view returns (uint256 acc) {
        acc = _alloc(2 * Bls12381.G2_BYTES);
        uint16 count = validatorCount;
        for (uint256 i = 0; i < indices.length; i++) {
            uint16 index = indices[i];
            if (i > 0 && index <= indices[i - 1]) revert NotSorted(i);
            if (index >= count) revert UnknownValidator(index);
            uint256 dst = i == 0 ? acc : acc + Bls12381.G2_BYTES;
            bytes32 h;
            assembly ("memory-safe") {
                calldatacopy(dst, add(keys.offset, mul(i, 0x100)), 0x100)
                h := keccak256(dst, 0x100)
            }
            Validator storage v = _validators[index];
            if (h != v.pkHash) revert KeyMismatch(i);
            if (v.slashed) revert AlreadySlashed(index);
            if (v.withdrawn) revert AlreadyWithdrawn(index);
            if (i > 0) Bls12381.g2AddInPlace(acc);
        }
    }

    // ------------------------------------------------------------------ helpers

    function _pay(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    /// `size` bytes of newly allocated memory; returns a pointer to them.
    function _alloc(uint256 size) internal pure returns (uint256 ptr) {
        bytes memory b = new bytes(size);
        assembly ("memory-safe") {
            ptr := add(b, 0x20)
        }
    }
}
