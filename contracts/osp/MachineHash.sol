// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The machine hash's preimage (commit.ts `MachineFields`, docs/machine.md §4.6). Scalars are
/// uint256 so that packing them reproduces commit.ts' bigint OR exactly. `steps` must stay right
/// before `stackHash`: `hash` packs the scalars word into its slot and hashes the 7 words in place
/// (8 with `meterHash`, right after `globalStateHash`, while `metered` is 1: §4.7).
struct Machine {
    uint256 status;
    uint256 pc;
    uint256 stackHeight;
    uint256 frameDepth;
    uint256 pages;
    uint256 steps;
    bytes32 stackHash;
    bytes32 framesHash;
    bytes32 globalsRoot;
    bytes32 memoryRoot;
    bytes32 moduleRoot;
    bytes32 globalStateHash;
    bytes32 meterHash;
    uint256 metered;
}

/// The module fields (commit.ts `commitModule`, docs/machine.md §4.3), with the sizes word unpacked.
struct Module {
    bytes32 codeRoot;
    bytes32 tableRoot;
    bytes32 dataRoot;
    uint256 codeLen;
    uint256 tableLen;
    uint256 dataLen;
    uint256 numGlobals;
    uint256 maxPages;
    uint256 maxFrames;
    uint256 maxStackHeight;
    uint256 maxSteps;
}

/// Mirrors src/vm/wasm/commit.ts: scalars word, machine hash (7 words), module fields (5 words),
/// frame hash, global-state hash (and hash.ts `hashPair`).
library MachineHash {
    uint256 internal constant U32 = 0xffffffff;
    uint256 internal constant U64 = 0xffffffffffffffff;

    /// `metered << 200 | status << 192 | pc << 160 | stackHeight << 128 | frameDepth << 96 | pages << 64 | steps`
    function scalars(Machine memory m) internal pure returns (uint256) {
        return (m.metered << 200) | (m.status << 192) | (m.pc << 160) | (m.stackHeight << 128) | (m.frameDepth << 96)
            | (m.pages << 64) | m.steps;
    }

    /// Unpacks the scalars word and the 6 following words from calldata at `pos`.
    function load(Machine memory m, uint256 pos) internal pure {
        uint256 s;
        assembly ("memory-safe") {
            s := calldataload(pos)
            // stackHash .. globalStateHash: 6 words right after `steps`
            calldatacopy(add(m, 0xc0), add(pos, 32), 0xc0)
        }
        m.metered = (s >> 200) & 1;
        m.status = (s >> 192) & 0xff;
        m.pc = (s >> 160) & U32;
        m.stackHeight = (s >> 128) & U32;
        m.frameDepth = (s >> 96) & U32;
        m.pages = (s >> 64) & U32;
        m.steps = s & U64;
    }

    /// keccak256 of the 7 machine words, 8 with the meter hash while metered (commit.ts `hashMachineFields`).
    function hash(Machine memory m) internal pure returns (bytes32 h) {
        uint256 s = scalars(m);
        uint256 n = m.metered == 1 ? 0x100 : 0xe0;
        assembly ("memory-safe") {
            let p := add(m, 0xa0)
            let saved := mload(p)
            mstore(p, s)
            h := keccak256(p, n)
            mstore(p, saved)
        }
    }

    /// §4.7: keccak(word(limit << 128 | returnPc << 64 | stackHeight << 32 | frameDepth) ‖ stackHash ‖ framesHash)
    function meterHash(
        uint256 limit,
        uint256 returnPc,
        uint256 stackHeight,
        uint256 frameDepth,
        bytes32 stackHash,
        bytes32 framesHash
    ) internal pure returns (bytes32 h) {
        uint256 w = (limit << 128) | (returnPc << 64) | (stackHeight << 32) | frameDepth;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, w)
            mstore(add(p, 32), stackHash)
            mstore(add(p, 64), framesHash)
            h := keccak256(p, 96)
        }
    }

    /// Unpacks the sizes word (§4.3) of the 5 module words in calldata at `pos`.
    function loadModule(Module memory md, uint256 pos) internal pure {
        uint256 sizes;
        assembly ("memory-safe") {
            calldatacopy(md, pos, 0x60)
            sizes := calldataload(add(pos, 0x60))
        }
        md.codeLen = sizes >> 224;
        md.tableLen = (sizes >> 192) & U32;
        md.dataLen = (sizes >> 160) & U32;
        md.numGlobals = (sizes >> 128) & U32;
        md.maxPages = (sizes >> 64) & U32;
        md.maxFrames = (sizes >> 32) & U32;
        md.maxStackHeight = sizes & U32;
        md.maxSteps = uint256(_calldataWord(pos + 0x80));
    }

    /// keccak256 of `n` words in calldata at `pos`.
    function hashCalldata(uint256 pos, uint256 n) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, pos, shl(5, n))
            h := keccak256(p, shl(5, n))
        }
    }

    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, a)
            mstore(32, b)
            h := keccak256(0, 64)
        }
    }

    /// §4.5: keccak(returnPc || numLocals || localsRoot)
    function frameHash(uint256 returnPc, uint256 numLocals, bytes32 localsRoot) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, returnPc)
            mstore(add(p, 32), numLocals)
            mstore(add(p, 64), localsRoot)
            h := keccak256(p, 96)
        }
    }

    /// §2.3: keccak(bytes32[0] || bytes32[1] || word(u64[0]) || word(u64[1]))
    function globalStateHash(bytes32 b0, bytes32 b1, uint256 u0, uint256 u1) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, b0)
            mstore(add(p, 32), b1)
            mstore(add(p, 64), u0)
            mstore(add(p, 96), u1)
            h := keccak256(p, 128)
        }
    }

    function _calldataWord(uint256 pos) private pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := calldataload(pos)
        }
    }
}
