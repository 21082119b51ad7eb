// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Cursor} from "./ProofReader.sol";
import {Machine, MachineHash, Module} from "./MachineHash.sol";

/// The state of one `verifyStep` call (src/vm/wasm/verify.ts): the proof cursor, the pre-state
/// fields `f`, the post-state fields `post` (its stackHash / stackHeight are verify.ts' `sh` /
/// `height`, its memoryRoot is `memRoot`), the module fields and the decoded instruction.
struct Ctx {
    Cursor cur;
    Machine pre;
    Machine post;
    Module mod;
    uint256 op;
    uint256 imm;
    uint256 immLo;
    /// values popped (§7.3)
    uint256 k;
    /// calldata offset of the popped items, top first: items[i] at `items + 32 * i`
    uint256 items;
    /// the active metered call's record (§3.7, §4.7), when pre.metered == 1
    uint256 mLimit;
    uint256 mRetPc;
    uint256 mSp;
    uint256 mFp;
    bytes32 mStack;
    bytes32 mFrames;
}

/// verify.ts' closures `push`, `done`, `trap` and the `items` array.
library OspContext {
    uint256 internal constant U32 = 0xffffffff;
    uint256 internal constant U64 = 0xffffffffffffffff;

    /// items[i] (i < k): the i-th popped value, top first, as the full word
    function item(Ctx memory c, uint256 i) internal pure returns (uint256 v) {
        uint256 p = c.items + (i << 5);
        assembly ("memory-safe") {
            v := calldataload(p)
        }
    }

    function push(Ctx memory c, uint256 v) internal pure {
        Machine memory post = c.post;
        post.stackHash = MachineHash.hashPair(post.stackHash, bytes32(v));
        unchecked {
            post.stackHeight += 1;
        }
    }

    function done(Ctx memory c) internal pure returns (bytes32) {
        return MachineHash.hash(c.post);
    }

    /// a trapping step: inside a metered call it unwinds the call with -1, else `errored` (§3.7)
    function trap(Ctx memory c) internal pure returns (bytes32) {
        if (c.pre.metered == 1) return unwind(c, U32);
        return errored(c);
    }

    /// pre-state with status Errored, steps + 1 and no metered call; ends the step (it overwrites `pre`)
    function errored(Ctx memory c) internal pure returns (bytes32) {
        Machine memory f = c.pre;
        f.status = 2;
        f.metered = 0;
        unchecked {
            f.steps += 1;
        }
        return MachineHash.hash(f);
    }

    /// §3.7: back to the metered call's stack and frames with `code` pushed, pc after the call (overwrites `pre`)
    function unwind(Ctx memory c, uint256 code) internal pure returns (bytes32) {
        Machine memory f = c.pre;
        f.pc = c.mRetPc;
        f.stackHash = MachineHash.hashPair(c.mStack, bytes32(code));
        f.stackHeight = c.mSp + 1;
        f.framesHash = c.mFrames;
        f.frameDepth = c.mFp;
        f.metered = 0;
        unchecked {
            f.steps += 1;
        }
        return MachineHash.hash(f);
    }

    /// guest memory size in bytes
    function memSize(Ctx memory c) internal pure returns (uint256) {
        return c.pre.pages << 16;
    }
}
