// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPreimageOracle} from "./IPreimageOracle.sol";

/// Stores keccak256 preimages (kind 0) for the one-step prover (the L1 side of
/// machine.ts `HostData.preimage`). A preimage is submitted whole in one transaction, so its size is
/// bounded by the block gas limit (about 20k gas per 32 bytes: roughly 40 KiB at 30M gas).
/// Splitting a large preimage into parts (submitted separately, accepted once the hash of their
/// concatenation is proven) is not needed yet.
contract PreimageOracle is IPreimageOracle {
    struct Preimage {
        /// preimage length + 1 (0: not submitted)
        uint256 lenPlusOne;
        /// the preimage's 32-byte words, the last zero-padded
        bytes32[] words;
    }

    mapping(bytes32 => Preimage) private preimages;

    event PreimageSubmitted(uint8 indexed kind, bytes32 indexed hash, uint256 length);

    /// Stores `preimage` under its keccak256 hash (kind 0); submitting a known preimage again is a no-op.
    function submitPreimage(bytes calldata preimage) external returns (bytes32 hash) {
        hash = keccak256(preimage);
        Preimage storage p = preimages[hash];
        if (p.lenPlusOne != 0) return hash;
        p.lenPlusOne = preimage.length + 1;
        uint256 n = (preimage.length + 31) / 32;
        for (uint256 i = 0; i < n; i++) {
            bytes32 w;
            uint256 off = i * 32;
            assembly ("memory-safe") {
                w := calldataload(add(preimage.offset, off))
            }
            // zero the bytes past the end in the last word
            uint256 rem = preimage.length - off;
            if (rem < 32) w &= bytes32(~uint256(0) << (256 - rem * 8));
            p.words.push(w);
        }
        emit PreimageSubmitted(0, hash, preimage.length);
    }

    function isKnown(uint8 kind, bytes32 hash) external view returns (bool) {
        return kind == 0 && preimages[hash].lenPlusOne != 0;
    }

    function preimageLength(uint8 kind, bytes32 hash) external view returns (uint256) {
        return _get(kind, hash).lenPlusOne - 1;
    }

    /// @inheritdoc IPreimageOracle
    function readPreimage(uint8 kind, bytes32 hash, uint256 offset) external view returns (bytes memory chunk) {
        Preimage storage p = _get(kind, hash);
        uint256 len = p.lenPlusOne - 1;
        if (offset >= len) return chunk;
        uint256 n = len - offset;
        if (n > 32) n = 32;
        uint256 i = offset >> 5;
        uint256 o = (offset & 31) << 3;
        uint256 v = uint256(p.words[i]) << o;
        if (o != 0 && i + 1 < p.words.length) v |= uint256(p.words[i + 1]) >> (256 - o);
        chunk = new bytes(n);
        assembly ("memory-safe") {
            mstore(add(chunk, 32), v)
        }
        // bytes past n are zero in storage or shifted out, except within the last word: mask them
        if (n < 32) {
            bytes32 masked = bytes32(v & (~uint256(0) << (256 - n * 8)));
            assembly ("memory-safe") {
                mstore(add(chunk, 32), masked)
            }
        }
    }

    function _get(uint8 kind, bytes32 hash) private view returns (Preimage storage p) {
        p = preimages[hash];
        if (kind != 0 || p.lenPlusOne == 0) revert UnknownPreimage(kind, hash);
    }
}
