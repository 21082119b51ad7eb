// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Mirrors src/vm/wasm/merkle.ts (`rootFromPath`) and hash.ts (`ceilLog2`, `ZERO_HASHES`):
/// binary Merkle trees over 32-byte leaves, inner node keccak256(left || right) (docs/machine.md §4.2).
library MerkleProof {
    /// The root from `leaf` at `index` and its bottom-up sibling path: `depth` words in calldata at `pathPos`.
    function rootFromPath(bytes32 leaf, uint256 index, uint256 pathPos, uint256 depth)
        internal
        pure
        returns (bytes32 h)
    {
        assembly ("memory-safe") {
            h := leaf
            let end := add(pathPos, shl(5, depth))
            for { let p := pathPos } lt(p, end) { p := add(p, 32) } {
                let sib := calldataload(p)
                switch and(index, 1)
                case 0 {
                    mstore(0, h)
                    mstore(32, sib)
                }
                default {
                    mstore(0, sib)
                    mstore(32, h)
                }
                h := keccak256(0, 64)
                index := shr(1, index)
            }
        }
    }

    /// Z[k]: the root of a depth-k tree of zero words, computed iteratively.
    function zeroRoot(uint256 depth) internal pure returns (bytes32 z) {
        assembly ("memory-safe") {
            for { let k := 0 } lt(k, depth) { k := add(k, 1) } {
                mstore(0, z)
                mstore(32, z)
                z := keccak256(0, 64)
            }
        }
    }

    /// ceil(log2(n)) for n >= 1; 0 for n <= 1.
    function ceilLog2(uint256 n) internal pure returns (uint256 d) {
        if (n <= 1) return 0;
        unchecked {
            n -= 1;
        }
        while (n != 0) {
            n >>= 1;
            unchecked {
                d++;
            }
        }
    }
}
