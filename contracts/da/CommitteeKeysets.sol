// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Bls12381, BlsPrecompilesMissing, PrecompileFailed} from "./Bls12381.sol";
import {ICertificateVerifier} from "./ICertificateVerifier.sol";

/// The data availability committee's keysets and certificate check (docs/committee.md §2–§4).
///
/// The owner registers keysets (every member's proof of possession is checked here, §2.2) and
/// invalidates them; rotation is "register the new keyset, then invalidate the old one". The inbox
/// calls `verifyCertificate` for every committee batch (docs/inbox.md §5.3), so a certificate that
/// is not signed by enough members of a live keyset, or has expired, never enters the inbox.
contract CommitteeKeysets is ICertificateVerifier {
    /// §1.3, §1.4: hash_to_G1 domain separation tags.
    bytes internal constant SIGNATURE_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_";
    bytes internal constant POP_DST = "BLS_POP_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_";

    /// §3 certificate v1 layout (byte offsets).
    uint8 internal constant CERTIFICATE_VERSION = 0x01;
    uint256 internal constant OFF_KEYSET = 1;
    uint256 internal constant OFF_DATA_HASH = 33;
    uint256 internal constant OFF_EXPIRY = 65;
    uint256 internal constant OFF_SIGNATURE = 73;
    uint256 internal constant OFF_AGGREGATE_KEY = 201;
    uint256 internal constant OFF_NON_SIGNER_COUNT = 457;
    uint256 internal constant HEADER_BYTES = 458;

    /// §2.3: what is stored per keyset.
    struct KeysetInfo {
        bool registered;
        bool invalidated;
        uint8 assumedHonest;
        uint8 size;
        /// assumedHonest − 1: the most members a certificate may leave out
        uint8 maxNonSigners;
        uint64 registeredAt;
        uint64 invalidatedAt;
        /// keccak256 of the 256-byte sum of all members' public keys
        bytes32 aggregateKeyHash;
    }

    address public immutable owner;
    mapping(bytes32 keysetHash => KeysetInfo) internal _keysets;
    /// keysetHash ⇒ keccak256(publicKey) ⇒ member
    mapping(bytes32 keysetHash => mapping(bytes32 pkHash => bool)) public isMember;

    event KeysetRegistered(bytes32 indexed keysetHash, uint8 assumedHonest, bytes[] publicKeys);
    event KeysetInvalidation(bytes32 indexed keysetHash);

    error NotOwner(address caller);
    error ZeroOwner();
    error BadKeysetSize(uint256 size, uint8 assumedHonest);
    error ProofCountMismatch(uint256 publicKeys, uint256 proofs);
    error BadPublicKey(uint256 index);
    error DuplicateMember(uint256 index);
    error BadProofOfPossession(uint256 index);
    error KeysetAlreadyRegistered(bytes32 keysetHash);
    error UnknownKeyset(bytes32 keysetHash);
    error KeysetInvalidated(bytes32 keysetHash);
    error MalformedCertificate(uint256 length);
    error UnsupportedCertificateVersion(uint8 version);
    error CertificateExpired(uint64 expiry, uint256 now_);
    error TooManyNonSigners(uint256 count, uint256 max);
    error AggregateKeyMismatch(bytes32 given, bytes32 registered);
    error NotAMember(bytes32 pkHash);
    error NonSignersNotSorted(uint256 index);
    error BadAggregateSignature();

    constructor(address owner_) {
        if (owner_ == address(0)) revert ZeroOwner();
        // fail closed: without EIP-2537 every check below could pass on garbage (docs/committee.md §1)
        Bls12381.requirePrecompiles();
        owner = owner_;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ §2 keysets

    /// §2.1 keyset hash: keccak256(u8 assumedHonest ‖ u8 n ‖ pk_0 ‖ … ‖ pk_{n−1}).
    function keysetHashOf(uint8 assumedHonest, bytes[] calldata publicKeys) public pure returns (bytes32) {
        uint256 n = publicKeys.length;
        bytes memory packed = new bytes(2 + n * Bls12381.G2_BYTES);
        packed[0] = bytes1(assumedHonest);
        packed[1] = bytes1(uint8(n));
        for (uint256 i = 0; i < n; i++) {
            bytes calldata pk = publicKeys[i];
            if (pk.length != Bls12381.G2_BYTES) revert BadPublicKey(i);
            assembly ("memory-safe") {
                calldatacopy(add(add(packed, 0x22), mul(i, 0x100)), pk.offset, 0x100)
            }
        }
        return keccak256(packed);
    }

    /// §2.2: registers a keyset after checking each member's proof of possession; returns its hash.
    function registerKeyset(uint8 assumedHonest, bytes[] calldata publicKeys, bytes[] calldata pops)
        external
        onlyOwner
        returns (bytes32 keysetHash)
    {
        uint256 n = publicKeys.length;
        if (n == 0 || n > 255 || assumedHonest == 0 || assumedHonest > n) {
            revert BadKeysetSize(n, assumedHonest);
        }
        if (pops.length != n) revert ProofCountMismatch(n, pops.length);
        keysetHash = keysetHashOf(assumedHonest, publicKeys);
        if (_keysets[keysetHash].registered) revert KeysetAlreadyRegistered(keysetHash);

        bytes32 aggregateKeyHash = _checkMembers(keysetHash, publicKeys, pops);
        _keysets[keysetHash] = KeysetInfo({
            registered: true,
            invalidated: false,
            assumedHonest: assumedHonest,
            size: uint8(n),
            maxNonSigners: assumedHonest - 1,
            registeredAt: uint64(block.timestamp),
            invalidatedAt: 0,
            aggregateKeyHash: aggregateKeyHash
        });
        emit KeysetRegistered(keysetHash, assumedHonest, publicKeys);
    }

    /// §2.2 step 3 for every member; records membership and returns keccak256(Σ pk_i). Reuses one
    /// pairing buffer (pop ‖ −G2 ‖ H_pop(pk) ‖ pk) and one G2 accumulator, so memory does not grow
    /// with n.
    function _checkMembers(bytes32 keysetHash, bytes[] calldata publicKeys, bytes[] calldata pops)
        internal
        returns (bytes32 aggregateKeyHash)
    {
        bytes memory popDst = POP_DST;
        uint256 popAt = _alloc(Bls12381.PAIRING_2_BYTES);
        uint256 acc = _alloc(2 * Bls12381.G2_BYTES);
        Bls12381.writeNegG2GeneratorAt(popAt + Bls12381.G1_BYTES);
        for (uint256 i = 0; i < publicKeys.length; i++) {
            _checkMember(keysetHash, i, publicKeys[i], pops[i], popAt, popDst);
            // acc (+)= pk, the last 256 bytes of the pairing buffer
            assembly ("memory-safe") {
                mcopy(add(acc, mul(0x100, gt(i, 0))), add(popAt, 0x200), 0x100)
            }
            if (i > 0) Bls12381.g2AddInPlace(acc);
        }
        assembly ("memory-safe") {
            aggregateKeyHash := keccak256(acc, 0x100)
        }
    }

    /// Member i: not the identity, not a duplicate, a valid proof of possession (§1.4):
    /// e(pop, −G2) · e(H_pop(pk), pk) == 1, which also puts pk in the G2 subgroup. Leaves pk in the
    /// pairing buffer at popAt + 512.
    function _checkMember(
        bytes32 keysetHash,
        uint256 i,
        bytes calldata pk,
        bytes calldata pop,
        uint256 popAt,
        bytes memory popDst
    ) internal {
        uint256 pkAt = popAt + Bls12381.G1_BYTES + Bls12381.G2_BYTES + Bls12381.G1_BYTES;
        bytes32 pkHash;
        assembly ("memory-safe") {
            calldatacopy(pkAt, pk.offset, 0x100) // 256 bytes: keysetHashOf checked the length
            pkHash := keccak256(pkAt, 0x100)
        }
        if (Bls12381.isZeroAt(pkAt, Bls12381.G2_BYTES)) revert BadPublicKey(i);
        if (isMember[keysetHash][pkHash]) revert DuplicateMember(i);
        isMember[keysetHash][pkHash] = true;
        if (pop.length != Bls12381.G1_BYTES) revert BadProofOfPossession(i);
        assembly ("memory-safe") {
            calldatacopy(popAt, pop.offset, 0x80)
        }
        if (Bls12381.isZeroAt(popAt, Bls12381.G1_BYTES)) revert BadProofOfPossession(i);
        Bls12381.hashToG1At(pkAt, Bls12381.G2_BYTES, popDst, popAt + Bls12381.G1_BYTES + Bls12381.G2_BYTES);
        if (!Bls12381.pairingCheck2At(popAt)) revert BadProofOfPossession(i);
    }

    /// `size` bytes of newly allocated memory; returns a pointer to them.
    function _alloc(uint256 size) internal pure returns (uint256 ptr) {
        bytes memory b = new bytes(size);
        assembly ("memory-safe") {
            ptr := add(b, 0x20)
        }
    }

    /// §2.4: from now on, certificates of this keyset are refused. Permanent.
    function invalidateKeyset(bytes32 keysetHash) external onlyOwner {
        KeysetInfo storage k = _keysets[keysetHash];
        if (!k.registered) revert UnknownKeyset(keysetHash);
        if (k.invalidated) revert KeysetInvalidated(keysetHash);
        k.invalidated = true;
        k.invalidatedAt = uint64(block.timestamp);
        emit KeysetInvalidation(keysetHash);
    }

    /// §2.3: the stored record of a keyset (all zero when unknown).
    function keysetInfo(bytes32 keysetHash) external view returns (KeysetInfo memory) {
        return _keysets[keysetHash];
    }

    // ------------------------------------------------------------------ §4 certificates

    /// §4: reverts unless `certificate` is valid now; returns its data hash.
    function verifyCertificate(bytes calldata certificate) external view override returns (bytes32 dataHash) {
        uint256 len = certificate.length;
        if (len == 0) revert MalformedCertificate(len);
        if (uint8(certificate[0]) != CERTIFICATE_VERSION) {
            revert UnsupportedCertificateVersion(uint8(certificate[0]));
        }
        if (len < HEADER_BYTES) revert MalformedCertificate(len);
        uint256 count = uint8(certificate[OFF_NON_SIGNER_COUNT]);
        if (len != HEADER_BYTES + count * Bls12381.G2_BYTES) revert MalformedCertificate(len);

        bytes32 keysetHash = bytes32(certificate[OFF_KEYSET:OFF_DATA_HASH]);
        dataHash = bytes32(certificate[OFF_DATA_HASH:OFF_EXPIRY]);
        uint64 expiry = uint64(bytes8(certificate[OFF_EXPIRY:OFF_SIGNATURE]));

        KeysetInfo storage k = _keysets[keysetHash];
        if (!k.registered) revert UnknownKeyset(keysetHash);
        if (k.invalidated) revert KeysetInvalidated(keysetHash);
        if (block.timestamp > expiry) revert CertificateExpired(expiry, block.timestamp);
        if (count > k.maxNonSigners) revert TooManyNonSigners(count, k.maxNonSigners);

        // §4.3 the pairing input: signature ‖ −G2 ‖ H(dataHash ‖ expiry) ‖ signers' key
        bytes memory input = new bytes(Bls12381.PAIRING_2_BYTES);
        uint256 sig;
        uint256 key;
        bytes32 givenKeyHash;
        assembly ("memory-safe") {
            sig := add(input, 0x20)
            key := add(sig, 0x200)
            calldatacopy(sig, add(certificate.offset, OFF_SIGNATURE), 0x80)
            calldatacopy(key, add(certificate.offset, OFF_AGGREGATE_KEY), 0x100)
            givenKeyHash := keccak256(key, 0x100)
        }
        if (givenKeyHash != k.aggregateKeyHash) revert AggregateKeyMismatch(givenKeyHash, k.aggregateKeyHash);
        if (count > 0) _subtractNonSigners(certificate, keysetHash, count, key);
        // a signature at infinity would verify against a signers' key at infinity (not otherwise:
        // e(sig, −G2) = 1 only for sig = 0), so refusing it covers both
        if (Bls12381.isZeroAt(sig, Bls12381.G1_BYTES)) revert BadAggregateSignature();
        Bls12381.writeNegG2GeneratorAt(sig + Bls12381.G1_BYTES);
        // §1.3: the signed message is dataHash ‖ expiry, i.e. certificate bytes [33, 73)
        bytes memory message = certificate[OFF_DATA_HASH:OFF_SIGNATURE];
        uint256 messagePtr;
        assembly ("memory-safe") {
            messagePtr := add(message, 0x20)
        }
        Bls12381.hashToG1At(messagePtr, 40, SIGNATURE_DST, sig + 384);
        if (!Bls12381.pairingCheck2At(sig)) revert BadAggregateSignature();
    }

    /// §4.2: [key, key + 256) := aggregateKey − Σ nonSigners, checking that the non-signers are
    /// members listed strictly ascending by keccak256(publicKey).
    function _subtractNonSigners(bytes calldata certificate, bytes32 keysetHash, uint256 count, uint256 key)
        internal
        view
    {
        // acc = Σ nonSigners at [acc, acc + 256); the next non-signer (the G2ADD operand) after it
        bytes memory buf = new bytes(2 * Bls12381.G2_BYTES);
        uint256 acc;
        assembly ("memory-safe") {
            acc := add(buf, 0x20)
        }
        bytes32 previous;
        for (uint256 i = 0; i < count; i++) {
            uint256 at = HEADER_BYTES + i * Bls12381.G2_BYTES;
            uint256 dst = i == 0 ? acc : acc + Bls12381.G2_BYTES;
            bytes32 pkHash;
            assembly ("memory-safe") {
                calldatacopy(dst, add(certificate.offset, at), 0x100)
                pkHash := keccak256(dst, 0x100)
            }
            if (i > 0 && pkHash <= previous) revert NonSignersNotSorted(i);
            if (!isMember[keysetHash][pkHash]) revert NotAMember(pkHash);
            previous = pkHash;
            if (i > 0) Bls12381.g2AddInPlace(acc);
        }
        // key := −Σ + aggregateKey
        Bls12381.g2NegInPlace(acc);
        assembly ("memory-safe") {
            mcopy(add(acc, 0x100), key, 0x100)
        }
        Bls12381.g2AddInPlace(acc);
        assembly ("memory-safe") {
            mcopy(key, acc, 0x100)
        }
    }
}
