// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The outbox's frontier (docs/stf.md "Outbox": the deposit-contract incremental Merkle tree of
/// depth 32, state key 0x04 = `count u64 ‖ branch[0..32]`), for validity proofs (docs/validity.md
/// §5.3): the send root of a frontier, and appending a leaf. Mirrored by
/// src/proof/validity/outbox-frontier.ts. Only the `branch[h]` with bit h of `count` set are read,
/// by both the root and the append, so the others may hold anything.
library OutboxFrontier {
    uint256 internal constant DEPTH = 32;

    struct Frontier {
        uint64 count;
        bytes32[32] branch;
    }

    /// The send root: 0x00…00 while the tree is empty (the STF never writes it before the first
    /// withdrawal), else the root of the depth-32 tree (missing leaves zero).
    function root(Frontier memory f) internal pure returns (bytes32 r) {
        if (f.count == 0) return bytes32(0);
        bytes32 z;
        uint256 size = f.count;
        for (uint256 h = 0; h < DEPTH; h++) {
            r = size & 1 == 1 ? _pair(f.branch[h], r) : _pair(r, z);
            z = _pair(z, z);
            size >>= 1;
        }
    }

    /// Appends `leaf` (docs/stf.md "Outbox": the SDK's `outboxAppend`).
    function append(Frontier memory f, bytes32 leaf) internal pure {
        bytes32 node = leaf;
        uint256 size = uint256(f.count) + 1;
        f.count = uint64(size);
        for (uint256 h = 0; h < DEPTH; h++) {
            if (size & 1 == 1) {
                f.branch[h] = node;
                return;
            }
            node = _pair(f.branch[h], node);
            size >>= 1;
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
