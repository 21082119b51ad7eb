// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ctx, OspContext} from "./OspContext.sol";
import {
    GlobalStateMismatch,
    MessageChunkMismatch,
    MessageCommitmentMismatch,
    PreimageChunkTooLong,
    UnknownHostOp,
    UnknownPreimageKind
} from "./OspErrors.sol";
import {IInboxMessages} from "./IInboxMessages.sol";
import {IPreimageOracle} from "./IPreimageOracle.sol";
import {MachineHash} from "./MachineHash.sol";
import {MerkleProof} from "./MerkleProof.sol";
import {OspMemory} from "./OspMemory.sol";
import {ProofReader} from "./ProofReader.sol";

/// the ecrecover precompile call itself failed (only when it runs out of gas: the precompile reports a
/// failed recovery with empty output, not with a failed call); reverting keeps the result independent
/// of the gas given
error EcrecoverCallFailed();

/// Mirrors `host()` of src/vm/wasm/verify.ts (docs/machine.md §6, §7.5): the host ops of the STF ABI
/// (host-abi.ts). The inbox commitment and the preimage chunk come from L1 contracts (verify.ts'
/// `VerifierEnv`); `ecrecover` (machine v1.1) uses the precompile at address 0x01.
library OspHost {
    using ProofReader for *;
    using OspContext for Ctx;

    uint256 internal constant U32 = 0xffffffff;
    uint256 internal constant HOST_INBOX_READ = 0;
    uint256 internal constant HOST_PREIMAGE_READ = 1;
    uint256 internal constant HOST_GET_GLOBAL_BYTES32 = 2;
    uint256 internal constant HOST_SET_GLOBAL_BYTES32 = 3;
    uint256 internal constant HOST_GET_GLOBAL_U64 = 4;
    uint256 internal constant HOST_SET_GLOBAL_U64 = 5;
    uint256 internal constant HOST_HALT = 6;
    uint256 internal constant HOST_KECCAK256_PAIR = 7;
    uint256 internal constant HOST_ECRECOVER = 8;
    uint256 internal constant HOST_HINT_PREIMAGE = 9;

    /// the global state's preimage (2 bytes32, 2 u64 as full words)
    struct GlobalState {
        bytes32 b0;
        bytes32 b1;
        uint256 u0;
        uint256 u1;
    }

    /// number of parameters (popCount of `host id`, proof.ts `hostParams`)
    function params(uint256 id) internal pure returns (uint256) {
        if (id == HOST_PREIMAGE_READ || id == HOST_ECRECOVER) return 4;
        if (id == HOST_GET_GLOBAL_U64) return 1;
        if (id == HOST_HALT) return 0;
        if (id > HOST_HINT_PREIMAGE) revert UnknownHostOp(id);
        return 2;
    }

    function host(Ctx memory c, IInboxMessages inbox, IPreimageOracle oracle) internal view returns (bytes32) {
        uint256 id = c.immLo;
        if (id == HOST_HALT) {
            // halt inside a metered call traps (§3.7)
            if (c.pre.metered == 1) return c.trap();
            c.post.status = 1;
            c.post.pc = c.pre.pc;
            return c.done();
        }
        if (id == HOST_PREIMAGE_READ) return _preimageRead(c, oracle);
        // v1.1 ops: no global-state section
        if (id == HOST_KECCAK256_PAIR) return _keccakPair(c);
        if (id == HOST_ECRECOVER) return _ecrecover(c);
        if (id == HOST_HINT_PREIMAGE) return c.done();
        GlobalState memory gs;
        gs.b0 = c.cur.word();
        gs.b1 = c.cur.word();
        gs.u0 = c.cur.num();
        gs.u1 = c.cur.num();
        if (MachineHash.globalStateHash(gs.b0, gs.b1, gs.u0, gs.u1) != c.pre.globalStateHash) {
            revert GlobalStateMismatch();
        }
        if (id == HOST_INBOX_READ) return _inboxRead(c, inbox, gs.u0);
        if (id == HOST_GET_GLOBAL_U64) {
            uint256 idx = c.item(0) & U32;
            if (idx > 1) return c.trap();
            c.push(idx == 0 ? gs.u0 : gs.u1);
            return c.done();
        }
        if (id == HOST_SET_GLOBAL_U64) {
            uint256 idx = c.item(1) & U32;
            if (idx > 1) return c.trap();
            if (idx == 0) gs.u0 = c.item(0);
            else gs.u1 = c.item(0);
            c.post.globalStateHash = MachineHash.globalStateHash(gs.b0, gs.b1, gs.u0, gs.u1);
            return c.done();
        }
        // get_global_bytes32 / set_global_bytes32: (index, ptr)
        uint256 ptr = c.item(0) & U32;
        uint256 index = c.item(1) & U32;
        if (index > 1 || ptr + 32 > c.memSize()) return c.trap();
        if (id == HOST_GET_GLOBAL_BYTES32) {
            OspMemory.writeBytes(c, ptr, index == 0 ? gs.b0 : gs.b1, 32);
            return c.done();
        }
        bytes32 v = OspMemory.readBytes(c, ptr, 32);
        if (index == 0) gs.b0 = v;
        else gs.b1 = v;
        c.post.globalStateHash = MachineHash.globalStateHash(gs.b0, gs.b1, gs.u0, gs.u1);
        return c.done();
    }

    /// inbox_read(offset, ptr) -> n
    function _inboxRead(Ctx memory c, IInboxMessages inbox, uint256 position) private view returns (bytes32) {
        uint256 ptr = c.item(0) & U32;
        uint256 offset = c.item(1) & U32;
        if (ptr + 32 > c.memSize()) return c.trap();
        uint256 len = c.cur.num();
        bytes32 root = c.cur.word();
        if (position > type(uint64).max) revert MessageCommitmentMismatch();
        bytes32 expected = inbox.messageHash(uint64(position));
        if (expected == 0 || MachineHash.hashPair(bytes32(len), root) != expected) revert MessageCommitmentMismatch();
        uint256 n = offset >= len ? 0 : len - offset;
        if (n > 32) n = 32;
        bytes32 chunk = n == 0 ? bytes32(0) : _chunk(c, root, len, offset, n);
        OspMemory.writeBytes(c, ptr, chunk, n);
        c.push(n);
        return c.done();
    }

    /// the `n` (1..32) message bytes at `offset`, left-aligned, from the chunk leaves in the proof
    function _chunk(Ctx memory c, bytes32 root, uint256 len, uint256 offset, uint256 n)
        private
        pure
        returns (bytes32)
    {
        uint256 d = MerkleProof.ceilLog2((len >> 5) + (len & 31 == 0 ? 0 : 1));
        uint256 a = offset >> 5;
        uint256 o = (offset & 31) << 3;
        uint256 v = uint256(_chunkLeaf(c, root, a, d)) << o;
        if (((offset + n - 1) >> 5) != a) v |= uint256(_chunkLeaf(c, root, a + 1, d)) >> (256 - o);
        return bytes32(v & OspMemory.lenMask(n));
    }

    function _chunkLeaf(Ctx memory c, bytes32 root, uint256 leaf, uint256 d) private pure returns (bytes32 v) {
        v = c.cur.word();
        uint256 p = c.cur.path(d);
        if (MerkleProof.rootFromPath(v, leaf, p, d) != root) revert MessageChunkMismatch();
    }

    /// preimage_read(kind, hashPtr, offset, ptr) -> n
    function _preimageRead(Ctx memory c, IPreimageOracle oracle) private view returns (bytes32) {
        uint256 ptr = c.item(0) & U32;
        uint256 offset = c.item(1) & U32;
        uint256 hashPtr = c.item(2) & U32;
        uint256 kind = c.item(3) & U32;
        uint256 size = c.memSize();
        if (hashPtr + 32 > size || ptr + 32 > size || hashPtr & 31 != 0) return c.trap();
        bytes32 hash = OspMemory.readLeaf(c, hashPtr >> 5, OspMemory.depth(c));
        if (kind > type(uint8).max) revert UnknownPreimageKind(kind);
        bytes memory chunk = oracle.readPreimage(uint8(kind), hash, offset);
        uint256 n = chunk.length;
        if (n > 32) revert PreimageChunkTooLong();
        bytes32 data;
        assembly ("memory-safe") {
            data := mload(add(chunk, 32))
        }
        OspMemory.writeBytes(c, ptr, data, n);
        c.push(n);
        return c.done();
    }

    /// keccak256_pair(inPtr, outPtr): the 2 input leaves, then the output leaf
    function _keccakPair(Ctx memory c) private pure returns (bytes32) {
        uint256 outPtr = c.item(0) & U32;
        uint256 inPtr = c.item(1) & U32;
        uint256 size = c.memSize();
        if (inPtr + 64 > size || outPtr + 32 > size || (inPtr | outPtr) & 31 != 0) return c.trap();
        uint256 d = OspMemory.depth(c);
        bytes32 a = OspMemory.readLeaf(c, inPtr >> 5, d);
        bytes32 b = OspMemory.readLeaf(c, (inPtr >> 5) + 1, d);
        OspMemory.writeBytes(c, outPtr, MachineHash.hashPair(a, b), 32);
        return c.done();
    }

    /// ecrecover(hashPtr, sigPtr, v, outPtr) -> ok: the hash leaf, the r and s leaves, then the output leaf
    function _ecrecover(Ctx memory c) private view returns (bytes32) {
        uint256 outPtr = c.item(0) & U32;
        uint256 v = c.item(1) & U32;
        uint256 sigPtr = c.item(2) & U32;
        uint256 hashPtr = c.item(3) & U32;
        uint256 size = c.memSize();
        if (hashPtr + 32 > size || sigPtr + 64 > size || outPtr + 32 > size) return c.trap();
        if ((hashPtr | sigPtr | outPtr) & 31 != 0) return c.trap();
        uint256 d = OspMemory.depth(c);
        bytes32 hash = OspMemory.readLeaf(c, hashPtr >> 5, d);
        bytes32 r = OspMemory.readLeaf(c, sigPtr >> 5, d);
        bytes32 s = OspMemory.readLeaf(c, (sigPtr >> 5) + 1, d);
        (bytes32 w, bool ok) = _precompileEcrecover(hash, v, r, s);
        OspMemory.writeBytes(c, outPtr, w, 32);
        c.push(ok ? 1 : 0);
        return c.done();
    }

    /// the precompile 0x01: 32 bytes (0^12 ‖ address) on success; empty output when recovery fails
    /// (v not 27/28, r or s not in [1, n-1], no curve point for r, result at infinity) → (0, false)
    function _precompileEcrecover(bytes32 hash, uint256 v, bytes32 r, bytes32 s)
        private
        view
        returns (bytes32 w, bool ok)
    {
        bool success;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, hash)
            mstore(add(p, 0x20), v)
            mstore(add(p, 0x40), r)
            mstore(add(p, 0x60), s)
            mstore(0, 0)
            success := staticcall(gas(), 0x01, p, 0x80, 0, 0x20)
            if eq(returndatasize(), 0x20) {
                w := mload(0)
                ok := 1
            }
        }
        if (!success) revert EcrecoverCallFailed();
    }
}
