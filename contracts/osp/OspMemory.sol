// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ctx, OspContext} from "./OspContext.sol";
import {DataProofMismatch, MemoryProofMismatch} from "./OspErrors.sol";
import {MerkleProof} from "./MerkleProof.sol";
import {ProofReader} from "./ProofReader.sol";

/// Mirrors the memory part of src/vm/wasm/verify.ts (`readLeaf`, `readBytes`, `writeBytes`, loads,
/// stores, memory.size/grow, data.load8; docs/machine.md §3.3, §7.4). Byte strings of up to 32
/// bytes are passed as left-aligned bytes32 (byte i of the string is byte i of the word).
library OspMemory {
    using ProofReader for *;
    using OspContext for Ctx;

    uint256 internal constant U32 = 0xffffffff;
    uint256 internal constant U64 = 0xffffffffffffffff;
    uint256 internal constant OP_I32_LOAD = 21;
    uint256 internal constant OP_I64_LOAD = 22;
    uint256 internal constant OP_I32_STORE = 33;
    uint256 internal constant OP_MEMORY_SIZE = 40;
    uint256 internal constant OP_MEMORY_GROW = 41;

    /// memory tree depth: 11 + ceilLog2(max(maxPages, 1))
    function depth(Ctx memory c) internal pure returns (uint256) {
        uint256 mp = c.mod.maxPages;
        return 11 + MerkleProof.ceilLog2(mp == 0 ? 1 : mp);
    }

    /// a mask of the first `len` bytes of a word (len <= 32)
    function lenMask(uint256 len) internal pure returns (uint256) {
        return len == 0 ? 0 : ~uint256(0) << (256 - (len << 3));
    }

    /// verify.ts `readLeaf`: a memory leaf and its path against the current memory root
    function readLeaf(Ctx memory c, uint256 leaf, uint256 d) internal pure returns (bytes32 v) {
        v = c.cur.word();
        uint256 p = c.cur.path(d);
        if (MerkleProof.rootFromPath(v, leaf, p, d) != c.post.memoryRoot) revert MemoryProofMismatch(leaf);
    }

    /// verify.ts `readBytes`: `len` (<= 32) bytes at `addr`, left-aligned
    function readBytes(Ctx memory c, uint256 addr, uint256 len) internal pure returns (bytes32) {
        if (len == 0) return 0;
        uint256 d = depth(c);
        uint256 a = addr >> 5;
        uint256 o = (addr & 31) << 3;
        uint256 out = uint256(readLeaf(c, a, d)) << o;
        if (((addr + len - 1) >> 5) != a) out |= uint256(readLeaf(c, a + 1, d)) >> (256 - o);
        return bytes32(out & lenMask(len));
    }

    /// verify.ts `writeBytes`: writes `len` (<= 32) left-aligned bytes at `addr`; each leaf's path is
    /// checked against the root after the previous write
    function writeBytes(Ctx memory c, uint256 addr, bytes32 data, uint256 len) internal pure {
        if (len == 0) return;
        uint256 d = depth(c);
        uint256 m = lenMask(len);
        uint256 bytes_ = uint256(data) & m;
        uint256 a = addr >> 5;
        uint256 o = (addr & 31) << 3;
        _writeLeaf(c, a, d, m >> o, bytes_ >> o);
        if (((addr + len - 1) >> 5) != a) _writeLeaf(c, a + 1, d, m << (256 - o), bytes_ << (256 - o));
    }

    function _writeLeaf(Ctx memory c, uint256 leaf, uint256 d, uint256 mask, uint256 bits) private pure {
        bytes32 v = c.cur.word();
        uint256 p = c.cur.path(d);
        if (MerkleProof.rootFromPath(v, leaf, p, d) != c.post.memoryRoot) revert MemoryProofMismatch(leaf);
        bytes32 nv = bytes32((uint256(v) & ~mask) | bits);
        c.post.memoryRoot = MerkleProof.rootFromPath(nv, leaf, p, d);
    }

    /// byte-reverses a 64-bit value
    function rev64(uint256 x) internal pure returns (uint256) {
        x = ((x & 0xff00ff00ff00ff00) >> 8) | ((x & 0x00ff00ff00ff00ff) << 8);
        x = ((x & 0xffff0000ffff0000) >> 16) | ((x & 0x0000ffff0000ffff) << 16);
        return ((x >> 32) | (x << 32)) & U64;
    }

    /// access width in bytes (proof.ts `accessWidth`)
    function accessWidth(uint256 op) internal pure returns (uint256) {
        if (op == 22 || op == 34) return 8;
        if (op == 21 || op == 31 || op == 32 || op == 33 || op == 39) return 4;
        if (op == 25 || op == 26 || op == 29 || op == 30 || op == 36 || op == 38) return 2;
        return 1;
    }

    /// loads (21..32) and stores (33..39)
    function loadStore(Ctx memory c) internal pure returns (bytes32) {
        uint256 op = c.op;
        bool store = op >= OP_I32_STORE;
        uint256 w = accessWidth(op);
        uint256 addr = (c.item(store ? 1 : 0) & U32) + c.immLo;
        if (addr + w > c.memSize()) return c.trap();
        if (store) {
            // little-endian bytes of items[0] mod 2^64, first w of them
            writeBytes(c, addr, bytes32(rev64(c.item(0) & U64) << 192), w);
            return c.done();
        }
        uint256 v = rev64(uint256(readBytes(c, addr, w)) >> 192);
        // i32.load8_s, i32.load16_s, i64.load8_s, i64.load16_s, i64.load32_s
        if (op == 23 || op == 25 || op == 27 || op == 29 || op == 31) {
            uint256 bw = w - 1;
            uint256 mask = op >= 27 ? U64 : U32;
            assembly ("memory-safe") {
                v := and(signextend(bw, v), mask)
            }
        }
        c.push(v);
        return c.done();
    }

    /// memory.size (40), memory.grow (41), data.load8 (42)
    function misc(Ctx memory c) internal pure returns (bytes32) {
        if (c.op == OP_MEMORY_SIZE) {
            c.push(c.pre.pages);
            return c.done();
        }
        if (c.op == OP_MEMORY_GROW) {
            uint256 delta = c.item(0) & U32;
            uint256 pages = c.pre.pages;
            if (pages + delta > c.mod.maxPages) {
                c.push(U32);
            } else {
                c.push(pages);
                c.post.pages = pages + delta;
            }
            return c.done();
        }
        // data.load8
        uint256 ea = (c.item(0) & U32) + c.immLo;
        uint256 dataLen = c.mod.dataLen;
        if (ea >= dataLen) return c.trap();
        bytes32 leaf = c.cur.word();
        uint256 d = MerkleProof.ceilLog2((dataLen >> 5) + (dataLen & 31 == 0 ? 0 : 1));
        uint256 p = c.cur.path(d);
        if (MerkleProof.rootFromPath(leaf, ea >> 5, p, d) != c.mod.dataRoot) revert DataProofMismatch();
        c.push(uint256(uint8(leaf[ea & 31])));
        return c.done();
    }
}
