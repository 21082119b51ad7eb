// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProofNotWordAligned, ProofTooShort} from "./OspErrors.sol";

/// A read position in the proof (absolute calldata offsets): the proof is never copied to memory.
struct Cursor {
    uint256 pos;
    uint256 end;
}

/// Mirrors the `Reader` class of src/vm/wasm/verify.ts: the proof is a sequence of 32-byte words
/// read in order (docs/machine.md §7); reading past the end reverts `ProofTooShort()`.
library ProofReader {
    function open(bytes calldata proof) internal pure returns (Cursor memory c) {
        if (proof.length % 32 != 0) revert ProofNotWordAligned();
        uint256 start;
        assembly ("memory-safe") {
            start := proof.offset
        }
        c.pos = start;
        c.end = start + proof.length;
    }

    function word(Cursor memory c) internal pure returns (bytes32 w) {
        uint256 p = c.pos;
        if (p + 32 > c.end) revert ProofTooShort();
        assembly ("memory-safe") {
            w := calldataload(p)
        }
        c.pos = p + 32;
    }

    function num(Cursor memory c) internal pure returns (uint256) {
        return uint256(word(c));
    }

    /// Skips a path of `depth` words and returns the calldata offset where it starts.
    function path(Cursor memory c, uint256 depth) internal pure returns (uint256 p) {
        p = c.pos;
        if (depth > (c.end - p) >> 5) revert ProofTooShort();
        c.pos = p + (depth << 5);
    }
}
