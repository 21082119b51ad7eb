// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The machine's global state (docs/machine.md §2.3).
struct GlobalState {
    bytes32 stateRoot;
    bytes32 sendRoot;
    uint64 inboxPosition;
    uint64 positionInMessage;
}

/// An assertion's data (docs/dispute.md §2.1); its id is keccak256(abi.encode(data)).
struct AssertionData {
    bytes32 prevId;
    bytes32 prevStateHash;
    uint64 blockCount;
    GlobalState end;
    bytes32 historyRoot;
    uint64 nextInboxPosition;
}

/// An edge: the claim `node(start, w) = root` at a level, in a context (docs/dispute.md §4).
struct EdgeRef {
    uint8 level;
    bytes32 origin;
    uint64 start;
    uint8 w;
    bytes32 startState;
    bytes32 root;
}

/// The hashes of docs/dispute.md §2.1, §3 and §4, mirrored by src/settlement/ethereum/dispute-hash.ts.
library DisputeHash {
    function stateHash(GlobalState memory g) internal pure returns (bytes32) {
        return keccak256(abi.encode(g.stateRoot, g.sendRoot, uint256(g.inboxPosition), uint256(g.positionInMessage)));
    }

    /// §3 `skip(S)`: the message at S's inbox position is skipped.
    function skipStateHash(GlobalState memory g) internal pure returns (bytes32) {
        return keccak256(abi.encode(g.stateRoot, g.sendRoot, uint256(g.inboxPosition) + 1, uint256(0)));
    }

    function assertionId(AssertionData memory a) internal pure returns (bytes32) {
        return keccak256(abi.encode(a));
    }

    /// §3 `H(start ‖ end ‖ inner)`.
    function node(bytes32 start, bytes32 end, bytes32 inner) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, start)
            mstore(add(p, 32), end)
            mstore(add(p, 64), inner)
            h := keccak256(p, 96)
        }
    }

    function key(uint256 level, bytes32 origin, uint256 start, uint256 w, bytes32 startState)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(level, origin, start, w, startState));
    }

    function edgeKey(EdgeRef calldata e) internal pure returns (bytes32) {
        return key(e.level, e.origin, e.start, e.w, e.startState);
    }

    function edgeId(bytes32 k, bytes32 root) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, k)
            mstore(32, root)
            h := keccak256(0, 64)
        }
    }

    /// §3 `d(w)`: bits split by one dissection of a range of 2^w transitions (w >= 1).
    function splitBits(uint256 w) internal pure returns (uint256) {
        return ((w - 1) % 4) + 1;
    }

    /// Binary Merkle root (docs/machine.md §4.2) of a power-of-two number of leaves; overwrites `leaves`.
    function merkleRoot(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        while (n > 1) {
            for (uint256 i = 0; i < n / 2; i++) {
                bytes32 l = leaves[2 * i];
                bytes32 r = leaves[2 * i + 1];
                bytes32 h;
                assembly ("memory-safe") {
                    mstore(0, l)
                    mstore(32, r)
                    h := keccak256(0, 64)
                }
                leaves[i] = h;
            }
            n /= 2;
        }
        return leaves[0];
    }
}
