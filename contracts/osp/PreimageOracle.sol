// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPreimageOracle} from "./IPreimageOracle.sol";
import {PreimageOracleSponge} from "./PreimageOracleSponge.sol";

/// Preimages for the one-step prover (the L1 side of machine.ts `HostData.preimage`; docs/blob.md §4).
/// - Kind 0 (keccak256), whole: `submitPreimage` stores every word (about 20k gas per 32 bytes, so
///   about 40 KiB at 30M gas).
/// - Kind 0, parts: `loadKeccakPart` hashes the whole preimage in calldata but stores only the
///   ≤ 32-byte chunk at one offset and the length (like Optimism's loadKeccak256PreimagePart),
///   so a one-step proof over a 120 KB committee batch costs one transaction.
/// - Kind 0, large: a preimage too large for one transaction (a 761,852-byte committee batch) is
///   hashed on chain in parts (docs/blob.md §4.1): `openLargePreimage` names the offset to keep,
///   `absorbLargePreimage` runs keccak-f over whole 136-byte blocks with the 25-lane state kept in
///   storage between transactions, and `squeezeLargePreimage` absorbs the padded tail, checks the
///   hash against the key and stores the part at the offset and the length, like `loadKeccakPart`.
/// - Kind 1 (EIP-4844 blob by versioned hash): `loadBlobElement` checks one field element with the
///   point-evaluation precompile at z = ω^bitrev12(index) and stores it.
/// - Kind 2 (an EVM precompile's result, docs/machine.md §6.3): `loadPrecompilePreimage` makes the
///   call itself and stores `status ‖ output` under keccak256(address ‖ input).
contract PreimageOracle is IPreimageOracle {
    struct Preimage {
        /// preimage length + 1 (0: not submitted)
        uint256 lenPlusOne;
        /// the preimage's 32-byte words, the last zero-padded
        bytes32[] words;
    }

    /// EIP-4844 constants (docs/blob.md §3)
    uint256 internal constant BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
    uint256 internal constant FIELD_ELEMENTS_PER_BLOB = 4096;
    uint256 internal constant BYTES_PER_BLOB = 131072;
    /// ω = 7^((BLS_MODULUS − 1) / 4096): the primitive 4096th root of unity of EIP-4844 / c-kzg
    uint256 internal constant ROOT_OF_UNITY_4096 =
        39033254847818212395286706435128746857159659164139250548781411570340225835782;
    address internal constant POINT_EVALUATION = address(0x0a);
    address internal constant MODEXP = address(0x05);
    /// a loaded blob element is stored as value | LOADED (value < BLS_MODULUS < 2^255)
    uint256 internal constant LOADED = 1 << 255;

    mapping(bytes32 => Preimage) private preimages;
    /// kind 0 parts: hash => length + 1 (0: no part loaded)
    mapping(bytes32 => uint256) private partLenPlusOne;
    /// kind 0 parts: hash => offset => the ≤ 32-byte chunk at offset, zero-padded
    mapping(bytes32 => mapping(uint256 => bytes32)) private partWords;
    /// kind 0 parts: hash => offset => loaded
    mapping(bytes32 => mapping(uint256 => bool)) private partKnown;
    /// a large kind-0 preimage being hashed in parts (docs/blob.md §4.1)
    struct LargePreimage {
        /// the keccak-f state after `absorbed` bytes (PreimageOracleSponge's packing)
        uint256[7] state;
        /// the declared preimage length
        uint64 length;
        /// bytes absorbed so far (a multiple of 136)
        uint64 absorbed;
        /// the offset whose ≤ 32-byte chunk is kept
        uint64 offset;
        bool open;
        /// the chunk at `offset` as far as absorbed, zero-padded
        bytes32 part;
    }

    /// kind 0, large: owner => uuid => proposal (only its owner absorbs into it)
    mapping(address => mapping(uint256 => LargePreimage)) private largePreimages;
    /// kind 1: versioned hash => element index => value | LOADED (0: not loaded)
    mapping(bytes32 => mapping(uint256 => uint256)) private blobElements;
    /// kind 2: keccak256(address ‖ input) => status ‖ output (docs/machine.md §6.3)
    mapping(bytes32 => Preimage) private precompileResults;
    /// gas kept beyond the call's own for the call's overhead (docs/machine.md §6.3)
    uint256 internal constant PRECOMPILE_CALL_RESERVE = 10_000;

    event PreimageSubmitted(uint8 indexed kind, bytes32 indexed hash, uint256 length);
    event PreimagePartLoaded(uint8 indexed kind, bytes32 indexed hash, uint256 offset);
    event LargePreimageOpened(address indexed owner, uint256 indexed uuid, uint256 length, uint256 offset);

    /// Stores `preimage` under its keccak256 hash (kind 0); submitting a known preimage again is a no-op.
    function submitPreimage(bytes calldata preimage) external returns (bytes32 hash) {
        hash = keccak256(preimage);
        Preimage storage p = preimages[hash];
        if (p.lenPlusOne != 0) return hash;
        p.lenPlusOne = preimage.length + 1;
        uint256 n = (preimage.length + 31) / 32;
        for (uint256 i = 0; i < n; i++) {
            p.words.push(_calldataWord(preimage, i * 32));
        }
        emit PreimageSubmitted(0, hash, preimage.length);
    }

    /// Stores the ≤ 32-byte chunk of `preimage` at `offset` and its length under keccak256(preimage)
    /// (kind 0); reverts `PartOffsetOutOfRange` when `offset` ≥ length. Loading a known part is a no-op.
    function loadKeccakPart(bytes calldata preimage, uint256 offset) external returns (bytes32 hash) {
        if (offset >= preimage.length) revert PartOffsetOutOfRange(offset, preimage.length);
        hash = keccak256(preimage);
        if (partKnown[hash][offset]) return hash;
        partLenPlusOne[hash] = preimage.length + 1;
        partWords[hash][offset] = _calldataWord(preimage, offset);
        partKnown[hash][offset] = true;
        emit PreimagePartLoaded(0, hash, offset);
    }

    /// Starts hashing a large kind-0 preimage of `length` bytes in parts, keeping the chunk at
    /// `offset` (docs/blob.md §4.1). `uuid` names the proposal among the sender's; only the sender
    /// absorbs into it. Reverts `PartOffsetOutOfRange` when `offset` ≥ `length`,
    /// `LargePreimageExists` when the sender has an open proposal `uuid`.
    function openLargePreimage(uint256 uuid, uint256 offset, uint256 length) external {
        if (offset >= length || length > type(uint64).max) revert PartOffsetOutOfRange(offset, length);
        LargePreimage storage p = largePreimages[msg.sender][uuid];
        if (p.open) revert LargePreimageExists(msg.sender, uuid);
        p.length = uint64(length);
        p.offset = uint64(offset);
        p.open = true;
        emit LargePreimageOpened(msg.sender, uuid, length, offset);
    }

    /// Absorbs `data`, the preimage bytes [start, start + data.length), into the sender's proposal
    /// `uuid`: keccak-f per 136-byte block, the state stored back, the chunk at the proposal's offset
    /// kept where `data` covers it. `data` is whole blocks (`LargePreimagePartMisaligned`), `start`
    /// is exactly what was absorbed so far (`LargePreimagePartOutOfOrder`), and the end stays within
    /// the declared length (`LargePreimageOverrun`).
    function absorbLargePreimage(uint256 uuid, uint256 start, bytes calldata data) external {
        LargePreimage storage p = largePreimages[msg.sender][uuid];
        if (!p.open) revert UnknownLargePreimage(msg.sender, uuid);
        if (data.length == 0 || data.length % PreimageOracleSponge.RATE != 0) {
            revert LargePreimagePartMisaligned(data.length);
        }
        uint256 absorbed = p.absorbed;
        if (start != absorbed) revert LargePreimagePartOutOfOrder(absorbed, start);
        if (absorbed + data.length > p.length) revert LargePreimageOverrun(absorbed + data.length, p.length);
        PreimageOracleSponge.absorb(p.state, data, false);
        p.part = _capture(p.part, p.offset, absorbed, data);
        p.absorbed = uint64(absorbed + data.length);
    }

    /// Absorbs the last `tail` (< 136 bytes, ending exactly at the declared length) with keccak's
    /// padding, and when the hash is `key` stores the chunk at the proposal's offset and the length
    /// under `key`, as `loadKeccakPart` does, and closes the proposal. Reverts
    /// `LargePreimageIncomplete` when bytes are missing, `LargePreimageHashMismatch` when the
    /// absorbed bytes do not hash to `key` (a wrong or reordered part, or the wrong key).
    function squeezeLargePreimage(uint256 uuid, bytes calldata tail, bytes32 key) external {
        LargePreimage storage p = largePreimages[msg.sender][uuid];
        if (!p.open) revert UnknownLargePreimage(msg.sender, uuid);
        if (tail.length >= PreimageOracleSponge.RATE) revert LargePreimagePartMisaligned(tail.length);
        uint256 absorbed = p.absorbed;
        if (absorbed + tail.length != p.length) revert LargePreimageIncomplete(absorbed + tail.length, p.length);
        bytes32 hash = PreimageOracleSponge.absorb(p.state, tail, true);
        if (hash != key) revert LargePreimageHashMismatch(key, hash);
        uint256 offset = p.offset;
        bytes32 part = _capture(p.part, offset, absorbed, tail);
        uint256 length = p.length;
        delete largePreimages[msg.sender][uuid];
        if (partKnown[key][offset]) return;
        partLenPlusOne[key] = length + 1;
        partWords[key][offset] = part;
        partKnown[key][offset] = true;
        emit PreimagePartLoaded(0, key, offset);
    }

    /// The sender-independent view of proposal (`owner`, `uuid`): declared length, bytes absorbed,
    /// the offset kept, and whether it is open.
    function largePreimage(address owner, uint256 uuid)
        external
        view
        returns (uint256 length, uint256 absorbed, uint256 offset, bool open)
    {
        LargePreimage storage p = largePreimages[owner][uuid];
        return (p.length, p.absorbed, p.offset, p.open);
    }

    /// `part` with the bytes of [offset, offset + 32) that `data` (the preimage bytes from `pos`) covers
    function _capture(bytes32 part, uint256 offset, uint256 pos, bytes calldata data) private pure returns (bytes32) {
        if (offset + 32 <= pos || offset >= pos + data.length) return part;
        if (offset >= pos) return _calldataWord(data, offset - pos);
        return part | (_calldataWord(data, 0) >> ((pos - offset) * 8));
    }

    /// Stores field element `index` of the blob with `versionedHash` (kind 1) once the
    /// point-evaluation precompile accepts `versionedHash ‖ z ‖ value ‖ commitment ‖ proof` with
    /// z = ω^bitrev12(index) (docs/blob.md §4). Loading a known element is a no-op.
    function loadBlobElement(
        bytes32 versionedHash,
        uint256 index,
        bytes32 value,
        bytes calldata commitment,
        bytes calldata proof
    ) external {
        if (index >= FIELD_ELEMENTS_PER_BLOB) revert BlobIndexOutOfRange(index);
        if (blobElements[versionedHash][index] != 0) return;
        if (commitment.length != 48 || proof.length != 48) revert BadBlobProof(versionedHash, index);
        uint256 z = blobElementZ(index);
        (bool ok, bytes memory out) =
            POINT_EVALUATION.staticcall(abi.encodePacked(versionedHash, z, value, commitment, proof));
        // the precompile returns FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS on success and fails otherwise
        if (!ok || out.length != 64) revert BadBlobProof(versionedHash, index);
        blobElements[versionedHash][index] = uint256(value) | LOADED;
        emit PreimagePartLoaded(1, versionedHash, index * 32);
    }

    /// The gas L1 charges precompile `id` for `inputLength` bytes (Cancun: EIP-1108, EIP-4844), for the
    /// four the oracle serves (docs/machine.md §6.3); reverts `UnsupportedPrecompile` for another id.
    function precompileGas(uint8 id, uint256 inputLength) public pure returns (uint256) {
        if (id == 0x06) return 150;
        if (id == 0x07) return 6000;
        if (id == 0x08) return 45_000 + 34_000 * (inputLength / 192);
        if (id == 0x0a) return 50_000;
        revert UnsupportedPrecompile(id);
    }

    /// Calls precompile `id` (0x06, 0x07, 0x08 or 0x0a) on `input` with exactly `precompileGas` and
    /// stores `0x01 ‖ output` (success) or `0x00` (failure) as the kind-2 preimage of
    /// keccak256(address ‖ input) (docs/machine.md §6.3). Reverts `NotEnoughGasForPrecompile` when
    /// the call could get less than its gas (a failure is then never the caller's doing). Loading a
    /// known key is a no-op.
    function loadPrecompilePreimage(uint8 id, bytes calldata input) external returns (bytes32 key) {
        uint256 callGas = precompileGas(id, input.length);
        address target = address(uint160(id));
        key = keccak256(abi.encodePacked(target, input));
        Preimage storage p = precompileResults[key];
        if (p.lenPlusOne != 0) return key;
        uint256 needed = callGas + callGas / 63 + PRECOMPILE_CALL_RESERVE;
        if (gasleft() < needed) revert NotEnoughGasForPrecompile(needed, gasleft());
        (bool ok, bytes memory out) = target.staticcall{gas: callGas}(input);
        bytes memory result = ok ? abi.encodePacked(uint8(1), out) : abi.encodePacked(uint8(0));
        p.lenPlusOne = result.length + 1;
        for (uint256 i = 0; i < result.length; i += 32) {
            bytes32 w;
            assembly ("memory-safe") {
                w := mload(add(add(result, 32), i))
            }
            uint256 rem = result.length - i;
            if (rem < 32) w &= bytes32(~uint256(0) << (256 - rem * 8));
            p.words.push(w);
        }
        emit PreimageSubmitted(2, key, result.length);
    }

    /// z = ω^bitrev12(index) mod BLS_MODULUS: where a blob's element `index` is its polynomial's value.
    function blobElementZ(uint256 index) public view returns (uint256 z) {
        uint256 e = 0;
        for (uint256 b = 0; b < 12; b++) {
            e |= ((index >> b) & 1) << (11 - b);
        }
        (bool ok, bytes memory out) =
            MODEXP.staticcall(abi.encode(uint256(32), uint256(32), uint256(32), ROOT_OF_UNITY_4096, e, BLS_MODULUS));
        require(ok && out.length == 32);
        z = uint256(bytes32(out));
    }

    /// Kind 0: the whole preimage was submitted; kind 2: the precompile's result was loaded.
    function isKnown(uint8 kind, bytes32 hash) external view returns (bool) {
        if (kind == 2) return precompileResults[hash].lenPlusOne != 0;
        return kind == 0 && preimages[hash].lenPlusOne != 0;
    }

    /// Whether `readPreimage(kind, hash, offset)` answers (does not revert).
    function isPartKnown(uint8 kind, bytes32 hash, uint256 offset) public view returns (bool) {
        if (kind == 0) {
            if (preimages[hash].lenPlusOne != 0 || partKnown[hash][offset]) return true;
            uint256 lp = partLenPlusOne[hash];
            return lp != 0 && offset >= lp - 1;
        }
        if (kind == 1) return offset >= BYTES_PER_BLOB || blobElements[hash][offset >> 5] != 0;
        if (kind == 2) return precompileResults[hash].lenPlusOne != 0;
        return false;
    }

    /// Kind 0: the length of a whole preimage or of one with a loaded part; kind 1: 131,072; kind 2:
    /// 1 + the output's length.
    function preimageLength(uint8 kind, bytes32 hash) external view returns (uint256) {
        if (kind == 1) return BYTES_PER_BLOB;
        if (kind == 2 && precompileResults[hash].lenPlusOne != 0) return precompileResults[hash].lenPlusOne - 1;
        if (kind == 0) {
            uint256 lp = preimages[hash].lenPlusOne;
            if (lp == 0) lp = partLenPlusOne[hash];
            if (lp != 0) return lp - 1;
        }
        revert UnknownPreimage(kind, hash);
    }

    /// @inheritdoc IPreimageOracle
    function readPreimage(uint8 kind, bytes32 hash, uint256 offset) external view returns (bytes memory chunk) {
        if (kind == 1) return _readBlob(hash, offset);
        if (kind == 2) {
            Preimage storage r = precompileResults[hash];
            if (r.lenPlusOne == 0) revert UnknownPreimage(2, hash);
            return _readWhole(r, offset);
        }
        if (kind != 0) revert UnknownPreimage(kind, hash);
        Preimage storage p = preimages[hash];
        if (p.lenPlusOne == 0) return _readPart(hash, offset);
        return _readWhole(p, offset);
    }

    /// up to 32 bytes at `offset` of a preimage stored whole (empty at or past its end)
    function _readWhole(Preimage storage p, uint256 offset) private view returns (bytes memory chunk) {
        uint256 len = p.lenPlusOne - 1;
        if (offset >= len) return chunk;
        uint256 n = len - offset;
        if (n > 32) n = 32;
        uint256 i = offset >> 5;
        uint256 o = (offset & 31) << 3;
        uint256 v = uint256(p.words[i]) << o;
        if (o != 0 && i + 1 < p.words.length) v |= uint256(p.words[i + 1]) >> (256 - o);
        // bytes past n are zero in storage or shifted out, except within the last word: mask them
        if (n < 32) v &= ~uint256(0) << (256 - n * 8);
        chunk = _chunk(bytes32(v), n);
    }

    function _readPart(bytes32 hash, uint256 offset) private view returns (bytes memory chunk) {
        uint256 lp = partLenPlusOne[hash];
        if (lp == 0) revert UnknownPreimage(0, hash);
        uint256 len = lp - 1;
        if (offset >= len) return chunk;
        if (!partKnown[hash][offset]) revert UnknownPreimage(0, hash);
        uint256 n = len - offset;
        if (n > 32) n = 32;
        chunk = _chunk(partWords[hash][offset], n);
    }

    /// Bytes [offset, end of its 32-byte field element) of the blob (docs/blob.md §3).
    function _readBlob(bytes32 versionedHash, uint256 offset) private view returns (bytes memory chunk) {
        if (offset >= BYTES_PER_BLOB) return chunk;
        uint256 e = blobElements[versionedHash][offset >> 5];
        if (e == 0) revert UnknownPreimage(1, versionedHash);
        uint256 o = offset & 31;
        chunk = _chunk(bytes32((e & ~LOADED) << (o * 8)), 32 - o);
    }

    /// the 32-byte word of `data` at `off`, zero past the end
    function _calldataWord(bytes calldata data, uint256 off) private pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := calldataload(add(data.offset, off))
        }
        uint256 rem = data.length - off;
        if (rem < 32) w &= bytes32(~uint256(0) << (256 - rem * 8));
    }

    function _chunk(bytes32 word, uint256 n) private pure returns (bytes memory chunk) {
        chunk = new bytes(n);
        assembly ("memory-safe") {
            mstore(add(chunk, 32), word)
        }
    }
}
