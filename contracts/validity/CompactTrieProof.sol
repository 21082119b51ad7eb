// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// Inclusion of one (key, value) in the SDK's compact binary trie (docs/stf.md "State tree"), for
/// validity proofs (docs/validity.md §5.3). Mirrored by `StateTree.prove` / `verifyStateProof` in
/// src/apps/sdk/state-tree.ts.
///
/// A proof is the siblings of the key's leaf, root level first (`siblings[d]` is the sibling at
/// depth d + 1 of the node on the path at depth d + 1, so `siblings.length` is the leaf's depth).
/// The leaf `keccak256(MARKER ‖ keccak256(keccak256(key) ‖ keccak256(value)))` is hashed up: at
/// depth d, bit d of keccak256(key) (most significant bit of byte 0 first) = 1 means
/// `keccak256(sibling ‖ node)`, else `keccak256(node ‖ sibling)`. The leaf body commits to the key
/// hash and the path to the root fixes every node on it, so a root has one value per key.
library CompactTrieProof {
    bytes32 internal constant MARKER = bytes32(type(uint256).max);

    /// The root the leaf (key, value) hashes up to along `siblings`.
    function rootOf(bytes memory key, bytes memory value, bytes32[] memory siblings)
        internal
        pure
        returns (bytes32 node)
    {
        bytes32 keyHash = keccak256(key);
        node = _pair(MARKER, _pair(keyHash, keccak256(value)));
        for (uint256 i = siblings.length; i > 0; i--) {
            uint256 d = i - 1;
            bytes32 sib = siblings[d];
            node = (uint256(keyHash) >> (255 - d)) & 1 == 1 ? _pair(sib, node) : _pair(node, sib);
        }
    }

    function _pair(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, a)
            mstore(32, b)
            h := keccak256(0, 64)
        }
    }
}
