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

    /// pre-state with status Errored and steps + 1; ends the step (it overwrites `pre`)
    function trap(Ctx memory c) internal pure returns (bytes32) {
        Machine memory f = c.pre;
        f.status = 2;
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
